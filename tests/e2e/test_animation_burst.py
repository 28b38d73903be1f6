"""A burst of animation exports cannot take the site down (issue 24): five client
addresses ask for a GIF every second while a probe fetches `/` every 0.5 s. The home
page stays fast, excess animations are refused at once with 429 / 503 + Retry-After,
and an animation whose client went away stops drawing."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request

import pytest

from bench.faults import _get, p95
from bench.server import Server
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


def ask_and_leave(url: str, address: str, i: int) -> tuple[int, str | None]:
    """One animation with progress: read the status and the first line, then hang up."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(
            "GET", f"/export/trends.gif?progress=1&width=320&height=240&year=2000-{2010 + i}",
            headers={"X-Forwarded-For": address},
        )  # fmt: skip
        response = connection.getresponse()
        if response.status == 200:
            response.readline()
        return response.status, response.getheader("Retry-After")
    except OSError:
        return 0, None
    finally:
        connection.close()  # the client is gone


def health(url: str) -> dict:
    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        return json.loads(r.read())


def test_an_animation_burst_costs_renders_not_pages(tmp_path):
    env = {"IOME_RATE_LIMITS": "on", "IOME_PROXY_HOPS": "1", "IOME_RATE_EXPORT": "60 per minute"}
    with Server(DEMO_PATH, workers=2, log_dir=tmp_path, env=env) as server:
        stop, pages, answers = threading.Event(), [], []

        def probe():
            while not stop.is_set():
                status, seconds, _, _ = _get(server.url + "/", timeout=10)
                pages.append((status, seconds))
                time.sleep(0.5)

        def client(k: int):
            end, i = time.monotonic() + BURST_S, 0
            while time.monotonic() < end:
                answers.append(ask_and_leave(server.url, f"10.0.0.{k + 1}", i))
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
    statuses = [s for s, _ in answers]
    assert idle >= 4, "animations kept running after their clients had gone"
    assert all(status == 200 for status, _ in pages) and len(pages) >= 10, pages
    assert 429 in statuses and 0 not in statuses and 500 not in statuses, statuses
    refused = [retry for status, retry in answers if status in (429, 503)]
    assert all(retry and int(retry) > 0 for retry in refused), answers
    assert p95([seconds for _, seconds in pages]) < 1.0, (sorted(s for _, s in pages), statuses)
