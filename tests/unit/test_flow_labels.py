"""Labelled flow maps: the largest origins and destinations are named on the flow and
partner maps (screen and files), without two names running into each other, and the key
names the arrow classes and the width scale."""

import numpy as np
import pandas as pd
import pytest

from evidence import DEMO_PATH
from evidence.export import export_figure
from evidence.figures.flows import natural_earth
from evidence.figures.labels import GLYPH_EM, LABEL_PX, LINE_EM, MAP_PX, MAP_UNITS, TOP_LABELS
from evidence.figures.theme import SLIDE_MAP_PX, SLIDE_TEXT_PX, specs_only
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import view_figure


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def labels_of(fig) -> dict:
    data = fig["data"] if isinstance(fig, dict) else [t.to_plotly_json() for t in fig.data]
    (layer,) = [t for t in data if (t.get("meta") or {}).get("kind") == "labels"]
    return layer


def demo_flow_totals() -> pd.Series:
    """Articles per country at either end of a coded flow, from the CSV with pandas."""
    raw = pd.read_csv(DEMO_PATH)
    pairs = raw["mobility_flows"].dropna().str.split(";").explode().str.split(">")
    pairs = pairs[pairs.str.len() == 2]
    counted = pd.DataFrame(pairs.tolist(), columns=["o", "d"]).assign(n=1)
    per_pair = counted.groupby(["o", "d"])["n"].sum()
    return (per_pair.groupby(level=0).sum()
            .add(per_pair.groupby(level=1).sum(), fill_value=0)).sort_values(ascending=False)  # fmt: skip


def collisions(layer: dict, font_px: float, map_px: float) -> list:
    """Pairs of names whose boxes (above their dots, at this text size on a map this
    wide) overlap."""
    lon, lat = (np.asarray(layer[k], float) for k in ("lon", "lat"))
    x, y = natural_earth(lon, lat)
    names, unit, out = list(layer["text"]), MAP_UNITS / map_px, []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            half = (len(names[i]) + len(names[j])) / 2 * GLYPH_EM * font_px / 2 * unit
            if abs(x[i] - x[j]) <= half and abs(y[i] - y[j]) <= LINE_EM * font_px * unit:
                out.append((names[i], names[j]))
    return out


@pytest.mark.parametrize("view", ["flows", "partner-map"])
def test_the_largest_ends_are_named_without_collisions(eb, view):
    _, fig = view_figure(eb, parse_query("")[0], view, captioned=True)
    layer = labels_of(fig)
    names, codes = list(layer["text"]), layer["meta"]["iso3"]
    assert 4 <= len(names) <= TOP_LABELS
    assert layer["hoverinfo"] == "skip" and layer["mode"] == "text"
    assert not collisions(layer, LABEL_PX, MAP_PX)
    if view == "flows":  # the biggest end of the drawn flows, by the CSV, is named first
        assert codes[0] == demo_flow_totals().index[0] == "USA"
    legend = [t.name for t in fig.data if t.showlegend is not False and t.name]
    assert any("→" in n for n in legend) and any("article" in n for n in legend)


def test_the_screen_figure_carries_the_same_names(eb):
    with specs_only():
        _, screen = view_figure(eb, parse_query("")[0], "flows")
    _, file = view_figure(eb, parse_query("")[0], "flows", captioned=True)
    assert list(labels_of(screen)["text"]) == list(labels_of(file)["text"])


@pytest.mark.parametrize("query", ["", "year=2005-2020&country=KEN&role=setting"])
def test_a_slide_keeps_only_names_that_stay_apart_in_its_bigger_text(eb, query):
    state = parse_query(query)[0]
    fig = export_figure(eb, state, "flows", slide=True)
    layer = labels_of(fig)
    assert layer["text"] and not collisions(layer, SLIDE_TEXT_PX, SLIDE_MAP_PX)
    screen = labels_of(view_figure(eb, state, "flows", captioned=True)[1])
    assert set(layer["text"]) <= set(screen["text"])  # the largest, thinned


def test_a_focus_names_the_country_in_focus(eb):
    _, fig = view_figure(eb, parse_query("focus=KEN")[0], "flows")
    assert "Kenya" in list(labels_of(fig)["text"])
