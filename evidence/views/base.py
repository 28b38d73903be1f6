"""What a view is: one card of charts, each chart with its data, figure, takeaway and
click rule. Every view module (``evidence/views/<name>.py``) declares one :class:`View`;
``evidence/views/__init__.py`` lists them.

A view is described as data, so that the dashboard (``components``) can draw its card,
wire its clicks and fill its text without per-view code, and the exports, embeds, deck
and benchmark loop over the same registry. Nothing here imports Dash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.fields import FIELD
from evidence.figures.selection import click_words  # noqa: F401  (the views' hover words)
from evidence.model import EvidenceBase
from evidence.state import FilterState

Build = Callable[[EvidenceBase, FilterState], tuple[pd.DataFrame, go.Figure]]
Takeaway = Callable[[EvidenceBase, FilterState], str]
# (state, one point of the chart's clickData or its selectedData) -> the new state. A
# click rule also takes ``add``: a Shift/Ctrl-click (or the "Add to selection" switch)
# adds the mark to the chart's selection instead of selecting it alone.
Rule = Callable[..., FilterState]
# The state a chart's marks are counted in: every filter but the chart's own selection.
Release = Callable[[FilterState], FilterState]


@dataclass(frozen=True)
class Chart:
    """One chart: its name (``/data/<name>.csv``, ``/export/<name>.png``, ``/embed/<name>``
    and, on the dashboard, the graph ``fig-<name>``), title, data and figure, one-line
    takeaway, and what a click (``click``) or a drag (``select``) on it does to the state.

    ``export`` (optional) builds the figure files carry instead of the screen's (a
    picture, a PDF, a slide), e.g. the flow map with its matrix beside it.

    ``depends`` names the switches, besides the filters and the income classification,
    that change the chart (it is redrawn only when one of them changes). ``height`` (px),
    ``width`` (of 12 columns on a wide screen) and ``label`` (what a screen reader hears)
    place it in its card. ``screen`` is how the dashboard draws it: "plotly" (a graph),
    "html" for a matrix or bar list, drawn as a table of buttons read off the same
    figure (evidence.figures.cells; a press applies ``click`` as a click on the mark
    would), or "filled" for a Plotly graph whose figure arrives with placeholders the
    browser fills in: an arc map's drawing, the world map's gap lines
    (evidence.figures.theme.drawn_in_browser). Files and embeds always get the whole
    Plotly figure.
    """

    name: str
    title: str
    build: Build
    takeaway: Takeaway
    click: Rule | None = None
    select: Rule | None = None
    export: Build | None = None
    depends: tuple[str, ...] = ()
    height: int = 400
    width: int = 12
    label: str = ""
    screen: str = "plotly"
    # A row of the chart's displayed data -> (the point a click on its mark sends, words
    # for the row): the data table's "Filter" button applies the click rule with it.
    row_point: Callable[[dict], tuple[dict, str]] | None = None
    # The filters a click on the chart writes (its own selection): the chart is counted
    # without them, so that it keeps every mark, the selected ones highlighted and the
    # others dimmed, and a second mark can be added ("filter everything except
    # yourself", as crossfilter does). ``release`` says it when the fields alone do not
    # (a part of a field, or a field only in one mode).
    own: tuple[str, ...] = ()
    release: Release | None = None
    # The figure alone, for the screen's click path (no data frame built); the same
    # figure as ``build``'s (default: ``build``'s).
    figure: Callable[[EvidenceBase, FilterState], object] | None = None
    # An HTML chart's pressed marks, quicker than a state per mark (optional): the keys
    # of ``keys`` whose press leaves ``state`` fewer filter values (``count`` counts them).
    presses: Callable[[FilterState, list, Callable], list] | None = None

    def figure_of(self, sub: EvidenceBase, state: FilterState):
        """The chart's figure for the articles ``sub`` (counted in ``counted_in(state)``)."""
        if self.figure is not None:
            return self.figure(sub, state)
        return self.build(sub, state)[1]

    def counted_in(self, state: FilterState) -> FilterState:
        """The state this chart's marks are counted in: ``state`` without the chart's
        own selection."""
        if self.release is not None:
            return self.release(state)
        return released(state, self.own)


@dataclass(frozen=True)
class View:
    """One card of the dashboard: a title, a subtitle saying what its marks do, and its
    charts. The first chart is the view's own: its exports, embed, summary sentence and
    data table carry the view's name. The switches in the card's header are the fields
    whose control sits ``where`` this view's name (evidence.fields)."""

    name: str
    title: str
    subtitle: str
    charts: tuple[Chart, ...]
    export: bool = True
    slides: tuple[str, ...] = ()  # charts with a slide in the deck (default: the main one)
    # The flow role ("mobility", "partnership") the view shows: a coding scheme without a
    # group for it (codebook flow_groups) has nothing to show there.
    needs: str = ""
    # The chart an embed of the view shows under its main one, as its files carry it
    # beside the main chart (Chart.export), and the taller iframe height (px) the embed
    # code then suggests (0: the default, components.export_menu.EMBED_HEIGHT).
    companion: str = ""
    embed_height: int = 0

    @property
    def main(self) -> Chart:
        return self.charts[0]

    @property
    def shown(self) -> bool:
        """False when the codebook in use has no group for what the view shows (the
        dashboard then hides its card; files still say why it is empty)."""
        from evidence.codebook import load_codebook

        return not self.needs or load_codebook().flow_group(self.needs) is not None


# --------------------------------------------------------------------------- schemes
def reworded(view: View, charts: dict[str, dict] | None = None, **changes) -> View:
    """``view`` with new words: ``changes`` to the view, ``charts[name]`` to a chart (an
    upload under its own scheme sees its views in that scheme's words)."""
    charts = charts or {}
    new = tuple(replace(c, **charts[c.name]) if c.name in charts else c for c in view.charts)
    return replace(view, charts=new, **changes)


def no_group_text(role: str) -> str:
    """Why a view is empty when the codebook in use declares no format group for ``role``
    ("mobility" or "partnership"; see ``flow_groups`` in the codebook)."""
    from evidence.codebook import load_codebook

    cb = load_codebook()
    what = {"mobility": "mobility flows", "partnership": "partnerships between countries"}[role]
    return (f"This coding scheme has no {what}: its codebook declares no "
            f"{cb.dim('format').noun} group for them (flow_groups: {role}).")  # fmt: skip


def needs_group(role: str, build: Build | None = None, *, takeaway: bool = False):
    """``build`` (or a takeaway) that gives a designed empty state, saying why, when the
    codebook in use declares no format group for ``role``; ``build`` itself otherwise."""
    from evidence.codebook import load_codebook
    from evidence.figures.theme import empty_figure

    def wrapped(sub, state):
        if load_codebook().flow_group(role) is None:
            text = no_group_text(role)
            if takeaway:
                return text
            hint = "Not a filter: the coding scheme has none to show"
            return pd.DataFrame(), empty_figure(text, hint=hint)
        return build(sub, state)

    wrapped.__name__ = getattr(build, "__name__", "build")
    wrapped.__doc__ = build.__doc__
    return wrapped


def needs_group_figure(role: str, figure: Callable[[EvidenceBase, FilterState], dict]):
    """:func:`needs_group` for a chart's figure alone (Chart.figure)."""
    wrapped = needs_group(role, lambda sub, state: (None, figure(sub, state)))
    return lambda sub, state: wrapped(sub, state)[1]


def group_label(role: str, default: str, *, lower: bool = False) -> str:
    """The label of the codebook's group for ``role`` ("Student mobility"), or ``default``
    when it has none."""
    from evidence.codebook import load_codebook

    cb = load_codebook()
    group = cb.flow_group(role)
    label = cb.groups[group].label if group else default
    return label.lower() if lower else label


# --------------------------------------------------------------------------- clicks
def toggle(values: tuple[str, ...], value: str, add: bool = True) -> tuple[str, ...]:
    """The selection after a click on the mark ``value``: a selected mark is removed
    (the others stay); another mark is selected alone, or with ``add`` (Shift/Ctrl-click,
    the "Add to selection" switch) added to the selection."""
    if value in values:
        return tuple(v for v in values if v != value)
    return (*values, value) if add else (value,)


def mark_selected(data: pd.DataFrame, picked) -> pd.DataFrame:
    """A chart's data with a ``selected`` column (True for the rows its selection holds)
    when it holds one (``picked``: a boolean array, or None for no selection): the data
    table and the files list every mark, as the chart shows them."""
    if picked is None or data is None or data.empty:
        return data
    return data.assign(selected=np.asarray(picked, dtype=bool))


def released(state: FilterState, keys: tuple[str, ...]) -> FilterState:
    """``state`` with the filters ``keys`` back at their defaults."""
    changes = {k: FIELD[k].default for k in keys if getattr(state, k) != FIELD[k].default}
    return replace(state, **changes) if changes else state


def pair_point(row: dict) -> tuple[dict, str]:
    """The point of an arc (origin, destination, articles) for a row of pairs."""
    point = {"customdata": [row["origin"], row["destination"], row["n_articles"]]}
    return point, f"{row['origin_name']} → {row['destination_name']}"


def first_point(click: dict | None) -> dict | None:
    """The first point of a clickData payload (None when there is none)."""
    points = click.get("points") if isinstance(click, dict) else None
    first = points[0] if isinstance(points, list) and points else None
    return first if isinstance(first, dict) else None


def custom(point: dict) -> list:
    """A point's customdata as a list."""
    data = point.get("customdata")
    if data is None:
        return []
    if isinstance(data, dict):  # a typed-array row arrives as {"0": a, "1": b}
        return [data[k] for k in sorted(data, key=lambda k: int(k) if k.isdigit() else -1)]
    return list(data) if isinstance(data, list | tuple) else [data]


def cell_key(point: dict) -> list[str]:
    """The click key of a heatmap cell. Dash drops a heatmap point's ``customdata`` (its
    point number is a [row, column] pair), so the matrices put the key in ``hovertext``
    ("H>L"; "social|mobility|all"), which reaches the server."""
    text = point.get("hovertext")
    return text.split("|") if isinstance(text, str) and text else []


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"
