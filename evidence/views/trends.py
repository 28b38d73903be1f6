"""How the evidence grew: articles per year, stacked by format or motivation group."""

from __future__ import annotations

from evidence import aggregate
from evidence.figures.trends import build_trends_figure
from evidence.views.base import Chart, View, custom, mark_selected, pct


def build(sub, state):
    # Every year of the articles counted (the year filter is the chart's own selection:
    # its years are highlighted, the others dimmed), and the years it selects.
    years = sub.articles["year"]
    span = (int(years.min()), int(years.max())) if len(years) else None
    if state.year and span:
        span = (min(span[0], state.year[0]), max(span[1], state.year[1]))
    trend = aggregate.trends(sub, stack=state.stack, year_range=span)
    totals = years.value_counts().to_dict()  # what a click on a year shows
    fig = build_trends_figure(trend, stack=state.stack, totals=totals, selected=state.year)
    inside = None if not state.year else trend["year"].between(*state.year)
    return mark_selected(trend, inside), fig


def takeaway(sub, state) -> str:
    years = sub.articles["year"]
    if years.empty:
        return "No articles."
    n, first, last = len(years), int(years.min()), int(years.max())
    recent = int((years >= last - 4).sum())
    span = f"in {first}" if first == last else f"from {first} to {last}"
    noun = "article" if n == 1 else "articles"
    return f"{n:,} {noun} {span}; {pct(recent / n)} appeared in the last five years."


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
           own=("year",), depends=("stack",), height=340, label="Articles per year",
           row_point=lambda r: ({"customdata": [r["year"]], "x": r["year"]},
                                f"the year {r['year']}")),),
)  # fmt: skip
