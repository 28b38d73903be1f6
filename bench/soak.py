"""A bounded soak of the production server: many clients, mixed requests, an optional
worker kill, and checks that every session only ever sees its own data.

``run_soak(duration_s, clients=16, kill_at_s=None, workers=2, warmup_s=5.0)`` starts
``iome-map serve --workers N`` (gunicorn, ``--preload``) on 127.0.0.1 with a fresh upload
folder, then runs ``clients`` threads for ``duration_s`` seconds. Client *i* owns a CSV
of the demo file's first ``10 + 3 i`` rows and loops over a seeded random mix of:

* ``upload``: ``POST /upload`` of its own file (the first action of every client, then
  about one action in ten);
* ``callback``: the request that draws the dashboard for a URL, for a varied query (the
  request body is captured once from a real page load in headless Chromium);
* ``csv``: ``GET /data/articles.csv?<query>``;
* ``healthz``: ``GET /healthz``;
* ``layout``: ``GET /_dash-layout``.

Every answer that reveals a dataset is checked against the client's own file (expected
counts and article ids are computed locally with the ``evidence`` package): a mismatch is
an *isolation violation*, counted apart from HTTP errors. A connection dropped by the
server is retried once; both attempts are recorded. Memory (RSS and PSS sums of the
gunicorn master and workers) is read after ``warmup_s`` seconds of the mix and again
after the last request. With ``kill_at_s`` one worker (a child of the gunicorn master) is
killed with SIGKILL at that time; the result says which, when gunicorn's replacement
appeared and when ``/healthz`` was first answered by the replacement itself.

Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import http.client
import io
import itertools
import json
import os
import random
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from bench import in_own_thread, summary
from bench.server import HOST, Server

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "articles.csv"
CALLBACK_PATH = "/_dash-update-component"
COOKIE = "iome_session"

# Dashboard queries: filters that keep, narrow or empty each client's file, and display
# settings that change the views but not the articles.
QUERIES = (
    "",
    "?year=2005-2015",
    "?year=2000-2003",
    "?format=mobility.outbound",
    "?country=UGA&role=setting",
    "?origin_income=H&align=by_income",
    "?stack=motivation",
    "?format=mobility.outbound,mobility.inbound&year=2000-2020",
)
# Action weights after the first (always an upload): about one upload in ten.
MIX = (("upload", 10), ("callback", 35), ("csv", 25), ("healthz", 15), ("layout", 15))
KINDS = tuple(k for k, _ in MIX)
# A dropped connection (the worker serving it died) is retried once; a timeout is not.
RETRYABLE = (
    http.client.RemoteDisconnected,
    http.client.BadStatusLine,
    http.client.IncompleteRead,
    ConnectionResetError,
    ConnectionAbortedError,
    ConnectionRefusedError,
    BrokenPipeError,
)
REQUEST_TIMEOUT_S = 60.0
PROBE_TIMEOUT_S = 30.0
REPLACEMENT_TIMEOUT_S = 30.0
PARALLEL_PROBES = 4

_CAPTURED: dict | None = None
_CAPTURE_LOCK = threading.Lock()


# --- the callback request, captured from a real page ------------------------------------


def _is_url_render(body: dict) -> bool:
    """The request that draws the page for its URL: the state writer (``update_state``),
    which takes the URL's search as an input and answers with every view."""
    return "rendered-search.data" in str(body.get("output", "")) and any(
        item.get("id") == "url" and item.get("property") == "search"
        for item in _items(body.get("inputs"))
    )


def _items(parts) -> list[dict]:
    """A request's inputs or states as one list (a pattern's matches come as a list)."""
    out = []
    for part in parts or []:
        out += [p for p in part if isinstance(p, dict)] if isinstance(part, list) else [part]
    return [p for p in out if isinstance(p, dict)]


def capture_render_request(url: str, timeout_s: float = 60.0) -> dict:
    """The JSON body Chromium posts to draw the page when it loads ``url``.

    Runs Playwright in its own thread, so that it never meets an event loop (or another
    sync Playwright) of the calling thread. The result is kept for the process: the body
    depends on the app's layout and callbacks, not on the server it came from.
    """
    global _CAPTURED
    with _CAPTURE_LOCK:
        if _CAPTURED is not None:
            return json.loads(json.dumps(_CAPTURED))

        def run() -> dict:
            from playwright.sync_api import sync_playwright

            from bench.browser import launch

            bodies: list[dict] = []

            def on_request(req) -> None:
                if req.method == "POST" and CALLBACK_PATH in req.url:
                    with contextlib.suppress(ValueError, TypeError):
                        body = json.loads(req.post_data or "")
                        if _is_url_render(body):
                            bodies.append(body)

            with sync_playwright() as pw:
                browser = launch(pw)
                try:
                    page = browser.new_page()
                    page.on("request", on_request)
                    page.goto(url + "/?year=2005-2015")
                    deadline = time.monotonic() + timeout_s
                    while not bodies and time.monotonic() < deadline:
                        page.wait_for_timeout(100)
                finally:
                    browser.close()
            if not bodies:
                raise RuntimeError("no render request seen while loading the page")
            return bodies[0]

        _CAPTURED = in_own_thread(run, "soak-capture")
        return json.loads(json.dumps(_CAPTURED))


def callback_body(template: dict, base_url: str, query: str) -> bytes:
    """The captured body with the URL's search (and href) set to ``query``.

    The ``rendered-search`` state is left empty, so the server draws every view.
    """
    body = json.loads(json.dumps(template))
    body["changedPropIds"] = ["url.search"]  # what a new URL sends
    for item in _items(body.get("inputs")) + _items(body.get("state")):
        if item.get("id") == "url" and item.get("property") == "search":
            item["value"] = query
        elif item.get("id") == "url" and item.get("property") == "href":
            item["value"] = f"{base_url}/{query}"
        elif item.get("id") == "rendered-search":
            item.pop("value", None)
    return json.dumps(body).encode()


# --- the clients' files and what each must see ------------------------------------------


@dataclass
class Expected:
    """One client's file and the answers its session must get."""

    index: int
    name: str
    content: bytes
    n: int
    counts: dict[str, int]  # query -> filtered article count
    ids: dict[str, frozenset[str]]  # query -> filtered article ids


def client_files(clients: int) -> list[Expected]:
    """Client i: the demo file's first 10 + 3 i rows, with what each query must return."""
    from evidence.filters import apply
    from evidence.load import load
    from evidence.state import parse_query

    lines = DEMO.read_text(encoding="utf-8").splitlines()
    out = []
    for i in range(clients):
        rows = 10 + 3 * i
        if rows + 1 > len(lines):
            raise ValueError(f"the demo file has too few rows for {clients} clients")
        name = f"soak-client-{i:03d}.csv"
        content = ("\n".join(lines[: rows + 1]) + "\n").encode()
        eb = load(content, name=name)
        if eb.n_articles != rows:
            raise RuntimeError(f"{name}: {eb.n_articles} articles loaded, {rows} expected")
        counts, ids = {}, {}
        for q in QUERIES:
            state, notices = parse_query(q)
            if notices:
                raise ValueError(f"query {q!r} is not clean: {notices}")
            sub = apply(eb, state)
            counts[q] = sub.n_articles
            ids[q] = frozenset(sub.articles["article_id"].astype(str))
        out.append(Expected(i, name, content, rows, counts, ids))
    return out


def csv_ids(data: bytes) -> list[str]:
    """The article ids of an ``/data/articles.csv`` answer, one per data row.

    ``evidence.export.export_table`` writes ``DataFrame.to_csv`` (UTF-8 with BOM): one
    header line, then one record per article (a synthetic file adds a ``data_note``
    column). Records are counted with the csv module, so quoted commas or line breaks
    inside a cell never change the count; lines starting with '#' before the header
    (none today) would be skipped as comments.
    """
    text = data.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    rows = list(csv.reader(io.StringIO("".join(lines))))
    if not rows:
        raise ValueError("empty CSV")
    header = rows[0]
    # the articles file follows the coding contract: its key column is "id"
    key = next((c for c in ("id", "article_id") if c in header), None)
    if key is None:
        raise ValueError(f"no id column in {header[:4]}")
    k = header.index(key)
    return [r[k] for r in rows[1:] if r]


# --- one client ---------------------------------------------------------------------------


@dataclass
class Record:
    kind: str
    start: float  # seconds since the soak started
    end: float
    status: int | None  # None: no HTTP answer
    error: str | None  # exception name, or "HTTP 5xx"
    attempt: int  # 1, or 2 for the retry of a dropped connection
    opened: float = 0.0  # when the connection this request used was opened

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Client:
    expected: Expected
    others: list[str]
    host: str
    port: int
    base_url: str
    callback_bodies: dict[str, bytes]
    t0: float
    stop_at: float
    seed: int
    records: list[Record] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    checks: int = 0
    passed_at: list[float] = field(default_factory=list)  # times of passed checks
    cookie: str | None = None
    link: str = ""  # the upload's URL key (dataset=<key>): links to an upload name it
    uploaded: bool = False
    conn_opened: float = 0.0  # when the client's current keep-alive connection was opened

    def now(self) -> float:
        return time.monotonic() - self.t0

    # HTTP ----------------------------------------------------------------------------
    def _send(self, conn, method, path, body, headers):
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if (resp.getheader("Content-Encoding") or "").lower() == "gzip":
            data = gzip.decompress(data)
        cookies = resp.headers.get_all("Set-Cookie") or []
        if resp.will_close:
            conn.close()
        return resp.status, data, cookies

    def request(self, conn, kind, method, path, body=None, headers=None):
        """Send one request (and its one retry when the connection dropped)."""
        headers = {"Accept-Encoding": "gzip", **(headers or {})}
        if self.cookie:
            headers["Cookie"] = f"{COOKIE}={self.cookie}"
        for attempt in (1, 2):
            start = self.now()
            if conn.sock is None:  # http.client connects now: a new connection
                self.conn_opened = start
            opened = self.conn_opened
            try:
                status, data, cookies = self._send(conn, method, path, body, headers)
            except RETRYABLE as exc:
                conn.close()
                self.records.append(
                    Record(kind, start, self.now(), None, _name(exc), attempt, opened)
                )
                if attempt == 1:
                    continue
                return None, b"", []
            except Exception as exc:  # timeouts, undecodable answers and the like
                conn.close()
                self.records.append(
                    Record(kind, start, self.now(), None, _name(exc), attempt, opened)
                )
                return None, b"", []
            error = None if 200 <= status < 300 else f"HTTP {status}"
            self.records.append(Record(kind, start, self.now(), status, error, attempt, opened))
            return status, data, cookies
        return None, b"", []

    # checks --------------------------------------------------------------------------
    def check(self, kind: str, ok: bool, detail: str) -> None:
        self.checks += 1
        if ok:
            self.passed_at.append(self.now())
        else:
            self.violations.append(
                {
                    "client": self.expected.index,
                    "kind": kind,
                    "at_s": round(self.now(), 2),
                    "detail": detail[:300],
                }
            )

    # actions -------------------------------------------------------------------------
    def upload(self, conn) -> None:
        exp = self.expected
        boundary = f"soak{exp.index:03d}{random.getrandbits(48):012x}"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{exp.name}"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + exp.content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-IoME-Upload": "1",
            "Accept": "application/json",
        }
        status, data, cookies = self.request(conn, "upload", "POST", "/upload", body, headers)
        if status != 200:
            return
        for line in cookies:
            jar = SimpleCookie()
            jar.load(line)
            if COOKIE in jar and jar[COOKIE].value:
                self.cookie = jar[COOKIE].value
        try:
            answer = json.loads(data)
        except ValueError:
            answer = {}
        good = (
            answer.get("status") == "loaded"
            and answer.get("articles") == exp.n
            and answer.get("filename") == exp.name
            and self.cookie is not None
        )
        self.check(
            "upload",
            good,
            f"upload answer {answer.get('status')!r}, {answer.get('articles')!r} articles, "
            f"file {answer.get('filename')!r}, cookie {'set' if self.cookie else 'missing'}",
        )
        if good:
            self.uploaded = True
            self.link = str(answer.get("link", "")).partition("dataset=")[2]

    def linked(self, query: str) -> str:
        """``query`` naming this client's upload, as the page's links do after an upload."""
        if not self.link:
            return query
        return f"{query}{'&' if query else '?'}dataset={self.link}"

    def callback(self, conn, query: str) -> None:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        body = self.callback_bodies[query]
        if self.link:  # the page's URL names the upload: so does the search it sends
            parsed = json.loads(body)
            for item in _items(parsed.get("inputs")) + _items(parsed.get("state")):
                if item.get("id") == "url" and item.get("property") == "search":
                    item["value"] = self.linked(query)
            body = json.dumps(parsed).encode()
        status, data, _ = self.request(conn, "callback", "POST", CALLBACK_PATH, body, headers)
        if status != 200 or not self.uploaded:
            return
        exp = self.expected
        want = f"{exp.counts[query]:,} of {exp.n:,} articles"
        try:
            # the count rides in the page's text store (drawn by assets/page.js)
            got = json.loads(data)["response"]["page-text"]["data"]["count"]
        except (ValueError, KeyError, TypeError):
            got = None
        self.check("callback", got == want, f"{query!r}: count {got!r}, expected {want!r}")

    def csv(self, conn, query: str) -> None:
        path = "/data/articles.csv" + self.linked(query)
        status, data, _ = self.request(conn, "csv", "GET", path)
        if status != 200 or not self.uploaded:
            return
        exp = self.expected
        try:
            ids = csv_ids(data)
        except (ValueError, UnicodeDecodeError) as exc:
            self.check("csv", False, f"{query!r}: unreadable CSV ({exc})")
            return
        good = len(ids) == exp.counts[query] and set(ids) == exp.ids[query]
        self.check(
            "csv",
            good,
            f"{query!r}: {len(ids)} rows, expected {exp.counts[query]}; "
            f"foreign ids {sorted(set(ids) - exp.ids[query])[:5]}",
        )

    def healthz(self, conn) -> None:
        status, data, _ = self.request(conn, "healthz", "GET", "/healthz" + self.linked(""))
        if status != 200 or not self.uploaded:
            return
        try:
            articles = json.loads(data).get("articles")
        except (ValueError, AttributeError):
            articles = None
        n = self.expected.n
        self.check("healthz", articles == n, f"healthz articles {articles!r}, own file has {n}")

    def layout(self, conn) -> None:
        # the layout fetch names the upload through its page's address (the Referer)
        referer = {"Referer": "/" + self.linked("")} if self.link else {}
        status, data, _ = self.request(conn, "layout", "GET", "/_dash-layout", headers=referer)
        if status != 200 or not self.uploaded:
            return
        text = data.decode("utf-8", "replace")
        foreign = [name for name in self.others if name in text]
        own = self.expected.name in text
        self.check(
            "layout",
            own and not foreign,
            f"layout {'names' if own else 'lacks'} its own file; other clients' files: "
            f"{foreign[:3]}",
        )

    def run(self) -> None:
        rng = random.Random(self.seed)
        kinds, weights = zip(*MIX, strict=True)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            first = True
            while time.monotonic() < self.stop_at:
                kind = "upload" if first else rng.choices(kinds, weights)[0]
                first = False
                query = rng.choice(QUERIES)
                if kind == "upload":
                    self.upload(conn)
                elif kind == "callback":
                    self.callback(conn, query)
                elif kind == "csv":
                    self.csv(conn, query)
                elif kind == "healthz":
                    self.healthz(conn)
                else:
                    self.layout(conn)
        finally:
            conn.close()


def _name(exc: BaseException) -> str:
    return "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__


# --- gunicorn's workers ---------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def worker_pids(server: Server) -> set[int]:
    """Live children of the gunicorn master (``iome-map serve`` execs gunicorn in place)."""
    master = server.proc.pid
    out = set()
    for pid in server.pids():
        st = _stat(pid)
        if st and st[1] == master and st[0] != "Z":
            out.add(pid)
    return out


def _sockets(pid: int) -> set[str]:
    """The ``socket:[inode]`` links among a process's open files."""
    out = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                if link.startswith("socket:"):
                    out.add(link)
    return out


def _socket_owner(server_port: int, client_port: int, pids: set[int]) -> int | None:
    """The worker holding the server side of the connection from ``client_port``."""
    local = f"0100007F:{server_port:04X}"
    remote = f"0100007F:{client_port:04X}"
    inode = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            parts = line.split()
            if len(parts) > 9 and parts[1] == local and parts[2] == remote:
                inode = int(parts[9])
                break
    if not inode:
        return None  # still in the listen queue: no worker has accepted it
    target = f"socket:[{inode}]"
    return next((pid for pid in pids if target in _sockets(pid)), None)


class _Probe:
    """``GET /healthz`` held open before its final blank line, so that the worker that
    accepted it can be named before it answers."""

    def __init__(self, port: int):
        self.port = port
        self.sock = socket.create_connection((HOST, port), timeout=PROBE_TIMEOUT_S)
        self.client_port = self.sock.getsockname()[1]
        self.sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\n".encode())

    def finish(self) -> tuple[int | None, dict]:
        """Complete the request; the status and JSON body of the answer."""
        try:
            self.sock.sendall(b"Connection: close\r\n\r\n")
            chunks = []
            while chunk := self.sock.recv(65536):
                chunks.append(chunk)
        except OSError:
            return None, {}
        finally:
            self.sock.close()
        head, _, payload = b"".join(chunks).partition(b"\r\n\r\n")
        words = head.split(b"\r\n", 1)[0].split()
        status = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
        try:
            body = json.loads(payload or b"{}")
        except ValueError:
            body = {}
        return status, body


def watch_replacement(server: Server, pid: int, t_ref: float, deadline: float) -> dict:
    """When the worker ``pid`` first accepted a connection, and when it first answered
    ``/healthz`` itself (seconds after ``t_ref``).

    A few probes wait in the listen queue at a time, next to the clients' requests; each
    is completed as soon as a worker has accepted it, and replaced by a new one unless the
    worker was ``pid`` and the answer a 200.
    """
    listeners = _sockets(server.proc.pid)
    first_accept = None
    attempts = 0
    others: Counter = Counter()
    probes: list[_Probe] = []
    answer = None
    try:
        while answer is None and time.monotonic() < deadline:
            if first_accept is None and _sockets(pid) - listeners:
                first_accept = time.monotonic() - t_ref
            while len(probes) < PARALLEL_PROBES:
                probes.append(_Probe(server.port))
                attempts += 1
            workers = worker_pids(server)
            for probe in list(probes):
                owner = _socket_owner(server.port, probe.client_port, workers)
                if owner is None:
                    continue
                probes.remove(probe)
                status, body = probe.finish()
                if owner == pid and status == 200:
                    answer = {"status": status, "body": body, "s": time.monotonic() - t_ref}
                    if first_accept is None:
                        first_accept = answer["s"]
                    break
                others[str(owner)] += 1
            time.sleep(0.002)
    finally:
        for probe in probes:  # complete the rest, so that no worker waits on them
            probe.finish()
    return {
        "first_accept_s": round(first_accept, 3) if first_accept is not None else None,
        "healthz_s": round(answer["s"], 3) if answer else None,
        "healthz": {"status": answer["status"], "body": answer["body"]} if answer else None,
        "probes": attempts,
        "probes_taken_by_other_workers": dict(others),
    }


# --- the soak ---------------------------------------------------------------------------


@contextlib.contextmanager
def _server_env(upload_dir: Path):
    """The environment the server starts with: a fresh upload folder, production settings
    (the test suite's figure validation off). Restored afterwards."""
    saved = {k: os.environ.get(k) for k in ("IOME_UPLOAD_DIR", "IOME_VALIDATE_FIGURES")}
    os.environ["IOME_UPLOAD_DIR"] = str(upload_dir)
    os.environ.pop("IOME_VALIDATE_FIGURES", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _sleep_until(t: float) -> None:
    while (left := t - time.monotonic()) > 0:
        time.sleep(min(left, 0.05))


def kill_one_worker(server: Server, t0: float, rng: random.Random) -> dict:
    """SIGKILL one gunicorn worker; wait for its replacement and for /healthz from it."""
    before = worker_pids(server)
    if not before:
        return {"error": "no gunicorn worker found"}
    victim = rng.choice(sorted(before))
    t_kill = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    # Dead once a zombie or reaped: it can accept nothing after that moment.
    while (st := _stat(victim)) is not None and st[0] != "Z":
        time.sleep(0.001)
    t_dead = time.monotonic()
    deadline = t_kill + REPLACEMENT_TIMEOUT_S
    replacement = None
    while replacement is None and time.monotonic() < deadline:
        fresh = worker_pids(server) - before
        replacement = min(fresh) if fresh else None
        time.sleep(0.002)
    t_replaced = time.monotonic() if replacement else None
    watch = watch_replacement(server, replacement, t_kill, deadline) if replacement else {}
    return {
        "at_s": round(t_kill - t0, 3),
        "pid": victim,
        "workers_before": sorted(before),
        "dead_after_s": round(t_dead - t_kill, 4),
        "dead_at_s": t_dead - t0,
        "replacement_pid": replacement,
        "replacement_appeared_s": round(t_replaced - t_kill, 3) if t_replaced else None,
        "replacement_first_accept_s": watch.get("first_accept_s"),
        "healthz_from_replacement_s": watch.get("healthz_s"),
        "healthz_from_replacement": watch.get("healthz"),
        "probes": watch.get("probes"),
        "probes_taken_by_other_workers": watch.get("probes_taken_by_other_workers"),
        "workers_after": sorted(worker_pids(server)),
    }


def _consecutive_failures(records: list[Record]) -> int:
    run = worst = 0
    for r in records:
        run = 0 if r.ok else run + 1
        worst = max(worst, run)
    return worst


def _longest_silence(records: list[Record], start: float, end: float) -> float:
    """The longest time without any successful answer, over [start, end]."""
    times = sorted(r.end for r in records if r.ok and start <= r.end <= end)
    edges = [start, *times, end]
    return max(b - a for a, b in itertools.pairwise(edges))


def _log_tail(server: Server, chars: int = 4000) -> str:
    try:
        return server.log_path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def run_soak(
    duration_s: float,
    clients: int = 16,
    kill_at_s: float | None = None,
    workers: int = 2,
    warmup_s: float = 5.0,
    *,
    seed: int = 20261125,
    progress=None,
) -> dict:
    """Run one soak on a freshly started production server; a JSON-ready result.

    ``progress`` (optional) is called with one-line progress messages.
    """
    say = progress or (lambda _m: None)
    expected = client_files(clients)
    names = [e.name for e in expected]
    work = Path(tempfile.mkdtemp(prefix="iome-soak-"))
    upload_dir = work / "uploads"
    upload_dir.mkdir()
    with _server_env(upload_dir):
        server = Server(DEMO, workers=workers, log_dir=work)
        server.start()
    result: dict = {}
    try:
        deadline = time.monotonic() + 60  # all workers up before the clients start
        while len(worker_pids(server)) < workers and time.monotonic() < deadline:
            time.sleep(0.05)
        say(
            f"server on {server.url} (cold start {server.cold_start_s:.1f} s), workers "
            f"{sorted(worker_pids(server))}"
        )
        t_cap = time.monotonic()
        template = capture_render_request(server.url)
        capture_s = time.monotonic() - t_cap
        bodies = {q: callback_body(template, server.url, q) for q in QUERIES}
        rng = random.Random(seed)
        t0 = time.monotonic()
        stop_at = t0 + duration_s
        pool = [
            Client(
                expected=e,
                others=[n for n in names if n != e.name],
                host=HOST,
                port=server.port,
                base_url=server.url,
                callback_bodies=bodies,
                t0=t0,
                stop_at=stop_at,
                seed=seed * 1000 + e.index,
            )
            for e in expected
        ]
        threads = [
            threading.Thread(target=c.run, name=f"soak-{c.expected.index}", daemon=True)
            for c in pool
        ]
        for t in threads:
            t.start()
        say(f"{clients} clients running for {duration_s:.0f} s")
        killer = None
        kill: dict = {}
        if kill_at_s is not None:

            def kill_later() -> None:
                _sleep_until(t0 + kill_at_s)
                try:
                    kill.update(kill_one_worker(server, t0, rng))
                except Exception as exc:  # reported, and the checks then fail
                    kill["error"] = f"{type(exc).__name__}: {exc}"
                say(
                    f"killed worker {kill.get('pid')}; replacement {kill.get('replacement_pid')} "
                    f"after {kill.get('replacement_appeared_s')} s, answered /healthz after "
                    f"{kill.get('healthz_from_replacement_s')} s"
                )

            killer = threading.Thread(target=kill_later, name="soak-kill", daemon=True)
            killer.start()
        _sleep_until(t0 + warmup_s)
        memory_warm = {**server.memory(), "at_s": round(time.monotonic() - t0, 2)}
        say(f"memory after warm-up: {memory_warm}")
        for t in threads:
            t.join(duration_s + 2 * REQUEST_TIMEOUT_S + 10)
        hung = [t.name for t in threads if t.is_alive()]
        t_end = time.monotonic()
        memory_end = {**server.memory(), "at_s": round(t_end - t0, 2)}
        say(f"memory after the last request: {memory_end}")
        if killer is not None:
            killer.join(REPLACEMENT_TIMEOUT_S + PROBE_TIMEOUT_S)
        result = _summarise(
            pool, kill if kill_at_s is not None else None, memory_warm, memory_end, t_end - t0, hung
        )
        result["config"] = {
            "duration_s": duration_s,
            "clients": clients,
            "kill_at_s": kill_at_s,
            "workers": workers,
            "warmup_s": warmup_s,
            "seed": seed,
            "queries": list(QUERIES),
            "mix": dict(MIX),
            "files_rows": [e.n for e in expected],
        }
        result["server"] = {
            "url": server.url,
            "cold_start_s": round(server.cold_start_s or 0, 2),
            "capture_s": round(capture_s, 2),
        }
    except BaseException as exc:
        exc.add_note("end of the server log:\n" + _log_tail(server))
        raise
    finally:
        server.stop()
        if result.get("errors", {}).get("by_status"):  # the tracebacks of any 5xx
            result["server_log_tail"] = _log_tail(server)
        shutil.rmtree(work, ignore_errors=True)
    return result


def _summarise(pool, kill, memory_warm, memory_end, elapsed, hung) -> dict:
    records = [r for c in pool for r in c.records]
    by_kind = {}
    for kind in KINDS:
        rs = [r for r in records if r.kind == kind]
        by_kind[kind] = {
            "requests": len(rs),
            "ok": sum(r.ok for r in rs),
            "errors": sum(not r.ok for r in rs),
            "latency_ms": summary([(r.end - r.start) * 1000 for r in rs if r.ok]),
        }
    bad = [r for r in records if not r.ok]
    by_status = Counter(str(r.status) for r in bad if r.status is not None)
    by_exception = Counter(r.error for r in bad if r.status is None)
    retries = [r for r in records if r.attempt == 2]
    violations = [v for c in pool for v in c.violations]
    per_client = [_consecutive_failures(c.records) for c in pool]
    ok = sum(r.ok for r in records)
    memory = {"warm": memory_warm, "end": memory_end}
    for key in ("pss_mb", "rss_mb"):
        warm, end = (memory_warm or {}).get(key), (memory_end or {}).get(key)
        memory[f"ratio_{key[:3]}"] = round(end / warm, 4) if warm and end else None
    memory["basis"] = "pss" if memory["ratio_pss"] is not None else "rss"
    memory["ratio"] = memory[f"ratio_{memory['basis']}"]
    out = {
        "elapsed_s": round(elapsed, 2),
        "requests": len(records),
        "ok": ok,
        "throughput_rps": round(ok / elapsed, 2) if elapsed else None,
        "by_kind": by_kind,
        "errors": {
            "total": len(bad),
            "by_status": dict(by_status),
            "by_exception": dict(by_exception),
            "retries": len(retries),
            "retries_ok": sum(r.ok for r in retries),
        },
        "isolation_checks": sum(c.checks for c in pool),
        "isolation_violations": len(violations),
        "isolation_by_kind": dict(Counter(v["kind"] for v in violations)),
        "isolation_examples": violations[:10],
        "max_consecutive_failures": max(per_client, default=0),
        "max_consecutive_failures_by_client": per_client,
        "longest_silence_s": round(_longest_silence(records, 0.0, elapsed), 3),
        "clients_without_upload": [c.expected.index for c in pool if not c.uploaded],
        "hung_clients": hung,
        "memory": memory,
        "kill": None,
    }
    if kill is not None and "pid" in kill:
        dead = kill.pop("dead_at_s")
        # A keep-alive connection the killed worker had accepted fails its next request
        # even when that request starts after the kill (it is retried on a new one); what
        # must never fail is a request on a connection opened after the worker died.
        after = [r for r in records if r.opened >= dead]
        window = (dead - 1.0, min(dead + 5.0, elapsed))
        kill["started_after_kill"] = {
            "requests": len(after),
            "ok": sum(r.ok for r in after),
            "failed": sum(not r.ok for r in after),
            "first_attempts_failed": sum(not r.ok for r in after if r.attempt == 1),
        }
        kill["started_after_kill_on_older_connections"] = {
            "requests": sum(r.start >= dead > r.opened for r in records),
            "failed": sum(not r.ok for r in records if r.start >= dead > r.opened),
        }
        kill["failed_around_kill"] = [
            {
                "kind": r.kind,
                "start_s": round(r.start, 3),
                "end_s": round(r.end, 3),
                "error": r.error,
                "attempt": r.attempt,
            }
            for r in records
            if not r.ok and window[0] <= r.end <= window[1]
        ][:20]
        kill["longest_silence_around_kill_s"] = round(_longest_silence(records, *window), 3)
        kill["clients_verified_after_kill"] = sum(any(t >= dead for t in c.passed_at) for c in pool)
    out["kill"] = kill
    return out
