"""Articles per publication year, stacked by format or motivation group."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

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
    cb = load_codebook()
    groups = cb.groups
    dim = cb.dim("motivation" if stack == "motivation" else "format")
    word = dim.noun
    traces = []
    for group, part in trend.groupby("group", sort=False):
        label = part["label"].iloc[0]
        note = "" if group == UNCODED else f"<br><i>An article with two {word}s is in both bars</i>"
        years = part["year"].to_numpy()
        custom, click = years, ""
        if totals is not None:
            all_n = np.array([int(totals.get(int(y), 0)) for y in years])
            # Object rows: plain JSON lists, never a typed array (whose rows would reach
            # the server as {"0": year, "1": n}).
            custom = np.stack([years, all_n, _click_words(years, all_n, selected)],
                              axis=-1).astype(object)  # fmt: skip
            click = "<br><i>%{customdata[2]}</i>"
        inside = (
            np.ones(len(years), dtype=bool)
            if selected is None
            else (years >= selected[0]) & (years <= selected[1])
        )
        traces.append(
            {
                "type": "bar",
                "x": part["year"].to_numpy(),
                "y": part["n_articles"].to_numpy(),
                # Short legend names, wrapped: a wrapping key lays its entries out on a
                # grid as wide as the longest one, so "Social transformation" on one
                # line would leave a phone with one entry per row. Hover has the full label.
                "name": "<br>".join(
                    textwrap.wrap(groups[group].short if group in groups else label, 14)
                ),
                "marker": {
                    "color": FAINT if group == UNCODED else group_colour(group),
                    "line": {"width": 0},
                    "opacity": 1.0 if selected is None else np.where(inside, 1.0, DIMMED),
                },
                "customdata": custom,
                "hovertemplate": f"<b>%{{x}}</b> · {label}<br>%{{y:,}} articles{note}{click}"
                + "<extra></extra>",
                "meta": group,
            }
        )
    lo, hi = int(trend["year"].min()), int(trend["year"].max())
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
            "dtick": count_step(trend.groupby("year")["n_articles"].sum().max()),
            "tickformat": ",d",
            "fixedrange": True,
        },
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "clickmode": "event",
        "meta": {"stack": stack},
    }
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)
