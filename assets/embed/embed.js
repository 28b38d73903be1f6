// Draws the one chart of an /embed/ page from the JSON embedded in the page, keeps it
// fitted to its box, and tells a framing page how tall the page would like to be.
(function () {
  "use strict";
  var holder = document.getElementById("figure-data");
  var target = document.getElementById("chart");
  if (!holder || !target || !window.Plotly) { return; }
  var figure = JSON.parse(holder.textContent);
  var layout = figure.layout || {};
  layout.autosize = true;
  delete layout.width;
  delete layout.height;
  // plotly.js does not wrap text: break a long legend title to the frame's width.
  var legendTitle = layout.legend && layout.legend.title && layout.legend.title.text;
  function wrapped(text) {
    var perLine = Math.max(24, Math.floor((target.clientWidth - 24) / 7));
    return text.split("<br>").map(function (line) {
      var out = [], current = "";
      line.split(" ").forEach(function (word) {
        if (current && (current + " " + word).length > perLine) {
          out.push(current);
          current = word;
        } else {
          current = current ? current + " " + word : word;
        }
      });
      out.push(current);
      return out.join("<br>");
    }).join("<br>");
  }
  if (legendTitle) { layout.legend.title.text = wrapped(legendTitle); }
  // Nothing in the mode bar sends the chart anywhere (same as components/cards.py): no
  // "Share chart..." (plotly.js uploads to Plotly Cloud), no camera (the page's CSP
  // blocks it; "Open this view" leads to the exports), no plotly.com logo or link.
  window.Plotly.newPlot(target, figure.data || [], layout, {
    responsive: true,
    displaylogo: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    plotlyServerURL: "",
    modeBarButtonsToRemove: [
      "toImage", "sendChartToCloud", "sendDataToCloud", "editInChartStudio",
      "select2d", "lasso2d", "autoScale2d", "toggleSpikelines",
    ],
    topojsonURL: target.getAttribute("data-topojson"),
  });

  // The chart fills what the text leaves of the frame; redraw when that box changes
  // (frame resized, data table opened), not only on window resize.
  var pending = 0;
  function fit() {
    if (pending) { return; }
    pending = window.requestAnimationFrame(function () {
      pending = 0;
      if (legendTitle && target.layout.legend.title.text !== wrapped(legendTitle)) {
        window.Plotly.relayout(target, { "legend.title.text": wrapped(legendTitle) });
      }
      window.Plotly.Plots.resize(target);
      postHeight();
    });
  }

  // Optional auto-height: when framed, post {type: "iome-embed-height", height} to the
  // parent: the text's height plus the chart at its preferred height. The embed dialog
  // gives the few lines of script a host page adds to use it; without them the iframe
  // keeps its fixed height, which fits the closed page.
  var PREFERRED_CHART = 420;
  var lastPosted = 0;
  function postHeight() {
    if (window.parent === window) { return; }
    var main = document.querySelector("main");
    var text = 0;
    for (var i = 0; i < main.children.length; i++) {
      if (main.children[i] !== target) { text += main.children[i].offsetHeight; }
    }
    var minChart = parseFloat(window.getComputedStyle(target).minHeight) || 0;
    var height = Math.ceil(text + Math.max(PREFERRED_CHART, minChart));
    if (height !== lastPosted) {
      lastPosted = height;
      window.parent.postMessage({ type: "iome-embed-height", height: height }, "*");
    }
  }

  if (window.ResizeObserver) {
    var observer = new window.ResizeObserver(fit);
    observer.observe(target);
    var meta = document.querySelectorAll("main > :not(#chart)");
    for (var j = 0; j < meta.length; j++) { observer.observe(meta[j]); }
  } else {
    window.addEventListener("resize", fit);
  }
  var details = document.querySelector("details");
  if (details) { details.addEventListener("toggle", fit); }
  postHeight();
})();
