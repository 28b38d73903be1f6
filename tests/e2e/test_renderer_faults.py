"""The renderer under faults (issue 24): a browser killed mid-render, a render cancelled
inside kaleido, a figure that fails on its own content, a browser that cannot start.
Each answers RendererUnavailable (503) and never escapes as a BaseException."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from evidence.render import (
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


def test_chromium_killed_mid_render_never_escapes(renderer):
    """The worker's thread gets an answer each time: a picture or RendererUnavailable."""
    big = {"data": [{"type": "scatter", "x": list(range(20_000)), "y": list(range(20_000)),
                     "mode": "markers"}] * 8, "layout": {}}  # fmt: skip
    outcomes: list = []
    for _ in range(3):

        def work(result=outcomes):
            try:
                result.append(renderer.render(big, "pdf", 2000, 2000)[:4])
            except RendererUnavailable as exc:
                result.append(type(exc).__name__)
            except BaseException as exc:  # what must never happen
                result.append(f"escaped {type(exc).__name__}")

        thread = threading.Thread(target=work)
        thread.start()
        deadline = time.monotonic() + 20
        while not renderer._own_browsers() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        for pid in renderer._own_browsers():
            os.killpg(pid, signal.SIGKILL)
        thread.join(30)
        assert not thread.is_alive()
    assert len(outcomes) == 3 and not [o for o in outcomes if str(o).startswith("escaped")]


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
