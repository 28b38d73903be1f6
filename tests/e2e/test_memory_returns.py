"""Memory returns after load (issue 24): a burst of picture exports against a served app,
then the renderer's idle shutdown (``IOME_RENDER_IDLE``, short here) closes each worker's
Chromium, and the RSS of the whole server process tree comes back within 20 % of its idle
figure measured before the burst. The next export starts the browser again."""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench.server import ROOT, Server
from evidence import DEMO_PATH
from evidence.render import browser_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.serial,
    pytest.mark.skipif(browser_path() is None, reason="needs Chromium (apt-get install chromium)"),
]
IDLE_S = 3.0
BURST = 12  # picture exports, two at a time


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants (from /proc), in MB."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total_kb = 0
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def fetch(url: str, timeout: float = 60) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except OSError as exc:
        return getattr(exc, "code", 0)


def test_rss_returns_within_20_percent_of_idle_after_an_export_burst(tmp_path, record_property):
    env = {"IOME_RENDER_IDLE": str(IDLE_S), "PYTHONPATH": str(ROOT)}
    with Server(DEMO_PATH, workers=1, log_dir=tmp_path, env=env) as server:
        for _ in range(3):  # pages and the data route warm the worker as a visitor would
            assert fetch(server.url + "/") == 200
            assert fetch(server.url + "/data/articles.csv") == 200
        time.sleep(1.0)
        idle = tree_rss_mb(server.proc.pid)
        statuses: list[int] = []

        def exports(k: int):
            for i in range(BURST // 2):
                w = 400 + 40 * (2 * i + k)  # distinct sizes: no cached answer
                statuses.append(fetch(f"{server.url}/export/map.png?width={w}&height=300"))

        threads = [threading.Thread(target=exports, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        peak = tree_rss_mb(server.proc.pid)
        assert statuses.count(200) >= BURST // 2, statuses
        deadline, after = time.monotonic() + IDLE_S + 20, peak
        while time.monotonic() < deadline:
            time.sleep(1.0)
            after = tree_rss_mb(server.proc.pid)
            if after <= idle * 1.2:
                break
        record_property("rss_mb", {"idle": idle, "peak": peak, "after": after})
        logging.getLogger(__name__).warning(
            f"RSS idle {idle:.0f} MB, after burst {peak:.0f} MB, after idle close {after:.0f} MB"
        )
        assert peak > idle * 1.2, "the burst should have started a browser"
        assert after <= idle * 1.2, (idle, peak, after)
        assert fetch(f"{server.url}/export/map.png?width=420&height=300") == 200  # starts again
