"""Figures the browser completes (assets/figures.js): the arc maps sent as pairs, the
world map without its gap lines. In Chromium, the traces on screen are those the server
draws whole for files."""

import base64
import math

import numpy as np
import pytest
from helpers import wait_ready

from evidence import DEMO_PATH
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import FILLED_CHARTS, view_figure

pytestmark = pytest.mark.e2e

# Each trace's fields as plain JSON (typed arrays as lists, NaN as null).
JS_DATA = """id => {
  const plain = v => {
    if (v && v._inputArray) v = v._inputArray;
    if (ArrayBuffer.isView(v)) v = Array.from(v);
    if (Array.isArray(v)) return v.map(plain);
    if (typeof v === 'number' && Number.isNaN(v)) return null;
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    }
    return v;
  };
  return document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => plain({
    type: t.type, mode: t.mode, name: t.name, lon: t.lon, lat: t.lat, text: t.text,
    locations: t.locations, z: t.z,
    customdata: t.customdata, hovertemplate: t.hovertemplate, meta: t.meta,
    line: t.line, marker: t.marker, showlegend: t.showlegend}));
}"""
KEYS = ("type", "mode", "name", "lon", "lat", "text", "locations", "z", "customdata",
        "hovertemplate", "meta", "line", "marker", "showlegend")  # fmt: skip
# Coordinates are rounded to 2 decimals (targets to 1, angles to 1): JavaScript and
# numpy may round a tie differently, by one unit of the last place.
TOLERANCE = 0.1 + 1e-9


def _plain(value):
    """A figure's value as JSON would carry it: arrays (and plotly's base64 "bdata"
    arrays) as lists, NaN as None."""
    if isinstance(value, dict) and set(value) <= {"dtype", "bdata", "shape"} and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        if shape:
            array = array.reshape([int(n) for n in str(shape).split(",")])
        value = array
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _close(a, b, where: str) -> None:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        assert math.isclose(a, b, abs_tol=TOLERANCE), where
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    elif isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), (where, sorted(a), sorted(b))
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    else:
        assert a == b, (where, a, b)


@pytest.mark.parametrize(
    "query",
    ["", "focus=KEN", "net=net&arcs=all", "origin_income=L&year=2004-2011", "income=latest",
     "role=setting&format=mobility",
     # a selection on each: its marks highlighted, the others dimmed, as in files
     "flow=USA-KEN&country=USA&partner=N-S"],
)  # fmt: skip
def test_completed_figures_on_screen_are_the_server_drawings(page, server_url, query):
    page.goto(f"{server_url}/?{query}")
    wait_ready(page)
    eb = load_cached(DEMO_PATH)
    state = parse_query(query)[0]
    for chart in FILLED_CHARTS:
        shown = page.evaluate(JS_DATA, "fig-" + chart)
        figure = _plain(view_figure(eb, state, chart)[1].to_plotly_json())
        expected = [{k: t[k] for k in KEYS if k in t} for t in figure["data"]]
        shown = [{k: t[k] for k in KEYS if k in t and t[k] is not None} for t in shown]
        assert len(shown) == len(expected), chart
        if chart == "map":  # the gap countries' hover lines were written
            gaps = [t for t in expected if t.get("name") == "No articles"]
            assert gaps and len(gaps[0]["customdata"]) > 100, chart
        else:  # the arcs were drawn
            targets = [t for t in expected if (t.get("meta") or {}).get("kind") == "target"]
            assert targets and len(targets[0]["lon"]) > 0, chart
        for i, (s, e) in enumerate(zip(shown, expected, strict=True)):
            _close(s, e, f"{chart} trace {i}")
    assert page.console_errors == []
