"""How the evidence grew: articles per year, stacked by format or motivation group."""

from __future__ import annotations

from evidence import aggregate
from evidence.figures.trends import build_trends_figure
from evidence.views.base import Chart, View, custom, pct


def build(sub, state):
    trend = aggregate.trends(sub, stack=state.stack, year_range=state.year)
    totals = sub.articles["year"].value_counts().to_dict()  # what a click on a year shows
    return trend, build_trends_figure(trend, stack=state.stack, totals=totals)


def takeaway(sub, state) -> str:
    years = sub.articles["year"]
    if years.empty:
        return "No articles."
    n, first, last = len(years), int(years.min()), int(years.max())
    recent = int((years >= last - 4).sum())
    span = f"in {first}" if first == last else f"from {first} to {last}"
    noun = "article" if n == 1 else "articles"
    return f"{n:,} {noun} {span}; {pct(recent / n)} appeared in the last five years."


def click(state, point):
    """A bar: that year; the same year again removes the year filter."""
    data = custom(point)
    try:
        y = int(data[0] if data else point.get("x"))
    except (TypeError, ValueError):
        return state
    return state.with_values(year=None if state.year == (y, y) else (y, y))


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
    "Drag across years, or click a bar, to set the year filter.",
    (Chart("trends", "How the evidence grew", build, takeaway, click=click, select=select,
           depends=("stack",), height=340, label="Articles per year",
           row_point=lambda r: ({"customdata": [r["year"]], "x": r["year"]},
                                f"the year {r['year']}")),),
)  # fmt: skip
