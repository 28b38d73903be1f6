/* The article list: one page of the articles behind the selection.
 *
 * The server sends the page as plain data (components/render.py, list_page) in the store
 * "rows-page", with the views after every click; this draws it with DOM calls (text is
 * always set as text) inside #articles-list. A table on a wide screen; on a phone each
 * article becomes a card (CSS). Full titles, the DOI opening in a new tab, and
 * Previous / Next buttons that ask the server for another page through the store
 * "rows-asked".
 */
(function () {
  "use strict";

  var COLUMNS = [
    ["title", "Title and journal"],
    ["doi", "DOI"],  // early: the way to the article itself
    ["year", "Year"],
    ["origin", "Origin"],
    ["formats", "Formats"],
    ["motivations", "Motivations"],
  ];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(row) {
    var href = String(row.doi_href || "");
    if (!/^https?:\/\//i.test(href)) return document.createTextNode(row.doi || "");
    var a = el("a", null, row.doi || "link");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.title = "Opens in a new tab";
    return a;
  }

  function cell(row, key, label) {
    var td = el("td", "col-" + key);
    td.dataset.label = label;
    if (key === "title") {
      td.appendChild(el("span", "article-title", row.title));
      if (row.journal) td.appendChild(el("span", "article-journal", row.journal));
    } else if (key === "doi") {
      td.appendChild(link(row));
    } else {
      td.textContent = row[key] === null || row[key] === undefined ? "" : String(row[key]);
    }
    return td;
  }

  function ask(page, start) {
    if (!window.dash_clientside || !window.dash_clientside.set_props) return;
    window.dash_clientside.set_props("rows-asked", {
      data: {start: start, search: page.search, at: Date.now()},
    });
  }

  function pager(page, root) {
    var nav = el("nav", "article-pager");
    nav.setAttribute("aria-label", "Pages of the article list");
    var last = Math.max(0, Math.ceil(page.total / page.size) - 1) * page.size;
    var prev = el("button", "btn btn-sm btn-outline-secondary", "Previous");
    prev.type = "button";
    prev.disabled = page.start <= 0;
    prev.addEventListener("click", function () {
      root.dataset.focus = "prev";
      ask(page, Math.max(0, page.start - page.size));
    });
    var next = el("button", "btn btn-sm btn-outline-secondary", "Next");
    next.type = "button";
    next.disabled = page.start >= last;
    next.addEventListener("click", function () {
      root.dataset.focus = "next";
      ask(page, Math.min(last, page.start + page.size));
    });
    prev.dataset.pager = "prev";
    next.dataset.pager = "next";
    var shown = el("span", "article-range small text-muted",
      page.total ? "Articles " + (page.start + 1).toLocaleString("en") + "–" +
        Math.min(page.start + page.size, page.total).toLocaleString("en") + " of " +
        page.total.toLocaleString("en") : "");
    nav.appendChild(prev);
    nav.appendChild(shown);
    nav.appendChild(next);
    return nav;
  }

  var last = null;  // the page drawn last, as JSON: the same page again is not redrawn

  function draw(page) {
    var root = document.getElementById("articles-list");
    if (!root || !page) return;
    var json = JSON.stringify(page);
    if (json === last && root.firstChild) return;
    last = json;
    // What has the keyboard focus inside the list, to give it back after the redraw.
    var active = document.activeElement;
    var inside = active && root.contains(active);
    var row = inside && active.closest("tr") ? active.closest("tr").dataset.id : null;
    var pagerFocus = inside && active.dataset ? active.dataset.pager : null;
    var out = document.createDocumentFragment();
    if (!page.total) {
      out.appendChild(el("p", "article-empty text-muted",
        page.text ? "No articles match this search and these filters."
                  : "No articles match these filters."));
    } else {
      var table = el("table", "article-table");
      var caption = el("caption", "visually-hidden",
        "Articles " + (page.start + 1) + " to " + Math.min(page.start + page.size, page.total) +
        " of " + page.total);
      table.appendChild(caption);
      var head = el("tr");
      COLUMNS.forEach(function (c) {
        var th = el("th", "col-" + c[0], (page.headings || {})[c[0]] || c[1]);
        th.scope = "col";
        head.appendChild(th);
      });
      var thead = el("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      var body = el("tbody");
      (page.rows || []).forEach(function (row) {
        var tr = el("tr");
        tr.dataset.id = row.article_id;
        COLUMNS.forEach(function (c) {
          tr.appendChild(cell(row, c[0], (page.headings || {})[c[0]] || c[1]));
        });
        body.appendChild(tr);
      });
      table.appendChild(body);
      var scroll = el("div", "article-scroll");
      scroll.appendChild(table);
      out.appendChild(scroll);
      out.appendChild(pager(page, root));
    }
    var again = root.dataset.focus || pagerFocus;
    root.replaceChildren(out);
    if (row) {
      var same = root.querySelector('tr[data-id="' + CSS.escape(row) + '"] a');
      if (same) same.focus();
    }
    // After Previous / Next the button keeps the keyboard focus (or its neighbour does).
    if (again) {
      delete root.dataset.focus;
      var button = root.querySelector('button[data-pager="' + again + '"]:not(:disabled)') ||
        root.querySelector("button[data-pager]:not(:disabled)");
      if (button) button.focus();
    }
  }

  window.iome_articles = { draw: draw };  // called by assets/page.js
})();
