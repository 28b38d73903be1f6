"""Security headers on every response, the callback-endpoint guard, and debug kept off.

All through Flask's test client on ``create_app(...).server``; the browser side (no CSP
violation while the dashboard draws, no injected script running) is tests/e2e/test_xss.py.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
import re

import pytest

import cli
from app import create_app
from components.security import (
    MAX_CALLBACK_BYTES,
    check_callback_body,
    content_security_policy,
    embed_origins,
    inline_script_hashes,
)
from evidence import DEMO_PATH

CALLBACK = "/_dash-update-component"
TRACEBACK_MARKERS = ("Traceback", 'File "', "Error:", "werkzeug", "site-packages")


@pytest.fixture(scope="module")
def app():
    return create_app(DEMO_PATH)


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def _concrete(id_str: str):
    """A concrete component id for a callback's input/output spec (wildcards filled in)."""
    if not id_str.startswith("{"):
        return id_str, False
    pattern = json.loads(id_str)
    is_all = any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values())
    return {k: ("map" if isinstance(v, list) else v) for k, v in pattern.items()}, is_all


def callback_body(app, output: str, values=None, rng: random.Random | None = None) -> dict:
    """The body the Dash renderer would POST for a callback, with given or random values."""
    spec = app.callback_map[output]

    def prop(item):
        cid, is_all = _concrete(item["id"])
        entry = {"id": cid, "property": item["property"]}
        if values is not None:
            entry["value"] = values.get(f"{item['id']}.{item['property']}")
        elif rng is not None:
            entry["value"] = rng.choice(JUNK)
        return [entry] if is_all else entry

    outs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    out_specs = []
    for o in outs:
        cid, is_all = _concrete(o.component_id_str())
        entry = {"id": cid, "property": o.component_property}
        out_specs.append([entry] if is_all else entry)
    first = spec["inputs"][0]
    return {
        "output": output,
        "outputs": out_specs if output.startswith("..") else out_specs[0],
        "inputs": [prop(i) for i in spec["inputs"]],
        "state": [prop(s) for s in spec["state"]],
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


def fetch(client, path: str):
    """GET a path and close the response (files served from disk hold a handle)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def assert_no_traceback(response) -> None:
    body = response.get_data(as_text=True)
    assert not any(m in body for m in TRACEBACK_MARKERS), body[:500]


# ---------------------------------------------------------------- headers


def _assert_common(response, framed: bool = False) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in (
        "strict-origin-when-cross-origin", "strict-origin", "same-origin", "no-referrer",
    )  # fmt: skip
    d = directives(response)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"][0] == "'self'"
    assert all(s.startswith("'sha256-") for s in d["script-src"][1:])  # no inline/eval/hosts
    assert d["style-src"] == ["'self'", "'unsafe-inline'"]
    assert d["img-src"] == ["'self'", "data:"]
    assert d["font-src"] == d["connect-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'self'"]
    if not framed:
        assert d["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/assets/style.css",
        "/assets/vendor/plotly-iome.min.js",
        "/_dash-layout",
        "/_dash-dependencies",
        "/export/trends.svg?year=2001",
        "/export/map.bmp",
        "/export/nowhere.mp4?progress=1",
        "/data/articles.csv",
        "/data/articles.xlsx",
        "/healthz",
        "/no/such/page",
        "/upload/template.csv",
        "/upload/report.csv",
    ],
)
def test_security_headers_on_every_kind_of_response(client, path):
    response = fetch(client, path)
    assert response.status_code in (200, 400, 404)
    _assert_common(response)
    if path.startswith("/assets/"):
        assert "no-store" not in response.headers.get("Cache-Control", "")
    else:  # depends on the session's upload: never kept by a shared cache
        assert response.headers["Cache-Control"] == "no-store, private"
        assert "Cookie" in response.headers["Vary"]


def test_headers_on_component_suite_files_and_callback_responses(app, client):
    index = client.get("/").get_data(as_text=True)
    suite = re.search(r'src="(/_dash-component-suites/[^"]+\.js)"', index).group(1)
    _assert_common(fetch(client, suite))
    response = client.post(CALLBACK, json=callback_body(app, "about-modal.is_open", {
        "about-open.n_clicks": 1, "about-modal.is_open": False}))  # fmt: skip
    assert response.status_code == 200 and response.is_json
    _assert_common(response)
    _assert_common(client.post(CALLBACK, data=b"{nope", content_type="application/json"))


def test_index_allows_exactly_its_own_inline_scripts(client):
    """Dash's renderer bootstrap and clientside callbacks are inline: each is allowed by its
    SHA-256 (no 'unsafe-inline'); the JSON config block is data, not a script."""
    response = client.get("/")
    html = response.get_data(as_text=True)
    inline = [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
              if "src=" not in attrs and "application/json" not in attrs]  # fmt: skip
    assert inline, "expected Dash's inline bootstrap script"
    expected = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in inline
    }
    assert set(directives(response)["script-src"][1:]) == expected
    assert "'unsafe-inline'" not in directives(response)["script-src"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_embed_pages_are_framable_by_configured_origins_only(client, monkeypatch):
    response = client.get("/embed/flows")
    _assert_common(response, framed=True)
    assert directives(response)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in response.headers
    assert directives(response)["script-src"] == ["'self'"]  # its JSON block is not a script
    monkeypatch.setenv("IOME_EMBED_ORIGINS", "https://a.example, https://*.b.example:8443")
    response = client.get("/embed/map")
    assert directives(response)["frame-ancestors"] == [
        "https://a.example",
        "https://*.b.example:8443",
    ]
    assert client.get("/").headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "*"),
        ("   ", "*"),
        ("*", "*"),
        ("'self' https://x.org", "'self' https://x.org"),
        ("https://x.org; script-src *", "https://x.org *"),  # ';' cannot add a directive
        ("https://x.org\r\nSet-Cookie: a=b", "https://x.org"),
        ('"><script>', "'none'"),
        ("'unsafe-inline'", "'none'"),
    ],
)
def test_embed_origins_are_sanitised_source_expressions(monkeypatch, raw, expected):
    monkeypatch.setenv("IOME_EMBED_ORIGINS", raw)
    assert embed_origins() == expected
    assert ";" not in content_security_policy(embed_origins()).split("frame-ancestors")[1]


def test_inline_script_hashes_skip_external_and_data_scripts():
    page = ('<script src="/a.js"></script><script type="application/json">{"a":1}</script>'
            "<script>var x=1;</script><SCRIPT type='text/javascript'>y()</SCRIPT >")  # fmt: skip
    hashes = inline_script_hashes(page)
    assert len(hashes) == 2
    assert (
        hashes[0]
        == "'sha256-" + base64.b64encode(hashlib.sha256(b"var x=1;").digest()).decode() + "'"
    )


# ---------------------------------------------------------------- callback endpoint


MALFORMED = {
    "invalid JSON": b"{nope",
    "empty body": b"",
    "bad UTF-8": b'{"output": "\xff\xfe"}',
    "JSON list": b"[1, 2]",
    "JSON null": b"null",
    "JSON string": b'"about-modal.is_open"',
    "empty object": b"{}",
    "output not a string": json.dumps({"output": 5, "outputs": 5, "inputs": 5}).encode(),
    "unknown output": json.dumps(
        {
            "output": "nope.children",
            "outputs": {"id": "nope", "property": "children"},
            "inputs": [],
            "changedPropIds": [],
        }
    ).encode(),
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "NaN literal": b'{"output": NaN}',
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_callback_posts_get_a_4xx_without_traceback(client, name):
    response = client.post(CALLBACK, data=MALFORMED[name], content_type="application/json")
    assert 400 <= response.status_code < 500, (name, response.status_code)
    assert_no_traceback(response)


def _shape_mutations(body: dict) -> list[dict]:
    """Well-formed JSON, wrong shape: every field dropped, retyped or miscounted."""
    out = []
    for key in ("output", "outputs", "inputs", "state", "changedPropIds"):
        for junk in (None, 7, "x", {}, [], [None], [{"id": "x"}], [{"property": "x"}]):
            if body.get(key) != junk:
                out.append({**body, key: junk})
    out.append({**body, "inputs": body["inputs"] * 2})
    out.append({**body, "inputs": body["inputs"][:-1]})
    out.append({k: v for k, v in body.items() if k != "outputs"})
    return out


def test_wrongly_shaped_callback_bodies_get_400(app, client):
    checked = 0
    for output in app.callback_map:
        if "callback" not in app.callback_map[output]:  # clientside only
            continue
        for bad in _shape_mutations(callback_body(app, output, {})):
            if bad.get("changedPropIds") == [] or (bad.get("outputs") == [] and "ALL" in output):
                continue  # valid: an initial call, or a wildcard output matching nothing
            response = client.post(CALLBACK, json=bad)
            assert response.status_code == 400, (output, bad)
            assert_no_traceback(response)
            checked += 1
    assert checked > 250


def test_huge_callback_bodies_get_413(client):
    huge = b'{"output": "' + b"a" * (MAX_CALLBACK_BYTES + 1) + b'"}'
    response = client.post(CALLBACK, data=huge, content_type="application/json")
    assert response.status_code == 413
    assert_no_traceback(response)
    # without a Content-Length (chunked), the limit holds while reading
    response = client.post(CALLBACK, input_stream=io.BytesIO(huge),
                           content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True,
                                              "CONTENT_LENGTH": ""})  # fmt: skip
    assert response.status_code == 413


JUNK = [None, 0, -1, 10**30, 1.5, "", "x", "<script>window.__xss=1</script>", "%ff",
        "?year=1800&country=<b>", [], [1, "a"], {}, {"startRow": "x"}, {"points": "x"},
        {"range": {"x": ["a"]}}, True, "\x00", "a" * 5000]  # fmt: skip
SEARCH = "url.search"


def test_callbacks_with_junk_values_never_leak_a_traceback(app, client):
    """Right shape, wrong values (numbers for strings, lists for dicts, markup, huge text):
    a handled answer with no traceback, and the server keeps working. Callbacks that still
    fail with a 500 on such values are counted (IOME_FUZZ_REPORT) and listed in
    RELIABILITY.md; a 500 body is Flask's generic page."""
    rng = random.Random(7)
    server_errors: dict[str, int] = {}
    cases = 0
    for output in app.callback_map:
        if "callback" not in app.callback_map[output]:  # clientside only
            continue
        for _ in range(40):
            response = client.post(CALLBACK, json=callback_body(app, output, rng=rng))
            cases += 1
            assert response.status_code in (200, 204, 400, 500), response.status_code
            assert_no_traceback(response)
            if response.status_code >= 500:
                server_errors[output] = server_errors.get(output, 0) + 1
    ok = client.post(CALLBACK, json=callback_body(app, "filter-collapse.is_open", {
        "filter-toggle.n_clicks": 1, "filter-collapse.is_open": False}))  # fmt: skip
    assert ok.status_code == 200 and ok.get_json()["response"]["filter-collapse"]["is_open"]
    out = os.environ.get("IOME_FUZZ_REPORT")
    if out:
        with open(out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"check": "callback_junk_values", "cases": cases,
                                 "server_errors": server_errors}) + "\n")  # fmt: skip


def _url_renders(app) -> dict[str, str]:
    """The callbacks that draw the page for a URL: the state writer (first load, back
    button, a pasted link, a timeline step) and the render it falls back on."""
    found = {}
    for k, spec in app.callback_map.items():
        if "page-text" not in k:
            continue
        ids = {i["id"] for i in spec["inputs"]}
        if "url-changed" in ids:
            found["fallback"] = k
        elif "url" in ids:
            found["state writer"] = k
    assert set(found) == {"fallback", "state writer"}, found
    return found


@pytest.mark.parametrize("which", ["state writer", "fallback"])
@pytest.mark.parametrize("junk", JUNK)
def test_junk_url_search_gives_the_default_summaries(app, client, junk, which):
    """Regression: parse_query raised AttributeError on a non-string search (HTTP 500)."""
    output = _url_renders(app)[which]
    body = callback_body(app, output, {SEARCH: junk})
    response = client.post(CALLBACK, json=body)
    assert response.status_code == 200, (junk, response.status_code)
    expected = client.post(CALLBACK, json=callback_body(app, output, {SEARCH: ""}))

    def summaries_of(resp):
        return resp.get_json()["response"]["page-text"]["data"]["summaries"]

    assert summaries_of(response) and summaries_of(response) == summaries_of(expected)


def test_check_callback_body_without_a_callback_map_checks_shape_only():
    body = {"output": "a.b", "outputs": {"id": "a", "property": "b"},
            "inputs": [{"id": "c", "property": "d", "value": 1}], "changedPropIds": ["c.d"]}  # fmt: skip
    check_callback_body(body, None)
    with pytest.raises(Exception, match="must be a list"):
        check_callback_body({**body, "inputs": "x"}, None)


# ---------------------------------------------------------------- debug stays off


def test_debug_and_dev_tools_are_off_even_with_flask_debug_in_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(DEMO_PATH)
    assert app.server.debug is False
    client = app.server.test_client()
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>',
                                  client.get("/").get_data(as_text=True)).group(1))  # fmt: skip
    assert config.get("ui") is False and config.get("props_check") is False
    assert "hot_reload" not in config
    response = client.post(CALLBACK, json={"output": "about-modal.is_open"})
    assert response.status_code == 400
    assert_no_traceback(response)


@pytest.mark.parametrize(("argv", "debug"), [(["serve"], False), (["serve", "--debug"], True)])
def test_serve_turns_debug_on_only_with_the_flag(monkeypatch, argv, debug):
    import dash

    calls = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: calls.append((self, kw)))
    monkeypatch.setenv("IOME_DATA", str(DEMO_PATH))  # restored after the test
    assert cli.main(argv) == 0
    ((app, kwargs),) = calls
    assert kwargs["debug"] is debug
    assert app.server.debug is False  # until app.run turns it on for --debug
