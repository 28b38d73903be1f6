/* HTML charts: the income-group matrix, the alignment matrix and the partnership bars.
 *
 * The server sends each chart as plain data (evidence/figures/cells.py, cells_json) in
 * the store "cells-<chart>"; drawChart below builds its table of buttons with DOM calls
 * (text is always set as text, never parsed as HTML) inside the chart's container,
 * outside Dash's component tree: Dash re-indexing hundreds of new components on every
 * redraw cost more than the Plotly redraw these tables replaced.
 *
 * A cell or bar with a key is a <button data-chart data-key>; one listener for the page
 * hands a press (mouse, or Enter/Space on a focused button) to the store "cell-press",
 * which the state writer reads.
 */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Lines of a cell ("✓\n41"): line breaks between, the last one in bold when strong.
  function lines(node, text, strong) {
    var parts = String(text || "").split("\n");
    parts.forEach(function (line, i) {
      if (i) node.appendChild(document.createElement("br"));
      if (strong && i === parts.length - 1) node.appendChild(el("strong", null, line));
      else node.appendChild(document.createTextNode(line));
    });
    return node;
  }

  // What a press does, in the tooltip (evidence.figures.selection.click_words): a mark
  // outside the selection is selected alone (Shift/Ctrl-click or the "Add to selection"
  // switch adds it); a selected one is removed (or, where a click cannot remove one
  // mark, selected alone).
  function clickWords(selected, removes) {
    if (selected) {
      return removes ? "Selected · click to remove" : "Selected · click to select only this";
    }
    return "Click to select · Shift-click to add";
  }

  function pressable(node, chart, key, label, mark, selection) {
    node.type = "button";
    node.dataset.chart = chart;
    node.dataset.key = key;
    node.title = label + ". " + clickWords(mark.selected, selection.removes) + ".";
    node.setAttribute("aria-label", label);
    if (selection.active) node.setAttribute("aria-pressed", mark.selected ? "true" : "false");
    return node;
  }

  // "#RRGGBB" mixed with white (t = 0: the colour, 1: white).
  function lighter(hex, t) {
    var m = /^#([0-9a-f]{6})$/i.exec(String(hex || ""));
    if (!m) return hex;
    var n = parseInt(m[1], 16);
    return "rgb(" + [16, 8, 0].map(function (shift) {
      var c = (n >> shift) & 255;
      return Math.round(c + (255 - c) * t);
    }).join(",") + ")";
  }

  // Outside the chart's selection: dimmed (the colour faded, the text kept readable),
  // still there and still pressable; a selected mark is outlined.
  function dim(node, mark, selection, colourOf) {
    if (!selection.active) return node;
    if (mark.selected) {
      node.style.outline = "2px solid #1F2933";
      node.style.outlineOffset = "-2px";
    } else if (colourOf) {
      colourOf.style.backgroundColor = lighter(mark.fill || mark.colour, 0.65);
      if (colourOf === node) node.style.color = "#1F2933";
    }
    return node;
  }

  // A mark without articles is no filter: it says so instead of leading to an empty page.
  var NOTHING = "no articles, nothing to select";

  function legend(part) {
    var box = el("div", "cell-legend small");
    if (part.title) box.appendChild(el("span", "me-2", part.title));
    (part.items || []).forEach(function (item) {
      var entry = el("span", "legend-item me-3");
      var swatch = el("span", "swatch");
      swatch.style.backgroundColor = item[0];
      entry.appendChild(swatch);
      entry.appendChild(document.createTextNode(item[1]));
      box.appendChild(entry);
    });
    return box;
  }

  function matrix(chart, part, caption, selection) {
    var table = el("table", "cell-matrix");
    if (caption) table.appendChild(el("caption", "cell-caption", caption));
    var head = el("tr");
    var corner = el("th", "cell-corner", part.row_title);
    corner.scope = "col";
    head.appendChild(corner);
    (part.columns || []).forEach(function (c) {
      var th = lines(el("th"), c);
      th.scope = "col";
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    (part.rows || []).forEach(function (name, i) {
      var tr = el("tr");
      var th = lines(el("th"), name);
      th.scope = "row";
      tr.appendChild(th);
      (part.cells[i] || []).forEach(function (c) {
        var inner = c.key ? pressable(el("button", "cell-btn"), chart, c.key, c.label, c, selection)
                          : el("span", "cell-btn");
        if (!c.key) {
          inner.setAttribute("aria-label", c.label);
          inner.title = c.label + ": " + NOTHING + ".";
        }
        inner.style.backgroundColor = c.fill;
        inner.style.color = c.ink;
        if (c.gap) inner.classList.add("cell-gap");  // an evidence gap: hatched (style.css)
        dim(inner, c, selection, inner);
        lines(inner, c.text, c.strong);
        var td = el("td");
        td.appendChild(inner);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    var scroll = el("div", "cell-scroll");
    scroll.appendChild(table);
    return scroll;
  }

  function bars(chart, part, selection) {
    var box = el("div", "cell-bars");
    box.appendChild(el("h3", "cell-heading", part.title));
    var list = el("ul", "bar-list");
    (part.bars || []).forEach(function (bar) {
      var words = bar.label + (bar.note ? " " + bar.note : "") + ": " + bar.text + " " +
        (part.unit || "");
      var row = bar.key ? pressable(el("button", "bar-btn"), chart, bar.key, words.trim(), bar,
                                    selection)
                        : el("span", "bar-btn");
      if (!bar.key) row.title = words.trim() + ": " + NOTHING + ".";
      // The visible text is the accessible name ("North-South partnership 91 articles"):
      // no aria-label that would differ from what a speech-input user reads on screen.
      row.removeAttribute("aria-label");
      var headline = el("span", "bar-head");
      headline.appendChild(el("span", "bar-label", bar.label));
      if (bar.note) headline.appendChild(el("span", "bar-note", " " + bar.note));
      var track = el("span", "bar-track");
      var fill = el("span", "bar-fill");
      fill.style.width = (100 * Math.max(0, Math.min(1, bar.fraction || 0))).toFixed(1) + "%";
      fill.style.backgroundColor = bar.colour;
      track.appendChild(fill);
      track.appendChild(el("span", "bar-value", bar.text));
      track.appendChild(el("span", "visually-hidden", " " + (part.unit || "")));
      row.appendChild(headline);
      row.appendChild(track);
      dim(row, bar, selection, fill);
      var li = el("li");
      li.appendChild(row);
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  function drawChart(chart, spec) {
    var root = document.getElementById("fig-" + chart);
    if (!root || !spec) return;
    var parts = spec.parts || [];
    var selection = spec.selection || {active: false, removes: true};
    var matrices = parts.filter(function (p) { return p.kind === "matrix"; });
    var out = document.createDocumentFragment();
    parts.forEach(function (part) {
      if (part.kind === "legend") out.appendChild(legend(part));
      else if (part.kind === "matrix") {
        if (matrices.length === 1 && part.column_title) {
          out.appendChild(el("div", "cell-column-title small", part.column_title));
        }
        // side-by-side panels each carry their own title
        out.appendChild(matrix(chart, part, matrices.length > 1 ? part.column_title : "",
                               selection));
      } else if (part.kind === "bars") out.appendChild(bars(chart, part, selection));
      else if (part.kind === "note") out.appendChild(el("p", "cell-note small text-muted",
                                                        part.message));
    });
    if (!parts.length) out.appendChild(el("p", "cell-note small text-muted", "Nothing to show."));
    // A selected cell or bar is a pressed button (components/cells.py, with_pressed).
    var pressed = spec.pressed || [];
    out.querySelectorAll("button[data-key]").forEach(function (b) {
      b.setAttribute("aria-pressed", pressed.indexOf(b.dataset.key) >= 0 ? "true" : "false");
    });
    // Keep keyboard focus on the same cell when the table is redrawn under it.
    var active = document.activeElement;
    var focusKey = active && root.contains(active) && active.dataset ? active.dataset.key : null;
    root.replaceChildren(out);
    if (focusKey) {
      var again = Array.prototype.find.call(root.querySelectorAll("button[data-key]"),
        function (b) { return b.dataset.key === focusKey; });
      if (again) again.focus();
    }
  }

  // Draw one chart from its store's data (called by assets/page.js); the same data
  // again is not redrawn.
  var drawn = {};
  window.iome_cells = {
    draw: function (name, spec) {
      var json = spec ? JSON.stringify(spec) : null;
      if (json && drawn[name] !== json) {
        drawChart(name, spec);
        drawn[name] = json;
      }
    },
  };

  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest
      ? event.target.closest("button[data-chart][data-key], button[data-chart][data-point]")
      : null;
    if (!target || !window.dash_clientside || !window.dash_clientside.set_props) return;
    // Shift/Ctrl/Cmd-click, or the "Add to selection" switch: add to the selection.
    var add = !!(event.shiftKey || event.ctrlKey || event.metaKey ||
                 (window.iome_select && window.iome_select.adding()));
    var press = {chart: target.dataset.chart, at: Date.now(), add: add};
    if (target.dataset.point) {
      // a data table's row: the point a click on its mark sends (components/alternatives)
      try { press.point = JSON.parse(target.dataset.point); } catch (e) { return; }
    } else {
      press.key = target.dataset.key;
    }
    window.dash_clientside.set_props("cell-press", {data: press});
  });
})();
