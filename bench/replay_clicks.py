"""A click's real ``/_dash-update-component`` request: built from the app's own layout and
callbacks, timed in-process (split into its parts) and over HTTP against a server.

    .venv/bin/python -m bench.clicks --data demo.csv --replay http://127.0.0.1:8050
    .venv/bin/python -m bench.replay_clicks --data demo.csv --states 100   # in-process split

The body is the one the browser posts when the URL changes to a state not drawn yet
(``url.search`` changed; ``rendered-search`` the state drawn before): the state writer
draws the views that changed, the page's text, takeaways and list, as for a click.
In-process, each request is split into the state writer's own work (the views, and the
page's text and list), Dash's JSON encoding of the response, gzip, and the rest (Flask and
Dash dispatch: reading the body, the callback's context, the response object), in CPU
time. Only 127.0.0.1 (or the given local server) is ever contacted.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import sys
import time
from urllib.parse import urlsplit

from bench.clicks import pct

CALLBACK_PATH = "/_dash-update-component"
TIMEOUT_S = 30.0


def _writer_key(app) -> str:
    """The callback map's key of the state writer (app.update_state)."""
    for key in app.callback_map:
        if "url.search" in key and "rendered-search.data" in key and "ctl-" in key:
            return key
    raise RuntimeError("no state writer among the app's callbacks")


def _layout_ids(app) -> dict:
    """Every component of the page with an id, by id (dict ids as sorted JSON)."""
    with app.server.test_request_context("/"):
        layout = app.layout() if callable(app.layout) else app.layout
    found: dict = {}

    def walk(node) -> None:
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
            return
        if not hasattr(node, "_prop_names"):
            return
        ident = getattr(node, "id", None)
        if ident is not None:
            found[_id_text(ident)] = node
        for name in node._prop_names:
            if name != "id":
                walk(getattr(node, name, None))

    walk(layout)
    return found


def _id_text(ident) -> str:
    return json.dumps(ident, sort_keys=True) if isinstance(ident, dict) else str(ident)


def _matches(spec_id, layout: dict) -> list:
    """The ids of the page's components a pattern id (``{"type": "chip", "index": ALL}``)
    names."""
    pattern = json.loads(spec_id)
    fixed = {k: v for k, v in pattern.items() if not isinstance(v, list)}
    out = []
    for text in layout:
        if text.startswith("{"):
            ident = json.loads(text)
            if ident.keys() == pattern.keys() and all(ident[k] == v for k, v in fixed.items()):
                out.append(ident)
    return out


def _items(specs, layout: dict, values: dict, with_value: bool) -> list:
    out = []
    for spec in specs:
        ident, prop = str(spec["id"]), spec["property"]
        if ident.startswith("{"):
            out.append(
                [_item(i, prop, layout, values, with_value) for i in _matches(ident, layout)]
            )
        else:
            out.append(_item(ident, prop, layout, values, with_value))
    return out


def _item(ident, prop: str, layout: dict, values: dict, with_value: bool) -> dict:
    item = {"id": ident, "property": prop}
    if with_value:
        key = f"{_id_text(ident)}.{prop}"
        if key in values:
            item["value"] = values[key]
        else:
            value = getattr(layout.get(_id_text(ident)), prop, None)
            if value is not None:
                item["value"] = value
    return item


class Bodies:
    """Request bodies of the state writer for the app's page (layout and callbacks)."""

    def __init__(self, app):
        self.key = _writer_key(app)
        self.layout = _layout_ids(app)
        spec = app.callback_map[self.key]
        self.inputs, self.state = spec["inputs"], spec["state"]
        self.outputs = []
        for part in self.key.strip(".").split("..."):
            ident, _, prop = part.rpartition(".")
            self.outputs.append({"id": ident, "property": prop})

    def click(self, query: str, previous: str) -> bytes:
        """The body a URL change to ``query`` sends, ``previous`` drawn on the page."""
        values = {"url.search": query, "rendered-search.data": previous}
        body = {
            "output": self.key,
            "outputs": _items(self.outputs, self.layout, {}, False),
            "inputs": _items(self.inputs, self.layout, values, True),
            "changedPropIds": ["url.search"],
            "state": _items(self.state, self.layout, values, True),
        }
        return json.dumps(body).encode()


def _line(name: str, xs: list[float]) -> str:
    return f"  {name:<34} p50 {pct(xs, 0.5):7.1f}  p95 {pct(xs, 0.95):7.1f} ms\n"


def replay_walk(base_url: str, queries: list[str], data: str | None = None) -> str:
    """Wall time of each click's request posted to the server at ``base_url`` (gzip
    accepted, one kept-alive connection), with the bodies this app's page would send."""
    from app import create_app

    parts = urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("replay only against a local server")
    bodies = Bodies(create_app(data))
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIMEOUT_S)
    walls, sizes, raw, previous = [], [], [], ""
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    try:
        for query in ["", *queries]:
            body = bodies.click(query, previous)
            t0 = time.perf_counter()
            conn.request("POST", CALLBACK_PATH, body=body, headers=headers)
            resp = conn.getresponse()
            data_bytes = resp.read()
            wall = (time.perf_counter() - t0) * 1000
            if resp.status != 200:
                raise RuntimeError(f"{query!r}: HTTP {resp.status}: {data_bytes[:200]!r}")
            if query:  # the first, the default view, only sets the page drawn
                walls.append(wall)
                sizes.append(len(data_bytes))
                plain = (
                    gzip.decompress(data_bytes)
                    if resp.getheader("Content-Encoding")
                    else data_bytes
                )
                raw.append(len(plain))
            previous = query
    finally:
        conn.close()
    return (
        f"HTTP replay of {len(walls)} clicks against {base_url} (wall time, request sent to "
        f"response read): p50 {pct(walls, 0.5):.1f} ms, p95 {pct(walls, 0.95):.1f} ms; "
        f"response p50 {pct(sizes, 0.5) / 1000:.1f} kB gzip, {pct(raw, 0.5) / 1000:.1f} kB JSON\n"
    )


def split_in_process(data: str | None, queries: list[str]) -> str:
    """CPU time of each click's request through Flask's test client, in parts."""
    import dash._callback as dash_callback
    import flask_compress.flask_compress as compress

    import app as app_module
    from bench.clicks import StepClock

    app = app_module.create_app(data)
    bodies = Bodies(app)
    client = app.server.test_client()
    clock = StepClock()
    spots = [
        (app_module, "render_views", "state writer: views"),
        (app_module, "_page_extras", "state writer: text, takeaways, list"),
        (dash_callback, "to_json", "Dash: JSON encoding"),
        (compress, "_compress_data", "gzip (flask-compress)"),
    ]
    undo = clock.install(spots)
    totals, steps, previous = [], {}, ""
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    try:
        client.post(CALLBACK_PATH, data=bodies.click("", ""), headers=headers)
        for i, query in enumerate(queries):
            clock.now = {}
            t0 = time.process_time()
            resp = client.post(CALLBACK_PATH, data=bodies.click(query, previous), headers=headers)
            total = time.process_time() - t0
            if resp.status_code != 200:
                raise RuntimeError(f"{query!r}: HTTP {resp.status_code}")
            clock.now["Flask + Dash dispatch, rest"] = total - sum(clock.now.values())
            totals.append(total * 1000)
            for name in set(steps) | set(clock.now):
                steps.setdefault(name, [0.0] * i).append(clock.now.get(name, 0.0) * 1000)
            previous = query
    finally:
        clock.restore(undo)
    out = (
        f"in-process request (Flask test client), {len(totals)} clicks, CPU time: "
        f"p50 {pct(totals, 0.5):.1f} ms, p95 {pct(totals, 0.95):.1f} ms\n"
    )
    return out + "".join(_line(name, xs) for name, xs in sorted(steps.items()))


def main(argv=None) -> int:
    from bench.clicks import walk

    p = argparse.ArgumentParser(description="a click's request, in-process split and replay")
    p.add_argument("--data", default=None)
    p.add_argument("--states", type=int, default=100)
    p.add_argument("--replay", metavar="URL", help="also post the clicks to this server")
    args = p.parse_args(argv)
    from app import load_site_data

    eb = load_site_data(args.data)
    queries = walk(eb, args.states, seed=29)
    sys.stdout.write(split_in_process(args.data, queries))
    if args.replay:
        sys.stdout.write(replay_walk(args.replay, queries, args.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
