"""The evidence gap map in the browser: a reader picks two dimensions, sees a gap marked,
clicks a cell and the header's count equals a pandas count of the data file."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import ROOT, count_text, wait_ready

pytestmark = pytest.mark.e2e

DEMO = ROOT / "data" / "demo" / "articles.csv"


def pandas_count(format_group: str, article_type: str) -> int:
    """Articles of the demo coded with a format of ``format_group`` and of that type."""
    raw = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    groups = raw["formats"].str.split(";").map(lambda codes: {c.split(".")[0] for c in codes})
    return int(
        (groups.map(lambda g: format_group in g) & (raw["article_type"] == article_type)).sum()
    )


def pick(page, control: str, option: str) -> None:
    box = page.locator(f"#ctl-{control}")
    box.scroll_into_view_if_needed()
    box.click()
    # typed once the list is open (keys pressed while it opens can be lost)
    page.locator(".dash-dropdown-content").wait_for(timeout=10_000)
    page.locator(".dash-dropdown-content input.dash-dropdown-search").fill(option)
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()


def test_two_dimensions_picked_a_gap_marked_and_a_cell_click_filters(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    pick(page, "gap-rows", "Formats")
    pick(page, "gap-cols", "Article type")
    page.wait_for_function("() => location.search.includes('gap_cols=type')", timeout=10_000)
    wait_ready(page)
    # a gap: marked in words and hatched, not a filter
    gap = page.locator("#fig-gapmap .cell-gap").first
    gap.wait_for(timeout=10_000)
    assert gap.inner_text().strip() == "Gap"
    assert "gap in the evidence" in gap.get_attribute("aria-label")
    assert gap.evaluate("e => e.tagName") == "SPAN"  # no button: nothing to select
    # a cell: both filters, and N equals the pandas count
    cell = page.locator('#fig-gapmap button[data-key="mobility|research"]')
    shown = int(cell.inner_text().strip())
    cell.click()
    page.wait_for_function(
        "() => location.search.includes('format=mobility') && location.search.includes('type=research')",
        timeout=10_000,
    )
    wait_ready(page)
    n = pandas_count("mobility", "research")
    assert shown == n
    assert count_text(page) == f"{n} of 350 articles"
    assert (
        page.locator('#fig-gapmap button[data-key="mobility|research"]').get_attribute(
            "aria-pressed"
        )
        == "true"
    )
    assert page.console_errors == []
