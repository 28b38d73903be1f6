"""The state writer, called directly: every kind of user action gives the right URL.

Chart clicks replay the clickData / selectedData that headless Chromium sent when a mark
was clicked with the mouse (tests/fixtures/clicks, recorded by scripts/record_clicks.py
from the browser tests in tests/e2e/test_marks.py), never payloads written by hand.
"""

import json
from pathlib import Path

import pytest

from app import CHART_OF
from components.controls import state_to_controls
from components.sync import sync
from evidence.state import FilterState, parse_query
from evidence.views import CLICKABLE

BOUNDS = (2000, 2020)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clicks"

# Recorded mark -> the URL query its click must give (from the page's query).
EXPECTED = {
    "map-country": "?country=USA",
    "map-country-390": "?country=USA",
    "flow-arc": "?flow=USA-KEN",
    "flow-arc-largest": "?flow=USA-UGA",
    "flow-arc-largest-390": "?flow=USA-UGA",
    "flow-matrix-cell": "?direction=H-L",
    "partner-arc": "?partner=GBR-MWI",
    "partner-arc-390": "?partner=GBR-MWI",
    "flow-node": "?focus=KEN",
    "flow-net-arc": "?flow=USA-UGA&net=net",
    "flow-region-arc": "?region_flow=north-america~sub-saharan-africa&level=region",
    "partnership-format-bar": "?format=partnership.north_south",
    "partnership-direction-bar": "?partner=S-S",
    "alignment-cell": "?format=mobility&motivation=social",
    "alignment-cell-390": "?format=mobility&motivation=social",
    "alignment-cell-by-income": (
        "?origin_income=UM,LM,L&format=mobility&motivation=market&align=by_income"
    ),
    "trends-bar": "?year=2012",
    "gapmap-cell": "?format=mobility&type=research&gap_cols=type",
    "trends-drag": "?year=2010-2014",
}


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def replay(
    name: str, search: str | None = None, *, add: bool = False
) -> tuple[str | None, list | None]:
    """sync() for the recorded event ``name``, from ``search`` (default: the page's query
    when it was recorded); ``add``: as a Shift-click."""
    event = recorded(name)
    search = (
        ("?" + event["page_query"] if event["page_query"] else "") if search is None else search
    )
    trigger = {"selectedData": "select", "press": "press"}.get(event["property"], "click")
    value = event["value"]["key"] if trigger == "press" else event["value"]  # {chart, key}
    return sync(trigger, search, {}, BOUNDS, chart=CHART_OF[event["graph"]], event=value,
                add=add)  # fmt: skip


def controls_for(state: FilterState) -> dict:
    return state_to_controls(state, BOUNDS)


def test_every_recorded_mark_has_an_expectation():
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(EXPECTED)
    graphs = {recorded(name)["graph"] for name in EXPECTED}
    # every chart with a click rule has a recorded click
    assert {CHART_OF[g] for g in graphs} == set(CLICKABLE)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_recorded_click_filters_to_its_mark_and_again_removes_it(name):
    query, controls = replay(name)
    assert query == EXPECTED[name]
    assert controls is not None  # the panel shows the new state
    if recorded(name)["property"] in ("clickData", "press"):
        page = recorded(name)["page_query"]
        again, _ = replay(name, query)
        assert again == ("?" + page if page else "")


def test_a_click_keeps_the_other_filters():
    query, controls = replay("map-country", "?format=mobility")
    assert parse_query(query)[0] == FilterState(format=("mobility",), country=("USA",))
    assert controls["country"] == ["USA"]
    query, _ = replay("map-country", query)
    assert parse_query(query)[0] == FilterState(format=("mobility",))


def test_a_partner_arc_keeps_the_map_role():
    # an old link: its role is also the Countries filter's, and both are kept
    query, _ = replay("partner-arc", "?role=setting&country=FRA")
    assert query == "?country=FRA&country_role=setting&role=setting&partner=GBR-MWI"


def test_a_click_selects_its_mark_alone_and_a_shift_click_adds_it():
    query, _ = replay("flow-arc", "")
    assert parse_query(replay("flow-arc-largest", query)[0])[0].flow == ("USA>UGA",)
    both, _ = replay("flow-arc-largest", query, add=True)
    assert parse_query(both)[0].flow == ("USA>KEN", "USA>UGA")
    # a selected mark clicked (with or without Shift) leaves, the other stays
    for add in (False, True):
        assert parse_query(replay("flow-arc", both, add=add)[0])[0].flow == ("USA>UGA",)


@pytest.mark.parametrize(
    ("name", "page", "added"),
    [("map-country", "?country=CAN", ("CAN", "USA")),
     ("flow-matrix-cell", "?direction=L-H", ("L>H", "H>L")),
     ("partnership-direction-bar", "?partner=N-S", ("N>S", "S>S")),
     ("partner-arc", "?partner=N-S", ("N>S", "GBR>MWI"))],
)  # fmt: skip
def test_every_chart_adds_a_shift_clicked_mark_to_its_selection(name, page, added):
    field = {"map-country": "country", "flow-matrix-cell": "direction"}.get(name, "partner")
    query, _ = replay(name, page, add=True)
    assert getattr(parse_query(query)[0], field) == added
    alone, _ = replay(name, page)
    assert getattr(parse_query(alone)[0], field) == added[-1:]


def test_a_grey_country_is_no_filter():
    """A country without articles (its hover says "nothing to select") changes nothing;
    one selected (from the Countries box) is removed by a click, as any other."""
    event = recorded("map-country")["value"]
    point = dict(event["points"][0], location="GRL", customdata=["GRL", "Greenland", "", 0])
    grey = {"points": [point]}
    assert sync("click", "", {}, BOUNDS, chart="map", event=grey)[0] is None
    assert sync("click", "?country=GRL", {}, BOUNDS, chart="map", event=grey)[0] == ""


@pytest.mark.parametrize(
    ("years", "click", "add", "after"),
    [(None, 2012, False, (2012, 2012)), ((2012, 2012), 2012, False, None),
     ((2012, 2012), 2015, True, (2012, 2015)), ((2010, 2014), 2010, False, (2011, 2014)),
     ((2010, 2014), 2014, True, (2010, 2013)), ((2010, 2014), 2016, False, (2016, 2016))],
)  # fmt: skip
def test_a_year_bar_selects_extends_or_shrinks_the_years(years, click, add, after):
    from evidence.views.trends import year_after_click

    assert year_after_click(years, click, add) == after


def test_a_year_click_replaces_a_dragged_range():
    query, _ = replay("trends-bar", "?year=2010-2014")
    assert query == "?year=2012"


def test_old_links_with_greater_than_signs_still_work():
    state, notices = parse_query("?flow=USA%3EKEN&direction=N>S&partner=IRL>BOL")
    assert notices == []
    assert (state.flow, state.direction, state.partner) == (("USA>KEN",), ("N>S",), ("IRL>BOL",))
    query, _ = replay("flow-arc", "?flow=USA>KEN")
    assert query == ""  # the same pair clicked again, whichever way its link was written


def test_first_load_sets_controls_from_url_and_leaves_url_alone():
    query, controls = sync(None, "?format=mobility.outbound&year=2010-2015", {}, BOUNDS)
    assert query is None
    assert controls["format"] == ["mobility.outbound"]
    assert controls["year"] == [2010, 2015]


def test_control_change_writes_url_only():
    values = controls_for(FilterState(origin_income=("H",)))
    query, controls = sync("control", "", values, BOUNDS)
    assert query == "?origin_income=H"
    assert controls is None


def test_full_year_range_is_not_a_filter():
    values = controls_for(FilterState())
    values["year"] = [2000, 2020]
    assert sync("control", "?year=2005-2010", values, BOUNDS)[0] == ""


def test_chip_removes_one_value_and_reset_clears_everything():
    search = "?country=HTI,UGA&year=2001-2002"
    query, _ = sync("chip", search, {}, BOUNDS, chip_index="country|HTI")
    assert parse_query(query)[0] == FilterState(country=("UGA",), year=(2001, 2002))
    query, controls = sync("reset", search, {}, BOUNDS)
    assert query == ""
    assert controls == controls_for(FilterState())


def test_click_without_points_changes_nothing():
    no_points = {"points": []}
    assert sync("click", "?country=HTI", {}, BOUNDS, chart="map", event=no_points)[0] is None
    # what the trends chart sends after it redraws
    assert sync("select", "?year=2010-2014", {}, BOUNDS, chart="trends", event=no_points)[0] is None
