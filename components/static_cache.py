"""The page's fixed files at addresses that name their content: the world's outlines
(assets/topojson/world_110m.json), the country table (assets/countries.js) and the
plotly.js bundle (assets/vendor/plotly-iome.min.js).

Each is asked for at ``/assets/<file>?v=<hash of its bytes>`` and, asked so, answered
with ``Cache-Control: public, max-age=31536000, immutable``: a browser keeps it until the
file changes, and then the address changes with it. Asked without the hash (or with an
old one) it is answered as any asset (``no-cache``: checked each time). The outlines are
announced in the page's head (``<link rel="preload">``), so they download while the
scripts do; assets/figures.js fetches them from that address.
"""

from __future__ import annotations

import functools
import hashlib

from flask import Flask, Response, request

from evidence import ASSETS_DIR

TOPOJSON = "topojson/world_110m.json"
COUNTRIES = "countries.js"
PLOTLY = "vendor/plotly-iome.min.js"
HASHED = (TOPOJSON, COUNTRIES, PLOTLY)
IMMUTABLE = "public, max-age=31536000, immutable"
PRELOAD_ATTR = "data-outlines-preload"  # the head's link that assets/figures.js reads


@functools.cache
def content_hash(name: str) -> str:
    """The first 16 hex digits of the SHA-256 of assets/``name`` (read once)."""
    return hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest()[:16]


def hashed_url(name: str) -> str:
    """``/assets/<name>?v=<content hash>``."""
    return f"/assets/{name}?v={content_hash(name)}"


def topojson_preload() -> str:
    """The head's link that starts the outlines' download with the page's scripts (and
    tells assets/figures.js their address). ``crossorigin`` matches fetch()'s mode, so
    the fetch reuses this download."""
    return (
        f'<link rel="preload" href="{hashed_url(TOPOJSON)}" as="fetch" '
        f'crossorigin="anonymous" {PRELOAD_ATTR}>'
    )


def dash_preloads(prefix: str = "/", layout: bool = True) -> str:
    """The head's links that start Dash's two start-up requests (the page's layout and
    its callbacks) with the page's scripts instead of after them: the server builds the
    layout while the browser downloads and runs the scripts, and Dash's own fetch, made
    later with the same address and credentials, takes the preloaded answer (issue 27:
    first load). The layout is preloaded only when building it has no side effect (a
    browser without an upload session: a fresh upload's answer is shown once)."""
    paths = ("_dash-layout", "_dash-dependencies") if layout else ("_dash-dependencies",)
    return "".join(
        f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin="anonymous">'
        for path in paths
    )


def plotly_deferred() -> str:
    """The head's part that takes plotly.js off the page's start (issue 27: first load).

    The bundle is not one of the page's scripts (which all run, in order, before Dash
    starts): an ``async`` script in the head, it downloads with them, is compiled off the
    main thread and runs as soon as it is here, while the browser waits for the other
    scripts or Dash's first answers. If dcc.Graph is drawn before it has run, dcc loads
    it from ``window._dashPlotlyJSURL``, which Dash sets to the full plotly.js of the
    plotly package when assets are served locally: the small inline script (allowed by
    its CSP hash, components/security.py) keeps that address on the project's bundle.
    """
    url = hashed_url(PLOTLY)
    return (
        f'<script async src="{url}"></script>'
        "<script>Object.defineProperty(window, '_dashPlotlyJSURL', "
        f"{{get: function () {{ return '{url}'; }}, set: function () {{}}}});</script>"
    )


def cache_hashed(response: Response) -> Response:
    """``after_request``: a hashed file asked at its current hash is cached immutable."""
    name = request.path.removeprefix("/assets/")
    if (
        response.status_code == 200
        and request.path.startswith("/assets/")
        and name in HASHED
        and request.args.get("v") == content_hash(name)
    ):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def register_static_cache(server: Flask) -> None:
    """Install :func:`cache_hashed` on ``server``."""
    server.after_request(cache_hashed)
