// The export and download links follow the page's filters: each keeps its path and takes
// the query string of the address bar. Set in the browser rather than by a callback, so
// a click does not send forty link updates through Dash's store (each one re-runs every
// component's selector). Synced when the URL changes (window.iome_links.sync, called by
// the URL callback in app.py) and again just before a link is used. Below: the copy
// buttons (the link to this view, the embed code).
(function () {
  "use strict";
  var SELECTOR = "a.export-link";
  function base(a) {
    if (!a.dataset.base) {
      a.dataset.base = (a.getAttribute("href") || "#").split("?")[0];
    }
    return a.dataset.base;
  }
  function withQuery(a, search) {
    var q = search && search !== "?" ? search : "";
    var href = base(a) + q;
    if (a.getAttribute("href") !== href) {
      a.setAttribute("href", href);
    }
  }
  function sync(search) {
    var q = typeof search === "string" ? search : window.location.search;
    document.querySelectorAll(SELECTOR).forEach(function (a) { withQuery(a, q); });
  }
  function beforeUse(event) {
    var a = event.target && event.target.closest && event.target.closest(SELECTOR);
    if (a) { withQuery(a, window.location.search); }
  }
  ["pointerdown", "focusin", "contextmenu", "click"].forEach(function (type) {
    document.addEventListener(type, beforeUse, true);
  });
  window.iome_links = { sync: sync };

  // Copy buttons: data-copy="url" copies the link to this view (the address bar, with
  // its filters); data-copy="<id>" the value of that field (the embed code). The button
  // says "Copied" for a moment, and a polite live region says it to a screen reader.
  function announce(text) {
    var region = document.getElementById("copy-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "copy-status";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var what = button.getAttribute("data-copy");
    var field = what === "url" ? null : document.getElementById(what);
    var text = what === "url" ? window.location.href : (field ? field.value : "");
    if (!text) return;
    var copying = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); })
      : fallbackCopy(text);
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    copying.then(function () {
      button.textContent = "Copied";
      announce(what === "url" ? "Link copied" : "Copied");
    }, function () {
      button.textContent = "Copy failed";
      announce("Could not copy: select the text and copy it yourself");
    }).then(function () {
      window.setTimeout(function () { button.textContent = label; }, 1800);
    });
  });
})();
