"""Every mark is a filter, clicked like a person would: the mouse moves onto a real mark
at its pixel position in headless Chromium and clicks it.

After the click the URL holds the filter readably, a chip names it in words, and
"N of M" equals the number the mark showed in its hover label (for a cell or bar of an
HTML chart, a button, in its tooltip); the same mark clicked again removes the filter. Hovering an arc names exactly the pair a click chooses.

With ``IOME_RECORD_CLICKS=1`` the clickData / selectedData the page sent for each mark
are saved to tests/fixtures/clicks/ (``python scripts/record_clicks.py``); the unit
tests of click -> state (tests/callbacks/test_sync.py) replay them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import marks
import pytest
from helpers import HTML_CHARTS, count_text, drawn_page, wait_ready

from evidence import DEMO_PATH, aggregate
from evidence.countries import country_name
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clicks"
RECORD = os.environ.get("IOME_RECORD_CLICKS") == "1"
DESKTOP, PHONE = (1440, 900), (390, 844)
TOTAL = 350


def expected_count(query: str) -> int:
    return apply(load_cached(DEMO_PATH), parse_query(query)[0]).n_articles


@dataclass(frozen=True)
class Mark:
    """A mark to click: how to find it, how its hover label gives its count, and the URL
    parameter and chip its click must give."""

    name: str  # fixture name
    graph: str
    find: Callable  # page -> {"xy": [x, y], "custom": ...}
    count: str  # regex: the count in the hover label
    param: str  # what the URL must hold after the click, e.g. "flow=USA-KEN"
    chip: str  # the chip's text, e.g. "Flow: United States → Kenya"
    query: str = ""  # the page's URL query before the click
    # The arc's own count (customdata) is the number a click keeps; not for a net arc,
    # whose count is the difference and whose hover names what a click keeps.
    arc_count_is_n: bool = True

    @property
    def key(self) -> str:
        return self.param.split("=")[0] + "="


MARKS = {
    m.name: m
    for m in (
        # the map colours by origin; a click keeps the articles involving the country in
        # the filters' role (any role): the hover's second count
        Mark("map-country", "fig-map", lambda pg: marks.country(pg, "fig-map", -98, 39),
             r"([\d,]+) involve it \(any role\)", "country=USA", "United States"),
        Mark("flow-arc", "fig-flows", lambda pg: marks.arc(pg, "fig-flows", "USA", "KEN"),
             r"United States → Kenya: ([\d,]+) article", "flow=USA-KEN",
             "Flow: United States → Kenya"),
        Mark("flow-arc-largest", "fig-flows",
             lambda pg: marks.arc(pg, "fig-flows", "USA", "UGA"),
             r"United States → Uganda: ([\d,]+) article", "flow=USA-UGA",
             "Flow: United States → Uganda"),
        # A net arc shows the net count, and a click keeps the side drawn: its hover
        # says how many articles that is.
        Mark("flow-net-arc", "fig-flows", lambda pg: marks.arc(pg, "fig-flows", "USA", "UGA"),
             r"Click to select: ([\d,]+) articles", "flow=USA-UGA",
             "Flow: United States → Uganda",
             query="net=net", arc_count_is_n=False),
        Mark("flow-region-arc", "fig-flows",
             lambda pg: marks.arc(pg, "fig-flows", "north-america", "sub-saharan-africa"),
             r"North America → Sub-Saharan Africa: ([\d,]+) article",
             "region_flow=north-america~sub-saharan-africa",
             "Region flow: North America → Sub-Saharan Africa", query="level=region"),
        Mark("flow-matrix-cell", "fig-flow-matrix",
             lambda pg: marks.button(pg, "fig-flow-matrix", "H>L"), r": ([\d,]+)",
             "direction=H-L", "Flow direction: High income → Low income"),
        Mark("partner-arc", "fig-partner-map",
             lambda pg: marks.arc(pg, "fig-partner-map", "GBR", "MWI"),
             r"United Kingdom → Malawi: ([\d,]+) article", "partner=GBR-MWI",
             "Partnership: United Kingdom → Malawi"),
        Mark("partnership-format-bar", "fig-partnerships",
             lambda pg: marks.button(pg, "fig-partnerships", "partnership.north_south"),
             r"partnership: ([\d,]+) articles", "format=partnership.north_south",
             "Format: North-South partnership"),
        Mark("partnership-direction-bar", "fig-partnerships",
             lambda pg: marks.button(pg, "fig-partnerships", "S>S"), r": ([\d,]+) articles",
             "partner=S-S", "Partnership: LMIC → LMIC"),
        Mark("alignment-cell", "fig-alignment",
             lambda pg: marks.button(pg, "fig-alignment", "social|mobility|all"),
             r": ([\d,]+) articles? \(", "motivation=social",
             "Motivation: Social transformation"),
        Mark("alignment-cell-by-income", "fig-alignment",
             lambda pg: marks.button(pg, "fig-alignment", "market|mobility|south"),
             r": ([\d,]+) articles? \(", "origin_income=UM,LM,L",
             "Motivation: Market", query="align=by_income"),
        Mark("trends-bar", "fig-trends", lambda pg: marks.bar(pg, "fig-trends", 2012),
             r"Click to select: all ([\d,]+) articles of 2012", "year=2012", "Years: 2012"),
        Mark("gapmap-cell", "fig-gapmap",
             lambda pg: marks.button(pg, "fig-gapmap", "mobility|research"),
             r": ([\d,]+) articles?\.", "type=research", "Type: Research",
             query="gap_cols=type"),
    )
}  # fmt: skip
# On a phone the United States -> Kenya arc runs within 2 px of United States -> Uganda
# (their lines overlap): a tap there chooses the bigger, Uganda, and says so on hover.
PHONE_MARKS = ("map-country", "flow-arc-largest", "partner-arc", "alignment-cell")


def _open(browser, viewport):
    context = browser.new_context(viewport=dict(zip(("width", "height"), viewport, strict=True)))
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


def _search(page) -> str:
    return unquote(page.evaluate("location.search"))


def _save(name: str, graph: str, prop: str, value, viewport, query: str, hover: str) -> None:
    """Write what the page sent for one mark as a fixture."""
    assert value is not None, f"the page sent no {graph}.{prop}"
    FIXTURES.mkdir(parents=True, exist_ok=True)
    record = {"graph": graph, "property": prop, "viewport": list(viewport),
              "page_query": query, "hover": hover, "value": value}  # fmt: skip
    text = json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    (FIXTURES / f"{name}.json").write_text(text, encoding="utf-8")


def _click_mark(page, recorder, mark: Mark, viewport) -> None:
    """Hover the mark, click it, check the filter it sets; click it again, check it goes."""
    base = f"{TOTAL} of {TOTAL} articles" if not mark.query else None
    base = base or f"{expected_count(mark.query)} of {TOTAL} articles"
    assert count_text(page) == base
    found = mark.find(page)
    html = mark.graph in HTML_CHARTS  # a button: its tooltip is its title
    label = found["label"] if html else marks.hover(page, mark.graph, found["xy"])
    n = marks.number(label, mark.count)
    if html:
        page.mouse.move(*found["xy"])
    prop = "press" if html else "clickData"
    sent_before = len(recorder.values(f"{mark.graph}.{prop}"))
    page.mouse.click(*found["xy"])
    try:
        page.wait_for_function(
            "p => decodeURIComponent(location.search).includes(p)", arg=mark.param,
            timeout=20_000,
        )  # fmt: skip
    except Exception as exc:  # say whether the click reached the server at all
        sent = len(recorder.values(f"{mark.graph}.{prop}")) - sent_before
        raise AssertionError(
            f"{mark.name}: URL still {_search(page)!r} 20 s after the click; the page sent "
            f"{sent} {prop} request(s) for it ({exc.__class__.__name__})"
        ) from exc
    wait_ready(page)
    search = _search(page)
    # "N of M" is the number the mark showed, and the URL holds the filter as written.
    assert count_text(page) == f"{n:,} of {TOTAL:,} articles", (mark.name, label, search)
    assert expected_count(search) == n
    assert mark.param in search.lstrip("?").split("&"), search
    chips = page.locator(".chip").all_inner_texts()
    assert any(mark.chip in c for c in chips), (chips, mark.chip)
    arc = mark.graph in ("fig-flows", "fig-partner-map") and mark.arc_count_is_n
    if isinstance(found.get("custom"), list) and arc:
        assert found["custom"][2] == n  # the arc's own count, from its customdata
    sent = recorder.last(f"{mark.graph}.{prop}")
    assert sent is not None, f"the page sent no {mark.graph}.{prop}"
    if RECORD:
        suffix = "" if viewport == DESKTOP else f"-{viewport[0]}"
        _save(mark.name + suffix, mark.graph, prop, sent, viewport, mark.query, label)
    # The same mark again removes the filter.
    again = mark.find(page)
    if html:
        page.mouse.move(*again["xy"])
    else:
        marks.hover(page, mark.graph, again["xy"])
    page.mouse.click(*again["xy"])
    page.wait_for_function(
        "k => !decodeURIComponent(location.search).includes(k)", arg=mark.key, timeout=20_000
    )
    wait_ready(page)
    assert count_text(page) == base
    assert not any(mark.chip in c for c in page.locator(".chip").all_inner_texts())
    assert page.errors == []


# Every mark at desktop width in two halves (two pages the test workers can take at once;
# one sweep was the suite's longest test), and the phone's marks.
_ALL = tuple(MARKS)
SWEEPS = {
    "1440px-a": (DESKTOP, _ALL[: len(_ALL) // 2]),
    "1440px-b": (DESKTOP, _ALL[len(_ALL) // 2 :]),
    "390px": (PHONE, PHONE_MARKS),
}


@pytest.mark.parametrize("sweep", list(SWEEPS))
def test_clicking_a_mark_filters_to_its_articles_and_again_removes_it(browser, server_url, sweep):
    """Every mark in turn, in one page per sweep (a mark's second click restores the page
    for the next); a failing mark is reported by name and the sweep goes on."""
    viewport, names = SWEEPS[sweep]
    context, page = _open(browser, viewport)
    failures = []
    try:
        recorder = marks.Recorder(page)
        shown = None
        for name in names:
            mark = MARKS[name]
            try:
                if shown != mark.query or _search(page).lstrip("?") != mark.query:
                    page.goto(f"{server_url}/?{mark.query}")
                    wait_ready(page)
                    shown = mark.query
                _click_mark(page, recorder, mark, viewport)
            except Exception as exc:  # reported with the mark's name below
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
                shown = None  # start the next mark from a fresh page
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_a_partner_arc_keeps_the_map_role(browser, server_url):
    with drawn_page(browser, f"{server_url}/?role=setting", DESKTOP) as page:
        found = marks.arc(page, "fig-partner-map", "GBR", "MWI")
        marks.hover(page, "fig-partner-map", found["xy"])
        page.mouse.click(*found["xy"])
        page.wait_for_function("() => location.search.includes('partner=')")
        wait_ready(page)
        assert _search(page) == "?role=setting&partner=GBR-MWI"
        assert page.locator("#ctl-role input[value='setting']").is_checked()


def test_hovering_the_united_states_kenya_arc_names_it(browser, server_url):
    with drawn_page(browser, server_url + "/", DESKTOP) as page:
        found = marks.arc(page, "fig-flows", "USA", "KEN")
        label = marks.hover(page, "fig-flows", found["xy"])
        assert label.startswith("United States → Kenya: 5 articles (HIC → LMIC)"), label


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_hovering_the_biggest_arc_names_it(browser, server_url, viewport):
    with drawn_page(browser, server_url + "/", viewport) as page:
        biggest = marks.arc(page, "fig-flows")
        assert biggest["custom"][:2] == ["USA", "UGA"]
        label = marks.hover(page, "fig-flows", biggest["xy"])
        assert label.startswith("United States → Uganda: 11 articles"), label


def test_dragging_across_years_sets_a_range_and_a_click_one_year(browser, server_url):
    context, page = _open(browser, DESKTOP)
    try:
        recorder = marks.Recorder(page)
        page.goto(server_url + "/")
        wait_ready(page)
        start = marks.year(page, "fig-trends", 2009.6)["xy"]
        end = marks.year(page, "fig-trends", 2014.4)["xy"]
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move((start[0] + end[0]) / 2, start[1], steps=5)
        page.mouse.move(*end, steps=5)
        page.mouse.up()
        page.wait_for_function("() => location.search.includes('year=2010-2014')")
        wait_ready(page)
        assert count_text(page) == f"{expected_count('year=2010-2014')} of {TOTAL} articles"
        assert any("Years: 2010-2014" in c for c in page.locator(".chip").all_inner_texts())
        assert recorder.last("fig-trends.clickData") is None  # a drag is not a click
        # The selection as dragged (the redrawn chart then sends an empty one).
        dragged = [v for v in recorder.values("fig-trends.selectedData") if v and v.get("range")]
        assert len(dragged) == 1, recorder.values("fig-trends.selectedData")
        if RECORD:
            _save("trends-drag", "fig-trends", "selectedData", dragged[0], DESKTOP, "", "")
        # A click on a bar then gives that one year.
        found = marks.bar(page, "fig-trends", 2012)
        label = marks.hover(page, "fig-trends", found["xy"])
        # 2012 is inside the dragged years: a click selects it alone
        n = marks.number(label, r"Selected · click to select only 2012 \(([\d,]+) articles\)")
        page.mouse.click(*found["xy"])
        page.wait_for_function("() => location.search.includes('year=2012')")
        wait_ready(page)
        assert _search(page) == "?year=2012"
        assert count_text(page) == f"{n} of {TOTAL} articles"
    finally:
        context.close()


def _flows_summary(page) -> str:
    return page.inner_text("#card-flows .view-summary")


def test_one_click_on_kenya_shows_who_sends_students_there(browser, server_url):
    """The flow map draws its 30 largest pairs; one click on Kenya's dot shows every pair
    into and out of Kenya, and the sentence under the map ranks them with the numbers a
    flow filter gives; the same dot again shows all pairs."""
    eb = load_cached(DEMO_PATH)
    rank = aggregate.focus_ranking(eb, "KEN", "flows")
    context, page = _open(browser, DESKTOP)
    try:
        recorder = marks.Recorder(page)
        page.goto(server_url + "/")
        wait_ready(page)
        drawn = marks.arc_layout(page, "fig-flows")
        assert len(drawn["pairs"]) == 30  # the largest pairs, a number a reader can follow
        legend = page.locator("#fig-flows .legend").text_content()
        assert "the 30 largest of 147 pairs" in legend and "6+ articles" in legend
        found = marks.node(page, "fig-flows", "KEN")
        assert marks.hover(page, "fig-flows", found["xy"]).startswith("Kenya")
        page.mouse.click(*found["xy"])
        page.wait_for_function("() => location.search.includes('focus=KEN')", timeout=10_000)
        wait_ready(page)
        assert _search(page) == "?focus=KEN"
        # a focus is a filter with a chip (issue 23): the list and count follow it
        assert count_text(page) == f"{expected_count('focus=KEN')} of {TOTAL} articles"
        focused = marks.arc_layout(page, "fig-flows")
        assert focused["pairs"] and all("KEN" in p.split(">") for p in focused["pairs"])
        assert len(focused["pairs"]) == len(rank["in"]) + len(rank["out"])
        summary = _flows_summary(page)
        first, n = rank["in"][0]
        assert summary.startswith(f"Into Kenya: {first} {n}"), summary
        assert expected_count("flow=USA-KEN") == n  # the ranking counts what a filter keeps
        assert f"{rank['n_in_north']} of {rank['n_in']} articles from HIC" in summary
        assert page.inner_text("#ctl-focus").startswith("Kenya")
        if RECORD:
            sent = recorder.last("fig-flows.clickData")
            _save("flow-node", "fig-flows", "clickData", sent, DESKTOP, "", "Kenya")
        again = marks.node(page, "fig-flows", "KEN")
        marks.hover(page, "fig-flows", again["xy"])
        page.mouse.click(*again["xy"])
        page.wait_for_function("() => !location.search.includes('focus=')", timeout=10_000)
        wait_ready(page)
        assert len(marks.arc_layout(page, "fig-flows")["pairs"]) == 30
        assert page.errors == []
    finally:
        context.close()


def test_typing_a_country_focuses_it_on_a_phone(browser, server_url):
    with drawn_page(browser, server_url + "/", PHONE) as page:
        box = page.locator("#ctl-focus")
        box.scroll_into_view_if_needed()
        box.click()
        page.keyboard.type("Kenya")
        page.get_by_role("listbox").get_by_role("option", name="Kenya (KEN)").click()
        page.wait_for_function("() => location.search.includes('focus=KEN')", timeout=10_000)
        wait_ready(page)
        assert _flows_summary(page).startswith("Into Kenya:")
        partner = page.inner_text("#card-partnerships .view-summary")
        assert partner.startswith("Kenya as partner, led from:"), partner
        pairs = marks.arc_layout(page, "fig-partner-map")["pairs"]
        assert pairs and all("KEN" in p.split(">") for p in pairs)


@pytest.mark.parametrize("graph", ["fig-flows", "fig-partner-map"])
def test_every_drawn_arc_can_be_hovered_and_is_named_at_1440(browser, server_url, graph):
    """Hover and click targets sit on the arcs' bodies (arrowheads take no hover, so their
    crowding at a shared destination cannot pick the wrong pair). Every drawn arc has a
    target farther than plotly's 3 px pick distance from any other arc's, and hovering
    there names that arc, so what a click picks is what the label said."""
    with drawn_page(browser, server_url + "/", DESKTOP) as page:
        drawn = marks.arc_layout(page, graph)
        assert drawn["nHeads"] == len(drawn["pairs"]) == 30
        assert drawn["reach"] > 3, drawn
        for pair in drawn["pairs"]:
            origin, destination = pair.split(">")
            found = marks.arc(page, graph, origin, destination)
            label = marks.hover(page, graph, found["xy"])
            name = f"{country_name(origin)} → {country_name(destination)}:"
            assert label.startswith(name), (pair, label)
