"""A view never hides its own alternatives, and targets follow what a person sees: in
headless Chromium, with the real mouse and touch.

- A selected arc keeps every other arc on the map (dimmed, still clickable); a
  Shift-click adds a second one and the count is the union, counted here from the CSV.
- With every pair drawn, the pointer at the centre of any country's dot picks that dot,
  never an arc under it; on a phone a tap near a dot picks it.
- A grey country and an empty bar lead nowhere: they say so, and a click changes nothing.
"""

from __future__ import annotations

from urllib.parse import unquote

import marks
import pandas as pd
import pytest
from helpers import count_text, drawn_page, wait_ready

from evidence import DEMO_PATH
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query

pytestmark = pytest.mark.e2e

DESKTOP, PHONE = (1440, 900), (390, 844)


def flow_articles(*pairs: str) -> int:
    """Articles of the demo CSV with one of the "A>B" mobility flows ``pairs``."""
    data = pd.read_csv(DEMO_PATH, dtype=str)
    flows = data["mobility_flows"].fillna("").map(lambda v: {p.strip() for p in v.split(";")})
    return int(flows.map(lambda have: bool(have & set(pairs))).sum())


def _search(page) -> str:
    return unquote(page.evaluate("location.search"))


def _wait_search(page, text: str, present: bool = True) -> None:
    test = "p => decodeURIComponent(location.search).includes(p)"
    page.wait_for_function(test if present else f"p => !({test.split('=> ')[1]})", arg=text,
                           timeout=20_000)  # fmt: skip
    wait_ready(page)


def test_shift_click_adds_a_second_arc_and_both_stay(browser, server_url):
    with drawn_page(browser, f"{server_url}/?arcs=all") as page:
        before = marks.arc_layout(page, "fig-flows")["pairs"]
        assert {"USA>KEN", "CAN>KEN"} <= set(before)
        found = marks.arc(page, "fig-flows", "USA", "KEN")
        label = marks.hover(page, "fig-flows", found["xy"])
        assert "Click to select: 5 articles · Shift-click to add" in label, label
        page.mouse.click(*found["xy"])
        _wait_search(page, "flow=USA-KEN")
        # the map still draws every pair: the selected one on top, the others dimmed
        assert sorted(marks.arc_layout(page, "fig-flows")["pairs"]) == sorted(before)
        assert count_text(page) == f"{flow_articles('USA>KEN')} of 350 articles"
        again = marks.arc(page, "fig-flows", "USA", "KEN")
        assert "Selected · click to remove" in marks.hover(page, "fig-flows", again["xy"])

        second = marks.arc(page, "fig-flows", "CAN", "KEN")
        assert "Shift-click to add" in marks.hover(page, "fig-flows", second["xy"])
        page.keyboard.down("Shift")
        page.mouse.click(*second["xy"])
        page.keyboard.up("Shift")
        _wait_search(page, "flow=USA-KEN,CAN-KEN")
        union = flow_articles("USA>KEN", "CAN>KEN")
        assert union > flow_articles("USA>KEN")
        assert count_text(page) == f"{union} of 350 articles"
        chips = " ".join(page.locator(".chip").all_inner_texts())
        assert "United States → Kenya" in chips and "Canada → Kenya" in chips
        assert sorted(marks.arc_layout(page, "fig-flows")["pairs"]) == sorted(before)

        # another arc is still clickable: a plain click selects it alone
        third = marks.arc(page, "fig-flows", "USA", "UGA")
        marks.hover(page, "fig-flows", third["xy"])
        page.mouse.click(*third["xy"])
        _wait_search(page, "KEN", present=False)
        assert "flow=USA-UGA" in _search(page).lstrip("?").split("&")
        assert count_text(page) == f"{flow_articles('USA>UGA')} of 350 articles"
        assert page.errors == []


# Every dot of an arc map in page pixels, with its country and the distance to the
# nearest other dot.
JS_DOTS = (
    "(id) => {"
    + marks._GEO
    + "const gd = "
    + marks.GRAPH
    + """;
  const t = gd._fullData.find(t => t.meta && t.meta.kind === 'node');
  const dots = Array.from(t.lon, (lon, i) => ({iso3: t.customdata[i][0],
                                               xy: geoPoint(gd, lon, t.lat[i])}));
  for (const d of dots) {
    d.gap = Math.min(...dots.filter(o => o !== d).map(
      o => Math.hypot(o.xy[0] - d.xy[0], o.xy[1] - d.xy[1])));
  }
  return dots;
}"""
)
# What the pointer picks: the point plotly hovers (and a click sends).
JS_PICKED = (
    "(id) => {const gd = "
    + marks.GRAPH
    + """;
  const p = (gd._hoverdata || [])[0];
  return p ? {kind: p.data.meta && p.data.meta.kind, custom: p.customdata} : null;
}"""
)


@pytest.mark.parametrize("graph", ["fig-flows", "fig-partner-map"])
def test_the_pointer_at_a_dot_picks_the_dot_not_an_arc(browser, server_url, graph):
    """All pairs drawn at 1440 px: at every dot's centre, plotly's pick (what hover shows
    and a click sends) is that dot. One real mouse move per dot; a dot closer than 3 px
    to another cannot be told apart and is left out (none is, today)."""
    with drawn_page(browser, f"{server_url}/?arcs=all&partner_arcs=all") as page:
        marks.node(page, graph, "KEN")  # scrolls the map into view
        dots = page.evaluate(JS_DOTS, graph)
        assert len(dots) > 40
        wrong = []
        for dot in dots:
            if dot["gap"] < 3:
                continue
            page.mouse.move(*dot["xy"])
            page.wait_for_timeout(60)  # plotly handles one hover per 50 ms
            picked = page.evaluate(JS_PICKED, graph)
            if picked is None or picked["custom"] != [dot["iso3"]]:
                page.wait_for_timeout(150)
                picked = page.evaluate(JS_PICKED, graph)
            if picked is None or picked["kind"] != "node" or picked["custom"] != [dot["iso3"]]:
                wrong.append((dot["iso3"], picked))
        assert not wrong, f"{len(wrong)} of {len(dots)} dots pick something else: {wrong}"
        assert sum(d["gap"] < 3 for d in dots) == 0
        # and a click there sends the dot: Uganda's, under the busiest arcs
        uganda = next(d for d in dots if d["iso3"] == "UGA")
        marks.hover(page, graph, uganda["xy"])
        page.mouse.click(*uganda["xy"])
        _wait_search(page, "focus=UGA")


def _tap_point(dot: dict, dots: list[dict], reach: float = 12.0) -> list[float]:
    """A point ``reach`` px from ``dot`` (less when another dot is that close), in the
    direction that keeps it farthest from every other dot."""
    best, where = -1.0, dot["xy"]
    step = min(reach, dot["gap"] * 0.45)
    for k in range(16):
        import math

        angle = 2 * math.pi * k / 16
        xy = [dot["xy"][0] + step * math.cos(angle), dot["xy"][1] + step * math.sin(angle)]
        clear = min(math.hypot(o["xy"][0] - xy[0], o["xy"][1] - xy[1]) for o in dots
                    if o is not dot)  # fmt: skip
        if clear > best:
            best, where = clear, xy
    return where


def test_a_tap_near_a_dot_on_a_phone_picks_the_dot(browser, server_url):
    """390 px with touch: a tap up to 12 px off a dot's centre (on the side away from its
    neighbours) focuses that country, even where arcs run under the finger."""
    with drawn_page(browser, f"{server_url}/", PHONE, has_touch=True, is_mobile=True) as page:
        for iso3 in ("KEN", "UGA"):
            marks.node(page, "fig-flows", iso3)
            dots = page.evaluate(JS_DOTS, "fig-flows")
            dot = next(d for d in dots if d["iso3"] == iso3)
            xy = _tap_point(dot, dots)
            off = ((xy[0] - dot["xy"][0]) ** 2 + (xy[1] - dot["xy"][1]) ** 2) ** 0.5
            assert off >= min(8.0, dot["gap"] * 0.45) - 0.01, (iso3, off)
            page.touchscreen.tap(*xy)
            _wait_search(page, f"focus={iso3}")
            assert _search(page) == f"?focus={iso3}"
            page.touchscreen.tap(*marks.node(page, "fig-flows", iso3)["xy"])  # back
            page.wait_for_function("() => !location.search.includes('focus=')",
                                   timeout=20_000)  # fmt: skip
            wait_ready(page)
        # No Shift key on a phone: the card's "Add to selection" switch adds a second cell.
        switch = page.locator("#card-flows .add-mode")
        assert switch.is_visible()
        switch.get_by_text("Add to selection").tap()
        for key, query in (("H>L", "direction=H-L"), ("H>LM", "direction=H-L,H-LM")):
            page.touchscreen.tap(*marks.button(page, "fig-flow-matrix", key)["xy"])
            _wait_search(page, query)
        expected = apply(load_cached(DEMO_PATH), parse_query("direction=H-L,H-LM")[0])
        assert count_text(page) == f"{expected.n_articles} of 350 articles"
        assert page.errors == []


def test_grey_countries_and_empty_bars_lead_nowhere(browser, server_url):
    with drawn_page(browser, f"{server_url}/") as page:
        # Greenland has no articles: its hover says a click selects nothing, and it doesn't
        found = marks.country(page, "fig-map", -40, 72)
        label = marks.hover(page, "fig-map", found["xy"])
        assert "no articles" in label and "nothing to select" in label, label
        page.mouse.click(*found["xy"])
        page.wait_for_timeout(1000)
        assert _search(page) == ""
        assert count_text(page) == "350 of 350 articles"
        # An empty bar is no button: it says why, and cannot be pressed into a dead end.
        empty = page.locator("#fig-partnerships span.bar-btn")
        assert empty.count() >= 1
        assert "nothing to select" in empty.first.get_attribute("title")
        # A bar pressed stays, pressed (the others dimmed, pressable); pressed again, it goes.
        bar = marks.button(page, "fig-partnerships", "S>S")
        page.mouse.click(*bar["xy"])
        _wait_search(page, "partner=S-S")
        pressed = page.locator('#fig-partnerships button[aria-pressed="true"]')
        assert pressed.count() == 1 and pressed.get_attribute("data-key") == "S>S"
        assert page.locator('#fig-partnerships button[aria-pressed="false"]').count() >= 3
        page.mouse.click(*marks.button(page, "fig-partnerships", "S>S")["xy"])
        _wait_search(page, "partner=", present=False)
        assert count_text(page) == "350 of 350 articles"
        assert page.errors == []
