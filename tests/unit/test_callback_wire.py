"""A click's request around the callback (issue 27): the body parsed once, the answer
gzipped at the cheaper measured level, nothing weaker than before.

Through Flask's test client with the real state writer's body (bench.replay_clicks).
"""

from __future__ import annotations

import gzip
import json

import pytest

from app import create_app
from bench.replay_clicks import Bodies
from components.security import CALLBACK_GZIP_LEVEL
from evidence import DEMO_PATH

CALLBACK = "/_dash-update-component"
JSON_GZIP = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def app():
    return create_app(DEMO_PATH)


@pytest.fixture(scope="module")
def click(app):
    return Bodies(app).click("?region=Africa", "")


def test_answer_gzipped_at_the_callback_level_and_same_json(app, click):
    client = app.server.test_client()
    plain = client.post(CALLBACK, data=click, headers={"Content-Type": "application/json"})
    zipped = client.post(CALLBACK, data=click, headers=JSON_GZIP)
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["Vary"].lower()
    body = gzip.decompress(zipped.data)
    assert json.loads(body) == json.loads(plain.data)
    # the level actually used: same size as gzip at CALLBACK_GZIP_LEVEL, not level 6
    assert len(zipped.data) == len(gzip.compress(body, CALLBACK_GZIP_LEVEL))
    assert len(zipped.data) != len(gzip.compress(body, 6))


def test_other_encodings_left_to_flask_compress(app, click):
    client = app.server.test_client()
    answer = client.post(
        CALLBACK, data=click, headers={**JSON_GZIP, "Accept-Encoding": "zstd, br, gzip"}
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] in ("zstd", "br")  # Flask-Compress's choice


def test_body_parsed_once(app, click, monkeypatch):
    """Dash reads the guard's parse: Flask's own JSON loader is never called."""

    def refuse(*_a, **_k):
        raise AssertionError("the body was parsed a second time")

    monkeypatch.setattr(app.server.json, "loads", refuse)
    answer = app.server.test_client().post(CALLBACK, data=click, headers=JSON_GZIP)
    assert answer.status_code == 200, answer.data[:200]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"output": NaN}', "application/json", 400),
        (b'"\\ud800"', "application/json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (None, "text/plain", 415),  # a cross-site form post never reaches a callback
    ],
)
def test_not_json_still_rejected(app, click, body, content_type, status):
    answer = app.server.test_client().post(
        CALLBACK, data=click if body is None else body, headers={"Content-Type": content_type}
    )
    assert answer.status_code == status
    assert b"Traceback" not in answer.data


def test_output_check_remembered_but_never_skips_a_mismatch():
    from dash import Output
    from dash._validate import validate_output_spec as dash_check
    from dash.exceptions import CallbackException

    from components.dispatch import remembering

    calls = []

    def counted(*args):
        calls.append(args)
        return dash_check(*args)

    check = remembering(counted)
    declared = [Output("a", "children"), Output("b", "figure")]
    spec = [{"id": "a", "property": "children"}, {"id": "b", "property": "figure"}]
    check(declared, spec, Output)
    check(declared, [dict(s) for s in spec], Output)
    assert len(calls) == 1  # the same shape again: not re-checked
    wrong = [{"id": "a", "property": "children"}, {"id": "c", "property": "figure"}]
    for _ in range(2):  # a failing shape is never remembered
        with pytest.raises(CallbackException):
            check(declared, wrong, Output)
    other = [Output("a", "children"), Output("c", "figure")]
    with pytest.raises(CallbackException):  # the same spec under another callback
        check(other, spec, Output)
