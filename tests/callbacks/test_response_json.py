"""A click's response is plain JSON: written by orjson in one pass, the same JSON plotly's
own encoder writes. Anything else (a Dash component, an array of strings, a plotly
Template object) sends plotly's encoder walking every figure of every response, and a
cached figure holding a plotly object is rebuilt and re-validated on every cache read."""

import json

import orjson
import plotly.io.json as pio_json
import pytest

from app import _page_extras
from components.alternatives import SUMMARY_VIEWS, TABLE_BODY
from components.cache import cached
from components.render import plain, render_views
from evidence import DEMO_PATH
from evidence.load import load_cached

OPTS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
STATES = [
    "",
    "?origin_income=L,LM",
    "?country=HTI,UGA&year=2010-2012",
    "?focus=KEN",
    "?region=sub-saharan-africa&role=setting",
    "?country=ISL&origin_income=L",  # nothing matches: the designed empty states
]


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def _one_pass(value) -> bytes:
    try:
        return orjson.dumps(value, option=OPTS)
    except TypeError as exc:  # what sends plotly's encoder on its slow path
        pytest.fail(f"not plain JSON: {exc}")


@pytest.mark.parametrize("query", STATES)
def test_a_response_is_plain_json_equal_to_plotlys(eb, query):
    drawn = render_views(query, eb)
    grouped = {"tables": [{"id": {"type": TABLE_BODY, "view": v}} for v in SUMMARY_VIEWS]}
    toggles = [1] * len(SUMMARY_VIEWS)  # every data table open
    page = _page_extras(query, eb, toggles, grouped, {}, drawn)
    for part in (drawn, page):
        fast = json.loads(_one_pass(part))
        assert fast == json.loads(pio_json.to_json_plotly(part, engine="json"))
    # components in the form Dash sends: a table, or a note when the view has no data
    assert {t["type"] for t in page["tables"]} <= {"Table", "P"}
    assert drawn["map"]["layout"]["template"]["layout"]["font"]["size"] == 13


def test_plain_keeps_number_arrays_and_lists_the_rest():
    import numpy as np

    numbers = np.arange(4, dtype=np.int16)
    out = plain({"z": numbers, "text": np.array(["a", "b"]), "o": np.array([1, "x"], object),
                 "strided": np.arange(6.0)[::2]})  # fmt: skip
    assert out["z"] is numbers  # sent as a typed array, not copied
    assert out["text"] == ["a", "b"] and out["o"] == [1, "x"] and out["strided"] == [0, 2, 4]


def test_cached_views_come_back_equal_and_plain(eb):
    from flask import Flask

    from components.cache import make_cache

    cache = make_cache(Flask(__name__))
    first = render_views("?origin_income=L", eb, cache=cache)
    again = render_views("?origin_income=L", eb, cache=cache)  # every view read back
    assert json.loads(_one_pass(again)) == json.loads(_one_pass(first))
    assert cached(cache, "absent", lambda: 0) == 0
