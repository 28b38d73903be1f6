"""Every component id of the dashboard: the page's own here; those of filters, switches
and charts are derived from their declarations (evidence.fields, evidence.views)."""

from enum import StrEnum


class ID(StrEnum):
    """Component ids of the page itself."""

    URL = "url"
    RESET = "btn-reset"
    CHIPS = "active-chips"
    COUNT = "article-count"
    NOTICES = "url-notices"
    TABLE = "articles-list"
    TABLE_SEARCH = "articles-search"
    TABLE_SORT = "articles-sort"
    ABOUT_OPEN = "btn-about"
    ABOUT = "about-modal"
    ABOUT_BODY = "about-body"  # the About dialog's content, sent when it is opened
    SHARE = "btn-share"
    FILTER_TOGGLE = "btn-filters"
    FILTER_PANEL = "filter-panel"
    FILTER_DONE = "btn-filters-done"  # a phone's way back from the filters to the results
    EMBED = "embed-modal"
    RENDERED = "rendered-search"
    # The URL changed by itself (first load, back/forward, a typed link), not by the
    # state writer: set in the browser, it wakes the URL-driven render.
    URL_CHANGED = "url-changed"
    ROWS = "rows-page"  # the article list's page on screen (its first, with the views)
    ROWS_ASKED = "rows-asked"  # another page of the list (Previous / Next)
    CELL_PRESS = "cell-press"  # a pressed cell or bar of an HTML chart (assets/cells.js)
    # Whether the last press on a chart adds to its selection (Shift/Ctrl-click, or the
    # "Add to selection" switch; set by assets/figures.js as the pointer goes down)
    SELECT_MODE = "select-mode"
    # The page's text (count, link notices, takeaways) the browser draws (assets/page.js)
    TEXT = "page-text"


CHIP = "chip"  # pattern-matching type of the removable filter chips


def control_id(key: str) -> str:
    """The id of a field's control: ``ctl-origin-income`` for ``origin_income``."""
    return "ctl-" + key.replace("_", "-")


def graph_id(chart: str) -> str:
    """The id of a chart's graph: ``fig-flow-matrix`` for the chart ``flow-matrix``."""
    return f"fig-{chart}"


def card_id(view: str) -> str:
    """The id of a view's card (also the anchor the page links to): ``card-map``."""
    return f"card-{view}"


def summary_id(view: str) -> str:
    """The element of a view's takeaway sentence: ``summary-map``."""
    return f"summary-{view}"


def store_id(chart: str) -> str:
    """The store a chart's response goes to when the browser draws it (an HTML chart's
    table, a figure the browser completes): ``cells-flow-matrix``."""
    return f"cells-{chart}"
