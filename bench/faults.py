"""Export faults and bursts against a running server: does the rest of the site answer?

``export_burst(url)`` sends ``n`` concurrent large image exports and, at the same time,
probes ``/`` and ``/healthz`` every ``probe_every`` seconds; it returns the export
statuses and the probe latencies. Used by the browser-tier test (bounded: a few seconds)
and by ``scripts/faults.py`` for the figures in RELIABILITY.md. Traffic goes to loopback
only.
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def _get(url: str, timeout: float) -> tuple[int, float, dict, bytes]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read()
            return r.status, time.perf_counter() - t0, dict(r.headers), body
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, time.perf_counter() - t0, dict(exc.headers), body
    except OSError:
        return 0, time.perf_counter() - t0, {}, b""


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))]


def export_burst(
    url: str,
    *,
    n: int = 10,
    size: int = 4000,
    view: str = "map",
    probe_every: float = 0.1,
    min_probe_s: float = 3.0,
    timeout: float = 120.0,
) -> dict:
    """Send ``n`` concurrent ``size``×``size`` PNG exports while probing the site."""
    stop = threading.Event()
    probes: dict[str, list[tuple[int, float]]] = {"/": [], "/healthz": []}

    def probe():
        while not stop.is_set():
            for path in probes:
                status, seconds, _, _ = _get(url + path, timeout=10)
                probes[path].append((status, seconds))
            time.sleep(probe_every)

    prober = threading.Thread(target=probe, daemon=True)
    t0 = time.perf_counter()
    prober.start()
    # distinct queries: no export is answered from the cache of another
    urls = [
        f"{url}/export/{view}.png?width={size}&height={size}&year=2000-{2011 + i}" for i in range(n)
    ]
    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(lambda u: _get(u, timeout), urls))
    exports_s = time.perf_counter() - t0
    while time.perf_counter() - t0 < min_probe_s:
        time.sleep(0.05)
    stop.set()
    prober.join(timeout=15)
    out = {
        "exports": n,
        "size": size,
        "export_statuses": sorted(a[0] for a in answers),
        "export_seconds_max": round(max(a[1] for a in answers), 3),
        "burst_seconds": round(exports_s, 3),
        "retry_after": sorted({a[2].get("Retry-After") for a in answers if a[0] == 503} - {None}),
        "messages": sorted({a[3].decode("utf-8", "replace")[:120] for a in answers if a[0] >= 400}),
    }
    for path, got in probes.items():
        seconds = [s for _, s in got]
        out[path] = {
            "probes": len(got),
            "errors": sum(1 for status, _ in got if status != 200),
            "p50_ms": round(1000 * statistics.median(seconds), 1) if seconds else None,
            "p95_ms": round(1000 * p95(seconds), 1) if seconds else None,
            "max_ms": round(1000 * max(seconds), 1) if seconds else None,
        }
    return out


def _post_upload(url: str, content: bytes, name: str) -> tuple[int, float, dict]:
    boundary = "iome-faults-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    req = urllib.request.Request(
        url + "/upload",
        data=body,
        method="POST",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-IoME-Upload": "1",
            "Origin": url,
        },
    )
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status, time.perf_counter() - t0, dict(r.headers)
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, time.perf_counter() - t0, dict(exc.headers)


def rate_limit_burst(url: str, upload: bytes, *, uploads: int = 15, exports: int = 30) -> dict:
    """From one address: ``uploads`` uploads, then ``exports`` image exports (each a
    distinct small picture), then data downloads, as fast as answers come."""
    out: dict = {}
    got = [_post_upload(url, upload, f"team-{i}.csv") for i in range(uploads)]
    out["uploads"] = _tally(got)
    got = [
        _get(f"{url}/export/trends.svg?width=640&height=400&year=2000-{2000 + i}", 60)[:3]
        for i in range(exports)
    ]
    out["exports"] = _tally(got)
    got = [_get(f"{url}/data/trends.csv?year=2000-{2000 + i}", 60)[:3] for i in range(130)]
    out["data"] = _tally(got)
    return out


def _tally(answers: list[tuple]) -> dict:
    limited = [a for a in answers if a[0] == 429]
    return {
        "requests": len(answers),
        "statuses": {str(s): sum(1 for a in answers if a[0] == s) for s in {a[0] for a in answers}},
        "first_429_at": next((i + 1 for i, a in enumerate(answers) if a[0] == 429), None),
        "p95_429_ms": round(1000 * p95([a[1] for a in limited]), 1) if limited else None,
        "retry_after": sorted({int(a[2]["Retry-After"]) for a in limited}) if limited else [],
    }
