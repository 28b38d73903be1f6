"""A burst of animation exports cannot take the site down (issue 24): five client
addresses ask for a GIF every second (with a progress stream or plain) while a probe
fetches `/` every 0.5 s. The home page stays fast, excess animations are refused at once
with 429 / 503 + Retry-After, an animation whose client went away stops drawing, and the
server's memory comes back within 20 % of its idle figure once the browsers have closed.
Figures: RELIABILITY.md section 13."""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.request

import pytest

from bench.faults import _get, p95
from bench.server import ROOT, Server
from evidence import DEMO_PATH
from evidence.render import browser_path

# Timing figures: run alone, not beside other tests (see the Makefile).
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.serial,
    pytest.mark.skipif(browser_path() is None, reason="needs Chromium (apt-get install chromium)"),
]
CLIENTS = 5
BURST_S = 8.0
IDLE_S = 3.0  # a worker's browser closes after this long without a render


def ask_and_leave(url: str, address: str, i: int, plain: int) -> tuple[int, str | None]:
    """One animation, with progress (read the status and the first line) or ``plain``
    (wait a second for the file), then hang up."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(
            "GET", f"/export/trends.gif?{'' if plain else 'progress=1&'}width=320&height=240"
            f"&year=2000-{2010 + i}",
            headers={"X-Forwarded-For": address},
        )  # fmt: skip
        connection.sock.settimeout(1.0 if plain else 10)
        response = connection.getresponse()
        if response.status == 200:
            response.readline()
        return response.status, response.getheader("Retry-After")
    except TimeoutError:
        return (200, None) if plain else (0, None)  # plain: still drawing; leave
    except OSError:
        return 0, None
    finally:
        connection.close()  # the client is gone


def health(url: str) -> dict:
    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        return json.loads(r.read())


def warm_rss(server: Server) -> float:
    """The server's RSS once pages and the data route have been served, as a visitor
    would (no browser started yet), in MB."""
    for _ in range(3):
        assert _get(server.url + "/", timeout=30)[0] == 200
        assert _get(server.url + "/data/articles.csv", timeout=30)[0] == 200
    time.sleep(1.0)
    return server.memory()["rss_mb"]


def test_an_animation_burst_costs_renders_not_pages(tmp_path, record_property):
    env = {"IOME_RATE_LIMITS": "on", "IOME_PROXY_HOPS": "1", "IOME_RATE_EXPORT": "60 per minute",
           "IOME_RENDER_IDLE": str(IDLE_S), "PYTHONPATH": str(ROOT)}  # fmt: skip
    with Server(DEMO_PATH, workers=2, log_dir=tmp_path, env=env) as server:
        idle_rss = warm_rss(server)
        stop, pages, answers = threading.Event(), [], []

        def probe():
            while not stop.is_set():
                status, seconds, _, _ = _get(server.url + "/", timeout=10)
                pages.append((status, seconds))
                time.sleep(0.5)

        def client(k: int):
            end, i = time.monotonic() + BURST_S, 0
            while time.monotonic() < end:
                answers.append(ask_and_leave(server.url, f"10.0.0.{k + 1}", i, plain=k % 2))
                i += 1
                time.sleep(1.0)

        threads = [threading.Thread(target=probe)]
        threads += [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads[1:]:
            t.join(BURST_S + 30)
        # every client has gone: each worker's animations stop within a frame or two
        deadline, idle = time.monotonic() + 20, 0
        while time.monotonic() < deadline and idle < 4:
            idle = idle + 1 if health(server.url)["animations"] == 0 else 0
            time.sleep(0.25)
        stop.set()
        threads[0].join(15)
        after_rss = rss_after_idle_close(server, idle_rss)
    statuses = [s for s, _ in answers]
    seconds = sorted(s for _, s in pages)
    figures = {"pages": len(pages), "page_p95_s": round(p95(seconds), 3),
               "page_max_s": round(seconds[-1], 3), "statuses": sorted(statuses),
               "rss_idle_mb": idle_rss, "rss_after_mb": after_rss}  # fmt: skip
    record_property("burst", figures)
    logging.getLogger(__name__).warning(f"animation burst: {figures}")
    assert idle >= 4, "animations kept running after their clients had gone"
    assert all(status == 200 for status, _ in pages) and len(pages) >= 10, pages
    assert 429 in statuses and 0 not in statuses and 500 not in statuses, statuses
    refused = [retry for status, retry in answers if status in (429, 503)]
    assert all(retry and int(retry) > 0 for retry in refused), answers
    assert p95(seconds) < 1.0, figures
    assert after_rss <= idle_rss * 1.2, figures


def rss_after_idle_close(server: Server, idle_rss: float) -> float:
    """The server's RSS once each worker's browser has closed for idleness (up to
    IDLE_S + 20 s), in MB."""
    deadline, after = time.monotonic() + IDLE_S + 20, server.memory()["rss_mb"]
    while time.monotonic() < deadline and after > idle_rss * 1.2:
        time.sleep(1.0)
        after = server.memory()["rss_mb"]
    return after
