"""The world map recoloured in place (assets/recolour.js, issue 27 item 2): after filter
clicks that only change its data, the map on screen - each country's fill and trace, its
hover fields, the colour key, the legend - is what plotly.js draws from scratch for the
same figure, the figure it holds is the server's for the state, and a click (and a
Shift-click) on a recoloured country still filters."""

from urllib.parse import unquote

import marks
import pytest
from helpers import open_filter_groups, wait_ready
from test_drawn_in_browser import JS_DATA, KEYS, _close, _plain

from evidence import DEMO_PATH
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import view_figure

pytestmark = pytest.mark.e2e

# Each country of the map as drawn in ``gd``: its path's paint, its trace and the fields
# plotly.js hovers and clicks with; and the colour key's and legend's words.
JS_MARKS = """gd => {
  const out = {countries: {}, key: [], legend: []};
  gd.querySelectorAll('.choroplethlayer path.choroplethlocation').forEach(path => {
    const pt = path.__data__;
    if (!pt || !pt.loc) return;
    const cd = gd.calcdata.find(c => c.indexOf(pt) >= 0);
    const trace = cd[0].trace;
    out.countries[pt.loc] = {
      fill: path.getAttribute('fill'), stroke: path.style.stroke,
      trace: trace.index, name: trace.name, z: pt.z, text: pt.tx === undefined ? null : pt.tx,
      customdata: trace.customdata ? trace.customdata[pt.index] : null,
      hovertemplate: trace.hovertemplate, polygons: (pt._polygons || []).length,
      calc: cd.indexOf(pt), grouped: path.parentNode === cd[0].node3.node(),
    };
  });
  gd.querySelectorAll('g.colorbar text').forEach(t => out.key.push(t.textContent));
  gd.querySelectorAll('g.legend text').forEach(t => out.legend.push(t.textContent));
  return out;
}"""

# The same marks drawn from scratch (plotly.js's own Plotly.react into a new div of the
# same size) for the figure the map holds.
JS_FRESH = (
    """async () => {
  const gd = document.querySelector('#fig-map .js-plotly-plot');
  const div = document.createElement('div');
  const box = gd.getBoundingClientRect();
  div.style.cssText = 'position:absolute;left:0;top:0;width:' + box.width + 'px;height:' +
    box.height + 'px;visibility:hidden';
  document.body.appendChild(div);
  const copy = JSON.parse(JSON.stringify({data: gd.data, layout: gd.layout}));
  await window.Plotly.__iome_react(div, {data: copy.data, layout: copy.layout,
                                         config: {}});
  const marks = ("""
    + JS_MARKS
    + """)(div);
  window.Plotly.purge(div);
  div.remove();
  return {fresh: marks, screen: ("""
    + JS_MARKS
    + """)(gd)};
}"""
)


def _click_box(page, control: str, value: str, expect: str) -> None:
    page.locator(f"#{control} input[value='{value}']").click()
    page.wait_for_function(
        "t => decodeURIComponent(location.search).includes(t)", arg=expect, timeout=20_000
    )
    wait_ready(page)


def _recoloured(page) -> int:
    return page.evaluate("() => window.iome_recolour.count()")


def test_recoloured_map_is_plotlys_drawing_of_the_servers_figure(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    open_filter_groups(page)
    before = _recoloured(page)
    _click_box(page, "ctl-origin-income", "L", "origin_income=L")
    _click_box(page, "ctl-origin-income", "LM", "origin_income=L,LM")
    assert _recoloured(page) >= before + 2, page.evaluate("() => window.iome_recolour.why()")
    # the figure the map holds is the server's for the state in the address bar
    query = unquote(page.evaluate("location.search"))[1:]
    figure = _plain(view_figure(load_cached(DEMO_PATH), parse_query(query)[0], "map")[1]
                    .to_plotly_json())  # fmt: skip
    expected = [{k: t[k] for k in KEYS if k in t} for t in figure["data"]]
    shown = page.evaluate(JS_DATA, "fig-map")
    shown = [{k: t[k] for k in KEYS if k in t and t[k] is not None} for t in shown]
    for i, (s, e) in enumerate(zip(shown, expected, strict=True)):
        _close(s, e, f"map trace {i}")
    # ... and what is on screen is what plotly.js draws for it from scratch
    both = page.evaluate(JS_FRESH)
    fresh, screen = both["fresh"], both["screen"]
    assert len(fresh["countries"]) > 150
    moved = [c for c in fresh["countries"] if fresh["countries"][c]["name"] == "No articles"]
    assert moved, "no country is counted without the filters and grey with them"
    assert screen == fresh
    assert page.console_errors == []


def test_recoloured_country_hovers_and_filters(page, server_url):
    page.goto(server_url + "/")
    wait_ready(page)
    open_filter_groups(page)
    before = _recoloured(page)
    _click_box(page, "ctl-origin-income", "L", "origin_income=L")
    assert _recoloured(page) > before, page.evaluate("() => window.iome_recolour.why()")
    fired = page.evaluate(
        """() => new Promise(resolve => {
          const gd = document.querySelector('#fig-map .js-plotly-plot');
          gd.once('plotly_afterplot', () => resolve(true));
          document.querySelector("#ctl-origin-income input[value='LM']").click();
          setTimeout(() => resolve(false), 15000);
        })"""
    )
    assert fired, "the recoloured map said nothing"
    wait_ready(page)
    # Uganda (low income) counted: its hover says so; the United States (high income),
    # 114 origin articles before, none now
    uganda = marks.country(page, "fig-map", 32.3, 1.4)
    label = marks.hover(page, "fig-map", uganda["xy"])
    assert "Uganda" in label and "Click to select" in label, label
    usa = marks.hover(page, "fig-map", marks.country(page, "fig-map", -98, 39)["xy"])
    assert "United States" in usa and "\n0 articles (origin)" in usa, usa
    page.mouse.click(*uganda["xy"])
    page.wait_for_function("() => location.search.includes('UGA')", timeout=20_000)
    wait_ready(page)
    kenya = marks.country(page, "fig-map", 37.9, 0.2)
    page.keyboard.down("Shift")
    page.mouse.click(*kenya["xy"])
    page.keyboard.up("Shift")
    page.wait_for_function(
        "() => ['UGA', 'KEN'].every(c => location.search.includes(c))", timeout=20_000
    )
    wait_ready(page)
    assert page.console_errors == []
