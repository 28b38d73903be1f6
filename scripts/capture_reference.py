"""Record the fixed Plotly reference of ``make bench``: the seven figures the dashboard
drew at the start of the performance work (code 4b89bc5/a7605b7, 350 demo articles), for
a sequence of states like the bench's own actions.

Each state is opened in headless Chromium at 1440x900; every view graph's figure (data
and layout, as plotly.js holds them) and its size on the page are saved to
``bench/reference/floor-350.json.gz``. The bench replays them with ``Plotly.react``
(bench.instrument ``__bench.referenceFloor``) in the same browser as its own timings, so
every run compares the dashboard with the same fixed seven-figure redraw.

Run once, on the code being replaced (it was, at a7605b7); the file is committed:
    .venv/bin/python scripts/capture_reference.py
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser import CHROMIUM_ARGS, VIEWPORT, _new_page, _wait, launch  # noqa: E402
from bench.server import Server  # noqa: E402

OUT = ROOT / "bench" / "reference" / "floor-350.json.gz"
# The seven Plotly graphs of the page at a7605b7 (three of them are HTML tables since).
VIEW_GRAPHS = ("fig-map", "fig-flows", "fig-flow-matrix", "fig-partnerships",
               "fig-partner-map", "fig-alignment", "fig-trends")  # fmt: skip
# The bench's actions, as the states they lead to: origin income boxes (Gray code), map
# clicks (country on, off), a year range narrowing and widening.
QUERIES = (
    "",
    "origin_income=L",
    "origin_income=L,LM",
    "origin_income=LM",
    "origin_income=LM,UM",
    "",
    "country=USA",
    "",
    "country=IND",
    "",
    "country=UGA",
    "",
    "year=2001-2020",
    "year=2002-2019",
    "year=2003-2018",
    "year=2002-2019",
    "",
)

_SNAP = """(ids) => {
  const out = {};
  for (const id of ids) {
    const gd = window.__bench.gdOf(id);
    if (!gd) continue;
    const strip = (v) => JSON.parse(JSON.stringify(v, (k, x) => (k[0] === '_' ? undefined : x)));
    out[id] = {data: strip(gd.data), layout: strip(gd.layout),
               w: gd.offsetWidth, h: gd.offsetHeight};
  }
  return out;
}"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM_ARGS and VIEWPORT["width"] == 1440
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "demo-350.csv"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_demo_data.py"), "--n", "350",
             "--out", str(data)],
            check=True, timeout=300,
        )  # fmt: skip
        with Server(data, workers=1) as server, sync_playwright() as pw:
            browser = launch(pw)
            context, page = _new_page(browser)
            states = []
            for q in QUERIES:
                page.goto(server.url + "/" + (f"?{q}" if q else ""))
                _wait(page, since=0, startTimeoutMs=60_000, quietMs=2000, timeoutMs=120_000)
                page.wait_for_timeout(300)
                snap = page.evaluate(_SNAP, list(VIEW_GRAPHS))
                assert len(snap) == 7, sorted(snap)
                states.append({"query": q, "graphs": snap})
            context.close()
            browser.close()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "about": __doc__.split("\n\n")[0],
        "graphs": list(VIEW_GRAPHS),
        "states": states,
    }
    OUT.write_bytes(gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), 9))
    print(f"{OUT.relative_to(ROOT)}: {len(states)} states, {OUT.stat().st_size:,} B")


if __name__ == "__main__":
    main()
