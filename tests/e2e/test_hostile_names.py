"""A control character in an upload's file name (issue 24): that session's SVG is valid
XML, its PDF and deck are made, and nobody else's exports are switched off."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from app import create_app
from evidence import DEMO_PATH
from evidence.render import browser_path, default_renderer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(browser_path() is None, reason="needs Chromium (apt-get install chromium)"),
]

NAME = "ctl\x01name\x1b[31m\x85.csv"


def test_a_control_character_in_a_file_name_breaks_no_export(tmp_path, monkeypatch):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    app = create_app()
    mine, theirs = app.server.test_client(), app.server.test_client()
    content = b"".join(DEMO_PATH.read_bytes().splitlines(keepends=True)[:30])
    answer = mine.post(
        "/upload", data={"file": (io.BytesIO(content), NAME)},
        headers={"X-IoME-Upload": "1"}, content_type="multipart/form-data",
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json["articles"] == 29
    assert "\x01" not in answer.json["filename"] and "\x85" not in answer.json["filename"]
    key = answer.json["link"].split("?", 1)[1]  # the upload's links name it
    svg = mine.get(f"/export/trends.svg?{key}")
    assert svg.status_code == 200, svg.data[:300]
    ET.fromstring(svg.data)  # valid XML
    assert b"\x01" not in svg.data
    pdf = mine.get(f"/export/trends.pdf?{key}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF"), pdf.data[:300]
    deck = mine.get(f"/export/deck.pptx?{key}")
    assert deck.status_code == 200 and deck.data.startswith(b"PK"), deck.data[:300]
    png = theirs.get("/export/map.png?width=400&height=300")
    assert png.status_code == 200, png.data[:300]
    assert default_renderer().status()["state"] == "ready"
