/* A press of a cell or bar of an HTML chart (components/cells.py): one listener for the
   page hands {chart, key} to the store the state writer reads. Enter and Space on a
   focused button fire "click" too. */
(function () {
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest
      ? event.target.closest("button[data-chart][data-key]") : null;
    if (!target || !window.dash_clientside || !window.dash_clientside.set_props) return;
    window.dash_clientside.set_props("cell-press", {
      data: {chart: target.dataset.chart, key: target.dataset.key, at: Date.now()},
    });
  });
})();
