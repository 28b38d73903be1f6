"""The arc maps' fast path (issue 27): on a click the screen's figure is built from the
pairs' arrays, with no DataFrame (Chart.figure). It must draw what the data table and
the files say: the same figure as the full build, and arcs whose counts are the distinct
articles of each pair, counted here with plain pandas from the filtered tables."""

from __future__ import annotations

from dataclasses import replace

import pytest
from plotly.io.json import to_json_plotly

from bench.clicks import walk
from components.render import plain_figure
from evidence import DEMO_PATH
from evidence.countries import country_points
from evidence.figures.flows import TOP_ARCS
from evidence.figures.theme import drawn_in_browser, specs_only
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import VIEWS

# (chart, table, source column, target column) of each arc map
ARC_MAPS = [("flows", "flows", "origin", "destination"),
            ("partner-map", "partnerships", "lead", "partner")]  # fmt: skip


@pytest.fixture(scope="module")
def demo():
    return load_cached(DEMO_PATH)


@pytest.fixture(scope="module")
def states(demo):
    """Generated click states (a seeded walk), and a few in the maps' own modes."""
    walked = [parse_query(q)[0] for q in walk(demo, 30, seed=11)]
    modes = [{"focus": "USA"}, {"arcs": "all", "partner_arcs": "all"},
             {"flow": ("USA>UGA",), "partner": ("N>S",)}, {"income": "latest"}]  # fmt: skip
    return walked + [replace(s, **m) for s in walked[:6] for m in modes]


def _screen(chart, sub, state, fast: bool):
    """The figure the page takes (the browser completes it), as plain JSON-ready data."""
    with specs_only(), drawn_in_browser():
        fig = chart.figure(sub, state) if fast else chart.build(sub, state)[1]
    return plain_figure(fig if isinstance(fig, dict) else fig.to_plotly_json())


@pytest.mark.parametrize("view", ["flows", "partner-map"])
def test_the_screen_figure_is_the_full_builds(demo, states, view):
    chart = VIEWS[view]
    assert chart.figure is not None
    for state in states:
        sub = apply(demo, chart.counted_in(state))
        fast, full = (to_json_plotly(_screen(chart, sub, state, f)) for f in (True, False))
        assert fast == full, state


def _expected_pairs(sub, table, source, target, classification):
    """Distinct articles per (source, target, direction class) of the pairs a map can
    draw (two different countries, both with a map point), largest first, ties by name."""
    rows = getattr(sub, table)
    col = "direction" if classification == "year" else "direction_latest"
    rows = rows[(rows[source].fillna("") != "") & (rows[target].fillna("") != "")]
    rows = rows[rows[col].notna()]
    points = country_points()
    rows = rows[rows[source].isin(points.index) & rows[target].isin(points.index)]
    rows = rows[rows[source] != rows[target]]
    n = rows.groupby([source, target, col])["article_id"].nunique().reset_index(name="n")
    return n.sort_values(["n", source, target], ascending=[False, True, True], kind="stable")


def _drawn(fig) -> list[tuple[str, str, int]]:
    """[origin, destination, n] of each arc, read off the hover targets."""
    (targets,) = [t for t in fig["data"] if (t.get("meta") or {}).get("kind") == "target"]
    custom = targets["customdata"]
    if isinstance(custom, dict):  # compact: one row per arc, repeated by the browser
        rows = custom["values"]
    else:  # drawn in full (validated figures): each arc's row repeated per hover target
        rows = [r for i, r in enumerate(custom) if i == 0 or list(r) != list(custom[i - 1])]
    return sorted((str(o), str(d), int(k)) for o, d, k in rows)


@pytest.mark.parametrize(("view", "table", "source", "target"), ARC_MAPS)
def test_arc_counts_equal_pandas_on_generated_states(demo, states, view, table, source, target):
    chart, checked = VIEWS[view], 0
    for state in states:
        if state.focus or state.kind:
            continue  # the ranking of a focus is pinned in test_arc_maps
        sub = apply(demo, chart.counted_in(state))
        fig = _screen(chart, sub, state, True)
        expected = _expected_pairs(sub, table, source, target, state.income)
        if expected.empty:
            assert not fig["data"], state
            continue
        every = state.arcs == "all" if view == "flows" else state.partner_arcs == "all"
        shown = expected if every else expected.head(TOP_ARCS)
        want = sorted(zip(shown[source], shown[target], shown["n"].astype(int), strict=True))
        assert _drawn(fig) == want, state
        words = fig["layout"]["legend"]["title"]["text"]
        total = len(expected)  # a pair split over two direction classes is two arcs
        assert (f"all {total:,} pairs" if every or total <= TOP_ARCS
                else f"the {TOP_ARCS} largest of {total:,} pairs") in words, state  # fmt: skip
        checked += 1
    assert checked > 15
