"""A hung Redis (SIGSTOP) costs milliseconds, not seconds (issue 24): uploads answer
"unavailable" within a second, pages draw, /healthz says what is wrong."""

from __future__ import annotations

import io
import logging
import os
import signal
import time

from app import create_app
from evidence import DEMO_PATH

ROWS = "\n".join(DEMO_PATH.read_text(encoding="utf-8").splitlines()[:6]).encode() + b"\n"


def upload(client):
    return client.post(
        "/upload", data={"file": (io.BytesIO(ROWS), "team.csv")},
        headers={"X-IoME-Upload": "1"}, content_type="multipart/form-data",
    )  # fmt: skip


def timed(call):
    start = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - start


def test_a_stopped_redis_degrades_uploads_in_under_a_second(own_redis, monkeypatch, tmp_path):
    proc, url = own_redis
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("IOME_RATE_LIMITS", "off")
    server = create_app(cache_url=url).server
    visitor, member = server.test_client(), server.test_client()
    loaded = upload(member)
    assert loaded.status_code == 200
    assert member.get(loaded.json["link"].replace("/?", "/healthz?")).json["articles"] == 5
    assert member.get("/healthz").json["uploads"] == {
        "kind": "redis",
        "state": "ok",
        "last_error": None,
        "aof": False,
    }  # fmt: skip  (the test's Redis runs without persistence: /healthz says so)
    os.kill(proc.pid, signal.SIGSTOP)
    page_seconds = []
    for _ in range(8):
        answer, seconds = timed(lambda: visitor.get("/"))
        assert answer.status_code == 200
        page_seconds.append(seconds)
    answer, upload_seconds = timed(lambda: upload(member))
    assert answer.status_code == 503 and answer.json["code"] == "store_unavailable"
    health, health_seconds = timed(lambda: member.get("/healthz"))
    assert health.status_code == 200 and health.json["uploads"]["state"] == "unavailable"
    data, data_seconds = timed(lambda: member.get("/data/articles.csv"))
    assert data.status_code == 200  # the default data, said so, never an error page
    page_seconds.sort()
    logging.getLogger(__name__).warning(
        f"hung Redis: / {page_seconds[0]:.3f}-{page_seconds[-1]:.3f} s, upload {upload_seconds:.3f}"
        f" s, /healthz {health_seconds:.3f} s, data {data_seconds:.3f} s"
    )
    assert page_seconds[int(0.95 * (len(page_seconds) - 1))] < 1.0, page_seconds
    assert upload_seconds < 1.0 and health_seconds < 1.0 and data_seconds < 1.0, (
        upload_seconds, health_seconds, data_seconds,
    )  # fmt: skip
