"""Issue 27 item 5 (first load): the page's head starts Dash's start-up requests, and
Dash takes those answers instead of asking again."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_dash_takes_the_preloaded_layout_and_callbacks(page, server_url):
    page.goto(server_url + "/")
    page.wait_for_function(
        "() => { const g = document.querySelector('#fig-map .js-plotly-plot');"
        " return g && g._fullLayout; }",
        timeout=30_000,
    )
    asked = page.evaluate(
        """() => performance.getEntriesByType('resource')
               .map(e => [new URL(e.name).pathname, e.initiatorType])
               .filter(([p]) => p === '/_dash-layout' || p === '/_dash-dependencies')"""
    )
    # each asked once, by the head's preload (Dash's own fetch took that answer)
    assert sorted(asked) == [["/_dash-dependencies", "link"], ["/_dash-layout", "link"]]
    assert page.locator("#article-count").inner_text().strip() != ""
    # no Babel polyfill on the page: the one global Dash's lazy loaders need is defined
    # (by the dash-bootstrap-components bundle), and nothing failed without the rest
    assert page.evaluate("() => typeof window.regeneratorRuntime") == "object"
    assert page.console_errors == []
