"""Review teams' own files: upload routes, per-session storage and the per-request dataset.

An upload is kept server-side under an unguessable per-session key (a random token in an
HttpOnly cookie), never in a module-level global:

* the raw bytes, the file name and the column mapping go to a :class:`FileStore` (a
  private directory shared by the workers of one host) or a :class:`RedisStore` (shared
  by hosts), both with an expiry and a size cap, so any worker, including one started
  after another died, rebuilds the same evidence base from them;
* each worker keeps the last few parsed evidence bases in a small LRU keyed by token.

Stored files are named by a hash of the token, so a directory listing or a Redis key scan
does not reveal a cookie. A session without a (live) upload sees the default dataset.

Routes (all same-origin; the POSTs need the ``X-IoME-Upload`` header, which a cross-site
form cannot send):

* ``POST /upload`` (multipart field ``file``): screen, store, load; JSON answer with
  ``status`` ``loaded`` / ``needs_mapping`` / ``rejected``;
* ``POST /upload/clear``: forget this session's upload (back to the default dataset);
* ``GET /upload/template.csv``: the coding template.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, Response, g, has_request_context, jsonify, request

from components.ids import ID
from evidence.clean_text import strip_controls
from evidence.codebook import CodebookError, enter_codebook, leave_codebook, using_codebook
from evidence.fields import DATASET_KEY
from evidence.load import load
from evidence.mapping import MappingError
from evidence.model import EvidenceBase
from evidence.safe_table import write_csv
from evidence.schema import MISSING_COLUMN
from evidence.schemes import (
    BUNDLED,
    SchemeError,
    bundled_mapping,
    keep_codebook_upload,
    read_mapping_upload,
    scheme_codebook,
)
from evidence.upload import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UNZIPPED,
    DEFAULT_PARSE_MB,
    MAX_COLUMNS,
    load_bounded,
    screen,
    template_csv,
)

COOKIE = "iome_session"
HEADER = "X-IoME-Upload"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_PROBLEMS_SENT = 500


@dataclass(frozen=True)
class UploadSettings:
    """Limits and storage of uploads; every field can be set from the environment."""

    max_bytes: int = DEFAULT_MAX_BYTES  # IOME_UPLOAD_MAX_MB
    max_unzipped: int = DEFAULT_MAX_UNZIPPED  # IOME_UPLOAD_MAX_UNZIPPED_MB
    ttl_s: int = 8 * 3600  # IOME_UPLOAD_TTL_HOURS
    store_cap_bytes: int = 1024 * 1024 * 1024  # IOME_UPLOAD_STORE_MB (file store, all sessions)
    per_worker: int = 4  # IOME_UPLOAD_PARSED (parsed bases kept per worker)
    max_rows: int = 100_000  # IOME_UPLOAD_MAX_ROWS (rows per file)
    per_worker_articles: int = 200_000  # articles in all parsed bases kept by one worker
    parse_mb: int = DEFAULT_PARSE_MB  # IOME_UPLOAD_PARSE_MB (memory one parse may add)
    directory: str = ""  # IOME_UPLOAD_DIR (default: a private folder in the temp dir)

    @classmethod
    def from_env(cls) -> UploadSettings:
        env = os.environ
        mb = 1024 * 1024

        def number(name: str, default: float) -> float:
            try:
                value = float(env.get(name, ""))
            except ValueError:
                return default
            return value if value > 0 else default

        return cls(
            max_bytes=int(number("IOME_UPLOAD_MAX_MB", DEFAULT_MAX_BYTES / mb) * mb),
            max_unzipped=int(number("IOME_UPLOAD_MAX_UNZIPPED_MB", DEFAULT_MAX_UNZIPPED / mb) * mb),
            ttl_s=int(number("IOME_UPLOAD_TTL_HOURS", 8) * 3600),
            store_cap_bytes=int(number("IOME_UPLOAD_STORE_MB", 1024) * mb),
            per_worker=int(number("IOME_UPLOAD_PARSED", 4)),
            max_rows=int(number("IOME_UPLOAD_MAX_ROWS", 100_000)),
            parse_mb=int(number("IOME_UPLOAD_PARSE_MB", DEFAULT_PARSE_MB)),
            directory=env.get("IOME_UPLOAD_DIR", ""),
        )


_LINK = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _link_in(query: str) -> str:
    for key, value in parse_qsl(query.lstrip("?"), max_num_fields=100):
        if key == DATASET_KEY and _LINK.fullmatch(value):
            return value
    return ""


def asked_link() -> str:
    """The upload key this request's URL names (``dataset=<key>``), "" when none.

    A GET names it in its own query; a Dash callback in the page's URL (the ``search``
    of the location component it sends); the layout fetch (``/_dash-layout``) in the
    address of the page that asks for it (the same-origin Referer)."""
    if not has_request_context():
        return ""
    if "iome_link" in g:
        return g.iome_link
    query = request.query_string.decode("utf-8", "replace")
    if request.method == "POST":
        query = _callback_search(request.get_json(silent=True))
    elif request.path.endswith("/_dash-layout"):
        referrer = urlsplit(request.referrer or "")
        query = referrer.query if referrer.netloc in ("", request.host) else ""
    g.iome_link = _link_in(query)
    return g.iome_link


def _callback_search(body) -> str:
    """The page URL's query a Dash callback sends (its location component's search)."""
    if not isinstance(body, dict):
        return ""
    for item in [*(body.get("inputs") or []), *(body.get("state") or [])]:
        if isinstance(item, dict) and item.get("id") == ID.URL and item.get("property") == "search":
            value = item.get("value")
            return value if isinstance(value, str) else ""
    return ""


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_directory() -> Path:
    """A folder only this user can read, shared by all workers on this host."""
    return Path(tempfile.gettempdir()) / f"iome-uploads-{os.getuid()}"


class FileStore:
    """Uploads as files in a private directory: ``<hash>.bin`` (bytes) + ``<hash>.json``.

    Writes are atomic (temp file + rename), so concurrent workers never read half a file.
    An entry expires ``ttl_s`` after its last use; past ``cap_bytes`` in all, the least
    recently used entries go first.
    """

    def __init__(self, directory: str | Path, ttl_s: int, cap_bytes: int):
        self.root = Path(directory)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        if self.root.stat().st_uid != os.getuid():
            raise PermissionError(f"upload directory {self.root} belongs to another user")
        self.ttl_s = ttl_s
        self.cap_bytes = cap_bytes

    def _paths(self, token: str) -> tuple[Path, Path]:
        k = _key(token)
        return self.root / f"{k}.bin", self.root / f"{k}.json"

    def _write(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put(self, token: str, content: bytes, meta: dict) -> None:
        """Store a session's file and its description (replacing what it had)."""
        data, info = self._paths(token)
        self._write(data, content)
        self._write(info, json.dumps(meta).encode())
        self.prune()

    def set_meta(self, token: str, meta: dict) -> None:
        """Replace the description of a stored upload."""
        self._write(self._paths(token)[1], json.dumps(meta).encode())

    def meta(self, token: str) -> dict | None:
        """The description of a live upload (None when absent or expired)."""
        data, info = self._paths(token)
        try:
            age = time.time() - info.stat().st_mtime
            if age > self.ttl_s:
                self.delete(token)
                return None
            meta = json.loads(info.read_bytes())
            if age > 60:  # sliding expiry, touched at most once a minute
                now = time.time()
                os.utime(info, (now, now))
                os.utime(data, (now, now))
            return meta
        except (OSError, ValueError):
            return None

    def content(self, token: str) -> bytes | None:
        """The stored bytes of a session's upload."""
        try:
            return self._paths(token)[0].read_bytes()
        except OSError:
            return None

    def delete(self, token: str) -> None:
        """Forget a session's upload."""
        for path in self._paths(token):
            path.unlink(missing_ok=True)

    def available(self) -> bool:
        """The folder is there (files cannot hang the way a network store can)."""
        return self.root.is_dir()

    def state(self) -> dict:
        """What /healthz shows of the store."""
        return {"kind": "folder", "state": "ok" if self.available() else "unavailable"}

    def prune(self) -> None:
        """Drop expired entries, then the least recently used beyond the size cap."""
        now = time.time()
        entries = []
        for info in self.root.glob("*.json"):
            data = info.with_suffix(".bin")
            try:
                mtime, size = info.stat().st_mtime, data.stat().st_size
            except OSError:
                info.unlink(missing_ok=True)
                continue
            if now - mtime > self.ttl_s:
                info.unlink(missing_ok=True)
                data.unlink(missing_ok=True)
            else:
                entries.append((mtime, size, info, data))
        for tmp in self.root.glob(".tmp-*"):  # left by a worker killed while writing
            with contextlib.suppress(OSError):
                if now - tmp.stat().st_mtime > 3600:
                    tmp.unlink()
        total = sum(e[1] for e in entries)
        for _mtime, size, info, data in sorted(entries, key=lambda e: e[0]):
            if total <= self.cap_bytes:
                break
            info.unlink(missing_ok=True)
            data.unlink(missing_ok=True)
            total -= size


REDIS_TIMEOUT_S = 0.2  # connect and socket timeout of every small Redis call
REDIS_BULK_TIMEOUT_S = 5.0  # a file's bytes (up to 20 MB), after a ping has answered
REDIS_RETRY_S = 5.0  # after a failure, Redis is not asked again for this long


class RedisStore:
    """Uploads in Redis (``--cache redis://...``): shared by hosts, expired by Redis.

    Every call has a deadline of :data:`REDIS_TIMEOUT_S` (a file's bytes: a ping first,
    then :data:`REDIS_BULK_TIMEOUT_S`), and after a failure Redis is left alone for
    :data:`REDIS_RETRY_S`: a hung or stopped Redis costs a request at most 0.2 s, then
    nothing, and uploads answer "unavailable" instead of waiting. Uploads survive a Redis
    restart only with persistence (``appendonly yes``; see README, Deployment).
    """

    def __init__(self, url: str, ttl_s: int):
        import redis

        from components.cache import no_retry

        def client(timeout: float):
            return redis.Redis.from_url(
                url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=timeout,
                retry=no_retry(), retry_on_timeout=False,
            )  # fmt: skip

        self.client = client(REDIS_TIMEOUT_S)
        self.bulk = client(REDIS_BULK_TIMEOUT_S)
        self.ttl_s = ttl_s
        self._down_until = 0.0
        self.last_error: str | None = None

    @contextlib.contextmanager
    def _guard(self):
        """Refuse at once while Redis is resting after a failure; start a rest on one."""
        if time.monotonic() < self._down_until:
            raise StoreUnavailable(f"Redis is unavailable ({self.last_error})")
        try:
            yield
        except Exception as exc:
            self._down_until = time.monotonic() + REDIS_RETRY_S
            self.last_error = type(exc).__name__
            raise StoreUnavailable(f"Redis is unavailable ({self.last_error})") from exc

    def available(self) -> bool:
        """Redis answers a ping now (within 0.2 s); False at once while resting."""
        try:
            with self._guard():
                self.client.ping()
        except StoreUnavailable:
            return False
        return True

    def state(self) -> dict:
        """What /healthz shows of the store."""
        up = self.available()
        return {"kind": "redis", "state": "ok" if up else "unavailable",
                "last_error": None if up else self.last_error,
                "aof": self._aof() if up else None}  # fmt: skip

    def _aof(self) -> bool | None:
        """Whether Redis keeps an append-only file (uploads survive its restart only
        then: README, Deployment); None when it does not say."""
        try:  # not guarded: a Redis that hides INFO still stores uploads
            return bool(self.client.info("persistence").get("aof_enabled"))
        except Exception:
            return None

    @staticmethod
    def _keys(token: str) -> tuple[str, str]:
        k = _key(token)
        return f"iome:upload:{k}:bin", f"iome:upload:{k}:meta"

    def put(self, token: str, content: bytes, meta: dict) -> None:
        data, info = self._keys(token)
        with self._guard():
            self.client.ping()
            with self.bulk.pipeline() as pipe:
                pipe.set(data, content, ex=self.ttl_s)
                pipe.set(info, json.dumps(meta), ex=self.ttl_s)
                pipe.execute()

    def set_meta(self, token: str, meta: dict) -> None:
        with self._guard():
            self.client.set(self._keys(token)[1], json.dumps(meta), ex=self.ttl_s)

    def meta(self, token: str) -> dict | None:
        data, info = self._keys(token)
        with self._guard():
            raw = self.client.get(info)
            if raw is None:
                return None
            self.client.expire(info, self.ttl_s)
            self.client.expire(data, self.ttl_s)
        return json.loads(raw)

    def content(self, token: str) -> bytes | None:
        with self._guard():
            self.client.ping()
            return self.bulk.get(self._keys(token)[0])

    def delete(self, token: str) -> None:
        with self._guard():
            self.client.delete(*self._keys(token))


def make_store(settings: UploadSettings, redis_url: str | None = None):
    """Redis when a Redis URL is configured, else the host's private upload folder."""
    if redis_url:
        return RedisStore(redis_url, settings.ttl_s)
    directory = settings.directory or default_directory()
    return FileStore(directory, settings.ttl_s, settings.store_cap_bytes)


def _needs_mapping(eb: EvidenceBase) -> bool:
    return any(p.code == MISSING_COLUMN for p in eb.report.errors)


PENDING = "/pending"  # store-key suffix of a file that awaits a column mapping
MAX_FILENAME = 120


class StoreUnavailable(Exception):
    """The upload store (Redis, or the folder) could not be reached."""


def _problems(report) -> dict:
    data = report.to_dict()
    return {**data, "problems": data["problems"][:MAX_PROBLEMS_SENT]}


class Sessions:
    """Which dataset the current request sees, and the upload actions of one session.

    A session (cookie token ``T``) has at most a loaded upload (store key ``T``) and a file
    awaiting a column mapping (``T/pending``); the loaded one stays in use until a mapping
    succeeds. Every accepted upload moves the session to a new token (no fixation).
    """

    def __init__(self, default: EvidenceBase, store, settings: UploadSettings):
        self.default = default
        self.store = store
        self.settings = settings
        self._parsed: OrderedDict[str, EvidenceBase] = OrderedDict()
        self._lock = threading.Lock()

    # --- the current request -----------------------------------------------------
    def token(self) -> str | None:
        """This request's session token, when it carries a well-formed one."""
        if not has_request_context():
            return None
        token = request.cookies.get(COOKIE, "")
        return token if _TOKEN.fullmatch(token) else None

    def _meta(self, key: str) -> dict | None:
        try:
            meta = self.store.meta(key)
        except Exception:  # a store outage shows the default data, never an error page
            return None
        return meta if isinstance(meta, dict) else None

    def upload(self) -> dict | None:
        """The description of this session's loaded upload, if any."""
        token = self.token()
        if token is None:
            return None
        if "iome_upload" not in g:
            meta = self._meta(token)
            g.iome_upload = meta if meta and meta.get("status") == "loaded" else None
        return g.iome_upload

    def pending(self) -> dict | None:
        """The description of this session's file awaiting a column mapping, if any."""
        token = self.token()
        if token is None:
            return None
        if "iome_pending" not in g:
            g.iome_pending = self._meta(token + PENDING)
        return g.iome_pending

    def link(self) -> str:
        """The upload key of the session's loaded upload ("" without one): its URLs name
        it as ``dataset=<key>``."""
        meta = self.upload()
        return str(meta.get("link", "")) if meta else ""

    def viewing(self) -> bool:
        """True when this request's URL names the session's own loaded upload."""
        own = self.link()
        return bool(own) and hmac.compare_digest(own, asked_link())

    def current(self) -> EvidenceBase:
        """The evidence base this request sees: the session's upload when the request's
        URL names it (``dataset=<key>``), else the site's dataset, whatever the cookie: a
        link shared by someone who uploaded shows the receiver the site's data."""
        if self.token() is None or not self.viewing():
            return self.default
        if "iome_base" not in g:
            meta = self.upload()
            base = self._base(self.token(), meta) if meta else None
            if meta and base is None:  # its file is gone: say so, show the default
                g.iome_upload = None
            g.iome_base = base or self.default
        return g.iome_base

    def expired(self) -> bool:
        """The request names a session whose upload is gone (expired or cleared)."""
        return self.token() is not None and not self.upload() and not self.pending()

    def take_fresh(self) -> dict | None:
        """The answer to show once, on the first page drawn after a successful load."""
        meta = self.upload()
        if not meta or not meta.get("fresh"):
            return None
        eb = self.current()
        if eb is self.default:
            return None
        try:
            self.store.set_meta(self.token(), {**meta, "fresh": False})
        except Exception:
            return None
        answer, _status = self._outcome(eb, {"filename": meta.get("filename", "")})
        return {**answer, "shown": True}

    def report_base(self) -> EvidenceBase | None:
        """The session's latest file as loaded now (the one awaiting a mapping, if any)."""
        token = self.token()
        if token is None:
            return None
        pending = self._meta(token + PENDING)
        if pending:
            content = self.store.content(token + PENDING)
            if content is not None:
                with using_codebook(scheme_of(pending)):
                    return load(content, name=pending.get("filename", "upload"),
                                mapping=pending.get("mapping"))  # fmt: skip
        meta = self.upload()  # the report of the session's own file, whatever the URL
        return self._base(token, meta) if meta else None

    # --- parsed bases, per worker ------------------------------------------------
    # Keyed by what the base is made of (content and mapping hash, and the file name it
    # shows), not by session: a re-upload under a new key, or the same file in another
    # worker's session, is not parsed again, and nothing of one session is in the key.
    @staticmethod
    def _parsed_key(meta: dict) -> str:
        return f"{meta.get('version', '')}:{meta.get('filename', '')}:{meta.get('scheme', '')}"

    def _base(self, token: str, meta: dict) -> EvidenceBase | None:
        key = self._parsed_key(meta)
        with self._lock:
            hit = self._parsed.get(key)
            if hit is not None:
                self._parsed.move_to_end(key)
                return hit
        try:
            content = self.store.content(token)
        except Exception:
            return None
        if content is None:
            return None
        with using_codebook(scheme_of(meta)):
            eb = load(content, name=meta.get("filename", "upload"), mapping=meta.get("mapping"))
        if eb.version != meta.get("version"):
            return None  # the bytes changed under this description (a write in progress)
        self._remember(key, eb)
        return eb

    def _remember(self, key: str, eb: EvidenceBase) -> None:
        with self._lock:
            self._parsed[key] = eb
            self._parsed.move_to_end(key)
            # Newest kept always; older ones go past the count or the article budget.
            while len(self._parsed) > 1 and (
                len(self._parsed) > self.settings.per_worker
                or sum(b.n_articles for b in self._parsed.values())
                > self.settings.per_worker_articles
            ):
                self._parsed.popitem(last=False)

    # --- actions (may raise StoreUnavailable) --------------------------------------
    def accept(
        self, old: str | None, content: bytes, filename: str, choice: dict | None = None
    ) -> tuple[dict, int, str]:
        """Screen, store and load one upload, under the scheme and column mapping of
        ``choice`` (see :func:`read_choice`; default: the site's scheme, names as given).

        Returns the JSON answer, its HTTP status and the session's token afterwards: a new
        one when the file was accepted (the old session's entries move to it), else ``old``.
        """
        choice = choice or {}
        filename = strip_controls(filename, keep_breaks=False).strip()[:MAX_FILENAME] or "upload"
        if not self.store.available():  # before any parsing: a hung store answers now
            raise StoreUnavailable("the upload store does not answer")
        rejection = screen(
            content,
            filename,
            max_bytes=self.settings.max_bytes,
            max_unzipped=self.settings.max_unzipped,
        )
        if rejection is not None:
            answer = {
                "status": "rejected",
                "code": rejection.code,
                "message": rejection.message,
                "filename": filename,
            }
            return answer, rejection.status, old
        with using_codebook(scheme_of(choice)):
            eb = load_bounded(
                content, name=filename, mapping=choice.get("mapping"),
                max_rows=self.settings.max_rows, memory_mb=self.settings.parse_mb,
            )  # fmt: skip
        if eb.report.n_rows_read > self.settings.max_rows:
            answer = {
                "status": "rejected",
                "code": "too_many_rows",
                "filename": filename,
                "message": f"The file has more than {self.settings.max_rows:,} rows, the "
                "most this server takes per file. Split the file or run your own copy of "
                "the dashboard (iome-map serve --data FILE).",
            }
            return answer, 413, old
        info = {"filename": filename, "size": len(content), **choice}
        answer, status = self._outcome(eb, info)
        if answer["status"] == "rejected":
            return answer, status, old
        new = secrets.token_urlsafe(32)
        with _store_errors():
            if old is not None:
                self._move(old, new, keep_loaded=answer["status"] == "needs_mapping")
            self._keep(new, eb, content, answer, info)
        return answer, status, new

    def remap(self, token: str, mapping: dict[str, str]) -> dict:
        """Load the session's file awaiting a mapping again, with this mapping."""
        with _store_errors():
            meta = self.store.meta(token + PENDING)
            content = self.store.content(token + PENDING)
        if not meta or content is None:
            return {
                "status": "rejected",
                "code": "expired",
                "message": "The uploaded file is no longer stored. Upload it again.",
            }
        filename = meta.get("filename", "upload")
        with using_codebook(scheme_of(meta)):
            eb = load_bounded(
                content, name=filename, mapping=mapping, max_rows=self.settings.max_rows,
                memory_mb=self.settings.parse_mb,
            )  # fmt: skip
        info = {
            "filename": filename,
            "size": len(content),
            **{k: meta[k] for k in SCHEME_KEYS if k in meta},
            "mapping": mapping,
            "headers": meta.get("headers", []),
        }
        answer, _status = self._outcome(eb, info)
        if answer["status"] != "rejected":
            with _store_errors():
                self._keep(token, eb, content, answer, info)
        return answer

    def _outcome(self, eb: EvidenceBase, info: dict) -> tuple[dict, int]:
        """What a load means for the user: loaded, needs a mapping, or rejected."""
        report = eb.report
        answer = {
            "filename": info["filename"],
            "articles": eb.n_articles,
            "summary": report.summary(),
            "report": _problems(report),
        }
        if eb.n_articles:
            answer |= {
                "status": "loaded",
                "message": f"{eb.n_articles:,} articles loaded from {info['filename']}.",
            }
            return answer, 200
        if _needs_mapping(eb):
            missing = [p.column for p in report.errors if p.code == MISSING_COLUMN]
            headers = report.headers or info.get("headers")
            answer |= {
                "status": "needs_mapping",
                "message": f"Required columns not found: {', '.join(missing)}. Match your "
                "column names to the coding contract below, then apply the mapping.",
                "headers": (headers or [])[:MAX_COLUMNS],
                "scheme": str(info.get("scheme") or ""),
            }
            return answer, 200
        if report.unreadable or report.n_rows_read == 0:
            first = report.errors[0].message if report.errors else "only a header"
            answer |= {
                "status": "rejected",
                "code": "empty",
                "message": f"The file holds no article rows: {first}.",
            }
            return answer, 400
        answer |= {
            "status": "rejected",
            "code": "no_articles",
            "message": "Every row was rejected; the report below says why.",
        }
        if info.get("mapping") is not None:  # a mapping that did not work: try another
            answer["headers"] = info.get("headers") or report.headers or []
        return answer, 400

    def _keep(self, token: str, eb, content: bytes, answer: dict, info: dict) -> None:
        """Store a loaded file (replacing any pending one) or a file awaiting a mapping."""
        meta = {
            **info,
            "status": answer["status"],
            "version": eb.version,
            "articles": eb.n_articles,
            "uploaded": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        if answer["status"] == "needs_mapping":
            meta["headers"] = answer["headers"]
            self.store.put(token + PENDING, content, meta)
            return
        link = secrets.token_urlsafe(16)  # the upload's key in URLs (not the cookie)
        answer["link"] = f"/?{DATASET_KEY}={link}"
        self.store.put(token, content, {**meta, "fresh": True, "link": link})
        self.store.delete(token + PENDING)
        self._remember(self._parsed_key(meta), eb)

    def _move(self, old: str, new: str, *, keep_loaded: bool) -> None:
        """Move a session to a new token: its loaded upload too when ``keep_loaded``."""
        if keep_loaded:
            meta, content = self.store.meta(old), self.store.content(old)
            if meta and meta.get("status") == "loaded" and content is not None:
                self.store.put(new, content, {**meta, "fresh": False})
        self.clear(old)

    def clear(self, token: str) -> None:
        """Forget the session's uploads everywhere."""
        with _store_errors():
            self.store.delete(token)
            self.store.delete(token + PENDING)


def _prefix(book: str | os.PathLike | None) -> str:
    """The first word of a download's name under the codebook ``book`` ("iome", or the
    scheme's name as a slug)."""
    from evidence.export import file_prefix

    with using_codebook(book):
        return file_prefix()


SCHEME_KEYS = ("scheme", "codebook_text")  # what a session's meta says of its scheme


def scheme_of(meta: dict | None) -> str:
    """The codebook file an upload is read under ("" for the site's own scheme)."""
    if not meta or not meta.get("scheme"):
        return ""
    path = scheme_codebook(str(meta["scheme"]), str(meta.get("codebook_text") or ""))
    return str(path) if path else ""


def read_choice(form, files) -> dict:
    """The scheme and column mapping sent with a file (form fields ``scheme``, ``columns``
    and optional files ``codebook``, ``mapping``), checked; raises SchemeError,
    CodebookError or MappingError with a message for the user."""
    choice: dict = {}
    scheme = str(form.get("scheme") or "")
    scheme = "" if scheme == "site" else scheme  # the site's own scheme, as named by the page
    if scheme == "own":
        name, content = _sent_yaml(form, files, "codebook")
        if content is None:
            raise SchemeError("choose your codebook file (YAML), or one of the listed schemes")
        key, text = keep_codebook_upload(content, name)
        choice |= {"scheme": key, "codebook_text": text}
    elif scheme in BUNDLED:
        choice["scheme"] = scheme
    elif scheme:
        raise SchemeError(f"unknown coding scheme {scheme[:40]!r}")
    columns = str(form.get("columns") or "")
    columns = "" if columns == "names" else columns  # names as given
    if columns == "own":
        name, content = _sent_yaml(form, files, "mapping")
        if content is None:
            raise SchemeError("choose your column mapping file (YAML), or 'match by name'")
        choice["mapping"] = read_mapping_upload(content, name)
    elif columns in BUNDLED and bundled_mapping(columns) is not None:
        choice["mapping"] = bundled_mapping(columns)
    elif columns:
        raise SchemeError(f"unknown column mapping {columns[:40]!r}")
    return choice


MAX_YAML_READ = 256 * 1024 + 1  # one byte past the limit: too big is then reported


def _sent_yaml(form, files, part: str) -> tuple[str, bytes | None]:
    """A YAML file sent with the upload: a file part ``part``, or the page's
    ``<part>_data`` field (a data URL read by the dialog) with ``<part>_name``. Bounded
    before decoding."""
    sent = files.get(part)
    if sent is not None and sent.filename:
        return os.path.basename(sent.filename), sent.read(MAX_YAML_READ)
    data = str(form.get(f"{part}_data") or "")
    if not data:
        return "", None
    name = os.path.basename(str(form.get(f"{part}_name") or f"{part}.yaml"))[:MAX_FILENAME]
    encoded = data.split(",", 1)[-1][: (MAX_YAML_READ // 3 + 2) * 4]  # bounded: base64
    try:
        return name, base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        raise SchemeError(f"{name} could not be read; choose it again") from None


@contextlib.contextmanager
def _store_errors():
    """Turn any failure of the store into StoreUnavailable."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        raise StoreUnavailable(str(exc)) from exc


def _same_origin() -> bool:
    """No Origin header (same-origin GET, old browsers) or one naming this host. Only the
    host is compared, so a TLS-terminating proxy in front does not break uploads."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _unavailable() -> tuple[Response, int]:
    return jsonify(
        {
            "status": "rejected",
            "code": "store_unavailable",
            "message": "Uploaded files cannot be stored right now. Nothing was "
            "changed; try again in a minute.",
        }
    ), 503


def register_upload_routes(server: Flask, sessions: Sessions) -> None:
    """The upload, clear, report and template routes, and the session cookie's renewal."""
    server.extensions["iome_upload_store"] = sessions.store  # /healthz shows its state

    def refuse(message: str, status: int):
        return jsonify({"status": "rejected", "code": "forbidden", "message": message}), status

    def secure() -> bool:
        return request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"

    def set_cookie(response: Response, token: str) -> None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=sessions.settings.ttl_s,
            httponly=True,
            samesite="Lax",
            secure=secure(),
            path="/",
        )

    @server.after_request
    def renew_cookie(response: Response) -> Response:
        # Each page drawn for a live session renews the cookie, as the store renews the
        # upload on use: both expire after the same idle time.
        if request.path == "/_dash-layout" and response.status_code == 200:
            token = sessions.token()
            if token and (sessions.upload() or sessions.pending()):
                set_cookie(response, token)
        return response

    @server.post("/upload")
    def upload():
        if request.headers.get(HEADER) != "1" or not _same_origin():
            return refuse("Uploads are accepted only from the dashboard's own page.", 403)
        limit = sessions.settings.max_bytes + 64 * 1024  # room for the multipart framing
        if (request.content_length or 0) > limit:
            mb = sessions.settings.max_bytes / 1024 / 1024
            return jsonify(
                {
                    "status": "rejected",
                    "code": "too_large",
                    "message": f"The file is larger than the {mb:.0f} MB limit.",
                }
            ), 413
        request.max_content_length = limit
        file = request.files.get("file")
        if file is None:
            return jsonify(
                {
                    "status": "rejected",
                    "code": "no_file",
                    "message": "No file was received. Choose a CSV or XLSX file.",
                }
            ), 400
        content = file.read(sessions.settings.max_bytes + 1)
        name = os.path.basename((file.filename or "").replace("\\", "/")) or "upload"
        try:
            choice = read_choice(request.form, request.files)
        except (SchemeError, CodebookError, MappingError) as exc:
            message = f"Not read: {strip_controls(str(exc))[:2000]}"
            answer = {"status": "rejected", "code": "bad_scheme", "filename": name,
                      "message": message}  # fmt: skip
            return jsonify(answer), 400
        try:
            answer, status, token = sessions.accept(sessions.token(), content, name, choice)
        except StoreUnavailable:
            return _unavailable()
        response = jsonify(answer)
        response.status_code = status
        if token is not None and answer["status"] != "rejected":
            set_cookie(response, token)
        return response

    @server.post("/upload/clear")
    def clear_upload():
        if request.headers.get(HEADER) != "1" or not _same_origin():
            return refuse("Only the dashboard's own page can clear its data.", 403)
        token = sessions.token()
        try:
            if token:
                sessions.clear(token)
        except StoreUnavailable:
            return _unavailable()
        response = jsonify({"status": "cleared"})
        response.delete_cookie(COOKIE, path="/")
        return response

    @server.get("/upload/report.csv")
    def report_csv():
        eb = sessions.report_base()
        if eb is None:
            return Response("No uploaded file in this session.", 404, mimetype="text/plain")
        frame = eb.report.to_frame()
        frame.insert(0, "file", eb.source)
        response = Response(write_csv(frame), mimetype="text/csv")  # Flask adds the charset
        name = f"{_prefix(scheme_of(sessions.pending() or sessions.upload()))}-load-report.csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @server.get("/upload/template.csv")
    def template():
        """The coding template of the site's scheme, or of a bundled one or one sent from
        the dialog and checked there (``?scheme=``: its name, or ``own:<hash>``)."""
        asked = request.args.get("scheme", "")[:100]
        book = scheme_codebook(asked) if asked else None
        with using_codebook(book):
            response = Response(template_csv(), mimetype="text/csv")  # Flask adds the charset
            name = f"{_prefix(book)}-template.csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @server.before_request
    def scheme_of_request():
        # A page, callback or export of the session's own upload speaks its scheme: the
        # codebook in use for this request is the upload's (the site's data keeps its own).
        if sessions.token() is None or not sessions.viewing():
            return
        book = scheme_of(sessions.upload())
        if book:
            g.iome_scheme = enter_codebook(book)

    @server.teardown_request
    def scheme_reset(_exc=None):
        token = g.pop("iome_scheme", None)
        if token is not None:
            leave_codebook(token)
