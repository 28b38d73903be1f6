"""Suite-wide settings: every figure built during the tests is validated by plotly, and
uploads go to a private folder of this test run (servers started by tests inherit it).

Rate limits are off by default in tests: every test client and browser comes from
127.0.0.1, so the suite would count as one visitor. tests/callbacks/test_limits.py turns
them on and checks them."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import redis

from bench.server import free_port

os.environ["IOME_VALIDATE_FIGURES"] = "1"
os.environ.setdefault("IOME_UPLOAD_DIR", tempfile.mkdtemp(prefix="iome-test-uploads-"))
os.environ.setdefault("IOME_RATE_LIMITS", "off")


def start_redis() -> tuple[subprocess.Popen, str]:
    """A redis-server of its own on a free loopback port, without persistence, once it
    answers: (its process, its URL)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server not installed (apt-get install redis-server; see .ci/run)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_timeout=1)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
    finally:
        client.close()
    return proc, f"redis://127.0.0.1:{port}/0"


def stop_redis(proc: subprocess.Popen) -> None:
    """End a server of start_redis(), also when a test left it stopped (SIGSTOP)."""
    with contextlib.suppress(OSError):
        os.kill(proc.pid, signal.SIGCONT)
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def redis_url():
    proc, url = start_redis()
    yield url
    stop_redis(proc)


@pytest.fixture
def own_redis():
    """A Redis of this test alone (a test may stop it; the module's shared one must not
    be): (its process, its URL)."""
    proc, url = start_redis()
    yield proc, url
    stop_redis(proc)
