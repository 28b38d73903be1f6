// Figures the browser completes (evidence.figures.theme.drawn_in_browser), so that a
// click carries data, not drawings. The server marks such a figure with
// layout.meta.drawn_in_browser; it is completed as it is handed to Plotly.react:
// - an arc map comes with placeholders where the vertices, arrowheads and hover targets
//   go; they are computed from the arcs' ends as evidence.figures.flows._arc_traces
//   computes them: quadratic Bezier arcs bent to the left of travel, coordinates
//   rounded as there, arrowheads turned on the Natural Earth projection, hover targets
//   repeated along each arc;
// - the world map comes without the hover lines of the countries with no articles;
//   they are written from the table of names and income groups (assets/countries.js)
//   as evidence.views.map.income_history writes them.
(function () {
  "use strict";

  function round(x, decimals) {
    var f = Math.pow(10, decimals);
    return Math.round(x * f) / f;
  }

  // d3's geoNaturalEarth1, unrotated (evidence.figures.flows.natural_earth).
  function naturalEarth(lon, lat) {
    var lam = lon * Math.PI / 180, phi = lat * Math.PI / 180;
    var p2 = phi * phi, p4 = p2 * p2;
    return [
      lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4))),
      phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4))),
    ];
  }

  // Clockwise degrees from screen-up of the step a -> b (evidence.figures.flows.screen_angle).
  function screenAngle(a, b) {
    var p = naturalEarth(a[0], a[1]), q = naturalEarth(b[0], b[1]);
    return Math.atan2(q[0] - p[0], q[1] - p[1]) * 180 / Math.PI;
  }

  // The point at t along the arc of ends e = [lon0, lat0, lon1, lat1].
  function point(e, curve, t) {
    var dx = e[2] - e[0], dy = e[3] - e[1];
    var cx = (e[0] + e[2]) / 2 - curve * dy, cy = (e[1] + e[3]) / 2 + curve * dx;
    var a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
    return [a * e[0] + b * cx + c * e[2], a * e[1] + b * cy + c * e[3]];
  }

  // The values a placeholder {arcs: [rows], part} stands for, on axis 0 (lon) or 1 (lat).
  function part(g, holder, axis) {
    var out = [];
    var n = g.points, d = g.decimals;
    holder.arcs.forEach(function (row) {
      var e = g.ends[row];
      if (holder.part === "line") {
        for (var i = 0; i < n; i++) out.push(round(point(e, g.curve, i / (n - 1))[axis], d));
        out.push(null);  // the gap between arcs
      } else if (holder.part === "head") {
        out.push(round(point(e, g.curve, g.head_at)[axis], d));
      } else if (holder.part === "angle") {
        out.push(round(screenAngle(point(e, g.curve, g.head_at - 0.04),
          point(e, g.curve, g.head_at)), 1));
      } else if (holder.part === "target") {
        g.targets_at.forEach(function (t) { out.push(round(point(e, g.curve, t)[axis], 1)); });
      }
    });
    return out;
  }

  function repeated(holder) {
    var out = [];
    holder.values.forEach(function (v) {
      for (var i = 0; i < holder.repeat; i++) out.push(v);
    });
    return out;
  }

  // The income groups in force for publication years a..b of one economy, as runs
  // [group, from, to] (evidence.countries.income_periods: FY = year + 1, clipped to the
  // table's years); [] when it was never classified.
  function periods(row, a, b, table) {
    var runs = [];
    for (var y = a; y <= b; y++) {
      var fy = Math.min(Math.max(y + 1, table.first_fy), table.latest_fy);
      var g = table.codes[row[2].charAt(fy - table.first_fy)] || "";
      var last = runs[runs.length - 1];
      if (last && last[0] === g) last[2] = y; else runs.push([g, y, y]);
    }
    return runs.some(function (r) { return r[0]; }) ? runs : [];
  }

  // "Low income" or "Low income 2000-2013, lower-middle 2014-2020".
  function historyWords(runs, groups) {
    if (runs.length === 1) {
      return (groups[runs[0][0]] || {}).label || "Unclassified";
    }
    return runs.map(function (r, i) {
      var g = groups[r[0]] || {};
      var name = i === 0 ? (g.label || "unclassified") : (g.short || "unclassified").toLowerCase();
      return name + " " + (r[1] === r[2] ? r[1] : r[1] + "-" + r[2]);
    }).join(", ");
  }

  // customdata rows [iso3, name, income line, 0] of the map's countries without articles.
  function gapRows(locations, holder) {
    var table = window.iome_countries || { rows: {} };
    var years = holder.years, groups = holder.groups || {};
    return (locations || []).map(function (iso3) {
      var row = table.rows[iso3] || [iso3, "", ""];
      var runs = years ? periods(row, years[0], years[1], table) : [];
      // the latest group when the years show no history (or none is asked for)
      var line = runs.length ? historyWords(runs, groups)
        : (groups[row[1]] || {}).label || "Unclassified";
      return [iso3, row[0], line, 0];
    });
  }

  var AXIS = { lon: 0, lat: 1 };

  function fill(obj, g) {
    Object.keys(obj).forEach(function (key) {
      var v = obj[key];
      if (!v || typeof v !== "object" || Array.isArray(v)) return;
      if (key === "customdata" && v.gaps) {
        obj[key] = gapRows(Array.isArray(obj.locations) ? obj.locations : [], v.gaps);
      } else if (v.part !== undefined && Array.isArray(v.arcs)) {
        obj[key] = part(g, v, AXIS[key] || 0);
      } else if (v.repeat !== undefined && Array.isArray(v.values)) {
        obj[key] = repeated(v);
      } else if (key === "marker") {
        fill(v, g);
      }
    });
  }

  // The figure Plotly draws, from the figure the server sent: placeholders filled in,
  // and the layout's notes for the browser (meta.drawn_in_browser, meta.arcs) taken out.
  function expand(spec) {
    var layout = Object.assign({}, spec.layout);
    var meta = Object.assign({}, layout.meta);
    var g = meta.arcs || {};
    delete meta.drawn_in_browser;
    delete meta.arcs;
    if (Object.keys(meta).length) layout.meta = meta; else delete layout.meta;
    var data = (spec.data || []).map(function (trace) {
      var copy = Object.assign({}, trace);
      if (copy.marker) copy.marker = Object.assign({}, copy.marker);
      fill(copy, g);
      return copy;
    });
    return Object.assign({}, spec, { data: data, layout: layout });
  }

  function leftToBrowser(fig) {
    return !!(fig && typeof fig === "object" && !Array.isArray(fig) && fig.layout &&
      fig.layout.meta && fig.layout.meta.drawn_in_browser);
  }

  // A map whose new figure changes its countries' data alone is recoloured in place
  // (assets/recolour.js); any other figure, or one that cannot be, is drawn by
  // Plotly.react. Either way the figure drawn is remembered for the next comparison.
  function redraw(P, react, self, args) {
    var gd = args[0], figure = args[1];
    var recolour = window.iome_recolour;
    var mine = !!(recolour && gd && gd.querySelectorAll && figure && typeof figure === "object");
    var now = mine ? recolour.snapshot(figure) : null;
    var local = now ? recolour.apply(gd, figure, now, P) : null;
    var full = function () {
      return Promise.resolve(react.apply(self, args)).then(function (value) {
        if (mine) recolour.remember(gd, now);
        return value;
      }, function (err) {
        if (mine) recolour.forget(gd);
        throw err;
      });
    };
    if (!local) return full();
    // half done and failed: Plotly.react draws the whole figure anew
    return local.catch(function () { recolour.forget(gd); return full(); });
  }

  // dcc.Graph hands its figure to Plotly.react(gd, {data, layout, frames, config}); a
  // figure the server left for the browser to complete is completed there, in the same
  // step as every other graph of the response (no second callback round).
  var drawing = 0;  // Plotly.react calls not finished yet (the timeline waits for them)

  function wrap(P) {
    if (!P || typeof P.react !== "function" || P.__iome_completes) return P;
    var react = P.react;
    P.react = function (gd, fig) {
      var self = this, args = Array.prototype.slice.call(arguments);
      var draw = function () {
        if (leftToBrowser(fig)) args[1] = expand(fig);
        drawing += 1;
        var done = function (value) { drawing -= 1; return value; };
        return redraw(P, react, self, args).then(done, function (err) { done(); throw err; });
      };
      // When: now if on screen (one graph a frame, after the response's cheap updates:
      // the count, the HTML charts, the list), when seen if not, never if unchanged
      // (assets/draw.js).
      if (window.iome_draw && gd && gd.parentElement &&
          gd.parentElement.classList.contains("dash-graph")) {
        return window.iome_draw.schedule(gd, fig, draw);
      }
      return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(draw);
    };
    P.__iome_completes = true;
    P.__iome_react = react;  // plotly.js's own, for tools that time drawing alone (bench)
    return P;
  }

  // The world's outlines, fetched once as the page loads. Left to plotly.js, each of the
  // three maps asks for them as it first draws, and the three requests queue behind one
  // another. plotly.js keeps what it fetched in window.PlotlyGeoAssets, by scope and
  // resolution, and fetches only what is not there (it fetches these itself if this
  // request fails or comes late).
  var geo = window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  geo.topojson = geo.topojson || {};
  if (window.fetch) {
    // given up after 20 s (plotly.js then fetches them itself)
    var signal = window.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(20000) : undefined;
    // at the address the page's head preloads (its content hash: cached immutable)
    var link = document.querySelector("link[data-outlines-preload]");
    var url = link ? link.getAttribute("href") : "/assets/topojson/world_110m.json";
    fetch(url, { signal: signal })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (t) {
        if (t && t.type === "Topology" && !geo.topojson.world_110m) geo.topojson.world_110m = t;
      })
      .catch(function () {});
  }

  // The plotly.js bundle loads after this script (dcc.Graph fetches it): wrap it as it
  // arrives, or now if it is already here.
  if (window.Plotly) {
    wrap(window.Plotly);
  } else {
    var plotly;
    Object.defineProperty(window, "Plotly", {
      configurable: true,
      enumerable: true,
      get: function () { return plotly; },
      set: function (value) { plotly = wrap(value); },
    });
  }

  window.iome_figures = { drawing: function () { return drawing; } };

  // ------------------------------------------------------------------ selecting marks
  // A click selects a mark alone; Shift/Ctrl/Cmd-click, or a click with an "Add to
  // selection" switch on (shown on touch screens, one per card, all in step), adds it
  // to its chart's selection (evidence.views.base.toggle). As the pointer goes down on
  // a graph, the store "select-mode" says which, before the graph sends its clickData;
  // the state writer reads it (HTML charts send it with their press: assets/cells.js).
  var adding = false;
  var sentAdd = null;

  function setProps(id, props) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(id, props);
    }
  }

  function addMode(add) {
    if (add === sentAdd) return;
    sentAdd = add;
    setProps("select-mode", { data: { add: add } });
  }

  document.addEventListener("pointerdown", function (event) {
    if (!event.target || !event.target.closest || !event.target.closest(".js-plotly-plot")) return;
    addMode(!!(event.shiftKey || event.ctrlKey || event.metaKey || adding));
  }, true);

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.classList || !box.classList.contains("add-mode-input")) return;
    adding = !!box.checked;
    document.querySelectorAll("input.add-mode-input").forEach(function (other) {
      if (other !== box && other.id) setProps(other.id, { value: adding });
    });
  });

  // The switches are for touch screens (a mouse has Shift-click): shown there only.
  function showSwitches() {
    document.querySelectorAll(".add-mode[hidden]").forEach(function (el) {
      el.hidden = false;
    });
  }
  if (window.matchMedia && window.matchMedia("(hover: none), (pointer: coarse)").matches) {
    // the cards are drawn by Dash after the page loads
    new MutationObserver(showSwitches).observe(document.documentElement,
      { childList: true, subtree: true });
  }

  window.iome_select = { adding: function () { return adding; } };

  // ------------------------------------------------------------------ taps on arc maps
  // On a touch screen a finger covers several marks: a tap on an arc map picks the
  // nearest country dot or arc target within TOUCH_RADIUS px of it (the dot when a dot
  // and an arc are as near), and hands it to the graph's clickData as Plotly would.
  var TOUCH_RADIUS = 16;

  function nearestMark(gd, x, y) {
    var geo = gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
    var svg = gd.querySelector(".main-svg");
    if (!geo || !svg || !gd._fullData) return null;
    var box = svg.getBoundingClientRect();
    var best = null;
    gd._fullData.forEach(function (trace) {
      var kind = trace.meta && trace.meta.kind;
      if ((kind !== "node" && kind !== "target") || !trace.lon) return;
      for (var i = 0; i < trace.lon.length; i++) {
        var pt = geo.projection([trace.lon[i], trace.lat[i]]);
        if (!pt) continue;
        var d = Math.hypot(box.left + pt[0] - x, box.top + pt[1] - y);
        // a dot wins over an arc as near (within 3 px more)
        var score = kind === "node" ? d - 3 : d;
        if (d <= TOUCH_RADIUS && (best === null || score < best.score)) {
          best = { score: score, trace: trace, i: i };
        }
      }
    });
    return best;
  }

  document.addEventListener("touchend", function (event) {
    if (event.changedTouches.length !== 1 || event.touches.length) return;
    var gd = event.target && event.target.closest && event.target.closest(".js-plotly-plot");
    var host = gd && gd.parentElement && gd.parentElement.closest("[id]");
    if (!host) return;
    var touch = event.changedTouches[0];
    var found = nearestMark(gd, touch.clientX, touch.clientY);
    if (!found) return;
    event.preventDefault();  // no mouse events, no click: this is the tap's mark
    var t = found.trace, i = found.i;
    var point = { curveNumber: t.index, pointNumber: i, pointIndex: i, lon: t.lon[i],
                  lat: t.lat[i], customdata: t.customdata[i] };
    setProps(host.id, { clickData: { points: [point] } });
  }, { capture: true, passive: false });
})();
