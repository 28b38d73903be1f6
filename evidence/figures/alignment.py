"""Motivation x format alignment matrix: counts per cell, background and symbol by the
rubric status (aligned / tension / misaligned / not assessed)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.codebook import load_codebook
from evidence.figures.theme import (
    NO_DATA,
    TEMPLATE,
    CaptionLike,
    caption_figure,
    empty_figure,
    side_by_side,
    status_colour,
    tint,
)
from evidence.rubric import STATUSES

STATUS_ORDER = list(STATUSES)  # aligned, tension, misaligned, not_assessed
MODES = ("counts", "row_share", "by_income")


def status_fill(status: str) -> str:
    """Light cell background of a status, so black counts stay readable on it."""
    return NO_DATA if status == "not_assessed" else tint(status_colour(status), 0.42)


def _colorscale() -> list[list]:
    """Discrete scale: status index i (0-3) fills the band [i/4, (i+1)/4]."""
    k = len(STATUS_ORDER)
    scale = []
    for i, s in enumerate(STATUS_ORDER):
        scale += [[i / k, status_fill(s)], [(i + 1) / k, status_fill(s)]]
    return scale


def _short(key: str, width: int = 16) -> str:
    """Tick label: a group's short name, or a code's label wrapped onto lines of ``width``."""
    cb = load_codebook()
    if key in cb.groups:
        return cb.groups[key].short
    return "<br>".join(textwrap.wrap(cb.label(key), width)) or key


def _drop_empty_unspecified(cells: pd.DataFrame, key: str) -> list[str]:
    """Keys in order, leaving out ``<group>.unspecified`` codes with no article at all."""
    totals = cells.groupby(key, sort=False)["n_articles"].sum()
    return [k for k in totals.index if not (k.endswith(".unspecified") and totals[k] == 0)]


def _side_label(side: str) -> str:
    sides = load_codebook().sides
    return sides[side]["label"] if side in sides else "All articles"


def _heatmap(cells: pd.DataFrame, mode: str, motivations: list, formats: list, dense: bool) -> dict:
    """One heatmap for one side; cells must hold every motivation x format once. Dense
    matrices get smaller text and no space between symbol and value."""
    grid = cells.set_index(["motivation", "format"]).reindex(
        pd.MultiIndex.from_product([motivations, formats])
    )
    shape = (len(motivations), len(formats))
    status = grid["status"].fillna("not_assessed").to_numpy()
    z = np.array([STATUS_ORDER.index(s) for s in status]).reshape(shape)
    n = grid["n_articles"].fillna(0).astype(int).to_numpy()
    share = grid["share"].fillna(0.0).to_numpy()
    symbol = np.array([STATUSES[s][1] for s in status], dtype=object)
    value = (
        pd.Series(share).map("{:.0%}".format).to_numpy()
        if mode == "row_share"
        else pd.Series(n).map("{:,}".format).to_numpy()
    )
    text = np.where(n > 0, "<b>" + value + "</b>", value)
    text = (symbol + ("" if dense else " ") + text).reshape(shape)
    labels = np.array([STATUSES[s][0] for s in status], dtype=object)
    share_text = pd.Series(share).map("{:.0%}".format).to_numpy()
    custom = np.stack(
        [
            grid.index.get_level_values(0).to_numpy(dtype=object),
            grid.index.get_level_values(1).to_numpy(dtype=object),
            n.astype(object),
            share_text,
            labels,
            grid["rationale"].fillna("").to_numpy(dtype=object),
            grid["side"].fillna("").to_numpy(dtype=object),
            grid["n_row"].fillna(0).astype(int).to_numpy().astype(object),
        ],
        axis=-1,
    ).reshape((*shape, 8))
    share_of = "of all articles" if mode == "counts" else "of this motivation's articles"
    return {
        "type": "heatmap",
        "z": z,
        "x": [_short(f) for f in formats],
        "y": [_short(m) for m in motivations],
        "zmin": -0.5,
        "zmax": len(STATUS_ORDER) - 0.5,
        "colorscale": _colorscale(),
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": 10 if dense else 13},
        "customdata": custom,
        "hovertemplate": (
            "<b>%{y} × %{x}</b><br>%{customdata[2]:,} articles coded with both "
            f"(%{{customdata[3]}} {share_of})<br>"
            "<i>%{customdata[4]}</i>: %{customdata[5]}<extra></extra>"
        ),
    }


def _legend_traces() -> list[dict]:
    """Empty traces that give every status a legend entry: colour and symbol."""
    return [
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "marker": {"symbol": "square", "size": 14, "color": status_fill(s)},
            "name": f"{STATUSES[s][1]} {STATUSES[s][0]}",
            "showlegend": True,
            "hoverinfo": "skip",
        }
        for s in STATUS_ORDER
    ]


def build_alignment_figure(
    matrix: pd.DataFrame, *, mode: str = "counts", caption: CaptionLike = None
) -> go.Figure:
    """Motivations (rows) x formats (columns); every cell shows its count (or row share).

    Args:
        matrix: an :func:`evidence.aggregate.alignment_matrix` frame.
        mode: "counts", "row_share" (cells show the share of the row's articles) or
            "by_income" (HIC and LMIC origin side by side).
        caption: optional title / subtitle / footer.

    Returns:
        One heatmap per side. ``z`` is the status index, the cell text is the status
        symbol plus the value, ``customdata`` per cell is ``[motivation, format, n,
        share, status label, rationale, side, n_row]``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if matrix is None or matrix.empty or int(matrix["n_articles"].sum()) == 0:
        return caption_figure(
            empty_figure("No articles coded with both a motivation and a format"), caption
        )
    # At code level, "(unspecified)" rows and columns without any article are left out
    # to save space; every real code stays, zeros included, so gaps still show.
    motivations = _drop_empty_unspecified(matrix, "motivation")
    formats = _drop_empty_unspecified(matrix, "format")
    dense = len(formats) * len(set(matrix["side"])) > 8
    sides = list(dict.fromkeys(matrix["side"])) if mode == "by_income" else ["all"]
    if mode != "by_income":
        matrix = matrix[matrix["side"] == matrix["side"].iloc[0]]
    titles = [_side_label(s) for s in sides] if len(sides) > 1 else None
    layout = side_by_side(len(sides), gap=0.03, titles=titles)
    traces = []
    for i, side in enumerate(sides):
        part = matrix[matrix["side"] == side] if len(sides) > 1 else matrix
        heat = _heatmap(part, mode, motivations, formats, dense)
        if i:
            heat["xaxis"] = f"x{i + 1}"
        traces.append(heat)
    traces += _legend_traces()
    x_axis = {
        "side": "bottom",
        "showgrid": False,
        "tickangle": -90 if dense else (0 if len(formats) * len(sides) <= 6 else -35),
        "type": "category",
    }
    for key in [k for k in layout if k.startswith("xaxis")]:
        layout[key].update(x_axis)
    layout.update(
        template=TEMPLATE,
        yaxis={"autorange": "reversed", "showgrid": False, "type": "category"},
        legend={
            "title": {"text": "Rubric"},
            "orientation": "v",
            "x": 1.01,
            "y": 1,
            "xanchor": "left",
            "yanchor": "top",
        },
        margin={"l": 10, "r": 10, "t": 40 if titles else 10, "b": 10},
        meta={"mode": mode, "sides": sides},
        clickmode="event",
    )
    fig = go.Figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)
