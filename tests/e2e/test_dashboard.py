"""The dashboard in real headless Chromium: views draw, filters link, URL holds the state."""

import json
from urllib.parse import urlparse

import pytest
from helpers import VIEW_CHARTS, count_text, open_filter_groups, traces, wait_ready

from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query

pytestmark = pytest.mark.e2e

JS_POINT_ON_MAP = """([id, lon, lat]) => {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  const pt = gd._fullLayout.geo._subplot.projection([lon, lat]);
  const r = gd.querySelector('.main-svg').getBoundingClientRect();
  return [r.left + pt[0], r.top + pt[1]];
}"""


def expected_count(query: str) -> int:
    from evidence import DEMO_PATH

    return apply(load_cached(DEMO_PATH), parse_query(query)[0]).n_articles


def test_all_views_draw_with_data_no_errors_and_nothing_leaves_the_machine(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    fingerprints = traces(page)
    assert all(fp and fp != "[]" for fp in fingerprints), dict(
        zip(VIEW_CHARTS, fingerprints, strict=True)
    )
    page.wait_for_selector("#articles-list tbody .article-title")
    assert "Synthetic demo data" in page.inner_text("#synthetic-banner")
    assert count_text(page) == "350 of 350 articles"
    assert page.console_errors == []
    hosts = {urlparse(u).netloc for u in page.requested_urls if u.startswith("http")}
    assert hosts == {urlparse(server_url).netloc}
    topo = [u for u in page.requested_urls if "topojson" in u]
    assert topo and all(u.startswith(server_url) for u in topo)
    assert len(topo) == 1  # fetched once for the three maps (assets/figures.js)
    # plotly.js: the project's partial bundle, once (never the package's full one).
    plotly = [u for u in page.requested_urls if "plotly" in u.rsplit("/", 1)[-1]]
    assert [urlparse(u).path for u in plotly] == ["/assets/vendor/plotly-iome.min.js"]


def test_changing_a_filter_changes_every_view(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    before = traces(page)
    open_filter_groups(page)
    page.get_by_label("Low income").first.check()
    page.wait_for_function("() => location.search.includes('origin_income=L')")
    wait_ready(page)
    after = traces(page)
    changed = [v for v, a, b in zip(VIEW_CHARTS, before, after, strict=True) if a != b]
    assert changed == VIEW_CHARTS
    assert count_text(page) == f"{expected_count('origin_income=L')} of 350 articles"
    assert page.console_errors == []


def test_export_links_and_takeaways_follow_the_filters(page, server_url):
    """The Export menus, the list's CSV button and the takeaway sentences are drawn in the
    browser (assets/links.js, page.js): after a click they carry the new state."""
    page.goto(server_url + "/")
    wait_ready(page)
    before = page.inner_text("#summary-map")
    open_filter_groups(page)
    page.get_by_label("Low income").first.check()
    page.wait_for_function("() => location.search.includes('origin_income=L')")
    wait_ready(page)
    query = page.evaluate("() => location.search")
    page.locator("#card-map .export-menu .dropdown-toggle").click()
    png = page.locator("#card-map a.export-link", has_text="PNG")
    png.wait_for()
    assert png.get_attribute("href") == "/export/map.png" + query
    csv = page.locator("#card-articles a.export-link")
    assert csv.get_attribute("href") == "/data/articles.csv" + query
    after = page.inner_text("#summary-map")
    assert after and after != before
    assert count_text(page) == f"{expected_count('origin_income=L')} of 350 articles"
    page.go_back()
    page.wait_for_function("() => !location.search.includes('origin_income')")
    page.wait_for_function("() => document.querySelector('#card-articles a.export-link')"
                           ".getAttribute('href') === '/data/articles.csv'")  # fmt: skip
    page.wait_for_function(
        "t => document.getElementById('summary-map').innerText === t", arg=before
    )


def test_clicking_a_map_country_filters_the_table_and_updates_the_url(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    x, y = page.evaluate(JS_POINT_ON_MAP, ["fig-map", -98, 39])
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('country=USA')")
    wait_ready(page)
    n = expected_count("country=USA")
    assert count_text(page) == f"{n} of 350 articles"
    # a country means the articles that involve it, in any role (issue 23)
    chip = page.locator(".chip").first.inner_text()
    assert chip.startswith("Country: United States (any role)")
    assert n > expected_count("country=USA&country_role=origin")
    page.wait_for_function(
        "n => document.querySelector('#articles-list').innerText.includes('of ' + n)",
        arg=str(n),
    )


def test_deep_link_restores_its_state(page, server_url):
    query = "format=mobility.outbound&year=2010-2020&origin_income=H&align=by_income"
    page.goto(f"{server_url}/?{query}")
    wait_ready(page)
    assert count_text(page) == f"{expected_count(query)} of 350 articles"
    chips = page.locator(".chip").all_inner_texts()
    assert any("Outbound mobility" in c for c in chips)
    assert any("2010-2020" in c for c in chips)
    assert page.locator("#ctl-origin-income input[value='H']").is_checked()
    assert page.locator("#ctl-align input[value='by_income']").is_checked()
    assert "mobility.outbound" in page.url


def test_unknown_link_values_are_reported_on_screen(page, server_url):
    page.goto(f"{server_url}/?format=teleport&colour=red")
    wait_ready(page)
    notices = page.inner_text("#url-notices")
    assert "teleport" in notices and "colour" in notices
    assert count_text(page) == "350 of 350 articles"


def test_chip_and_reset_clear_filters(page, server_url):
    page.goto(f"{server_url}/?country=USA,GBR")
    wait_ready(page)
    page.locator(".chip", has_text="United Kingdom").click()
    page.wait_for_function("() => !location.search.includes('GBR')")
    wait_ready(page)
    assert count_text(page) == f"{expected_count('country=USA')} of 350 articles"
    page.get_by_role("button", name="Reset all filters").click()
    page.wait_for_function("() => location.search === ''")
    wait_ready(page)
    assert count_text(page) == "350 of 350 articles"


def test_empty_selection_shows_designed_empty_state(page, server_url):
    page.goto(f"{server_url}/?country=ISL&origin_income=L")
    wait_ready(page)
    assert count_text(page) == "0 of 350 articles"
    assert "No articles match" in page.inner_text("#fig-trends")
    # The map keeps its countries (counted without its own selection, Iceland), so
    # another can be picked or Iceland clicked off: no dead end.
    assert "No articles match" not in page.inner_text("#fig-map")


def test_article_list_pages_and_orders_by_keyboard(page, server_url):
    """Next by keyboard shows the next ten (focus stays on Next), the order menu sorts,
    a filter click starts the list again at the top, and DOIs open in a new tab."""
    page.goto(server_url + "/")
    wait_ready(page)
    page.wait_for_selector("#articles-list tbody tr")
    first = page.locator("#articles-list tbody tr").first.get_attribute("data-id")
    assert page.inner_text("#articles-list .article-range") == "Articles 1–10 of 350"
    page.locator("#articles-list button[data-pager='next']").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#articles-list .article-range').innerText"
        " === 'Articles 11–20 of 350'"
    )
    assert page.locator("#articles-list tbody tr").first.get_attribute("data-id") != first
    assert page.evaluate("document.activeElement.dataset.pager") == "next"
    page.select_option("#articles-sort", "year-desc")
    page.wait_for_function(
        "() => document.querySelector('#articles-list .article-range').innerText"
        " === 'Articles 1–10 of 350'"
    )
    years = [int(y) for y in page.locator("#articles-list tbody td.col-year").all_inner_texts()]
    assert years == sorted(years, reverse=True) and years[0] == 2020
    links = page.locator("#articles-list td.col-doi a")
    assert links.first.get_attribute("target") == "_blank"
    assert "noopener" in links.first.get_attribute("rel")
    open_filter_groups(page)
    page.get_by_label("Low income").first.check()
    page.wait_for_function("() => location.search.includes('origin_income=L')")
    wait_ready(page)
    n = expected_count("origin_income=L")
    page.wait_for_function(
        "n => document.querySelector('#articles-list .article-range').innerText"
        " === `Articles 1–10 of ${n}`",
        arg=n,
    )
    years = [int(y) for y in page.locator("#articles-list tbody td.col-year").all_inner_texts()]
    assert years == sorted(years, reverse=True)  # the order chosen is kept
    assert page.console_errors == []


def test_a_data_tables_filter_button_does_what_a_click_on_the_mark_does(page, server_url):
    """Keyboard: in the map's data table, Enter on a row's Filter button filters every view
    by that country, as a click on the country would; N is the row's count."""
    page.goto(server_url + "/")
    wait_ready(page)
    page.locator("#card-map summary").first.click()
    first = page.locator("#card-map button.table-filter").first
    first.wait_for()
    row = first.locator("xpath=ancestor::tr")
    cells = row.locator("td").all_inner_texts()  # Filter, Country, Articles, ...
    heads = page.locator("#card-map thead th").all_inner_texts()
    # the count a click keeps: the articles involving the country (any role)
    name, n = cells[1], int(cells[heads.index("Articles involving it")])
    iso3 = json.loads(first.get_attribute("data-point"))["location"]
    assert first.get_attribute("aria-label") == f"Filter by {name}"
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("c => location.search.includes('country=' + c)", arg=iso3)
    wait_ready(page)
    assert (
        count_text(page)
        == f"{n} of 350 articles"
        == f"{expected_count('country=' + iso3)} of 350 articles"
    )
    assert page.locator("#active-chips").inner_text().count(name) == 1
