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
import threading

from flask import Flask, Response, current_app, request

from evidence import ASSETS_DIR

TOPOJSON = "topojson/world_110m.json"
COUNTRIES = "countries.js"
PLOTLY = "vendor/plotly-iome.min.js"
HASHED = (TOPOJSON, COUNTRIES, PLOTLY)
IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
MAX_COMPRESSED = 64  # files kept compressed per process (the page asks for about 30)
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


class CompressedFiles:
    """The page's static files (scripts, styles, outlines) compressed once per process and
    kept, instead of compressed again for every page load (Flask-Compress compresses each
    answer: about 50 ms of server CPU per first load, issue 27). The same encodings and
    levels as Flask-Compress; answers to a conditional request as it does. Other answers
    are left to Flask-Compress. At most MAX_COMPRESSED files are kept: addresses a client
    makes up (another fingerprint) are compressed as before, never stored."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str, str], bytes] = {}
        self._lock = threading.Lock()

    def __call__(self, response: Response) -> Response:
        from flask_compress.flask_compress import _choose_algorithm, _compress_data, _format

        config = current_app.config
        if (
            request.method != "GET"
            or response.status_code != 200
            or not request.path.startswith(STATIC_PREFIXES)
            or "Content-Encoding" in response.headers
            or response.mimetype not in config.get("COMPRESS_MIMETYPES", ())
            or (response.content_length or 0) < config.get("COMPRESS_MIN_SIZE", 500)
        ):
            return response
        algorithm = _choose_algorithm(
            _format(config.get("COMPRESS_ALGORITHM", ["gzip"])),
            request.headers.get("Accept-Encoding", ""),
        )
        if algorithm is None:
            return response
        etag, weak = response.get_etag()
        key = (request.path, etag or "", algorithm)
        body = self._kept.get(key)
        file = response.response  # the file Flask opened (closed here: its bytes are read)
        if body is None:
            response.direct_passthrough = False
            body = _compress_data(current_app, response.get_data(), algorithm)
            with self._lock:
                if len(self._kept) < MAX_COMPRESSED:
                    self._kept[key] = body
        if hasattr(file, "close"):
            file.close()
        response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = algorithm
        response.vary.add("Accept-Encoding")
        if etag and not weak:
            response.set_etag(f"{etag}:{algorithm}")
        return response.make_conditional(request)


def register_static_cache(server: Flask) -> None:
    """Install :func:`cache_hashed` and the compressed static files on ``server``."""
    server.after_request(CompressedFiles())
    server.after_request(cache_hashed)
