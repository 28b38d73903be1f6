"""The timeline bar, played as a reader plays it: the mouse on Play, Space to pause, the
arrow keys to step. Every view, the count, the list and the URL follow each step; a step
the page cannot draw in time is skipped, not queued."""

from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from helpers import VIEW_CHARTS, count_text, traces, wait_ready

from evidence import DEMO_PATH

pytestmark = pytest.mark.e2e

DEMO = pd.read_csv(DEMO_PATH)
FIRST, LAST = int(DEMO["year"].min()), int(DEMO["year"].max())


def _years(page) -> tuple[int, int]:
    raw = parse_qs(urlsplit(page.url).query).get("year", [f"{FIRST}-{LAST}"])[0]
    a, _, b = raw.partition("-")
    return int(a), int(b or a)


def _in_years(a: int, b: int) -> int:
    """The oracle: articles of the demo file published in a..b."""
    return int(DEMO["year"].between(a, b).sum())


def _played_until(page, year: int, timeout=60_000) -> None:
    page.wait_for_function(
        """y => { const m = /[?&]year=(\\d{4})(?:-(\\d{4}))?/.exec(location.search);
                  return m && Number(m[2] || m[1]) >= y; }""",
        arg=year,
        timeout=timeout,
    )


def _settled(page, years) -> None:
    """Wait until the page shows the step's count (its views drawn)."""
    page.wait_for_function(
        "t => document.querySelector('#article-count').innerText === t",
        arg=f"{_in_years(*years)} of {len(DEMO)} articles",
    )
    wait_ready(page)


@pytest.mark.parametrize(("mode", "window"), [("", None), ("in3", 3)])
def test_playing_moves_every_view_the_count_and_the_url(page, browser, server_url, mode, window):
    page.goto(f"{server_url}/" + (f"?timeline={mode}" if mode else ""))
    wait_ready(page)
    every_year = traces(page)
    assert page.inner_text("#tl-year") == f"All years, {FIRST}-{LAST}"
    page.select_option("#tl-speed", "2")
    page.click("#tl-play")  # the mouse on Play
    assert page.get_attribute("#tl-play", "aria-pressed") == "true"
    _played_until(page, FIRST + 4)
    page.keyboard.press("Space")  # focus is on Play: Space pauses
    assert page.get_attribute("#tl-play", "aria-pressed") == "false"
    assert page.inner_text("#tl-play") == "Play"
    a, b = _years(page)
    assert b >= FIRST + 4
    assert (a, b) == ((FIRST, b) if window is None else (max(FIRST, b - window + 1), b))
    _settled(page, (a, b))
    # The bar says the step, for the eye and (role=status) for a screen reader.
    said = page.inner_text("#tl-year")
    assert said == (str(b) if a == b else f"{a}-{b}")  # as the year chip says it
    assert page.get_attribute("#tl-year", "aria-live") == "polite"
    # Every view shows what that step's link shows, and not what all years show.
    step = traces(page)
    other = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        other.goto(page.url)
        wait_ready(other)
        assert traces(other) == step
    finally:
        other.close()
    changed = [c for c, x, y in zip(VIEW_CHARTS, step, every_year, strict=True) if x != y]
    assert changed == VIEW_CHARTS
    # The chip and the list say the same years and count.
    assert any(f"{a}-{b}" in c or (a == b and str(a) in c)
               for c in page.locator(".chip").all_inner_texts())  # fmt: skip
    page.wait_for_function(
        "n => document.querySelector('#articles-list').innerText.includes('of ' + n)",
        arg=str(_in_years(a, b)),
    )
    assert page.console_errors == []


def test_arrow_keys_step_one_year_and_back_returns(page, server_url):
    page.goto(f"{server_url}/?year={FIRST}-{FIRST + 5}")
    wait_ready(page)
    page.focus("#tl-next")
    page.keyboard.press("ArrowRight")
    _settled(page, (FIRST, FIRST + 6))
    assert _years(page) == (FIRST, FIRST + 6)
    assert count_text(page) == f"{_in_years(FIRST, FIRST + 6)} of {len(DEMO)} articles"
    assert page.inner_text("#tl-year") == f"{FIRST}-{FIRST + 6}"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    _settled(page, (FIRST, FIRST + 4))
    # A step is a place in the history: Back returns to the step before.
    page.go_back()
    _settled(page, (FIRST, FIRST + 5))
    assert page.inner_text("#tl-year") == f"{FIRST}-{FIRST + 5}"
    # The mouse on the step buttons does the same.
    page.click("#tl-back")
    _settled(page, (FIRST, FIRST + 4))
    assert page.console_errors == []


def test_a_step_that_cannot_be_drawn_in_time_is_skipped_not_queued(page, server_url):
    start = LAST - 9  # playing starts at the step shown: the last ten years
    page.goto(f"{server_url}/?year={FIRST}-{start}")
    wait_ready(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 6})  # a slow laptop
    requests = []
    page.on(
        "request",
        lambda r: "_dash-update-component" in r.url and requests.append(r.post_data or ""),
    )
    page.select_option("#tl-speed", "2")
    page.click("#tl-play")
    # the last step shows every year again (no year in the URL), and playing stops there
    page.wait_for_function("() => !window.iome_timeline.playing()", timeout=120_000)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    stats = page.evaluate("window.iome_timeline.stats()")
    # The page could not keep up: years were skipped, and each step waited for the one
    # before (one render per step, no backlog).
    assert stats["skipped"] > 0, stats
    assert stats["steps"] + stats["skipped"] == LAST - start + 1, stats
    # requests that draw the page (the state writer's, or the render it falls back on)
    renders = [b for b in requests if "rendered-search.data" in b]
    assert 0 < len(renders) <= stats["steps"] + 1, (len(renders), stats)
    _settled(page, (FIRST, LAST))
    assert page.inner_text("#tl-year") == f"All years, {FIRST}-{LAST}"
    assert page.console_errors == []
