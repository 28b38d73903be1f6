"""Every mark's number is the number of articles its filter selects.

A click on a mark sets one filter (tests/callbacks/test_sync.py replays recorded clicks);
here, for every mark of every view on the demo data, with and without another filter
already set and under both income classifications, the articles that filter selects are
exactly as many as the mark shows: "N of M" after the click equals the mark's number.
"""

from __future__ import annotations

import pytest

from evidence import DEMO_PATH, aggregate
from evidence.fields import FILTER_ROLES
from evidence.filters import apply
from evidence.load import load_cached
from evidence.model import INCOME_GROUPS
from evidence.state import ROLES, FilterState
from evidence.views import VIEWS, flows_evidence
from evidence.views.alignment import SIDE_GROUPS

BASES = [FilterState(), FilterState(year=(2010, 2020)), FilterState(income="latest")]


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def n_after(eb, base: FilterState, **click) -> int:
    """Articles shown after a click that sets ``click`` on top of ``base``."""
    return apply(eb, base.with_values(**click)).n_articles


@pytest.mark.parametrize("base", BASES, ids=["all", "2010-2020", "latest"])
def test_map_countries_in_every_role(eb, base):
    sub = apply(eb, base)
    # the count the map colours by is what the Countries filter keeps in that role
    for role in ROLES:
        state = base.with_values(role=role, country_role=role)
        counts = aggregate.counts_by_country(sub, role=role, classification=base.income)
        for iso3, n in zip(counts["iso3"], counts["n_articles"], strict=True):
            assert n_after(eb, state, country=(iso3,)) == n, (role, iso3)
    # and the hover's "involve it" count is what a click keeps in the filters' role
    for filter_role in FILTER_ROLES:
        state = base.with_values(country_role=filter_role)
        counts, _ = VIEWS["map"].build(sub, state)
        for iso3, n in zip(counts["iso3"], counts["n_involving"], strict=True):
            assert n_after(eb, state, country=(iso3,)) == n, (filter_role, iso3)


@pytest.mark.parametrize("base", BASES, ids=["all", "2010-2020", "latest"])
def test_flow_arcs_and_partner_arcs(eb, base):
    sub = apply(eb, base)
    flows = aggregate.flows_by_pair(flows_evidence(sub, base), classification=base.income)
    assert len(flows)
    for o, d, n in zip(flows["origin"], flows["destination"], flows["n_articles"], strict=True):
        assert n_after(eb, base, flow=(f"{o}>{d}",)) == n, (o, d)
    pairs = aggregate.partner_pairs(sub, classification=base.income)
    assert len(pairs)
    for o, d, n in zip(pairs["origin"], pairs["destination"], pairs["n_articles"], strict=True):
        assert n_after(eb, base, partner=(f"{o}>{d}",)) == n, (o, d)


@pytest.mark.parametrize("base", BASES, ids=["all", "2010-2020", "latest"])
def test_direction_matrix_cells(eb, base):
    sub = apply(eb, base)
    matrix = aggregate.direction_matrix(flows_evidence(sub, base).flows, classification=base.income)
    for r in INCOME_GROUPS:
        for c in INCOME_GROUPS:
            assert n_after(eb, base, direction=(f"{r}>{c}",)) == matrix.loc[r, c], (r, c)


@pytest.mark.parametrize("base", BASES, ids=["all", "2010-2020", "latest"])
def test_partnership_bars(eb, base):
    sub = apply(eb, base)
    for code, n in aggregate.partnership_summary(sub)[["code", "n_articles"]].to_numpy():
        assert n_after(eb, base, format=(code,)) == n, code
    directions = aggregate.direction_counts(sub, "partnerships", classification=base.income)
    for direction, n in directions[["direction", "n_articles"]].to_numpy():
        assert n_after(eb, base, partner=(direction,)) == n, direction


@pytest.mark.parametrize("mode", ["counts", "row_share", "by_income"])
@pytest.mark.parametrize("base", BASES, ids=["all", "2010-2020", "latest"])
def test_alignment_cells(eb, base, mode):
    sub = apply(eb, base)
    cells = aggregate.alignment_matrix(sub, mode=mode, classification=base.income)
    for row in cells.itertuples():
        click = {"motivation": (row.motivation,), "format": (row.format,)}
        if row.side in SIDE_GROUPS:
            click["origin_income"] = SIDE_GROUPS[row.side]
        assert n_after(eb, base, **click) == row.n_articles, row


@pytest.mark.parametrize("base", BASES, ids=["all", "2010-2020", "latest"])
def test_trend_years(eb, base):
    sub = apply(eb, base)
    for year, n in sub.articles["year"].value_counts().items():
        assert n_after(eb, base, year=(year, year)) == n, year
