// The world map recoloured in place (issue 27, item 2). A click changes which countries
// count and how much, not the map: same layout, same countries, same projection. Drawn
// by Plotly.react, each such change re-projects every country's outline, re-finds its
// shape for hover and redraws the legend (most of a redraw). Here, when a new figure of
// a drawn map differs from the one on screen only in its choropleth traces' data (which
// countries each trace holds, their values, colour range, hover text and customdata,
// and the colour key's ticks), plotly.js's own steps are run on that data alone:
// - the figure the graph holds (gd.data) becomes the new one, and plotly.js derives its
//   full traces from it (Plotly.restyle; the colour key is redrawn there when its ticks
//   or range changed);
// - each choropleth trace's points are computed by plotly.js's own choropleth module
//   (calc), each country keeping its outline, projected path and hover shape from
//   before; each country's path moves to its new trace and is coloured by plotly.js's
//   own choropleth style;
// - then the graph says plotly_afterplot, as after any draw.
// Hover, click (and Shift-click), the legend and exports read the same state plotly.js
// would have after a Plotly.react of that figure (tests/e2e/test_recolour.py compares
// the two). Anything else - a new layout, a country never drawn, a trace that is empty -
// is left to Plotly.react.
(function () {
  "use strict";

  // What may change in a choropleth trace for it to be recoloured in place.
  var DATA_KEYS = ["locations", "z", "zmin", "zmax", "customdata", "text"];
  var TICK_KEYS = ["tickvals", "ticktext"];
  var done = 0;  // maps recoloured in place so far (tests and tools read it)
  var reason = "";  // why the last map was not (for tools: iome_recolour.why())

  function why(what) { reason = what; return null; }

  // A choropleth trace without what may change (and the colour key without its ticks).
  function frame(trace) {
    var out = Object.assign({}, trace);
    DATA_KEYS.forEach(function (key) { delete out[key]; });
    if (out.colorbar && typeof out.colorbar === "object") {
      out.colorbar = Object.assign({}, out.colorbar);
      TICK_KEYS.forEach(function (key) { delete out.colorbar[key]; });
    }
    return out;
  }

  function isChoropleth(trace) {
    return !!trace && trace.type === "choropleth";
  }

  // Each trace's points must name a country with a number, once across the traces.
  function plainData(trace, seen) {
    var locs = trace.locations, z = trace.z;
    if (!Array.isArray(locs) || !locs.length || !z || z.length !== locs.length) return false;
    if (trace.hovertemplate !== undefined && typeof trace.hovertemplate !== "string") return false;
    for (var i = 0; i < locs.length; i++) {
      if (typeof locs[i] !== "string" || seen[locs[i]] || !isFinite(z[i]) ||
          z[i] === null) return false;
      seen[locs[i]] = true;
    }
    return true;
  }

  // The drawn country paths by location, with the points plotly.js made for them.
  function drawnCountries(gd) {
    var byLoc = {};
    var paths = gd.querySelectorAll(".choroplethlayer path.choroplethlocation");
    for (var i = 0; i < paths.length; i++) {
      var pt = paths[i].__data__;
      // (a territory too small for the outlines has a point and an empty path)
      if (!pt || typeof pt.loc !== "string" || byLoc[pt.loc]) return null;
      byLoc[pt.loc] = { path: paths[i], point: pt };
    }
    return byLoc;
  }

  // What a later figure is compared with, taken before plotly.js draws (it writes into
  // the figure it is given: layout.autosize, say): null for a figure with no choropleth.
  function snapshot(fig) {
    if (!fig || !Array.isArray(fig.data) || !fig.data.some(isChoropleth)) return null;
    return {
      page: JSON.stringify([fig.layout, fig.config, fig.frames]),
      traces: fig.data.map(function (trace) {
        if (!isChoropleth(trace)) return { whole: JSON.stringify(trace) };
        var cb = trace.colorbar || {};
        return {
          frame: JSON.stringify(frame(trace)),
          key: JSON.stringify([trace.zmin, trace.zmax, cb.tickvals, cb.ticktext]),
          // what the paths' paint follows: same countries, values and range, same fills
          paint: JSON.stringify([trace.locations, trace.z, trace.zmin, trace.zmax]),
        };
      }),
    };
  }

  // The choropleth traces' indices when ``now`` (a snapshot of the new figure) can be
  // drawn in place of ``shown``, else null.
  function changedTraces(gd, shown, now, fig) {
    if (!shown || !gd._fullLayout || !Array.isArray(gd.calcdata)) return why("not drawn");
    if (now.page !== shown.page) return why("layout");
    if (now.traces.length !== shown.traces.length || gd.calcdata.length !== fig.data.length) {
      return why("traces");
    }
    var traces = [], seen = {};
    for (var i = 0; i < now.traces.length; i++) {
      var a = now.traces[i], b = shown.traces[i];
      if (a.whole !== undefined || b.whole !== undefined) {
        if (a.whole !== b.whole) return why("trace " + i);
        continue;
      }
      if (a.frame !== b.frame) return why("trace " + i + " style");
      if (!plainData(fig.data[i], seen)) return why("trace " + i + " data");
      var cd = gd.calcdata[i];
      if (!cd || !cd[0] || !cd[0].node3 || !cd[0].trace || cd[0].trace.type !== "choropleth") {
        return why("trace " + i + " drawn");
      }
      traces.push(i);
    }
    return traces.length ? traces : null;
  }

  // The colour key's changes for Plotly.restyle ({} when it is unchanged).
  function keyChanges(traces, shown, now, fig) {
    var which = traces.filter(function (i) {
      return now.traces[i].key !== shown.traces[i].key && fig.data[i].colorbar;
    });
    var update = {};
    if (which.length) {
      TICK_KEYS.forEach(function (key) {
        update["colorbar." + key] = which.map(function (i) { return fig.data[i].colorbar[key]; });
      });
    }
    return { update: update, traces: which };
  }

  // Runs ``fn`` with the graph's ``names`` events not sent (an internal restyle is not
  // the person's: dcc.Graph would report it as restyleData).
  function quietly(gd, names, fn) {
    var emit = gd.emit;
    gd.emit = function (name) {
      if (names.indexOf(name) >= 0) return false;
      return emit.apply(this, arguments);
    };
    var restore = function (value) { gd.emit = emit; return value; };
    try {
      return Promise.resolve(fn()).then(restore, function (err) { restore(); throw err; });
    } catch (err) {
      restore();
      throw err;
    }
  }

  // Trace i's new points, by plotly.js's choropleth calc, with each country's shape kept.
  function recalc(gd, i, byLoc) {
    var trace = gd._fullData[i];
    var cd = trace._module.calc(gd, trace);
    if (!Array.isArray(cd) || !cd[0]) throw new Error("no points");
    if (!cd[0].t) cd[0].t = {};
    cd[0].trace = trace;
    cd.forEach(function (pt) {
      var old = byLoc[pt.loc];
      if (!old) throw new Error("a country not drawn: " + pt.loc);
      ["geojson", "ct", "_polygons"].forEach(function (key) {
        if (key in old.point) pt[key] = old.point[key];
      });
    });
    return cd;
  }

  // Moves each country's path into its trace's group, in the trace's order (unless it is
  // there already: ``moved`` false); the paths of countries no trace holds any more are
  // removed by the caller.
  function regroup(cd, node3, byLoc, used, moved) {
    var group = node3.node();
    cd.forEach(function (pt) {
      var path = byLoc[pt.loc].path;
      path.__data__ = pt;
      if (moved) group.appendChild(path);
      used[pt.loc] = true;
    });
    cd[0].node3 = node3;
  }

  function apply(gd, fig, now, P) {
    var shown = gd.__iome_shown;
    var traces = changedTraces(gd, shown, now, fig);
    var byLoc = traces && drawnCountries(gd);
    if (!traces || !byLoc) return traces ? why("paths") : null;
    for (var t = 0; t < traces.length; t++) {
      var locs = fig.data[traces[t]].locations;
      for (var k = 0; k < locs.length; k++) if (!byLoc[locs[k]]) return why("new " + locs[k]);
    }
    var groups = traces.map(function (i) { return gd.calcdata[i][0].node3; });
    var key = keyChanges(traces, shown, now, fig);
    gd.data = fig.data;
    return quietly(gd, ["plotly_restyle", "plotly_afterplot"], function () {
      return P.restyle(gd, key.update, key.traces.length ? key.traces : traces);
    }).then(function () {
      var used = {};
      traces.forEach(function (i, n) {
        var cd = recalc(gd, i, byLoc);
        // a trace with the same countries and values keeps its paths and their paint
        // (new hover words only)
        var repaint = now.traces[i].paint !== shown.traces[i].paint;
        regroup(cd, groups[n], byLoc, used, repaint);
        gd.calcdata[i] = cd;
        if (repaint) gd._fullData[i]._module.style(gd, cd);
      });
      Object.keys(byLoc).forEach(function (loc) {
        if (!used[loc]) byLoc[loc].path.remove();
      });
      var geo = gd._fullLayout.geo && gd._fullLayout.geo._subplot;
      if (geo) geo._geoCalcData = gd.calcdata.filter(function (cd) { return cd[0].trace.geo === geo.id; });
      gd.layout = fig.layout;
      gd.__iome_shown = now;
      done += 1;
      gd.emit("plotly_afterplot");
      return gd;
    });
  }

  window.iome_recolour = {
    snapshot: snapshot,
    // A promise of the map recoloured in place to ``fig`` (its snapshot ``now``), or null
    // when Plotly.react must draw it.
    apply: function (gd, fig, now, P) {
      if (!now) return null;
      try { return apply(gd, fig, now, P); } catch (e) { return why(String(e)); }
    },
    // The snapshot of the figure Plotly.react drew last.
    remember: function (gd, now) { gd.__iome_shown = now; },
    forget: function (gd) { gd.__iome_shown = null; },
    count: function () { return done; },
    why: function () { return reason; },
  };
})();
