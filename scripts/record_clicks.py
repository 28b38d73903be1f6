"""Record the clickData / selectedData that headless Chromium sends when a person clicks
each kind of chart mark, into tests/fixtures/clicks/*.json.

It runs the browser tests of tests/e2e/test_marks.py, which click real marks with the
mouse, with IOME_RECORD_CLICKS=1: each test saves what the page sent. The unit tests of
click -> state (tests/callbacks/test_sync.py) replay these payloads. Run it again after a
change to a figure's hover or click data:

    python scripts/record_clicks.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    env = {**os.environ, "IOME_RECORD_CLICKS": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "tests/e2e/test_marks.py", *sys.argv[1:]]
    code = subprocess.call(command, cwd=ROOT, env=env)
    fixtures = sorted((ROOT / "tests" / "fixtures" / "clicks").glob("*.json"))
    print(f"{len(fixtures)} fixtures in tests/fixtures/clicks")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
