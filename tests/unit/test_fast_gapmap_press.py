"""The gap map's pressed cells (issue 27): the quick rule (each row's and column's state
made once, evidence.views.gapmap.presses_removing) marks exactly the cells whose press,
by the chart's own click rule (evidence.views.after_press), removes a filter value; over
every pair of dimensions, with selections made by pressing cells, totals and a second
cell added, in the demo's scheme and in the faculty-development example's."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from components.cells import _n_values, with_pressed
from components.render import _figure_dict, _screen
from evidence import DEMO_PATH
from evidence.codebook import using_codebook
from evidence.fields import FIELD
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import FilterState
from evidence.views import VIEWS, after_press
from evidence.views.gapmap import presses_removing

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "faculty_development"


def _keys(data: dict) -> list[str]:
    return [c["key"] for part in data["parts"] for row in part.get("cells") or []
            for c in row if c.get("key")]  # fmt: skip


def _states(eb, rows: str, columns: str):
    """Selections made by pressing on the pair's view: a cell, a second cell added to
    it (a region cell's also for any role), and a column's total."""
    start = FilterState(gap_rows=rows, gap_cols=columns)
    keys = _keys(_screen("gapmap", _figure_dict(apply(eb, start), start, "gapmap")))
    cells = [k for k in keys if "*" not in k]
    totals = [k for k in keys if "*" in k]
    if cells:
        one = after_press(start, "gapmap", cells[len(cells) // 2])
        yield one
        yield after_press(one, "gapmap", cells[-1], add=True)
        if one.region:  # a region filtered for any role, not the role a press writes
            yield replace(one, country_role=FIELD["country_role"].default)
    if totals:
        yield after_press(start, "gapmap", totals[-1])


def _check(eb) -> int:
    from evidence.aggregate.gapmap import dimensions, same_filter

    checked = 0
    for rows, columns in itertools.product(dimensions(), repeat=2):
        if same_filter(rows, columns):
            continue
        for state in _states(eb, rows, columns):
            sub = apply(eb, VIEWS["gapmap"].counted_in(state))
            data = _screen("gapmap", _figure_dict(sub, state, "gapmap"))
            keys = _keys(data)
            before = _n_values(state)
            by_rule = [k for k in keys if before and
                       _n_values(after_press(state, "gapmap", k)) < before]  # fmt: skip
            assert presses_removing(state, keys, _n_values) == by_rule, (rows, columns, state)
            assert with_pressed(data, "gapmap", state)["pressed"] == by_rule
            checked += bool(by_rule)
    return checked


def test_pressed_cells_are_those_the_click_rule_would_release():
    assert _check(load_cached(DEMO_PATH)) > 60  # selections that press cells were seen


@pytest.mark.skipif(not (EXAMPLE / "articles.csv").exists(), reason="no example data")
def test_pressed_cells_under_another_scheme():
    with using_codebook(EXAMPLE / "codebook.yaml"):
        assert _check(load_cached(EXAMPLE / "articles.csv")) > 20
