"""The takeaway sentences' numbers against pandas over the loaded tables (not the
aggregation engine the sentences now read), on seeded click states; and the article list
of an evidence base with no article."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from bench.clicks import walk
from evidence import DEMO_PATH
from evidence.codebook import load_codebook
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.table import article_page, search_mask
from evidence.views import VIEWS
from evidence.views.gapmap import release

ROOT_DIR = DEMO_PATH.parents[2]


@pytest.fixture(scope="module")
def demo():
    return load_cached(DEMO_PATH)


@pytest.fixture(scope="module")
def states(demo):
    return [parse_query(q)[0] for q in ["", *walk(demo, 24, seed=41)]]


def _kept(demo, state) -> tuple[object, set]:
    sub = apply(demo, state)
    return sub, set(sub.articles["article_id"])


def _expected_trend(demo, ids: set, state) -> str:
    """The trends sentence computed from the articles and codes tables alone."""
    years = demo.articles.loc[demo.articles["article_id"].isin(ids), ["article_id", "year"]]
    n, first, last = len(years), int(years["year"].min()), int(years["year"].max())
    noun = "article" if n == 1 else "articles"
    if first == last:
        return f"{n:,} {noun}, all in {first}."
    width = 5 if last - first >= 9 else 1
    early, late = (first, first + width - 1), (last - width + 1, last)

    def words(w):
        return str(w[0]) if w[0] == w[1] else f"{w[0]}-{w[1]}"

    a, b = (int(years["year"].between(*w).sum()) for w in (early, late))
    trend = "up" if b > a else "down" if b < a else "level"
    text = f"{n:,} {noun} from {first} to {last}: {b} in {words(late)}, {trend} from {a} in {words(early)}"
    cb = load_codebook()
    codes = demo.article_codes
    codes = codes[(codes["dimension"] == state.stack) & codes["article_id"].isin(ids)]
    pairs = codes[["article_id", "group"]].drop_duplicates()
    coded = set(pairs["article_id"])
    uncoded = years.loc[~years["article_id"].isin(coded), ["article_id"]].assign(group="uncoded")
    pairs = pd.concat([pairs, uncoded]).merge(years, on="article_id")
    label = {g: cb.label(g) for g in cb.groups_of(state.stack)} | {"uncoded": "Not coded"}
    pairs["label"] = pairs["group"].map(label)
    change = {
        lab: int(g["year"].between(*late).sum()) - int(g["year"].between(*early).sum())
        for lab, g in sorted(pairs.groupby("label"), key=lambda kv: kv[0])
    }
    best = max(change, key=lambda k: abs(change[k]))  # first in sorted order on a tie
    if change[best] == 0:
        return text + "."
    group = next(g for g, lab in label.items() if lab == best)
    name = cb.groups[group].short if group in cb.groups else best
    d = change[best]
    return text + f"; {name} {'grew' if d > 0 else 'fell'} most ({d:+d})."


def test_trends_sentence_counts_the_articles_of_each_window(demo, states):
    for state in [*states, *(replace(s, stack="motivation") for s in states[:8])]:
        sub, ids = _kept(demo, state)
        if ids:
            assert VIEWS["trends"].takeaway(sub, state) == _expected_trend(demo, ids, state)


def test_gap_sentence_counts_gaps_and_the_fullest_cell(demo, states):
    cb = load_codebook()
    codes = demo.article_codes
    for state in states:
        state = replace(state, gap_rows="motivation", gap_cols="format")
        sub, _ = _kept(demo, state)
        # counted as the chart counts: without its own selection (the state's motivation
        # and format filters, here its rows and columns)
        _, ids = _kept(demo, release(state))
        if not sub.n_articles:
            continue
        kept = codes[codes["article_id"].isin(ids)][["article_id", "dimension", "group"]]
        m = kept[kept["dimension"] == "motivation"].drop_duplicates()
        f = kept[kept["dimension"] == "format"].drop_duplicates()
        both = m.merge(f, on="article_id").groupby(["group_x", "group_y"]).size()
        cells = [(mg, fg) for mg in cb.groups_of("motivation") for fg in cb.groups_of("format")]
        n = [int(both.get(c, 0)) for c in cells]
        text = VIEWS["gapmap"].takeaway(sub, state)
        found = re.search(r"; the fullest is .* \(([\d,]+) articles\)\.$", text)
        assert found and int(found[1].replace(",", "")) == max(n), text
        gaps = sum(1 for k in n if k == 0)
        head = (f"{gaps} of {len(n)} combinations have no article" if gaps
                else f"Every one of the {len(n)} combinations has articles")  # fmt: skip
        assert text.startswith(head), text


@pytest.mark.parametrize("role", ["author", "setting"])
def test_map_sentence_share_of_high_income_in_the_role(demo, states, role):
    ac = demo.article_countries
    for state in states:
        state = replace(state, role=role)
        sub, ids = _kept(demo, state)
        rows = ac[ac["article_id"].isin(ids) & (ac["role"] == role)]
        n = rows["article_id"].nunique()
        if not ids or not len(rows[rows["iso3"] != ""]):
            continue
        high = rows.loc[rows["income"] == "H", "article_id"].nunique()
        text = VIEWS["map"].takeaway(sub, state)
        assert f": {high / n:.0%} of " in text, text
        if role == "setting":
            assert f"of the {n:,} articles with a setting country" in text, text


def test_article_list_of_a_base_with_no_article():
    """Another scheme's file read under IoME's codebook keeps no article: the list is
    empty, not an AttributeError (an empty frame's row-wise join is no column)."""
    empty = load_cached(ROOT_DIR / "data" / "examples" / "faculty_development" / "articles.csv")
    assert empty.n_articles == 0
    for query in ("", "year=2000-2010"):
        page, total = article_page(empty, parse_query(query)[0], 0, 50, search="course")
        assert total == 0 and page.empty and "title" in page.columns
    assert len(search_mask(empty, "course")) == 0
