"""The world map the screen gets on a click (its figure alone, built from the engine's
arrays with no frame: Chart.figure) says the numbers plain pandas counts, and is the
figure the files get.

Over states a person reaches by clicking (bench/clicks.walk) in every country role:
each country's colour (z), hover counts (customdata) and click words equal distinct
articles counted with pandas over the filtered tables; the countries without articles
are exactly the listed economies no article names. The income-history words of any
year range equal the World Bank runs put into words.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pandas as pd
import pytest
from plotly.io.json import to_json_plotly

from evidence import DEMO_PATH, PROJECT_ROOT
from evidence.codebook import load_codebook, using_codebook
from evidence.countries import economies, income_periods, region_members
from evidence.figures import theme
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import FilterState, parse_query
from evidence.views import VIEWS
from evidence.views.map import income_history

EXAMPLE = PROJECT_ROOT / "data" / "examples" / "faculty_development"
ROLES = (("origin", "any"), ("author", "author"), ("setting", "origin"), ("origin", "setting"))


@pytest.fixture(scope="module")
def demo():
    return load_cached(DEMO_PATH)


@pytest.fixture(params=["demo", "faculty_development"])
def scheme(request):
    """The demo under its codebook, and the example review under its own."""
    if request.param == "demo":
        yield load_cached(DEMO_PATH)
        return
    with using_codebook(EXAMPLE / "codebook.yaml"):
        yield load_cached(EXAMPLE / "articles.csv")


@pytest.fixture
def screen(monkeypatch):
    """Figures as the dashboard gets them: plain dicts (the suite validates go.Figures)."""
    monkeypatch.setattr(theme, "VALIDATE", False)


def _states(eb, n: int) -> list[FilterState]:
    from bench.clicks import walk

    walked = [parse_query(q)[0] for q in walk(eb, n, seed=2727)]
    return [
        replace(s, role=r, country_role=c) for s, (r, c) in zip(walked, ROLES * n, strict=False)
    ]


def _in_role(sub, role: str) -> pd.Series:
    """Distinct articles per country naming it in ``role``, with pandas."""
    ac = sub.article_countries
    ac = ac[(ac["role"] == role) & ac["iso3"].notna() & (ac["iso3"] != "")]
    return ac.drop_duplicates(["article_id", "iso3"]).groupby("iso3")["article_id"].size()


def _involving(sub, filter_role: str) -> pd.Series:
    """Distinct articles per country the Countries filter keeps in ``filter_role``."""
    ac = sub.article_countries
    frames = [ac[["article_id", "iso3"]] if filter_role == "any"
              else ac.loc[ac["role"] == filter_role, ["article_id", "iso3"]]]  # fmt: skip
    if filter_role == "any":
        for table, a, b in (("flows", "origin", "destination"),
                            ("partnerships", "lead", "partner")):  # fmt: skip
            t = getattr(sub, table)
            frames += [
                t[["article_id", e]].set_axis(["article_id", "iso3"], axis=1) for e in (a, b)
            ]
    pairs = pd.concat(frames).dropna().drop_duplicates()
    return pairs.groupby("iso3")["article_id"].size()


def _screen(chart, sub, state) -> dict:
    """The figure the dashboard sends for a click (components/render.py)."""
    with theme.specs_only(), theme.drawn_in_browser():
        return chart.figure_of(sub, state)


def _traces(fig: dict) -> tuple[dict, dict, dict | None]:
    """The countries with articles, the grey ones, and the grey ones a click still
    selects (None when there are none)."""
    maps = [t for t in fig["data"] if t["type"] == "choropleth"]
    return maps[0], maps[1], maps[2] if len(maps) > 2 else None


def test_screen_map_numbers_equal_pandas_on_generated_states(scheme, screen):
    chart, econ = VIEWS["map"], economies()
    # every economy of a UN region is listed, without articles too (former states are not)
    listed = set(econ.index[(econ["un_region"].fillna("") != "") & ~econ["former"]])
    checked = 0
    for state in _states(scheme, 48):
        sub = apply(scheme, chart.counted_in(state))
        if sub.n_articles == 0:
            continue
        fig = _screen(chart, sub, state)
        assert isinstance(fig, dict)
        n, inv = _in_role(sub, state.role), _involving(sub, state.country_role)
        if n.sum() == 0:
            assert not any(t["type"] == "choropleth" for t in fig["data"]), state
            continue
        has, gaps, involved = _traces(fig)
        rows = has["customdata"]
        assert dict(zip(has["locations"].tolist(), has["z"].tolist(), strict=True)) == n.to_dict()
        assert [r[3] for r in rows] == has["z"].tolist()
        assert [r[4] for r in rows] == [int(inv.get(c, 0)) for c in has["locations"]]
        assert has["zmax"] == n.max()
        zero = set(listed) - set(n.index)
        assert set(gaps["locations"].tolist()) == {c for c in zero if inv.get(c, 0) == 0}, state
        if involved is not None:
            assert {r[0]: r[4] for r in involved["customdata"]} == {
                c: inv[c] for c in zero if inv.get(c, 0) > 0
            }
        picked = set(state.country).union(*(region_members(r) for r in state.region))
        for iso3, words in zip(has["locations"], has["text"], strict=True):
            k = int(inv.get(iso3, 0))
            if iso3 not in picked and k:
                assert words.startswith(f"Click to select: {k:,} article"), (iso3, words)
        checked += 1
    assert checked >= 20


def test_screen_map_is_the_files_map(demo, screen):
    """The figure alone equals the figure of build() (its frame aside): one builder."""
    chart = VIEWS["map"]
    for state in _states(demo, 24):
        sub = apply(demo, chart.counted_in(state))
        with theme.specs_only():
            alone, (frame, built) = chart.figure_of(sub, state), chart.build(sub, state)
        assert to_json_plotly(alone) == to_json_plotly(built), state
        if sub.n_articles and frame["n_articles"].sum():
            assert frame["n_articles"].sum() == sum(_traces(alone)[0]["z"].tolist())


def _words(runs, groups) -> str:
    label = lambda g, key="label": groups.get(g, {}).get(key, "Unclassified")  # noqa: E731
    if len(runs) == 1:
        return label(runs[0][0])
    return ", ".join(
        f"{label(g) if i == 0 else label(g, 'short').lower()} {a if a == b else f'{a}-{b}'}"
        for i, (g, a, b) in enumerate(runs)
    )


def test_income_history_words_for_any_year_range():
    groups = load_codebook().income_groups
    codes = pd.Series([*economies().index, "XXX", ""], dtype=object)
    rng = random.Random(27)
    for _ in range(25):
        first = rng.randint(1980, 2028)
        years = (first, first + rng.randint(0, 15))
        got = income_history(codes, years).tolist()
        periods = income_periods(codes, *years)
        assert got == [_words(r, groups) if r else "" for r in periods], years
