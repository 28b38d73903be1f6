"""Server time of a click on a new state, in-process: CPU time per state and a profile.

    .venv/bin/python -m bench.clicks --data demo.csv --states 200            # p50/p95
    .venv/bin/python -m bench.clicks --data demo.csv --states 100 --profile  # + cProfile
    .venv/bin/python -m bench.clicks --data demo.csv --per-step              # + each step
    .venv/bin/python -m bench.clicks --data demo.csv --replay http://127.0.0.1:8050

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


def page_extras(query: str, previous: str, eb) -> None:
    """What the state writer adds around the views and the list (app._page_extras):
    the takeaways, the filter groups' counts and the year label, no data table open."""
    from app import _page_extras

    _page_extras(query, eb, [], {"tables": []}, {}, {})


def whole_click(query: str, previous: str, eb) -> None:
    """:func:`click` as the state writer does it: the views, then the page's text,
    takeaways and list (app._page_extras)."""
    from app import _page_extras
    from components.render import render_views

    drawn = render_views(query, eb, previous=previous)
    _page_extras(query, eb, [], {"tables": []}, {}, drawn)


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
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else 0.0


# --------------------------------------------------------------------------- per step
class StepClock:
    """CPU time per step of a click, each step's own (exclusive) time: a step called
    inside another (filtering inside a view) counts for itself, not for its caller."""

    def __init__(self):
        self.stack: list[list] = []  # [label, time of the steps called inside it]
        self.now: dict[str, float] = {}

    def wrap(self, fn, label):
        """``fn`` timed under ``label`` (a string, or a function of its arguments)."""

        def timed(*args, **kw):
            name = label(*args, **kw) if callable(label) else label
            self.stack.append([name, 0.0])
            t0 = time.process_time()
            try:
                return fn(*args, **kw)
            finally:
                spent = time.process_time() - t0
                _, inner = self.stack.pop()
                self.now[name] = self.now.get(name, 0.0) + spent - inner
                if self.stack:
                    self.stack[-1][1] += spent

        timed.__wrapped__ = fn
        return timed

    def install(self, spots) -> list[tuple[object, str, object]]:
        """Wrap each (owner, name, label) of ``spots`` where it is looked up; returns
        what :meth:`restore` puts back."""
        undo = []
        for owner, name, label in spots:
            old = getattr(owner, name)
            undo.append((owner, name, old))
            setattr(owner, name, self.wrap(old, label))
        return undo

    @staticmethod
    def restore(undo) -> None:
        for owner, name, old in undo:
            setattr(owner, name, old)


def _install(clock: StepClock) -> list[tuple[object, str, object]]:
    """Wrap the steps of a click where they are looked up; returns what to restore."""
    import app
    import components.alternatives as alternatives
    import components.render as render
    import evidence.filters as filters

    def view(*args, **kw):
        return "view " + str(args[2] if len(args) > 2 else kw.get("view"))

    spots = [
        (filters, "apply", "filtering"),
        (filters, "article_mask", "filtering"),
        (render, "_figure_dict", view),
        (render, "_screen", lambda v, *_: f"view {v}"),
        (render, "with_pressed", lambda _d, v, *_: f"view {v}"),
        (render, "chips", "chips+count"),
        (render, "count_text", "chips+count"),
        (render, "parse_query", "parse+keys"),
        (render, "changed_views", "parse+keys"),
        (render, "cache_key", "parse+keys"),
        (render, "filters_key", "parse+keys"),
        (app, "summaries", "takeaways"),
        (alternatives, "summaries", "takeaways"),
        (app, "list_page", "list"),
        (app, "group_counts", "page text"),
        (app, "year_label", "page text"),
    ]
    return clock.install(spots)


def per_step(queries: list[str], eb, step=None) -> tuple[list[float], dict[str, list[float]]]:
    """Whole-click CPU times and each step's time per state (0 where a step did not
    run: a view the click left unchanged)."""
    step = step or whole_click
    clock, totals, steps = StepClock(), [], {}
    undo = _install(clock)
    try:
        previous = ""
        for i, query in enumerate(queries):
            clock.now = {}
            t0 = time.process_time()
            step(query, previous, eb)
            total = time.process_time() - t0
            clock.now["other"] = total - sum(clock.now.values())
            totals.append(total * 1000)
            for name in set(steps) | set(clock.now):
                steps.setdefault(name, [0.0] * i).append(clock.now.get(name, 0.0) * 1000)
            previous = query
    finally:
        clock.restore(undo)
    return totals, steps


def step_table(steps: dict[str, list[float]]) -> str:
    """p50/p95 of each step over the states where it ran, and how many those were."""
    lines = [f"{'step':<24}{'runs':>6}{'p50 ms':>9}{'p95 ms':>9}{'all p95':>9}"]
    for name in sorted(steps, key=lambda k: -pct(steps[k], 0.95)):
        ran = [x for x in steps[name] if x > 0] or [0.0]
        lines.append(f"{name:<24}{len(ran):>6}{pct(ran, 0.5):>9.1f}{pct(ran, 0.95):>9.1f}"
                     f"{pct(steps[name], 0.95):>9.1f}")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="server CPU time per new state, in-process")
    p.add_argument("--data", required=True)
    p.add_argument("--states", type=int, default=200)
    p.add_argument("--profile", action="store_true")
    p.add_argument(
        "--per-step",
        action="store_true",
        help="also time each step of the whole click (views, takeaways, ...)",
    )
    p.add_argument(
        "--replay",
        metavar="URL",
        help="also replay each click's real HTTP request against this server",
    )
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
    if args.per_step:
        totals, steps = per_step(walk(eb, args.states, seed=28), eb)
        sys.stdout.write(
            f"whole click (views + app._page_extras), {len(totals)} new states: "
            f"p50 {pct(totals, 0.5):.1f} ms, p95 {pct(totals, 0.95):.1f} ms (CPU time)\n"
            + step_table(steps)
        )
    if args.replay:
        from bench.replay_clicks import replay_walk

        sys.stdout.write(replay_walk(args.replay, walk(eb, args.states, seed=29), args.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
