"""Aggregates count distinct articles per category, keep zeros, and respect the
year/latest income classification."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from factories import (
    NAMES,
    POINTS,
    article,
    economies,
    make_evidence,
    random_evidence,
    sample_evidence,
)

from evidence import aggregate as ag
from evidence.aggregate import _engine as engine
from evidence.codebook import load_codebook
from evidence.model import DIRECTIONS, INCOME_GROUPS, EvidenceBase


@pytest.fixture(scope="module")
def eb() -> EvidenceBase:
    return sample_evidence()


def _cell(cells: pd.DataFrame, motivation: str, fmt: str, side: str = "all") -> pd.Series:
    hit = cells[
        (cells["motivation"] == motivation) & (cells["format"] == fmt) & (cells["side"] == side)
    ]
    assert len(hit) == 1
    return hit.iloc[0]


def _coded_with_both(eb: EvidenceBase, motivation: str, fmt: str, key: str) -> int:
    ac = eb.article_codes
    m = set(ac.loc[(ac["dimension"] == "motivation") & (ac[key] == motivation), "article_id"])
    f = set(ac.loc[(ac["dimension"] == "format") & (ac[key] == fmt), "article_id"])
    return len(m & f)


# --------------------------------------------------------------------------- countries
def test_counts_by_country_counts_distinct_articles_and_keeps_zero_rows(eb):
    counts = ag.counts_by_country(eb, "origin", economies=economies()).set_index("iso3")
    assert counts.loc["CAN", "n_articles"] == 2
    assert counts.loc["USA", "n_articles"] == 1
    assert counts.loc["UGA", "n_articles"] == 0  # gap row present
    assert set(counts.index) == set(NAMES)
    assert list(counts.columns) == ["name", "n_articles", "income", "income_label", "region"]


def test_counts_by_country_setting_role_counts_each_article_once(eb):
    counts = ag.counts_by_country(eb, "setting", economies=economies()).set_index("iso3")
    # a1 and a2 are both set in Uganda; a2 names Uganda and Kenya.
    assert counts.loc["UGA", "n_articles"] == 2
    assert counts.loc["KEN", "n_articles"] == 1


def test_counts_by_country_income_follows_classification(eb):
    year = ag.counts_by_country(eb, "origin", "year", economies=economies()).set_index("iso3")
    latest = ag.counts_by_country(eb, "origin", "latest", economies=economies()).set_index("iso3")
    assert year.loc["CHL", "income"] == "UM"  # Chile's 2011 article: upper-middle income
    assert latest.loc["CHL", "income"] == "H"
    assert latest.loc["CHL", "income_label"] == "High income"


def test_counts_by_country_keeps_countries_missing_from_reference():
    eb = make_evidence([article("x", origin="XKX")])
    counts = ag.counts_by_country(eb, economies=economies()).set_index("iso3")
    assert counts.loc["XKX", "n_articles"] == 1


def test_counts_by_country_leaves_out_former_states_unless_named():
    econ = economies()
    econ.loc["SUN"] = ["Soviet Union", "Europe", ""]
    econ["former"] = econ.index == "SUN"
    eb = make_evidence([article("x", origin="CAN")])
    assert "SUN" not in set(ag.counts_by_country(eb, economies=econ)["iso3"])


def test_counts_by_country_rejects_unknown_role(eb):
    with pytest.raises(ValueError, match="role"):
        ag.counts_by_country(eb, "reviewer", economies=economies())


def test_gap_countries_are_the_zero_rows(eb):
    gaps = ag.gap_countries(eb, "origin", economies=economies())
    assert set(gaps["iso3"]) == set(NAMES) - {"CAN", "USA", "CHL", "IND"}
    assert (gaps["n_articles"] == 0).all()


# --------------------------------------------------------------------------- flows
def test_flows_by_pair_counts_articles_not_flow_rows(eb):
    pairs = ag.flows_by_pair(eb, points=POINTS, names=NAMES)
    can_uga = pairs[(pairs["origin"] == "CAN") & (pairs["destination"] == "UGA")].iloc[0]
    # a1 once, a2 twice (two flow rows): two articles.
    assert can_uga["n_articles"] == 2
    assert can_uga["direction"] == "N>S"
    assert can_uga["origin_name"] == "Canada"
    assert (can_uga["lon0"], can_uga["lat0"]) == tuple(POINTS.loc["CAN", ["lon", "lat"]])
    assert (can_uga["lon1"], can_uga["lat1"]) == tuple(POINTS.loc["UGA", ["lon", "lat"]])
    assert list(pairs.columns) == ag.PAIR_COLUMNS
    assert pairs["n_articles"].is_monotonic_decreasing


def test_flows_by_pair_drops_unplaced_pairs_and_counts_them(eb):
    pairs = ag.flows_by_pair(eb, points=POINTS, names=NAMES)
    assert "XKX" not in set(pairs["destination"])
    assert pairs.attrs["n_unplaced_pairs"] == 1
    assert pairs.attrs["n_unplaced_articles"] == 1


def test_flows_by_pair_direction_follows_classification(eb):
    year = ag.flows_by_pair(eb, "year", points=POINTS, names=NAMES).set_index("origin")
    latest = ag.flows_by_pair(eb, "latest", points=POINTS, names=NAMES).set_index("origin")
    assert year.loc["CHL", "direction"] == "S>S"
    assert latest.loc["CHL", "direction"] == "N>S"


def test_partner_pairs_use_lead_as_origin(eb):
    pairs = ag.partner_pairs(eb, points=POINTS, names=NAMES)
    assert set(zip(pairs["origin"], pairs["destination"], strict=True)) == {
        ("USA", "HTI"),
        ("USA", "KEN"),
        ("CHL", "BRA"),
    }


def test_direction_matrix_cells_are_distinct_articles(eb):
    m = ag.direction_matrix(eb.flows)
    assert list(m.index) == list(INCOME_GROUPS) and list(m.columns) == list(INCOME_GROUPS)
    assert m.loc["H", "L"] == 2  # a1, a2 to Uganda (low income)
    assert m.loc["H", "LM"] == 1  # a2 to Kenya
    assert m.loc["UM", "UM"] == 1  # Chile 2011 to Brazil
    assert m.loc["LM", "H"] == 1  # India to the UK
    assert m.loc["L", "L"] == 0  # zero cells kept
    assert m.attrs["n_unclassified_articles"] == 0  # a4 also has a classified flow
    latest = ag.direction_matrix(eb.flows, classification="latest")
    assert latest.loc["H", "UM"] == 1 and latest.loc["UM", "UM"] == 0


def test_direction_matrix_for_partnerships_uses_lead_and_partner(eb):
    m = ag.direction_matrix(eb, "partnerships")
    assert m.index.name == "lead" and m.columns.name == "partner"
    assert m.loc["H", "LM"] == 1  # USA with Haiti and Kenya: one article
    assert int(m.to_numpy().sum()) == 2


def test_direction_counts_has_all_five_classes(eb):
    counts = ag.direction_counts(eb, "flows").set_index("direction")
    assert list(counts.index) == list(DIRECTIONS)
    assert counts.loc["N>S", "n_articles"] == 2
    assert counts.loc["S>N", "n_articles"] == 1
    assert counts.loc["N>N", "n_articles"] == 0
    assert counts.loc["unclassified", "n_articles"] == 1  # India -> XKX
    assert counts.loc["N>S", "label"] == load_codebook().directions["N>S"]["label"]


def test_partnership_summary_in_codebook_order_with_zeros(eb):
    summary = ag.partnership_summary(eb)
    assert list(summary["code"]) == list(load_codebook().groups["partnership"].codes)
    n = summary.set_index("code")["n_articles"]
    assert n["partnership.north_south"] == 1
    assert n["partnership.north_north"] == 0


def test_share_of_flows(eb):
    assert ag.share_of_flows(eb, "N>S") == pytest.approx(2 / 4)
    assert ag.share_of_flows(EvidenceBase.empty()) == 0.0


# --------------------------------------------------------------------------- alignment
def test_alignment_cell_equals_articles_coded_with_both(eb):
    cells = ag.alignment_matrix(eb, "counts", level="code")
    for _, row in cells.iterrows():
        assert row["n_articles"] == _coded_with_both(
            eb, row["motivation"], row["format"], "code"
        ), (row["motivation"], row["format"])
    # a1 has two formats: it counts once in each cell, not twice in one.
    assert _cell(cells, "social.transformation", "mobility.outbound")["n_articles"] == 2
    assert _cell(cells, "social.transformation", "mobility.clinical")["n_articles"] == 1


def test_alignment_group_level_counts_an_article_once_per_cell(eb):
    cells = ag.alignment_matrix(eb, "counts", level="group")
    # a1 has two mobility codes: one article in social x mobility, with a2: 2.
    assert _cell(cells, "social", "mobility")["n_articles"] == 2
    assert _cell(cells, "liberal", "standards")["n_articles"] == 0  # zero cell present
    cb = load_codebook()
    assert len(cells) == len(cb.groups_of("motivation")) * len(cb.groups_of("format"))


def test_alignment_row_share_divides_by_motivation_articles(eb):
    cells = ag.alignment_matrix(eb, "row_share")
    cell = _cell(cells, "social", "at_home")
    assert cell["n_row"] == 3  # a1, a2, a5
    assert cell["share"] == pytest.approx(1 / 3)


def test_alignment_by_income_splits_by_origin_side(eb):
    cells = ag.alignment_matrix(eb, "by_income")
    assert set(cells["side"]) == {"north", "south"}
    assert _cell(cells, "social", "mobility", "north")["n_articles"] == 2
    assert _cell(cells, "social", "mobility", "south")["n_articles"] == 0
    assert _cell(cells, "market", "mobility", "south")["n_articles"] == 2  # Chile, India
    assert _cell(cells, "market", "mobility", "south")["share"] == pytest.approx(1.0)


def test_alignment_carries_rubric_status(eb):
    cells = ag.alignment_matrix(eb, level="code")
    assert _cell(cells, "social.transformation", "mobility.outbound")["status"] == "tension"
    assert _cell(cells, "market.institution", "mobility.degree")["status"] == "aligned"
    assert cells["rationale"].str.len().gt(0).all()


def test_gap_cells_are_zero_cells(eb):
    gaps = ag.gap_cells(eb)
    assert (gaps["n_articles"] == 0).all()
    assert not ((gaps["motivation"] == "social") & (gaps["format"] == "mobility")).any()


# --------------------------------------------------------------------------- trends, table
def test_trends_zero_fill_years_and_groups(eb):
    trend = ag.trends(eb, "format")
    groups = [*load_codebook().groups_of("format"), ag.UNCODED]
    assert list(trend["year"].unique()) == list(range(2010, 2021))
    assert len(trend) == 11 * len(groups)
    n = trend.set_index(["year", "group"])["n_articles"]
    assert n[(2018, "mobility")] == 1 and n[(2018, "partnership")] == 1
    assert n[(2014, "mobility")] == 0  # a year with no articles is present


def test_trends_motivation_uncoded_and_year_range(eb):
    trend = ag.trends(eb, "motivation", year_range=(2019, 2021))
    n = trend.set_index(["year", "group"])["n_articles"]
    assert n[(2020, ag.UNCODED)] == 1  # a6 has no motivation
    assert set(trend["year"]) == {2019, 2020, 2021}


def test_articles_table_joins_labels(eb):
    table = ag.articles_table(eb, names=NAMES).set_index("article_id")
    assert table.loc["a1", "formats"] == "Outbound mobility; Clinical mobility"
    assert table.loc["a1", "origin"] == "Canada"
    assert table.loc["a1", "origin_income"] == "High income"
    assert table.loc["a6", "motivations"] == ""
    assert list(table.index) == list(eb.articles["article_id"])


def test_every_aggregate_accepts_an_empty_evidence_base():
    empty = EvidenceBase.empty()
    assert ag.counts_by_country(empty, economies=economies())["n_articles"].sum() == 0
    assert ag.flows_by_pair(empty, points=POINTS, names=NAMES).empty
    assert int(ag.direction_matrix(empty.flows).to_numpy().sum()) == 0
    assert ag.direction_counts(empty)["n_articles"].sum() == 0
    assert ag.alignment_matrix(empty)["n_articles"].sum() == 0
    assert ag.trends(empty).empty
    assert ag.articles_table(empty, names=NAMES).empty


def test_aggregates_scale_to_many_articles():
    big = random_evidence(2000, seed=1)
    cells = ag.alignment_matrix(big, level="group")
    for m, f in [("social", "mobility"), ("market", "partnership")]:
        assert _cell(cells, m, f)["n_articles"] == _coded_with_both(big, m, f, "group")
    counts = ag.counts_by_country(big, economies=economies())
    assert counts["n_articles"].sum() == big.articles["origin"].ne("").sum()


# --------------------------------------------------------------------------- oracle
# Every aggregate counts on integer codes of an indexed evidence base. These tests pin
# every public aggregate to the pandas oracle (oracle_aggregate.py): same values, columns,
# dtypes, row order and attrs, for every classification and mode, on demo data (the
# bench reference states included), literal evidence and odd inputs: missing values,
# unknown direction classes, empty results, evidence not filtered from an indexed root,
# literal reference tables.
import dataclasses  # noqa: E402

import numpy as np  # noqa: E402
import oracle_aggregate as oracle  # noqa: E402
from pandas.testing import assert_frame_equal, assert_series_equal  # noqa: E402

from evidence import DEMO_PATH  # noqa: E402
from evidence.filters import TABLES, apply  # noqa: E402
from evidence.load import load_cached  # noqa: E402
from evidence.state import FilterState, parse_query  # noqa: E402

STATES = [
    FilterState(),
    FilterState(year=(2010, 2018)),
    FilterState(format=("mobility",)),
    FilterState(country=("USA", "GBR", "KEN"), role="author"),
    FilterState(motivation=("social",), origin_income=("H",), region=("Africa",), role="setting"),
    FilterState(setting_income=("L", "LM"), income="latest"),
    FilterState(format=("partnership.north_south",), basis=("assigned",)),
    FilterState(language=("en",), type=("research",)),
    FilterState(flow=("USA>UGA", "GBR>KEN")),
    FilterState(format=("at_home",)),  # articles, few flows or partnerships
    FilterState(year=(1900, 1901)),  # nothing left
]
# ... and the states of the benchmark's fixed reference (bench/reference), whose redraw
# the dashboard is timed against: origin-income boxes, map clicks and year ranges.
_REFERENCE = Path(__file__).resolve().parents[2] / "bench" / "reference" / "floor-350.json.gz"
STATES += [
    s
    for s in dict.fromkeys(
        parse_query(state["query"])[0]
        for state in json.loads(gzip.decompress(_REFERENCE.read_bytes()))["states"]
    )
    if s not in STATES
]
LITERAL = {"economies": economies(), "points": POINTS, "names": NAMES}


@pytest.fixture(scope="module")
def demo() -> EvidenceBase:
    return load_cached(DEMO_PATH)


def _same(got, expected, what: str) -> None:
    if isinstance(expected, pd.DataFrame):
        assert_frame_equal(got, expected, obj=what)
        assert got.attrs == expected.attrs, what
    else:
        assert got == expected and type(got) is type(expected), (what, got, expected)


def _assert_every_aggregate_matches_oracle(s: EvidenceBase, **ref) -> None:
    """Every public aggregate of ``s`` against the oracle (``ref``: literal economies,
    points and names)."""
    econ, points, names = ref.get("economies"), ref.get("points"), ref.get("names")
    for cls in ag.CLASSIFICATIONS:
        for role in ag.ROLES:
            _same(
                ag.counts_by_country(s, role, cls, economies=econ),
                oracle.counts_by_country(s, role, cls, economies=econ),
                f"counts_by_country {role} {cls}",
            )
            _same(
                ag.gap_countries(s, role, cls, economies=econ),
                oracle.gap_countries(s, role, cls, economies=econ),
                f"gap_countries {role} {cls}",
            )
        _same(
            ag.flows_by_pair(s, cls, points=points, names=names),
            oracle.flows_by_pair(s, cls, points=points, names=names),
            f"flows_by_pair {cls}",
        )
        _same(
            ag.partner_pairs(s, cls, points=points, names=names),
            oracle.partner_pairs(s, cls, points=points, names=names),
            f"partner_pairs {cls}",
        )
        for what in ("flows", "partnerships"):
            table = getattr(s, what)
            # the table itself, and derived tables no evidence base holds
            for t in (table, table.copy(), table.iloc[::2]):
                _same(
                    ag.direction_matrix(t, classification=cls),
                    oracle.direction_matrix(t, classification=cls),
                    f"direction_matrix {what} {cls}",
                )
            _same(
                ag.direction_matrix(s, what, cls),
                oracle.direction_matrix(s, what, cls),
                f"direction_matrix(eb) {what} {cls}",
            )
            _same(
                ag.direction_counts(s, what, cls),
                oracle.direction_counts(s, what, cls),
                f"direction_counts {what} {cls}",
            )
        for mode in ("counts", "row_share", "by_income"):
            for level in ("group", "code"):
                _same(
                    ag.alignment_matrix(s, mode, cls, level),
                    oracle.alignment_matrix(s, mode, cls, level),
                    f"alignment_matrix {mode} {level} {cls}",
                )
        for d in (*DIRECTIONS, "sideways"):
            _same(ag.share_of_flows(s, d, cls), oracle.share_of_flows(s, d, cls), d)
            _same(ag.share_of_partnerships(s, d, cls), oracle.share_of_partnerships(s, d, cls), d)
        for side in ("north", "south", "nowhere"):
            _same(ag.share_from_side(s, side, cls), oracle.share_from_side(s, side, cls), side)
    for flows in (s.flows, s.flows.copy()):  # the flow map's hover: kinds per pair
        assert_series_equal(ag.pair_kinds(flows), oracle.pair_kinds(flows), obj="pair_kinds")
    for role in ("any", *ag.ROLES):  # the map's hover: what a click on a country keeps
        got, expected = ag.involving_counts(s, role), oracle.involving_counts(s, role)
        assert got.sort_index().to_dict() == expected.sort_index().to_dict(), role
    _same(ag.partnership_summary(s), oracle.partnership_summary(s), "partnership_summary")
    for level in ("group", "code"):
        _same(ag.gap_cells(s, level), oracle.gap_cells(s, level), f"gap_cells {level}")
    for stack in ("format", "motivation"):
        for years in (None, (2005, 2015), (1990, 2030), (2012, 2012), (2015, 2010)):
            _same(ag.trends(s, stack, years), oracle.trends(s, stack, years), f"trends {years}")
    counts = oracle.counts_by_country(s, "author", economies=econ)
    for n in (0, 1, 3, 400):
        _same(ag.top_countries(counts, n), oracle.top_countries(counts, n), "top_countries")
    for mode in ("counts", "by_income"):
        cells = oracle.alignment_matrix(s, mode)
        _same(ag.alignment_takeaway(cells), oracle.alignment_takeaway(cells), "takeaway")


@pytest.mark.parametrize("state", STATES, ids=lambda s: ",".join(s.filter_fields()) or "all")
def test_aggregates_equal_the_oracle_on_demo_data(demo, state):
    sub = apply(demo, state)
    source = engine.source_of(sub)
    assert source is not None and source.root is demo  # counted on the demo's codes
    assert (source.mask is None) == (sub is demo)
    _assert_every_aggregate_matches_oracle(sub)


@pytest.mark.parametrize("kind", [("mobility.outbound",), ("mobility.inbound", "mobility.degree")])
def test_aggregates_equal_the_oracle_on_evidence_filtered_twice(demo, kind):
    # The flow views restrict the filtered evidence again to the mobility kinds.
    sub = apply(apply(demo, FilterState(year=(2008, 2020))), FilterState(format=kind))
    assert engine.source_of(sub).root is demo
    _assert_every_aggregate_matches_oracle(sub)


def test_aggregates_equal_the_oracle_on_literal_evidence(eb):
    # Unplaced pairs (XKX), an unknown origin, an income group that changed (Chile).
    _assert_every_aggregate_matches_oracle(eb, **LITERAL)
    for state in (FilterState(format=("mobility",)), FilterState(origin_income=("UM", "LM"))):
        _assert_every_aggregate_matches_oracle(apply(eb, state), **LITERAL)


def test_aggregates_equal_the_oracle_on_random_evidence():
    big = random_evidence(600, seed=3)
    _assert_every_aggregate_matches_oracle(big, **LITERAL)
    _assert_every_aggregate_matches_oracle(apply(big, FilterState(year=(2005, 2012))), **LITERAL)


@pytest.mark.parametrize(
    "state",
    [FilterState(year=(1900, 1901)), FilterState(format=("standards",)), FilterState(flow=("x",))],
    ids=["no articles", "no flows or partnerships", "no articles (flow)"],
)
def test_aggregates_equal_the_oracle_on_empty_results(eb, state):
    _assert_every_aggregate_matches_oracle(apply(eb, state), **LITERAL)


def test_aggregates_equal_the_oracle_on_empty_evidence():
    _assert_every_aggregate_matches_oracle(EvidenceBase.empty(), **LITERAL)
    _assert_every_aggregate_matches_oracle(EvidenceBase.empty())


def test_aggregates_equal_the_oracle_when_no_pair_has_two_known_countries():
    built = make_evidence(
        [
            article("x", origin="", flows=(("", "UGA"),), partnerships=(("", "KEN"),)),
            article("y", origin="CAN", flows=(("CAN", ""),)),
        ]
    )
    assert ag.flows_by_pair(built, points=POINTS).attrs["n_unknown_country_rows"] == 2
    _assert_every_aggregate_matches_oracle(built, **LITERAL)
    _assert_every_aggregate_matches_oracle(built)


def _with_missing(eb: EvidenceBase, table: str, seed: int, dtype=None) -> EvidenceBase:
    """``eb`` with missing values in every text column but ``article_id`` of ``table``:
    each column at a few rows of its own, and all of them at one shared row."""
    frame = getattr(eb, table).copy()
    text = [c for c in frame.columns if c != "article_id" and frame[c].dtype.kind in "OT"]
    if dtype is not None:
        frame[text] = frame[text].astype(dtype)
    rng = np.random.default_rng(seed)
    shared = rng.integers(len(frame))
    for column in text:
        rows = [shared, *rng.choice(len(frame), size=max(1, len(frame) // 15), replace=False)]
        frame.loc[frame.index[rows], column] = None
    return dataclasses.replace(eb, **{table: frame})


@pytest.mark.parametrize(
    ("table", "dtype"),
    [
        ("articles", None),
        ("article_countries", None),
        ("article_countries", object),
        ("article_codes", None),
        ("flows", None),
        ("flows", object),
        ("partnerships", None),
    ],
)
def test_aggregates_equal_the_oracle_with_missing_values(table, dtype):
    odd = _with_missing(random_evidence(150, seed=5), table, seed=len(table))
    _assert_every_aggregate_matches_oracle(odd, **LITERAL)
    _assert_every_aggregate_matches_oracle(apply(odd, FilterState(year=(2003, 2016))), **LITERAL)


def test_aggregates_equal_the_oracle_with_missing_values_in_the_sample(eb):
    countries = eb.article_countries.copy()
    countries.loc[countries["iso3"] == "IND", "iso3"] = None  # named, so listed, with 0
    flows = eb.flows.copy()
    flows.loc[0, "direction"] = None
    odd = dataclasses.replace(eb, article_countries=countries, flows=flows)
    _assert_every_aggregate_matches_oracle(odd, **LITERAL)
    _assert_every_aggregate_matches_oracle(odd)


def test_aggregates_equal_the_oracle_with_unknown_direction_classes(eb):
    # Two unknown classes on one pair, the second met first in the whole column: the
    # oracle sorts them as missing values, in the order the pairs are met.
    flows = eb.flows.copy()
    flows["direction"] = flows["direction"].astype(object)
    flows.loc[flows["origin"] == "CHL", "direction"] = "sideways"
    can_uga = flows.index[(flows["origin"] == "CAN") & (flows["destination"] == "UGA")]
    flows.loc[can_uga[0], "direction"] = "backwards"
    flows.loc[can_uga[-1], "direction"] = "sideways"
    partners = eb.partnerships.assign(direction_latest="N>S?")
    odd = dataclasses.replace(eb, flows=flows, partnerships=partners)
    _assert_every_aggregate_matches_oracle(odd, **LITERAL)
    _assert_every_aggregate_matches_oracle(apply(odd, FilterState(year=(2010, 2012))), **LITERAL)


def test_aggregates_equal_the_oracle_on_evidence_not_filtered_from_a_root(demo):
    # The same articles as a filtered subset, but built without filters.apply.
    ids = apply(demo, FilterState(format=("mobility",))).articles["article_id"]
    _assert_every_aggregate_matches_oracle(demo.subset(ids))
    copied = EvidenceBase(*(getattr(demo, t).copy() for t in TABLES))
    _assert_every_aggregate_matches_oracle(apply(copied, FilterState(year=(2012, 2016))))


def test_aggregates_equal_the_oracle_with_literal_reference_tables(eb):
    points = POINTS.drop(index=["UGA"]).astype(int)  # whole numbers, and one country less
    names = {k: v for k, v in NAMES.items() if k != "KEN"}  # KEN keeps its code
    econ = economies()
    econ.loc["KEN", "name"] = None  # sorts last
    econ.loc["BRA", "income_latest"] = None
    econ.loc["HTI", "un_region"] = None  # not a gap unless named
    econ = pd.concat([econ, econ.loc[["GBR"]]])  # one economy listed twice
    _assert_every_aggregate_matches_oracle(eb, economies=econ, points=points, names=names)
    _assert_every_aggregate_matches_oracle(eb, economies=econ, points=points, names=str.lower)
    sub = apply(eb, FilterState(format=("mobility",)))
    _assert_every_aggregate_matches_oracle(sub, economies=econ, points=points, names=str.lower)


def test_income_mode_ties_go_to_the_group_met_first():
    # One Chilean article under each group: the oracle keeps the first one's group.
    for order in (("UM", 2011, 2015), ("H", 2015, 2011)):
        expected, first, second = order
        built = make_evidence([article("x", year=first, origin="CHL"),
                               article("y", year=second, origin="CHL")])  # fmt: skip
        counts = ag.counts_by_country(built, economies=economies()).set_index("iso3")
        assert counts.loc["CHL", "income"] == expected
        _same(
            ag.counts_by_country(built, economies=economies()),
            oracle.counts_by_country(built, economies=economies()),
            "ties",
        )


def test_countries_missing_from_the_reference_keep_their_first_mention_order():
    built = make_evidence(
        [article("x", origin="ZZB"), article("y", origin="ZZA"), article("z", origin="ZZB")]
    )
    counts = ag.counts_by_country(built, economies=economies())
    _same(counts, oracle.counts_by_country(built, economies=economies()), "extra")
    assert list(counts["iso3"][:2]) == ["ZZB", "ZZA"]


def test_evidence_that_breaks_the_keys_is_rejected(eb):
    # The loader never builds such evidence: rejected where it is indexed, with a reason.
    orphan = eb.flows.iloc[:1].assign(article_id="nobody")
    odd = dataclasses.replace(eb, flows=pd.concat([eb.flows, orphan]))
    with pytest.raises(ValueError, match="1 row\\(s\\) of flows name an article not in"):
        ag.direction_matrix(odd, "flows")
    twice = dataclasses.replace(eb, articles=pd.concat([eb.articles, eb.articles.iloc[:1]]))
    with pytest.raises(ValueError, match="article ids used more than once \\('a1'\\)"):
        ag.counts_by_country(twice)


def test_tables_no_evidence_base_holds_are_counted_on_their_own(demo):
    sub = apply(demo, FilterState(format=("mobility",)))
    some = sub.flows[sub.flows["origin"] == "USA"]
    source, table = engine.table_source(some)
    assert table == "flows" and source.root is not demo and source.mask is None
    _same(ag.direction_matrix(some), oracle.direction_matrix(some), "derived")
    # a table's rows of unknown articles count as articles of their own, as in pandas
    orphan = sub.flows.iloc[:1].assign(article_id="nobody")
    flows = pd.concat([sub.flows, orphan])
    _same(ag.direction_matrix(flows), oracle.direction_matrix(flows), "orphan rows")
    partners = sub.partnerships.iloc[::3]
    assert engine.table_source(partners)[1] == "partnerships"
    _same(ag.direction_matrix(partners), oracle.direction_matrix(partners), "partners")


def test_click_aggregates_equal_the_oracle_on_generated_states(demo):
    """A hundred and fifty states a person reaches by clicking (a seeded walk: filter values
    toggled, year ranges, resets; bench/clicks.py), each counted both ways: the
    aggregates a click's map and arc maps read (countries in the state's role, what a
    country click keeps, pairs and their kinds) equal the pandas oracle."""
    from bench.clicks import walk

    queries = walk(demo, 150, seed=2027)
    assert len(set(queries)) == 150
    for query in queries:
        state = parse_query(query)[0]
        s = apply(demo, state)
        _same(ag.counts_by_country(s, state.role, state.income),
              oracle.counts_by_country(s, state.role, state.income), query)  # fmt: skip
        got, expected = (
            ag.involving_counts(s, state.country_role),
            oracle.involving_counts(s, state.country_role),
        )
        assert got.sort_index().to_dict() == expected.sort_index().to_dict(), query
        _same(ag.flows_by_pair(s, state.income), oracle.flows_by_pair(s, state.income), query)
        _same(ag.partner_pairs(s, state.income), oracle.partner_pairs(s, state.income), query)
        assert_series_equal(ag.pair_kinds(s.flows), oracle.pair_kinds(s.flows), obj=query)
