"""The timeline's steps (evidence.timeline) and its place in the URL."""

import pytest

from evidence import timeline
from evidence.state import FilterState, parse_query, to_query

BOUNDS = (2000, 2020)


def test_up_to_each_year_grows_from_the_first_year():
    steps = timeline.steps("upto", BOUNDS)
    assert steps[0] == (2000, (2000, 2000))
    assert steps[-1] == (2020, (2000, 2020))
    assert [b - a for _, (a, b) in steps] == list(range(21))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_a_window_holds_n_years_clipped_at_the_first(n):
    steps = timeline.steps(f"in{n}", BOUNDS)
    assert len(steps) == 21
    for year, (a, b) in steps:
        assert b == year and a == max(2000, year - n + 1)


def test_steps_outside_the_data_are_clipped_and_labels_read_well():
    assert timeline.step_years("in3", 1990, BOUNDS) == (2000, 2000)
    assert timeline.step_years("upto", 2030, BOUNDS) == (2000, 2020)
    assert timeline.step_label("upto", 2015, BOUNDS) == "Up to 2015"
    assert timeline.step_label("upto", 2000, BOUNDS) == "2000"
    assert timeline.step_label("in3", 2015, BOUNDS) == "2013-2015"
    assert timeline.step_label("in1", 2015, BOUNDS) == "2015"
    assert timeline.window("upto") is None and timeline.window("in4") == 4


def test_the_mode_rides_in_the_url_and_bad_values_are_reported():
    state, notices = parse_query("?timeline=in3&year=2013-2015")
    assert (state.timeline, state.year, notices) == ("in3", (2013, 2015), [])
    assert to_query(state) == "year=2013-2015&timeline=in3"
    assert "timeline" not in to_query(FilterState())  # the default stays out
    state, notices = parse_query("?timeline=in9")
    assert state.timeline == "upto" and notices
