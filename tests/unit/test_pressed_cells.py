"""Selected cells and bars of the HTML charts are pressed buttons (aria-pressed)."""

from components.render import render_views
from evidence import DEMO_PATH
from evidence.load import load_cached


def test_the_cells_and_bars_a_state_selects_are_pressed_and_no_other():
    eb = load_cached(DEMO_PATH)
    assert all(render_views("", eb)[c]["pressed"] == [] for c in ("flow-matrix", "alignment"))
    assert render_views("direction=H-UM", eb)["flow-matrix"]["pressed"] == ["H>UM"]
    bars = render_views("format=partnership.south_south", eb)["partnerships"]["pressed"]
    assert bars == ["partnership.south_south"]
    aligned = render_views("format=mobility&motivation=market", eb)["alignment"]["pressed"]
    assert aligned == ["market|mobility|all"]
