"""Institutional partnerships: coded formats next to the direction computed from the
lead and partner countries, and a map of lead -> partner arcs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.codebook import load_codebook
from evidence.figures.flows import build_arc_figure
from evidence.figures.selection import DIMMED, selection_meta
from evidence.figures.theme import (
    GRID,
    INK,
    MUTED,
    TEMPLATE,
    CaptionLike,
    caption_figure,
    direction_style,
    empty_figure,
    group_colour,
    new_figure,
)

EMPTY = "No partnerships match these filters"


BAR_WIDTH = 0.44  # bar thickness in category units; the label sits in the rest
BAR_OFFSET = 0.0  # bar starts at its category centre, label above it


def _coded_colour() -> str:
    """The colour of the codebook's partnership group (the coded bars)."""
    group = load_codebook().flow_group("partnership")
    return group_colour(group) if group else MUTED


def _shown(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows to draw: every real category, zeros included (a gap is a finding), but not an
    "unspecified" / "unclassified" row without any article."""
    keys = frame[key].astype(str).tolist()
    catch_all = np.array([k.endswith(".unspecified") or k == "unclassified" for k in keys],
                         dtype=bool)  # fmt: skip
    drop = catch_all & (frame["n_articles"].to_numpy() == 0)
    return frame[~drop]


def _y_range(n: int) -> list[float]:
    """Reversed category range (first bar on top) that leaves the same room above every
    bar for its label, the first included."""
    room = 1 - BAR_WIDTH
    return [n - 1 + BAR_OFFSET + BAR_WIDTH + 0.08, BAR_OFFSET - room]


def _bar_labels(labels: list[str], suffix: str) -> list[dict]:
    """One annotation per bar of axes ``x{suffix}`` / ``y{suffix}``, left-aligned above
    the bar: labels never compete with the bars for width, so they stay whole on a phone."""
    return [
        {
            "text": text,
            "xref": f"x{suffix}",
            "yref": f"y{suffix}",
            "x": 0,
            "y": i + BAR_OFFSET,
            "xanchor": "left",
            "yanchor": "bottom",
            "yshift": 1,
            "showarrow": False,
            "font": {"size": 12, "color": INK},
        }
        for i, text in enumerate(labels)
    ]


def _dimmed(keys, selected: set[str] | None):
    """Per bar, its opacity: 1, or with a selection dimmed unless selected."""
    if selected is None:
        return 1.0
    return np.where(pd.Series(keys, dtype=object).isin(selected).to_numpy(), 1.0, DIMMED)


def build_partnerships_figure(
    summary: pd.DataFrame,
    direction_counts: pd.DataFrame,
    *,
    caption: CaptionLike = None,
    selected: set[str] | None = None,
) -> go.Figure:
    """Two bar panels: articles per coded partnership format, and per direction class
    computed from the income groups of lead and partner countries.

    Each bar is labelled above it (for directions: "HIC → LMIC (North to South)"), so the
    direction is named in words and not told by colour alone. "Unspecified" and
    "unclassified" rows are left out when they hold no article.

    Args:
        summary: a :func:`evidence.aggregate.partnership_summary` frame.
        direction_counts: a :func:`evidence.aggregate.direction_counts` frame for
            partnerships.
        caption: optional title / subtitle / footer.
        selected: the bars of the chart's selection (codes and direction classes; None:
            none), the others dimmed (``layout.meta`` names them for the HTML list).

    Returns:
        A figure whose first trace holds the coded formats (``customdata`` = code) and
        whose second holds the computed classes (``customdata`` = direction); ``y`` holds
        the labels, and the bar label annotations follow in the same order.
    """
    total = int(summary["n_articles"].sum()) if summary is not None else 0
    total += int(direction_counts["n_articles"].sum()) if direction_counts is not None else 0
    if total == 0:
        return caption_figure(empty_figure(EMPTY), caption)
    coded = _shown(summary, "code")
    computed = _shown(direction_counts, "direction")
    styles = [direction_style(d) for d in computed["direction"]]
    long = load_codebook().directions
    noun = load_codebook().dim("format").noun
    direction_text = [
        f"{s['label']} <span style='color:{MUTED}'>({long[d]['long']})</span>"
        if d in long and long[d].get("long")
        else s["label"]
        for d, s in zip(computed["direction"], styles, strict=True)
    ]
    bar = {
        "type": "bar",
        "orientation": "h",
        "width": BAR_WIDTH,
        "offset": BAR_OFFSET,
        "textposition": "outside",
        "textfont": {"size": 12, "color": INK},
        "cliponaxis": False,
        "showlegend": False,
    }
    traces = [
        {
            **bar,
            "x": coded["n_articles"].to_numpy(),
            "y": coded["label"].to_numpy(),
            "text": coded["n_articles"].map("{:,}".format).to_numpy(),
            "marker": {
                "color": _coded_colour(),
                "line": {"width": 0},
                "opacity": _dimmed(coded["code"], selected),
            },
            "customdata": coded["code"].to_numpy(),
            "hovertemplate": f"%{{y}}: %{{x:,}} articles<extra>coded {noun}</extra>",
            "name": f"Coded {noun}",
        },
        {
            **bar,
            "x": computed["n_articles"].to_numpy(),
            "y": computed["label"].to_numpy(),
            "text": computed["n_articles"].map("{:,}".format).to_numpy(),
            "marker": {
                "color": [s["colour"] for s in styles],
                "line": {"width": 0},
                "opacity": _dimmed(computed["direction"], selected),
            },
            "customdata": computed["direction"].to_numpy(),
            "hovertemplate": "%{y}: %{x:,} articles<extra>lead → partner</extra>",
            "name": "Lead → partner direction",
            "xaxis": "x2",
            "yaxis": "y2",
        },
    ]
    # Two stacked panels (no make_subplots: it costs several ms per call), each as tall
    # as its number of bars.
    n_top, n_bottom = max(len(coded), 1), max(len(computed), 1)
    gap = 0.13
    split = (1 - gap) * n_bottom / (n_top + n_bottom)
    top, bottom = [split + gap, 1.0], [0.0, split]
    xmax = max(int(coded["n_articles"].max()), int(computed["n_articles"].max()), 1) * 1.12
    axis_x = {"range": [0, xmax], "visible": False, "fixedrange": True}
    axis_y = {
        "type": "category",
        "showticklabels": False,
        "showgrid": False,
        "showline": True,
        "linecolor": GRID,
        "fixedrange": True,
    }
    panel_title = {
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "xanchor": "left",
        "yanchor": "bottom",
        "yshift": 4,
        "showarrow": False,
        "font": {"size": 13, "color": MUTED},
    }
    layout = {
        "template": TEMPLATE,
        "xaxis": {**axis_x, "anchor": "y"},
        "yaxis": {**axis_y, "domain": top, "anchor": "x", "range": _y_range(n_top)},
        "xaxis2": {**axis_x, "anchor": "y2"},
        "yaxis2": {**axis_y, "domain": bottom, "anchor": "x2", "range": _y_range(n_bottom)},
        "annotations": [
            {**panel_title, "text": f"<b>Coded partnership {noun}</b>", "y": top[1]},
            {
                **panel_title,
                "text": "<b>Direction: lead → partner income group</b>",
                "y": bottom[1],
            },
            *_bar_labels(list(coded["label"]), ""),
            *_bar_labels(direction_text, "2"),
        ],
        "hovermode": "closest",
        "margin": {"l": 10, "r": 10, "t": 34, "b": 4},
    }
    if selected is not None:
        layout["meta"] = selection_meta(selected)
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)


def build_partner_map_figure(
    pairs: pd.DataFrame, *, caption: CaptionLike = None, **options
) -> go.Figure:
    """Arcs from lead to partner country, styled like mobility flows (a consortium draws
    its lead to each partner, never every pair among the partners).

    Args:
        pairs: a :func:`evidence.aggregate.partner_pairs` frame.
        caption: optional title / subtitle / footer.
        options: ``top``, ``focus``, ``edges`` of
            :func:`evidence.figures.flows.build_arc_figure`.
    """
    return build_arc_figure(pairs, caption=caption, noun="lead → partner", empty=EMPTY,
                            **options)  # fmt: skip
