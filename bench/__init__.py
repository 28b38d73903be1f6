"""Helpers of ``scripts/bench.py``: servers, browser timing, HTTP replay, load and the report.

Nothing here is imported by the app; it only drives a running server from outside.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

from components.ids import ID, graph_id
from evidence.views import HTML_CHARTS, PLOT_CHARTS

# The graphs whose redraw an interaction waits for (a missing one needs no redraw): every
# Plotly chart of the view registry, so a new view is timed without a change here.
VIEW_GRAPHS = tuple(graph_id(name) for name in PLOT_CHARTS)
# The charts drawn as HTML tables (no Plotly redraw to wait for: the frame after the
# response paints them).
HTML_VIEWS = tuple(graph_id(name) for name in HTML_CHARTS)
COUNT_ID = "article-count"
TEXT_ID = ID.TEXT  # the store whose "count" the page shows as the article count
GRID_ID = "articles-list"  # the article list: its rows are the last trailing update

_T0 = time.monotonic()


def log(message: str) -> None:
    """One progress line with the seconds since the run started."""
    sys.stdout.write(f"[{time.monotonic() - _T0:6.1f}s] {message}\n")
    sys.stdout.flush()


def in_own_thread(fn: Callable[[], object], name: str):
    """``fn()`` run in a thread of its own (so it never meets the caller's event loop or
    sync Playwright); its value, or its exception raised here."""
    result: dict = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def percentile(values, q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    xs = sorted(float(v) for v in values)
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(values) -> dict:
    """n, p50, p95, max and mean of a list of numbers (rounded)."""
    xs = [float(v) for v in values]
    if not xs:
        return {"n": 0, "p50": None, "p95": None, "max": None, "mean": None}
    return {
        "n": len(xs),
        "p50": round(percentile(xs, 50), 2),
        "p95": round(percentile(xs, 95), 2),
        "max": round(max(xs), 2),
        "mean": round(sum(xs) / len(xs), 2),
    }
