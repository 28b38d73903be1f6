"""Security headers on every response, and a guard in front of Dash's callback endpoint.

``register_security(server, callback_map=app.callback_map)`` adds two hooks to the Flask
server:

* after every request: a Content-Security-Policy that allows scripts, styles, images,
  fonts and connections from the app's own origin only (inline scripts only by the SHA-256
  of the exact inline scripts of the page served; inline *styles* are allowed because
  plotly.js, Dash and AG Grid write them), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: strict-origin-when-cross-origin``, and framing denied
  (``frame-ancestors 'none'`` + ``X-Frame-Options: DENY``) except on ``/embed/`` pages,
  which the origins in ``IOME_EMBED_ORIGINS`` (default ``*``) may frame; and, except on
  static files, ``Cache-Control: no-store, private`` with ``Vary: Cookie``, since answers
  depend on the session's uploaded data;
* before a POST to ``/_dash-update-component``: the body must be at most
  ``max_callback_bytes`` (413 otherwise) and a JSON object of the shape the Dash renderer
  sends, naming a registered callback with the right number of inputs and states (400
  otherwise), so malformed requests get a short 4xx instead of a server error.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
from collections.abc import Mapping

import orjson
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from components import dispatch

MAX_CALLBACK_BYTES = 8 * 1024 * 1024
CALLBACK_GZIP_LEVEL = 5  # chosen by measurement: see callback_compressor
CALLBACK_PATH = "/_dash-update-component"
EMBED_PREFIX = "/embed/"
SHARED_PREFIXES = ("/assets/", "/_dash-component-suites/")  # the same for every visitor
REFERRER_POLICY = "strict-origin-when-cross-origin"
# Sources allowed in frame-ancestors: '*', 'self', 'none', http(s): or an http(s) origin
# (scheme optional when the host has a dot; '*.' sub-domain wildcard, port, path).
_SOURCE = re.compile(
    r"\*|'self'|'none'|https?:|(?:https?://(?:\*\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)*"
    r"|(?:\*\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)+)(?::(?:\d{1,5}|\*))?(?:/[\w\-./~%]*)?",
    re.IGNORECASE,
)
_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def embed_origins() -> str:
    """Origins allowed to frame /embed/ pages (env ``IOME_EMBED_ORIGINS``; default any).

    Space- or comma-separated CSP sources (``https://example.org https://*.example.net``,
    ``'self'``, ``*``); anything else is dropped, and nothing valid means no framing.
    """
    raw = os.environ.get("IOME_EMBED_ORIGINS", "*")
    if not raw.strip():
        return "*"
    tokens = [t for t in re.split(r"[\s,;]+", raw.strip()) if t]
    good = [t for t in tokens if _SOURCE.fullmatch(t)]
    return " ".join(dict.fromkeys(good)) or "'none'"


def inline_script_hashes(html_text: str) -> list[str]:
    """CSP hash sources of the executable inline scripts of an HTML page."""
    hashes = []
    for attrs, body in _INLINE_SCRIPT.findall(html_text):
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            continue
        kind = _SCRIPT_TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") not in _JS_TYPES:
            continue  # data blocks (application/json) are never executed
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return list(dict.fromkeys(hashes))


def content_security_policy(frame_ancestors: str = "'none'", script_hashes=()) -> str:
    """The policy: the app's own origin only, plus the given inline-script hashes."""
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def _page_hashes(response: Response) -> list[str]:
    # Runs before Flask-Compress (registered earlier by Dash; after_request hooks run in
    # reverse order), so the body is still plain HTML here.
    if (
        response.mimetype != "text/html"
        or response.direct_passthrough
        or response.headers.get("Content-Encoding")
    ):
        return []
    return inline_script_hashes(response.get_data(as_text=True))


def security_headers(response: Response) -> Response:
    """Set the security headers on one response (for the current request's path)."""
    headers = response.headers
    hashes = _page_hashes(response)
    if request.path.startswith(EMBED_PREFIX):
        headers["Content-Security-Policy"] = content_security_policy(embed_origins(), hashes)
        headers.pop("X-Frame-Options", None)
    else:
        headers["Content-Security-Policy"] = content_security_policy("'none'", hashes)
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = REFERRER_POLICY
    if not request.path.startswith(SHARED_PREFIXES):
        # Pages, data, exports and callbacks depend on the session's upload: no shared
        # cache (CDN, proxy) may keep one visitor's answer for another.
        headers["Cache-Control"] = "no-store, private"
        response.vary.add("Cookie")
    return response


def _bad(message: str) -> BadRequest:
    return BadRequest(f"malformed callback request: {message}")


def _is_prop(item) -> bool:
    return isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)


def _check_props(value, name: str, expected: int | None) -> None:
    if not isinstance(value, list):
        raise _bad(f"'{name}' must be a list")
    for item in value:
        items = item if isinstance(item, list) else [item]  # pattern-matching (ALL) groups
        if not all(_is_prop(x) for x in items):
            raise _bad(f"each of '{name}' must name an id and a property")
    if expected is not None and len(value) != expected:
        raise _bad(f"'{name}' has {len(value)} entries; the callback takes {expected}")


def _props_or_group(item) -> bool:
    return _is_prop(item) or (isinstance(item, list) and all(_is_prop(x) for x in item))


def _check_outputs(outputs, output: str) -> None:
    """'..a.b...c.d..' takes a list of one entry per output, 'a.b' one {id, property};
    an output with an ALL wildcard takes a list of them."""
    if output.startswith("..") and output.endswith(".."):
        count = len(output[2:-2].split("..."))
        if not (isinstance(outputs, list) and len(outputs) == count):
            raise _bad(f"'outputs' must be a list of {count} entries")
        if not all(_props_or_group(o) for o in outputs):
            raise _bad("each of 'outputs' must name an id and a property")
    elif not (_is_prop(outputs) or ('"ALL' in output and _props_or_group(outputs))):
        raise _bad("'outputs' must name the callback's output id and property")


def check_callback_body(body, callback_map: Mapping | None) -> None:
    """Raise BadRequest unless ``body`` has the shape of a Dash callback request."""
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    output = body.get("output")
    if not isinstance(output, str):
        raise _bad("'output' must be a string")
    spec = None
    if callback_map is not None:
        spec = callback_map.get(output)
        if spec is None:
            raise _bad("no callback has this output")
    _check_outputs(body.get("outputs"), output)
    for name in ("inputs", "state"):
        declared = spec.get(name) if isinstance(spec, Mapping) else None
        _check_props(body.get(name, []), name, len(declared) if declared is not None else None)
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise _bad("'changedPropIds' must be a list of strings")


def parsed_callback_body(raw: bytes):
    """The callback request's JSON body, parsed once (orjson) and kept as the request's
    JSON, so Dash's ``request.get_json()`` reads it without parsing it again (issue 27).

    Anything that is not JSON (including NaN, lone surrogates or nesting deeper than
    1024) is a 400.
    """
    try:
        body = orjson.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise _bad("the body is not JSON") from exc
    request._cached_json = (body, body)  # what werkzeug's get_json(cache=True) keeps
    return body


def _flask_compress(server: Flask):
    """The Flask-Compress instance Dash installed (compress=True), or None."""
    for hook in server.after_request_funcs.get(None, []):
        owner = getattr(hook, "__self__", None)
        if type(owner).__name__ == "Compress" and hasattr(owner, "enabled_algorithms"):
            return owner
    return None


def callback_compressor(compress):
    """An after-request hook that gzips a callback's JSON answer at CALLBACK_GZIP_LEVEL
    instead of Flask-Compress's level 6 (issue 27: about 0.7 vs 0.95 ms CPU p50 per
    click; 12.2 vs 11.9 kB p95 at 350 articles), when Flask-Compress would choose gzip.
    Other encodings (zstd, br), small answers and other responses are left to
    Flask-Compress, which skips an answer that already has a Content-Encoding."""
    from flask_compress.flask_compress import _choose_algorithm

    def compress_callback_answer(response: Response) -> Response:
        if (
            request.method != "POST"
            or not request.path.endswith(CALLBACK_PATH)
            or response.status_code != 200
            or response.direct_passthrough
            or "Content-Encoding" in response.headers
            or response.mimetype not in compress.compress_mimetypes_set
            or (response.content_length or 0) < current_app.config["COMPRESS_MIN_SIZE"]
        ):
            return response
        accepted = request.headers.get("Accept-Encoding", "")
        if _choose_algorithm(compress.enabled_algorithms, accepted) != "gzip":
            return response
        response.set_data(gzip.compress(response.get_data(), CALLBACK_GZIP_LEVEL))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response

    return compress_callback_answer


def register_security(
    server: Flask,
    *,
    callback_map: Mapping | None = None,
    max_callback_bytes: int = MAX_CALLBACK_BYTES,
) -> None:
    """Add the security headers and the callback-request guard to a Flask server.

    ``callback_map`` is the Dash app's ``callback_map`` (read at request time, so
    callbacks registered later count); without it only the request's shape is checked.
    """

    @server.before_request
    def guard_callback_requests():
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        request.max_content_length = max_callback_bytes
        if (request.content_length or 0) > max_callback_bytes:
            raise RequestEntityTooLarge()
        raw = request.get_data(cache=True)  # a streamed body is cut at the limit
        if request.content_length is None and len(raw) >= max_callback_bytes:
            raise RequestEntityTooLarge()
        if not request.is_json:
            return None  # Dash's get_json() answers 415: a cross-site text/plain form
            # post never reaches a callback, and its body is never parsed
        check_callback_body(parsed_callback_body(raw), callback_map)
        return None

    server.after_request(security_headers)
    dispatch.install()  # Dash's output check once per request shape, not per click
    compress = _flask_compress(server)
    if compress is not None:  # Dash's compress=True: callbacks' answers gzipped cheaper
        server.after_request(callback_compressor(compress))

    from dash.exceptions import DependencyException

    @server.errorhandler(DependencyException)
    def unknown_component_file(_exc):
        """A made-up or traversing ``/_dash-component-suites/...`` path: 404, not a
        500 with a traceback in the log."""
        return Response("not found", status=404, mimetype="text/plain")
