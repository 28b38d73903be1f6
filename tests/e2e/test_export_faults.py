"""Image exports cannot take the site down: gunicorn with two workers, ten concurrent
4000×4000 exports, with the browser missing, hung or present. The dashboard page and
/healthz keep answering (p95 under 1 s), exports answer 503 + Retry-After with a plain
message when no picture can be made, and a rendered picture is served from the cache."""

from __future__ import annotations

import stat
import urllib.request

import pytest

from bench.faults import _get, export_burst
from bench.server import Server
from evidence import DEMO_PATH

# Timing and memory figures: run alone, not beside other tests (see the Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.serial]

MESSAGE = "Image export needs Chromium (apt-get install chromium)"


def _health(url: str) -> dict:
    import json

    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        return json.loads(r.read())


def _assert_site_kept_answering(result: dict) -> None:
    for path in ("/", "/healthz"):
        probe = result[path]
        assert probe["probes"] >= 10, result
        assert probe["errors"] == 0, result
        assert probe["p95_ms"] < 1000, result


def test_missing_browser_answers_503_at_once_and_the_site_keeps_serving(tmp_path):
    env = {"BROWSER_PATH": "/nonexistent/chromium"}
    with Server(DEMO_PATH, workers=2, log_dir=tmp_path, env=env) as server:
        result = export_burst(server.url, n=10, min_probe_s=3)
        assert result["export_statuses"] == [503] * 10, result
        assert result["export_seconds_max"] < 1.0, result
        assert result["retry_after"] == ["300"], result
        assert all(MESSAGE in m for m in result["messages"]), result
        _assert_site_kept_answering(result)
        renderer = _health(server.url)["renderer"]
        assert renderer["state"] == "unavailable" and renderer["browser"] == "missing"
        # data downloads do not need the browser
        status, _, _, body = _get(server.url + "/data/articles.csv", timeout=10)
        assert status == 200 and body.count(b"\n") > 300


def test_hung_browser_answers_503_within_a_second(tmp_path):
    hung = tmp_path / "chromium"
    hung.write_text("#!/bin/sh\nsleep 600\n")
    hung.chmod(hung.stat().st_mode | stat.S_IXUSR)
    with Server(DEMO_PATH, workers=1, log_dir=tmp_path, env={"BROWSER_PATH": str(hung)}) as s:
        status, seconds, headers, body = _get(s.url + "/export/trends.png", timeout=30)
        assert status == 503 and seconds < 1.5, (status, seconds)
        assert MESSAGE in body.decode() and "did not answer" in body.decode()
        assert int(headers["Retry-After"]) >= 1
        # cooling down: the next request does not wait for the browser again
        status, seconds, _, _ = _get(s.url + "/export/map.svg", timeout=30)
        assert status == 503 and seconds < 0.5
        assert _health(s.url)["renderer"]["state"] == "failing"
        assert _get(s.url + "/", timeout=5)[0] == 200


def test_ten_large_exports_queue_or_refuse_and_the_site_keeps_serving(tmp_path):
    with Server(DEMO_PATH, workers=2, log_dir=tmp_path) as server:
        result = export_burst(server.url, n=10, min_probe_s=3)
        statuses = result["export_statuses"]
        assert set(statuses) <= {200, 503}, result
        assert statuses.count(200) >= 2, result  # at least one render per worker
        if 503 in statuses:
            assert result["retry_after"], result
            assert all("busy" in m for m in result["messages"]), result
        _assert_site_kept_answering(result)


def test_a_picture_is_rendered_once_for_every_worker_with_a_shared_cache(tmp_path, redis_url):
    env = {"IOME_CACHE": redis_url}
    with Server(DEMO_PATH, workers=2, log_dir=tmp_path, env=env) as server:
        url = f"{server.url}/export/trends.png?width=2400&height=1350&year=2005-2015"
        first = _get(url, timeout=120)
        assert first[0] == 200 and first[3].startswith(b"\x89PNG")
        for _ in range(6):  # whichever worker answers, the picture comes from Redis
            status, seconds, _, body = _get(url, timeout=120)
            assert status == 200 and body == first[3] and seconds < 1.0
        # another size is another picture
        other = _get(url.replace("2400", "1600"), timeout=120)
        assert other[0] == 200 and other[3] != first[3]
