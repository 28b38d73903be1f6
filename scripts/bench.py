"""Benchmark the dashboard on synthetic data of several sizes; write bench/results.json
and BENCHMARKS.md.

For each size N the script writes ``make_demo_data.py --n N`` to a temporary folder,
starts ``iome-map serve --data FILE --workers 2`` (gunicorn) on a free 127.0.0.1 port,
and measures: interaction to paint in headless Chromium (with the Plotly.react floor),
server time and bytes per interaction (replaying the captured callback requests), first
load, throughput at 8 and 32 clients, memory and cold start. Servers are always stopped.

Usage:
    .venv/bin/python scripts/bench.py                    # 350, 10,000 and 100,000 articles
    .venv/bin/python scripts/bench.py --quick            # smoke run (350 only, ~1 minute)
    .venv/bin/python scripts/bench.py --sizes 350 --out /tmp/r.json
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import log, summary  # noqa: E402
from bench.noise import OtherWork, wait_quiet  # noqa: E402
from bench.report import code_fingerprint, evaluate, machine, markdown  # noqa: E402
from bench.server import Server, stop_all  # noqa: E402

DEFAULT_OUT = ROOT / "bench" / "results.json"
DEFAULT_MD = ROOT / "BENCHMARKS.md"
INTERACTIONS_FOR_MEMORY = 1000


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", help="article counts, e.g. 350,10000,100000 (quick: 350)")
    p.add_argument("--quick", action="store_true", help="smoke run: few actions, short load")
    p.add_argument(
        "--out", type=Path, help=f"results JSON (default {DEFAULT_OUT.relative_to(ROOT)})"
    )
    p.add_argument("--md", type=Path, help="Markdown report (default BENCHMARKS.md next to --out)")
    p.add_argument("--actions", type=int, help="timed actions per kind (3 kinds; default 12)")
    p.add_argument(
        "--actions-large", type=int, default=10, help="per kind when painting >= 50,000 articles"
    )
    p.add_argument(
        "--paint-cap",
        type=int,
        default=50_000,
        help="sizes above this measure interaction to paint at this size (default 50000)",
    )
    p.add_argument("--duration", type=float, help="seconds per load level (default 30)")
    p.add_argument("--clients", default="8,32", help="concurrent clients per load level")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (0: Flask server)")
    p.add_argument("--first-loads", type=int, help="cold page loads per size (default 3)")
    p.add_argument("--rounds", type=int, help="replay rounds over the captured actions")
    p.add_argument("--data-dir", type=Path, help="keep the generated data here")
    p.add_argument(
        "--probe-only",
        action="store_true",
        help="only the first loads and the probe (real checkbox clicks) in the browser",
    )
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="before each size, wait up to S s until other work uses < 10%% of the cores",
    )
    p.add_argument(
        "--report-only",
        action="store_true",
        help="only rewrite the Markdown report from an existing --out file",
    )
    p.add_argument(
        "--merge",
        action="store_true",
        help="keep the other sizes of an existing --out file (re-measure only --sizes)",
    )
    p.add_argument(
        "--save-captured",
        action="store_true",
        help="write the captured requests to captured-N.json next to --out (for bench.profile)",
    )
    args = p.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in (args.sizes or "").split(",") if s.strip()]
    if not args.sizes:
        args.sizes = [350] if args.quick else [350, 10_000, 100_000]
    if args.actions is None:
        args.actions = 2 if args.quick else 12
    if args.quick:
        args.actions_large = min(args.actions_large, args.actions)
    args.duration = args.duration or (5.0 if args.quick else 30.0)
    args.first_loads = args.first_loads or (1 if args.quick else 3)
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    if args.out is None:
        quick_dir = Path(tempfile.gettempdir()) / "iome-bench-quick"
        args.out = quick_dir / "results.json" if args.quick else DEFAULT_OUT
    if args.md is None:
        args.md = (
            DEFAULT_MD if args.out.resolve() == DEFAULT_OUT else args.out.parent / "BENCHMARKS.md"
        )
    return args


def make_data(n: int, folder: Path) -> Path:
    path = folder / f"demo-{n}.csv"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_demo_data.py"), "--n", str(n),
             "--out", str(path)],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return path


def wait_idle(server: Server, timeout: float = 300.0) -> None:
    """Wait until the server answers /healthz again (the queue of cut-off requests drained)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=timeout) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)


def phase(r: dict, name: str, fn, *args, **kwargs):
    """Run one measurement; a failure is recorded and the others still run."""
    t0 = time.monotonic()
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        log(f"  {name} FAILED: {exc!r}")
        r.setdefault("errors", []).append(f"{name}: {exc!r}")
        r.setdefault("tracebacks", []).append(traceback.format_exc()[-2000:])
        return None
    finally:
        r.setdefault("phase_s", {})[name] = round(time.monotonic() - t0, 1)


def browser_phase(r: dict, args, server: Server, paint_n: int, data_for, meta: dict) -> list:
    """First loads on this size; interactions (and their capture) at ``paint_n`` articles."""
    from playwright.sync_api import sync_playwright

    from bench.browser import PROBE_CLICKS, first_load, interactions, launch, probe

    n = r["articles"]
    per_kind = args.actions_large if paint_n >= 50_000 else args.actions
    with sync_playwright() as pw:
        browser = launch(pw)
        meta["chromium"] = browser.version
        try:
            runs = []
            for k in range(args.first_loads):
                run = phase(r, f"first load {k + 1}", first_load, browser, server.url)
                if run:
                    runs.append(run)
                    meta["plotly_js"] = meta.get("plotly_js") or run.get("plotly_js")
                    log(
                        f"  first load {k + 1}: {run['ms']} ms, {run['wire_bytes']:,} B "
                        f"({run['how']})"
                    )
                if k == 0:
                    r["memory"]["after_load"] = server.memory()
            if runs:
                r["first_load"] = {
                    "runs": runs,
                    **{
                        key: summary([x[key] for x in runs if x.get(key) is not None])
                        for key in (
                            "ms",
                            "wire_bytes",
                            "decoded_bytes",
                            "first_callback_ms",
                            "callbacks_done_ms",
                        )
                    },
                }
            r["probe"] = phase(r, "probe", probe, browser, server.url)
            if r["probe"] and r["probe"].get("last_chart_ms"):
                pr = r["probe"]["last_chart_ms"]
                log(f"  probe: click -> last chart drawn p50 {pr['p50']} p95 {pr['p95']} ms")
            r["served"] += PROBE_CLICKS + 1
            if args.probe_only:
                return []
            log(f"  interactions at {paint_n:,} articles ({per_kind} per kind)...")
            if paint_n == n:
                paint = interactions(browser, server.url, per_kind)
                r["served"] += 3 * (per_kind + 1) + 6
            else:
                with Server(data_for(paint_n), workers=args.workers) as paint_server:
                    paint = interactions(browser, paint_server.url, per_kind)
                r["notes"].append(
                    f"Interaction to paint measured at {paint_n:,} articles; the requests it "
                    f"captured were replayed against {n:,} articles."
                )
        finally:
            browser.close()
    captured = paint.pop("captured")
    paint["measured_at"] = paint_n
    r["paint"] = paint
    p = paint["paint_ms"]
    log(
        f"  paint p50 {p['p50']} p95 {p['p95']} ms over {p['n']} actions; floor p95 "
        f"{paint['floor_ms']['p95']} ms; ratio {paint['ratio_p95']}"
    )
    return captured


def bench_size(n: int, args, data_for, meta: dict) -> dict:
    r: dict = {"articles": n, "notes": [], "served": 0, "code": code_fingerprint()}
    paint_n = n if n <= args.paint_cap else args.paint_cap
    path = data_for(n)
    r["data_bytes"] = path.stat().st_size
    server = Server(path, workers=args.workers)
    kind = f"gunicorn --workers {args.workers}" if args.workers else "Flask threaded server"
    try:
        server.start()
        log(f"  server ({kind}) up in {server.cold_start_s:.2f} s on {server.url}")
        r["server"] = {
            "command": f"iome-map serve --data demo-{n}.csv"
            + (f" --workers {args.workers}" if args.workers else ""),
            "kind": kind,
            "cold_start_s": round(server.cold_start_s, 2),
            "health": server.health,
        }
        r["memory"] = {"after_start": server.memory()}
        captured = phase(r, "browser", browser_phase, r, args, server, paint_n, data_for, meta)
        if not captured:
            r["notes"].append("No captured actions: server time, bytes and load not measured.")
            return r
        if args.save_captured:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            (args.out.parent / f"captured-{paint_n}.json").write_text(json.dumps(captured))
        from bench.replay import load, replay

        # A fresh server for the server-side numbers: the browser phase filled the app's
        # view cache with every state the replay will ask for.
        server.stop()
        server = Server(path, workers=args.workers)
        server.start()
        r["server"]["cold_start_s_again"] = round(server.cold_start_s, 2)
        r["served"] = 0
        log(f"  fresh server for the replay and load, up in {server.cold_start_s:.2f} s")
        rounds = args.rounds or (2 if args.quick or n >= 100_000 else 3)
        log(f"  replay of {len(captured)} actions x {rounds} rounds...")
        st = phase(r, "replay", replay, server.url, captured, rounds)
        if st:
            r["server_time"] = st
            r["served"] += rounds * len(captured) + min(3, len(captured))
            log(
                f"  server p50 {st['server_ms']['p50']} p95 {st['server_ms']['p95']} ms "
                f"(repeats p95 {st['server_ms_repeat']['p95']} ms); "
                f"gzip p95 {st['gzip_bytes']['p95']:,.0f} B, "
                f"raw p95 {st['raw_bytes']['p95']:,.0f} B"
            )
        r["throughput"] = {}
        for clients in args.clients:
            log(f"  load: {clients} clients for {args.duration:.0f} s...")
            t = phase(
                r, f"load {clients}", load, server.url, captured, clients=clients,
                duration=args.duration,
            )  # fmt: skip
            wait_idle(server)
            if t:
                r["throughput"][str(clients)] = t
                r["served"] += t["interactions"] + t["errors"]
                log(
                    f"  {clients} clients: {t['interactions_per_s']}/s, p95 "
                    f"{t['latency_ms']['p95']} ms, errors {t['errors']}, cut off "
                    f"{t['cut_off_at_end']}"
                )
        missing = INTERACTIONS_FOR_MEMORY - r["served"]
        if missing > 0:
            cap = 10.0 if args.quick else 45.0
            log(f"  {missing} more interactions for the memory reading (at most {cap:.0f} s)...")
            t = phase(
                r, "top-up", load, server.url, captured, clients=8, duration=cap,
                max_interactions=missing,
            )  # fmt: skip
            wait_idle(server)
            if t:
                r["served"] += t["interactions"] + t["errors"]
        r["memory"]["after_interactions"] = server.memory() | {"interactions": r["served"]}
        if r["served"] < INTERACTIONS_FOR_MEMORY:
            r["notes"].append(
                f"Memory read after {r['served']:,} interactions (fewer than "
                f"{INTERACTIONS_FOR_MEMORY:,} within the time cap)."
            )
        log(f"  memory after {r['served']:,} interactions: {r['memory']['after_interactions']}")
        return r
    finally:
        server.stop()


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.report_only:
        results = json.loads(args.out.read_text())
        previous = args.md.read_text() if args.md.exists() else None
        args.md.write_text(markdown(results, previous))
        log(f"wrote {args.md} from {args.out}")
        return 0
    atexit.register(stop_all)
    # Stop cleanly (servers included) on SIGTERM, and on Ctrl-C even when started in the
    # background with SIGINT ignored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = time.monotonic()
    meta: dict = {}
    results: dict = {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "options": {
            "quick": args.quick,
            "sizes": args.sizes,
            "actions_per_kind": args.actions,
            "actions_per_kind_large": args.actions_large,
            "paint_cap": args.paint_cap,
            "duration_s": args.duration,
            "clients": args.clients,
            "first_loads": args.first_loads,
            "server": (
                f"iome-map serve --data FILE --workers {args.workers}"
                if args.workers
                else "iome-map serve --data FILE"
            ),
        },
        "machine": machine(),
        "sizes": {},
    }
    previous = args.md.read_text() if args.md.exists() else None
    with tempfile.TemporaryDirectory(prefix="iome-bench-") as tmp:
        folder = args.data_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)

        def data_for(n: int) -> Path:
            return make_data(n, folder)

        try:
            for n in args.sizes:
                log(f"{n:,} articles")
                t0 = time.monotonic()
                if args.wait_quiet:
                    quiet = wait_quiet(args.wait_quiet)
                    log(f"  waited {quiet['waited_s']:.0f} s for a quieter machine: {quiet}")
                with OtherWork() as other:
                    try:
                        r = bench_size(n, args, data_for, meta)
                    except Exception as exc:
                        log(f"  FAILED: {exc!r}")
                        r = {"articles": n, "error": repr(exc), "notes": []}
                r["other_work"] = other.result()
                log(f"  CPU used by other work on the machine meanwhile: {r['other_work']}")
                r["elapsed_s"] = round(time.monotonic() - t0, 1)
                results["sizes"][str(n)] = r
                log(f"  done in {r['elapsed_s']:.0f} s")
        finally:
            stop_all()
    if args.merge and args.out.exists():
        old = json.loads(args.out.read_text())
        kept = {k: v for k, v in old.get("sizes", {}).items() if k not in results["sizes"]}
        for v in kept.values():
            v.setdefault("notes", []).append(f"Measured in an earlier run ({old.get('started')}).")
        merged = {**kept, **results["sizes"]}
        results["sizes"] = {k: merged[k] for k in sorted(merged, key=int)}
        results["options"]["sizes"] = [int(k) for k in results["sizes"]]
        if kept:
            results["merged_from"] = old.get("merged_from") or old.get("started")
        meta = {k: old[k] for k in ("chromium", "plotly_js") if k in old} | meta
    results |= meta
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    results["targets"] = evaluate(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    args.md.parent.mkdir(parents=True, exist_ok=True)
    args.md.write_text(markdown(results, previous))
    log(f"wrote {args.out} and {args.md} in {results['elapsed_s']:.0f} s")
    for v in results["targets"]:
        extra = f" [{v['note']}]" if v["note"] else ""
        print(f"  {v['size']:>7,}  {v['label']:<45} {v['target']:<14} {v['text']}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
