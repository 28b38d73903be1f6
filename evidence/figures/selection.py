"""A chart's own selection, drawn: what a click on a mark does, in words, and the
selected marks highlighted, the others dimmed but clickable (the crossfilter
convention). Each view counts its marks without its own selection
(evidence.views.base.Chart.own), so a second mark can be added (Shift/Ctrl-click, or the
"Add to selection" switch) and any one removed (a click on a selected mark)."""

from __future__ import annotations

import numpy as np

DIMMED = 0.35  # opacity of the marks outside a selection


def click_words(selected: bool, n: int | None = None, *, only: bool = False) -> str:
    """What a click on a mark does, for its hover text: "Click to select: 5 articles ·
    Shift-click to add", or for a selected mark "Selected · click to remove" (``only``:
    it is the whole selection, so a click shows everything again)."""
    if selected:
        return "Selected · click to remove" + (" (all again)" if only else "")
    count = "" if n is None else f": {n:,} article{'' if n == 1 else 's'}"
    return f"Click to select{count} · Shift-click to add"


def selection_meta(selected, *, removes: bool = True) -> dict:
    """What an HTML chart (evidence.figures.cells) reads off a figure's ``layout.meta``
    about its selection: the selected marks' keys (None: the chart holds no selection),
    and whether a click on a selected mark removes it (else it selects that mark alone,
    as on the alignment matrix, whose cells are a product of two filters)."""
    if selected is None:
        return {}
    return {"selected": sorted(selected), "removes": removes}


def dim_cells(heatmaps: list[dict], selected: set[str] | None) -> list[dict]:
    """For pictures and slides of a matrix with a selection: a white veil over each cell
    not selected (cells are keyed by their ``hovertext``), so it reads as on screen,
    where the HTML table dims them (assets/cells.js). [] without a selection."""
    if selected is None:
        return []
    veils = []
    for heat in heatmaps:
        keys = np.asarray(heat["hovertext"], dtype=object)
        picked = np.vectorize(lambda k: k in selected, otypes=[bool])(keys)
        veil = {k: heat[k] for k in ("x", "y", "xaxis", "yaxis", "xgap", "ygap") if k in heat}
        veils.append({**veil, "type": "heatmap", "name": "dimmed",
                      "z": np.where(picked, np.nan, 1.0),
                      "colorscale": [[0, "#FFFFFF"], [1, "#FFFFFF"]], "opacity": 1 - DIMMED,
                      "showscale": False, "hoverinfo": "skip", "hoverongaps": False})  # fmt: skip
    return veils
