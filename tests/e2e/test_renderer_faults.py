"""The renderer under faults (issue 24): a browser killed mid-render, a render cancelled
inside kaleido, a figure that fails on its own content, a browser that cannot start;
Chromium killed mid-render 20 times under gunicorn (serial: it has the machine to itself).
Each answers RendererUnavailable (503) and never escapes as a BaseException."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.server import ROOT, Server
from evidence import DEMO_PATH
from evidence.render import (
    IDLE_CHECK_S,
    Renderer,
    RendererUnavailable,
    RenderFailed,
    RenderSettings,
    browser_path,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(browser_path() is None, reason="needs Chromium (apt-get install chromium)"),
]
FIGURE = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {}}


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(RenderSettings(cooldown=0.0, render_timeout=20))
    yield r
    r.close()


def test_control_characters_in_a_figure_make_valid_svg(renderer):
    figure = {**FIGURE, "layout": {"title": {"text": "ctl\x01name\x1b\x85 \ud800.csv"}}}
    svg = renderer.render(figure, "svg", 400, 300)
    ET.fromstring(svg)
    assert b"ctlname" in svg


def test_a_figure_failing_on_its_content_does_not_stop_other_exports(renderer, monkeypatch):
    renderer.render(FIGURE, "png", 200, 150)
    real = renderer._kaleido.calc_fig

    async def broken(*args, **kwargs):
        raise ValueError("bad figure")

    monkeypatch.setattr(renderer._kaleido, "calc_fig", broken)
    with pytest.raises(RenderFailed):
        renderer.render(FIGURE, "png", 200, 150)
    assert renderer.status()["state"] != "failing"
    renderer.check()  # no cool-down for the others
    assert real is not None
    assert renderer.render(FIGURE, "png", 200, 150).startswith(b"\x89PNG")


def test_a_render_cancelled_inside_kaleido_answers_unavailable(renderer, monkeypatch):
    renderer.render(FIGURE, "png", 200, 150)

    async def cancelled(*args, **kwargs):
        raise asyncio.CancelledError

    monkeypatch.setattr(renderer._kaleido, "calc_fig", cancelled)
    with pytest.raises(RendererUnavailable):
        renderer.render(FIGURE, "png", 200, 150)


def test_a_browser_that_died_while_idle_is_started_again_without_a_failure(renderer):
    """Chromium killed between renders: the next render starts a fresh browser and
    succeeds (no 503, no cool-down for everyone)."""
    renderer.render(FIGURE, "png", 200, 150)
    failures = renderer.status()["failures"]
    for pid in renderer._own_browsers():
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while renderer._own_browsers() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(max(0.0, IDLE_CHECK_S - (time.monotonic() - renderer._last_used)))  # idle
    assert renderer.render(FIGURE, "png", 200, 150).startswith(b"\x89PNG")
    assert renderer.status()["failures"] == failures
    assert renderer.status()["state"] == "ready"


KILLS = 20


def children(pid: int) -> dict[int, str]:
    """The direct children of ``pid`` and their command lines (from /proc)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out[int(entry.name)] = cmdline
    return out


def renderer_state(url: str) -> dict:
    with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
        return json.loads(response.read())["renderer"]


def export_status(url: str, box: list) -> None:
    """GET ``url``; its status (0 for a dropped connection) appended to ``box``."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            box.append(response.status)
    except urllib.error.HTTPError as exc:
        box.append(exc.code)
    except OSError:
        box.append(0)


def kill_mid_render(url: str, worker: int, browser: str) -> None:
    """Once ``worker``'s browser has started and a render is under way, SIGKILL it. Few
    /healthz polls (the browser's start is watched in /proc): a worker is replaced after
    1000 requests, which would hide whether the kills did it."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not any(
        browser in cmdline for cmdline in children(worker).values()
    ):
        time.sleep(0.05)
    while time.monotonic() < deadline:
        state = renderer_state(url)
        if state["state"] == "ready" and state["active"] == 1:
            break
        time.sleep(0.2)
    for pid, cmdline in children(worker).items():
        if browser in cmdline:
            os.killpg(pid, signal.SIGKILL)


@pytest.mark.serial
def test_chromium_killed_mid_render_20_times_leaves_the_worker_serving(tmp_path):
    """Issue 24 (5): each kill answers its request 503, never a dropped connection or a
    500; the worker is the same process after 20 kills; the next export works."""
    env = {"PYTHONPATH": str(ROOT), "IOME_RENDER_COOLDOWN": "0", "IOME_RENDER_TIMEOUT": "20"}
    browser = browser_path()
    with Server(DEMO_PATH, workers=1, log_dir=tmp_path, env=env) as server:
        (worker,) = children(server.proc.pid)
        statuses: list[int] = []
        for i in range(KILLS):
            size = 3000 + i  # a render of a second or so; never a cached answer
            box: list[int] = []
            url = f"{server.url}/export/map.png?width={size}&height={size}"
            thread = threading.Thread(target=export_status, args=(url, box))
            thread.start()
            kill_mid_render(server.url, worker, browser)
            thread.join(60)
            statuses += box
        assert list(children(server.proc.pid)) == [worker], "the worker was replaced"
        assert statuses == [503] * KILLS, statuses
        box = []
        export_status(f"{server.url}/export/map.png?width=400&height=300", box)
        assert box == [200]
        assert renderer_state(server.url)["failures"] >= KILLS


def test_the_browser_is_recycled_after_its_renders():
    """Chromium's memory returns: after `recycle` renders the browser is stopped, and the
    next render starts a fresh one."""
    r = Renderer(RenderSettings(recycle=1))
    try:
        assert r.render(FIGURE, "png", 200, 150).startswith(b"\x89PNG")
        assert r._kaleido is None and not r._own_browsers()
        assert r.status()["state"] == "idle"
    finally:
        r.close()


@pytest.mark.parametrize(
    ("failure", "words"),
    [(OSError(28, "No space left on device"), "no space left in the temporary folder"),
     (asyncio.CancelledError(), "stopped while starting")],
)  # fmt: skip
def test_a_browser_that_cannot_start_says_why_not_install_chromium(monkeypatch, failure, words):
    """A full TMPDIR or a browser killed while starting is not a missing Chromium."""
    import kaleido

    class Broken:
        def __init__(self, *args, **kwargs):
            pass

        async def open(self):
            raise failure

    monkeypatch.setattr(kaleido, "Kaleido", Broken)
    r = Renderer(RenderSettings(cooldown=30))
    try:
        with pytest.raises(RendererUnavailable) as info:
            r.render(FIGURE, "png", 200, 150)
        assert words in str(info.value) and "apt-get install" not in str(info.value)
        assert words in r.status()["last_error"]
    finally:
        r.close()
