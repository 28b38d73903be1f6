"""Institutional partnerships: coded formats next to the direction computed from the
lead and partner countries, and a map of lead -> partner arcs."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evidence.figures.flows import build_arc_figure
from evidence.figures.theme import (
    TEMPLATE,
    CaptionLike,
    caption_figure,
    direction_style,
    empty_figure,
    group_colour,
)

EMPTY = "No partnerships match these filters"


def build_partnerships_figure(
    summary: pd.DataFrame, direction_counts: pd.DataFrame, *, caption: CaptionLike = None
) -> go.Figure:
    """Two bar panels: articles per coded partnership format, and per direction class
    computed from the income groups of lead and partner countries.

    Args:
        summary: a :func:`evidence.aggregate.partnership_summary` frame.
        direction_counts: a :func:`evidence.aggregate.direction_counts` frame for
            partnerships.
        caption: optional title / subtitle / footer.

    Returns:
        A figure whose first trace holds the coded formats (``customdata`` = code) and
        whose second holds the computed classes (``customdata`` = direction).
    """
    total = int(summary["n_articles"].sum()) if summary is not None else 0
    total += int(direction_counts["n_articles"].sum()) if direction_counts is not None else 0
    if total == 0:
        return caption_figure(empty_figure(EMPTY), caption)
    coded = summary.iloc[::-1]  # codebook order top to bottom
    computed = direction_counts.iloc[::-1]
    styles = [direction_style(d) for d in computed["direction"]]
    bar = {
        "type": "bar",
        "orientation": "h",
        "textposition": "outside",
        "cliponaxis": False,
        "showlegend": False,
    }
    traces = [
        {
            **bar,
            "x": coded["n_articles"].to_numpy(),
            "y": coded["label"].to_numpy(),
            "text": coded["n_articles"].to_numpy(),
            "marker": {"color": group_colour("partnership")},
            "customdata": coded["code"].to_numpy(),
            "hovertemplate": "%{y}: %{x:,} articles<extra>coded</extra>",
            "name": "Coded format",
        },
        {
            **bar,
            "x": computed["n_articles"].to_numpy(),
            "y": computed["label"].to_numpy(),
            "text": computed["n_articles"].to_numpy(),
            "marker": {
                "color": [s["colour"] for s in styles],
                "pattern": {"shape": [_pattern(s["dash"]) for s in styles], "solidity": 0.25},
            },
            "customdata": computed["direction"].to_numpy(),
            "hovertemplate": "%{y}: %{x:,} articles<extra>computed</extra>",
            "name": "Computed direction",
            "xaxis": "x2",
            "yaxis": "y2",
        },
    ]
    # Two stacked panels (no make_subplots: it costs several ms per call).
    top, bottom = [0.58, 1.0], [0.0, 0.4]
    xmax = max(int(coded["n_articles"].max()), int(computed["n_articles"].max()), 1) * 1.15
    axis_x = {"rangemode": "tozero", "showgrid": True, "range": [0, xmax]}
    panel_title = {
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "xanchor": "left",
        "yanchor": "bottom",
        "yshift": 4,
        "showarrow": False,
        "font": {"size": 14},
    }
    layout = {
        "template": TEMPLATE,
        "xaxis": {**axis_x, "anchor": "y"},
        "yaxis": {"domain": top, "anchor": "x", "showgrid": False},
        "xaxis2": {**axis_x, "anchor": "y2", "title": {"text": "Articles"}},
        "yaxis2": {"domain": bottom, "anchor": "x2", "showgrid": False},
        "annotations": [
            {**panel_title, "text": "Coded partnership format", "y": top[1]},
            {**panel_title, "text": "Direction from lead and partner countries", "y": bottom[1]},
        ],
        "bargap": 0.3,
        "margin": {"l": 10, "r": 30, "t": 30, "b": 10},
    }
    fig = go.Figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)


def _pattern(dash: str) -> str:
    """Bar fill pattern echoing the line dash of a direction class (shape, not only colour)."""
    return {"solid": "", "dash": "/", "dot": ".", "dashdot": "x", "longdash": "-"}.get(dash, "")


def build_partner_map_figure(pairs: pd.DataFrame, *, caption: CaptionLike = None) -> go.Figure:
    """Arcs from lead to partner country, styled like mobility flows.

    Args:
        pairs: a :func:`evidence.aggregate.partner_pairs` frame.
        caption: optional title / subtitle / footer.
    """
    return build_arc_figure(pairs, caption=caption, noun="lead → partner", empty=EMPTY)
