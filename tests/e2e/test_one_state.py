"""One state, one truth (issue 23, item 5): the timeline's label, the year chip, the count,
the list and its CSV describe the same state after every way of changing it, while
playing too; the list's search is part of that state; ten arrow presses on the year
slider are one place in the history."""

import re

import pandas as pd
import pytest
from helpers import count_text, wait_ready
from marks import bar

from evidence import DEMO_PATH

pytestmark = pytest.mark.e2e

DEMO = pd.read_csv(DEMO_PATH, dtype=str).fillna("")
YEARS = DEMO["year"].astype(int)
FIRST, LAST = int(YEARS.min()), int(YEARS.max())


def _years_of(text: str) -> tuple[int, int]:
    """The years a label or chip names: "2020", "2010-2014", "All years, 2000-2020"."""
    found = [int(y) for y in re.findall(r"\d{4}", text)]
    return (found[0], found[-1])


def _agree(page) -> tuple[int, int]:
    """The label says what the year chip says (or all years without one), and the count
    is the demo's articles of those years (computed here from the file)."""
    label = page.inner_text("#tl-year")
    chips = [c for c in page.locator(".chip").all_inner_texts() if c.startswith("Years:")]
    if chips:
        assert label == chips[0].removeprefix("Years: ").replace("×", "").strip()
    else:
        assert label == f"All years, {FIRST}-{LAST}"
    a, b = _years_of(label)
    assert count_text(page) == f"{int(YEARS.between(a, b).sum())} of {len(DEMO)} articles"
    return a, b


def _settle(page, pattern: str) -> None:
    page.wait_for_function("p => new RegExp(p).test(location.search)", arg=pattern)
    wait_ready(page)


def test_the_timeline_label_is_the_year_chip_whatever_changed_it(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    _agree(page)
    page.mouse.click(*bar(page, "fig-trends", LAST)["xy"])  # a bar click
    _settle(page, f"year={LAST}(&|$)")
    assert _agree(page) == (LAST, LAST)
    page.mouse.click(*bar(page, "fig-trends", LAST)["xy"])  # the same bar again: all years
    _settle(page, "^(?![\\s\\S]*year=)")
    assert _agree(page) == (FIRST, LAST)
    box = page.locator(".dash-range-slider-min-input")  # a typed year
    box.fill(str(LAST - 4))
    box.press("Enter")
    _settle(page, f"year={LAST - 4}-{LAST}")
    assert _agree(page) == (LAST - 4, LAST)
    page.locator("#ctl-year [role=slider]").first.focus()  # a keyboard step
    page.keyboard.press("ArrowRight")
    _settle(page, f"year={LAST - 3}-{LAST}")
    assert _agree(page) == (LAST - 3, LAST)
    # Play: at every frame drawn, the label and the count describe the same years.
    page.evaluate("""() => { window._frames = [];
      const look = () => { _frames.push([document.getElementById('tl-year').textContent,
          document.getElementById('article-count').textContent]);
        if (_frames.length < 5000) requestAnimationFrame(look); };
      requestAnimationFrame(look); }""")
    page.select_option("#tl-speed", "2")
    page.click("#tl-play")
    page.wait_for_function("() => !window.iome_timeline.playing()", timeout=60_000)
    wait_ready(page)
    frames = page.evaluate("_frames")
    seen = set()
    for label, count in frames:
        a, b = (FIRST, LAST) if label.startswith("All") else _years_of(label)
        assert count == f"{int(YEARS.between(a, b).sum())} of {len(DEMO)} articles", (label, count)
        seen.add(label)
    assert len(seen) >= 3, seen  # several steps were drawn
    _agree(page)
    page.go_back()  # Back
    wait_ready(page)
    _agree(page)
    assert page.console_errors == []


def test_list_search_is_part_of_the_state(page, server_url):
    page.goto(server_url + "/?year=2010-2020")
    wait_ready(page)
    page.locator("#articles-search").click()
    page.keyboard.type("Kenya", delay=50)  # no Enter: the list follows the typing
    _settle(page, "q=Kenya")
    total = int(page.locator(".article-range").inner_text().rsplit(" of ", 1)[1])
    assert count_text(page) == f"{total} of {len(DEMO)} articles"
    assert any(
        c.startswith("Search:") and "Kenya" in c for c in page.locator(".chip").all_inner_texts()
    )
    href = page.locator("a", has_text="Download CSV").first.get_attribute("href")
    assert "q=Kenya" in href
    csv = page.request.get(server_url + href).text()
    rows = pd.read_csv(pd.io.common.StringIO(csv))
    assert len(rows) == total
    # the oracle: 2010-2020 articles with "kenya" in a title, journal, author or origin
    demo = DEMO[YEARS.between(2010, 2020)]
    assert set(rows["id"]) <= set(demo["id"])
    titled = demo[demo["title"].str.contains("kenya", case=False)]
    assert set(titled["id"]) <= set(rows["id"])
    assert page.console_errors == []


def test_ten_arrow_presses_on_the_year_slider_are_one_history_entry(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    before = page.evaluate("history.length")
    page.locator("#ctl-year [role=slider]").nth(1).focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    _settle(page, f"year={FIRST}-{LAST - 10}(&|$)")
    assert page.evaluate("history.length") == before + 1
    page.go_back()  # back to before the ten presses
    _settle(page, "^(?![\\s\\S]*year=)")
    _agree(page)
