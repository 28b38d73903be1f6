// The Export and Download menus (components/export_menu.py): a toggle button and a
// Bootstrap .dropdown-menu whose links are drawn here from its data-items when the menu
// is first opened. Plain DOM rather than a Dash component per item: Dash's store runs
// every component's selector on each dispatch, and the menus held 95 of the page's
// components (issue 27). Keyboard: Enter/Space/ArrowDown open the menu on its first
// item (ArrowUp on its last), arrows, Home and End move between items, Escape closes it
// and returns to its toggle; a click elsewhere, Tab out of it or choosing an item close it.
(function () {
  "use strict";
  var OPEN = "show";

  function items(menu) {
    return Array.prototype.slice.call(menu.querySelectorAll(".dropdown-item"));
  }
  function fill(menu) {
    if (menu.dataset.drawn) return;
    menu.dataset.drawn = "1";
    var list = [];
    try { list = JSON.parse(menu.dataset.items || "[]"); } catch (e) { list = []; }
    var first = menu.firstChild;  // the menu's own Dash items (Embed) stay last
    var search = window.location.search;
    var fragment = document.createDocumentFragment();
    list.forEach(function (item) {
      var a = document.createElement("a");
      a.className = "dropdown-item export-link";
      a.dataset.base = item[1];
      a.setAttribute("href", item[1] + (search && search !== "?" ? search : ""));
      a.textContent = item[0];
      fragment.appendChild(a);
    });
    if (first && list.length) {
      var divider = document.createElement("hr");
      divider.className = "dropdown-divider";
      divider.setAttribute("aria-hidden", "true");
      fragment.appendChild(divider);
    }
    menu.insertBefore(fragment, first);
  }
  // Where the menu fits: flush with the toggle's right edge, moved sideways as far as it
  // takes to stay on the screen; below the toggle (or above, when the room below is short).
  function place(menu, toggle) {
    menu.style.top = "";
    menu.style.bottom = "";
    menu.style.transform = "";
    var box = menu.getBoundingClientRect(), edge = 4, dx = 0;
    if (box.right > window.innerWidth - edge) dx = window.innerWidth - edge - box.right;
    if (box.left + dx < edge) dx = edge - box.left;
    if (dx) menu.style.transform = "translateX(" + Math.round(dx) + "px)";
    var at = toggle.getBoundingClientRect();
    var below = window.innerHeight - at.bottom, above = at.top;
    if (box.height > below && above > below) {
      menu.style.top = "auto";
      menu.style.bottom = "100%";
    }
  }
  function toggleOf(menu) {
    return menu.parentElement && menu.parentElement.querySelector("[data-menu-toggle]");
  }
  function close(menu, refocus) {
    if (!menu || !menu.classList.contains(OPEN)) return;
    menu.classList.remove(OPEN);
    var toggle = toggleOf(menu);
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.classList.remove(OPEN);
      if (refocus) toggle.focus();
    }
  }
  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll(".dropdown-menu[data-items]." + OPEN));
  }
  function open(toggle, focusAt) {
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;
    openMenus().forEach(function (m) { if (m !== menu) close(m, false); });
    fill(menu);
    menu.classList.add(OPEN);
    toggle.classList.add(OPEN);
    toggle.setAttribute("aria-expanded", "true");
    place(menu, toggle);
    var list = items(menu);
    if (focusAt === "first" && list.length) list[0].focus();
    if (focusAt === "last" && list.length) list[list.length - 1].focus();
  }

  document.addEventListener("click", function (event) {
    var t = event.target;
    var toggle = t && t.closest && t.closest("[data-menu-toggle]");
    if (toggle) {
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      if (menu && menu.classList.contains(OPEN)) close(menu, false);
      else open(toggle, event.detail === 0 ? "first" : null);  // detail 0: Enter or Space
      return;
    }
    var item = t && t.closest && t.closest(".dropdown-menu[data-items] .dropdown-item");
    openMenus().forEach(function (m) {
      if (item && m.contains(item)) window.setTimeout(function () { close(m, false); }, 0);
      else if (!m.contains(t)) close(m, false);
    });
  });

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    var toggle = t && t.closest && t.closest("[data-menu-toggle]");
    if (toggle && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      open(toggle, event.key === "ArrowDown" ? "first" : "last");
      return;
    }
    var menu = t && t.closest && t.closest(".dropdown-menu[data-items]");
    if (!menu && toggle && event.key === "Escape") {
      menu = document.getElementById(toggle.getAttribute("aria-controls"));
    }
    if (!menu || !menu.classList.contains(OPEN)) return;
    var list = items(menu), at = list.indexOf(t);
    var next = {
      ArrowDown: list[(at + 1) % list.length],
      ArrowUp: list[(at - 1 + list.length) % list.length],
      Home: list[0],
      End: list[list.length - 1],
    }[event.key];
    if (event.key === "Escape") {
      event.preventDefault();
      close(menu, true);
    } else if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  // Tab out of an open menu (or its toggle) closes it.
  document.addEventListener("focusin", function (event) {
    openMenus().forEach(function (m) {
      var wrapper = m.parentElement;
      if (wrapper && !wrapper.contains(event.target)) close(m, false);
    });
  });
  // Escape anywhere (the focus left on the page) closes an open menu too.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") openMenus().forEach(function (m) { close(m, false); });
  });
})();
