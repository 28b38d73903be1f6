"""Per-client rate limits on uploads, image exports and data downloads, through the real
Flask routes; counters in memory and in a real Redis shared by two app instances (two
workers), and a Redis outage that must not take the routes down."""

from __future__ import annotations

import io

import pytest

from app import create_app
from bench.server import free_port
from components.limits import DEFAULT_LIMITS, limits_from_env
from evidence import DEMO_PATH

ROWS = "\n".join(DEMO_PATH.read_text(encoding="utf-8").splitlines()[:4]).encode() + b"\n"


@pytest.fixture
def limited(monkeypatch, tmp_path):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("IOME_RATE_LIMITS", "on")
    monkeypatch.setenv("IOME_RATE_UPLOAD", "3 per minute")
    monkeypatch.setenv("IOME_RATE_EXPORT", "2 per minute")
    monkeypatch.setenv("IOME_RATE_DATA", "4 per minute")


def upload(client, addr="127.0.0.1"):
    return client.post(
        "/upload",
        data={"file": (io.BytesIO(ROWS), "team.csv")},
        headers={"X-IoME-Upload": "1", "Origin": "http://localhost"},
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": addr},
    )


def test_limits_are_on_by_default(monkeypatch):
    monkeypatch.delenv("IOME_RATE_LIMITS", raising=False)
    assert limits_from_env() == DEFAULT_LIMITS
    monkeypatch.setenv("IOME_RATE_LIMITS", "off")
    assert limits_from_env() is None


def test_uploads_over_the_limit_answer_429_with_retry_after(limited):
    client = create_app().server.test_client()
    statuses = [upload(client).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    over = upload(client)
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert "Too many uploads" in over.get_data(as_text=True)
    # another address is counted on its own
    assert upload(client, addr="127.0.0.9").status_code == 200


def test_exports_and_data_have_their_own_limits(limited):
    client = create_app().server.test_client()
    # a 400 (unknown view) costs a render slot nothing but counts as a request
    assert [client.get("/export/nosuch.png").status_code for _ in range(2)] == [400, 400]
    over = client.get("/export/nosuch.png")
    assert over.status_code == 429 and "exports" in over.get_data(as_text=True)
    assert int(over.headers["Retry-After"]) >= 1
    # data downloads are not spent by exports, and have their own count
    assert [client.get("/data/trends.csv").status_code for _ in range(4)] == [200] * 4
    assert client.get("/data/trends.csv").status_code == 429
    # the dashboard and health are never limited
    assert all(client.get("/healthz").status_code == 200 for _ in range(20))


def test_two_workers_share_the_count_in_redis(limited, redis_url):
    a = create_app(cache_url=redis_url).server.test_client()
    b = create_app(cache_url=redis_url).server.test_client()
    assert a.get("/export/nosuch.png").status_code == 400
    assert b.get("/export/nosuch.png").status_code == 400
    assert a.get("/export/nosuch.png").status_code == 429
    assert b.get("/export/nosuch.png").status_code == 429


def test_a_redis_outage_does_not_take_the_limited_routes_down(limited):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    client = create_app(cache_url=dead).server.test_client()
    assert client.get("/data/trends.csv").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_two_workers_of_one_host_share_the_count_without_redis(limited, tmp_path):
    a = create_app().server.test_client()
    b = create_app().server.test_client()  # same IOME_UPLOAD_DIR: the host's folder
    assert a.get("/export/nosuch.png").status_code == 400
    assert b.get("/export/nosuch.png").status_code == 400
    assert b.get("/export/nosuch.png").status_code == 429
    assert a.get("/export/nosuch.png").status_code == 429
    assert (tmp_path / "uploads" / "rate-limits.sqlite").exists()


def test_a_locked_counter_file_counts_in_memory_not_500(limited, tmp_path):
    """Issue 24: 'database is locked' under a burst escaped as a 500. With the file held
    by another writer, concurrent requests are answered, and the limit still holds."""
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    client = create_app().server.test_client()
    assert client.get("/data/trends.csv").status_code == 200  # the counter file exists
    holder = sqlite3.connect(tmp_path / "uploads" / "rate-limits.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with ThreadPoolExecutor(6) as pool:
            codes = list(pool.map(lambda _: client.get("/data/trends.csv").status_code, range(8)))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert 500 not in codes and codes.count(200) >= 3 and 429 in codes, codes
