"""Hostile data and hostile links in real Chromium: markup stays text, no injected script
runs, only http(s) and DOI links become links, and the Content-Security-Policy lets the
dashboard draw without a single violation.

A server is started on a data file whose titles, authors, journals, notes, ids, URLs,
DOIs and country names carry ``<script>``, ``<img onerror>``, ``<svg onload>`` and
``javascript:`` payloads; every payload would set ``window.__xss``.
"""

from __future__ import annotations

import csv
import io
import os
import urllib.request

import openpyxl
import pytest
from helpers import VIEW_GRAPHS, close_report, loaded_report, served, wait_ready

from evidence.views import VIEWS

pytestmark = pytest.mark.e2e

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = "<svg onload=window.__xss=1>"
BREAKOUT = '"><img src=x onerror=window.__xss=1>'
JS_URL = "javascript:window.__xss=1"
ANCHOR = f'<a href="{JS_URL}">click</a>'
FORMULA = '=HYPERLINK("javascript:window.__xss=1","x")'
HEADER = ["id", "title", "year", "authors", "journal", "url", "doi", "author_countries",
          "setting_countries", "formats", "motivations", "mobility_flows", "partnerships",
          "notes"]  # fmt: skip
ROWS = [
    ["x1", f"{SCRIPT} and {IMG}", "2005", IMG, SVG, JS_URL, JS_URL, "USA", "KEN",
     "mobility.outbound;mobility.clinical", "social.transformation", "USA>KEN", "", SCRIPT],
    ["x2", f"Breakout {BREAKOUT}", "2008", SCRIPT, ANCHOR,
     f"https://example.org/{BREAKOUT}", "10.1234/\"><img/src=x/onerror=window.__xss=1>",
     "GBR", "UGA", "partnership.north_south", "market.student", "", "GBR+UGA", IMG],
    ["x3", f"[markdown]({JS_URL}) {ANCHOR}", "2012", ANCHOR, FORMULA,
     "JaVaScRiPt:window.__xss=1", f"10.1234/x)]({JS_URL}", "KEN", "USA",
     "mobility.inbound", "liberal.understanding", "KEN>USA", "", FORMULA],
    [IMG, "Markup in the id", "2015", "A, B", "Journal", "https://example.org/ok",
     "10.1000/ok", f"IND;{SCRIPT}", f"BRA;{SVG}", "at_home.gh_course", "enrichment.curricular",
     "", "", ""],
    ["x5", "Rejected row", "2016", "", "", "", "", "USA", "", IMG, "", "", "", ""],
]  # fmt: skip
LITERAL_TITLES = [ROWS[0][1], ROWS[1][1], ROWS[2][1]]
JS_XSS = "() => window.__xss === undefined && !document.querySelector('[data-xss]')"
JS_BAD_LINKS = """() => [...document.querySelectorAll('a[href], area[href], [src], [action]')]
  .map(el => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action'))
  .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u))"""
EMBED_ORIGIN = "https://journal.example"
CSP_LISTENER = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """The dashboard served on the hostile data file (its own server process)."""
    folder = tmp_path_factory.mktemp("xss")
    data = folder / "hostile.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    env = {**os.environ, "IOME_EMBED_ORIGINS": EMBED_ORIGIN}
    with served(folder / "server.log", "--data", str(data), env=env) as url:
        yield url


def _guard(page) -> None:
    page.add_init_script(CSP_LISTENER)


def _assert_clean(page) -> None:
    assert page.evaluate(JS_XSS), "an injected script ran"
    assert page.evaluate(JS_BAD_LINKS) == []
    assert page.evaluate("() => window.__csp") == []
    csp_errors = [e for e in page.console_errors if "Content Security Policy" in e]
    assert csp_errors == []


def _open_data_tables(page, limit: int | None = None) -> None:
    """Open the 'data behind this chart' tables (the first ``limit`` of them)."""
    summaries = page.locator("details:has(.view-table) > summary").all()[:limit]
    # One at a time, each table drawn before the next is asked for (a loaded machine
    # answers a burst of ten slowly).
    for k, summary in enumerate(summaries, start=1):
        summary.scroll_into_view_if_needed()
        summary.click()
        page.wait_for_function(
            """n => [...document.querySelectorAll('details[open] .view-table')]
                     .filter(t => t.children.length).length >= n""",
            arg=k,
            timeout=60_000,
        )


def _hover_every_chart(page, points=((0.3, 0.4), (0.5, 0.5), (0.7, 0.6))) -> None:
    for graph in VIEW_GRAPHS:
        box = page.locator(f"#{graph} .main-svg").first
        box.scroll_into_view_if_needed()
        b = box.bounding_box()
        for fx, fy in points:
            page.mouse.move(b["x"] + b["width"] * fx, b["y"] + b["height"] * fy)
            page.wait_for_timeout(60)


def test_dashboard_shows_hostile_data_as_text_and_runs_no_script(page, hostile_url):
    _guard(page)
    page.goto(hostile_url + "/")
    wait_ready(page)
    page.wait_for_selector("#articles-list tbody .article-title")
    titles = page.locator("#articles-list tbody .article-title").all_inner_texts()
    for title in LITERAL_TITLES:
        assert title in titles  # the markup itself, shown as characters
    assert page.locator("#articles-list tbody .article-journal", has_text=SVG).count() == 1
    assert (
        page.locator(
            "#articles-list img, #articles-list svg[onload], #articles-list script"
        ).count()
        == 0
    )
    links = page.eval_on_selector_all("#articles-list a[href]", "els => els.map(a => a.href)")
    assert links and all(u.startswith(("https://doi.org/", "https://example.org/")) for u in links)
    _hover_every_chart(page)
    _open_data_tables(page)
    page.get_by_role("button", name="About").click()
    report = page.locator(".load-report").inner_text()
    assert f"unknown country '{SCRIPT}'" in report and "unknown format code" in report
    page.keyboard.press("Escape")
    _assert_clean(page)
    assert page.console_errors == []


def test_markup_in_the_link_is_reported_as_text(page, hostile_url):
    _guard(page)
    query = f"country={IMG}&{SCRIPT}=1&format={SVG},mobility.outbound&year={BREAKOUT}"
    page.goto(hostile_url + "/?" + urllib.request.quote(query, safe="=&,"))
    wait_ready(page)
    notices = page.inner_text("#url-notices")
    assert "ignored" in notices and "<" not in notices
    assert "mobility.outbound" in page.url
    _assert_clean(page)


def test_embed_pages_draw_without_running_injected_script(page, hostile_url):
    _guard(page)
    for view in VIEWS:
        response = page.goto(f"{hostile_url}/embed/{view}?country={urllib.request.quote(IMG)}")
        policy = response.headers["content-security-policy"] + ";"
        assert f"frame-ancestors {EMBED_ORIGIN};" in policy
        assert "x-frame-options" not in response.headers
        page.wait_for_selector("#chart .main-svg")
        page.locator("details > summary").click()
        box = page.locator("#chart .main-svg").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(100)
        links = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
        assert links and all(h.startswith("/?") for h in links), view
        _assert_clean(page)
    assert page.console_errors == []


def _fetch(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers, response.read()


def test_csv_and_xlsx_exports_carry_the_markup_as_inert_text(hostile_url):
    headers, body = _fetch(hostile_url + "/data/articles.csv")
    assert headers["Content-Type"].startswith("text/csv")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    by_id = {r["id"]: r for r in rows}  # the coding contract's column name
    assert by_id["x1"]["title"] == ROWS[0][1] and by_id["x1"]["notes"] == SCRIPT
    assert by_id["x1"]["url"] == "" and by_id["x1"]["doi"] == ""  # javascript: dropped
    assert by_id["x3"]["journal"] == "'" + FORMULA  # a formula is neutralised
    assert IMG in by_id  # the id itself, verbatim
    headers, body = _fetch(hostile_url + "/data/articles.xlsx")
    assert headers["X-Content-Type-Options"] == "nosniff"
    book = openpyxl.load_workbook(io.BytesIO(body))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells), "a cell is a formula"
    assert all(c.hyperlink is None for c in cells), "a cell is a link"
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {ROWS[0][1], SCRIPT, IMG, "'" + FORMULA} <= texts


def test_dashboard_draws_with_zero_csp_violations(page, server_url):
    """The demo dashboard under its real policy: every view, the grid, hover, the tables,
    the About dialog and an embed page, with no CSP report and no console error."""
    _guard(page)
    response = page.goto(server_url + "/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-eval'" not in policy and "script-src 'self' 'sha256-" in policy
    wait_ready(page)
    page.wait_for_selector("#articles-list tbody .article-title")
    _hover_every_chart(page, points=((0.5, 0.5),))
    _open_data_tables(page, limit=1)
    page.get_by_role("button", name="About").click()
    page.wait_for_selector(".load-report, #about-modal .modal-body")
    page.keyboard.press("Escape")
    page.goto(server_url + "/embed/map")
    page.wait_for_selector("#chart .main-svg")
    page.wait_for_timeout(300)
    _assert_clean(page)
    assert page.console_errors == []


def test_uploaded_hostile_file_and_name_stay_text(page, server_url, tmp_path):
    """The same payloads through the upload dialog: in the file, its name and its report."""
    data = tmp_path / f"{IMG}.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    page.goto(server_url + "/")
    wait_ready(page)
    page.get_by_role("button", name="Your data").click()
    with page.expect_file_chooser() as chooser:
        page.click("#upload-pick")
    chooser.value.set_files(str(data))
    result = loaded_report(page)
    assert IMG in result  # the file name and the rejected cell, shown as text
    assert page.evaluate(JS_XSS)
    close_report(page)
    assert IMG in page.inner_text("#data-banner")
    page.wait_for_selector("#articles-list tbody tr")
    grid = page.inner_text("#articles-list")
    assert all(title in grid for title in LITERAL_TITLES)  # markup shown as text
    assert page.evaluate(JS_XSS) and page.evaluate(JS_BAD_LINKS) == []
    page.request.post(server_url + "/upload/clear", headers={"X-IoME-Upload": "1"})
