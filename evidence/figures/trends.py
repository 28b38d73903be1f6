"""Articles per publication year, stacked by format or motivation group."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evidence.figures.theme import (
    FAINT,
    TEMPLATE,
    CaptionLike,
    caption_figure,
    empty_figure,
    group_colour,
)

UNCODED = "uncoded"


def build_trends_figure(
    trend: pd.DataFrame, *, stack: str = "format", caption: CaptionLike = None
) -> go.Figure:
    """Stacked bars per year, one trace per group in codebook order.

    A box selection along x gives the dashboard a year range (``dragmode="select"``).
    An article coded with two groups adds to both bars of its year, so a stack can be
    taller than the number of articles that year.

    Args:
        trend: an :func:`evidence.aggregate.trends` frame.
        stack: "format" or "motivation", used for the legend title.
        caption: optional title / subtitle / footer.

    Returns:
        One ``go.Bar`` per group (``customdata`` = year, ``meta`` = group name).
    """
    if trend is None or trend.empty or int(trend["n_articles"].sum()) == 0:
        return caption_figure(empty_figure(), caption)
    traces = []
    for group, part in trend.groupby("group", sort=False):
        label = part["label"].iloc[0]
        traces.append(
            {
                "type": "bar",
                "x": part["year"].to_numpy(),
                "y": part["n_articles"].to_numpy(),
                "name": label,
                "marker": {
                    "color": FAINT if group == UNCODED else group_colour(group),
                    "line": {"width": 0},
                },
                "customdata": part["year"].to_numpy(),
                "hovertemplate": f"%{{x}} · {label}: %{{y:,}} articles<extra></extra>",
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
            "y": 1.02,
            "xanchor": "left",
            "yanchor": "bottom",
            "title": {"text": "Motivation" if stack == "motivation" else "Format"},
            "traceorder": "normal",
        },
        "xaxis": {
            "title": {"text": "Publication year"},
            "range": [lo - 0.5, hi + 0.5],
            "dtick": 1 if hi - lo <= 12 else 5,
            "showgrid": False,
            "fixedrange": True,
        },
        "yaxis": {
            "title": {"text": "Articles (once per group)"},
            "rangemode": "tozero",
            "fixedrange": True,
        },
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "clickmode": "event+select",
        "meta": {"stack": stack},
    }
    fig = go.Figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)
