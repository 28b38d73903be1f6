"""Profile the server side of captured interactions in-process, with pyinstrument.

    .venv/bin/pip install pyinstrument          # a profiling aid, not a project dependency
    .venv/bin/python scripts/bench.py --sizes 350 --save-captured   # writes captured-350.json
    .venv/bin/python -m bench.profile --data demo.csv --captured captured-350.json

Each captured request goes through the app's own Flask test client (routing, the Dash
callback, JSON encoding, compression), so the profile shows where a real request spends
its time. Prints the time per callback and pyinstrument's call tree.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="profile captured callback requests")
    p.add_argument("--data", required=True, help="the CSV the actions were captured on")
    p.add_argument("--captured", required=True, type=Path, help="captured-N.json of a bench run")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    args = p.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.stderr.write("pyinstrument is not installed: .venv/bin/pip install pyinstrument\n")
        return 2
    sys.path.insert(0, str(ROOT))
    os.environ["IOME_DATA"] = str(Path(args.data).resolve())
    from app import create_app

    client = create_app(data_path=args.data).server.test_client()
    actions = json.loads(args.captured.read_text())
    from bench.replay import callback_name

    def send(req):
        return client.post(
            req["path"],
            data=req["body"],
            headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"},
        )

    for action in actions[:3]:  # warm up
        for req in action["requests"]:
            send(req)
    times: dict[str, list[float]] = defaultdict(list)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.rounds):
        for action in actions:
            for req in action["requests"]:
                t0 = time.perf_counter()
                send(req)
                times[callback_name(req.get("output", ""))].append(time.perf_counter() - t0)
    profiler.stop()
    for name, xs in sorted(times.items(), key=lambda kv: -sum(kv[1])):
        sys.stdout.write(f"{sum(xs) * 1000:9.0f} ms total {len(xs):5d} calls  {name}\n")
    sys.stdout.write(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        args.html.write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
