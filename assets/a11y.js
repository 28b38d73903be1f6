// Accessibility repairs for widgets whose markup the project does not control
// (Dash dropdowns and range sliders, Plotly's toolbars). Runs after each batch of DOM
// changes.
(function () {
  "use strict";
  function labelFor(id) {
    // (escaped: a pattern-matching id is JSON, quotes and all)
    var label = id && document.querySelector('label[for="' + CSS.escape(id) + '"]');
    return label ? label.textContent.trim() : "";
  }
  function repair() {
    document.querySelectorAll('.dash-dropdown-focus-target[aria-hidden="true"]').forEach(function (el) {
      var button = el.parentElement && el.parentElement.querySelector("button.dash-dropdown");
      var label = button && document.getElementById(button.id + "-label");
      el.removeAttribute("aria-hidden");
      if (label) {
        // Named by its label as shown: the role tag the stylesheet hides is left out, so
        // the name follows the map's role switch ("Countries as setting").
        el.setAttribute("aria-labelledby", label.id);
      } else {
        el.setAttribute("aria-label", (labelFor(button && button.id) || "Choose") + ": open the list");
      }
    });
    // A dropdown's button is named by its field's label, then its value ("Countries as
    // origin (first author), Search by name…"), not by its value alone.
    document.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
      var label = document.getElementById(button.id + "-label");
      var names = button.getAttribute("aria-labelledby") || "";
      if (label && names.split(" ")[0] !== label.id) {
        button.setAttribute("aria-labelledby", (label.id + " " + names).trim());
      }
    });
    nameStatusToggle();
    // A Dash upload box's hidden file input is named by the box's own text ("Apply a
    // mapping file (YAML)…").
    document.querySelectorAll('input[type="file"]:not([aria-label])').forEach(function (el) {
      var text = el.parentElement ? el.parentElement.textContent.trim() : "";
      if (text) { el.setAttribute("aria-label", text); }
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
  // The phone's one-row count bar (components/cards.py, status_toggle): the button says
  // what it holds and opens or closes the chips and the timeline.
  function nameStatusToggle() {
    var button = document.getElementById("status-more");
    var chips = document.getElementById("active-chips");
    if (!button || !chips) return;
    var n = chips.querySelectorAll(".chip").length;
    var text = "Timeline" + (n ? ", " + n + (n === 1 ? " filter" : " filters") : "") +
      (button.getAttribute("aria-expanded") === "true" ? " ▴" : " ▾");
    if (button.textContent !== text) button.textContent = text;
  }
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("#status-more");
    if (!button) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.closest(".status-bar").classList.toggle("status-open", open);
    nameStatusToggle();
  });

  // A data table's Previous and Next (components/alternatives.py): the page asked for.
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest &&
      event.target.closest("button[data-table-page]");
    if (!button || button.disabled || !window.dash_clientside || !window.dash_clientside.set_props) return;
    window.dash_clientside.set_props("view-table-page", {data: {
      view: button.dataset.tableView, page: Number(button.dataset.tablePage), at: Date.now(),
    }});
  });

  // Space presses a link drawn as a button ("Download CSV"), as it presses a button.
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if ((event.key !== " " && event.key !== "Spacebar") || !el || !el.matches ||
        !el.matches("a.btn, a[role='button'], a.dropdown-item")) return;
    event.preventDefault();
    el.click();
  });

  // In-page links (skip links, "Country role"): the target lands below the sticky count
  // bar and takes the focus; on a phone, a link in the filter panel (which covers the
  // page) closes the panel first. "Show the results" lands on the first view.
  function barHeight() {
    var bar = document.querySelector(".status-bar");
    return bar ? bar.getBoundingClientRect().height : 0;
  }
  function place(target) {
    var top = target.getBoundingClientRect().top + window.scrollY - barHeight() - 8;
    window.scrollTo({ top: Math.max(0, top), behavior: "instant" });
  }
  function land(target) {
    place(target);
    var focusable = target.matches("a, button, input, select, textarea, [tabindex]");
    if (!focusable) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    // The bar may change height once it sticks (and what is above the target with it):
    // placed again when that has settled, so the target is not left under the bar.
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () { place(target); });
    });
  }
  function panelCovers() {
    return Boolean(document.querySelector("#filter-collapse.show, #filter-collapse.collapsing"));
  }
  function afterPanelCloses(then) {
    var tries = 0;
    (function wait() {
      if (!panelCovers() || ++tries > 120) { then(); return; }
      window.requestAnimationFrame(wait);
    })();
  }
  var landing = null;  // where the page goes once the phone's filter panel has closed
  function firstResult() {
    var cards = document.querySelectorAll("#views .view-card");
    for (var i = 0; i < cards.length; i++) {
      if (cards[i].offsetParent) return cards[i];
    }
    return document.getElementById("main");
  }
  document.addEventListener("click", function (event) {
    var t = event.target;
    var done = t && t.closest && t.closest("#btn-filters-done");
    if (done) {
      var target = landing || firstResult();
      landing = null;
      window.setTimeout(function () { afterPanelCloses(function () { land(target); }); }, 50);
      return;
    }
    var link = t && t.closest && t.closest('a[href^="#"]');
    var id = link && link.getAttribute("href").slice(1);
    var goal = id && document.getElementById(id);
    if (!goal) return;
    event.preventDefault();
    if (panelCovers() && link.closest("#filter-collapse")) {
      landing = goal;
      document.getElementById("btn-filters-done").click();
    } else {
      land(goal);
    }
  });

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repair(); });
  }
  function start() {
    repair();
    // (and when React puts a dropdown's own aria-labelledby back)
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["aria-labelledby"],
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
