"""Do motivations fit formats? The motivation × format matrix, coloured by the
alignment rubric (data/alignment_rubric.yaml)."""

from __future__ import annotations

from evidence import aggregate
from evidence.codebook import load_codebook
from evidence.figures.alignment import build_alignment_figure
from evidence.views.base import Chart, View, cell_key

# Origin income groups of a side of the "HIC vs LMIC" matrix.
SIDE_GROUPS = {"north": ("H",), "south": ("UM", "LM", "L")}


def matrix_level() -> str:
    """The matrix's rows and columns: groups, or codes when a dimension has a single group
    (its one group would collapse the matrix to a row or a column)."""
    cb = load_codebook()
    one = any(len(cb.groups_of(role)) < 2 for role in ("format", "motivation"))
    return "code" if one else "group"


def build(sub, state):
    matrix = aggregate.alignment_matrix(
        sub, mode=state.align, classification=state.income, level=matrix_level()
    )
    return matrix, build_alignment_figure(matrix, mode=state.align)


def takeaway(sub, state) -> str:
    """The rubric's verdicts at the resolution it was written: code pairs (a group rule
    applies to each code pair of its groups that no code rule overrides)."""
    matrix = aggregate.alignment_matrix(
        sub, mode="counts", classification=state.income, level="code"
    )
    return aggregate.alignment_takeaway(matrix)


def click(state, point):
    """A cell: that motivation and that format (and, when the matrix is split by income,
    that side's origin income groups); the same cell again removes them."""
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
    return new


_CB = load_codebook()
_FMT, _MOT = _CB.dim("format"), _CB.dim("motivation")
_TITLE = f"Do {_MOT.nouns} fit {_FMT.nouns}?"

VIEW = View(
    "alignment",
    _TITLE,
    "Articles coded with both; colour and symbol give the rubric's judgement. Click a cell "
    "to filter.",
    (Chart("alignment", _TITLE, build, takeaway, click=click,
           screen="html", depends=("align",), height=440,
           label=f"{_MOT.label} by {_FMT.noun} alignment matrix"),),
)  # fmt: skip
