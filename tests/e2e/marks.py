"""Chart marks in the browser: where a mark is on screen, what its hover label says, and
what the browser sends to the server when it is clicked.

A mark is found from the drawn figure itself (``gd._fullData`` and ``gd._fullLayout``):
geo points through the map's own projection, heatmap cells through the axes, bars from
their drawn SVG paths. Positions are viewport pixels, ready for ``page.mouse``.
"""

from __future__ import annotations

import json
import re

GRAPH = "document.querySelector('#' + id + ' .js-plotly-plot')"

# Page position of a (lon, lat) point on a geo graph.
_GEO = """
function geoPoint(gd, lon, lat) {
  const pt = gd._fullLayout.geo._subplot.projection([lon, lat]);
  const r = gd.querySelector('.main-svg').getBoundingClientRect();
  return [r.left + pt[0], r.top + pt[1]];
}
"""

JS_COUNTRY = (
    "([id, lon, lat]) => {"
    + _GEO
    + "const gd = "
    + GRAPH
    + "; return {xy: geoPoint(gd, lon, lat)}; }"
)

# A hover/click target (meta.kind "target", several per arc) of the arc origin ->
# destination, or of the arc with the most articles when no pair is given: of its
# targets, the one farthest from any other arc's target and any country dot (dots win
# over arcs under the pointer). ``gap``: that distance in px.
# (Figures without targets carried hover and click data on the arrowheads: the arc's
# arrowhead, then.)
JS_ARC = (
    "([id, origin, destination]) => {"
    + _GEO
    + "const gd = "
    + GRAPH
    + """;
  const t = gd._fullData.find(t => t.meta && t.meta.kind === 'target');
  if (!t) {
    for (const h of gd._fullData.filter(t => t.meta && t.meta.kind === 'head')) {
      const i = h.customdata.findIndex(c => c[0] === origin && c[1] === destination);
      if (i >= 0) return {xy: geoPoint(gd, h.lon[i], h.lat[i]), custom: h.customdata[i], gap: 0};
    }
    return null;
  }
  let best = -1;
  t.customdata.forEach((c, i) => {
    const match = origin ? (c[0] === origin && c[1] === destination) : true;
    if (match && (best < 0 || c[2] > t.customdata[best][2])) best = i;
  });
  if (best < 0) return null;
  const same = (i, j) => t.customdata[i][0] === t.customdata[j][0] &&
                         t.customdata[i][1] === t.customdata[j][1];
  const xy = Array.from(t.lon, (lon, i) => geoPoint(gd, lon, t.lat[i]));
  // country dots win over arcs under the pointer: they are obstacles too
  const n = gd._fullData.find(t => t.meta && t.meta.kind === 'node');
  const dots = n ? Array.from(n.lon, (lon, i) => geoPoint(gd, lon, n.lat[i])) : [];
  let pick = null;
  for (let i = 0; i < xy.length; i++) {
    if (!same(i, best)) continue;
    let gap = Infinity;
    xy.forEach((p, j) => {
      if (!same(i, j)) gap = Math.min(gap, Math.hypot(p[0] - xy[i][0], p[1] - xy[i][1]));
    });
    dots.forEach(p => { gap = Math.min(gap, Math.hypot(p[0] - xy[i][0], p[1] - xy[i][1])); });
    if (pick === null || gap > pick.gap) pick = {xy: xy[i], custom: t.customdata[i], gap};
  }
  return pick;
}"""
)

# The centre of a heatmap cell given by its key, "H>L" (flow matrix: origin group >
# destination group) or "social|mobility|all" (alignment: motivation|format|side), found
# by the cell's customdata, which starts with those values (the side is the 7th).
JS_CELL = (
    "([id, key]) => {const gd = "
    + GRAPH
    + """;
  const want = key.split(/[|>]/);
  const hit = c => c && c[0] === want[0] && c[1] === want[1] && (want.length < 3 || c[6] === want[2]);
  for (const t of gd._fullData) {
    if (t.type !== 'heatmap' || !t.customdata) continue;
    for (let i = 0; i < t.customdata.length; i++) {
      const j = Array.from(t.customdata[i]).findIndex(hit);
      if (j < 0) continue;
      const xa = gd._fullLayout[t.xaxis.replace('x', 'xaxis')];
      const ya = gd._fullLayout[t.yaxis.replace('y', 'yaxis')];
      const r = gd.querySelector('.main-svg').getBoundingClientRect();
      return {xy: [r.left + xa._offset + xa.d2p(t.x[j]), r.top + ya._offset + ya.d2p(t.y[i])],
              custom: t.customdata ? t.customdata[i][j] : null};
    }
  }
  return null;
}"""
)

# The centre of the drawn bar of a bar trace whose customdata is ``value`` (a value, or
# the first item of an array).
JS_BAR = (
    "([id, value]) => {const gd = "
    + GRAPH
    + """;
  const layers = gd.querySelectorAll('.barlayer .trace');
  let k = 0;
  for (const t of gd._fullData) {
    if (t.type !== 'bar') continue;
    const layer = layers[k++];
    const i = Array.from(t.customdata).findIndex(
      c => (c !== null && typeof c === 'object' ? c[0] : c) === value);
    if (i < 0 || t.visible !== true) continue;
    const b = layer.querySelectorAll('.point path')[i].getBoundingClientRect();
    if (b.width < 3 || b.height < 3) continue;  // a zero bar, or too thin to aim at
    return {xy: [b.left + b.width / 2, b.top + b.height / 2], custom: t.customdata[i]};
  }
  return null;
}"""
)

JS_YEAR = (
    "([id, year]) => {const gd = "
    + GRAPH
    + """;
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const r = gd.querySelector('.main-svg').getBoundingClientRect();
  return {xy: [r.left + xa._offset + xa.d2p(year), r.top + ya._offset + ya._length / 2]};
}"""
)

JS_HOVER = (
    "(id) => {const gd = "
    + GRAPH
    + """;
  const label = gd.querySelector('.hoverlayer .hovertext');
  if (!label) return null;
  const lines = [...label.querySelectorAll('text.nums tspan.line')].map(t => t.textContent);
  return lines.length ? lines.join('\\n') : label.textContent;
}"""
)


# A country's dot on an arc map (meta.kind "node", customdata [iso3]).
JS_NODE = (
    "([id, iso3]) => {"
    + _GEO
    + "const gd = "
    + GRAPH
    + """;
  const t = gd._fullData.find(t => t.meta && t.meta.kind === 'node');
  if (!t) return null;
  const i = Array.from(t.customdata).findIndex(c => c[0] === iso3);
  return i < 0 ? null : {xy: geoPoint(gd, t.lon[i], t.lat[i]), custom: t.customdata[i]};
}"""
)

# What an arc map draws, in screen pixels: the pairs of its targets; ``reach``, over the
# pairs, the smallest of each pair's best clearance (the distance from its most isolated
# target to any other pair's target), so every arc can be aimed at when it is >= 5 px;
# and the number of arrowheads.
JS_ARC_LAYOUT = (
    "(id) => {"
    + _GEO
    + "const gd = "
    + GRAPH
    + """;
  const t = gd._fullData.find(t => t.meta && t.meta.kind === 'target');
  const targets = t ? Array.from(t.lon, (lon, i) => ({
    xy: geoPoint(gd, lon, t.lat[i]), pair: t.customdata[i][0] + '>' + t.customdata[i][1]})) : [];
  const pairs = [...new Set(targets.map(p => p.pair))];
  // country dots win over arcs under the pointer: obstacles for every pair
  const n = gd._fullData.find(t => t.meta && t.meta.kind === 'node');
  if (n) Array.from(n.lon, (lon, i) => targets.push({xy: geoPoint(gd, lon, n.lat[i]), pair: ''}));
  let reach = Infinity, worst = null;
  for (const pair of pairs) {
    let best = 0;
    for (const p of targets.filter(q => q.pair === pair)) {
      let gap = Infinity;
      for (const q of targets) if (q.pair !== pair)
        gap = Math.min(gap, Math.hypot(p.xy[0] - q.xy[0], p.xy[1] - q.xy[1]));
      best = Math.max(best, gap);
    }
    if (best < reach) { reach = best; worst = pair; }
  }
  const nHeads = gd._fullData.filter(t => t.meta && t.meta.kind === 'head')
    .reduce((n, h) => n + h.lon.length, 0);
  return {pairs, reach, worst, nHeads};
}"""
)


def _steady(page, js: str, args: list, tries: int = 40):
    """A mark finder's answer once two reads 100 ms apart agree (a graph may still be
    settling: a late resize moves every mark)."""
    found = page.evaluate(js, args)
    for _ in range(tries):
        assert found is not None, f"no such mark: {args}"
        page.wait_for_timeout(100)
        again = page.evaluate(js, args)
        if again is not None:
            moved = max(abs(a - b) for a, b in zip(found["xy"], again["xy"], strict=True))
            if moved < 0.5:
                return again
        found = again
    raise AssertionError(f"mark {args} keeps moving")


def _in_view(page, js: str, args: list):
    """Evaluate a mark finder, scrolling the page so that the mark sits mid-screen."""
    found = _steady(page, js, args)
    height = page.viewport_size["height"]
    y = found["xy"][1]
    if not 80 < y < height - 80:
        # "instant": Bootstrap makes scrolling smooth, which would move the mark on.
        page.evaluate(
            """dy => new Promise(done => {
                 window.scrollBy({top: dy, behavior: 'instant'});
                 requestAnimationFrame(() => requestAnimationFrame(done));
               })""",
            y - height / 2,
        )
        found = _steady(page, js, args)
    return found


def country(page, graph: str, lon: float, lat: float) -> dict:
    return _in_view(page, JS_COUNTRY, [graph, lon, lat])


def arc(page, graph: str, origin: str | None = None, destination: str | None = None) -> dict:
    return _in_view(page, JS_ARC, [graph, origin, destination])


def cell(page, graph: str, key: str) -> dict:
    return _in_view(page, JS_CELL, [graph, key])


def button(page, chart: str, key: str) -> dict:
    """A cell or bar of an HTML chart: the centre of its button (scrolled into view) and
    the tooltip a person sees on it (its title)."""
    matches = [
        b for b in page.locator(f"#{chart} button[data-key]").all()
        if b.get_attribute("data-key") == key
    ]  # fmt: skip
    assert len(matches) == 1, (chart, key, len(matches))
    target = matches[0]
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    return {"xy": [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
            "label": target.get_attribute("title"), "custom": None}  # fmt: skip


def node(page, graph: str, iso3: str) -> dict:
    return _in_view(page, JS_NODE, [graph, iso3])


def arc_layout(page, graph: str) -> dict:
    """The pairs an arc map draws and the pixel gaps between its marks (JS_ARC_LAYOUT)."""
    return page.evaluate(JS_ARC_LAYOUT, graph)


def bar(page, graph: str, value) -> dict:
    return _in_view(page, JS_BAR, [graph, value])


def year(page, graph: str, value: float) -> dict:
    return _in_view(page, JS_YEAR, [graph, value])


def hover(page, graph: str, xy: list[float]) -> str:
    """Move the mouse onto ``xy`` (from elsewhere) and return the hover label's text.

    One move straight there: plotly.js handles at most one hover per 50 ms, so after a
    path of moves the label (and what a click picks) could still be an earlier point's.
    """
    page.mouse.move(1, 1)
    page.wait_for_function(
        "id => !" + GRAPH + ".querySelector('.hoverlayer .hovertext')", arg=graph, timeout=5_000
    )
    page.mouse.move(*xy)
    page.wait_for_timeout(120)
    page.wait_for_function(
        "id => !!" + GRAPH + ".querySelector('.hoverlayer .hovertext')", arg=graph, timeout=5_000
    )
    return page.evaluate(JS_HOVER, graph)


def number(label: str, pattern: str) -> int:
    """The count a hover label shows, by ``pattern`` (one group)."""
    m = re.search(pattern, label)
    assert m, f"{pattern!r} not in hover label {label!r}"
    return int(m.group(1).replace(",", ""))


class Recorder:
    """Keeps the clickData / selectedData values the page sends to the server."""

    def __init__(self, page):
        self.sent: list[tuple[str, object]] = []
        page.on("request", self._on_request)

    def _on_request(self, request) -> None:
        if "_dash-update-component" not in request.url or not request.post_data:
            return
        body = json.loads(request.post_data)
        changed = body.get("changedPropIds") or []
        for item in body.get("inputs") or []:
            # a pressed cell of an HTML chart: the store its press was handed to
            if isinstance(item, dict) and item.get("id") == "cell-press":
                value = item.get("value")
                if "cell-press.data" in changed and isinstance(value, dict):
                    self.sent.append((f"fig-{value.get('chart')}.press", value))
        for item in body.get("inputs") or []:
            if not isinstance(item, dict) or item.get("property") not in (
                "clickData",
                "selectedData",
            ):
                continue
            prop = f"{item['id']}.{item['property']}"
            if prop in changed:
                self.sent.append((prop, item.get("value")))

    def values(self, prop: str) -> list:
        """Every value sent for ``graph.prop``, oldest first."""
        return [v for p, v in self.sent if p == prop]

    def last(self, prop: str):
        """The last value sent for ``graph.prop`` (None when never sent)."""
        values = self.values(prop)
        return values[-1] if values else None
