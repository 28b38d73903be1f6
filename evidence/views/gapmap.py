"""The evidence gap map: any two dimensions crossed (the rows and columns the user
picks, ``gap_rows`` and ``gap_cols`` in the URL), counts or shares per cell, gaps marked,
a click on a cell or a total filtering through the same filters as everywhere else.

The alignment view is its motivation x format preset: picked here, the cells take the
rubric's verdicts from the alignment matrix (evidence.aggregate.gapmap)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from evidence import filters
from evidence.aggregate.gapmap import TOTAL, cell_counts, dimensions, gap_matrix, period_of
from evidence.codebook import load_codebook
from evidence.fields import FIELD
from evidence.figures.gapmap import build_gap_figure
from evidence.figures.theme import empty_figure
from evidence.views.base import Chart, View, cell_key, mark_selected, released, reworded

TITLE = "Evidence gap map"
ORIGIN_ROLE = "origin"  # the region dimension is the first author's country's region


def _fields(state) -> tuple[str, str]:
    dims = dimensions()
    return dims[state.gap_rows].field, dims[state.gap_cols].field


def release(state):
    """The state the gap map is counted in: without its own selection (the filters its
    two dimensions write)."""
    return released(state, _fields(state))


def _value(field: str, key: str):
    """The filter value a row or column key writes: a period's years ("2010-2014"; None
    for anything else), or the key."""
    if field == "year":
        start = key.split("-")[0]
        return period_of(int(start)) if start.isdigit() and len(start) == 4 else None
    return (key,)


def _matches(state, field: str, key: str) -> bool:
    """True when the selection holds the value ``key`` (a code whose whole group is
    selected is held too)."""
    current = getattr(state, field)
    if field == "year":
        return current == _value(field, key)
    code = load_codebook().codes.get(key) if field in ("format", "motivation") else None
    return key in current or (code is not None and code.group in current)


def _active(state, field: str) -> bool:
    return getattr(state, field) != FIELD[field].default


def selected_cells(matrix, state) -> set[str] | None:
    """The keys ("row|column", "row|*", "*|column") of the cells the selection holds:
    their values selected on each dimension that has a selection (None: none has)."""
    r_field, c_field = _fields(state)
    r_on, c_on = _active(state, r_field), _active(state, c_field)
    if not (r_on or c_on):
        return None
    rows = [r for r in dict.fromkeys(matrix["row"]) if not r_on or _matches(state, r_field, r)]
    cols = [c for c in dict.fromkeys(matrix["column"])
            if not c_on or _matches(state, c_field, c)]  # fmt: skip
    chosen = {f"{r}|{c}" for r in rows for c in cols}
    if r_on and not c_on:
        chosen |= {f"{r}|{TOTAL}" for r in rows}
    if c_on and not r_on:
        chosen |= {f"{TOTAL}|{c}" for c in cols}
    return chosen


def _same_message(state) -> str:
    dims = dimensions()
    return (f"{dims[state.gap_rows].title} and {dims[state.gap_cols].title} are the same "
            "filter: pick two different dimensions for rows and columns")  # fmt: skip


def build(sub, state):
    r_field, c_field = _fields(state)
    if r_field == c_field:
        return pd.DataFrame(), figure(sub, state)
    dims = dimensions()
    matrix = gap_matrix(sub, state.gap_rows, state.gap_cols, state.income)
    chosen = selected_cells(matrix, state)
    fig = figure(sub, state, matrix)
    keys = matrix["row"] + "|" + matrix["column"]
    if not (matrix["status"] != "").any():  # no rubric outside the alignment preset
        matrix = matrix.drop(columns=["status", "rationale"])
    # the files say which dimensions they cross (on screen, the label columns' heads)
    matrix = matrix.assign(row_dimension=dims[state.gap_rows].title,
                           column_dimension=dims[state.gap_cols].title)  # fmt: skip
    return mark_selected(matrix, None if chosen is None else keys.isin(chosen)), fig


def shown_evidence(sub, state):
    """The articles the gap map counts: ``sub`` (the filtered articles) without the gap
    map's own selection, as the chart counts them (Chart.counted_in), so that its sentence
    speaks of the cells on screen, not of gaps the selection itself makes."""
    found = filters.lineage(sub)
    if found is None or found[2] is not None:
        return sub
    return filters.apply(found[0], release(state))


def figure(sub, state, matrix=None):
    """The gap map's figure alone (no data frame for files)."""
    r_field, c_field = _fields(state)
    if r_field == c_field:
        hint = "Change the rows or the columns"
        return empty_figure(_same_message(state), hint=hint)
    dims = dimensions()
    if matrix is None:
        matrix = gap_matrix(sub, state.gap_rows, state.gap_cols, state.income)
    chosen = selected_cells(matrix, state)
    return build_gap_figure(matrix, rows_label=dims[state.gap_rows].title,
                            columns_label=dims[state.gap_cols].title,
                            values=state.gap_values, selected=chosen)  # fmt: skip


def takeaway(sub, state) -> str:
    """How many of the cells are gaps, and the fullest cell, counted as the chart counts
    them (its own selection released; :func:`evidence.aggregate.gapmap.cell_counts`)."""
    dims = dimensions()
    rows, columns = dims[state.gap_rows], dims[state.gap_cols]
    if rows.field == columns.field:
        return _same_message(state) + "."
    n, row_labels, column_labels = cell_counts(
        shown_evidence(sub, state), state.gap_rows, state.gap_cols, state.income
    )
    return gap_sentence(n, row_labels, column_labels, rows.title, columns.title)


def gap_sentence(
    n: np.ndarray, row_labels: np.ndarray, column_labels: np.ndarray, rows: str, columns: str
) -> str:
    """One sentence: how many of the cells (``n``: articles per cell, with each cell's
    row and column labels) are gaps, and the fullest cell (the first on a tie)."""
    if not len(n) or int(n.sum()) == 0:
        return f"No article has both a {rows.lower()} and a {columns.lower()} value."
    n_gaps = int(np.count_nonzero(n == 0))
    top = int(np.argmax(n))
    gaps = (f"{n_gaps} of {len(n)} combinations have no article (gaps)" if n_gaps
            else f"Every one of the {len(n)} combinations has articles")  # fmt: skip
    return (f"{gaps}; the fullest is {row_labels[top]} × {column_labels[top]} "
            f"({int(n[top]):,} articles).")  # fmt: skip


def click(state, point, add: bool = False):
    """A cell: its row's value and its column's value (a total: that one value); the
    same cell again removes them. With ``add`` the values join those selected."""
    key = cell_key(point)
    r_field, c_field = _fields(state)
    if len(key) != 2 or r_field == c_field:
        return state
    cell = {f: _value(f, k) for f, k in zip((r_field, c_field), key, strict=True) if k != TOTAL}
    if not cell or None in cell.values():  # nothing to filter, or a key no cell has
        return state
    if "region" in cell:
        cell["country_role"] = ORIGIN_ROLE  # the region of the first author's country
    new = state.with_values(**cell)
    if all(getattr(new, k) == getattr(state, k) for k in cell):
        return released(state, tuple(k for k in cell if k != "country_role"))
    if add and not all(
        _matches(state, f, k) for f, k in zip((r_field, c_field), key, strict=True) if k != TOTAL
    ):
        joined = {k: tuple(dict.fromkeys((*getattr(state, k), *v)))
                  for k, v in cell.items() if k not in ("year", "country_role")}  # fmt: skip
        return new.with_values(**joined)
    return new


def presses(state, keys: list[str], count) -> list[str]:
    """Chart.presses: none when neither of the two dimensions is filtered (a press then
    only adds values, so no state per cell is made), else :func:`presses_removing`."""
    return [] if release(state) == state else presses_removing(state, keys, count)


def presses_removing(state, keys: list[str], count) -> list[str]:
    """The keys of ``keys`` whose press (:func:`click`, ``add`` False) leaves fewer
    filter values than ``state`` has (``count``: a state's number of values).

    What :func:`click` does for each key, with the state each value of a row or column
    writes normalised once per value rather than once per cell: a press writes only its
    row's and column's filters (and, for a region, the role), each normalised on its own
    (FilterState.with_values), so a cell's state is its row's field and its column's."""
    r_field, c_field = _fields(state)
    if r_field == c_field:
        return []
    before = count(state)
    alone = {}  # (field, key) -> the field's value once written, normalised

    def written(field: str, key: str):
        if (field, key) not in alone:
            cell = {field: _value(field, key)}
            if field == "region":
                cell["country_role"] = ORIGIN_ROLE
            alone[field, key] = state.with_values(**cell)
        return getattr(alone[field, key], field)

    out = []
    for key in keys:
        parts = key.split("|") if key else []
        if len(parts) != 2:
            continue
        cell = {f: _value(f, k) for f, k in zip((r_field, c_field), parts, strict=True)
                if k != TOTAL}  # fmt: skip
        if not cell or None in cell.values():
            continue
        new = {f: written(f, k) for f, k in zip((r_field, c_field), parts, strict=True)
               if k != TOTAL}  # fmt: skip
        if "region" in new:  # the role the region's press writes, as click compares it
            new["country_role"] = alone["region", parts[r_field != "region"]].country_role
        if all(v == getattr(state, f) for f, v in new.items()):
            after = released(state, tuple(f for f in new if f != "country_role"))
        else:
            after = replace(state, **new)
        if count(after) < before:
            out.append(key)
    return out


def row_point(row: dict) -> tuple[dict, str]:
    """The data table's Filter button: the cell of a row of the gap map's data."""
    return ({"hovertext": f"{row['row']}|{row['column']}"},
            f"{row['row_label']} × {row['column_label']}")  # fmt: skip


def _subtitle() -> str:
    """What the card shows, in the words of the codebook in use."""
    cb = load_codebook()
    return (
        "Pick any two dimensions. Each cell counts the articles with both values; an "
        "article with several codes counts in each of its cells, so cells do not add up to "
        "the total (which counts each article once). An empty cell is a gap in the "
        f"evidence. {cb.dim('motivation').plural} by {cb.dim('format').nouns} shows the "
        "alignment rubric's verdicts. Click a cell, or a total, to filter."
    )


def in_scheme(view: View) -> View:
    """The view in the words of the codebook in use (evidence.per_scheme)."""
    return reworded(view, subtitle=_subtitle())


VIEW = View(
    "gapmap",
    TITLE,
    _subtitle(),
    (Chart("gapmap", TITLE, build, takeaway, click=click, release=release, screen="html",
           presses=presses,
           figure=figure,
           depends=("gap_rows", "gap_cols", "gap_values"), height=460, row_point=row_point,
           label="Evidence gap map: the two chosen dimensions crossed"),),
)  # fmt: skip
