"""Do motivations fit formats? The motivation × format matrix, coloured by the
alignment rubric (data/alignment_rubric.yaml)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence import aggregate
from evidence.aggregate._engine import keys_of, source_of
from evidence.aggregate.alignment import (
    AlignmentCells,
    _alignment_template,
    _combinations,
    alignment_cells,
)
from evidence.codebook import load_codebook
from evidence.figures.alignment import alignment_figure
from evidence.rubric import load_rubric
from evidence.views.base import Chart, View, cell_key, mark_selected, released, reworded

# Origin income groups of a side of the "HIC vs LMIC" matrix.
SIDE_GROUPS = {"north": ("H",), "south": ("UM", "LM", "L")}


def matrix_level() -> str:
    """The matrix's rows and columns: groups, or codes when a dimension has a single group
    (its one group would collapse the matrix to a row or a column)."""
    cb = load_codebook()
    one = any(len(cb.groups_of(role)) < 2 for role in ("format", "motivation"))
    return "code" if one else "group"


def release(state):
    """The state the matrix is counted in: without its own selection (motivations and
    formats, and the origin income groups of a side when split by income)."""
    own = ("motivation", "format") + (("origin_income",) if state.align == "by_income" else ())
    return released(state, own)


def selected_cells(matrix, state) -> set[str] | None:
    """The keys ("motivation|format|side") of the cells the selection holds: their
    motivation and format selected (each, when set) and their side's income groups
    (None: no selection). ``matrix``: an alignment frame, or its arrays
    (evidence.aggregate.alignment_cells)."""
    if not (state.motivation or state.format):
        return None
    incomes = set(state.origin_income)

    def picked(m: str, f: str, side: str) -> bool:
        groups = SIDE_GROUPS.get(side)
        return ((not state.motivation or m in state.motivation)
                and (not state.format or f in state.format)
                and (groups is None or not incomes or set(groups) == incomes))  # fmt: skip

    if isinstance(matrix, AlignmentCells):
        cells = itertools.product(matrix.motivations, matrix.formats, matrix.sides)
    else:
        cells = zip(matrix["motivation"], matrix["format"], matrix["side"], strict=True)
    return {f"{m}|{f}|{side}" for m, f, side in cells if picked(m, f, side)}


def build(sub, state):
    matrix = aggregate.alignment_matrix(
        sub, mode=state.align, classification=state.income, level=matrix_level()
    )
    chosen = selected_cells(matrix, state)
    fig = figure(sub, state)
    keys = matrix["motivation"] + "|" + matrix["format"] + "|" + matrix["side"].astype(str)
    return mark_selected(matrix, None if chosen is None else keys.isin(chosen)), fig


def figure(sub, state):
    """The matrix's figure alone (no data frame): arrays in, figure dict out."""
    cells = alignment_cells(sub, mode=state.align, classification=state.income,
                            level=matrix_level())  # fmt: skip
    return alignment_figure(cells, mode=state.align, selected=selected_cells(cells, state))


def takeaway(sub, state) -> str:
    """The rubric's verdicts at the resolution it was written: code pairs (a group rule
    applies to each code pair of its groups that no code rule overrides). The counts
    mode's cells summed by verdict are the articles of each combination of codes times
    that combination's pairs of each verdict: one ``bincount`` under the mask."""
    src = source_of(sub)
    weights = _verdict_weights(src)
    per = np.bincount(weights.article if src.mask is None else weights.article[src.mask],
                      minlength=len(weights.coded))  # fmt: skip
    if not per @ weights.coded:
        cb = load_codebook()
        return (f"No article is coded with both a {cb.dim('motivation').noun} and a "
                f"{cb.dim('format').noun}.")  # fmt: skip
    total, aligned, tension = (int(per @ w) for w in (weights.judged, weights.aligned,
                                                       weights.tension))  # fmt: skip
    cb = load_codebook()
    words = f"{cb.dim('motivation').noun}-{cb.dim('format').noun}"
    return (
        f"{aligned / total:.0%} of {words} pairings fall in cells the rubric calls "
        f"aligned, {tension / total:.0%} in cells in tension or misaligned."
    )


@dataclass(frozen=True)
class _VerdictWeights:
    """Per combination of motivation and format codes (aggregate.alignment's numbering):
    its code pairs in all (``coded``), with a verdict, aligned, and in tension or
    misaligned."""

    article: np.ndarray  # per root article: combination number
    coded: np.ndarray
    judged: np.ndarray
    aligned: np.ndarray
    tension: np.ndarray


def _verdict_weights(src) -> _VerdictWeights:
    """The weights of :func:`takeaway` for the root of ``src`` under the rubric in use
    (remembered per root index and rubric table)."""
    table = load_rubric().table("code")
    motivations, formats = keys_of("code", "motivation"), keys_of("code", "format")

    def build() -> tuple[pd.DataFrame, _VerdictWeights]:
        combos = _combinations(src, "code", tuple(motivations), tuple(formats))
        tpl = _alignment_template(table, ["all"], motivations, formats)
        status = tpl.arrays["status"]
        m, f = np.divmod(tpl.cell, max(len(formats), 1))

        def weight(hit: np.ndarray) -> np.ndarray:
            pairs = np.zeros((len(motivations), len(formats)), dtype=np.int64)
            np.add.at(pairs, (m[hit], f[hit]), 1)
            # pairs of each combination: its motivations x pairs x its formats
            return np.einsum("cm,mf,cf->c", combos.motivations, pairs, combos.formats)

        judged = np.array([isinstance(v, str) for v in status], dtype=bool)
        verdict = np.where(judged, status, "").astype(str)
        return table, _VerdictWeights(
            combos.article, weight(np.ones(len(status), dtype=bool)), weight(judged),
            weight(verdict == "aligned"), weight(np.isin(verdict, ("tension", "misaligned"))),
        )  # fmt: skip

    key = ("takeaway verdicts", id(table), tuple(motivations), tuple(formats))
    found = src.memo(key, build)
    if found[0] is not table:  # another table at the same address: build anew
        found = src.idx.memo[key] = build()
    return found[1]


def click(state, point, add: bool = False):
    """A cell: that motivation and that format (and, when the matrix is split by income,
    that side's origin income groups); the same cell again removes them. With ``add``
    the cell's motivation and format join those selected (the filters then hold every
    cell of the rows and columns chosen); a selected cell of several is selected alone."""
    key = cell_key(point)
    if len(key) < 2:
        return state
    cell = {"motivation": (key[0],), "format": (key[1],)}
    side = key[2] if len(key) > 2 else "all"
    if side in SIDE_GROUPS:
        cell["origin_income"] = SIDE_GROUPS[side]
    new = state.with_values(**cell)
    if all(getattr(new, k) == getattr(state, k) for k in cell):
        return state.with_values(**dict.fromkeys(cell, ()))
    picked = key[0] in state.motivation and key[1] in state.format
    if add and not picked:
        joined = {k: (*getattr(state, k), *(v for v in cell[k] if v not in getattr(state, k)))
                  for k in cell}  # fmt: skip
        return state.with_values(**joined)
    return new


_CB = load_codebook()
_FMT, _MOT = _CB.dim("format"), _CB.dim("motivation")
_TITLE = f"Do {_MOT.nouns} fit {_FMT.nouns}?"


def in_scheme(view: View) -> View:
    """The view in the words of the codebook in use (evidence.per_scheme)."""
    fmt, mot = load_codebook().dim("format"), load_codebook().dim("motivation")
    title = f"Do {mot.nouns} fit {fmt.nouns}?"
    label = f"{mot.label} by {fmt.noun} alignment matrix"
    return reworded(view, {"alignment": {"title": title, "label": label}}, title=title)


VIEW = View(
    "alignment",
    _TITLE,
    "Articles coded with both; colour and symbol give the rubric's judgement. Click a cell "
    "to filter.",
    (Chart("alignment", _TITLE, build, takeaway, click=click,
           own=("motivation", "format"), release=release, figure=figure,
           screen="html", depends=("align",), height=440,
           label=f"{_MOT.label} by {_FMT.noun} alignment matrix"),),
)  # fmt: skip
