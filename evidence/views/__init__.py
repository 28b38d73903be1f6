"""The views of the evidence map, and what turns (evidence, state) into their charts.

**The registry.** Each view lives in one module of this package, which declares its
card (title, subtitle, charts), each chart's data and figure, takeaway sentence and
click rule (:mod:`evidence.views.base`). :data:`REGISTRY` lists them in page order: the
dashboard's cards, graphs, click wiring and text, the render callback, the exports, the
embeds, the deck and the benchmark all loop over it. Adding a view is one module plus
one line below.

The dashboard, the exports, the embed pages and the slide deck all call these, so the
chart on screen and the chart in a file are built by the same code from the same state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from evidence import filters
from evidence.codebook import load_codebook
from evidence.countries import LATEST_FY
from evidence.fields import (  # noqa: F401
    FIELD,
    FIELDS,
    filter_role_country,
    role_word,
    value_label,
)
from evidence.figures.theme import Caption, caption_figure, empty_figure, footer_text
from evidence.model import EvidenceBase
from evidence.per_scheme import SchemeMapping, SchemeTuple
from evidence.state import FilterState
from evidence.views import alignment, flows, gapmap, partnerships, trends
from evidence.views import map as world_map
from evidence.views.base import Chart, View, first_point
from evidence.views.flows import flows_evidence  # noqa: F401
from evidence.views.map import income_history  # noqa: F401

REGISTRY: tuple[View, ...] = (
    world_map.VIEW,
    flows.VIEW,
    partnerships.VIEW,
    alignment.VIEW,
    gapmap.VIEW,
    trends.VIEW,
)
# An upload read under its own scheme sees these in its words (evidence.per_scheme).
_IN_SCHEME = {"flows": flows.in_scheme, "partnerships": partnerships.in_scheme,
              "alignment": alignment.in_scheme, "gapmap": gapmap.in_scheme}  # fmt: skip


def _in_scheme(views: tuple[View, ...]) -> tuple[View, ...]:
    return tuple(_IN_SCHEME[v.name](v) if v.name in _IN_SCHEME else v for v in views)


REGISTRY = SchemeTuple(REGISTRY, _in_scheme)  # type: ignore[assignment]
# Every chart by name (a view's first chart has the view's name).
VIEWS: Mapping[str, Chart] = SchemeMapping(
    {c.name: c for v in REGISTRY for c in v.charts},
    lambda _: {c.name: c for v in REGISTRY for c in v.charts},
)


# The charts of the slide deck, in page order.
def embed_companion_of(view: str) -> str:
    """The chart an embed of ``view`` shows under it ("" for none; View.companion)."""
    return next((v.companion for v in REGISTRY if v.main.name == view), "")


def embed_height_of(view: str) -> int:
    """The iframe height (px) a view's declaration asks of its embed (0: the default)."""
    return next((v.embed_height for v in REGISTRY if v.main.name == view), 0)


def _slides(views) -> tuple[str, ...]:
    """The exported charts of ``views``: each view's slides, or its main chart."""
    return tuple(name for v in views if v.export for name in (v.slides or (v.main.name,)))


EXPORT_VIEWS: tuple[str, ...] = _slides(REGISTRY)


def slide_charts() -> tuple[str, ...]:
    """The deck's charts for the coding scheme in use: a view it has nothing for
    (View.shown) gets no slide."""
    return _slides(v for v in REGISTRY if v.shown)


CLICKABLE: tuple[str, ...] = tuple(name for name, c in VIEWS.items() if c.click)
SELECTABLE: tuple[str, ...] = tuple(name for name, c in VIEWS.items() if c.select)
# Charts the dashboard draws as HTML tables of buttons, and those it draws with Plotly.
HTML_CHARTS: tuple[str, ...] = tuple(name for name, c in VIEWS.items() if c.screen == "html")
PLOT_CHARTS: tuple[str, ...] = tuple(name for name in VIEWS if name not in HTML_CHARTS)
# Plotly charts whose figure arrives with placeholders the browser fills in as it hands
# the figure to Plotly (assets/figures.js): arc maps sent as pairs, the world map
# without its gap lines.
FILLED_CHARTS: tuple[str, ...] = tuple(name for name, c in VIEWS.items() if c.screen == "filled")

# What every chart depends on besides the filters: the income classification.
ALWAYS_DEPENDS = ("income",)
EMPTY_MESSAGE = "No articles match these filters"
DRAWING_COLUMNS = ("lon0", "lat0", "lon1", "lat1")  # arc ends: drawing aids, not data


def coding_credit() -> str:
    """Whose coding scheme a caption credits: the IoME review's, or the codebook's own."""
    cb = load_codebook()
    if cb.is_default:
        return f"coding after Wu et al. 2022, Med Sci Educ, doi:{cb.doi}"
    return "coding: " + "; ".join(x for x in (cb.name, cb.doi and f"doi:{cb.doi}") if x)


def after_click(
    state: FilterState, chart: str, click: dict | None, *, add: bool = False
) -> FilterState:
    """The state after a click on a mark of ``chart`` (a country, an arc, a matrix cell,
    a bar): the mark alone is selected, or with ``add`` (Shift/Ctrl-click, the "Add to
    selection" switch) added to the chart's selection; a selected mark is removed.
    ``click`` is the ``clickData`` the browser sends (recorded examples:
    tests/fixtures/clicks)."""
    point = first_point(click)
    rule = VIEWS[chart].click if chart in VIEWS else None
    return rule(state, point, add=bool(add)) if point is not None and rule is not None else state


def after_press(
    state: FilterState, chart: str, key: str | None, *, add: bool = False
) -> FilterState:
    """The state after pressing a cell or bar of an HTML chart (``screen="html"``). Its
    key is the one the Plotly mark carries (a matrix cell's hovertext, a bar's
    customdata), so the chart's own click rule applies unchanged."""
    rule = VIEWS[chart].click if chart in HTML_CHARTS else None
    if rule is None or not isinstance(key, str) or not key:
        return state
    return rule(state, {"hovertext": key, "customdata": [key]}, add=bool(add))


def after_select(state: FilterState, chart: str, selected: dict | None) -> FilterState:
    """The state after a drag across ``chart`` (the years of the trends chart)."""
    rule = VIEWS[chart].select if chart in VIEWS else None
    return rule(state, selected) if isinstance(selected, dict) and rule else state


def describe_filters(state: FilterState) -> str:
    """The active filters in words, e.g. 'Outbound mobility, 2010-2020, origin income: High'.

    Countries and regions are named with the role they match ("setting country: Kenya",
    "country (any role): Kenya").
    """
    country = filter_role_country(state.country_role)  # the one role of both
    active = state.filter_fields()
    parts = []
    for field in sorted((FIELD[k] for k in active), key=lambda f: f.caption_rank):
        prefix = field.caption
        if field.role_matched:
            prefix = country.replace("country", field.caption)
        words = field.words(active[field.key])
        parts.append(f"{prefix}: {words}" if prefix else words)
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


def switch_words(eb: EvidenceBase, field, value) -> str:
    """A switch's setting as a subtitle states it: "focus: Kenya", "All pairs", or, for a
    switch without caption words, its control's label and option as the page shows them
    ("Country role: Setting", "Matrix values: Row shares")."""
    if field.caption is not None:
        return (f"{field.caption}: " if field.caption else "") + field.words(value)
    spec = field.control
    options = {o.value: o.label.strip() for o in spec.options(eb)} if spec and spec.options else {}
    return f"{spec.label if spec else field.label}: {options.get(value, field.words(value))}"


def caption_for(eb: EvidenceBase, sub: EvidenceBase, state: FilterState, view: str) -> Caption:
    """Title, filter subtitle and footer (N, source and version, classification, synthetic)."""
    subtitle = describe_filters(state)  # the mobility kind too: it filters the articles
    # and the switches this chart follows that change what it shows ("focus: Kenya")
    # (a switch that is also a filter, the focus, is named once, with the filters)
    extra = [switch_words(eb, FIELD[k], getattr(state, k)) for k in VIEWS[view].depends
             if not FIELD[k].is_filter and getattr(state, k) != FIELD[k].default]  # fmt: skip
    if extra:
        subtitle = ", ".join([subtitle, *extra])
    name = source_name(eb.source)
    source = (
        f"{name} (version {eb.version or '-'}, exported {date.today().isoformat()}); "
        f"{coding_credit()}<br>Income groups: {classification_text(state)}, "
        "World Bank (CC BY 4.0)"
    )
    footer = footer_text(n_articles=sub.n_articles, source=source, synthetic=eb.synthetic)
    return Caption(VIEWS[view].title, subtitle, footer)


def view_figure(
    eb: EvidenceBase, state: FilterState, view: str, *, captioned: bool = False
) -> tuple[pd.DataFrame, go.Figure]:
    """The displayed data and figure of one chart for the whole evidence base and a state.

    The data is what the chart shows, without the drawing coordinates of arc ends: its
    marks are counted without the chart's own selection (Chart.own), which they show
    highlighted, the other marks dimmed, as the dashboard does. A ``captioned`` figure
    is one for a file: titled, and drawn by the chart's export hook when it has one.
    """
    sub = filters.apply(eb, state)
    chart = VIEWS[view]
    # Counted without the chart's own selection: its other marks stay, dimmed.
    marks = filters.apply(eb, chart.counted_in(state))
    if marks.n_articles == 0:
        data, fig = pd.DataFrame(), empty_figure(EMPTY_MESSAGE)
    else:
        build = chart.export if captioned and chart.export else chart.build
        data, fig = build(marks, state)
        data = data.drop(columns=[c for c in DRAWING_COLUMNS if c in data.columns])
    if captioned:
        caption_figure(fig, caption_for(eb, sub, state, view))
    return data, fig
