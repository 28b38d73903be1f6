"""axe-core in real Chromium: no serious or critical violations on the dashboard or embeds."""

import csv
import io
import time
from pathlib import Path

import pytest
from helpers import loaded_report, wait_ready

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def page(browser):
    """A page that may inject axe-core despite the app's Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    context.close()


def serious_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    for v in serious:
        print(v)  # noqa: T201 - shown when the test fails
    return serious


@pytest.mark.parametrize("query", ["", "format=mobility.outbound&align=by_income"])
def test_dashboard_has_no_serious_axe_violations(page, server_url, query):
    page.goto(f"{server_url}/?{query}")
    wait_ready(page)
    assert serious_violations(page) == []


@pytest.mark.parametrize("view", ["map", "flows", "partnerships", "alignment", "gapmap", "trends"])
def test_embed_pages_have_no_serious_axe_violations(page, server_url, view):
    page.goto(f"{server_url}/embed/{view}?year=2010-2020")
    page.wait_for_selector("#chart .main-svg")
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_every_control_is_reachable_by_keyboard_with_visible_focus(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    seen = []
    for _ in range(400):  # the whole page once: past the last stop, focus leaves it
        page.keyboard.press("Tab")
        name, visible = page.evaluate(
            """() => { const e = document.activeElement;
                 if (!e || e === document.body) return [null, true];
                 const s = getComputedStyle(e);
                 const name = [e.getAttribute('aria-label'), e.id, e.innerText.trim()]
                     .filter(Boolean).join(' ');
                 return [name.slice(0, 80),
                         s.outlineStyle !== 'none' || s.boxShadow !== 'none']; }"""
        )
        if name is None:
            break
        assert visible, f"no visible focus on {name}"
        seen.append(name)
        # A closed group of the filter panel: a keyboard user opens it with Enter.
        if page.evaluate(
            "() => document.activeElement.matches('.filter-group-toggle[aria-expanded=false]')"
        ):
            page.keyboard.press("Enter")
    text = " | ".join(seen)
    for expected in (
        "First publication year",
        "ctl-country",
        "ctl-origin-income",
        "ctl-income",
        "btn-reset",
        "btn-share",  # Copy link: a real button
        "Income groups",
        "ctl-role",
        "Export",
        "About",
        # the HTML charts' cells and bars, and the article list's pager
        "Origin income group High, Destination income group Low: 58 articles",
        "North-South partnership",
        "Motivation Market, Format Partnerships: 41 articles (Aligned)",
        "Next",
    ):
        assert expected in text, f"{expected} not reached by Tab: {text[:400]}"


JS_FOCUS = """() => { const e = document.activeElement;
  return [e.tagName, e.id || '', (e.getAttribute('aria-label') || e.innerText || e.value || '')
          .trim().slice(0, 60), e.getAttribute('href') || '', e.className || '']; }"""


def _tab_to(page, matches, limit: int = 300) -> list:
    """Press Tab until the focused element satisfies ``matches``; its description."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(JS_FOCUS)
        if matches(focus):
            return focus
    raise AssertionError("not reached by Tab")


def test_keyboard_only_from_the_first_filter_to_a_filtered_list_and_its_download(page, server_url):
    """Keyboard only: open the income group, tick Low income with Space, read the list of
    matching articles and download it with Enter; the file is the filtered list."""
    from evidence import DEMO_PATH
    from evidence.filters import apply
    from evidence.load import load_cached
    from evidence.state import parse_query

    page.goto(server_url + "/")
    wait_ready(page)
    _tab_to(page, lambda f: f[2] == "First publication year")  # the first filter
    _tab_to(page, lambda f: f[2].startswith("Income groups"))
    page.keyboard.press("Enter")  # open the group
    _tab_to(page, lambda f: f[1].endswith("ctl-origin-income_input_L"))
    page.keyboard.press("Space")
    page.wait_for_function("() => location.search.includes('origin_income=L')")
    wait_ready(page)
    kept = apply(load_cached(DEMO_PATH), parse_query("origin_income=L")[0])
    n = kept.n_articles
    assert page.inner_text("#article-count") == f"{n} of 350 articles"
    page.wait_for_function(
        "n => document.querySelector('#articles-list .article-range').innerText"
        ".endsWith(`of ${n}`)",
        arg=n,
    )
    link = _tab_to(page, lambda f: f[0] == "A" and "/data/articles.csv" in f[3])
    assert link[3] == "/data/articles.csv?origin_income=L"
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    name = download.value.suggested_filename
    assert name.startswith("iome-articles-origin-income-low-") and f"-n{n}-" in name
    text = Path(download.value.path()).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    # the file follows the coding contract (issue 25: `id` and codes, no derived income
    # column): its rows are exactly the articles the Low-income filter keeps
    assert len(rows) == n and {r["id"] for r in rows} == set(kept.articles["article_id"])


def test_upload_dialog_with_report_and_mapping_has_no_serious_axe_violations(
    page, server_url, tmp_path
):
    demo = (Path(__file__).parents[2] / "data" / "demo" / "articles.csv").read_text("utf-8")
    lines = demo.splitlines()
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(
        "\n".join([lines[0].replace("id,", "Record,", 1), *lines[1:6]]) + "\n", "utf-8"
    )
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))  # intercept dialogs
    page.goto(server_url + "/")
    wait_ready(page)
    page.get_by_role("button", name="Your data").focus()
    page.keyboard.press("Enter")  # the dialog opens from the keyboard
    page.wait_for_selector("#upload-pick", state="visible")
    # The dialog takes focus once its opening transition ends; Tab then reaches the picker.
    page.wait_for_function("() => document.activeElement.closest('.modal') !== null")
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == "upload-pick":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "upload-pick"
    page.keyboard.press("Enter")  # and the file picker, too
    deadline = time.time() + 30
    while not choosers and time.time() < deadline:
        page.wait_for_timeout(100)
    assert choosers, "Enter on the picker button opened no file dialog"
    choosers[0].set_files(str(renamed))
    page.wait_for_selector("text=Match your columns", timeout=30_000)
    assert serious_violations(page) == []
    page.get_by_label("id (required)").select_option("Record")
    page.get_by_role("button", name="Apply the mapping").click()
    loaded_report(page)  # the page redraws on the file with the report open
    assert serious_violations(page) == []
