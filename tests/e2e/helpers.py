"""Serving the app and reading the page's state in browser tests."""

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import HTML_VIEWS
from bench import VIEW_GRAPHS as BENCH_GRAPHS
from bench.server import free_port
from components.ids import control_id
from evidence.fields import CONTROLLED

ROOT = Path(__file__).resolve().parents[2]

VIEW_GRAPHS = list(BENCH_GRAPHS)  # every Plotly chart of the view registry
HTML_CHARTS = list(HTML_VIEWS)  # the charts drawn as HTML tables of buttons
VIEW_CHARTS = VIEW_GRAPHS + HTML_CHARTS
CONTROLS = [control_id(key) for key in CONTROLLED]  # every filter and switch

JS_TRACES = """ids => ids.map(id => {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  if (!gd) {
    const el = document.getElementById(id);
    return el && el.classList.contains('cell-chart') ? el.innerText : null;
  }
  return gd && gd.data ? JSON.stringify(gd.data.map(t => [t.z, t.y, t.x, t.locations, t.lon,
                                                         t.text, t.customdata])) : null;
})"""


def wait_ready(page, timeout=30_000):
    """Wait until every view graph has drawn, every control is on the page (the slider
    and dropdowns are drawn only once their scripts arrive, sometimes after the charts)
    and Dash has no callback in flight. The graphs off the screen, which the page draws
    only when they scroll into view (assets/draw.js), are drawn now, as a reader reaching
    them would see them."""
    page.wait_for_function(
        """([ids, cells, controls]) => (!window.iome_draw || window.iome_draw.flush() === 0)
           && controls.every(id => document.getElementById(id))
           && ids.every(id => {
              const gd = document.querySelector('#' + id + ' .js-plotly-plot');
              return gd && gd._fullLayout && gd.data &&
                (gd.data.length > 0 || (gd.layout.annotations || []).length > 0);
           }) && cells.every(id => {
              const el = document.getElementById(id);
              return el && el.children.length > 0;
           }) && document.querySelector('#article-count').innerText.length > 0
             && !document.querySelector('[data-dash-is-loading="true"]')""",
        arg=[VIEW_GRAPHS, HTML_CHARTS, CONTROLS],
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def open_filter_groups(page) -> None:
    """Open every closed group of the filter panel by clicking its heading."""
    closed = page.locator('.filter-group-toggle[aria-expanded="false"]')
    for _ in range(closed.count()):
        closed.first.click()
    page.wait_for_function("() => !document.querySelector('.filter-group-body[hidden]')")


def traces(page):
    """A fingerprint of every chart's data (Plotly traces, or an HTML chart's text), in
    the order of VIEW_CHARTS."""
    return page.evaluate(JS_TRACES, VIEW_CHARTS)


def count_text(page) -> str:
    return page.inner_text("#article-count")


CLOSE_REPORT = "Close and explore your data"


def loaded_report(page, timeout=30_000) -> str:
    """After a file loads, the page redraws on it with the upload dialog open on the load
    report: wait for that, return the dialog's result text (the dialog stays open)."""
    page.get_by_role("button", name=CLOSE_REPORT).wait_for(timeout=timeout)
    return page.inner_text("#upload-result-view")


def close_report(page) -> None:
    """Close the load report and wait until the dashboard on the new file has drawn."""
    page.get_by_role("button", name=CLOSE_REPORT).click()
    page.wait_for_selector("#data-banner", timeout=30_000)
    wait_ready(page)


@contextlib.contextmanager
def served(log_path: Path, *args: str, env: dict | None = None, timeout: float = 60):
    """``iome-map serve`` (Flask's server) on a free loopback port with extra ``args``;
    yields its URL once ``/healthz`` answers, and stops it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if env is None:
        # The browser gets what a user gets: figures as the dashboard sends them (arc
        # maps as pairs), not the validated go.Figure form the unit tests check.
        env = {k: v for k, v in os.environ.items() if k != "IOME_VALIDATE_FIGURES"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), *args],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        try:
            deadline = time.time() + timeout
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=2).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError(Path(log_path).read_text()) from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def drawn_page(browser, url: str, viewport=(1440, 900), **options):
    """A fresh page (its own context) at ``viewport`` showing ``url``, drawn; page errors
    collected in ``page.errors``; closed afterwards. ``options``: the context's (touch)."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        page.goto(url)
        wait_ready(page)
        yield page
    finally:
        context.close()
