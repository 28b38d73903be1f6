"""The state writer, called directly: every kind of user action gives the right URL."""

from components.controls import CONTROL_IDS, state_to_controls
from components.ids import ID
from components.sync import sync
from evidence.state import FilterState, parse_query

BOUNDS = (2000, 2020)


def controls_for(state: FilterState) -> list:
    return state_to_controls(state, BOUNDS)


def test_first_load_sets_controls_from_url_and_leaves_url_alone():
    query, controls = sync(None, "?format=mobility.outbound&year=2010-2015", [], BOUNDS)
    assert query is None
    values = dict(zip(CONTROL_IDS, controls, strict=True))
    assert values[ID.FORMAT] == ["mobility.outbound"]
    assert values[ID.YEAR] == [2010, 2015]


def test_control_change_writes_url_only():
    values = controls_for(FilterState(origin_income=("H",)))
    query, controls = sync("control", "", values, BOUNDS)
    assert query == "?origin_income=H"
    assert controls is None


def test_full_year_range_is_not_a_filter():
    values = controls_for(FilterState())
    values[0] = [2000, 2020]
    assert sync("control", "?year=2005-2010", values, BOUNDS)[0] == ""


def test_map_click_toggles_country_and_keeps_other_filters():
    click = {"points": [{"location": "UGA"}]}
    query, controls = sync("map", "?format=mobility", [], BOUNDS, click=click)
    assert parse_query(query)[0] == FilterState(format=("mobility",), country=("UGA",))
    assert dict(zip(CONTROL_IDS, controls, strict=True))[ID.COUNTRY] == ["UGA"]
    query, _ = sync("map", query, [], BOUNDS, click=click)
    assert parse_query(query)[0] == FilterState(format=("mobility",))


def test_flow_arc_click_selects_the_directed_pair():
    click = {"points": [{"customdata": ["CAN", "UGA"]}]}
    query, _ = sync("flows", "", [], BOUNDS, click=click)
    assert parse_query(query)[0].flow == ("CAN>UGA",)


def test_alignment_cell_click_sets_motivation_and_format():
    click = {"points": [{"customdata": ["social", "mobility"]}]}
    query, _ = sync("alignment", "", [], BOUNDS, click=click)
    state = parse_query(query)[0]
    assert (state.motivation, state.format) == (("social",), ("mobility",))


def test_trend_bar_click_and_drag_set_years():
    query, _ = sync("trends", "", [], BOUNDS, click={"points": [{"x": 2012}]})
    assert parse_query(query)[0].year == (2012, 2012)
    query, _ = sync("select", "", [], BOUNDS, selected={"range": {"x": [2009.6, 2014.4]}})
    assert parse_query(query)[0].year == (2010, 2014)


def test_chip_removes_one_value_and_reset_clears_everything():
    search = "?country=HTI,UGA&year=2001-2002"
    query, _ = sync("chip", search, [], BOUNDS, chip_index="country|HTI")
    assert parse_query(query)[0] == FilterState(country=("UGA",), year=(2001, 2002))
    query, controls = sync("reset", search, [], BOUNDS)
    assert query == ""
    assert controls == controls_for(FilterState())


def test_click_without_points_changes_nothing():
    assert sync("map", "?country=HTI", [], BOUNDS, click={"points": []})[0] is None
