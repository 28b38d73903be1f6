"""Time ``filters.apply`` and every per-click aggregate at several evidence-base sizes.

A click in the dashboard filters the evidence base once and then computes, for the
filtered base, every aggregate the views draw plus the takeaways. This script measures
each of those calls separately (median = p50 over repeats, in milliseconds) for a few
filter states, and the whole click (``apply`` + every aggregate, no figures).

Usage:
    .venv/bin/python scripts/profile_aggregates.py                  # 350, 10,000, 100,000
    .venv/bin/python scripts/profile_aggregates.py --sizes 350,10000 --repeat 30
    .venv/bin/python scripts/profile_aggregates.py --json /tmp/agg/after.json

Sizes other than 350 (``data/demo/articles.csv``) are written by
``scripts/make_demo_data.py --n N`` into ``--cache`` (default /tmp/agg) and the loaded
evidence base is pickled there, so only the first run pays the ~10 s load of 100,000.
The first click on a new evidence base also builds the integer-code index of
:mod:`evidence.filters` / :mod:`evidence.aggregate`; it is reported as "first clicks"
and kept out of the medians (it happens once per loaded file, not per click).

Measured before -> after the integer-code fast path (the commit that added this script,
same machine, 2 cores shared with other work: single numbers move by +-30%). p50 in ms,
the worst of the five states below; aggregate rows leave out the restriction of the
flow views to mobility kinds, "click" is the whole click (apply, that second apply,
every aggregate and takeaway; no figures); "first clicks" includes building the indexes
(once per loaded file):

    p50 ms, worst state             350 articles       10,000 articles      100,000 articles
    apply                           0.90 -> 0.73          7.71 -> 2.59          99.6 -> 27.7
    counts_by_country               16.1 -> 0.22          11.2 -> 0.31          63.1 -> 1.99
    flows_by_pair                   13.0 -> 0.15          11.5 -> 0.41          26.1 -> 0.84
    direction_matrix                2.98 -> 0.04          3.10 -> 0.06          46.3 -> 0.35
    partnership_summary             0.85 -> 0.07          3.32 -> 0.09          35.6 -> 0.40
    direction_counts                0.61 -> 0.07          1.51 -> 0.08          15.0 -> 0.32
    partner_pairs                   9.02 -> 0.16          13.0 -> 0.41          66.3 -> 0.89
    alignment_matrix                11.2 -> 0.18          31.0 -> 0.23           159 -> 0.78
    alignment(counts)               10.3 -> 0.23          26.0 -> 0.26           191 -> 0.77
    trends                          2.62 -> 0.08          16.6 -> 0.13          81.9 -> 1.10
    takeaways                       8.62 -> 0.29          33.6 -> 0.37          91.8 -> 2.11
    click                            104 -> 3.08           191 -> 8.49           966 -> 56.0
    first clicks (5 states)           241 -> 36.6            498 -> 152           2303 -> 455

    click per state at 100,000 (ms): all 676 -> 4.2, years+latest 357 -> 23,
    mobility+kind 966 -> 56, country(author) 787 -> 42, narrow 313 -> 39.
    What is left at 100,000 is ``apply`` copying the kept rows of every table (pandas
    object columns: ~20-35 ms); the aggregates themselves take 0.1-2 ms at any size.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence import DEMO_PATH, aggregate, filters  # noqa: E402
from evidence.load import load_cached  # noqa: E402
from evidence.model import EvidenceBase  # noqa: E402
from evidence.state import FilterState  # noqa: E402

STATES: dict[str, FilterState] = {
    "all": FilterState(),
    "years+latest": FilterState(year=(2010, 2018), income="latest", stack="motivation"),
    "mobility+kind": FilterState(
        format=("mobility",), kind=("mobility.outbound",), align="row_share"
    ),
    "country(author)": FilterState(
        country=("USA", "GBR", "KEN"), role="author", align="by_income", income="latest"
    ),
    "narrow": FilterState(
        motivation=("social",), origin_income=("H",), region=("Africa",), role="setting"
    ),
}


def _flows_eb(sub: EvidenceBase, state: FilterState) -> EvidenceBase:
    # as evidence.views.flows_evidence (kept here so the script needs no plotly import)
    return filters.apply(sub, FilterState(format=state.kind)) if state.kind else sub


def calls(
    sub: EvidenceBase, state: FilterState, flows_eb: EvidenceBase | None = None
) -> dict[str, Callable[[], object]]:
    """Every aggregate a click computes, named as in the report table. ``flows_eb`` is
    the evidence of the flow views (``sub`` restricted to the mobility kinds): given, the
    timings leave out that second ``apply``; None, it is filtered as the views do."""
    c = state.income

    def flows() -> EvidenceBase:
        return flows_eb if flows_eb is not None else _flows_eb(sub, state)

    return {
        "counts_by_country": lambda: aggregate.counts_by_country(sub, state.role, c),
        "flows_by_pair": lambda: aggregate.flows_by_pair(flows(), c),
        "direction_matrix": lambda: aggregate.direction_matrix(flows().flows, classification=c),
        "partnership_summary": lambda: aggregate.partnership_summary(sub),
        "direction_counts": lambda: aggregate.direction_counts(sub, "partnerships", c),
        "partner_pairs": lambda: aggregate.partner_pairs(sub, c),
        "alignment_matrix": lambda: aggregate.alignment_matrix(sub, state.align, c),
        "alignment(counts)": lambda: aggregate.alignment_takeaway(
            aggregate.alignment_matrix(sub, "counts", c)
        ),
        "trends": lambda: aggregate.trends(sub, state.stack, state.year),
        "takeaways": lambda: (
            aggregate.top_countries(aggregate.counts_by_country(sub, state.role, c)),
            aggregate.share_from_side(sub, "north", c),
            aggregate.share_of_flows(flows(), "N>S", c),
            aggregate.share_of_partnerships(sub, "N>S", c),
        ),
    }


def click(eb: EvidenceBase, state: FilterState) -> None:
    """One whole click without figures: filter, then every aggregate."""
    sub = filters.apply(eb, state)
    if sub.n_articles:
        for fn in calls(sub, state).values():
            fn()


def forget_results() -> None:
    """Empty the cache of recent ``apply`` results (if any), so a click starts cold."""
    getattr(filters, "_RESULTS", {}).clear()


def p50(fn: Callable[[], object], repeat: int, cold: bool = False) -> float:
    """Median wall time of ``fn`` in milliseconds (``cold``: no cached apply results)."""
    times = []
    for _ in range(repeat):
        if cold:
            forget_results()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def evidence(n: int, cache: Path) -> EvidenceBase:
    """The evidence base of ``n`` demo articles (350 = the shipped demo file)."""
    if n == 350:
        return load_cached(DEMO_PATH)
    cache.mkdir(parents=True, exist_ok=True)
    csv, pkl = cache / f"{n}.csv", cache / f"{n}.pkl"
    if not csv.exists():
        script = ROOT / "scripts" / "make_demo_data.py"
        subprocess.run([sys.executable, str(script), "--n", str(n), "--out", str(csv)], check=True)
    if pkl.exists() and pkl.stat().st_mtime >= csv.stat().st_mtime:
        with open(pkl, "rb") as fh:
            return pickle.load(fh)
    eb = load_cached(csv)
    with open(pkl, "wb") as fh:
        pickle.dump(eb, fh)
    return eb


def profile(n: int, eb: EvidenceBase, repeat: int) -> dict[str, dict[str, float]]:
    """{state: {call: p50 ms}} for one evidence base."""
    t0 = time.perf_counter()
    for state in STATES.values():  # first calls build every cached index
        click(eb, state)
    prepare = (time.perf_counter() - t0) * 1000
    out: dict[str, dict[str, float]] = {}
    for name, state in STATES.items():
        row = {"apply": p50(lambda s=state: filters.apply(eb, s), repeat, cold=True)}
        sub = filters.apply(eb, state)
        row["n_articles"] = sub.n_articles
        for call, fn in calls(sub, state, _flows_eb(sub, state)).items():
            row[call] = p50(fn, repeat)
        row["click"] = p50(lambda s=state: click(eb, s), repeat, cold=True)
        out[name] = row
    out["_prepare"] = {"first clicks (ms)": prepare}
    return out


def table(results: dict[str, dict]) -> str:
    """A plain-text table: one line per call, one column per size and state."""
    lines = []
    for size, by_state in results.items():
        states = [s for s in by_state if not s.startswith("_")]
        calls_ = [k for k in by_state[states[0]] if k != "n_articles"]
        lines.append(f"\n{size} articles (p50 ms; first clicks incl. index build: "
                     f"{by_state['_prepare']['first clicks (ms)']:.0f} ms)")  # fmt: skip
        lines.append(f"{'':22}" + "".join(f"{s:>17}" for s in states))
        lines.append(f"{'n_articles':22}" + "".join(
            f"{by_state[s]['n_articles']:>17,}" for s in states))  # fmt: skip
        for call in calls_:
            lines.append(f"{call:22}" + "".join(f"{by_state[s][call]:>17.2f}" for s in states))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="350,10000,100000", help="article counts")
    p.add_argument("--repeat", type=int, default=0, help="repeats per call (default by size)")
    p.add_argument("--cache", type=Path, default=Path("/tmp/agg"), help="data/pickle folder")
    p.add_argument("--json", type=Path, help="also write the results as JSON")
    args = p.parse_args(argv)
    results: dict[str, dict] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        eb = evidence(n, args.cache)
        repeat = args.repeat or (41 if n <= 1000 else 15 if n <= 20_000 else 7)
        results[str(n)] = profile(n, eb, repeat)
        print(table({str(n): results[str(n)]}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
