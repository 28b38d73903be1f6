// Accessibility repairs for widgets whose markup the project does not control
// (Dash dropdowns and range sliders, Plotly's toolbars). Runs after each batch of DOM
// changes.
(function () {
  "use strict";
  function labelFor(id) {
    var label = id && document.querySelector('label[for="' + id + '"]');
    return label ? label.textContent.trim() : "";
  }
  function repair() {
    document.querySelectorAll('.dash-dropdown-focus-target[aria-hidden="true"]').forEach(function (el) {
      var button = el.parentElement && el.parentElement.querySelector("button.dash-dropdown");
      el.removeAttribute("aria-hidden");
      el.setAttribute("aria-label", (labelFor(button && button.id) || "Choose") + ": open the list");
    });
    document.querySelectorAll(".dash-range-slider-min-input:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "First publication year");
    });
    document.querySelectorAll(".dash-range-slider-max-input:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Last publication year");
    });
    // The charts' toolbars (zoom, pan, reset) stay for the mouse but leave the tab order:
    // every action they offer a keyboard user is in the card's Export menu or the
    // chart's data table.
    document.querySelectorAll('.modebar-btn:not([tabindex="-1"])').forEach(function (el) {
      el.setAttribute("tabindex", "-1");
    });
  }
  // The filter panel's groups open and close in the page (components/controls.py).
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest &&
      event.target.closest(".filter-group-toggle");
    var body = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!body) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    body.hidden = !open;
  });
  // Enter in a year box applies the typed year at once (the slider applies on blur).
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || !el || !el.classList ||
        !el.classList.contains("dash-range-slider-input")) return;
    el.blur();
    el.focus();
  });
  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repair(); });
  }
  function start() {
    repair();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
