"""Per-client rate limits on the routes that cost the server: uploads and exports.

Without them one client could fill the upload store to its cap (pushing out other
visitors' files) or queue image exports without end. Limits count per client address in
fixed windows; the counters live in the shared Redis when the app has one (``--cache
redis://…``: every worker and host counts together), else in a small SQLite file in the
host's private upload folder (every worker of the host counts together).

An answer over the limit is ``429`` with ``Retry-After`` and a plain sentence.

Settings (environment; the syntax is Flask-Limiter's, e.g. ``"10 per minute;60 per
hour"``): ``IOME_RATE_UPLOAD``, ``IOME_RATE_EXPORT`` (renders: images and decks 1,
animations 1 per frame), ``IOME_RATE_DATA``
(CSV/XLSX downloads); ``IOME_RATE_LIMITS=off`` turns all of them off; behind a reverse
proxy, ``IOME_PROXY_HOPS=N`` takes the client address from the last N ``X-Forwarded-For``
entries.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, Response
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage, Storage

from components.cache import no_retry

DEFAULT_LIMITS = {
    "upload": "10 per minute;60 per hour",
    # renders: an image or deck counts 1, an animation 1 per frame (at most 80)
    "export": "100 per minute;600 per hour",
    "data": "120 per minute",
}
ENV = {"upload": "IOME_RATE_UPLOAD", "export": "IOME_RATE_EXPORT", "data": "IOME_RATE_DATA"}
# endpoint name -> which limit applies
ENDPOINTS = {
    "upload": "upload",
    "export_view": "export",
    "export_data": "data",
}
WHAT = {
    "upload": "uploads",
    "export": "image and slide exports",
    "data": "data downloads",
}


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file shared by a host's workers
    (``iome-sqlite:///path/to/file``). Each increment is one short write transaction;
    while the file is busy ("database is locked") or broken, this process counts in
    memory instead, so a burst never turns a store error into a 500 (Flask-Limiter's own
    fallback lets concurrent errors through)."""

    STORAGE_SCHEME = ["iome-sqlite"]  # noqa: RUF012 (the base class declares it)

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        self._local = threading.local()
        self._memory = MemoryStorage()
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, n INTEGER, until REAL)"
            )

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=0.5, isolation_level=None)
            with contextlib.suppress(sqlite3.Error):
                db.execute("PRAGMA journal_mode=WAL")
            self._local.db, self._local.pid = db, os.getpid()
        return _Transaction(db)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        try:
            return self._incr(key, expiry, amount)
        except sqlite3.Error:
            return self._memory.incr(key, expiry, amount=amount)

    def _incr(self, key: str, expiry: int, amount: int) -> int:
        now = time.time()
        with self._db() as db:
            db.execute("DELETE FROM hits WHERE until <= ?", (now,))
            db.execute(
                "INSERT INTO hits (key, n, until) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET n = n + excluded.n",
                (key, amount, now + expiry),
            )
            return db.execute("SELECT n FROM hits WHERE key = ?", (key,)).fetchone()[0]

    def get(self, key: str) -> int:
        try:
            row = self._row(key)
        except sqlite3.Error:
            return self._memory.get(key)
        return max(row[0] if row else 0, self._memory.get(key))

    def get_expiry(self, key: str) -> float:
        try:
            row = self._row(key)
        except sqlite3.Error:
            return self._memory.get_expiry(key)
        return row[1] if row else time.time()

    def _row(self, key: str):
        with self._db() as db:
            return db.execute(
                "SELECT n, until FROM hits WHERE key = ? AND until > ?", (key, time.time())
            ).fetchone()

    def check(self) -> bool:
        try:
            with self._db() as db:
                db.execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        with self._db() as db:
            return db.execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM hits WHERE key = ?", (key,))


class _Transaction:
    """``with`` block = one IMMEDIATE transaction on a connection kept per thread."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def default_storage(directory: str | Path) -> str:
    """The host-wide counter file in the (private) upload folder."""
    folder = Path(directory)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"iome-sqlite://{folder / 'rate-limits.sqlite'}"


def limits_from_env() -> dict[str, str] | None:
    """The limit of each kind, or ``None`` when limits are turned off."""
    if os.environ.get("IOME_RATE_LIMITS", "on").strip().lower() in {"off", "0", "false", "no"}:
        return None
    return {kind: os.environ.get(ENV[kind]) or rate for kind, rate in DEFAULT_LIMITS.items()}


def register_limits(
    server: Flask, storage_url: str | None = None, directory: str | Path | None = None
) -> Limiter | None:
    """Limit the upload, export and data routes of ``server`` (call after they exist).

    Counters: in Redis at ``storage_url`` when given, else in a SQLite file in
    ``directory`` (the host's private upload folder), else in this process's memory.
    """
    limits = limits_from_env()
    hops = int(os.environ.get("IOME_PROXY_HOPS", "0") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if limits is None:
        return None
    limiter = Limiter(
        key_func=get_remote_address,
        app=server,
        storage_uri=storage_url
        or (default_storage(directory) if directory is not None else "memory://"),
        # a Redis outage must not take uploads and exports down with it
        in_memory_fallback_enabled=True,
        swallow_errors=True,  # a store error never becomes a 500 (the request goes on)
        storage_options={"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry": no_retry()}
        if storage_url
        else {},
        headers_enabled=False,  # Retry-After is set on the 429 answers only
        strategy="fixed-window",
        key_prefix="iome-limits",
    )

    def cost() -> int:  # an animation counts one render per frame (components.routes)
        counted = server.extensions.get("iome_export_cost")
        return counted() if counted is not None else 1

    for endpoint, kind in ENDPOINTS.items():
        view = server.view_functions.get(endpoint)
        if view is not None:
            server.view_functions[endpoint] = limiter.limit(
                limits[kind], scope=kind, error_message=kind,
                cost=cost if kind == "export" else 1,
            )(view)  # fmt: skip

    @server.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        what = WHAT.get(str(exc.description), "requests")
        current = limiter.current_limit
        wait = int(current.reset_at - time.time()) if current is not None else 60
        response = Response(
            f"Too many {what} from your address (limit: {exc.limit.limit}). Please try "
            f"again in {max(1, wait)} s.",
            status=429,
            mimetype="text/plain",
        )
        response.headers["Retry-After"] = str(max(1, wait))
        return response

    return limiter
