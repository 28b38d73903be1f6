"""Chart toolbars and embed pages in real Chromium.

* No chart, on the dashboard or on an /embed/ page, offers to send itself anywhere: its
  mode bar has no "Share chart" (plotly.js uploads to Plotly Cloud), no camera button
  (blocked by the page's own CSP; the Export menu makes the images), no plotly.com logo,
  nothing in a chart points to another host, and pressing every remaining button
  requests nothing from another host.
* Embed pages fit the iframe height the embed dialog suggests, at 400 and 640 px wide,
  with nothing clipped sideways (the flows embed, taller, with its income matrix whole at
  400 and 800 px); on another site's page the code works as is, and its
  optional script makes the frame as tall as the page inside it.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
from urllib.parse import urlparse

import pytest
from helpers import VIEW_GRAPHS, wait_ready

from bench.server import free_port
from components.export_menu import EMBED_HEIGHT, embed_code, embed_height
from evidence.views import VIEWS

pytestmark = pytest.mark.e2e

# plotly.js names of the buttons that upload, download or link out.
FORBIDDEN_BUTTONS = {"toImage", "sendChartToCloud", "sendDataToCloud", "editInChartStudio"}
FORBIDDEN_TITLE = ("share", "cloud", "download", "studio", "plotly")

# The mode bar of a drawn chart: its plotly.js button names, its DOM buttons and links.
JS_MODEBAR = """root => {
  const gd = root.classList.contains('js-plotly-plot') ? root
           : root.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullLayout) return {names: null};
  const bar = gd._fullLayout._modeBar;  // none when every button is removed
  const names = bar ? bar.buttons.flat().map(b => typeof b === 'string' ? b : b.name) : [];
  const buttons = [...root.querySelectorAll('.modebar-btn')].map(
      b => b.getAttribute('data-title') || b.getAttribute('aria-label') || '');
  const links = [...root.querySelectorAll('.modebar a[href], .modebar [href]')].map(
      a => a.getAttribute('href'));
  return {names, buttons, links};
}"""

# Every attribute of every element under the roots that names a URL on another host.
JS_FOREIGN = """selectors => {
  const own = location.host, bad = [];
  const LINK_ATTRS = ['href', 'xlink:href', 'src', 'action', 'formaction', 'data', 'poster'];
  for (const sel of selectors) {
    for (const root of document.querySelectorAll(sel)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        for (const attr of el.attributes) {
          if (attr.name === 'xmlns' || attr.name.startsWith('xmlns:')) continue;
          if (/^\\s*(data|blob):/i.test(attr.value)) continue;  // inline, no host
          const urls = attr.value.match(/(?:[a-z][a-z0-9+.-]*:)?\\/\\/[^\\s"'()<>]+/gi) || [];
          if (LINK_ATTRS.includes(attr.name)) urls.push(attr.value);
          for (const u of urls) {
            let host;
            try { host = new URL(u, location.href).host; } catch (e) { continue; }
            if (host && host !== own)
              bad.push(`${sel} <${el.tagName.toLowerCase()} ${attr.name}="${attr.value.slice(0, 80)}">`);
          }
        }
      }
    }
  }
  return bad;
}"""

# Links anywhere in the page to another host (the dashboard has some, e.g. in About).
JS_ALL_FOREIGN_LINKS = """() => [...document.querySelectorAll('[href], [src], [action]')]
  .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))
  .filter(u => { try { return new URL(u, location.href).host !== location.host; }
                 catch (e) { return false; } })"""


def _foreign_requests(page, own: str) -> list[str]:
    return sorted(
        {u for u in page.requested_urls if u.startswith(("http:", "https:", "ws:", "wss:"))
         and urlparse(u).netloc != own}
    )  # fmt: skip


def _check_toolbar(page, chart: str) -> list[str]:
    """Hover the chart, read its mode bar, press every button; return the problems."""
    problems = []
    root = page.locator(chart)
    root.scroll_into_view_if_needed()
    root.hover()
    bar = root.evaluate(JS_MODEBAR)
    assert bar["names"] is not None, f"{chart}: no drawn plotly chart"
    bad_names = sorted(FORBIDDEN_BUTTONS & set(bar["names"]))
    if bad_names:
        problems.append(f"{chart}: forbidden buttons {bad_names}")
    bad_titles = [t for t in bar["buttons"] if any(w in t.lower() for w in FORBIDDEN_TITLE)]
    if bad_titles:
        problems.append(f"{chart}: buttons {bad_titles}")
    if bar["links"]:
        problems.append(f"{chart}: links in the mode bar {bar['links']}")
    problems += page.evaluate(JS_FOREIGN, [chart])
    links_before = set(page.evaluate(JS_ALL_FOREIGN_LINKS))
    for i in range(len(bar["buttons"])):
        root.hover()
        button = page.locator(f"{chart} .modebar-btn").nth(i)
        if button.is_visible():
            button.click()
            page.wait_for_timeout(150)
            page.keyboard.press("Escape")  # closes any dialog a button opened
    page.wait_for_timeout(300)
    problems += page.evaluate(JS_FOREIGN, [chart])
    new_links = set(page.evaluate(JS_ALL_FOREIGN_LINKS)) - links_before
    if new_links:
        problems.append(f"{chart}: pressing its buttons added links {sorted(new_links)}")
    return problems


def test_dashboard_chart_toolbars_offer_no_share_or_download_and_link_nowhere(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    own = urlparse(server_url).netloc
    problems = []
    for graph_id in VIEW_GRAPHS:
        problems += _check_toolbar(page, f"#{graph_id}")
    assert problems == [], "\n".join(problems)
    assert _foreign_requests(page, own) == []
    assert page.console_errors == []


@pytest.mark.parametrize("view", list(VIEWS))
def test_embed_chart_toolbar_offers_no_share_or_download_and_links_nowhere(page, server_url, view):
    page.goto(f"{server_url}/embed/{view}")
    page.wait_for_selector("#chart .main-svg")
    own = urlparse(server_url).netloc
    problems = _check_toolbar(page, "#chart")
    assert problems == [], "\n".join(problems)
    assert _foreign_requests(page, own) == []
    assert page.console_errors == []


# Sizes of an embed page laid out in a frame: the document, the chart, and any text (the
# page's or the chart's) sticking out sideways; the data table scrolls in its own box.
JS_FIT = """() => {
  const doc = document.documentElement, width = doc.clientWidth;
  const drawn = e => !e.closest('svg') || e.tagName.toLowerCase() === 'text';
  const wide = [...document.querySelectorAll('main *')]
    .filter(e => drawn(e) && !e.closest('details table'))
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName.toLowerCase() + ' ' + (e.textContent || '').slice(0, 60));
  return {scrollHeight: doc.scrollHeight, scrollWidth: doc.scrollWidth, clientWidth: width,
          chart: document.getElementById('chart').getBoundingClientRect().height,
          svg: document.querySelector('#chart .main-svg').getBoundingClientRect().height,
          wide: [...new Set(wide)]};
}"""


@pytest.fixture
def sized_page(browser):
    """A page whose viewport is set per test (the frame of an embed)."""
    context = browser.new_context(viewport={"width": 640, "height": EMBED_HEIGHT})
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    context.close()


@pytest.mark.parametrize("width", [400, 640])
@pytest.mark.parametrize("view", list(VIEWS))
def test_embed_page_fits_the_suggested_iframe_height_and_width(sized_page, server_url, view, width):
    page = sized_page
    height = embed_height(view)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server_url}/embed/{view}")
    page.wait_for_selector("#chart .main-svg")
    page.wait_for_timeout(400)
    fit = page.evaluate(JS_FIT)
    assert fit["scrollHeight"] <= height, fit
    assert fit["scrollWidth"] <= fit["clientWidth"], fit
    assert fit["wide"] == [], fit
    assert fit["chart"] >= 300 and fit["svg"] <= fit["chart"] + 1, fit  # not squashed
    # The data table scrolls in its own box; opening it makes the page longer, not wider,
    # and the chart redraws into its (smaller) box instead of spilling over the text.
    page.locator("details > summary").click()
    page.wait_for_timeout(400)
    fit = page.evaluate(JS_FIT)
    assert fit["scrollWidth"] <= fit["clientWidth"], fit
    assert fit["wide"] == [], fit
    assert fit["svg"] <= fit["chart"] + 1, fit
    assert page.console_errors == []


# The flows embed's income-group matrix as laid out: its cells, and its box and the
# rightmost of its cells against the frame.
JS_MATRIX = """() => {
  const m = document.querySelector('.embed-companion'), t = m.querySelector('table');
  const box = t.getBoundingClientRect();
  const right = Math.max(...[...t.querySelectorAll('th, td')].map(
      c => c.getBoundingClientRect().right));
  const rows = [...t.querySelectorAll('tbody tr')].map(
      r => [...r.querySelectorAll('td')].map(c => Number(c.textContent)));
  return {rows, top: box.top, bottom: box.bottom, right,
          scroll: m.querySelector('.matrix-scroll').scrollWidth
                  - m.querySelector('.matrix-scroll').clientWidth,
          fontPx: parseFloat(getComputedStyle(t.querySelector('td')).fontSize)};
}"""


@pytest.mark.parametrize("width", [400, 800])
def test_flows_embed_shows_the_whole_income_matrix_in_its_frame(sized_page, server_url, width):
    """As the flow map's picture does, its embed shows the origin x destination matrix:
    the cells of /data/flow-matrix.csv for the same state, all inside the suggested frame
    (nothing below its height, nothing scrolled sideways), numbers at a readable size."""
    page, query = sized_page, "year=2010-2020&format=mobility.outbound"
    height = embed_height("flows")
    page.set_viewport_size({"width": width, "height": height})
    csv = page.request.get(f"{server_url}/data/flow-matrix.csv?{query}").text()
    expected = [[int(n) for n in line.split(",")[3:]] for line in csv.strip().splitlines()[1:]]
    page.goto(f"{server_url}/embed/flows?{query}")
    page.wait_for_selector("#chart .main-svg")
    page.wait_for_timeout(400)
    matrix = page.evaluate(JS_MATRIX)
    assert matrix["rows"] == expected and sum(map(sum, expected)) > 0
    assert matrix["top"] >= 0 and matrix["bottom"] <= height, matrix
    assert matrix["right"] <= width and matrix["scroll"] == 0, matrix
    assert matrix["fontPx"] >= 12, matrix
    fit = page.evaluate(JS_FIT)
    assert fit["scrollHeight"] <= height and fit["scrollWidth"] <= fit["clientWidth"], fit
    assert fit["wide"] == [] and fit["chart"] >= 300, fit
    assert page.console_errors == []


@contextlib.contextmanager
def host_page(body: str):
    """Another site (another loopback port, so another origin) serving one page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode("utf-8"))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("view", ["map", "alignment"])
def test_embed_code_fits_a_host_page_and_resizes_with_the_optional_script(
    sized_page, server_url, view
):
    """The dialog's code on a page of another site: the frame shows the whole page at the
    fixed height, and with the optional script it takes the page's height (growing when
    the data table is opened) with no scroll bar inside."""
    page = sized_page
    page.set_viewport_size({"width": 1000, "height": 900})
    code, url = embed_code(server_url, view, "year=2010-2020")
    assert f'height="{EMBED_HEIGHT}"' in code
    iframe_only = code.split("\n", 1)[0]
    height = "f => f.getBoundingClientRect().height"
    inner = "() => document.documentElement.scrollHeight"
    # Without the script: the fixed height, and the page inside fits it.
    with host_page(f'<body style="margin:0"><div style="width:400px">{iframe_only}</div>') as host:
        page.goto(host)
        frame = page.wait_for_selector("iframe")
        frame.content_frame().wait_for_selector("#chart .main-svg")
        assert frame.content_frame().url == url
        page.wait_for_timeout(500)
        assert frame.evaluate(height) == EMBED_HEIGHT
        assert frame.content_frame().evaluate(inner) <= EMBED_HEIGHT
    # With the script, the frame takes the height its page asks for and nothing in it
    # scrolls; opening the data table makes the frame taller.
    with host_page(f'<body style="margin:0"><div style="width:640px">{code}</div>') as host:
        page.goto(host)
        frame = page.wait_for_selector("iframe")
        frame.content_frame().wait_for_selector("#chart .main-svg")
        page.wait_for_function(
            "h => document.querySelector('iframe').getBoundingClientRect().height !== h",
            arg=EMBED_HEIGHT,
        )
        page.wait_for_timeout(300)
        closed = frame.evaluate(height)
        assert frame.content_frame().evaluate(inner) <= closed
        frame.content_frame().click("details > summary")
        page.wait_for_function(
            "h => document.querySelector('iframe').getBoundingClientRect().height > h + 100",
            arg=closed,
        )
        page.wait_for_timeout(300)
        assert frame.content_frame().evaluate(inner) <= frame.evaluate(height) + 1
    assert page.console_errors == []
