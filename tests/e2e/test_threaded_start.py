"""Threaded gunicorn workers answer their very first requests correctly when they arrive
all at once: Dash's own set-up and modules imported on first use are done before the
workers fork (the soak found "dash is not a registered library" and a half-imported
PIL.Image when they were not)."""

from __future__ import annotations

import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.faults import _get
from bench.server import Server
from evidence import DEMO_PATH

# Timing and memory figures: run alone, not beside other tests (see the Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.serial]


def test_first_requests_at_once_on_fresh_workers_all_succeed(tmp_path):
    for attempt in range(2):  # two fresh servers: the race needs untouched workers
        with Server(DEMO_PATH, workers=2, log_dir=tmp_path) as server:
            # /healthz (the readiness probe) touched at most one worker; the other is fresh
            with urllib.request.urlopen(server.url + "/", timeout=30) as r:
                page = r.read().decode()
            scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
            assert len(scripts) >= 3, page[:500]
            urls = [server.url + p for p in ["/", "/_dash-layout", "/_dash-dependencies"]]
            urls += [server.url + s for s in scripts]
            urls *= 3
            with ThreadPoolExecutor(24) as pool:
                answers = list(pool.map(lambda u: (u, _get(u, timeout=60)[0]), urls))
            failed = [(u, status) for u, status in answers if status != 200]
            assert failed == [], (attempt, failed)
            log = server.log_path.read_text(errors="replace")
            assert "Traceback" not in log, log[-3000:]
