"""Reading the page's state in browser tests."""

VIEW_GRAPHS = ["fig-map", "fig-flows", "fig-flow-matrix", "fig-partnerships", "fig-partner-map",
               "fig-alignment", "fig-trends"]  # fmt: skip

JS_TRACES = """ids => ids.map(id => {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  return gd && gd.data ? JSON.stringify(gd.data.map(t => [t.z, t.y, t.x, t.locations, t.lon,
                                                         t.text, t.customdata])) : null;
})"""


def wait_ready(page, timeout=30_000):
    """Wait until every view graph has drawn and Dash has no callback in flight."""
    page.wait_for_function(
        """ids => ids.every(id => {
              const gd = document.querySelector('#' + id + ' .js-plotly-plot');
              return gd && gd._fullLayout && gd.data &&
                (gd.data.length > 0 || (gd.layout.annotations || []).length > 0);
           }) && document.querySelector('#article-count').innerText.length > 0
             && !document.querySelector('[data-dash-is-loading="true"]')""",
        arg=VIEW_GRAPHS,
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def traces(page):
    """A fingerprint of every view's plotted data."""
    return page.evaluate(JS_TRACES, VIEW_GRAPHS)


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
