"""Every component id of the dashboard, in one place."""

from enum import StrEnum


class ID(StrEnum):
    """Component ids. Controls that appear in the URL are named after their query key."""

    URL = "url"
    YEAR = "ctl-year"
    COUNTRY = "ctl-country"
    ROLE = "ctl-role"
    FORMAT = "ctl-format"
    MOTIVATION = "ctl-motivation"
    ORIGIN_INCOME = "ctl-origin-income"
    SETTING_INCOME = "ctl-setting-income"
    REGION = "ctl-region"
    BASIS = "ctl-basis"
    LANGUAGE = "ctl-language"
    TYPE = "ctl-type"
    KIND = "ctl-kind"
    INCOME = "ctl-income"
    ALIGN = "ctl-align"
    STACK = "ctl-stack"
    RESET = "btn-reset"
    CHIPS = "active-chips"
    COUNT = "article-count"
    NOTICES = "url-notices"
    MAP = "fig-map"
    FLOWS = "fig-flows"
    FLOW_MATRIX = "fig-flow-matrix"
    PARTNERSHIPS = "fig-partnerships"
    PARTNER_MAP = "fig-partner-map"
    ALIGNMENT = "fig-alignment"
    TRENDS = "fig-trends"
    TABLE = "articles-grid"
    TABLE_SEARCH = "articles-search"
    ABOUT_OPEN = "btn-about"
    ABOUT = "about-modal"
    SHARE = "btn-share"
    FILTER_TOGGLE = "btn-filters"
    FILTER_PANEL = "filter-panel"
    EMBED = "embed-modal"
    RENDERED = "rendered-search"


CHIP = "chip"  # pattern-matching type of the removable filter chips
