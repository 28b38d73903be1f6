"""FilterState <-> URL query string: round trip, defaults, notices for bad input."""

import pytest

from evidence.state import FilterState, parse_query, to_query


def test_default_state_serialises_to_empty_query():
    assert to_query(FilterState()) == ""
    assert parse_query("") == (FilterState(), [])


def test_round_trip_of_a_full_state():
    state = FilterState(
        year=(2010, 2020), country=("HTI", "UGA"), role="setting",
        format=("mobility.outbound", "mobility.inbound"), motivation=("social",),
        origin_income=("H",), setting_income=("L", "LM"), region=("africa",),
        basis=("explicit",), language=("en",), type=("research",), flow=("USA>HTI",),
        kind=("mobility.outbound",), income="latest", align="by_income", stack="motivation",
    )  # fmt: skip
    query = to_query(state)
    assert parse_query(query) == (state, [])


def test_query_is_readable():
    query = to_query(FilterState(year=(2010, 2020), format=("mobility.outbound",),
                                 country=("HTI", "UGA"), flow=("USA>HTI",)))  # fmt: skip
    # Pairs are written "A-B": browsers would show a ">" as "%3E" ("A>B" is read too).
    assert query == "year=2010-2020&country=HTI,UGA&format=mobility.outbound&flow=USA-HTI"


def test_issue_example_url_parses():
    state, notices = parse_query("?format=mobility.outbound,mobility.inbound&country=HTI,UGA")
    assert notices == []
    assert state.format == ("mobility.outbound", "mobility.inbound")
    assert state.country == ("HTI", "UGA")


def test_unknown_keys_and_values_are_reported_not_fatal():
    state, notices = parse_query("foo=1&format=mobility.outbound,teleport&year=20x0&country=XXX")
    assert state == FilterState(format=("mobility.outbound",))
    assert any("foo" in n for n in notices)
    assert any("teleport" in n for n in notices)
    assert any(n.startswith("year") for n in notices)
    assert any("XXX" in n for n in notices)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2010-2020", (2010, 2020)), ("2020-2010", (2010, 2020)), ("2015", (2015, 2015))],
)
def test_year_forms(text, expected):
    assert parse_query(f"year={text}")[0].year == expected


def test_income_side_aliases_expand():
    assert parse_query("origin_income=LMIC")[0].origin_income == ("UM", "LM", "L")
    assert parse_query("origin_income=HIC")[0].origin_income == ("H",)


def test_markup_in_values_is_not_echoed_raw():
    _, notices = parse_query("format=<script>alert(1)</script>")
    assert notices and all("<" not in n and ">" not in n.split(":", 1)[1] for n in notices)


def test_without_removes_one_value_or_whole_filter():
    state = FilterState(country=("HTI", "UGA"), year=(2000, 2005))
    assert state.without("country", "HTI").country == ("UGA",)
    assert state.without("year").year is None


def test_panel_group_headings_count_the_filters_set_in_each_group():
    from evidence.fields import PANEL_GROUPS, controls_in, group_counts

    groups = {key for key, _, _ in PANEL_GROUPS}
    assert all(f.control.group in groups for f in controls_in("panel"))
    state = parse_query("format=mobility.outbound,mobility.inbound&year=2010-2015&role=setting")[0]
    assert group_counts(state) == {"place": "1 set", "coding": "2 set", "income": "", "more": ""}
    assert set(group_counts(FilterState()).values()) == {""}
