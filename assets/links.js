// The export and download links follow the page's filters: each keeps its path and takes
// the query string of the address bar. Set in the browser rather than by a callback, so
// a click does not send forty link updates through Dash's store (each one re-runs every
// component's selector). Synced when the URL changes (window.iome_links.sync, called by
// the share-link callback) and again just before a link is used.
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
})();
