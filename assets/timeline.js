// The timeline bar (components/timeline.py): play, pause and step through the years.
// A step moves the year filter in the address bar, as any filter does, so every view,
// the count, the list and the share link follow. What a step shows follows
// evidence.timeline: "upto" = every year up to Y, "inN" = the N years ending in Y.
//
// Playing keeps time by the clock: the next step is taken only once the previous one
// is drawn (no request pending, no graph still drawing), and a step that could not be
// drawn in time is skipped, never queued.
(function () {
  "use strict";
  var WINDOWS = { upto: null, in1: 1, in2: 2, in3: 3, in4: 4, in5: 5 };
  var INTERVAL = 1200;  // ms per year at normal speed
  var MAX_WAIT = 10000;  // a step still not drawn after this is given up on
  var playing = false, timer = null, clock = null, wroteAt = 0;
  var stats = { steps: 0, skipped: 0 };

  function bar() { return document.getElementById("timeline-bar"); }
  function bounds() {
    var el = bar();
    return [Number(el.dataset.first), Number(el.dataset.last)];
  }
  function param(name) {
    return new URLSearchParams(window.location.search).get(name);
  }
  function mode() {
    var m = String(param("timeline") || "upto").toLowerCase();
    return Object.prototype.hasOwnProperty.call(WINDOWS, m) ? m : "upto";
  }
  function clip(y, b) { return Math.min(Math.max(y, b[0]), b[1]); }

  // The years in the address bar ([first, last] of the data when none).
  function years() {
    var b = bounds(), raw = param("year");
    var m = raw && /^\s*(\d{4})(?:\s*-\s*(\d{4}))?\s*$/.exec(raw);
    if (!m) return b;
    var a = clip(Number(m[1]), b), z = clip(Number(m[2] || m[1]), b);
    return a <= z ? [a, z] : [z, a];
  }

  // evidence.timeline.step_years
  function stepYears(y) {
    var b = bounds(), n = WINDOWS[mode()];
    y = clip(y, b);
    return n === null ? [b[0], y] : [Math.max(b[0], y - n + 1), y];
  }

  // What the bar says comes from the server with the count and the chips, in the same
  // response (app.py, text.year_label; evidence.timeline.year_label), so the three always
  // describe one state: after a bar click, a typed year, a slider move, Back, and at
  // every step of Play (the label changes when the step's count does, not before).
  function drawLabel(text) {
    var el = document.getElementById("tl-year");
    if (el && typeof text === "string" && el.textContent !== text) el.textContent = text;
  }
  function announce() { /* kept for assets/page.js: the label is drawn from responses */ }

  // The value a request sent for the year slider, if the slider's move sent it.
  function sentYears(payload) {
    if (!payload || !(payload.changedPropIds || []).some(function (p) {
      return p === "ctl-year.value";
    })) return null;
    var found = null;
    (function walk(x) {
      if (found || !x || typeof x !== "object") return;
      if (Array.isArray(x)) { x.forEach(walk); return; }
      if (x.id === "ctl-year" && x.property === "value") { found = x.value; return; }
    })(payload.inputs);
    return Array.isArray(found) ? found.map(Number) : null;
  }
  function sliderYears() {
    var el = document.getElementById("ctl-year");
    var a = el && el.querySelector(".dash-range-slider-min-input");
    var b = el && el.querySelector(".dash-range-slider-max-input");
    return a && b && a.value && b.value ? [Number(a.value), Number(b.value)] : null;
  }
  // An answer to a year the slider has moved on from (quick arrow presses; answers can
  // arrive out of order) is dropped before anything draws it: the answer to the
  // slider's newest year, still on its way, is the state. Otherwise the URL, the count
  // and the label would show a year the slider no longer shows.
  function stale(payload) {
    var sent = sentYears(payload), now = sliderYears();
    return !!(sent && now && (sent[0] !== now[0] || sent[1] !== now[1]));
  }

  function wrapResponseHook() {
    var inner = window.iome_page_response;
    if (inner && inner.timeline) return;
    var hook = function (payload, response) {
      if (response && typeof response === "object" && stale(payload)) {
        Object.keys(response).forEach(function (id) { delete response[id]; });
        return;
      }
      if (inner) inner(payload, response);
      var text = response && response["page-text"] && response["page-text"].data;
      if (text && typeof text === "object") drawLabel(text.year_label);
    };
    hook.timeline = true;
    window.iome_page_response = hook;
  }
  wrapResponseHook();  // assets/page.js, loaded before this file, set the hook
  document.addEventListener("DOMContentLoaded", wrapResponseHook);

  // One history entry per settled value of the year slider: the year-only changes of
  // the address that follow one burst of slider use (keys or pointer, no pause longer
  // than SETTLE ms, nothing else touched since) share one entry, the first pushing it
  // and the others replacing it (ten arrow presses, a drag: one entry; Back returns to
  // before them). Responses may arrive well after the last key: up to LATE ms.
  var SETTLE = 1000, LATE = 10000;
  var burstStart = -Infinity, sliderAt = -Infinity, otherAt = -Infinity;
  var lastYearPush = { at: -Infinity, search: null };
  function withoutYear(search) {
    var p = new URLSearchParams(search);
    p.delete("year");
    return p.toString();
  }
  ["keydown", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var now = performance.now();
      if (!(e.target && e.target.closest && e.target.closest("#ctl-year"))) {
        otherAt = now;
        return;
      }
      if (now - sliderAt > SETTLE) burstStart = now;
      sliderAt = now;
    }, true);
  });
  var pushState = window.history.pushState;
  window.history.pushState = function (state, title, url) {
    var now = performance.now(), here = window.location.search, next = here;
    try { next = new URL(url, window.location.href).search; } catch (e) { /* as given */ }
    var yearOnly = next !== here && withoutYear(next) === withoutYear(here);
    var sameBurst = yearOnly && lastYearPush.search === here && lastYearPush.at >= burstStart &&
      otherAt < burstStart && now - sliderAt < LATE;
    lastYearPush = yearOnly && now - sliderAt < LATE ? { at: now, search: next }
      : { at: -Infinity, search: null };
    if (sameBurst) return window.history.replaceState(state, title, url);
    return pushState.apply(window.history, arguments);
  };

  // The address with the year filter set to ``r`` (the other parameters kept as written;
  // year is the query's first field, evidence.fields).
  function searchWith(r) {
    var b = bounds();
    var rest = window.location.search.replace(/^\?/, "").split("&").filter(function (p) {
      return p && p.split("=")[0] !== "year";
    });
    if (!(r[0] === b[0] && r[1] === b[1])) {
      rest.unshift("year=" + (r[0] === r[1] ? r[0] : r[0] + "-" + r[1]));
    }
    return rest.length ? "?" + rest.join("&") : "";
  }

  // Show the step at year ``y``: pushed to the history when the reader stepped, replaced
  // while playing (Back returns to where playing started).
  function go(y, replace) {
    var search = searchWith(stepYears(y));
    if (search !== window.location.search) {
      var url = window.location.pathname + search + window.location.hash;
      window.history[replace ? "replaceState" : "pushState"](window.history.state, "", url);
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
      wroteAt = performance.now();
    }
  }

  // The step the address bar shows now (the last year of its range).
  function current() { return years()[1]; }

  function step(delta) {
    pause();
    go(clip(current() + delta, bounds()), false);
  }

  // True while the page is still drawing the last step.
  function busy() {
    if (performance.now() - wroteAt < 50) return true;  // Dash has not picked it up yet
    if (window.iome_figures && window.iome_figures.drawing() > 0) return true;
    try {
      var c = window.store && window.store.getState().callbacks;
      if (c && ["requested", "prioritized", "blocked", "executing", "watched", "executed"]
        .some(function (k) { return (c[k] || []).length > 0; })) return true;
    } catch (e) { /* no renderer store: rely on the graphs */ }
    return !!document.querySelector('[data-dash-is-loading="true"]');
  }

  function speed() {
    var el = document.getElementById("tl-speed");
    var s = el ? Number(el.value) : 1;
    return s > 0 ? s : 1;
  }

  function tick() {
    timer = null;
    if (!playing) return;
    var b = bounds();
    if (window.location.search !== clock.expect) {
      pause();  // the reader changed the filters while playing
      return;
    }
    if (busy() && performance.now() - clock.since < MAX_WAIT) {
      timer = setTimeout(tick, 40);
      return;
    }
    var due = clock.year0 + Math.floor((performance.now() - clock.t0) * speed() / INTERVAL);
    var y = current();
    if (y >= b[1]) { pause(); return; }
    if (due <= y) {  // drawn early: wait for the clock
      timer = setTimeout(tick, Math.max(16, (clock.t0 + (y + 1 - clock.year0) * INTERVAL / speed()) - performance.now()));
      return;
    }
    var next = Math.min(due, b[1]);
    stats.skipped += next - y - 1;
    stats.steps += 1;
    go(next, true);
    clock.expect = window.location.search;
    clock.since = performance.now();
    timer = setTimeout(tick, 40);
  }

  function setButton() {
    var btn = document.getElementById("tl-play");
    if (!btn) return;
    btn.textContent = playing ? "Pause" : "Play";
    btn.setAttribute("aria-pressed", playing ? "true" : "false");
    btn.title = (playing ? "Pause" : "Play the years") + " (Space)";
  }

  function play() {
    var b = bounds(), y = current();
    // At the last year (or showing every year): start again from the first step.
    var start = y >= b[1] ? b[0] : y;
    playing = true;
    setButton();
    go(start, true);
    clock = { t0: performance.now(), year0: start, expect: window.location.search,
      since: performance.now() };
    stats = { steps: 1, skipped: 0 };
    timer = setTimeout(tick, 40);
  }

  function pause() {
    playing = false;
    if (timer) clearTimeout(timer);
    timer = null;
    setButton();
  }

  function toggle() { if (playing) pause(); else play(); }

  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest && e.target.closest("#tl-play, #tl-back, #tl-next");
    if (!t) return;
    if (t.id === "tl-play") toggle();
    else step(t.id === "tl-next" ? 1 : -1);
  });

  // Space plays and pauses, the arrows step, anywhere in the bar but its menus.
  document.addEventListener("keydown", function (e) {
    var el = bar();
    if (!el || !el.contains(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target.closest(".timeline-mode, .timeline-speed")) return;
    if (e.key === " " || e.key === "Spacebar") {
      e.preventDefault();  // not also a click on the focused button
      toggle();
    } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      step(e.key === "ArrowRight" ? 1 : -1);
    }
  });


  window.iome_timeline = {
    announce: announce,  // assets/page.js, after each response
    playing: function () { return playing; },
    stats: function () { return Object.assign({}, stats); },
  };
})();
