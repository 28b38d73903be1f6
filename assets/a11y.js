// Accessibility repairs for widgets whose markup the project does not control
// (Dash dropdowns and range sliders, AG Grid). Runs after each batch of DOM changes.
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
  }
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
