"""The in-page instrumentation: a script added to every page before the app's own scripts.

It keeps, with ``performance.now()`` timestamps:

* every ``/_dash-update-component`` request (start, end of its body being read, the
  outputs it asked for), by wrapping ``window.fetch``;
* the last ``plotly_afterplot`` of each view graph (re-hooked whenever a graph div is
  created or purged);
* the text of ``#article-count`` and when it last changed;
* the time of the user's input event that starts an action (``__bench.arm()``).

``__bench.waitDone()`` resolves once the page has settled after that action: no Dash
request pending, no ``[data-dash-is-loading="true"]``, every view graph whose figure a
request asked for has drawn after that response, and the count text changed; it then
waits for the next frame (the repaint) and returns the times. A view that is not a
plotly graph (or not on the page) needs no redraw. When something never happens (a
callback answers ``no_update``, the count stays the same) it settles after a quiet
period instead and reports the time of the last event it saw.

``__bench.snapshot()`` / ``__bench.floor()`` measure the floor: ``Plotly.react`` of every
graph from one state's figures to the next state's, with no server and no Dash.
``__bench.referenceFloor()`` replays the fixed reference (bench/reference): the seven
figures the dashboard drew before the performance work, so runs compare with one yardstick.
"""

from __future__ import annotations

import json

from bench import COUNT_ID, GRID_ID, TEXT_ID, VIEW_GRAPHS

_JS = r"""
(() => {
  if (window.__bench) return;
  const GRAPHS = __GRAPHS__;
  const COUNT = __COUNT__;
  const TEXT = __TEXT__;
  const GRID = __GRID__;
  const now = () => performance.now();
  const B = (window.__bench = {
    reqs: [], after: {}, afterN: {}, countText: null, countT: null, lastEvent: 0,
    actionT0: null, armed: false, hooks: 0, snaps: {},
  });
  // Resolves just after the next frame has been produced (rAF, then a task).
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve(now());
    ch.port2.postMessage(0);
  }));
  B.frame = frame;
  let waiters = [];
  const poke = () => { for (const w of waiters.slice()) w(); };
  const gdOf = (id) => document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
  B.gdOf = gdOf;

  // --- Dash requests --------------------------------------------------------------
  const origFetch = window.fetch;
  window.fetch = function (input, init) {
    const p = origFetch.apply(this, arguments);
    const url = String(typeof input === 'string' ? input : (input && input.url) || '');
    if (!url.includes('_dash-update-component')) return p;
    let output = '';
    try { output = String(JSON.parse(init.body).output || ''); } catch (e) { output = ''; }
    const rec = { t0: now(), t1: null, output, status: null };
    B.reqs.push(rec);
    if (B.reqs.length > 5000) B.reqs.splice(0, 1000);
    const done = () => {
      if (rec.t1 === null) { rec.t1 = now(); B.lastEvent = rec.t1; poke(); }
    };
    return p.then((res) => {
      rec.status = res.status;
      if (res.status !== 200) { done(); return res; }
      for (const m of ['json', 'text', 'arrayBuffer', 'blob']) {
        const orig = res[m];
        if (typeof orig !== 'function') continue;
        res[m] = function () {
          return orig.apply(this, arguments).then((value) => {
            if (m === 'json') note(rec, value);
            done();
            return value;
          }, (err) => { done(); throw err; });
        };
      }
      return res;
    }, (err) => { done(); throw err; });
  };

  // Which outputs a response really set (a callback may answer no_update for some).
  const note = (rec, value) => {
    const resp = value && value.response;
    if (!resp || typeof resp !== 'object') return;
    rec.updated = new Set();
    for (const id of Object.keys(resp)) {
      // allow_duplicate outputs may carry an '@hash' suffix on the property
      for (const prop of Object.keys(resp[id] || {})) {
        rec.updated.add(id + '.' + prop.split('@')[0]);
      }
    }
    const text = resp[TEXT] && resp[TEXT].data;
    const c = (resp[COUNT] && resp[COUNT].children) || (text && text.count);
    if (typeof c === 'string' || typeof c === 'number') rec.countValue = String(c);
  };
  const sets = (r, key) => (r.updated ? r.updated.has(key) : r.output.includes(key));
  // The response draws graph ``id``: sets its figure (a "filled" chart's too: the
  // browser completes it as Plotly.react gets it, assets/figures.js).
  const setsFigure = (r, id) => sets(r, id + '.figure');
  const figureKey = (k) => k.endsWith('.figure');
  // Dash's own queue of callbacks, when the renderer exposes its store (it does in Dash
  // 2-4): requested, waiting or running callbacks mean the page has not settled.
  const dashBusy = () => {
    try {
      const c = window.store && window.store.getState().callbacks;
      if (!c) return false;
      return ['requested', 'prioritized', 'blocked', 'executing', 'executed']
        .some((k) => Array.isArray(c[k]) && c[k].length > 0);
    } catch (e) { return false; }
  };
  B.dashBusy = dashBusy;

  // --- graphs and the count -------------------------------------------------------
  const scan = () => {
    for (const id of GRAPHS) {
      const gd = gdOf(id);
      if (!gd || typeof gd.on !== 'function' || !gd._ev) continue;
      if (gd.__benchEv === gd._ev) continue;
      gd.on('plotly_afterplot', () => {
        const t = now();
        B.after[id] = t;
        B.afterN[id] = (B.afterN[id] || 0) + 1;
        B.lastEvent = t;
        poke();
      });
      gd.__benchEv = gd._ev;
      B.hooks += 1;
    }
    const c = document.getElementById(COUNT);
    if (c) {
      const text = c.textContent;
      if (text !== B.countText) { B.countText = text; B.countT = now(); B.lastEvent = B.countT; }
      if (!c.__benchObs) {
        c.__benchObs = new MutationObserver(() => { scan(); poke(); });
        c.__benchObs.observe(c, { childList: true, subtree: true, characterData: true });
      }
    }
  };
  B.scan = scan;
  // The article list redraws its rows after the views (a trailing update): when it last
  // changed. An action is done only once the list has been quiet for the settle period.
  B.gridT = 0;
  const watchGrid = () => {
    const grid = document.getElementById(GRID);
    if (!grid || grid.__benchObs) return;
    grid.__benchObs = new MutationObserver(() => { B.gridT = now(); B.lastEvent = B.gridT; });
    grid.__benchObs.observe(grid, { childList: true, subtree: true, characterData: true });
  };
  new MutationObserver(() => { scan(); watchGrid(); poke(); }).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['data-dash-is-loading'],
  });

  // --- the action -----------------------------------------------------------------
  for (const type of ['pointerdown', 'mousedown', 'keydown', 'click', 'input', 'change']) {
    window.addEventListener(type, (e) => {
      if (!B.armed || B.actionT0 !== null) return;
      const t = now();
      const ts = e.timeStamp;
      B.actionT0 = ts > 0 && ts <= t && t - ts < 1000 ? ts : t;
    }, true);
  }
  B.arm = () => { scan(); B.armed = true; B.actionT0 = null; return B.hooks; };
  B.markNow = () => { B.actionT0 = now(); return B.actionT0; };

  B.waitDone = (opts) => new Promise((resolve) => {
    const o = Object.assign(
      { since: null, startTimeoutMs: 5000, quietMs: 1500, timeoutMs: 120000, settleMs: 250 },
      opts || {});
    const began = now();
    const since = () => (o.since !== null ? o.since : B.actionT0);
    let finished = false;
    let settling = false;
    let timer = null;
    const finish = async (how, end) => {
      if (finished) return;
      finished = true;
      waiters = waiters.filter((w) => w !== check);
      clearInterval(timer);
      B.armed = false;
      const t0 = since();
      if (end === undefined) end = B.lastEvent;
      const reqs = t0 === null ? [] : B.reqs.filter((r) => r.t0 >= t0);
      const graphs = {};
      let views = null;
      for (const id of GRAPHS) {
        if (!gdOf(id)) graphs[id] = null;
        else graphs[id] = B.after[id] > t0 ? B.after[id] - t0 : -1;
        if (graphs[id] > 0 && reqs.some((r) => setsFigure(r, id))) {
          views = Math.max(views || 0, graphs[id]);
        }
      }
      resolve({
        how, t0, end, ms: t0 === null ? null : end - t0,
        requests: reqs.length,
        server_done_ms: reqs.length ? Math.max(...reqs.map((r) => r.t1 || 0)) - t0 : null,
        first_request_ms: reqs.length ? Math.min(...reqs.map((r) => r.t0)) - t0 : null,
        views_answered_ms: (() => {
          // the responses that set at least one figure
          const v = reqs.filter((r) => r.t1 !== null && (r.updated
            ? [...r.updated].some(figureKey) : r.output.includes('.figure')));
          return v.length ? Math.max(...v.map((r) => r.t1)) - t0 : null;
        })(),
        graphs, views_ms: views, count: B.countText, hooks: B.hooks,
        list_ms: t0 !== null && B.gridT > t0 ? B.gridT - t0 : null,
        timeline: reqs.map((r) => [r.output.slice(0, 40), r.t0 - t0, (r.t1 || end) - t0]),
      });
    };
    // Everything looked done: the end is the next frame (the repaint). Then make sure
    // nothing follows: a callback chained on these outputs may start a little later
    // (after Dash has applied them); if one does within settleMs, keep waiting for it.
    const settle = async () => {
      settling = true;
      const tc = now();
      const end = await frame();
      await new Promise((r) => setTimeout(r, o.settleMs));
      settling = false;
      if (B.reqs.some((r) => r.t0 > tc) || dashBusy() || B.gridT > tc) { check(); return; }
      finish('complete', end);
    };
    const check = () => {
      if (finished || settling) return;
      const t = now();
      if (t - began > o.timeoutMs) { finish('timeout'); return; }
      const t0 = since();
      if (t0 === null) { if (t - began > o.startTimeoutMs) finish('no-action'); return; }
      const reqs = B.reqs.filter((r) => r.t0 >= t0);
      if (!reqs.length) { if (t - t0 > o.startTimeoutMs) finish('no-request'); return; }
      if (reqs.some((r) => r.t1 === null)) return;
      if (document.querySelector('[data-dash-is-loading="true"]')) return;
      if (dashBusy()) return;
      scan();
      let ok = true;
      for (const id of GRAPHS) {
        if (!gdOf(id)) continue;
        const need = reqs.filter((r) => setsFigure(r, id));
        if (!need.length) continue;
        const last = Math.max(...need.map((r) => r.t1));
        // assets/draw.js left it as it was (same figure) or until it is seen (off screen)
        const gd = gdOf(id);
        const put = gd.__iome_draw;
        const left = put && put.at > last && (put.state === 'same' || put.state === 'waiting');
        if (!(B.after[id] > last) && !left) { ok = false; break; }
      }
      // The callback that owns the count must have answered, and the page must show the
      // count it sent (when the page has no count and nothing asks for one, nothing to do).
      const asked = reqs.filter((r) => r.output.includes(COUNT + '.children')
        || r.output.includes(TEXT + '.data'));
      if (ok && (asked.length || document.getElementById(COUNT))) {
        if (!asked.length) ok = false;
        const set = asked.filter((r) => r.countValue !== undefined);
        if (ok && set.length) {
          const last = set.reduce((a, b) => (b.t1 > a.t1 ? b : a));
          const shown = last.countValue !== undefined && B.countText === last.countValue;
          if (!shown && !(B.countT > last.t1)) ok = false;
        }
      }
      if (ok) { settle(); return; }
      if (t - Math.max(B.lastEvent, t0) > o.quietMs) finish('quiet');
    };
    waiters.push(check);
    timer = setInterval(check, 50);
    check();
  });

  // --- the floor: Plotly.react alone ----------------------------------------------
  const copy = (v) => {
    if (typeof v === 'function') return undefined;
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return v.slice();
    if (Array.isArray(v)) return v.map(copy);
    const out = {};
    for (const k of Object.keys(v)) {
      if (k[0] === '_') continue;
      const c = copy(v[k]);
      if (c !== undefined) out[k] = c;
    }
    return out;
  };
  // plotly.js's own Plotly.react: the page's scheduling (assets/draw.js) is not timed.
  const rawReact = () => (window.Plotly.__iome_react
    ? (...a) => window.Plotly.__iome_react.apply(window.Plotly, a) : window.Plotly.react);
  B.snapshot = (name) => {
    const s = {};
    for (const id of GRAPHS) {
      const gd = gdOf(id);
      if (gd && gd.data && gd.layout) s[id] = { data: copy(gd.data), layout: copy(gd.layout) };
    }
    B.snaps[name] = s;
    return Object.keys(s).length;
  };
  B.floor = async (from, to, only) => {
    const a = B.snaps[from] || {};
    const b = B.snaps[to] || {};
    const ids = GRAPHS.filter((id) => a[id] && b[id] && gdOf(id) && (!only || only.includes(id)));
    if (!ids.length || !window.Plotly) return { ms: null, graphs: 0 };
    const react = rawReact();
    const back = ids.map((id) => [gdOf(id), copy(a[id].data), copy(a[id].layout)]);
    await Promise.all(back.map((x) => react(x[0], x[1], x[2])));
    await frame();
    await frame();
    const args = ids.map((id) => [gdOf(id), copy(b[id].data), copy(b[id].layout)]);
    const t0 = now();
    await Promise.all(args.map((x) => react(x[0], x[1], x[2])));
    const t1 = await frame();
    return { ms: t1 - t0, graphs: ids.length };
  };

  // --- the fixed reference: the seven figures of the code before the performance work --
  // (bench/reference, recorded by scripts/capture_reference.py). Drawn into a box of
  // their own at the top of this page, at their recorded sizes; each transition between
  // two recorded states is one Plotly.react of all seven, timed to the next frame.
  B.referenceFloor = async (ref, config, rounds) => {
    if (!window.Plotly || !ref || !ref.states || ref.states.length < 2) return null;
    window.scrollTo(0, 0);
    const box = document.createElement('div');
    box.style.cssText = 'position:absolute;left:0;top:0;width:100%;z-index:2147483647;' +
      'background:#fff';
    document.body.appendChild(box);
    const first = ref.states[0].graphs;
    const divs = ref.graphs.map((id) => {
      const d = document.createElement('div');
      d.style.width = first[id].w + 'px';
      d.style.height = first[id].h + 'px';
      box.appendChild(d);
      return d;
    });
    const draw = (state, how) => Promise.all(ref.graphs.map((id, i) =>
      how(divs[i], copy(state.graphs[id].data), copy(state.graphs[id].layout), config)));
    const times = [];
    try {
      await draw(ref.states[0], Plotly.newPlot);
      await frame(); await frame();
      for (let r = 0; r < rounds; r++) {
        for (let k = 1; k < ref.states.length; k++) {
          const t0 = now();
          await draw(ref.states[k], Plotly.react);
          times.push((await frame()) - t0);
          await frame();
        }
        await draw(ref.states[0], Plotly.react);
        await frame();
      }
    } finally {
      for (const d of divs) { try { Plotly.purge(d); } catch (e) { /* gone */ } }
      box.remove();
    }
    return times;
  };
})();
"""

INIT_SCRIPT = (
    _JS.replace("__GRAPHS__", json.dumps(list(VIEW_GRAPHS)))
    .replace("__COUNT__", json.dumps(COUNT_ID))
    .replace("__TEXT__", json.dumps(str(TEXT_ID)))
    .replace("__GRID__", json.dumps(GRID_ID))
)
