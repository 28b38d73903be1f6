"""The view cache (in-process and a real Redis server) never changes what is drawn."""

import pytest
import redis
from flask import Flask
from plotly.io.json import to_json_plotly

from bench.server import free_port
from components.cache import make_cache
from components.render import RENDER_OUTPUTS, cache_key, render_views
from evidence import DEMO_PATH
from evidence.load import load_cached
from evidence.state import parse_query

QUERIES = ["", "?format=mobility.outbound&year=2010-2020", "?country=UGA&role=setting",
           "?align=by_income&origin_income=H", "?country=ISL&origin_income=L"]  # fmt: skip


def _json(out: dict) -> dict:
    return {k: to_json_plotly(out[k]) for k in RENDER_OUTPUTS}  # figures and HTML charts


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_cached_views_equal_uncached_views(backend, redis_url):
    eb = load_cached(DEMO_PATH)
    cache = make_cache(Flask(__name__), redis_url if backend == "redis" else None)
    for query in QUERIES:
        reference = _json(render_views(query, eb))
        first = _json(render_views(query, eb, cache=cache))
        second = _json(render_views(query, eb, cache=cache))  # served from the cache
        assert first == reference
        assert second == reference
        key = cache_key(eb, "map", parse_query(query)[0])
        assert cache.get(key) is not None


def test_redis_holds_the_shared_entries(redis_url):
    eb = load_cached(DEMO_PATH)
    cache = make_cache(Flask(__name__), redis_url)
    render_views("?year=2001-2003", eb, cache=cache)
    keys = redis.Redis.from_url(redis_url).keys("iome:*")
    assert len([k for k in keys if b":map:" in k]) >= 1


def test_unreachable_cache_falls_back_to_building():
    eb = load_cached(DEMO_PATH)
    cache = make_cache(Flask(__name__), f"redis://127.0.0.1:{free_port()}/0")
    assert _json(render_views("?year=2005", eb, cache=cache)) == _json(
        render_views("?year=2005", eb)
    )
