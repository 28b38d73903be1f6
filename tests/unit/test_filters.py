"""apply(evidence, state): OR within a filter, AND across filters, every table restricted."""

import pytest

from evidence.filters import apply
from evidence.load import load
from evidence.state import FilterState

CSV = """id,title,year,author_countries,setting_countries,formats,motivations,motivation_basis,language,article_type,mobility_flows,partnerships
a,A,2005,USA,UGA,mobility.outbound;mobility.clinical,social.transformation,explicit,en,research,USA>UGA,
b,B,2012,UGA;USA,UGA,partnership.north_south,market.student,assigned,fr,review,,USA+UGA
c,C,2018,GBR,KEN,at_home.gh_course,social,explicit,en,research,,
d,D,2019,KEN,GBR,mobility.inbound,market.institution,assigned,en,commentary,KEN>GBR,
"""


@pytest.fixture(scope="module")
def eb(tmp_path_factory):
    path = tmp_path_factory.mktemp("f") / "a.csv"
    path.write_text(CSV, encoding="utf-8")
    result = load(path)
    assert result.report.errors == []
    return result


def ids(eb, **kw):
    return sorted(apply(eb, FilterState(**kw)).articles["article_id"])


def test_no_filter_returns_everything(eb):
    assert apply(eb, FilterState()) is eb


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"year": (2010, 2018)}, ["b", "c"]),
        # a country in any role (the default): author, setting, flow end or partner
        ({"country": ("USA",)}, ["a", "b"]),
        ({"country": ("GBR",)}, ["c", "d"]),  # d: setting and flow destination
        ({"country": ("KEN",)}, ["c", "d"]),
        ({"country": ("USA",), "country_role": "origin"}, ["a"]),
        ({"country": ("USA",), "country_role": "author"}, ["a", "b"]),
        ({"country": ("UGA",), "country_role": "author"}, ["b"]),
        ({"country": ("UGA", "GBR")}, ["a", "b", "c", "d"]),
        ({"country": ("UGA", "GBR"), "country_role": "origin"}, ["b", "c"]),
        ({"format": ("mobility",)}, ["a", "d"]),
        ({"format": ("mobility.clinical", "at_home.gh_course")}, ["a", "c"]),
        ({"motivation": ("social",)}, ["a", "c"]),
        ({"motivation": ("market.student",)}, ["b"]),
        ({"origin_income": ("H",)}, ["a", "c"]),
        ({"setting_income": ("H",)}, ["d"]),
        ({"region": ("Africa",)}, ["a", "b", "c", "d"]),
        ({"region": ("Africa",), "country_role": "origin"}, ["b", "d"]),
        ({"region": ("Africa",), "country_role": "setting"}, ["a", "b", "c"]),
        # the map's colouring role does not change what the filter keeps
        ({"country": ("USA",), "role": "setting"}, ["a", "b"]),
        ({"basis": ("assigned",)}, ["b", "d"]),
        ({"language": ("fr",)}, ["b"]),
        ({"type": ("research",)}, ["a", "c"]),
        ({"flow": ("KEN>GBR",)}, ["d"]),
        ({"format": ("mobility",), "origin_income": ("H",)}, ["a"]),
        ({"format": ("mobility",), "year": (2000, 2001)}, []),
    ],
)
def test_filters(eb, kw, expected):
    assert ids(eb, **kw) == expected


def test_every_table_is_restricted_to_the_filtered_articles(eb):
    sub = apply(eb, FilterState(format=("mobility.inbound",)))
    for table in (sub.article_countries, sub.article_codes, sub.flows, sub.partnerships):
        assert set(table["article_id"]) <= {"d"}
    assert sub.flows[["origin", "destination"]].values.tolist() == [["KEN", "GBR"]]
    assert len(sub.partnerships) == 0


# --------------------------------------------------------------------------- reference
# The original string-matching pipeline, kept as the reference for the coded one.
import gc  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from evidence import DEMO_PATH, filters  # noqa: E402
from evidence.countries import region_members  # noqa: E402
from evidence.load import load_cached  # noqa: E402
from evidence.model import EvidenceBase  # noqa: E402


def _reference_mask(eb: EvidenceBase, state: FilterState) -> np.ndarray:
    ids = pd.Index(eb.articles["article_id"])
    countries_pos = ids.get_indexer(eb.article_countries["article_id"])
    codes_pos = ids.get_indexer(eb.article_codes["article_id"])
    flows_pos = ids.get_indexer(eb.flows["article_id"])
    n, arts, ac = len(eb.articles), eb.articles, eb.article_countries

    def any_of(positions, hit):
        mask = np.zeros(n, dtype=bool)
        mask[positions[np.asarray(hit, dtype=bool)]] = True
        return mask

    mask = np.ones(n, dtype=bool)
    years = arts["year"].to_numpy(dtype=int)
    income_col = "income" if state.income == "year" else "income_latest"
    if state.year:
        mask &= (years >= state.year[0]) & (years <= state.year[1])
    for codes in (state.country, {c for r in state.region for c in region_members(r)}):
        if codes:
            mask &= _involving(eb, state.country_role, set(codes), any_of)
    if state.origin_income:
        col = "origin_income" if state.income == "year" else "origin_income_latest"
        mask &= arts[col].isin(state.origin_income).to_numpy()
    if state.setting_income:
        hit = (ac["role"] == "setting").to_numpy() & ac[income_col].isin(state.setting_income)
        mask &= any_of(countries_pos, hit)
    for selection in (state.format, state.motivation, state.kind):
        if selection:
            hit = eb.article_codes["code"].isin(filters.expand_codes(selection)).to_numpy()
            mask &= any_of(codes_pos, hit)
    for values, col in ((state.basis, "motivation_basis"), (state.language, "language"),
                        (state.type, "article_type")):  # fmt: skip
        if values:
            mask &= arts[col].isin(values).to_numpy()
    if state.flow:
        pairs = eb.flows["origin"] + ">" + eb.flows["destination"]
        mask &= any_of(flows_pos, pairs.isin(state.flow).to_numpy())
    return mask


def _involving(eb: EvidenceBase, role: str, codes: set, any_of) -> np.ndarray:
    """Articles naming one of ``codes`` in ``role``; "any": in article_countries in any
    role, at either end of a flow or in a partnership."""
    ac, ids = eb.article_countries, pd.Index(eb.articles["article_id"])
    in_role = (ac["role"] == role) if role != "any" else pd.Series(True, index=ac.index)
    mask = any_of(ids.get_indexer(ac["article_id"]), (in_role & ac["iso3"].isin(codes)).to_numpy())
    if role == "any":
        for table, a, b in (
            ("flows", "origin", "destination"),
            ("partnerships", "lead", "partner"),
        ):
            frame = getattr(eb, table)
            hit = (frame[a].isin(codes) | frame[b].isin(codes)).to_numpy()
            mask |= any_of(ids.get_indexer(frame["article_id"]), hit)
    return mask


def _reference_apply(eb: EvidenceBase, state: FilterState) -> EvidenceBase:
    if not state.filter_fields():
        return eb
    mask = _reference_mask(eb, state)
    ids = pd.Index(eb.articles["article_id"])

    def rows(frame):
        return frame[mask[ids.get_indexer(frame["article_id"])]]

    return EvidenceBase(
        eb.articles[mask], *(rows(getattr(eb, t)) for t in filters.TABLES[1:]),
        eb.report, eb.source, eb.version,
    )  # fmt: skip


def _assert_same_evidence(got: EvidenceBase, expected: EvidenceBase) -> None:
    for table in filters.TABLES:
        assert_frame_equal(getattr(got, table), getattr(expected, table), obj=table)
    assert (got.report, got.source, got.version) == (
        expected.report, expected.source, expected.version,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo():
    return load_cached(DEMO_PATH)


DEMO_STATES = [
    FilterState(year=(2010, 2018)),
    FilterState(country=("USA", "GBR", "KEN"), country_role="author"),
    FilterState(country=("UGA",), country_role="setting", format=("mobility",)),
    FilterState(country=("KEN",)),
    FilterState(country=("KEN",), country_role="origin", role="setting"),
    FilterState(region=("Africa", "Asia"), motivation=("social", "market.student")),
    FilterState(region=("sub-saharan-africa", "south-asia"), country_role="setting"),
    FilterState(kind=("mobility.clinical", "mobility.inbound"), format=("mobility",)),
    FilterState(origin_income=("H",), income="latest"),
    FilterState(origin_income=("UM", "LM", "L")),
    FilterState(setting_income=("L",), income="latest"),
    FilterState(basis=("explicit",), language=("en", "fr"), type=("research", "review")),
    FilterState(flow=("USA>UGA", "GBR>KEN", "nowhere")),
    FilterState(format=("mobility.outbound",), year=(2015, 2015)),
    FilterState(country=("XXX",)),
]


@pytest.mark.parametrize("state", DEMO_STATES, ids=lambda s: ",".join(s.filter_fields()))
def test_coded_masks_equal_the_reference_on_demo_data(demo, state):
    assert np.array_equal(filters.article_mask(demo, state), _reference_mask(demo, state))
    _assert_same_evidence(apply(demo, state), _reference_apply(demo, state))


@pytest.mark.parametrize("second", DEMO_STATES[:5], ids=lambda s: ",".join(s.filter_fields()))
def test_filtering_a_subset_equals_the_reference(demo, second):
    first = FilterState(format=("mobility", "partnership"))
    got = apply(apply(demo, first), second)
    _assert_same_evidence(got, _reference_apply(_reference_apply(demo, first), second))
    root, mask, table = filters.lineage(got)
    assert root is demo and table is None
    assert np.array_equal(demo.articles[mask]["article_id"], got.articles["article_id"])


def test_lineage_of_results_and_their_tables(eb):
    sub = apply(eb, FilterState(year=(2010, 2020)))
    root, mask, table = filters.lineage(sub)
    assert root is eb and table is None and mask.sum() == sub.n_articles
    assert filters.lineage(sub.flows)[2] == "flows"
    assert filters.lineage(sub.flows.copy()) is None  # a new frame is unknown
    filters.index_of(eb)
    assert filters.lineage(eb.article_codes) == (eb, None, "article_codes")
    assert filters.lineage(EvidenceBase.empty()) is None


def test_lineage_does_not_keep_subsets_alive(eb):
    sub = apply(eb, FilterState(year=(2001, 2002)))
    key = id(sub)
    filters._RESULTS.clear()
    del sub
    gc.collect()
    assert key not in filters._LINEAGE


def test_repeated_filters_reuse_the_result(eb):
    state = FilterState(format=("mobility",))
    assert apply(eb, state) is apply(eb, state)
    # the filter role and classification change what a country or income filter keeps
    by_origin = apply(eb, FilterState(country=("USA",), country_role="origin"))
    assert sorted(by_origin.articles["article_id"]) == ["a"]
    assert sorted(apply(eb, FilterState(country=("USA",))).articles["article_id"]) == ["a", "b"]


def test_evidence_that_breaks_the_keys_is_rejected_when_indexed(eb):
    # What the loader guarantees, checked once where an evidence base is indexed.
    orphan = eb.flows.iloc[:1].assign(article_id="nobody")
    odd = EvidenceBase(eb.articles, eb.article_countries, eb.article_codes,
                       pd.concat([eb.flows, orphan]), eb.partnerships)  # fmt: skip
    with pytest.raises(
        ValueError,
        match="1 row\\(s\\) of flows name an article not in articles \\(first: 'nobody'\\)",
    ):
        apply(odd, FilterState(year=(2018, 2020)))
    twice = EvidenceBase(pd.concat([eb.articles, eb.articles.iloc[1:3]]), eb.article_countries,
                         eb.article_codes, eb.flows, eb.partnerships)  # fmt: skip
    with pytest.raises(ValueError, match="article ids used more than once \\('b', 'c'\\)"):
        filters.index_of(twice)
    no_id = EvidenceBase(eb.articles.assign(article_id=[None, "b", "c", "d"]),
                         eb.article_countries, eb.article_codes, eb.flows, eb.partnerships)  # fmt: skip
    with pytest.raises(ValueError, match="an article has no article_id"):
        filters.index_of(no_id)
    no_year = EvidenceBase(eb.articles.assign(year=[2005.0, None, 2018.0, 2019.0]),
                           eb.article_countries, eb.article_codes, eb.flows, eb.partnerships)  # fmt: skip
    with pytest.raises(ValueError, match="an article has no year"):
        filters.index_of(no_year)
