"""The HTML charts and trends on a click (issue 27): each chart's figure alone
(``Chart.figure``, arrays in, figure dict out) is the figure its ``build`` gives files;
the table the screen gets is the one read off the export figure; and the numbers equal
a plain pandas count (tests/unit/oracle_aggregate.py) on states a person reaches by
clicking (bench/clicks.walk) and on the bench's reference states."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import oracle_aggregate as oracle
import pytest

from bench.clicks import walk
from components.cells import cells_of_figure
from components.render import _figure_dict, _screen, plain_figure
from evidence import DEMO_PATH
from evidence.figures.cells import _to_lists  # plotly's typed arrays as lists
from evidence.figures.theme import specs_only
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import VIEWS, view_figure

MINE = ("flow-matrix", "partnerships", "alignment", "gapmap", "trends")
_REFERENCE = Path(__file__).resolve().parents[2] / "bench" / "reference" / "floor-350.json.gz"


@pytest.fixture(scope="module")
def demo():
    return load_cached(DEMO_PATH)


@pytest.fixture(scope="module")
def queries(demo) -> list[str]:
    reference = json.loads(gzip.decompress(_REFERENCE.read_bytes()))["states"]
    extra = ["align=row_share", "align=by_income&motivation=social", "stack=motivation",
             "gap_rows=motivation&gap_cols=format", "gap_rows=period&gap_cols=language",
             "gap_values=column_share&format=mobility", "direction=H>L", "partner=N-S"]  # fmt: skip
    found = [s["query"] for s in reference] + extra + walk(demo, 40, seed=2727)
    return list(dict.fromkeys(found))


def _same(a, b, where: str) -> None:
    """Deep equality of plain figure dicts (arrays compared by value and dtype)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
    elif isinstance(a, dict):
        assert type(b) is dict and list(a) == list(b), (where, list(a), list(b))
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert type(a) is type(b) and (a == b or (a != a and b != b)), (where, a, b)


def test_a_charts_figure_alone_is_the_figure_its_build_gives(demo, queries):
    """Chart.figure (the screen's path) and Chart.build (the files' path) draw the same
    figure, so the screen and the files cannot differ."""
    for query in queries:
        state = parse_query(query)[0]
        for name in MINE:
            chart = VIEWS[name]
            assert chart.figure is not None, name
            sub = apply(demo, chart.counted_in(state))
            if sub.n_articles == 0:
                continue
            with specs_only():
                alone = plain_figure(chart.figure(sub, state))
                built = plain_figure(chart.build(sub, state)[1])
            _same(alone, built, f"{name} {query}")


def test_the_screens_table_is_the_one_read_off_the_export_figure(demo, queries):
    for query in queries[::3]:
        state = parse_query(query)[0]
        for name in ("flow-matrix", "partnerships", "alignment", "gapmap"):
            sub = apply(demo, VIEWS[name].counted_in(state))
            screen = _screen(name, _figure_dict(sub, state, name))
            exported = view_figure(demo, state, name)[1]
            assert screen == cells_of_figure(exported), (name, query)


def test_trend_bars_and_alignment_cells_equal_a_pandas_count(demo, queries):
    """Bar heights of the trends figure and cell counts of the alignment matrix, read
    off the screen's figure, equal the pandas oracle's counts."""
    for query in queries:
        state = parse_query(query)[0]
        sub = apply(demo, VIEWS["trends"].counted_in(state))
        if sub.n_articles:
            fig = _figure_dict(sub, state, "trends")
            years = sub.articles["year"]
            span = (
                min([years.min(), *(state.year or ())]),
                max([years.max(), *(state.year or ())]),
            )
            expected = oracle.trends(sub, state.stack, (int(span[0]), int(span[1])))
            for trace in fig["data"]:
                rows = expected[expected["group"] == trace["meta"]]
                assert list(_to_lists(trace["x"])) == rows["year"].tolist(), query
                assert list(_to_lists(trace["y"])) == rows["n_articles"].tolist(), query
        sub = apply(demo, VIEWS["alignment"].counted_in(state))
        if sub.n_articles:
            fig = _figure_dict(sub, state, "alignment")
            expected = oracle.alignment_matrix(sub, state.align, state.income, "group")
            count = expected.set_index(["side", "motivation", "format"])["n_articles"]
            for trace in (t for t in fig["data"] if t.get("type") == "heatmap"):
                if trace.get("name") == "dimmed":
                    continue
                for row in trace["customdata"]:
                    for m, f, n, *_, side, _n_row in row:
                        assert n == count[(side, m, f)], (query, m, f, side)
