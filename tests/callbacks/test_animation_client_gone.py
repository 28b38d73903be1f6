"""No render continues after its client closed (issue 24): an animation asked for
without a progress stream writes nothing until its file is made, yet it stops drawing
frames within a frame or two of its client hanging up. A real threaded HTTP server and a
raw socket (the client really goes away); frames are drawn by a counting stand-in for
Chromium, so the test needs no browser and takes a few seconds."""

from __future__ import annotations

import io
import socket
import threading
import time

import pandas as pd
import pytest
from PIL import Image
from werkzeug.serving import make_server

import components.routes
import evidence.animate
from app import create_app
from evidence import DEMO_PATH

FRAME_S = 0.15


class Permissive:
    """A renderer that always has room (the frames are drawn by fake_frame)."""

    def check(self, probe: bool = False) -> None:
        pass

    def admit(self) -> None:
        pass

    def status(self) -> dict:
        return {}


def png(colour="white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def served(monkeypatch):
    """(the server's port, the list of frames drawn so far, the app's animation jobs)."""
    drawn: list[float] = []
    picture = png()

    def fake_frame(fig, fmt, width, height, scale=1):
        time.sleep(FRAME_S)
        drawn.append(time.monotonic())
        return picture

    monkeypatch.setattr(evidence.animate, "render_image", fake_frame)
    monkeypatch.setattr(components.routes, "default_renderer", Permissive)
    server = create_app(DEMO_PATH).server
    httpd = make_server("127.0.0.1", 0, server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port, drawn, server.extensions["iome_animation_jobs"]
    httpd.shutdown()
    thread.join(10)


def test_a_plain_animation_stops_drawing_when_its_client_hangs_up(served):
    port, drawn, jobs = served
    years = pd.read_csv(DEMO_PATH, usecols=["year"])["year"]
    frames = int(years.max() - years.min() + 1)  # one frame a year, up to each year
    assert frames * FRAME_S > 2.5  # long enough that stopping early shows
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(b"GET /export/trends.gif?width=320&height=240 HTTP/1.1\r\n"
                   b"Host: 127.0.0.1\r\n\r\n")  # fmt: skip
    deadline = time.monotonic() + 30
    while len(drawn) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(drawn) >= 2, "the animation never started drawing"
    client.close()  # the client is gone; the server has written nothing yet
    closed = time.monotonic()
    deadline = closed + 5
    while jobs.running() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(3 * FRAME_S)
    after_close = [t for t in drawn if t > closed]
    assert jobs.running() == 0, "the animation job was still held after its client left"
    assert len(after_close) <= 2, f"{len(after_close)} frames drawn after the client left"
    assert len(drawn) < frames, (len(drawn), frames)


def test_a_plain_animation_whose_client_waits_gets_its_file(monkeypatch):
    """The same job path, client still there: the GIF, one frame a year asked for."""
    drawn: list[float] = []

    def frame(*args, **kwargs):  # a different picture each frame (equal ones are merged)
        drawn.append(time.monotonic())
        return png(colour=(40 * len(drawn), 0, 0))

    monkeypatch.setattr(evidence.animate, "render_image", frame)
    monkeypatch.setattr(components.routes, "default_renderer", Permissive)
    server = create_app(DEMO_PATH).server
    answer = server.test_client().get("/export/trends.gif?width=320&height=240&year=2018-2020")
    assert answer.status_code == 200 and answer.mimetype == "image/gif"
    assert Image.open(io.BytesIO(answer.data)).n_frames == 3 == len(drawn)
    assert server.extensions["iome_animation_jobs"].running() == 0
