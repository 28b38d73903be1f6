"""A click's server work around the charts, made quick, gives what the slow way gave.

* ``FilterState.with_values`` (every pressed mark of an HTML chart asks for one) equals
  the URL round trip it stands for: ``parse_query(to_query(replace(state, **changes)))``.
* A filtered evidence base copies its tables when read, and they are the rows a pandas
  filter of the data file keeps.
* The article list's page is the page pandas gives: filtered, searched, sorted, sliced.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from bench.clicks import walk
from components.render import list_page
from evidence import DEMO_PATH, filters
from evidence.load import load_cached
from evidence.state import MAX_QUERY, FilterState, parse_query, to_query


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


@pytest.fixture(scope="module")
def states(eb):
    return [FilterState(), *(parse_query(q)[0] for q in walk(eb, 120, seed=5))]


CHANGES = [
    {"origin_income": ("L",)},
    {"origin_income": ("L", "nonsense")},  # a value the parser drops
    {"country": ("KEN", "HTI")},
    {"country": ("KEN",), "role": "setting", "country_role": "any"},  # an old link's role
    {"role": "setting"},
    {"year": (2005, 2010)},
    {"year": (2010, 2005)},
    {"format": ()},
    {"q": "  Kenya  mobility "},
    {"focus": "KEN"},
    {"region": ("sub-saharan-africa",), "country_role": "origin"},
]


def test_with_values_is_the_url_round_trip(states):
    for state in states:
        for changes in CHANGES:
            slow, _ = parse_query(to_query(replace(state, **changes)))
            assert state.with_values(**changes) == slow, (to_query(state), changes)


def test_with_values_of_a_link_too_long_is_read_as_the_parser_reads_it():
    many = tuple(f"X{i:02d}" for i in range(MAX_QUERY // 3))  # past the query's limit
    state = FilterState()
    slow, _ = parse_query(to_query(replace(state, q="a " * MAX_QUERY)))
    assert state.with_values(q="a " * MAX_QUERY) == slow
    assert state.with_values(country=many) == parse_query(to_query(replace(state, country=many)))[0]
    assert state.with_values(country=["KEN"]) == parse_query("country=KEN")[0]  # a list


def _kept_ids(state: FilterState) -> set[str]:
    """Ids of the articles a plain pandas filter of the data file keeps (two filters)."""
    raw = pd.read_csv(DEMO_PATH, dtype=str, keep_default_na=False)
    keep = np.ones(len(raw), bool)
    if state.format:
        codes = raw["formats"].str.split(";")
        keep &= codes.map(lambda cs: bool(set(cs) & set(state.format))).to_numpy()
    if state.year:
        year = raw["year"].astype(int)
        keep &= year.between(*state.year).to_numpy()
    return set(raw.loc[keep, "id"])


FILTERED = ["format=mobility.outbound,mobility.degree", "year=2008-2012&format=mobility.clinical"]


@pytest.mark.parametrize("query", FILTERED)
def test_a_filtered_base_reads_the_rows_pandas_keeps(eb, query):
    state = parse_query(query)[0]
    sub = filters.apply(eb, state)
    ids = _kept_ids(state)
    assert sub.n_articles == len(ids)  # counted before any table is copied
    assert set(sub.articles["article_id"]) == ids
    for table in ("article_countries", "article_codes", "flows", "partnerships"):
        frame, whole = getattr(sub, table), getattr(eb, table)
        assert frame.equals(whole[whole["article_id"].isin(ids)]), table
        assert getattr(sub, table) is frame  # copied once
        assert filters.lineage(frame)[2] == table  # the aggregates count on its root


@pytest.mark.parametrize("sort", ["list", "year-desc", "title-asc"])
def test_the_list_page_is_the_pandas_page(sort):
    query = FILTERED[0]
    raw = pd.read_csv(DEMO_PATH, dtype=str, keep_default_na=False)
    want = raw[raw["id"].isin(_kept_ids(parse_query(query)[0]))]
    want = want.assign(year=want["year"].astype(int))
    column, order = {"list": (None, ""), "year-desc": ("year", "desc"),
                     "title-asc": ("title", "asc")}[sort]  # fmt: skip
    if column:
        want = want.sort_values(column, ascending=order == "asc", kind="stable")
    page = list_page(query, load_cached(DEMO_PATH), start=10, sort=sort)
    assert page["total"] == len(want) > 20
    assert [r["article_id"] for r in page["rows"]] == list(want["id"].iloc[10:20])
    assert [r["year"] for r in page["rows"]] == list(want["year"].iloc[10:20])
