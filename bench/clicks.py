"""Server time of a click on a new state, in-process: CPU time per state and a profile.

    .venv/bin/python -m bench.clicks --data demo.csv --states 200            # p50/p95
    .venv/bin/python -m bench.clicks --data demo.csv --states 100 --profile  # + cProfile

A seeded walk of filter clicks (one filter value added or removed per step, now and then
a reset) from the default view. Each step does what the state writer does for a click,
with no cache, so every state is new: render every changed view, the takeaways, the
article list's first page. Timed with ``time.process_time`` so that other processes on a
shared machine count less than in wall-clock time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Fields a click toggles, and how their values are picked (see walk()).
TOGGLED = ("origin_income", "setting_income", "format", "motivation", "country", "region")


def _choices(eb) -> dict[str, list]:
    from evidence.codebook import load_codebook
    from evidence.model import INCOME_GROUPS

    cb = load_codebook()
    countries = sorted(set(eb.articles["origin"].dropna()))[:40]
    return {
        "origin_income": list(INCOME_GROUPS),
        "setting_income": list(INCOME_GROUPS),
        "format": list(cb.codes_of("format"))[:8],
        "motivation": list(cb.codes_of("motivation"))[:8],
        "country": countries,
        "region": sorted(set(eb.articles.get("origin_region", [])) - {None})[:6] or [],
    }


def walk(eb, n: int, seed: int = 27) -> list[str]:
    """``n`` distinct queries, each one click (a value toggled, a year range, a reset)
    from the one before."""
    from evidence.state import FilterState, to_query

    rng = random.Random(seed)
    choices = {k: v for k, v in _choices(eb).items() if v}
    state, seen, out = FilterState(), {""}, []
    while len(out) < n:
        roll = rng.random()
        if roll < 0.05:
            new = FilterState()
        elif roll < 0.15:
            lo = rng.randint(1995, 2018)
            new = replace(state, year=(lo, lo + rng.randint(0, 8)))
        else:
            key = rng.choice(sorted(choices))
            value = rng.choice(choices[key])
            now = tuple(getattr(state, key) or ())
            now = tuple(v for v in now if v != value) if value in now else (*now, value)
            new = replace(state, **{key: now})
        query = to_query(new)
        if query not in seen:
            seen.add(query)
            out.append(query)
        state = new if len(new.filter_fields()) < 3 else FilterState()
    return out


def click(query: str, previous: str, eb) -> None:
    """What the state writer computes for a click to a new state (no cache)."""
    from components.alternatives import SUMMARY_VIEWS, summaries
    from components.render import list_page, render_views

    render_views(query, eb, previous=previous)
    summaries(query, eb, SUMMARY_VIEWS)
    list_page(query, eb)


def times_ms(queries: list[str], eb, step=click) -> list[float]:
    out, previous = [], ""
    for query in queries:
        t0 = time.process_time()
        step(query, previous, eb)
        out.append((time.process_time() - t0) * 1000)
        previous = query
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="server CPU time per new state, in-process")
    p.add_argument("--data", required=True)
    p.add_argument("--states", type=int, default=200)
    p.add_argument("--profile", action="store_true")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from components.render import warm_up
    from evidence.load import load_cached

    eb = load_cached(args.data)
    warm_up(eb)
    queries = walk(eb, args.states)
    times_ms(queries[:5], eb)  # warm
    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    xs = times_ms(queries, eb)
    if prof:
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(60)
        sys.stdout.write(s.getvalue())
    sys.stdout.write(
        f"{len(xs)} new states, {eb.n_articles:,} articles: "
        f"p50 {pct(xs, 0.5):.1f} ms, p95 {pct(xs, 0.95):.1f} ms (CPU time)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
