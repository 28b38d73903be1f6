// Draws the one chart of an /embed/ page from the JSON embedded in the page.
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
  window.Plotly.newPlot(target, figure.data || [], layout, {
    responsive: true,
    displaylogo: false,
    topojsonURL: target.getAttribute("data-topojson"),
  });
})();
