"""Soak the production server: a run without a kill (errors, isolation, memory), then a
run in which one gunicorn worker is killed (the service keeps answering, sessions keep
their data). Writes both results to a JSON file and exits 0 only when every criterion
holds.

Usage:
    .venv/bin/python scripts/soak.py                                  # 60 s, 16 clients
    .venv/bin/python scripts/soak.py --duration 60 --clients 16 --kill-at 30 --out bench/soak.json

Criteria (the run without a kill is the memory run: a replacement worker starts small
and grows, so the kill run's memory is reported but not judged):

* no kill: zero errors, zero isolation violations, every client uploaded, no client
  hung, and memory after the last request within 10% of memory after the warm-up (PSS
  sum when the kernel reports it, else RSS sum; both are reported);
* kill: gunicorn started a replacement worker that answered /healthz itself; every
  request started after the victim died succeeded; no time without an answer longer than
  MAX_SILENCE_S; no client saw more than one failed request in a row; zero isolation
  violations; every client's session saw its own data again after the kill.

Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import platform
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import log  # noqa: E402
from bench.server import stop_all  # noqa: E402
from bench.soak import KINDS, run_soak  # noqa: E402

MEMORY_TOLERANCE = 0.10
MAX_SILENCE_S = 5.0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=60.0, help="seconds per run (default 60)")
    p.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    p.add_argument(
        "--kill-at", type=float, default=30.0, help="second of the kill run to kill a worker"
    )
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds before the first memory read")
    p.add_argument("--seed", type=int, default=20261125)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "soak.json")
    args = p.parse_args(argv)
    if not 0 < args.warmup < args.duration:
        p.error("--warmup must be within --duration")
    if not 0 < args.kill_at < args.duration:
        p.error("--kill-at must be within --duration")
    if args.workers < 2:
        p.error("--workers must be at least 2 (one is killed while another answers)")
    return args


def criteria(calm: dict, killed: dict, clients: int) -> dict[str, dict]:
    """Each criterion: whether it holds and the figure it was judged on."""
    mem = calm["memory"]
    kill = killed.get("kill") or {}
    after = kill.get("started_after_kill") or {}

    def c(ok: bool, value) -> dict:
        return {"ok": bool(ok), "value": value}

    ratio = mem.get("ratio")
    return {
        "no_kill.zero_errors": c(calm["errors"]["total"] == 0, calm["errors"]),
        "no_kill.zero_isolation_violations": c(
            calm["isolation_violations"] == 0, calm["isolation_violations"]
        ),
        "no_kill.every_client_uploaded_and_finished": c(
            not calm["clients_without_upload"] and not calm["hung_clients"],
            {"without_upload": calm["clients_without_upload"], "hung": calm["hung_clients"]},
        ),
        f"no_kill.memory_within_{MEMORY_TOLERANCE:.0%}": c(
            ratio is not None and abs(ratio - 1) <= MEMORY_TOLERANCE,
            {
                "basis": mem.get("basis"),
                "ratio": ratio,
                "ratio_pss": mem.get("ratio_pss"),
                "ratio_rss": mem.get("ratio_rss"),
            },
        ),
        "kill.replacement_worker_answered": c(
            kill.get("replacement_pid") is not None
            and kill.get("healthz_from_replacement_s") is not None,
            {
                k: kill.get(k)
                for k in (
                    "pid",
                    "replacement_pid",
                    "replacement_appeared_s",
                    "healthz_from_replacement_s",
                )
            },
        ),
        "kill.service_answered_throughout": c(
            after.get("ok", 0) > 0
            and after.get("failed", 1) == 0
            and killed["longest_silence_s"] <= MAX_SILENCE_S
            and not killed["hung_clients"],
            {"started_after_kill": after, "longest_silence_s": killed["longest_silence_s"]},
        ),
        "kill.max_consecutive_failures_le_1": c(
            killed["max_consecutive_failures"] <= 1, killed["max_consecutive_failures"]
        ),
        "kill.zero_isolation_violations": c(
            killed["isolation_violations"] == 0, killed["isolation_violations"]
        ),
        "kill.no_state_lost": c(
            kill.get("clients_verified_after_kill") == clients,
            kill.get("clients_verified_after_kill"),
        ),
    }


def describe(name: str, r: dict) -> list[str]:
    lines = [
        f"{name}: {r['requests']:,} requests in {r['elapsed_s']:.1f} s "
        f"({r['throughput_rps']:.1f}/s ok), errors {r['errors']['total']} "
        f"{r['errors']['by_status'] or ''}{r['errors']['by_exception'] or ''}, "
        f"retries {r['errors']['retries']} ({r['errors']['retries_ok']} ok), isolation "
        f"violations {r['isolation_violations']} of {r['isolation_checks']:,} checks, max "
        f"consecutive failures {r['max_consecutive_failures']}"
    ]
    for kind in KINDS:
        k = r["by_kind"][kind]
        lat = k["latency_ms"]
        lines.append(
            f"  {kind:9s} {k['requests']:6,} requests, {k['errors']} errors, "
            f"p50 {lat['p50'] or 0:7.1f} ms, p95 {lat['p95'] or 0:7.1f} ms"
        )
    m = r["memory"]
    lines.append(
        f"  memory    warm {m['warm']['pss_mb']} MB PSS / {m['warm']['rss_mb']} MB RSS, end "
        f"{m['end']['pss_mb']} MB PSS / {m['end']['rss_mb']} MB RSS, ratio PSS "
        f"{m['ratio_pss']}, RSS {m['ratio_rss']}"
    )
    kill = r.get("kill")
    if kill:
        after = kill.get("started_after_kill") or {}
        lines.append(
            f"  kill      worker {kill.get('pid')} at {kill.get('at_s')} s; replacement "
            f"{kill.get('replacement_pid')} after {kill.get('replacement_appeared_s')} s, "
            f"first accept {kill.get('replacement_first_accept_s')} s, /healthz from it "
            f"after {kill.get('healthz_from_replacement_s')} s; after the kill "
            f"{after.get('ok')}/{after.get('requests')} ok; longest silence "
            f"{r['longest_silence_s']} s; {kill.get('clients_verified_after_kill')} clients "
            f"saw their own data after it"
        )
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    common = {
        "clients": args.clients,
        "workers": args.workers,
        "warmup_s": args.warmup,
        "seed": args.seed,
        "progress": log,
    }
    log(f"run 1 of 2: {args.duration:.0f} s, {args.clients} clients, no kill")
    calm = run_soak(args.duration, **common)
    log(f"run 2 of 2: {args.duration:.0f} s, {args.clients} clients, kill at {args.kill_at} s")
    killed = run_soak(args.duration, kill_at_s=args.kill_at, **common)
    checks = criteria(calm, killed, args.clients)
    passed = all(c["ok"] for c in checks.values())
    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "passed": passed,
        "criteria": checks,
        "no_kill": calm,
        "kill": killed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print()
    for line in describe("no kill", calm) + describe("kill", killed):
        print(line)
    print()
    for name, c in checks.items():
        print(f"{'PASS' if c['ok'] else 'FAIL'}  {name}")
    print(f"\n{'all criteria hold' if passed else 'SOAK FAILED'}; results in {args.out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
