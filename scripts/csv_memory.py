"""Peak memory and time of the upload path for worst-shaped text tables (issue 24), for
the figures in RELIABILITY.md section 13: each shape is screened and parsed as an upload
is (``screen``, then ``load_bounded`` with the server's row limit) in a fresh interpreter
of its own, which reports its own growth and the bounded child's peak.

Usage: .venv/bin/python scripts/csv_memory.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.schema import COLUMN_NAMES  # noqa: E402
from evidence.upload import MAX_CELLS, load_bounded, screen  # noqa: E402

SIZE = 20 * 1024 * 1024 - 1024  # just under the upload size limit
HEADER = ",".join(COLUMN_NAMES)
WIDE = ",".join(list(COLUMN_NAMES) + [f"x{i}" for i in range(500 - len(COLUMN_NAMES))])
# name -> (header, line repeated to fill 20 MB, or a count of lines)
SHAPES = {
    "500 empty columns": (WIDE, "," * 499, None),
    "500 filled columns": (WIDE, ",".join(f"{i % 97:02d}" for i in range(500)), None),
    "blank lines": (HEADER, "", None),
    "commas": (HEADER, ",", None),
    "one-field rows": (HEADER, "1", None),
    "quoted newlines": (HEADER, '"\n"', None),
    "one 20 MB cell": (HEADER, "1,T," + "a" * (SIZE - len(HEADER) - 10), 1),
    "500 empty columns, at the cap": (WIDE, "," * 499, MAX_CELLS // 500 - 2),
    "blank lines, at the cap": (HEADER, "", MAX_CELLS // len(COLUMN_NAMES) - 2),
    "extra fields, at the cap": ("id", ",,", MAX_CELLS // 3 - 2),
}


def content(shape: str) -> bytes:
    header, line, count = SHAPES[shape]
    if count is None:
        count = (SIZE - len(header) - 1) // (len(line) + 1)
    return (header + "\n" + (line + "\n") * count).encode()


def measure(shape: str) -> dict:
    """Screen and parse one shape in this process (a fresh interpreter)."""
    data = content(shape)
    rss = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    start = time.perf_counter()
    out: dict = {"shape": shape, "mb": round(len(data) / 2**20, 1)}
    refused = screen(data, "shape.csv")
    if refused is not None:
        return {**out, "refused": refused.code, "seconds": round(time.perf_counter() - start, 3)}
    eb = load_bounded(data, name="shape.csv", max_rows=100_000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        **out,
        "seconds": round(time.perf_counter() - start, 2),
        "worker_growth_mb": round((peak - rss) / 2**20),
        "child_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "outcome": f"{eb.n_articles} articles; {eb.report.errors[0].message[:80]}"
        if eb.report.errors
        else f"{eb.n_articles} articles",
    }


def main() -> int:
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
        return 0
    for shape in SHAPES:
        done = subprocess.run([sys.executable, __file__, shape], capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        print(done.stdout.strip() or done.stderr[-500:], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
