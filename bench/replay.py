"""Replay captured Dash callback requests over HTTP: one by one (server time, bytes) and
under load from many concurrent clients (throughput, latency, errors).

An *action* is what one user action made the browser send: a list of POSTs to
``/_dash-update-component`` (the state callback, then the callbacks that depend on it).
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import time
import zlib
from collections import Counter, defaultdict
from urllib.parse import urlsplit

from bench import in_own_thread, summary

KEEP_HEADERS = ("content-type", "accept", "x-csrftoken")


def callback_name(output: str) -> str:
    """A short name for a callback from the ``output`` field of its request body."""
    if output.startswith(".."):
        parts = [p for p in output.strip(".").split("...") if p]
        first = parts[0] if parts else output
        return f"{first} (+{len(parts) - 1} outputs)" if len(parts) > 1 else first
    ident, _, prop = output.rpartition(".")
    if ident.startswith("{"):
        try:
            d = json.loads(ident)
        except ValueError:
            return output
        wild = [k for k, v in d.items() if isinstance(v, list)]
        kind = d.get("type", "?")
        return f"{kind}[{','.join(wild)}].{prop}" if wild else f"{kind}.{prop}"
    return output


def _headers(req: dict, gzip: bool) -> dict:
    headers = {
        k.title(): v for k, v in (req.get("headers") or {}).items() if k.lower() in KEEP_HEADERS
    }
    headers.setdefault("Content-Type", "application/json")
    headers["Accept-Encoding"] = "gzip" if gzip else "identity"
    return headers


def _post(conn: http.client.HTTPConnection, req: dict, gzip: bool = True) -> dict:
    body = req["body"].encode()
    t0 = time.perf_counter()
    for attempt in range(2):
        try:
            conn.request("POST", req["path"], body=body, headers=_headers(req, gzip))
            resp = conn.getresponse()
            data = resp.read()
            break
        except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
            conn.close()
            if attempt:
                raise
            t0 = time.perf_counter()
    ms = (time.perf_counter() - t0) * 1000
    encoding = (resp.getheader("Content-Encoding") or "").lower()
    raw = len(zlib.decompress(data, 31)) if encoding == "gzip" and data else len(data)
    if resp.will_close:
        conn.close()
    return {"status": resp.status, "ms": ms, "wire": len(data), "raw": raw, "encoding": encoding}


def replay(base_url: str, actions: list[dict], rounds: int = 3) -> dict:
    """Send each action's requests in order, one at a time, ``rounds`` times over.

    Returns per-action server time (sum of its requests' response times) and per-callback
    times of the first round (on a freshly started server: the app's view cache holds only
    what this sequence itself put there, as in one user's session) and of the repeats
    (every state seen before), and bytes per action (gzip as sent, and uncompressed).
    """
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    per_action: list[float] = []
    repeat_action: list[float] = []
    per_kind: dict[str, list[float]] = defaultdict(list)
    per_callback: dict[str, list[float]] = defaultdict(list)
    repeat_callback: dict[str, list[float]] = defaultdict(list)
    cb_bytes: dict[str, list[int]] = defaultdict(list)
    cb_raw: dict[str, list[int]] = defaultdict(list)
    action_wire: list[int] = []
    action_raw: list[int] = []
    statuses: Counter = Counter()
    encodings: Counter = Counter()
    try:
        # One untimed request (the first, a state update that builds no view) warms the
        # connection path without filling the app's view cache.
        if actions and actions[0]["requests"]:
            _post(conn, actions[0]["requests"][0])
        for r in range(rounds):
            for action in actions:
                total = 0.0
                wire = raw = 0
                for req in action["requests"]:
                    res = _post(conn, req)
                    statuses[res["status"]] += 1
                    encodings[res["encoding"] or "identity"] += 1
                    name = callback_name(req.get("output", ""))
                    (per_callback if r == 0 else repeat_callback)[name].append(res["ms"])
                    total += res["ms"]
                    wire += res["wire"]
                    raw += res["raw"]
                    if r == 0:
                        cb_bytes[name].append(res["wire"])
                        cb_raw[name].append(res["raw"])
                if r == 0:
                    per_action.append(total)
                    per_kind[action["kind"]].append(total)
                else:
                    repeat_action.append(total)
                if r == 0:
                    action_wire.append(wire)
                    action_raw.append(raw)
    finally:
        conn.close()
    errors = sum(n for s, n in statuses.items() if not 200 <= s < 300)
    return {
        "rounds": rounds,
        "actions": len(actions),
        "requests_per_action": summary([len(a["requests"]) for a in actions]),
        "server_ms": summary(per_action),
        "server_ms_repeat": summary(repeat_action),
        "server_ms_by_kind": {k: summary(v) for k, v in per_kind.items()},
        "callbacks": {
            name: {
                "ms": summary(per_callback[name]),
                "ms_repeat": summary(repeat_callback.get(name, [])),
                "gzip_bytes": summary(cb_bytes[name]),
                "raw_bytes": summary(cb_raw[name]),
            }
            for name in per_callback
        },
        "gzip_bytes": summary(action_wire),
        "raw_bytes": summary(action_raw),
        "statuses": {str(k): v for k, v in statuses.items()},
        "encodings": dict(encodings),
        "errors": errors,
    }


# --- load ---------------------------------------------------------------------------


def _raw_request(req: dict, host: str, port: int) -> bytes:
    body = req["body"].encode()
    headers = _headers(req, gzip=True)
    head = [f"POST {req['path']} HTTP/1.1", f"Host: {host}:{port}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    head += [f"Content-Length: {len(body)}", "Connection: keep-alive", "", ""]
    return "\r\n".join(head).encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif int(status) not in (204, 304):
        await reader.read()
        close = True
    return int(status), close


async def _load(host, port, actions, clients, duration, timeout, grace, max_interactions):
    raw = [[_raw_request(r, host, port) for r in a["requests"]] for a in actions]
    start = time.monotonic()
    stop_at = start + duration
    st = {"ok": 0, "ok_in_window": 0, "errors": 0, "timeouts": 0, "requests": 0}
    latencies: list[float] = []
    statuses: Counter = Counter()
    error_kinds: Counter = Counter()

    async def client(offset: int) -> None:
        reader = writer = None
        i = offset
        try:
            while time.monotonic() < stop_at:
                if max_interactions and st["ok"] + st["errors"] >= max_interactions:
                    return
                reqs = raw[i % len(raw)]
                i += 1
                t0 = time.perf_counter()
                ok = True
                for data in reqs:
                    try:
                        if writer is None:
                            reader, writer = await asyncio.wait_for(
                                asyncio.open_connection(host, port), timeout
                            )
                        writer.write(data)
                        status, close = await asyncio.wait_for(_read_response(reader), timeout)
                        st["requests"] += 1
                        statuses[status] += 1
                        if close:
                            writer.close()
                            writer = None
                        if not 200 <= status < 300:
                            ok = False
                            error_kinds[f"HTTP {status}"] += 1
                            break
                    except TimeoutError:
                        ok = False
                        st["timeouts"] += 1
                        error_kinds["timeout"] += 1
                    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                        ok = False
                        error_kinds[type(exc).__name__] += 1
                    if not ok:
                        if writer is not None:
                            writer.close()
                            writer = None
                        break
                if ok:
                    st["ok"] += 1
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if time.monotonic() <= stop_at:
                        st["ok_in_window"] += 1
                else:
                    st["errors"] += 1
        finally:
            if writer is not None:
                writer.close()

    tasks = [asyncio.ensure_future(client(k * 7)) for k in range(clients)]
    _, pending = await asyncio.wait(tasks, timeout=duration + grace)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    elapsed = min(time.monotonic() - start, duration) if not max_interactions else None
    wall = time.monotonic() - start
    window = elapsed or wall
    return {
        "clients": clients,
        "duration_s": round(wall, 2),
        "interactions": st["ok"],
        "interactions_per_s": round(st["ok_in_window"] / window, 2) if window else None,
        "requests_per_s": round(st["requests"] / wall, 1) if wall else None,
        "latency_ms": summary(latencies),
        "errors": st["errors"],
        "timeouts": st["timeouts"],
        "error_kinds": dict(error_kinds),
        "cut_off_at_end": len(pending),
        "statuses": {str(k): v for k, v in statuses.items()},
    }


def load(
    base_url: str,
    actions: list[dict],
    *,
    clients: int,
    duration: float,
    timeout: float = 30.0,
    grace: float = 10.0,
    max_interactions: int = 0,
) -> dict:
    """``clients`` concurrent clients each replaying actions back to back for ``duration`` s.

    Each client sends an action's requests in order on one connection (reconnecting when
    the server closes it: gunicorn's sync workers close after every response). An
    interaction is an error when any of its requests is non-2xx, fails or takes longer than
    ``timeout``. New interactions start only within ``duration``; those still running
    ``grace`` seconds later are cut off (reported, not counted as errors).
    """
    parts = urlsplit(base_url)
    args = (parts.hostname, parts.port, actions, clients, duration, timeout, grace)
    # own thread, own event loop: never mixes with Playwright's
    return in_own_thread(lambda: asyncio.run(_load(*args, max_interactions)), "bench-load")
