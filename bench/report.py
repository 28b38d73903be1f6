"""The targets, the machine description and the Markdown report (BENCHMARKS.md)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import re
import subprocess
from pathlib import Path

from bench import VIEW_GRAPHS

ROOT = Path(__file__).resolve().parents[1]
NOTES_START = "<!-- notes:start -->"
NOTES_END = "<!-- notes:end -->"


def _get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


# (key, label, unit, where in one size's results; a "ms" path read as seconds is scaled)
METRICS = [
    ("paint_p95", "Interaction to paint, p95", "ms", ("paint", "paint_ms", "p95")),
    ("probe_p95", "Probe: checkbox click to last chart drawn, p95", "ms",
     ("probe", "last_chart_ms", "p95")),
    ("probe_p50", "Probe: checkbox click to last chart drawn, p50", "ms",
     ("probe", "last_chart_ms", "p50")),
    ("paint_p50", "Interaction to paint, p50", "ms", ("paint", "paint_ms", "p50")),
    ("views_p95", "Views repainted (before trailing callbacks), p95", "ms",
     ("paint", "views_ms", "p95")),
    ("floor_p95", "Floor (Plotly.react only), p95", "ms", ("paint", "floor_ms", "p95")),
    ("paint_ratio", "Paint p95 / floor p95", "x", ("paint", "ratio_p95")),
    ("floor_changed_p95", "Floor of the redrawn graphs only, p95", "ms",
     ("paint", "floor_changed_ms", "p95")),
    ("paint_ratio_changed", "Paint p95 / that floor", "x", ("paint", "ratio_changed_p95")),
    ("redrawn", "Graphs redrawn per action, median", "n", ("paint", "graphs_redrawn", "p50")),
    ("ref_floor_p95", "Reference: the first wave's seven figures, Plotly.react, p95", "ms",
     ("paint", "reference_floor_ms", "p95")),
    ("paint_ratio_ref", "Paint p95 / reference p95", "x", ("paint", "ratio_reference_p95")),
    ("requests", "Requests per action, p95", "n", ("server_time", "requests_per_action", "p95")),
    ("server_p95", "Server time per interaction, p95", "ms", ("server_time", "server_ms", "p95")),
    ("server_p50", "Server time per interaction, p50", "ms", ("server_time", "server_ms", "p50")),
    ("server_rep_p95", "Server time, repeated states, p95", "ms",
     ("server_time", "server_ms_repeat", "p95")),
    ("bytes_gz", "Bytes per interaction, gzip, p95", "B", ("server_time", "gzip_bytes", "p95")),
    ("bytes_raw", "Bytes per interaction, uncompressed, p95", "B",
     ("server_time", "raw_bytes", "p95")),
    ("first_load_s", "First load: all views drawn (median)", "s", ("first_load", "ms", "p50")),
    ("first_load_bytes", "First load: bytes transferred (median)", "B",
     ("first_load", "wire_bytes", "p50")),
    ("tput8", "Throughput, 8 clients", "/s", ("throughput", "8", "interactions_per_s")),
    ("tput8_p95", "Latency at 8 clients, p95", "ms", ("throughput", "8", "latency_ms", "p95")),
    ("tput8_err", "Errors at 8 clients", "n", ("throughput", "8", "errors")),
    ("tput32", "Throughput, 32 clients", "/s", ("throughput", "32", "interactions_per_s")),
    ("tput32_p95", "Latency at 32 clients, p95", "ms", ("throughput", "32", "latency_ms", "p95")),
    ("tput32_err", "Errors at 32 clients", "n", ("throughput", "32", "errors")),
    ("mem_load", "Memory after load (RSS sum)", "MB", ("memory", "after_load", "rss_mb")),
    ("mem_1000", "Memory after the interactions (RSS sum)", "MB",
     ("memory", "after_interactions", "rss_mb")),
    ("pss_1000", "Memory after the interactions (PSS sum)", "MB",
     ("memory", "after_interactions", "pss_mb")),
    ("cold_start", "Cold start to first /healthz", "s", ("server", "cold_start_s")),
]  # fmt: skip


def metric(r: dict, key: str):
    """One metric of one size's results (None when not measured)."""
    _, _, unit, path = next(m for m in METRICS if m[0] == key)
    value = _get(r, *path)
    if value is not None and unit == "s" and path[-2:] == ("ms", "p50"):
        value = value / 1000
    return value


# size -> key -> (comparison, limit). Bytes are decimal (1 kB = 1,000 B, 1 MB = 10^6 B);
# memory is in MiB (written MB), as /proc reports it.
TARGETS = {
    350: {
        "paint_p95": ("<=", 150),
        "probe_p95": ("<=", 200),
        "paint_ratio_ref": ("<=", 0.6),  # issue 27's targets
        "server_p95": ("<=", 15),
        "bytes_gz": ("<=", 10_000),
        "requests": ("<=", 1),
        "tput8": (">=", 150),
        "tput8_err": ("<=", 0),
        "mem_1000": ("<=", 400),
        "first_load_s": ("<=", 1.5),
    },
    100_000: {
        "paint_p95": ("<=", 300),
        "server_p95": ("<=", 100),
        "bytes_gz": ("<=", 10_000),
        "requests": ("<=", 1),
        "tput8": (">=", 30),
        "tput8_err": ("<=", 0),
        "mem_1000": ("<=", 2048),
        "first_load_s": ("<=", 2.5),
    },
}

# The first wave's figures at 350 articles, as measured when the performance work began
# (on this machine, on a faster day: see the calibration line of each report).
FIRST_WAVE = {
    "paint_p95": 435,
    "paint_p50": 361,
    "views_p95": 298,
    "floor_p95": 198,
    "server_p95": 44,
    "bytes_gz": 38_700,
    "requests": 3,
    "tput8": 78,
    "mem_1000": 451,
    "first_load_s": 2.06,
}


def fmt(value, unit: str) -> str:
    """A value with its unit, rounded for reading."""
    if value is None:
        return "n/a"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 10 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "B":
        if value >= 1_000_000:
            return f"{value / 1e6:.2f} MB"
        return f"{value / 1e3:.1f} kB"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "/s":
        return f"{value:,.1f}/s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.0f}"


def judge(value, op: str, limit, unit: str) -> dict:
    """Whether a target is met, and by how much it is missed."""
    target = f"{'≤' if op == '<=' else '≥'} {fmt(limit, unit)}"
    if value is None:
        return {"target": target, "met": None, "text": "not measured"}
    met = value <= limit if op == "<=" else value >= limit
    if met:
        return {"target": target, "met": True, "text": "met"}
    gap = value - limit if op == "<=" else limit - value
    rel = f" ({(value / limit - 1) * 100:+.0f}%)" if limit else ""
    return {"target": target, "met": False, "text": f"missed by {fmt(gap, unit)}{rel}"}


def evaluate(results: dict) -> list[dict]:
    """Every target of every measured size, with its verdict."""
    out = []
    for size_key, r in results.get("sizes", {}).items():
        size = int(size_key)
        for key, (op, limit) in TARGETS.get(size, {}).items():
            label, unit = next((m[1], m[2]) for m in METRICS if m[0] == key)
            value = metric(r, key)
            verdict = judge(value, op, limit, unit)
            note = ""
            if key == "paint_p95" and _get(r, "paint", "measured_at") not in (None, size):
                note = f"measured at {_get(r, 'paint', 'measured_at'):,} articles"
            out.append(
                {"size": size, "metric": key, "label": label, "value": value, "note": note}
                | verdict
            )
    return out


# --- machine ------------------------------------------------------------------------


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


OWN_FILES = ("bench/", "scripts/bench.py", "BENCHMARKS.md")


def code_fingerprint() -> str:
    """HEAD plus a hash of the working tree's changes to the app (not to the benchmark)."""
    head = _run(["git", "rev-parse", "--short=10", "HEAD"]).strip() or "unknown"
    status = [
        line
        for line in _run(["git", "status", "--porcelain", "--untracked-files=all"]).splitlines()
        if line[3:] and not line[3:].startswith(OWN_FILES)
    ]
    if not status:
        return head
    paths = [line[3:].split(" -> ")[-1] for line in status]
    digest = hashlib.sha1(_run(["git", "diff", "HEAD", "--", *paths]).encode())
    for path in paths:
        with contextlib.suppress(OSError):
            if line_is_untracked(status, path):
                digest.update((ROOT / path).read_bytes())
    return f"{head}+{digest.hexdigest()[:8]}"


def line_is_untracked(status: list[str], path: str) -> bool:
    return any(line.startswith("??") and line[3:] == path for line in status)


def calibration(n: int = 3_000_000) -> float:
    """Seconds of a fixed pure-Python loop (best of three): shared machines run at
    different speeds on different days, and this says how fast this one was."""
    import time

    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(n):
            total += i
        best = min(best, time.perf_counter() - t0)
    return round(best, 3)


def machine() -> dict:
    """CPU, cores, memory, OS, Python and package versions of this machine."""
    cpu = "unknown"
    flags = ""
    with contextlib.suppress(OSError):
        text = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        cpu = m.group(1).strip() if m else platform.processor() or "unknown"
        m = re.search(r"^cpu MHz\s*:\s*(.+)$", text, re.M)
        flags = f"{float(m.group(1)):.0f} MHz" if m else ""
    mem_gib = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for dist in ("dash", "plotly", "pandas", "numpy", "flask", "gunicorn", "playwright"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[dist] = version(dist)
    return {
        "cpu": cpu,
        "cpu_clock": flags,
        "calibration_s": calibration(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": mem_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "git": _run(["git", "describe", "--always", "--dirty", "--abbrev=10"]).strip(),
        "git_dirty_files": [
            line[3:] for line in _run(["git", "status", "--porcelain"]).splitlines() if line
        ][:30],
    }


# --- Markdown -----------------------------------------------------------------------


def _cell(results: dict, size_key: str, key: str, unit: str) -> str:
    r = results["sizes"][size_key]
    value = metric(r, key)
    text = fmt(value, unit)
    if value is None and r.get("error"):
        text = "failed"
    if key in ("paint_p95", "paint_p50", "views_p95", "floor_p95", "paint_ratio",
               "floor_changed_p95", "paint_ratio_changed", "redrawn"):  # fmt: skip
        at = _get(r, "paint", "measured_at")
        if at is not None and at != int(size_key) and value is not None:
            text += f" (at {at:,})"
    target = TARGETS.get(int(size_key), {}).get(key)
    if target:
        v = judge(value, target[0], target[1], unit)
        if v["met"]:
            text += f" ({v['target']}: **met**)"
        elif v["met"] is False:
            text += f" ({v['target']}: **{v['text']}**)"
        else:
            text += f" ({v['target']}: not measured)"
    return text


def _probe_details(pr: dict) -> list[str]:
    """The probe's paragraph: click to the last and the first chart drawn."""
    if not pr.get("last_chart_ms"):
        return ["", f"**Probe**: {pr['error']}."] if pr.get("error") else []
    last, first, drawn = pr["last_chart_ms"], pr["first_chart_ms"], pr["charts_drawn"]
    return [
        "",
        f"**Probe** ({pr['clicks']} checkbox clicks by mouse): click to the last chart's "
        f"`plotly_afterplot` p50 {fmt(last['p50'], 'ms')}, p95 {fmt(last['p95'], 'ms')}; "
        f"to the first chart's p50 {fmt(first['p50'], 'ms')}, p95 {fmt(first['p95'], 'ms')}; "
        f"charts drawn per click, median {fmt(drawn['p50'], 'n')} (clicks with none drawn: "
        f"{pr['no_chart_drawn']}, never quiet: {pr['timeouts']}).",
    ]


def _details(size_key: str, r: dict) -> list[str]:
    n = int(size_key)
    lines = [f"### {n:,} articles", ""]
    if r.get("error"):
        lines += [f"**Error:** `{r['error']}`", ""]
    srv = r.get("server") or {}
    lines.append(
        f"Server: `{srv.get('command', 'iome-map serve')}` "
        f"(cold start {fmt(srv.get('cold_start_s'), 's')}, again before the replay "
        f"{fmt(srv.get('cold_start_s_again'), 's')}; data file "
        f"{fmt(r.get('data_bytes'), 'B')})."
    )
    lines += _probe_details(r.get("probe") or {})
    paint = r.get("paint") or {}
    if paint.get("paint_ms"):
        at = paint.get("measured_at", n)
        lines += [
            "",
            f"**Interaction to paint** ({paint['actions']} actions at {at:,} articles; "
            f"map clicks by {paint.get('map_click_method') or 'n/a'}):",
            "",
            "| action | n | p50 | p95 | max |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for kind, s in (paint.get("paint_ms_by_kind") or {}).items():
            if s.get("n"):
                lines.append(
                    f"| {kind} | {s['n']} | {fmt(s['p50'], 'ms')} | {fmt(s['p95'], 'ms')} "
                    f"| {fmt(s['max'], 'ms')} |"
                )
        for label, s in (
            ("all actions", paint.get("paint_ms")),
            ("response with the figures read", paint.get("views_answered_ms")),
            ("views repainted (last redrawn graph)", paint.get("views_ms")),
            ("article list redrawn (its last change)", paint.get("list_ms")),
            ("last callback answered", paint.get("server_done_ms")),
            ("floor: Plotly.react of all graphs", paint.get("floor_ms")),
            ("floor: Plotly.react of the redrawn graphs", paint.get("floor_changed_ms")),
        ):
            if s and s.get("n"):
                lines.append(
                    f"| {label} | {s['n']} | {fmt(s['p50'], 'ms')} | {fmt(s['p95'], 'ms')} "
                    f"| {fmt(s['max'], 'ms')} |"
                )
        graphs = paint.get("graph_redraw_ms") or {}
        if graphs:
            cells = ", ".join(f"{g} {fmt(s['p50'], 'ms')}" for g, s in graphs.items() if s["n"])
            lines += ["", f"Median time from the action to each graph's last redraw: {cells}."]
        if paint.get("settled_by_quiet_period"):
            lines.append(
                f"{paint['settled_by_quiet_period']} action(s) settled by the quiet period "
                "(a graph or the count did not change); their end is the last event seen."
            )
        if paint.get("failed"):
            lines.append(f"Actions that never settled: {len(paint['failed'])}.")
    st = r.get("server_time") or {}
    if st.get("callbacks"):
        lines += [
            "",
            f"**Server time and bytes per callback** (replay of {st['actions']} captured actions "
            f"on a fresh server, then {st['rounds'] - 1} more round(s) of the same states: "
            f"'repeated'; {fmt(_get(st, 'requests_per_action', 'p50'), 'n')} requests per "
            "action, one at a time):",
            "",
            "| callback (first output) | p50 | p95 | repeated p50 | gzip p50 | uncompressed p50 |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, c in sorted(st["callbacks"].items(), key=lambda kv: -(kv[1]["ms"]["p50"] or 0)):
            lines.append(
                f"| `{name}` | {fmt(c['ms']['p50'], 'ms')} | {fmt(c['ms']['p95'], 'ms')} | "
                f"{fmt(_get(c, 'ms_repeat', 'p50'), 'ms')} | "
                f"{fmt(c['gzip_bytes']['p50'], 'B')} | {fmt(c['raw_bytes']['p50'], 'B')} |"
            )
        lines.append(
            f"| **per interaction** | {fmt(_get(st, 'server_ms', 'p50'), 'ms')} | "
            f"{fmt(_get(st, 'server_ms', 'p95'), 'ms')} | "
            f"{fmt(_get(st, 'server_ms_repeat', 'p50'), 'ms')} | "
            f"{fmt(_get(st, 'gzip_bytes', 'p50'), 'B')} | "
            f"{fmt(_get(st, 'raw_bytes', 'p50'), 'B')} |"
        )
    fl = r.get("first_load") or {}
    if fl.get("runs"):
        run = fl["runs"][0]
        lines += [
            "",
            f"**First load** ({len(fl['runs'])} cold loads, median): all views drawn at "
            f"{fmt(_get(fl, 'ms', 'p50'), 'ms')}; first callback sent at "
            f"{fmt(_get(fl, 'first_callback_ms', 'p50'), 'ms')}, callbacks answered at "
            f"{fmt(_get(fl, 'callbacks_done_ms', 'p50'), 'ms')}; "
            f"{run['requests']} requests, {fmt(_get(fl, 'wire_bytes', 'p50'), 'B')} transferred "
            f"({fmt(_get(fl, 'decoded_bytes', 'p50'), 'B')} decoded). Largest: "
            + ", ".join(f"`{x['path']}` {fmt(x['bytes'], 'B')}" for x in run["largest"][:3])
            + ".",
        ]
    tp = r.get("throughput") or {}
    if tp:
        lines += [
            "",
            "**Throughput** (gunicorn, 2 workers; replaying the captured actions back to back):",
            "",
            "| clients | interactions/s | requests/s | p50 | p95 | errors | cut off at end |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for c, t in tp.items():
            lines.append(
                f"| {c} | {fmt(t.get('interactions_per_s'), '/s')} | "
                f"{fmt(t.get('requests_per_s'), '/s')} | {fmt(_get(t, 'latency_ms', 'p50'), 'ms')} "
                f"| {fmt(_get(t, 'latency_ms', 'p95'), 'ms')} | {t.get('errors')} "
                f"| {t.get('cut_off_at_end')} |"
            )
    mem = r.get("memory") or {}
    if mem:
        parts = []
        for key, label in (
            ("after_start", "after start"),
            ("after_load", "after the first page load"),
            ("after_interactions", "after the interactions"),
        ):
            m = mem.get(key)
            if m:
                parts.append(
                    f"{label} {fmt(m['rss_mb'], 'MB')} RSS / {fmt(m['pss_mb'], 'MB')} PSS "
                    f"({m['processes']} processes)"
                )
        served = _get(mem, "after_interactions", "interactions")
        lines += [
            "",
            "**Memory** (sum over the server's processes): "
            + "; ".join(parts)
            + (f". Interactions served by then: {served:,}." if served else "."),
        ]
    other = r.get("other_work")
    if other and other.get("share_of_cores") is not None:
        lines += [
            "",
            f"Other work on the machine (processes not started by the benchmark) used "
            f"{other['cpu_s']:.0f} CPU-seconds during this size's {other['wall_s']:.0f} s, "
            f"{other['share_of_cores'] * 100:.0f}% of the cores"
            + (": timings are inflated by it." if other["share_of_cores"] > 0.1 else "."),
        ]
    notes = r.get("notes") or []
    if notes:
        lines += ["", "Notes: " + " ".join(notes)]
    lines.append("")
    return lines


PAINT_KEYS = ("paint_p95", "paint_p50", "views_p95")


def _against_first_wave(results: dict) -> list[str]:
    """At 350 articles: each judged measure, its target, the ratio of paint times to the
    fixed reference floor measured in the same run, and the ratio to the first wave."""
    r = results["sizes"].get("350")
    if not r:
        return []
    ref = metric(r, "ref_floor_p95")
    lines = [
        "",
        "### 350 articles against the fixed reference and the first wave",
        "",
        "Reference floor: `Plotly.react` of the first wave's seven figures "
        "(bench/reference), replayed in the same page in this run"
        + (f": p95 {fmt(ref, 'ms')}." if ref else " (not measured)."),
        "",
        "| measure | target | measured | / reference floor p95 | first wave | / first wave |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    keys = [*PAINT_KEYS, *(k for k in TARGETS[350] if k not in PAINT_KEYS)]
    for key in keys:
        if key == "tput8_err":
            continue
        label, unit = next((m[1], m[2]) for m in METRICS if m[0] == key)
        value = metric(r, key)
        target = TARGETS[350].get(key)
        verdict = judge(value, *target, unit) if target else None
        to_floor = f"{value / ref:.2f}x" if key in PAINT_KEYS and value is not None and ref else ""
        first = FIRST_WAVE.get(key)
        to_first = f"{value / first:.2f}x" if value is not None and first else ""
        lines.append(
            f"| {label} | {verdict['target'] + ': ' + verdict['text'] if verdict else ''} | "
            f"{fmt(value, unit)} | {to_floor} | {fmt(first, unit) if first else ''} | "
            f"{to_first} |"
        )
    return lines


def markdown(results: dict, previous: str | None = None) -> str:
    """BENCHMARKS.md; the hand-written block between the notes markers is kept."""
    m = results["machine"]
    sizes = list(results["sizes"])
    quick = ", QUICK smoke run" if results["options"]["quick"] else ""
    plotly_js = results.get("plotly_js") or "n/a"
    head = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`.venv/bin/python scripts/bench.py`); do not edit by "
        "hand except between the notes markers at the end, which a new run keeps.",
        "",
        f"Run: {results['started']} ({results['elapsed_s']:.0f} s{quick}), code `{m['git']}`"
        + (" (uncommitted changes in the working tree)" if m.get("git_dirty_files") else "")
        + (
            f"; sizes not measured in this run come from the run of {results['merged_from']}"
            if results.get("merged_from")
            else ""
        )
        + ".",
        "",
        "| machine | |",
        "| --- | --- |",
        f"| CPU | {m['cpu']} {m.get('cpu_clock') or ''} |",
        f"| speed | {fmt(m.get('calibration_s'), 's')} for a fixed 3-million-step Python "
        "loop (lower is faster; compare runs by it) |",
        f"| cores | {m['cores']} ({m.get('cores_usable')} usable) |",
        f"| memory | {m['memory_gib']} GiB |",
        f"| OS | {m['os']} |",
        f"| Python | {m['python']} |",
        f"| Chromium | {results.get('chromium') or 'n/a'} (plotly.js {plotly_js}) |",
        "| packages | " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + " |",
        "",
        "## Results and targets",
        "",
        "Targets apply to 350 and 100,000 articles (the 100,000 paint target is measured "
        "at 50,000). Bytes: 1 kB = 1,000 B, 1 MB = 10^6 B; memory in MiB.",
        "",
        "| measure | " + " | ".join(f"{int(s):,} articles" for s in sizes) + " |",
        "| --- | " + " | ".join("---" for _ in sizes) + " |",
    ]  # fmt: skip
    for key, label, unit, _ in METRICS:
        head.append(
            f"| {label} | " + " | ".join(_cell(results, s, key, unit) for s in sizes) + " |"
        )
    codes = {r.get("code") for r in results["sizes"].values() if r.get("code")}
    if len(codes) > 1:
        head += [
            "",
            "**The app's code changed during this run** (commits or edits landed between "
            "sizes: " + ", ".join(sorted(codes)) + "), so the sizes are not strictly comparable.",
        ]
    verdicts = results.get("targets") or []
    missed = [v for v in verdicts if v["met"] is False]
    head += [
        "",
        f"**{sum(1 for v in verdicts if v['met'])} of {len(verdicts)} targets met.**"
        + (
            " Missed: "
            + "; ".join(f"{v['size']:,}: {v['label']} {v['text']}" for v in missed)
            + "."
            if missed
            else ""
        ),
        *_against_first_wave(results),
        "",
        "## Details",
        "",
    ]
    for s in sizes:
        head += _details(s, results["sizes"][s])
    head += [
        "## How it is measured",
        "",
        "- `make bench` (= `.venv/bin/python scripts/bench.py`) writes `bench/results.json` and "
        "this file. Options: `--sizes 350,10000,100000`, `--quick` (smoke run: 350 only, few "
        "actions, 5 s of load; writes to a temporary folder unless `--out` is given), "
        "`--out FILE`, `--md FILE`, `--actions N` (per action kind), `--duration S`, "
        "`--wait-quiet S` (before each size, wait up to S s for other work on the machine "
        "to stop), `--merge` (re-measure only `--sizes`, keep the others), `--report-only`, "
        "`--save-captured` (for `python -m bench.profile`). A full run takes 7-8 minutes on "
        "the 2-core machine; at 100,000 articles it uses fewer browser actions (10 per kind, "
        "at 50,000 articles) and 2 replay rounds instead of 3.",
        "- Data: `scripts/make_demo_data.py --n N` (synthetic, same structure as the demo) in "
        "a temporary folder. Each size gets its own server, "
        f"`{results['options']['server']}`, started by the script (free port, 127.0.0.1 only), "
        "waited for on `/healthz` and always stopped at the end.",
        "- **Interaction to paint**: Debian's headless Chromium through Playwright, 1440x900. "
        "Three kinds of action, one untimed warm-up each: tick/untick an origin-income box "
        "(Gray-code order, so each step is a new combination), click a country on the map "
        "(each twice: on, then off), and move a year-slider thumb one year with the "
        "keyboard. The clock starts at the input event's timestamp and stops at the first "
        "frame after: every Dash request the action caused has been answered and read "
        "(including callbacks chained on others' outputs; Dash's own callback queue is "
        'empty), no `[data-dash-is-loading="true"]` is left, every graph of the view '
        f"registry ({', '.join('`#' + g + '`' for g in VIEW_GRAPHS)}) whose figure a "
        "response set has fired `plotly_afterplot` after that "
        "response (a view answered with `no_update`, missing or not plotly needs no redraw, "
        "nor does a graph the page left as it was because its figure did not change, or "
        "left waiting until it scrolls into view: assets/draw.js), "
        "`#article-count` shows the count the response sent, and the article list "
        "(`#articles-list`) has not changed for 250 ms (its rows are the last update). "
        "'Views repainted' is when the last redrawn graph finished. The HTML charts (the "
        "matrices and the partnership bars) have no redraw event: they are drawn by a "
        "clientside callback, which Dash's queue covers. All timestamps are "
        "`performance.now()` in the page.",
        "- **Probe** (independent of the rest's instrumentation): a fresh page at "
        "1440x900, after the first loads; 24 real mouse clicks on filter checkboxes (four "
        "setting-income boxes and one origin-income box in Gray-code order, so every click "
        "is a new combination), each timed from the click's `pointerdown` to the last "
        "`plotly_afterplot` of any chart on the page, once nothing has been drawn or "
        "requested for 700 ms. A chart off-screen that the page draws only when it scrolls "
        "into view does not count (it is drawn when seen). Target p95 <= 200 ms at 350 "
        "articles.",
        "- **Reference floor**: after the timed actions, in the same page, "
        "`Plotly.react` of the seven figures the dashboard drew before the performance "
        "work (bench/reference/floor-350.json.gz, recorded by "
        "`scripts/capture_reference.py` at a7605b7), from each of 17 recorded states to "
        "the next, twice over, in a box of their recorded sizes at the top of the page; "
        "timed to the next frame. The judged ratio is paint p95 / this p95: the same "
        "yardstick in every run, on whatever machine.",
        "- **Floor**: in the same page, after each action, `Plotly.react` of every graph from "
        "the previous state's figures to the new state's (`gd.data`, `gd.layout`), timed "
        "from the first call to the next frame; the judged ratio is paint p95 / this floor's "
        "p95. When the app redraws only the views a change affects, the floor of just those "
        "graphs and the ratio to it are shown as well (the stricter comparison).",
        "- **Server time**: the POST bodies to `/_dash-update-component` captured in the "
        "browser for each timed action are replayed one at a time over HTTP "
        "(`Accept-Encoding: gzip`, a new connection whenever gunicorn closes one) against a "
        "freshly restarted server, so its view cache holds only what the sequence itself "
        "put there (states it revisits are hits, as in one user's session); this first "
        "pass is the judged number. Further rounds repeat every state ('repeated': warm "
        "cache). Per interaction is the sum over its requests (the browser runs some of them "
        "in parallel). **Bytes** are the response bodies as sent (gzip) and uncompressed, "
        "summed per interaction, p95 over the actions.",
        "- **First load**: a fresh browser context (empty cache, cache disabled), from "
        "navigation start to the frame after every view on screen is drawn (the graphs "
        "below the fold are drawn when they scroll into view); bytes are everything "
        "received (CDP `encodedDataLength`, headers included).",
        "- **Throughput**: an asyncio load generator in the benchmark process (same 2-core "
        "machine, so it takes some CPU from the server) with 8, then 32 clients, each "
        "replaying the captured actions back to back for the given duration; an "
        "interaction's requests go one after another on one connection (gunicorn's sync "
        "workers close it after each response). The actions are a few dozen states, so after "
        "the first pass the app's view cache answers most view requests: this is "
        "throughput for popular states, not for ever-new ones (see the first-pass server "
        "time for those). Errors: non-2xx, connection failures, or a request slower than "
        "30 s; interactions still running 10 s after the end are cut off (counted apart).",
        "- **Memory**: sum of VmRSS (and of PSS, which splits pages the preloaded workers "
        "share) over the gunicorn master and workers from /proc, after the first page load "
        "and after at least 1,000 interactions on the server restarted for the replay "
        "(replay and load together; capped in time for slow sizes, the count is given). "
        "**Cold start**: from spawning "
        "`iome-map serve` to the first 200 from `/healthz`.",
        "",
    ]
    notes = [
        NOTES_START,
        "## Where the time goes",
        "",
        "(Hand-written notes; kept by the next run.)",
        NOTES_END,
    ]
    if previous and NOTES_START in previous and NOTES_END in previous:
        start = previous.index(NOTES_START)
        end = previous.index(NOTES_END) + len(NOTES_END)
        notes = previous[start:end].splitlines()
    return "\n".join(head + notes) + "\n"
