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
        ({"country": ("USA",)}, ["a"]),
        ({"country": ("USA",), "role": "author"}, ["a", "b"]),
        ({"country": ("UGA", "GBR")}, ["b", "c"]),
        ({"format": ("mobility",)}, ["a", "d"]),
        ({"format": ("mobility.clinical", "at_home.gh_course")}, ["a", "c"]),
        ({"motivation": ("social",)}, ["a", "c"]),
        ({"motivation": ("market.student",)}, ["b"]),
        ({"origin_income": ("H",)}, ["a", "c"]),
        ({"setting_income": ("H",)}, ["d"]),
        ({"region": ("Africa",)}, ["b", "d"]),
        ({"region": ("Africa",), "role": "setting"}, ["a", "b", "c"]),
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
