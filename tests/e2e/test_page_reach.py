"""Menus on top, keyboard reach and the phone's sticky bar, in real Chromium (issue 23,
items 6 and 8)."""

import pytest
from helpers import open_filter_groups, wait_ready

pytestmark = pytest.mark.e2e

# Every item of an open menu or dropdown whose centre is not the item itself (something
# else is drawn over it, or it is off the screen). Options of a scrolling list are
# scrolled into their list first, as a person scrolls the list to reach them.
JS_HIDDEN_ITEMS = """(sel) => {
  const out = [];
  for (const item of document.querySelectorAll(sel)) {
    if (item.closest('.dash-dropdown-content')) item.scrollIntoView({block: 'nearest'});
    const r = item.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight || !hit || !item.contains(hit))
      out.push(`${item.innerText.trim().slice(0, 40)} @${Math.round(x)},${Math.round(y)}: `
               + (hit ? `${hit.tagName}.${hit.className}`.slice(0, 60) : 'off screen'));
  }
  return out;
}"""

MENU_ITEMS = ".dropdown-menu.show .dropdown-item"
OPTIONS = ".dash-dropdown-content .dash-dropdown-option"


def _hidden_in_menus(page) -> list[str]:
    """Open every menu and dropdown on the page in turn; the items not on top."""
    hidden = []
    for i in range(page.locator(".dropdown-toggle").count()):
        toggle = page.locator(".dropdown-toggle").nth(i)
        toggle.scroll_into_view_if_needed()
        toggle.click()
        page.wait_for_selector(MENU_ITEMS, timeout=5_000)
        page.wait_for_timeout(150)  # the menu's placement settles
        hidden += [
            f"{toggle.inner_text()}: {h}" for h in page.evaluate(JS_HIDDEN_ITEMS, MENU_ITEMS)
        ]
        page.keyboard.press("Escape")
        page.wait_for_selector(MENU_ITEMS, state="detached", timeout=5_000)
    ids = page.evaluate(
        "() => [...document.querySelectorAll('button.dash-dropdown')]"
        ".filter(b => b.offsetParent).map(b => b.id)"
    )
    for cid in ids:
        page.locator(f"#{cid}").scroll_into_view_if_needed()
        page.locator(f"#{cid}").click()
        page.wait_for_selector(OPTIONS, timeout=5_000)
        page.wait_for_timeout(150)
        hidden += [f"{cid}: {h}" for h in page.evaluate(JS_HIDDEN_ITEMS, OPTIONS)]
        page.keyboard.press("Escape")
        page.wait_for_selector(OPTIONS, state="detached", timeout=5_000)
    return hidden


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720), (1440, 900), (1920, 1080), (390, 844)])
def test_every_menu_item_and_dropdown_option_opens_on_top(browser, server_url, size):
    """At each width, with the demo banner and without it (as with a user's own file,
    which has no banner: the banner is taken off the page), the centre of every menu item
    and dropdown option is the item itself."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(server_url + "/")
        wait_ready(page)
        if size[0] < 992:  # a phone: the filters are a panel of their own, opened first
            page.click("#btn-filters")
            page.wait_for_selector("#filter-collapse.show")
            filters = _hidden_panel_options(page)
            page.click("#btn-filters-done")
            page.wait_for_selector("#filter-collapse.show", state="detached")
        else:
            open_filter_groups(page)
            filters = []
        with_banner = _hidden_in_menus(page)
        page.evaluate("() => document.getElementById('synthetic-banner').remove()")
        page.evaluate("() => scrollTo(0, 0)")
        without_banner = _hidden_in_menus(page)
        problems = {"filters": filters, "banner": with_banner, "no banner": without_banner}
        assert problems == {"filters": [], "banner": [], "no banner": []}
    finally:
        context.close()


def _hidden_panel_options(page) -> list[str]:
    """On a phone: the options of the filter panel's dropdowns, the panel open."""
    open_filter_groups(page)
    hidden = []
    for cid in page.evaluate(
        "() => [...document.querySelectorAll('#filter-panel button.dash-dropdown')].map(b => b.id)"
    ):
        page.locator(f"#{cid}").scroll_into_view_if_needed()
        page.locator(f"#{cid}").click()
        page.wait_for_selector(OPTIONS, timeout=5_000)
        page.wait_for_timeout(150)
        hidden += [f"{cid}: {h}" for h in page.evaluate(JS_HIDDEN_ITEMS, OPTIONS)]
        page.keyboard.press("Escape")
        page.wait_for_selector(OPTIONS, state="detached", timeout=5_000)
    return hidden
