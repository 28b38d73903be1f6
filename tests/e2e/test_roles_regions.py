"""Country roles in the real panel: the Countries and Regions filters say the role the
map's switch has chosen, and match in it (issue 11, requirement 2)."""

import pytest
from helpers import count_text, wait_ready

from evidence import DEMO_PATH
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query

pytestmark = pytest.mark.e2e

ROLE_TAG = "label[for='{}'] .role-tag"


def expected_count(query: str) -> int:
    return apply(load_cached(DEMO_PATH), parse_query(query)[0]).n_articles


def role_tags(page) -> list[str]:
    """The visible role tag of the Countries and of the Regions control."""
    return [
        page.locator(ROLE_TAG.format(control) + ":visible").inner_text()
        for control in ("ctl-country", "ctl-region")
    ]


def chip_texts(page) -> list[str]:
    return [t.replace("×", "").strip() for t in page.locator(".chip").all_inner_texts()]


def test_setting_role_and_sub_saharan_africa_picked_with_the_mouse(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    assert role_tags(page) == ["as origin (first author)"] * 2

    # The map's role switch, clicked like a person would.
    page.locator("#ctl-role label", has_text="Setting").click()
    page.wait_for_function("() => location.search.includes('role=setting')")
    wait_ready(page)
    assert role_tags(page) == ["as setting"] * 2

    # Regions: open the list, the World Bank region sits under its own heading.
    page.locator("#ctl-region").click()
    listbox = page.get_by_role("listbox")
    headings = listbox.locator(".option-heading").all_inner_texts()
    assert [h.strip().lower() for h in headings] == ["continents", "world bank regions"]
    listbox.get_by_role("option", name="Sub-Saharan Africa", exact=True).click()
    page.wait_for_function("() => location.search.includes('region=sub-saharan-africa')")
    page.keyboard.press("Escape")
    wait_ready(page)

    n = expected_count("role=setting&region=sub-saharan-africa")
    assert n > expected_count("region=sub-saharan-africa") > 0  # settings, not origins
    assert count_text(page) == f"{n} of 350 articles"
    assert chip_texts(page) == ["Region (setting): Sub-Saharan Africa"]
    assert role_tags(page) == ["as setting"] * 2
    summary = page.locator("#card-map .view-summary").inner_text()
    assert summary.startswith("By setting country:") and "come from" not in summary

    # Back to Origin: the tags, the chip and N follow the one role.
    page.locator("#ctl-role label", has_text="Origin").click()
    page.wait_for_function("() => !location.search.includes('role=')")
    wait_ready(page)
    assert role_tags(page) == ["as origin (first author)"] * 2
    assert chip_texts(page) == ["Region (origin): Sub-Saharan Africa"]
    assert count_text(page) == f"{expected_count('region=sub-saharan-africa')} of 350 articles"
    assert page.console_errors == []
