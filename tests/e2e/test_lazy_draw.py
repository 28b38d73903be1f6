"""Graphs off the screen are drawn when they scroll into view (assets/draw.js): on the
first load and after a click, the graph on screen is drawn and a graph below the fold
waits; scrolled to, it shows the same figure a fresh page at that address draws."""

from __future__ import annotations

import pytest
from helpers import open_filter_groups

pytestmark = pytest.mark.e2e

BELOW = "fig-trends"  # the last chart of the page: below the fold at 1440x900
JS_STATE = """id => {
  const host = document.getElementById(id);
  const gd = host && host.querySelector('.js-plotly-plot');
  const put = host && [...host.querySelectorAll('div')].find(d => d.__iome_draw);
  return {drawn: !!(gd && gd._fullLayout), state: put ? put.__iome_draw.state : null,
          data: gd && gd.data ? JSON.stringify(gd.data.map(t => [t.x, t.y])) : null};
}"""


def state(page, graph_id: str) -> dict:
    return page.evaluate(JS_STATE, graph_id)


def drawn_on_scroll(page) -> str:
    """Scroll the chart below the fold into view (as a reader would) and return its data
    once drawn."""
    page.locator(f"#{BELOW}").scroll_into_view_if_needed()
    wait_state(page, "drawn")
    return state(page, BELOW)["data"]


def wait_state(page, want: str) -> None:
    page.wait_for_function(f"([id, want]) => ({JS_STATE})(id).state === want", arg=[BELOW, want])


def first_screen(page) -> None:
    """Wait until the map (on screen) is drawn and the charts below the fold wait."""
    page.wait_for_function(
        "() => { const g = document.querySelector('#fig-map .js-plotly-plot');"
        " return g && g._fullLayout && window.iome_draw && window.iome_draw.waiting() > 0; }",
        timeout=30_000,
    )


def test_charts_below_the_fold_draw_when_seen_with_the_current_state(page, server_url):
    page.goto(server_url + "/")
    first_screen(page)
    assert not state(page, BELOW)["drawn"]  # the first load drew what is seen first
    before = drawn_on_scroll(page)

    page.evaluate("() => window.scrollTo(0, 0)")
    open_filter_groups(page)
    page.get_by_label("Low income").first.check()
    page.wait_for_function("() => location.search.includes('origin_income=L')")
    wait_state(page, "waiting")
    # off screen: still the old figure, waiting for the reader
    assert state(page, BELOW)["data"] == before
    assert state(page, BELOW)["state"] == "waiting"
    after = drawn_on_scroll(page)
    assert after != before

    # the same chart as a fresh page at this address draws it
    page.goto(page.url)
    first_screen(page)
    assert drawn_on_scroll(page) == after
    assert page.console_errors == []
