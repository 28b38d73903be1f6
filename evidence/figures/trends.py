"""Articles per publication year, stacked by format or motivation group."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.aggregate.trends import TrendTable
from evidence.codebook import load_codebook
from evidence.figures.selection import DIMMED
from evidence.figures.theme import (
    FAINT,
    MUTED,
    TEMPLATE,
    CaptionLike,
    caption_figure,
    count_step,
    empty_figure,
    group_colour,
    new_figure,
)

UNCODED = "uncoded"


def _click_words(years: np.ndarray, totals: np.ndarray, selected) -> np.ndarray:
    """Per bar, what a click on it does: "Click to select: all 35 articles of 2012 ·
    Shift-click to add", or for a selected year what is left (see
    evidence.views.trends.year_after_click)."""
    out = []
    for y, n in zip(years, totals, strict=True):
        y = int(y)
        noun = "article" if n == 1 else "articles"
        if selected is None or not selected[0] <= y <= selected[1]:
            extend = "add" if selected is None else f"extend the years to {y}"
            out.append(f"Click to select: all {n:,} {noun} of {y} · Shift-click to {extend}")
        elif selected[0] == selected[1]:
            out.append("Selected · click to remove (all years again)")
        elif y in selected:
            out.append(f"Selected · click to remove {y} from the years")
        else:
            out.append(f"Selected · click to select only {y} ({n:,} {noun})")
    return np.array(out, dtype=object)


def build_trends_figure(
    trend: pd.DataFrame,
    *,
    stack: str = "format",
    caption: CaptionLike = None,
    totals: Mapping[int, int] | None = None,
    selected: tuple[int, int] | None = None,
) -> go.Figure:
    """Stacked bars per year, one trace per group in codebook order.

    A click on a bar gives the dashboard that year, a box selection along x a year range
    (``dragmode="select"``; ``clickmode="event"``, so that a click is not also sent as a
    selection). An article coded with two groups adds to both bars of its year, so a
    stack can be taller than the number of articles that year.

    Args:
        trend: an :func:`evidence.aggregate.trends` frame.
        stack: "format" or "motivation", used for the legend title.
        caption: optional title / subtitle / footer.
        totals: articles per year; when given, hover names the year's total, which a
            click filters to.
        selected: the years of the year filter (the chart's own selection): their bars
            are drawn in full, the others dimmed, and hover says what a click does.

    Returns:
        One ``go.Bar`` per group (``customdata`` = year, or ``[year, articles that
        year]`` with ``totals``; ``meta`` = group name).
    """
    if trend is None or trend.empty or int(trend["n_articles"].sum()) == 0:
        return caption_figure(empty_figure(), caption)
    groups = tuple(pd.unique(trend["group"]))
    labels = tuple(trend.groupby("group", sort=False)["label"].first()[list(groups)])
    years = np.sort(pd.unique(trend["year"])).astype(np.int64)
    counts = (
        trend.pivot_table(index="year", columns="group", values="n_articles", aggfunc="sum")
        .reindex(index=years, columns=list(groups))
        .fillna(0)
        .to_numpy(dtype=np.int64)
    )
    table = TrendTable(years, groups, labels, counts)
    all_n = None if totals is None else np.array([int(totals.get(int(y), 0)) for y in years])
    return trends_figure(table, stack=stack, caption=caption, totals=all_n, selected=selected)


def trends_figure(
    table: TrendTable | None,
    *,
    stack: str = "format",
    caption: CaptionLike = None,
    totals: np.ndarray | None = None,
    selected: tuple[int, int] | None = None,
) -> go.Figure:
    """:func:`build_trends_figure` from the chart's arrays (evidence.aggregate.trend_table;
    ``totals``: articles per year of ``table.years``), with no frame on the way: the
    traces' fixed words come from a skeleton made once per scheme and stack."""
    if table is None or table.counts.size == 0 or int(table.counts.sum()) == 0:
        return caption_figure(empty_figure(), caption)
    years = table.years
    words = None if totals is None else _click_words(years, totals, selected)
    opacity = (
        1.0
        if selected is None
        else np.where((years >= selected[0]) & (years <= selected[1]), 1.0, DIMMED)
    )
    traces = []
    for g, head in enumerate(_trace_heads(load_codebook().path, stack, table.groups, table.labels)):
        custom, click = years.copy(), ""
        if totals is not None:
            # Object rows: plain JSON lists, never a typed array (whose rows would reach
            # the server as {"0": year, "1": n}).
            custom = np.stack([years, totals, words], axis=-1).astype(object)
            click = "<br><i>%{customdata[2]}</i>"
        traces.append(
            {
                "type": "bar",
                "x": years.copy(),
                "y": np.ascontiguousarray(table.counts[:, g]),
                "name": head["name"],
                "marker": {
                    "color": head["color"],
                    "line": {"width": 0},
                    "opacity": opacity if selected is None else opacity.copy(),
                },
                "customdata": custom,
                "hovertemplate": head["hover"] + click + "<extra></extra>",
                "meta": head["meta"],
            }
        )
    return _trends_layout(traces, table, stack, caption)


@functools.lru_cache(maxsize=64)
def _trace_heads(_codebook: str, stack: str, groups: tuple, labels: tuple) -> tuple[dict, ...]:
    """Per group, what its trace says whatever the numbers: legend name, colour, hover
    (without the click words) and meta (the skeleton, one per scheme and stack)."""
    cb = load_codebook()
    word = cb.dim("motivation" if stack == "motivation" else "format").noun
    out = []
    for group, label in zip(groups, labels, strict=True):
        note = "" if group == UNCODED else f"<br><i>An article with two {word}s is in both bars</i>"
        out.append(
            {
                # Short legend names, wrapped: a wrapping key lays its entries out on a
                # grid as wide as the longest one, so "Social transformation" on one
                # line would leave a phone with one entry per row. Hover has the full label.
                "name": "<br>".join(
                    textwrap.wrap(cb.groups[group].short if group in cb.groups else label, 14)
                ),
                "color": FAINT if group == UNCODED else group_colour(group),
                "hover": f"<b>%{{x}}</b> · {label}<br>%{{y:,}} articles{note}",
                "meta": group,
            }
        )
    return tuple(out)


def _trends_layout(traces: list, table: TrendTable, stack: str, caption: CaptionLike):
    """The figure of the trends traces: stacked bars, the legend above, whole-article
    ticks."""
    dim = load_codebook().dim("motivation" if stack == "motivation" else "format")
    word = dim.noun
    lo, hi = int(table.years.min()), int(table.years.max())
    layout = {
        "template": TEMPLATE,
        "barmode": "stack",
        "bargap": 0.15,
        "dragmode": "select",
        "selectdirection": "h",
        "hovermode": "closest",
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": 1,
            "xanchor": "left",
            "yanchor": "bottom",
            "title": {
                "text": dim.label,
                "side": "left",
                "font": {"size": 12, "color": MUTED},
            },
            "traceorder": "normal",
        },
        "xaxis": {
            "title": {"text": "Year of publication", "font": {"size": 12}},
            "range": [lo - 0.5, hi + 0.5],
            "dtick": 1 if hi - lo <= 12 else 5,
            "showgrid": False,
            "fixedrange": True,
        },
        "yaxis": {
            "title": {"text": f"Articles per {word}", "font": {"size": 12}},
            "rangemode": "tozero",
            # whole articles only: never a 0.5 tick
            "tick0": 0,
            "dtick": count_step(table.counts.sum(axis=1).max()),
            "tickformat": ",d",
            "fixedrange": True,
        },
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "clickmode": "event",
        "meta": {"stack": stack},
    }
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)
