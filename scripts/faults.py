"""Export faults, an export burst and rate limits against gunicorn (2 workers), for the
figures in RELIABILITY.md. Writes bench/faults.json. Only 127.0.0.1 is contacted.

Usage: .venv/bin/python scripts/faults.py [--out bench/faults.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import stat
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.faults import _get, export_burst, rate_limit_burst  # noqa: E402
from bench.server import Server  # noqa: E402
from evidence import DEMO_PATH  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "faults.json"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iome-faults-"))
    hung = work / "hung-chromium"
    hung.write_text("#!/bin/sh\nsleep 600\n")
    hung.chmod(hung.stat().st_mode | stat.S_IXUSR)
    results: dict = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    scenarios = {
        "missing_browser": {"BROWSER_PATH": "/nonexistent/chromium"},
        "hung_browser": {"BROWSER_PATH": str(hung)},
        "browser_present": {},
    }
    for name, env in scenarios.items():
        print(f"{name}: 10 concurrent 4000x4000 exports while probing / and /healthz")
        with Server(DEMO_PATH, workers=2, log_dir=work, env=env) as server:
            results[name] = export_burst(server.url, n=10, min_probe_s=5)
            results[name]["home_alone"] = _get(server.url + "/", 10)[1]
    print("rate limits: default settings, one address")
    upload = b"\n".join(DEMO_PATH.read_bytes().splitlines()[:6]) + b"\n"
    with Server(DEMO_PATH, workers=2, log_dir=work, env={"IOME_RATE_LIMITS": "on"}) as s:
        results["rate_limits"] = rate_limit_burst(s.url, upload)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
