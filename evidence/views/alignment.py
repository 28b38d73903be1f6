"""Do motivations fit formats? The motivation × format matrix, coloured by the
alignment rubric (data/alignment_rubric.yaml)."""

from __future__ import annotations

import itertools

from evidence import aggregate
from evidence.aggregate.alignment import AlignmentCells, alignment_cells
from evidence.codebook import load_codebook
from evidence.figures.alignment import alignment_figure
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
    applies to each code pair of its groups that no code rule overrides)."""
    cells = alignment_cells(sub, mode="counts", classification=state.income, level="code")
    return aggregate.alignment_takeaway(cells)


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
