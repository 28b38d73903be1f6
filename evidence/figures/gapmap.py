"""The evidence gap map: a matrix of any two dimensions, as review teams publish it.

Cells show their count (or the share of their row's or column's articles), shaded by
count; an empty cell is marked "Gap" in words on its own pale fill (and, on the
dashboard, a hatch: assets/style.css); a total row and column count each article once.
For motivation x format the cells take the alignment rubric's colours and symbols
instead of the shading (the alignment preset, evidence.figures.alignment).
"""

from __future__ import annotations

import functools
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.aggregate.gapmap import TOTAL
from evidence.figures.alignment import CELL_STATUSES, STATUS_ORDER, status_fill
from evidence.figures.alignment import _colorscale as _status_scale  # the rubric's bands
from evidence.figures.cells import GAP_TEXT  # what an empty cell says: a gap
from evidence.figures.selection import dim_cells, selection_meta
from evidence.figures.theme import (
    MUTED,
    TEMPLATE,
    CaptionLike,
    caption_figure,
    empty_figure,
    new_figure,
    sequential_scale,
)

VALUES = ("counts", "row_share", "column_share")
GAP_FILL = "#F6E8D8"  # a pale sand, apart from the blue shading and the rubric's colours
TOTAL_FILL = "#EDEDED"
TOTAL_LABEL = "Total"


def _wrap(text: str, width: int) -> str:
    return _wrapped(str(text), width)


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, width: int) -> str:
    """An axis label on lines of ``width`` (the same few labels every click: cached)."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _constant(colour: str) -> list[list]:
    return [[0, colour], [1, colour]]


def _grid(matrix: pd.DataFrame) -> tuple[list, list, dict]:
    """Row keys, column keys (axis order) and per-cell arrays of shape (rows, columns)."""
    rows = list(dict.fromkeys(matrix["row"]))
    columns = list(dict.fromkeys(matrix["column"]))
    shape = (len(rows), len(columns))
    arrays = {c: matrix[c].to_numpy().reshape(shape) for c in matrix.columns}
    return rows, columns, arrays


def _with_totals(body: np.ndarray, right: np.ndarray, bottom: np.ndarray, corner) -> np.ndarray:
    """A body of (rows, columns) with a total column at the right and a total row below."""
    top = np.concatenate([body, np.asarray(right, dtype=object)[:, None]], axis=1)
    last = np.concatenate([np.asarray(bottom, dtype=object), [corner]])[None, :]
    return np.concatenate([top.astype(object), last], axis=0)


def _cell_texts(a: dict, values: str, rubric: bool) -> np.ndarray:
    """Each cell's text: its count (or share), bold when not empty, after the rubric's
    symbol; "Gap" for a gap (one string a cell, built in a plain loop: a few dozen cells)."""
    n = a["n_articles"]
    if values == "counts":
        shown = [f"{v:,}" for v in n.ravel().tolist()]
    else:
        share = a["row_share" if values == "row_share" else "column_share"]
        shown = [f"{v:.0%}" for v in share.ravel().tolist()]
    text = [f"<b>{t}</b>" if v > 0 else t for t, v in zip(shown, n.ravel().tolist(), strict=True)]
    if rubric:
        text = [f"{CELL_STATUSES.get(s, ('', '·'))[1]}<br>{t}"
                for s, t in zip(a["status"].ravel().tolist(), text, strict=True)]  # fmt: skip
    gaps = a["gap"].ravel().tolist()
    out = np.empty(n.size, dtype=object)
    out[:] = [GAP_TEXT if g else t for g, t in zip(gaps, text, strict=True)]
    return out.reshape(n.shape)


def _keys(rows: list, columns: list, gap: np.ndarray, selected: set[str] | None) -> np.ndarray:
    """Each cell's click key "row|column" ("row|*" a row total, "*|column" a column
    total; "" for the grand total and for gaps outside the selection: no filter)."""
    body = np.array([[f"{r}|{c}" for c in columns] for r in rows], dtype=object)
    chosen = selected or set()
    body = np.where(gap & ~np.isin(body, list(chosen)), "", body)
    return _with_totals(body, [f"{r}|{TOTAL}" for r in rows],
                        [f"{TOTAL}|{c}" for c in columns], "")  # fmt: skip


def _hover(a: dict, row_noun: str, column_noun: str) -> np.ndarray:
    def one(rl, cl, n, nr, nc, rs, cs, gap, rationale):
        head = f"<b>{rl} × {cl}</b><br>"
        if gap:
            return head + "Gap: no article has both"
        verdict = f"<br><i>{rationale}</i>" if rationale else ""
        return (head + f"{n:,} article{'s' if n != 1 else ''} with both<br>"
                f"{rs:.0%} of this {row_noun}'s {nr:,}, {cs:.0%} of this {column_noun}'s "
                f"{nc:,}{verdict}")  # fmt: skip

    parts = [a[k].ravel().tolist() for k in ("row_label", "column_label", "n_articles", "n_row",
             "n_column", "row_share", "column_share", "gap", "rationale")]  # fmt: skip
    out = np.empty(len(parts[0]), dtype=object)
    out[:] = [one(*cell) for cell in zip(*parts, strict=True)]
    return out.reshape(a["n_articles"].shape)


def _legend(rubric: bool, statuses: set[str], gaps: bool) -> list[dict]:
    items = []
    if rubric:
        items = [(status_fill(s), f"{CELL_STATUSES[s][1]} {CELL_STATUSES[s][0]}")
                 for s in STATUS_ORDER if s in statuses]  # fmt: skip
    else:
        scale = sequential_scale()
        items = [(scale[1][1], "Few articles"), (scale[-1][1], "Many articles")]
    if gaps:
        items.append((GAP_FILL, f"{GAP_TEXT}: no article"))
    return [{"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
             "marker": {"symbol": "square", "size": 14, "color": colour},
             "showlegend": True, "hoverinfo": "skip"} for colour, name in items]  # fmt: skip


def build_gap_figure(
    matrix: pd.DataFrame,
    *,
    rows_label: str,
    columns_label: str,
    values: str = "counts",
    caption: CaptionLike = None,
    selected: set[str] | None = None,
) -> go.Figure:
    """Rows x columns with a total column and row; gaps marked; a selection dimmed.

    Args:
        matrix: an :func:`evidence.aggregate.gapmap.gap_matrix` frame.
        rows_label, columns_label: the two dimensions' names (axis titles).
        values: "counts", "row_share" or "column_share" (what the cells show; totals
            always show counts).
        selected: click keys of the selected cells (None: no selection).

    Returns:
        A base heatmap (its ``hovertext`` holds each cell's click key, as Dash passes
        it), a pale heatmap painting the gaps and one painting the totals.
    """
    if values not in VALUES:
        raise ValueError(f"values must be one of {VALUES}, not {values!r}")
    if matrix is None or matrix.empty or int(matrix["n_articles"].sum()) == 0:
        words = f"No articles with both a {rows_label.lower()} and a {columns_label.lower()}"
        return caption_figure(empty_figure(words), caption)
    rows, columns, a = _grid(matrix)
    rubric = any(s != "" for s in a["status"].ravel().tolist())
    n_row = a["n_row"][:, 0]
    n_col = a["n_column"][0, :]
    total = int(a["n_total"].flat[0])
    counts = np.array([f"<b>{v:,}</b>" for v in [*n_row.tolist(), *n_col.tolist(), total]],
                      dtype=object)  # fmt: skip
    text = _with_totals(_cell_texts(a, values, rubric), counts[: len(rows)],
                        counts[len(rows):-1], counts[-1])  # fmt: skip
    if rubric:
        order = {s: float(i) for i, s in enumerate(STATUS_ORDER)}
        body_z = np.array([order[s] for s in a["status"].ravel().tolist()],
                          dtype=float).reshape(a["status"].shape)  # fmt: skip
        scale, zmin, zmax = _status_scale(), -0.5, len(STATUS_ORDER) - 0.5
    else:
        # the shading follows what the cells show: counts, or the shares
        shown = {"counts": "n_articles", "row_share": "row_share"}.get(values, "column_share")
        body_z = a[shown].astype(float)
        scale, zmin, zmax = sequential_scale(), 0, max(float(body_z.max()), 1e-9)
    body_z = np.where(a["gap"], np.nan, body_z)
    nan_row, nan_col = np.full(len(rows), np.nan), np.full(len(columns), np.nan)
    z = _with_totals(body_z, nan_row, nan_col, np.nan).astype(float)
    gap_z = _with_totals(np.where(a["gap"], 0.0, np.nan), nan_row, nan_col, np.nan).astype(float)
    total_z = np.full(z.shape, np.nan)
    total_z[-1, :], total_z[:, -1] = 0.0, 0.0
    row_noun, column_noun = rows_label.lower(), columns_label.lower()
    hover = _with_totals(_hover(a, row_noun, column_noun),
                         [f"<b>{r}</b>: {n:,} articles (each once)" for r, n in
                          zip(a["row_label"][:, 0], n_row, strict=True)],
                         [f"<b>{c}</b>: {n:,} articles (each once)" for c, n in
                          zip(a["column_label"][0, :], n_col, strict=True)],
                         f"{total:,} articles with both")  # fmt: skip
    dense = len(columns) > 7
    width = 10 if dense else 14
    x = [_wrap(c, width) for c in a["column_label"][0, :]] + [TOTAL_LABEL]
    y = [_wrap(r, 30) for r in a["row_label"][:, 0]] + [TOTAL_LABEL]  # rows: one line
    keys = _keys(rows, columns, a["gap"], selected)
    font = 13 if len(columns) <= 5 else (11 if len(columns) <= 9 else 10)
    common = {
        "type": "heatmap",
        "x": x,
        "y": y,
        "xgap": 2,
        "ygap": 2,
        "showscale": False,
        "texttemplate": "%{text}",
        "textfont": {"size": font},
        "hoverongaps": False,
    }
    base = {
        **common,
        "z": z,
        "zmin": zmin,
        "zmax": zmax,
        "colorscale": scale,
        "text": text,
        "hovertext": keys,
        "customdata": hover,
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    overlays = [
        {**common, "name": "gaps", "z": gap_z, "colorscale": _constant(GAP_FILL), "zmin": 0,
         "zmax": 1, "text": np.where(np.isnan(gap_z), "", f"<i>{GAP_TEXT}</i>"),
         "hoverinfo": "skip", "textfont": {"size": font, "color": MUTED}},
        {**common, "name": "totals", "z": total_z, "colorscale": _constant(TOTAL_FILL),
         "zmin": 0, "zmax": 1, "text": np.where(np.isnan(total_z), "", text),
         "hoverinfo": "skip"},
    ]  # fmt: skip
    traces = [base, *overlays]
    traces += dim_cells([base], selected)
    traces += _legend(rubric, set(a["status"].ravel().tolist()), gaps=bool(a["gap"].any()))
    layout = _layout(rows_label, columns_label, dense, font, rubric)
    removes = len(selected or ()) <= 1  # a cell is a product of two filters
    layout["meta"] = {"values": values, **selection_meta(selected, removes=removes)}
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)


def _layout(rows_label: str, columns_label: str, dense: bool, font: int, rubric: bool) -> dict:
    def title(text: str) -> dict:
        return {"text": text, "font": {"size": 12, "color": MUTED}, "standoff": 6}

    return {
        "template": TEMPLATE,
        "xaxis": {"side": "bottom", "showgrid": False, "type": "category", "fixedrange": True,
                  "title": title(columns_label), "tickfont": {"size": font + 1 if font < 13
                                                             else 13},
                  "tickangle": -90 if dense else 0},  # wrapped words, never slanted
        "yaxis": {"autorange": "reversed", "showgrid": False, "type": "category",
                  "fixedrange": True, "title": title(rows_label)},
        "legend": {"title": {"text": "Rubric" if rubric else "Cells", "side": "left",
                             "font": {"size": 12, "color": MUTED}},
                   "orientation": "h", "x": 0, "y": 1, "xanchor": "left", "yanchor": "bottom",
                   "itemclick": False, "itemdoubleclick": False},
        "margin": {"l": 10, "r": 10, "t": 34, "b": 10},
        "clickmode": "event",
    }  # fmt: skip
