"""Real headless Chromium: first load, interaction to paint, the Plotly floor, and the
capture of the callback requests each action sends (replayed later by bench.replay).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from bench import summary
from bench.instrument import INIT_SCRIPT

CHROMIUM = os.environ.get("IOME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
SETTLED = ("complete", "quiet")

# Origin income checkboxes toggled in Gray-code order: every step changes one box and the
# 16 steps visit all 16 combinations before coming back to none.
INCOMES = ("L", "LM", "UM", "H")
GRAY_BITS = (0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 0, 1, 0, 3)
# Countries clicked on the map (each twice: on, then off again), with a point inside.
COUNTRIES = (
    ("USA", -98.0, 39.0),
    ("GBR", -1.5, 52.5),
    ("IND", 79.0, 22.0),
    ("BRA", -51.0, -10.0),
    ("UGA", 32.3, 1.4),
    ("CHN", 104.0, 35.0),
    ("KEN", 37.9, 0.2),
    ("AUS", 134.0, -25.0),
    ("NGA", 8.0, 9.5),
    ("CAN", -106.0, 56.0),
    ("ZAF", 24.0, -29.0),
    ("DEU", 10.0, 51.0),
)
YEAR_STEPS = 5  # the year block narrows the range 5 steps, then widens it back

JS_POINT_ON_MAP = """([lon, lat]) => {
  const gd = window.__bench.gdOf('fig-map');
  const geo = gd && gd._fullLayout && gd._fullLayout.geo;
  const sub = geo && geo._subplot;
  if (!sub || typeof sub.projection !== 'function') return null;
  const pt = sub.projection([lon, lat]);
  const r = gd.querySelector('.main-svg').getBoundingClientRect();
  return pt ? [r.left + pt[0], r.top + pt[1]] : null;
}"""
JS_EMIT_CLICK = """(iso) => {
  const gd = window.__bench.gdOf('fig-map');
  if (!gd || typeof gd.emit !== 'function') return false;
  const i = (gd.data || []).findIndex(t => (t.locations || []).includes(iso));
  const trace = i >= 0 ? gd.data[i] : null;
  const k = trace ? Array.from(trace.locations).indexOf(iso) : 0;
  window.__bench.markNow();
  gd.emit('plotly_click', {points: [{location: iso, curveNumber: Math.max(i, 0),
    pointNumber: k, pointIndex: k, data: trace || {}, fullData: {}}], event: {}});
  return true;
}"""


def launch(pw):
    """Debian's Chromium, headless, with the project's flags."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found (apt-get install chromium)")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def _new_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return context, page


def _wait(page, **opts) -> dict:
    return page.evaluate("o => window.__bench.waitDone(o)", opts)


# --- first load ----------------------------------------------------------------------


def first_load(browser, url: str) -> dict:
    """Open the page in a fresh context (empty cache) and wait until every view is drawn.

    Time is from navigation start to the frame after the last view's redraw; bytes are
    the whole transfer (headers and bodies as received, and bodies decoded) from CDP.
    """
    context, page = _new_page(browser)
    try:
        cdp = context.new_cdp_session(page)
        wire: dict[str, int] = {}
        decoded: dict[str, int] = defaultdict(int)
        urls: dict[str, str] = {}

        def sent(e):
            urls[e["requestId"]] = e["request"]["url"]

        def data(e):
            decoded[e["requestId"]] += e.get("dataLength", 0)

        def finished(e):
            wire[e["requestId"]] = e.get("encodedDataLength", 0)

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.dataReceived", data)
        cdp.on("Network.loadingFinished", finished)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.goto(url, wait_until="commit")
        res = _wait(page, since=0, startTimeoutMs=120_000, quietMs=2000, timeoutMs=300_000)
        nav = page.evaluate(
            """() => { const n = performance.getEntriesByType('navigation')[0] || {};
                       return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"""
        )
        plotly_js = page.evaluate("() => (window.Plotly && window.Plotly.version) || null")
        page.wait_for_timeout(300)
        biggest = sorted(((wire.get(k, 0), urls.get(k, "?")) for k in urls), reverse=True)[:5]
        return {
            "ms": round(res["ms"], 1) if res["ms"] is not None else None,
            "how": res["how"],
            "first_callback_ms": _r(res.get("first_request_ms")),
            "callbacks_done_ms": _r(res.get("server_done_ms")),
            "dom_content_loaded_ms": _r(nav.get("dcl")),
            "requests": len(urls),
            "callback_requests": res["requests"],
            "wire_bytes": sum(wire.values()),
            "decoded_bytes": sum(decoded.values()),
            "largest": [{"bytes": b, "path": urlsplit(u).path} for b, u in biggest],
            "count_text": res.get("count"),
            "console_errors": len(page.console_errors),
            "plotly_js": plotly_js,
        }
    finally:
        context.close()


def _r(x):
    return round(x, 1) if isinstance(x, int | float) else None


# --- interactions --------------------------------------------------------------------


class Session:
    """One page on the dashboard, acting like a user and recording what each action sends."""

    def __init__(self, browser, url: str):
        self.url = url
        self.context, self.page = _new_page(browser)
        self.capturing: list | None = None
        self.notes: list[str] = []
        self.click_method: str | None = None
        self.page.on("request", self._on_request)
        self.page.goto(url)
        res = _wait(self.page, since=0, startTimeoutMs=120_000, quietMs=2000, timeoutMs=300_000)
        if res["how"] not in SETTLED:
            raise RuntimeError(f"the page did not settle after loading ({res['how']})")
        self.page.wait_for_timeout(300)
        self.year_state = None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()

    def _on_request(self, request) -> None:
        if self.capturing is None or request.method != "POST":
            return
        if "_dash-update-component" not in request.url:
            return
        body = request.post_data or ""
        try:
            output = json.loads(body).get("output", "")
        except ValueError:
            output = ""
        parts = urlsplit(request.url)
        self.capturing.append(
            {
                "path": parts.path + (f"?{parts.query}" if parts.query else ""),
                "body": body,
                "headers": dict(request.headers),
                "output": output,
            }
        )

    # Each action: prepare (untimed), arm, act; returns a label or None when impossible.

    def _filter(self, i: int):
        value = INCOMES[GRAY_BITS[i % len(GRAY_BITS)]]
        box = self.page.locator(f"#ctl-origin-income input[value='{value}']")
        if not box.count():
            return None
        # its filter group open first, as a reader would (untimed)
        closed = self.page.locator(
            "#ctl-origin-income >> xpath=ancestor::div[contains(@class, 'filter-group')]"
            "/button[@aria-expanded='false']"
        )
        if closed.count():
            closed.click()
        box.scroll_into_view_if_needed()
        was = box.is_checked()
        self._arm()
        box.click()
        return f"origin income {value} {'off' if was else 'on'}"

    def _map(self, i: int):
        iso, lon, lat = COUNTRIES[(i // 2) % len(COUNTRIES)]
        page = self.page
        if not page.locator("#fig-map").count():
            return None
        page.locator("#fig-map").scroll_into_view_if_needed()
        point = page.evaluate(JS_POINT_ON_MAP, [lon, lat])
        label = f"map click {iso}"
        if point is not None:
            self.click_method = self.click_method or "mouse click at the projected lon/lat"
            page.mouse.move(point[0], point[1])
            page.wait_for_timeout(60)
            self._arm()
            page.mouse.click(point[0], point[1])
            return label
        self._arm()
        if page.evaluate(JS_EMIT_CLICK, iso):
            self.click_method = "gd.emit('plotly_click') (no geo projection accessor)"
            return label + " (emitted)"
        return None

    def _year(self, i: int):
        page = self.page
        j = i % (2 * YEAR_STEPS)
        forward = j < YEAR_STEPS
        k = j if forward else 2 * YEAR_STEPS - 1 - j
        thumb = 1 if k % 2 == 0 else 2
        # Forward: the first thumb moves right, the second left (narrower); back: undo.
        key = ("ArrowRight" if thumb == 1 else "ArrowLeft") if forward else None
        if key is None:
            key = "ArrowLeft" if thumb == 1 else "ArrowRight"
        handle = page.locator(f"#ctl-year .dash-slider-thumb-{thumb}")
        if handle.count():
            handle.scroll_into_view_if_needed()
            handle.focus()
            self._arm()
            page.keyboard.press(key)
            return f"year thumb {thumb} {key}"
        inputs = page.locator("#ctl-year input[type=number]")
        if inputs.count() >= 2:
            box = inputs.nth(thumb - 1)
            value = int(box.input_value() or 0) + (1 if key == "ArrowRight" else -1)
            box.scroll_into_view_if_needed()
            box.focus()
            self._arm()
            box.fill(str(value))
            box.press("Enter")
            return f"year input {thumb} = {value}"
        return None

    ACTIONS: ClassVar[dict[str, str]] = {"filter": "_filter", "map": "_map", "year": "_year"}

    def _arm(self) -> None:
        self.page.evaluate("() => window.__bench.arm()")
        self.capturing = []

    def act(self, kind: str, i: int, *, floor: bool) -> dict | None:
        """Do one action, wait for every view to repaint, then measure the floor."""
        page = self.page
        if floor:
            page.evaluate("n => window.__bench.snapshot(n)", "prev")
        label = getattr(self, self.ACTIONS[kind])(i)
        if label is None:
            self.capturing = None
            return None
        res = _wait(page)
        captured, self.capturing = self.capturing or [], None
        out = {
            "kind": kind,
            "label": label,
            "how": res["how"],
            "ms": _r(res["ms"]),
            "server_done_ms": _r(res.get("server_done_ms")),
            "views_answered_ms": _r(res.get("views_answered_ms")),
            "views_ms": _r(res.get("views_ms")),
            "list_ms": _r(res.get("list_ms")),
            "requests": captured,
            "graphs": {
                k: _r(v) if v is not None and v >= 0 else v for k, v in res["graphs"].items()
            },
            "count": res.get("count"),
        }
        redrawn = [g for g, v in res["graphs"].items() if isinstance(v, int | float) and v >= 0]
        out["redrawn"] = len(redrawn)
        if floor and res["how"] in SETTLED:
            page.evaluate("n => window.__bench.snapshot(n)", "next")
            js = "([a, b, only]) => window.__bench.floor(a, b, only)"
            fl = page.evaluate(js, ["prev", "next", None])
            out["floor_ms"] = _r(fl["ms"])
            out["floor_graphs"] = fl["graphs"]
            # The floor of only the graphs this action redrew (the app may skip the others).
            if redrawn and len(redrawn) < fl["graphs"]:
                out["floor_changed_ms"] = _r(page.evaluate(js, ["prev", "next", redrawn])["ms"])
            else:
                out["floor_changed_ms"] = out["floor_ms"] if redrawn else 0.0
        page.wait_for_timeout(50)
        return out

    def reset(self) -> None:
        """Back to no filters: the reset button, or a fresh load when it is missing."""
        page = self.page
        if page.evaluate("() => location.search") in ("", "?"):
            return
        button = page.locator("#btn-reset")
        if button.count():
            self._arm()
            button.click()
            res = _wait(page)
            self.capturing = None
            if res["how"] in SETTLED:
                return
        page.goto(self.url)
        _wait(page, since=0, startTimeoutMs=120_000, quietMs=2000, timeoutMs=300_000)


REFERENCE = Path(__file__).resolve().parent / "reference" / "floor-350.json.gz"
REFERENCE_ROUNDS = 2


def reference_floor(page, rounds: int = REFERENCE_ROUNDS) -> list[float]:
    """Times (ms) of ``Plotly.react`` of the fixed seven reference figures, from each
    recorded state to the next, in ``page`` (see scripts/capture_reference.py)."""
    from components.cards import graph_config

    ref = json.loads(gzip.decompress(REFERENCE.read_bytes()))
    js = "([ref, config, rounds]) => window.__bench.referenceFloor(ref, config, rounds)"
    times = page.evaluate(js, [ref, graph_config(), rounds]) or []
    return [round(t, 1) for t in times]


def interactions(browser, url: str, per_kind: int) -> dict:
    """``per_kind`` timed actions of each kind (after one untimed warm-up of each kind).

    Returns the paint times, the floor, and the captured requests of every timed action.
    """
    session = Session(browser, url)
    actions: list[dict] = []
    failed: list[dict] = []
    try:
        for kind in Session.ACTIONS:
            misses = 0
            for i in range(per_kind + 1):
                res = session.act(kind, i, floor=i > 0)
                if res is None:
                    session.notes.append(f"{kind}: this action is not possible on the page")
                    break
                if i == 0:
                    continue  # warm-up
                if res["how"] not in SETTLED:
                    failed.append({k: res[k] for k in ("kind", "label", "how")})
                    misses += 1
                    if misses >= 3:
                        session.notes.append(f"{kind}: stopped after 3 actions that never settled")
                        break
                    continue
                actions.append(res)
            session.reset()
        reference = reference_floor(session.page)
        console_errors = list(session.page.console_errors)
    finally:
        session.close()
    ok = [a for a in actions if a["ms"] is not None]
    paint = [a["ms"] for a in ok]
    floor = [a["floor_ms"] for a in ok if a.get("floor_ms") is not None]
    floor_changed = [a["floor_changed_ms"] for a in ok if a.get("floor_changed_ms") is not None]
    by_kind = {k: summary([a["ms"] for a in ok if a["kind"] == k]) for k in Session.ACTIONS}
    graph_ms: dict[str, list] = defaultdict(list)
    for a in ok:
        for g, v in a["graphs"].items():
            if isinstance(v, int | float) and v >= 0:
                graph_ms[g].append(v)
    p = summary(paint)
    f = summary(floor)
    fc = summary(floor_changed)
    return {
        "actions": len(ok),
        "paint_ms": p,
        "paint_ms_by_kind": by_kind,
        "server_done_ms": summary([a["server_done_ms"] for a in ok if a["server_done_ms"]]),
        "views_ms": summary([a["views_ms"] for a in ok if a.get("views_ms")]),
        "list_ms": summary([a["list_ms"] for a in ok if a.get("list_ms")]),
        "views_answered_ms": summary(
            [a["views_answered_ms"] for a in ok if a.get("views_answered_ms")]
        ),
        "floor_ms": f,
        "ratio_p95": round(p["p95"] / f["p95"], 2) if p["p95"] and f["p95"] else None,
        "ratio_p50": round(p["p50"] / f["p50"], 2) if p["p50"] and f["p50"] else None,
        "floor_changed_ms": fc,
        # The fixed yardstick: today's seven figures (bench/reference) redrawn in this page.
        "reference_floor_ms": summary(reference),
        "ratio_reference_p95": (
            round(p["p95"] / summary(reference)["p95"], 2) if p["p95"] and reference else None
        ),
        "ratio_changed_p95": round(p["p95"] / fc["p95"], 2) if p["p95"] and fc["p95"] else None,
        "graphs_redrawn": summary([a["redrawn"] for a in ok]),
        "graph_redraw_ms": {g: summary(v) for g, v in graph_ms.items()},
        "settled_by_quiet_period": sum(1 for a in ok if a["how"] == "quiet"),
        "failed": failed,
        "map_click_method": session.click_method,
        "notes": session.notes,
        "console_errors": console_errors[:10],
        "log": [
            {
                k: a.get(k)
                for k in (
                    "kind",
                    "label",
                    "how",
                    "ms",
                    "server_done_ms",
                    "views_answered_ms",
                    "views_ms",
                    "floor_ms",
                    "floor_changed_ms",
                    "redrawn",
                )
            }
            | {"requests": len(a["requests"])}
            for a in actions
        ],
        "captured": [
            {"kind": a["kind"], "label": a["label"], "requests": a["requests"]} for a in ok
        ],
    }


# --- the independent-style probe -------------------------------------------------------
# Real mouse clicks on filter checkboxes at 1440x900, timed from the click's input event
# to the last plotly_afterplot of any chart on the page, with instrumentation of its own
# (none of bench.instrument's knowledge of Dash requests or the view registry).

PROBE_CLICKS = 24
# The boxes the probe ticks, in Gray-code order over five of them: each click is a new
# combination (the first 24 steps of 32), so no state comes from a cache the probe filled.
PROBE_BOXES = (
    ("ctl-setting-income", "H"),
    ("ctl-setting-income", "UM"),
    ("ctl-setting-income", "LM"),
    ("ctl-setting-income", "L"),
    ("ctl-origin-income", "H"),
)
PROBE_QUIET_MS = 700  # settled: no chart drawn and no request open for this long
PROBE_JS = r"""
(() => {
  if (window.__probe) return;
  const now = () => performance.now();
  const P = (window.__probe = { open: 0, last: 0, draws: [], clickT: null, armed: false });
  const fetch0 = window.fetch;
  window.fetch = function () {
    P.open += 1; P.last = now();
    const done = () => { P.open -= 1; P.last = now(); };
    const p = fetch0.apply(this, arguments);
    p.then(done, done);
    return p;
  };
  const hook = () => {
    document.querySelectorAll('.js-plotly-plot').forEach((gd) => {
      if (typeof gd.on !== 'function' || !gd._ev || gd.__probeEv === gd._ev) return;
      gd.__probeEv = gd._ev;
      const host = gd.closest('[id]');
      gd.on('plotly_afterplot', () => {
        const t = now();
        P.last = t;
        P.draws.push([host ? host.id : '?', t]);
        if (P.draws.length > 2000) P.draws.splice(0, 1000);
      });
    });
  };
  setInterval(hook, 50);
  window.addEventListener('pointerdown', (e) => {
    if (!P.armed || P.clickT !== null) return;
    P.clickT = e.timeStamp > 0 && e.timeStamp <= now() ? e.timeStamp : now();
  }, true);
  P.arm = () => { hook(); P.armed = true; P.clickT = null; };
  // Resolves once nothing has been drawn or requested for quietMs after the click.
  P.settle = (quietMs, timeoutMs) => new Promise((resolve) => {
    const began = now();
    const tick = () => {
      const t = now();
      const t0 = P.clickT;
      const quiet = P.open === 0 && t - Math.max(P.last, t0 || began) > quietMs;
      if ((t0 !== null && quiet) || t - began > timeoutMs) {
        P.armed = false;
        const after = P.draws.filter((d) => t0 !== null && d[1] >= t0);
        const first = {};
        for (const [id, at] of after) if (!(id in first)) first[id] = at - t0;
        resolve({
          ms: after.length ? after[after.length - 1][1] - t0 : null,
          first_ms: after.length ? after[0][1] - t0 : null,
          graphs: first, draws: after.length, timeout: t - began > timeoutMs,
        });
        return;
      }
      setTimeout(tick, 25);
    };
    tick();
  });
})();
"""


def _probe_settle(page) -> dict:
    return page.evaluate("([q, t]) => window.__probe.settle(q, t)", [PROBE_QUIET_MS, 15_000])


def _probe_boxes(page) -> list:
    """The probe's checkboxes, their filter groups opened (untimed), or [] if missing."""
    boxes = []
    for control, value in PROBE_BOXES:
        box = page.locator(f"#{control} input[value='{value}']")
        if not box.count():
            return []
        closed = page.locator(
            f"#{control} >> xpath=ancestor::div[contains(@class, 'filter-group')]"
            "/button[@aria-expanded='false']"
        )
        if closed.count():
            closed.click()
        boxes.append(box)
    return boxes


def probe(browser, url: str, clicks: int = PROBE_CLICKS) -> dict:
    """``clicks`` real mouse clicks on filter checkboxes at 1440x900: from each click to
    the last chart's ``plotly_afterplot`` (p50/p95), and to the first chart's."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE_JS)
    page = context.new_page()
    try:
        page.goto(url)
        page.evaluate("() => window.__probe.arm()")
        page.evaluate("() => { window.__probe.clickT = 0; }")
        _probe_settle(page)  # the first load, drawn
        boxes = _probe_boxes(page)
        if not boxes:
            return {"error": "the probe's checkboxes are not on the page"}
        page.wait_for_timeout(500)
        runs = []
        for i in range(clicks):
            bit = (i + 1 & -(i + 1)).bit_length() - 1  # Gray code: the bit step i flips
            box = boxes[bit]
            box.scroll_into_view_if_needed()
            r = box.bounding_box()
            page.evaluate("() => window.__probe.arm()")
            page.mouse.click(r["x"] + r["width"] / 2, r["y"] + r["height"] / 2)
            runs.append(_probe_settle(page))
        last = [x["ms"] for x in runs if x["ms"] is not None]
        first = [x["first_ms"] for x in runs if x["first_ms"] is not None]
        return {
            "clicks": len(runs),
            "last_chart_ms": summary(last),
            "first_chart_ms": summary(first),
            "charts_drawn": summary([len(x["graphs"]) for x in runs]),
            "no_chart_drawn": sum(1 for x in runs if x["ms"] is None),
            "timeouts": sum(1 for x in runs if x["timeout"]),
            "log": [{k: x[k] for k in ("ms", "first_ms", "graphs")} for x in runs],
        }
    finally:
        context.close()
