"""A view never hides its own alternatives: each chart is counted without its own
selection (crossfilter's "filter everything except yourself"), shows every mark, the
selected ones highlighted and the others dimmed, and says in its hover what a click
does with the count it gives. Files (view_figure) carry the same marks as the screen."""

import numpy as np
import pytest

from evidence import DEMO_PATH
from evidence.figures.cells import figure_cells
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import view_figure


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def _fig(eb, query: str, chart: str):
    return view_figure(eb, parse_query(query)[0], chart)[1]


def _kind(fig, kind: str) -> list:
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("kind") == kind]


def _pairs(fig) -> set[str]:
    (targets,) = _kind(fig, "target")
    return {f"{c[0]}>{c[1]}" for c in targets.customdata}


def test_a_selected_arc_keeps_every_other_arc_dimmed_and_clickable(eb):
    everything = _fig(eb, "arcs=all", "flows")
    fig = _fig(eb, "arcs=all&flow=USA-KEN,CAN-KEN", "flows")
    assert _pairs(fig) == _pairs(everything)  # no arc hidden
    lines = _kind(fig, "arc")
    on = {p for t in lines if t.meta["selected"] for p in (f"{a}>{b}" for a, b in t.meta["pairs"])}
    assert on == {"USA>KEN", "CAN>KEN"}
    assert all(t.opacity < 0.5 for t in lines if not t.meta["selected"])
    # the dots come after every arc: plotly picks the last of marks as close
    kinds = [t.meta.get("kind") for t in fig.data if isinstance(t.meta, dict)]
    assert kinds.index("node") > max(i for i, k in enumerate(kinds) if k in ("arc", "target"))
    (targets,) = _kind(fig, "target")
    words = dict(zip((f"{c[0]}>{c[1]}" for c in targets.customdata), targets.text, strict=True))
    assert words["USA>KEN"].endswith("<i>Selected · click to remove</i>")
    n = apply(eb, parse_query("flow=USA-UGA")[0]).n_articles
    assert words["USA>UGA"].endswith(f"<i>Click to select: {n} articles · Shift-click to add</i>")


def test_the_map_keeps_every_country_and_its_hover_count_is_what_a_click_gives(eb):
    state = parse_query("country=USA&format=mobility")[0]
    data, fig = view_figure(eb, state, "map")
    has = fig.data[0]
    assert set(has.locations) == set(_fig(eb, "format=mobility", "map").data[0].locations)
    opacity = dict(zip(has.locations, has.marker.opacity, strict=True))
    assert opacity["USA"] == 1 and opacity["CAN"] < 1
    words = dict(zip(has.locations, has.text, strict=True))
    assert words["USA"].startswith("Selected · click to remove")
    for iso3 in ("CAN", "GBR", "KEN", "UGA"):  # hover never contradicts the click
        if iso3 not in words:
            continue
        n = apply(eb, parse_query(f"country={iso3}&format=mobility")[0]).n_articles
        assert words[iso3] == f"Click to select: {n} articles · Shift-click to add", iso3
    assert list(data.loc[data["selected"], "iso3"]) == ["USA"]


def test_every_bar_and_cell_stays_with_the_selection_pressed_and_empty_ones_are_no_filter(eb):
    bars = figure_cells(_fig(eb, "partner=S-S", "partnerships"))
    assert bars.selection
    listed = [b for part in bars.parts if hasattr(part, "bars") for b in part.bars]
    assert [b.key for b in listed if b.selected] == ["S>S"]
    assert all(b.selected is False for b in listed if b.key != "S>S")
    assert all(b.key == "" for b in listed if b.value == 0)  # no dead end
    assert any(b.value == 0 for b in listed)
    alone = figure_cells(_fig(eb, "", "partnerships"))
    assert not alone.selection
    cells = figure_cells(_fig(eb, "motivation=social&format=mobility", "alignment"))
    grid = [c for part in cells.parts if hasattr(part, "cells") for row in part.cells for c in row]
    assert [c.key for c in grid if c.selected] == ["social|mobility|all"]
    assert len(grid) > 4 and all(
        c.selected is False for c in grid if c.key != "social|mobility|all"
    )


def test_the_trends_keep_every_year_with_the_selected_years_in_full(eb):
    fig = _fig(eb, "year=2012", "trends")
    years = sorted({int(x) for t in fig.data for x in t.x})
    assert years == list(range(2000, 2021))
    bar = fig.data[0]
    opacity = np.asarray(bar.marker.opacity)
    assert (opacity[np.asarray(bar.x) == 2012] == 1).all()
    assert (opacity[np.asarray(bar.x) != 2012] < 1).all()


def test_a_file_of_a_state_with_a_selection_shows_it_too(eb):
    state = parse_query("flow=USA-KEN&direction=H-L")[0]
    fig = view_figure(eb, state, "flows", captioned=True)[1]
    assert any(t.meta.get("selected") for t in _kind(fig, "arc"))
    matrix = view_figure(eb, state, "flow-matrix", captioned=True)[1]
    assert [t.name for t in matrix.data if t.type == "heatmap"][-1] == "dimmed"
