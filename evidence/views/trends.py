"""How the evidence grew: articles per year, stacked by format or motivation group."""

from __future__ import annotations

import numpy as np

from evidence import aggregate
from evidence.aggregate._engine import source_of
from evidence.aggregate.trends import trend_table, year_span, year_totals
from evidence.codebook import load_codebook
from evidence.figures.trends import trends_figure
from evidence.views.base import Chart, View, custom, mark_selected


def build(sub, state):
    table = _table(sub, state)
    fig = figure(sub, state, table)
    trend = aggregate.trends(sub, stack=state.stack) if table is None else table.frame()
    inside = None if not state.year else trend["year"].between(*state.year)
    return mark_selected(trend, inside), fig


def _table(sub, state):
    """Every year of the articles counted (the year filter is the chart's own selection:
    its years are highlighted, the others dimmed), widened to the years it selects."""
    span = year_span(sub)
    if span is None:
        return None
    if state.year:
        span = (min(span[0], state.year[0]), max(span[1], state.year[1]))
    return trend_table(sub, stack=state.stack, year_range=span)


def figure(sub, state, table=None):
    """The chart's figure alone (no data frame): arrays in, figure dict out."""
    table = _table(sub, state) if table is None else table
    totals = None if table is None else year_totals(sub, table.years)
    return trends_figure(table, stack=state.stack, totals=totals, selected=state.year)


def takeaway(sub, state) -> str:
    """What changed: the articles of the first and the last years shown (five-year
    windows over a long span), and the group that grew or shrank most between them
    (from the engine's year array and the chart's trend table: no frame is built)."""
    src = source_of(sub)
    years = src.idx.years if src.mask is None else src.idx.years[src.mask]
    if not len(years):
        return "No articles."
    n, first, last = len(years), int(years.min()), int(years.max())
    noun = "article" if n == 1 else "articles"
    if first == last:
        return f"{n:,} {noun}, all in {first}."
    width = 5 if last - first >= 9 else 1
    early, late = (first, first + width - 1), (last - width + 1, last)
    a, b = (int(np.count_nonzero((years >= lo) & (years <= hi))) for lo, hi in (early, late))
    trend = "up" if b > a else "down" if b < a else "level"
    text = (f"{n:,} {noun} from {first} to {last}: {b} in {_years(late)}, {trend} from "
            f"{a} in {_years(early)}")  # fmt: skip
    return text + _largest_change(sub, state, early, late) + "."


def _years(window: tuple[int, int]) -> str:
    return str(window[0]) if window[0] == window[1] else f"{window[0]}-{window[1]}"


def _largest_change(sub, state, early, late) -> str:
    """ "; Student mobility grew most (+25)": the stacked group whose count changed most
    between the two windows (nothing when none changed). Groups are compared by their
    label, the first label in sorted order winning a tie."""
    table = trend_table(sub, stack=state.stack, year_range=state.year)
    if table is None or not table.groups:
        return ""

    def total(window) -> np.ndarray:
        inside = (table.years >= window[0]) & (table.years <= window[1])
        return table.counts[inside].sum(axis=0)

    per_group = total(late) - total(early)
    labels = sorted(set(table.labels))
    change = np.zeros(len(labels), dtype=np.int64)
    np.add.at(change, [labels.index(label) for label in table.labels], per_group)
    if not np.abs(change).max():
        return ""
    at = int(np.argmax(np.abs(change)))
    label, d = labels[at], int(change[at])
    # named as the legend names it ("Mobility")
    groups = load_codebook().groups
    code = table.groups[table.labels.index(label)]
    if code in groups:
        label = groups[code].short
    return f"; {label} {'grew' if d > 0 else 'fell'} most ({d:+d})"


def click(state, point, add: bool = False):
    """A bar: that year alone, or with ``add`` the years from the selected ones to it.
    A selected year is removed: the whole filter when it is the only year, the year at
    either end of a range; a year inside a range is selected alone."""
    data = custom(point)
    try:
        y = int(data[0] if data else point.get("x"))
    except (TypeError, ValueError):
        return state
    return state.with_values(year=year_after_click(state.year, y, add))


def year_after_click(years: tuple[int, int] | None, y: int, add: bool):
    """The year filter after a click on the bar of year ``y`` (see :func:`click`)."""
    if years is None:
        return (y, y)
    lo, hi = years
    if not lo <= y <= hi:
        return (min(lo, y), max(hi, y)) if add else (y, y)
    if lo == hi:
        return None
    if y == lo:
        return (lo + 1, hi)
    if y == hi:
        return (lo, hi - 1)
    return (y, y)


def select(state, selected):
    """A drag across years: that range."""
    xs = ((selected if isinstance(selected, dict) else {}).get("range") or {}).get("x")
    if not xs:
        return state
    try:
        lo, hi = round(min(xs)), round(max(xs))
    except (TypeError, ValueError):
        return state
    return state.with_values(year=(lo, hi))


VIEW = View(
    "trends",
    "How the evidence grew",
    "Drag across years, or click a bar, to set the year filter (Shift-click a bar to "
    "extend it).",
    (Chart("trends", "How the evidence grew", build, takeaway, click=click, select=select,
           own=("year",), depends=("stack",), height=340, label="Articles per year", figure=figure,
           row_point=lambda r: ({"customdata": [r["year"]], "x": r["year"]},
                                f"the year {r['year']}")),),
)  # fmt: skip
