// When each graph draws (issue 27): only what changed, only what is seen, the visible
// first. assets/figures.js hands every Plotly.react that dcc.Graph makes to
// iome_draw.schedule(gd, figure, run), where run() is the real draw:
// - a graph whose figure is the one it last drew is not drawn again;
// - a graph off the screen (below the fold, in a hidden card) is not drawn now: its
//   latest figure waits, and is drawn as soon as the graph scrolls into view
//   (IntersectionObserver), is printed, or iome_draw.flush() asks for every graph;
// - the graphs on screen are drawn one at a time, top first, with a frame painted
//   between two (the first one appears before the next is started).
// Nothing here decides what a graph shows: the server's figures and their data tables
// (components/alternatives.py, in the page for keyboards and screen readers) are the
// same whether a graph is drawn yet or not; exports and embeds are drawn elsewhere.
// Each graph div carries its last decision for tools that time the page (bench):
// gd.__iome_draw = {state: "same" | "waiting" | "queued" | "drawn", at: performance.now()}.
(function () {
  "use strict";

  var FRAME_FALLBACK_MS = 100;  // a hidden tab has no frames: go on after this
  var jobs = new Map();  // gd -> {key: the figure's, run, waiters: [[resolve, reject]]}
  var drawnKey = new WeakMap();  // gd -> the key of the figure it last drew
  var queue = [];  // gds whose job is to run now, in order
  var running = false;
  var observer = window.IntersectionObserver
    ? new IntersectionObserver(onSeen, { rootMargin: "0px" }) : null;

  function mark(gd, state) {
    gd.__iome_draw = { state: state, at: performance.now() };
  }

  var seenNow = new WeakMap();  // gd -> in the window, as the observer last said

  // A graph is seen when part of its box is inside the window (a graph in a hidden
  // card has an empty box). Asked once of the layout; after that the observer, which
  // watches every graph, keeps the answer (no layout forced while a response applies).
  function onScreen(gd) {
    if (seenNow.has(gd)) return seenNow.get(gd);
    if (observer) observer.observe(gd);
    var r = gd.getBoundingClientRect();
    if (!r.width && !r.height) return false;
    return r.bottom > 0 && r.top < window.innerHeight && r.right > 0 &&
      r.left < window.innerWidth;
  }

  function keyOf(figure) {
    try { return JSON.stringify(figure); } catch (e) { return null; }
  }

  // Resolves after the next frame has been painted (or FRAME_FALLBACK_MS without one).
  function nextFrame() {
    return new Promise(function (resolve) {
      var done = false;
      var go = function () { if (!done) { done = true; resolve(); } };
      requestAnimationFrame(function () { setTimeout(go, 0); });
      setTimeout(go, FRAME_FALLBACK_MS);
    });
  }

  function settle(job, ok, value) {
    job.waiters.forEach(function (w) { (ok ? w[0] : w[1])(value); });
  }

  function runJob(gd) {
    var job = jobs.get(gd);
    if (!job) return Promise.resolve();
    jobs.delete(gd);
    if (!gd.isConnected) {  // its graph left the page (a new page was built): nothing to draw
      settle(job, true);
      return Promise.resolve();
    }
    return Promise.resolve()
      .then(job.run)
      .then(function (value) {
        if (job.key !== null && gd._fullLayout) drawnKey.set(gd, job.key);
        mark(gd, "drawn");
        settle(job, true, value);
      }, function (err) {
        drawnKey.delete(gd);
        mark(gd, "drawn");
        settle(job, false, err);
      });
  }

  // The queue, one graph at a time: on-screen graphs first, each top to bottom; a frame
  // painted between two graphs. The first waits one task (assets/figures.js: the
  // response's cheap updates, the count and the list, go first).
  function pump() {
    if (running || !queue.length) return;
    running = true;
    var step = function () {
      if (!queue.length) { running = false; return; }
      queue.sort(function (a, b) {
        var va = onScreen(a), vb = onScreen(b);
        if (va !== vb) return va ? -1 : 1;
        // then in the page's order (top first on every screen width)
        return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
      });
      var gd = queue.shift();
      runJob(gd).then(function () { return queue.length ? nextFrame() : null; })
        .then(step, step);
    };
    setTimeout(step, 0);
  }

  function enqueue(gd) {
    if (!jobs.has(gd) || queue.indexOf(gd) >= 0) return;
    mark(gd, "queued");
    queue.push(gd);
    pump();
  }

  function onSeen(entries) {
    entries.forEach(function (entry) {
      seenNow.set(entry.target, entry.isIntersecting);
      if (entry.isIntersecting) enqueue(entry.target);
    });
  }

  // Draw ``figure`` into ``gd`` by ``run()`` when it should be; a promise of the draw.
  function schedule(gd, figure, run) {
    var key = keyOf(figure);
    var old = jobs.get(gd);
    if (key !== null && gd._fullLayout && drawnKey.get(gd) === key) {
      // the figure on screen already: nothing to draw (a waiting older one is dropped)
      if (old) {
        jobs.delete(gd);
        var at = queue.indexOf(gd);
        if (at >= 0) queue.splice(at, 1);
        settle(old, true);
      }
      mark(gd, "same");
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      var waiters = (old ? old.waiters : []).concat([[resolve, reject]]);
      jobs.set(gd, { key: key, run: run, waiters: waiters });
      if (!observer || onScreen(gd)) {
        enqueue(gd);
      } else if (queue.indexOf(gd) < 0) {
        mark(gd, "waiting");
      }
    });
  }

  // Draw every waiting graph now (printing, tests, tools); the number of graphs still
  // waiting or being drawn.
  function flush() {
    Array.from(jobs.keys()).forEach(function (gd) {
      if (gd.isConnected) { enqueue(gd); return; }
      settle(jobs.get(gd), true);
      jobs.delete(gd);
    });
    return jobs.size + (running ? 1 : 0);
  }

  window.addEventListener("beforeprint", flush);
  window.iome_draw = {
    schedule: schedule,
    flush: flush,
    waiting: function () { return jobs.size; },
  };
})();
