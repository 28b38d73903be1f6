// The arc maps' drawing, computed in the browser from the arcs' ends: the server sends
// each arc map with placeholders where the vertices, arrowheads and hover targets go
// (evidence.figures.flows.arcs_in_browser), so a click carries pairs, not drawings.
// This reproduces evidence.figures.flows._arc_traces: quadratic Bezier arcs bent to the
// left of travel, coordinates rounded as there, arrowheads turned on the Natural Earth
// projection, hover targets repeated along each arc.
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

  var AXIS = { lon: 0, lat: 1 };

  function fill(obj, g) {
    Object.keys(obj).forEach(function (key) {
      var v = obj[key];
      if (!v || typeof v !== "object" || Array.isArray(v)) return;
      if (v.part !== undefined && Array.isArray(v.arcs)) {
        obj[key] = part(g, v, AXIS[key] || 0);
      } else if (v.repeat !== undefined && Array.isArray(v.values)) {
        obj[key] = repeated(v);
      } else if (key === "marker") {
        fill(v, g);
      }
    });
  }

  // The figure Plotly draws, from the figure the server sent (placeholders filled in).
  function expand(spec) {
    if (!spec || typeof spec !== "object") return null;
    var g = spec.arcs;
    var data = (spec.data || []).map(function (trace) {
      var copy = Object.assign({}, trace);
      if (copy.marker) copy.marker = Object.assign({}, copy.marker);
      if (g) fill(copy, g);
      return copy;
    });
    return { data: data, layout: spec.layout || {} };
  }

  window.iome_arcs = { expand: expand };
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    iome_arcs: {
      // One callback for every arc map: each store in, each graph's figure out; only
      // the stores that changed are drawn.
      draw: function () {
        var ctx = window.dash_clientside.callback_context;
        var inputs = ctx.inputs_list || [];
        var changed = {};
        (ctx.triggered || []).forEach(function (t) { changed[t.prop_id.split(".")[0]] = true; });
        var out = [];
        for (var i = 0; i < inputs.length; i++) {
          var figure = changed[String(inputs[i].id)] ? expand(arguments[i]) : null;
          out.push(figure || window.dash_clientside.no_update);
        }
        return out;
      },
    },
  });
})();
