"""One place that turns (evidence, state) into each view's figure, data and takeaway.

The dashboard, the exports, the embed pages and the slide deck all call these, so the
chart on screen and the chart in a file are built by the same code from the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from evidence import aggregate, filters
from evidence.codebook import load_codebook
from evidence.countries import LATEST_FY, country_name, income_periods, region_label
from evidence.figures.alignment import build_alignment_figure
from evidence.figures.flows import build_direction_matrix_figure, build_flows_figure
from evidence.figures.map import build_map_figure
from evidence.figures.partnerships import build_partner_map_figure, build_partnerships_figure
from evidence.figures.theme import Caption, caption_figure, empty_figure, footer_text
from evidence.figures.trends import build_trends_figure
from evidence.languages import language_name
from evidence.model import EvidenceBase
from evidence.state import FilterState

EMPTY_MESSAGE = "No articles match these filters"
DRAWING_COLUMNS = ("lon0", "lat0", "lon1", "lat1")  # arc ends: drawing aids, not data


def flows_evidence(sub: EvidenceBase, state: FilterState) -> EvidenceBase:
    """The filtered evidence further restricted to the mobility kinds shown on the flow map."""
    return filters.apply(sub, FilterState(format=state.kind)) if state.kind else sub


def income_history(iso3: pd.Series, years: tuple[int, int]) -> pd.Series:
    """Each country's income group over publication years ``years`` in words: "Low
    income" when it never changed, else its periods, "Low income 2000-2013, lower-middle
    2014-2020" (publication years; the group of FY = year + 1). "" when unknown."""
    groups = load_codebook().income_groups

    def words(runs) -> str:
        if len(runs) == 1:
            return groups.get(runs[0][0], {}).get("label", "Unclassified")
        parts = []
        for i, (g, a, b) in enumerate(runs):
            name = groups.get(g, {}).get("label" if i == 0 else "short", "unclassified")
            parts.append(f"{name if i == 0 else name.lower()} {a if a == b else f'{a}-{b}'}")
        return ", ".join(parts)

    periods = income_periods(iso3, *years)
    return periods.map(lambda runs: words(runs) if runs else "").rename("income_history")


def _map(sub, state):
    counts = aggregate.counts_by_country(sub, role=state.role, classification=state.income)
    if state.income == "year" and len(counts) and sub.n_articles:
        # Over the years on screen: the year filter, else the years of the articles.
        years = state.year or (int(sub.articles["year"].min()), int(sub.articles["year"].max()))
        history = income_history(counts["iso3"], years)
        counts = counts.assign(income_history=history.where(history != "", counts["income_label"]))
    return counts, build_map_figure(counts, role=state.role)


def _flows(sub, state):
    pairs = aggregate.flows_by_pair(flows_evidence(sub, state), classification=state.income)
    if not len(pairs):
        return pairs, empty_figure("No mobility flows coded for these articles")
    return pairs, build_flows_figure(pairs)


def _flow_matrix(sub, state):
    matrix = aggregate.direction_matrix(
        flows_evidence(sub, state).flows, classification=state.income
    )
    return matrix, build_direction_matrix_figure(matrix)


def _partnerships(sub, state):
    summary = aggregate.partnership_summary(sub)
    directions = aggregate.direction_counts(sub, what="partnerships", classification=state.income)
    data = pd.concat(
        [summary.assign(chart="coded format"), directions.assign(chart="lead → partner")],
        ignore_index=True,
    )
    return data, build_partnerships_figure(summary, directions)


def _partner_map(sub, state):
    pairs = aggregate.partner_pairs(sub, classification=state.income)
    if not len(pairs):
        return pairs, empty_figure("No partner countries coded for these articles")
    return pairs, build_partner_map_figure(pairs)


def _alignment(sub, state):
    matrix = aggregate.alignment_matrix(sub, mode=state.align, classification=state.income)
    return matrix, build_alignment_figure(matrix, mode=state.align)


def _trends(sub, state):
    trend = aggregate.trends(sub, stack=state.stack, year_range=state.year)
    totals = sub.articles["year"].value_counts().to_dict()  # what a click on a year shows
    return trend, build_trends_figure(trend, stack=state.stack, totals=totals)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _role_share_high(sub: EvidenceBase, state: FilterState) -> tuple[int, float]:
    """Articles naming a country in the state's role, and the share of them naming a
    high-income country in that role."""
    ac = sub.article_countries
    col = "income" if state.income == "year" else "income_latest"
    in_role = ac["role"].to_numpy() == state.role
    ids = ac["article_id"].to_numpy()[in_role]
    high = ac[col].to_numpy()[in_role] == "H"
    n = len(pd.unique(ids))
    return n, (len(pd.unique(ids[high])) / n if n else 0.0)


def _takeaway_map(sub, state):
    """The map's sentence, by the role the map shows (origin, any author or setting)."""
    top = aggregate.top_countries(
        aggregate.counts_by_country(sub, role=state.role, classification=state.income), n=3
    )
    country = load_codebook().roles[state.role]["country"]
    if not top:
        return f"No article names a {country}."
    names = ", ".join(f"{name} ({n})" for name, n in top)
    if state.role == "origin":
        side = _pct(aggregate.share_from_side(sub, "north", classification=state.income))
        return (f"By first author's country: {side} of articles come from high-income "
                f"countries; most from {names}.")  # fmt: skip
    n, share = _role_share_high(sub, state)
    if state.role == "author":
        return (f"By any author's country: {_pct(share)} of articles have an author in a "
                f"high-income country; most often {names}.")  # fmt: skip
    return (f"By setting country: {_pct(share)} of the {n:,} articles with a setting country "
            f"have one in a high-income country; most in {names}.")  # fmt: skip


def _takeaway_flows(sub, state):
    flows_eb = flows_evidence(sub, state)
    if not len(flows_eb.flows):
        return "No mobility flows are coded for these articles."
    share = aggregate.share_of_flows(flows_eb, "N>S", classification=state.income)
    return f"{_pct(share)} of articles with student flows describe a flow from HIC to LMIC."


def _takeaway_partnerships(sub, state):
    if not len(sub.partnerships):
        return "No partnerships between countries are coded for these articles."
    share = aggregate.share_of_partnerships(sub, "N>S", classification=state.income)
    return f"{_pct(share)} of articles with partner pairs have a HIC lead with an LMIC partner."


def _takeaway_alignment(sub, state):
    matrix = aggregate.alignment_matrix(sub, mode="counts", classification=state.income)
    return aggregate.alignment_takeaway(matrix)


def _takeaway_trends(sub, state):
    years = sub.articles["year"]
    if years.empty:
        return "No articles."
    recent = int((years >= years.max() - 4).sum())
    return (
        f"{len(years):,} articles from {years.min()} to {years.max()}; "
        f"{_pct(recent / len(years))} appeared in the last five years."
    )


@dataclass(frozen=True)
class View:
    """A view: its title, how to build its data and figure, and its one-line takeaway."""

    name: str
    title: str
    build: Callable[[EvidenceBase, FilterState], tuple[pd.DataFrame, go.Figure]]
    takeaway: Callable[[EvidenceBase, FilterState], str]


VIEWS: dict[str, View] = {
    v.name: v
    for v in (
        View("map", "Where the evidence comes from", _map, _takeaway_map),
        View("flows", "Who sends students where", _flows, _takeaway_flows),
        View("flow-matrix", "Student mobility by income group", _flow_matrix, _takeaway_flows),
        View("partnerships", "Who partners with whom", _partnerships, _takeaway_partnerships),
        View("partner-map", "Partnerships between countries", _partner_map,
             _takeaway_partnerships),
        View("alignment", "Do motivations fit formats?", _alignment, _takeaway_alignment),
        View("trends", "How the evidence grew", _trends, _takeaway_trends),
    )
}  # fmt: skip
EXPORT_VIEWS = ("map", "flows", "partnerships", "alignment", "trends")


def role_word(role: str) -> str:
    """The role's name as the map's switch says it, in lower case: "origin", "any author",
    "setting" (the Countries and Regions filters match this role)."""
    spec = load_codebook().roles.get(role)
    return spec["short"].lower() if spec else role


def value_label(key: str, value: str) -> str:
    """Readable label of one filter value (a code, ISO-3, income group, flow, ...)."""
    cb = load_codebook()
    if key in ("format", "motivation", "kind"):
        return cb.label(value)
    if key == "country":
        return country_name(value)
    if key == "region":
        return region_label(value)
    if key in ("origin_income", "setting_income"):
        return cb.income_groups.get(value, {}).get("short", value)
    if key == "language":
        return language_name(value)
    if key == "type":
        return cb.article_types.get(value, value)
    if key in ("direction", "partner") and value in cb.directions:
        return cb.directions[value]["label"]  # a direction class, "HIC → LMIC"
    if key == "direction":
        a, b = value.split(">")
        return " → ".join(cb.income_groups.get(g, {}).get("label", g) for g in (a, b))
    if key in ("flow", "partner"):
        a, b = value.split(">")
        return f"{country_name(a)} → {country_name(b)}"
    return value


def _names(key: str, values: tuple[str, ...]) -> str:
    sep = " or " if key in ("format", "motivation", "kind") else ", "
    return sep.join(value_label(key, v) for v in values)


def describe_filters(state: FilterState) -> str:
    """The active filters in words, e.g. 'Outbound mobility, 2010-2020, origin income: High'.

    Countries and regions are named with the role they match ("setting country: Kenya").
    """
    cb = load_codebook()
    parts = []
    f = state.filter_fields()
    if "format" in f:
        parts.append(_names("format", state.format))
    if "motivation" in f:
        parts.append("motivation: " + _names("motivation", state.motivation))
    if "year" in f:
        a, b = state.year
        parts.append(str(a) if a == b else f"{a}-{b}")
    if "kind" in f:
        parts.append("mobility kind: " + _names("kind", state.kind))
    country = cb.roles[state.role]["country"]  # the one role of Countries and Regions
    if "country" in f:
        parts.append(f"{country}: {_names('country', state.country)}")
    if "region" in f:
        parts.append(f"{country.replace('country', 'region')}: {_names('region', state.region)}")
    labels = {"origin_income": "origin income", "setting_income": "setting income",
              "basis": "basis", "language": "language", "type": "type", "flow": "flow",
              "direction": "flow direction", "partner": "partnership"}  # fmt: skip
    for key, label in labels.items():
        if key in f:
            parts.append(f"{label}: {_names(key, getattr(state, key))}")
    return ", ".join(parts) if parts else "All articles"


def classification_text(state: FilterState) -> str:
    """Which World Bank classification the income groups use."""
    if state.income == "latest":
        return f"World Bank income groups FY{LATEST_FY}"
    return "World Bank income groups at publication year (FY = year + 1)"


def source_name(source: str) -> str:
    """The file name of a data source, never the server's folders ("data" when unknown).

    Every caption, export, dialog and message shows a source by this name and version.
    """
    return str(source).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or "data"


def caption_for(eb: EvidenceBase, sub: EvidenceBase, state: FilterState, view: str) -> Caption:
    """Title, filter subtitle and footer (N, source and version, classification, synthetic)."""
    subtitle = describe_filters(state)  # the mobility kind too: it filters the articles
    name = source_name(eb.source)
    source = (
        f"{name} (version {eb.version or '-'}, exported {date.today().isoformat()}); "
        "coding after Wu et al. 2022, Med Sci Educ, "
        f"doi:{load_codebook().doi}<br>Income groups: {classification_text(state)}, "
        "World Bank (CC BY 4.0)"
    )
    footer = footer_text(n_articles=sub.n_articles, source=source, synthetic=eb.synthetic)
    return Caption(VIEWS[view].title, subtitle, footer)


def view_figure(
    eb: EvidenceBase, state: FilterState, view: str, *, captioned: bool = False
) -> tuple[pd.DataFrame, go.Figure]:
    """The displayed data and figure of one view for the whole evidence base and a state.

    The data is what the chart shows, without the drawing coordinates of arc ends.
    """
    sub = filters.apply(eb, state)
    if sub.n_articles == 0:
        data, fig = pd.DataFrame(), empty_figure(EMPTY_MESSAGE)
    else:
        data, fig = VIEWS[view].build(sub, state)
        data = data.drop(columns=[c for c in DRAWING_COLUMNS if c in data.columns])
    if captioned:
        caption_figure(fig, caption_for(eb, sub, state, view))
    return data, fig
