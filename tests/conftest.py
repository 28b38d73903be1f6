"""Suite-wide settings: every figure built during the tests is validated by plotly, and
uploads go to a private folder of this test run (servers started by tests inherit it).

Rate limits are off by default in tests: every test client and browser comes from
127.0.0.1, so the suite would count as one visitor. tests/callbacks/test_limits.py turns
them on and checks them."""

import os
import shutil
import subprocess
import tempfile
import time

import pytest
import redis

from bench.server import free_port

os.environ["IOME_VALIDATE_FIGURES"] = "1"
os.environ.setdefault("IOME_UPLOAD_DIR", tempfile.mkdtemp(prefix="iome-test-uploads-"))
os.environ.setdefault("IOME_RATE_LIMITS", "off")


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server not installed (apt-get install redis-server; see .ci/run)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    proc.terminate()
    proc.wait(10)
