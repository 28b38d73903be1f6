"""Motivation x format alignment matrix: counts per cell, background and symbol by the
rubric status (aligned / tension / misaligned / not assessed)."""

from __future__ import annotations

import functools
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.aggregate.alignment import AlignmentCells
from evidence.codebook import load_codebook
from evidence.figures.selection import dim_cells, selection_meta
from evidence.figures.theme import (
    MUTED,
    NO_DATA,
    TEMPLATE,
    CaptionLike,
    caption_figure,
    empty_figure,
    new_figure,
    side_by_side,
    status_colour,
    tint,
)
from evidence.rubric import STATUSES

# A group cell whose code pairs the rubric judges differently (evidence.aggregate.alignment)
# is "mixed"; its hover and data table list the code-level verdicts.
CELL_STATUSES = {**STATUSES, "mixed": ("Mixed: rules differ by code", "±")}
STATUS_ORDER = list(CELL_STATUSES)  # aligned, tension, misaligned, not_assessed, mixed
MIXED_COLOUR = "#CC79A7"  # Okabe-Ito reddish purple, apart from the three verdicts
MODES = ("counts", "row_share", "by_income")


def status_fill(status: str) -> str:
    """Light cell background of a status, so black counts stay readable on it."""
    if status == "mixed":
        return tint(MIXED_COLOUR, 0.42)
    return NO_DATA if status == "not_assessed" else tint(status_colour(status), 0.42)


def _colorscale() -> list[list]:
    """Discrete scale: status index i (0-3) fills the band [i/4, (i+1)/4]."""
    k = len(STATUS_ORDER)
    scale = []
    for i, s in enumerate(STATUS_ORDER):
        scale += [[i / k, status_fill(s)], [(i + 1) / k, status_fill(s)]]
    return scale


def _short(key: str, width: int = 14) -> str:
    """Tick label: a group's short name, or a code's label, wrapped onto lines of ``width``
    characters so that narrow columns and rows keep whole words."""
    cb = load_codebook()
    text = cb.groups[key].short if key in cb.groups else cb.label(key)
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or key


def _kept(keys: tuple[str, ...], totals: np.ndarray) -> list[int]:
    """Positions of ``keys`` to show: all but ``<group>.unspecified`` codes with no
    article at all (``totals``: articles per key)."""
    return [i for i, k in enumerate(keys) if not (k.endswith(".unspecified") and totals[i] == 0)]


def _side_label(side: str) -> str:
    sides = load_codebook().sides
    return sides[side]["label"] if side in sides else "All articles"


def _panel_title(side: str) -> str:
    """Two short lines under a panel, e.g. "Origin in <b>HIC</b>" / "(Global North)", so
    that neighbouring panel names do not run into each other on a phone."""
    spec = load_codebook().sides.get(side)
    if not spec:
        return _side_label(side)
    rest = spec["label"].replace(spec["short"], "", 1).strip()
    return f"Origin in <b>{spec['short']}</b>" + (f"<br>{rest}" if rest else "")


def _heatmap(
    cells: AlignmentCells,
    block: int,
    mode: str,
    rows: list[int],
    columns: list[int],
    font_size: int,
    sep: str,
) -> dict:
    """One heatmap for one side (``block``, a side of ``cells``), of the motivations
    ``rows`` and formats ``columns`` (positions). ``sep`` goes between status symbol and
    value: ``<br>`` (symbol above the value, so a cell needs little width on a phone) or
    a thin space for dense code-level matrices, whose many rows are short."""
    n_m, n_f = len(cells.motivations), len(cells.formats)
    shape = (len(rows), len(columns))
    at = (block * n_m * n_f + np.asarray(rows, dtype=np.intp)[:, None] * n_f
          + np.asarray(columns, dtype=np.intp)[None, :]).reshape(-1)  # fmt: skip
    status = [s if isinstance(s, str) else "not_assessed" for s in cells.status[at]]
    z = np.array([STATUS_ORDER.index(s) for s in status]).reshape(shape)
    n = cells.n_articles[at]
    counts = n.tolist()
    share_text = np.array([f"{x:.0%}" for x in cells.share[at].tolist()], dtype=object)
    symbol = np.array([CELL_STATUSES[s][1] for s in status], dtype=object)
    value = (share_text if mode == "row_share"
             else np.array([f"{k:,}" for k in counts], dtype=object))  # fmt: skip
    text = np.where(n > 0, "<b>" + value + "</b>", value)
    text = (symbol + sep + text).reshape(shape)
    labels = np.array([CELL_STATUSES[s][0] for s in status], dtype=object)
    side = cells.sides[block]
    m_keys = [cells.motivations[i] for i in rows]
    f_keys = [cells.formats[j] for j in columns]
    rationale = [r if isinstance(r, str) else "" for r in cells.rationale[at]]
    custom = np.empty((*shape, 8), dtype=object)
    custom[..., 0] = np.array(m_keys, dtype=object)[:, None]
    custom[..., 1] = np.array(f_keys, dtype=object)[None, :]
    custom[..., 2] = np.array(counts, dtype=object).reshape(shape)
    custom[..., 3] = share_text.reshape(shape)
    custom[..., 4] = labels.reshape(shape)
    custom[..., 5] = np.array(rationale, dtype=object).reshape(shape)
    custom[..., 6] = side
    custom[..., 7] = np.array(cells.n_row[at].tolist(), dtype=object).reshape(shape)
    noun = load_codebook().dim("motivation").noun
    share_of = "of all articles" if mode == "counts" else f"of this {noun}'s articles"
    # The click key of each cell, "motivation|format|side": Dash leaves a heatmap point's
    # customdata out of clickData, but passes its hovertext (not shown: hovertemplate).
    key = np.array([[f"{m}|{f}|{side}" for f in f_keys] for m in m_keys], dtype=object)
    key = key.reshape(shape)
    heads = _heads(load_codebook().path, tuple(m_keys), tuple(f_keys))
    return {
        "type": "heatmap",
        "z": z,
        "x": list(heads[1]),
        # Group names wrap early (narrow phones); long code labels keep two lines.
        "y": list(heads[0]),
        "zmin": -0.5,
        "zmax": len(STATUS_ORDER) - 0.5,
        "colorscale": _colorscale(),
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": font_size},
        "customdata": custom,
        "hovertext": key,
        "hovertemplate": (
            "<b>%{y} × %{x}</b><br>%{customdata[2]:,} articles coded with both "
            f"(%{{customdata[3]}} {share_of})<br>"
            "<i>%{customdata[4]}</i>: %{customdata[5]}<extra></extra>"
        ),
    }


@functools.lru_cache(maxsize=64)
def _heads(_codebook: str, motivations: tuple, formats: tuple) -> tuple[tuple, tuple]:
    """The row and column labels of a matrix (once per scheme and set of keys)."""
    groups = load_codebook().groups
    return (tuple(_short(m, 14 if m in groups else 24) for m in motivations),
            tuple(_short(f) for f in formats))  # fmt: skip


def _legend_traces(mixed: bool = False) -> list[dict]:
    """Empty traces that give every status a legend entry: colour and symbol ("mixed"
    only when a cell is)."""
    return [
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "marker": {"symbol": "square", "size": 14, "color": status_fill(s)},
            "name": f"{CELL_STATUSES[s][1]} {CELL_STATUSES[s][0]}",
            "showlegend": True,
            "hoverinfo": "skip",
        }
        for s in STATUS_ORDER
        if s != "mixed" or mixed
    ]


def build_alignment_figure(
    matrix: pd.DataFrame,
    *,
    mode: str = "counts",
    caption: CaptionLike = None,
    selected: set[str] | None = None,
) -> go.Figure:
    """Motivations (rows) x formats (columns); every cell shows its count (or row share).

    Args:
        matrix: an :func:`evidence.aggregate.alignment_matrix` frame.
        mode: "counts", "row_share" (cells show the share of the row's articles) or
            "by_income" (HIC and LMIC origin side by side).
        caption: optional title / subtitle / footer.
        selected: the click keys of the selected cells (None: no selection); the
            others are dimmed.

    Returns:
        One heatmap per side. ``z`` is the status index, the cell text is the status
        symbol plus the value, ``customdata`` per cell is ``[motivation, format, n,
        share, status label, rationale, side, n_row]``; ``hovertext`` holds the cell's
        click key "motivation|format|side" (side: "all", "north" or "south").
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if matrix is None or matrix.empty or int(matrix["n_articles"].sum()) == 0:
        return caption_figure(empty_figure(_empty_text()), caption)
    return alignment_figure(cells_of_matrix(matrix), mode=mode, caption=caption, selected=selected)


def _empty_text() -> str:
    cb = load_codebook()
    return (f"No articles coded with both a {cb.dim('motivation').noun}"
            f" and a {cb.dim('format').noun}")  # fmt: skip


def cells_of_matrix(matrix: pd.DataFrame) -> AlignmentCells:
    """An alignment frame as the arrays :func:`alignment_figure` draws: its sides,
    motivations and formats in the order they come, every combination (a missing one
    has no article and no verdict)."""
    keys = [tuple(dict.fromkeys(matrix[c])) for c in ("side", "motivation", "format")]
    grid = matrix.set_index(["side", "motivation", "format"]).reindex(
        pd.MultiIndex.from_product(keys)
    )
    return AlignmentCells(
        keys[1], keys[2], keys[0],
        grid["n_articles"].fillna(0).astype(np.int64).to_numpy(),
        grid["n_row"].fillna(0).astype(np.int64).to_numpy(),
        grid["share"].fillna(0.0).to_numpy(dtype=float),
        grid["status"].to_numpy(dtype=object),
        grid["rationale"].to_numpy(dtype=object),
    )  # fmt: skip


def alignment_figure(
    cells: AlignmentCells,
    *,
    mode: str = "counts",
    caption: CaptionLike = None,
    selected: set[str] | None = None,
) -> go.Figure:
    """:func:`build_alignment_figure` from the matrix's arrays
    (evidence.aggregate.alignment_cells), with no frame on the way."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    n_all = cells.n_articles.reshape(len(cells.sides), len(cells.motivations), -1)
    if n_all.size == 0 or int(n_all.sum()) == 0:
        return caption_figure(empty_figure(_empty_text()), caption)
    # At code level, "(unspecified)" rows and columns without any article are left out
    # to save space; every real code stays, zeros included, so gaps still show.
    rows = _kept(cells.motivations, n_all.sum(axis=(0, 2)))
    columns_at = _kept(cells.formats, n_all.sum(axis=(0, 1)))
    sides = list(cells.sides) if mode == "by_income" else ["all"]
    blocks = list(range(len(cells.sides))) if mode == "by_income" else [0]
    columns = len(columns_at) * len(sides)
    dense = columns > 8
    font_size = 13 if columns <= 4 else (11 if columns <= 8 else 10)
    sep = "\u2009" if dense else "<br>"
    layout = side_by_side(len(sides), gap=0.04 if len(sides) > 1 else 0)
    traces = []
    for i, block in enumerate(blocks):
        heat = _heatmap(cells, block, mode, rows, columns_at, font_size, sep)
        if i:
            heat["xaxis"] = f"x{i + 1}"
        traces.append(heat)
    traces += dim_cells(list(traces), selected)
    size = len(cells.motivations) * len(cells.formats)
    shown = cells.status[blocks[0] * size : (blocks[-1] + 1) * size]
    traces += _legend_traces(mixed=bool((shown == "mixed").any()))
    # Panel names go in the x axis titles, under the column labels: automargin keeps
    # them clear of the labels at any width, and the top is left to the legend.
    x_titles = (
        [_panel_title(s) for s in sides]
        if len(sides) > 1
        else [load_codebook().dim("format").label]
    )
    for i, key in enumerate(k for k in layout if k.startswith("xaxis")):
        layout[key].update(
            side="bottom",
            showgrid=False,
            type="category",
            fixedrange=True,
            title={"text": x_titles[i], "font": {"size": 12, "color": MUTED}, "standoff": 6},
            tickfont={"size": 13 if columns <= 4 else 11},
            # Plotly turns the labels by itself when the columns get too narrow.
            **({"tickangle": -90} if dense else {}),
        )
    layout.update(
        template=TEMPLATE,
        yaxis={
            "autorange": "reversed",
            "showgrid": False,
            "type": "category",
            "fixedrange": True,
            "title": {
                "text": load_codebook().dim("motivation").label,
                "font": {"size": 12, "color": MUTED},
                "standoff": 6,
            },
        },
        # Horizontal key above the matrix: a key at the right would take a third of a
        # phone-wide graph away from the cells.
        legend={
            "title": {"text": "Rubric", "side": "left", "font": {"size": 12, "color": MUTED}},
            "orientation": "h",
            "x": 0,
            "y": 1,
            "xanchor": "left",
            "yanchor": "bottom",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        margin={"l": 10, "r": 10, "t": 34, "b": 10},
        # a click on a selected cell removes it when it is the only one, else selects it
        # alone (the cells are a product of two filters)
        meta={
            "mode": mode,
            "sides": sides,
            **selection_meta(selected, removes=len(selected or ()) <= 1),
        },
        clickmode="event",
    )
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)
