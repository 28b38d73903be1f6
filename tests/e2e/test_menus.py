"""The Export and Download menus drawn by assets/menus.js (issue 27: a few Dash components
per menu instead of one per item): keyboard use, links that follow the filters, the embed
item, and the page's component count."""

import pytest
from helpers import wait_ready

pytestmark = pytest.mark.e2e

FOCUSED = "() => [document.activeElement.tagName, document.activeElement.textContent.trim()]"


def test_export_menu_by_keyboard_carries_the_state_and_opens_the_embed_dialog(page, server_url):
    """Enter on the toggle opens the menu on its first link (with the page's query), the
    arrows move, Escape closes it on its toggle; the last item opens the embed dialog
    with the view's embed address at the same state."""
    page.goto(server_url + "/?year=2010-2020")
    wait_ready(page)
    toggle = page.locator("#card-map .export-menu .dropdown-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == ["A", "Image (PNG, 1920 px)"]
    assert toggle.get_attribute("aria-expanded") == "true"
    first = page.locator("#card-map .dropdown-menu.show a.export-link").first
    assert first.get_attribute("href") == "/export/map.png?year=2010-2020"
    page.keyboard.press("ArrowUp")  # wraps to the last item: Embed
    assert page.evaluate(FOCUSED) == ["BUTTON", "Embed in a web page…"]
    page.keyboard.press("Home")
    assert page.evaluate(FOCUSED)[1] == "Image (PNG, 1920 px)"
    page.keyboard.press("Escape")
    assert page.locator("#card-map .dropdown-menu.show").count() == 0
    assert page.evaluate(FOCUSED) == ["BUTTON", "Export"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    code = page.locator("#embed-code")
    code.wait_for()
    page.wait_for_function(
        "() => (document.getElementById('embed-code').value || '').includes('/embed/map')"
    )
    assert "/embed/map?year=2010-2020" in code.input_value()
    assert page.locator(".dropdown-menu.show").count() == 0
    assert page.console_errors == []


def test_one_menu_open_at_a_time_and_a_click_elsewhere_closes_it(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    page.locator("#page-downloads .dropdown-toggle").click()
    page.locator("#card-map .export-menu .dropdown-toggle").click()
    assert page.locator(".dropdown-menu.show").count() == 1
    assert page.locator("#card-map .dropdown-menu.show .dropdown-item").count() >= 12
    page.mouse.click(5, 300)
    assert page.locator(".dropdown-menu.show").count() == 0


def test_about_dialog_gets_its_content_when_opened(page, server_url):
    """The About dialog's content is not in the page's layout (issue 27): it arrives when
    the dialog opens, with the codebook's terms and the income groups' source."""
    page.goto(server_url + "/")
    wait_ready(page)
    assert page.locator("#about-body h3").count() == 0
    page.get_by_role("button", name="About").click()
    heads = page.locator("#about-modal .modal-body h3")
    heads.first.wait_for()
    assert {"Coding scheme", "Countries and income groups"} <= set(heads.all_inner_texts())
    page.keyboard.press("Escape")
    page.locator("#about-modal").wait_for(state="hidden")
    assert page.console_errors == []
