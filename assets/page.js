// Everything the page draws itself from one response, as the response arrives: the
// HTML charts (assets/cells.js), the article list (assets/articles.js) and the page's
// text (the article count, link notices and each view's takeaway sentence). Drawing
// outside Dash's component tree keeps a click's response to a few store updates.
(function () {
  "use strict";
  var CELLS = "cells-";

  function setText(el, text) {
    if (el && typeof text === "string" && el.textContent !== text) {
      el.textContent = text;
    }
  }

  // {count, notices, shown, groups: {group: "2 set"}, summaries: {view: sentence}};
  // a missing key is unchanged.
  function drawText(text) {
    if (!text || typeof text !== "object") return;
    setText(document.getElementById("article-count"), text.count);
    if (Array.isArray(text.notices)) {
      var box = document.getElementById("url-notices");
      if (box) {
        box.replaceChildren.apply(box, text.notices.map(function (notice) {
          var div = document.createElement("div");
          div.className = "small";
          div.textContent = String(notice);
          return div;
        }));
      }
    }
    setText(document.getElementById("btn-filters-done"), text.shown);
    var groups = text.groups || {};
    Object.keys(groups).forEach(function (group) {
      setText(document.getElementById("filter-group-" + group + "-count"), groups[group]);
    });
    var summaries = text.summaries || {};
    Object.keys(summaries).forEach(function (view) {
      setText(document.getElementById("summary-" + view), summaries[view]);
    });
  }

  // Draws one store's value (other stores are not ours: nothing to draw).
  function drawStore(id, value) {
    if (id === "page-text") {
      drawText(value);
    } else if (id === "rows-page") {
      if (value && window.iome_articles) window.iome_articles.draw(value);
    } else if (id.indexOf(CELLS) === 0 && window.iome_cells) {
      window.iome_cells.draw(id.slice(CELLS.length), value);
    }
  }

  // Dash's request_post hook (app.py), called with every callback's response: the count,
  // the HTML charts and the list are drawn the moment a response arrives, before Dash
  // applies it and the graphs redraw. Nothing else draws them (no callback waits on
  // these stores: Dash would run one more callback per click for it).
  window.iome_page_response = function (payload, response) {
    if (window.iome_timeline) window.iome_timeline.announce();  // assets/timeline.js
    if (!response || typeof response !== "object") return;
    Object.keys(response).forEach(function (id) {
      var props = response[id];
      if (props && typeof props === "object" && "data" in props) {
        // one part that fails to draw stays as it was; the others are drawn
        try { drawStore(id, props.data); } catch (e) { /* nothing else to do */ }
      }
    });
  };
})();
