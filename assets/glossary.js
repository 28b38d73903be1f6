// Terms of art explained where they are read: a label, a matrix heading or a legend entry
// whose words are in the page's glossary (components/about.py, glossary_data) gets a
// dotted underline and a short explanation on hover and on keyboard focus, and screen
// readers hear it as the control's description. Runs after each batch of DOM changes
// (the HTML charts are redrawn in the browser).
(function () {
  "use strict";
  var SELECTOR = ".form-check-label, .cell-matrix th, .cell-legend .legend-item, " +
    ".bar-label, label.form-label, .filter-group-title, .card-select";
  var terms = null;
  var tips = {};  // explanation -> id of the hidden element that holds it

  function glossary() {
    if (terms) return terms;
    var el = document.getElementById("glossary-data");
    if (!el) return null;
    try { terms = JSON.parse(el.getAttribute("data-glossary") || "{}"); } catch (e) { terms = {}; }
    return terms;
  }
  // The words of an element the HTML charts draw (assets/cells.js: text, <br> between
  // lines, spans and <strong> around words, nothing hidden by style) as innerText reads
  // them, without laying the page out: these are redrawn on every click, before the
  // frame that shows the new charts and map.
  var CHART_PARTS = ".cell-matrix, .cell-legend, .bar-label";
  function drawnWords(node) {
    var out = "";
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) out += child.data;
      else if (child.nodeName === "BR") out += "\n";
      else if (child.nodeType === 1 && !child.hidden) out += drawnWords(child);
    });
    return out;
  }
  // "✓ Aligned" -> "aligned"; "Countries as origin (first author)" -> "countries".
  function key(el) {
    if (el.matches(".card-select")) {  // a dropdown in a card header: its hidden label
      el = el.querySelector("label") || el;
      return (el.textContent || "").trim().toLowerCase();
    }
    var first = el.firstChild && el.firstChild.nodeType === 3 ? el.firstChild.textContent : "";
    var nested = el.querySelector(":scope > :not(br)");  // a label with a tag after its words
    var whole = el.closest(CHART_PARTS) ? drawnWords(el) : el.innerText;
    var text = (nested && first.trim() ? first : whole) || "";
    return text.replace(/^[^A-Za-z]+/, "").replace(/[:\s]+$/, "").replace(/\s+/g, " ")
      .trim().toLowerCase();
  }
  function tipId(text) {
    if (!tips[text]) {
      var holder = document.createElement("span");
      holder.id = "tip-" + Object.keys(tips).length;
      holder.hidden = true;
      holder.textContent = text;
      document.body.appendChild(holder);
      tips[text] = holder.id;
    }
    return tips[text];
  }
  function describe(el, text) {
    // The control the words belong to (a radio's input, a label's field) hears the tip;
    // a heading with no control is made focusable so a keyboard user can read it.
    var target = el.matches("label") && el.htmlFor ? document.getElementById(el.htmlFor) : null;
    if (!target && el.closest(".form-check")) target = el.closest(".form-check").querySelector("input");
    if (!target && el.matches("th")) { el.tabIndex = 0; target = el; }
    if (!target) target = el.querySelector("button.dash-dropdown");
    if (!target) target = el.closest("button") || el;
    var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    var id = tipId(text);
    if (ids.indexOf(id) < 0) target.setAttribute("aria-describedby", ids.concat(id).join(" "));
  }
  // An element's words as last looked at: unchanged words need no new key (key() reads
  // innerText, which lays the page out; a click changes few labels of hundreds).
  var seen = new WeakMap();
  function mark() {
    var words = glossary();
    if (!words) return;
    // Reads first, then writes: innerText after a write would lay the page out again,
    // once per label.
    var changed = [];
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      var content = el.textContent;
      if (seen.get(el) === content) return;
      seen.set(el, content);
      var k = key(el);
      if (el.dataset.tipKey !== k) changed.push([el, k]);
    });
    changed.forEach(function (pair) {
      var el = pair[0], text = words[pair[1]];
      el.dataset.tipKey = pair[1];
      if (!text) return;
      el.dataset.tip = text;
      el.classList.add("term");
      describe(el, text);
    });
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; mark(); });
  }
  // Changes inside a Plotly graph (its SVG, redrawn on each click) hold no such words.
  function outsideGraphs(records) {
    return records.some(function (r) {
      var t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      return !t || !t.closest(".js-plotly-plot");
    });
  }
  function start() {
    mark();
    new MutationObserver(function (records) {
      if (outsideGraphs(records)) schedule();
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
