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

import hashlib
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

from flask import Flask, Response, g, has_request_context, jsonify, request

from evidence.load import UnreadableFile, load, read_table
from evidence.model import EvidenceBase
from evidence.upload import DEFAULT_MAX_BYTES, DEFAULT_MAX_UNZIPPED, screen, template_csv

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
            directory=env.get("IOME_UPLOAD_DIR", ""),
        )


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
        total = sum(e[1] for e in entries)
        for _mtime, size, info, data in sorted(entries, key=lambda e: e[0]):
            if total <= self.cap_bytes:
                break
            info.unlink(missing_ok=True)
            data.unlink(missing_ok=True)
            total -= size


class RedisStore:
    """Uploads in Redis (``--cache redis://...``): shared by hosts, expired by Redis."""

    def __init__(self, url: str, ttl_s: int):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        self.ttl_s = ttl_s

    @staticmethod
    def _keys(token: str) -> tuple[str, str]:
        k = _key(token)
        return f"iome:upload:{k}:bin", f"iome:upload:{k}:meta"

    def put(self, token: str, content: bytes, meta: dict) -> None:
        data, info = self._keys(token)
        with self.client.pipeline() as pipe:
            pipe.set(data, content, ex=self.ttl_s)
            pipe.set(info, json.dumps(meta), ex=self.ttl_s)
            pipe.execute()

    def set_meta(self, token: str, meta: dict) -> None:
        self.client.set(self._keys(token)[1], json.dumps(meta), ex=self.ttl_s)

    def meta(self, token: str) -> dict | None:
        data, info = self._keys(token)
        raw = self.client.get(info)
        if raw is None:
            return None
        self.client.expire(info, self.ttl_s)
        self.client.expire(data, self.ttl_s)
        return json.loads(raw)

    def content(self, token: str) -> bytes | None:
        return self.client.get(self._keys(token)[0])

    def delete(self, token: str) -> None:
        self.client.delete(*self._keys(token))


def make_store(settings: UploadSettings, redis_url: str | None = None):
    """Redis when a Redis URL is configured, else the host's private upload folder."""
    if redis_url:
        return RedisStore(redis_url, settings.ttl_s)
    directory = settings.directory or default_directory()
    return FileStore(directory, settings.ttl_s, settings.store_cap_bytes)


def _needs_mapping(eb: EvidenceBase) -> bool:
    return any(p.message.startswith("required column") for p in eb.report.errors)


def _headers_of(content: bytes, filename: str) -> list[str]:
    """The file's own column headers (for the column-mapping step)."""
    try:
        return [str(c) for c in read_table(content, filename, []).columns]
    except UnreadableFile:
        return []


class Sessions:
    """Which dataset the current request sees, and the upload actions of one session."""

    def __init__(self, default: EvidenceBase, store, settings: UploadSettings):
        self.default = default
        self.store = store
        self.settings = settings
        self._parsed: OrderedDict[str, tuple[str, EvidenceBase]] = OrderedDict()
        self._lock = threading.Lock()

    # --- the current request -----------------------------------------------------
    def token(self) -> str | None:
        """This request's session token, when it carries a well-formed one."""
        if not has_request_context():
            return None
        token = request.cookies.get(COOKIE, "")
        return token if _TOKEN.match(token) else None

    def upload(self) -> dict | None:
        """The description of this session's live upload, if any."""
        token = self.token()
        if token is None:
            return None
        if "iome_upload" not in g:
            try:
                g.iome_upload = self.store.meta(token)
            except Exception:  # a store outage shows the default data, never an error page
                g.iome_upload = None
        return g.iome_upload

    def current(self) -> EvidenceBase:
        """The evidence base this request sees: its session's upload or the default."""
        meta = self.upload()
        if not meta or meta.get("status") != "loaded":
            return self.default
        if "iome_base" not in g:
            g.iome_base = self._base(self.token(), meta) or self.default
        return g.iome_base

    def expired(self) -> bool:
        """The request names a session whose upload is gone (expired or cleared)."""
        return has_request_context() and bool(request.cookies.get(COOKIE)) and not self.upload()

    def report_base(self) -> EvidenceBase | None:
        """The session's stored file as loaded now (also when it awaits a mapping)."""
        meta = self.upload()
        if not meta:
            return None
        if meta.get("status") == "loaded":
            return self.current()
        content = self.store.content(self.token())
        if content is None:
            return None
        return load(content, name=meta.get("filename", "upload"), mapping=meta.get("mapping"))

    # --- parsed bases, per worker ------------------------------------------------
    def _base(self, token: str, meta: dict) -> EvidenceBase | None:
        with self._lock:
            hit = self._parsed.get(token)
            if hit and hit[0] == meta.get("version"):
                self._parsed.move_to_end(token)
                return hit[1]
        content = self.store.content(token)
        if content is None:
            return None
        eb = load(content, name=meta.get("filename", "upload"), mapping=meta.get("mapping"))
        self._remember(token, eb)
        return eb

    def _remember(self, token: str, eb: EvidenceBase) -> None:
        with self._lock:
            self._parsed[token] = (eb.version, eb)
            self._parsed.move_to_end(token)
            # Newest kept always; older ones go past the count or the article budget.
            while len(self._parsed) > 1 and (
                len(self._parsed) > self.settings.per_worker
                or sum(b.n_articles for _, b in self._parsed.values())
                > self.settings.per_worker_articles
            ):
                self._parsed.popitem(last=False)

    def _forget(self, token: str) -> None:
        with self._lock:
            self._parsed.pop(token, None)

    # --- actions -----------------------------------------------------------------
    def accept(self, token: str, content: bytes, filename: str) -> tuple[dict, int]:
        """Screen, store and load one upload; the JSON answer and its HTTP status."""
        rejection = screen(
            content,
            filename,
            max_bytes=self.settings.max_bytes,
            max_unzipped=self.settings.max_unzipped,
        )
        if rejection is not None:
            return {
                "status": "rejected",
                "code": rejection.code,
                "message": rejection.message,
                "filename": filename,
            }, rejection.status
        eb = load(content, name=filename)
        if eb.report.n_rows_read > self.settings.max_rows:
            return {
                "status": "rejected",
                "code": "too_many_rows",
                "filename": filename,
                "message": f"The file has {eb.report.n_rows_read:,} rows; this server takes "
                f"at most {self.settings.max_rows:,} articles per file. Split the file or "
                "run your own copy of the dashboard (iome-map serve --data FILE).",
            }, 413
        return self._settle(token, eb, content, {"filename": filename, "size": len(content)})

    def remap(self, token: str, mapping: dict[str, str]) -> dict:
        """Load the session's stored file again with a column mapping."""
        meta = self.store.meta(token)
        content = self.store.content(token)
        if not meta or content is None:
            return {
                "status": "rejected",
                "code": "expired",
                "message": "The uploaded file is no longer stored. Upload it again.",
            }
        eb = load(content, name=meta["filename"], mapping=mapping)
        info = {
            "filename": meta["filename"],
            "size": len(content),
            "mapping": mapping,
            "headers": meta.get("headers", []),
        }
        return self._settle(token, eb, None, info)[0]

    def _settle(self, token, eb: EvidenceBase, content, info: dict) -> tuple[dict, int]:
        report = eb.report
        answer = {
            "filename": info["filename"],
            "articles": eb.n_articles,
            "summary": report.summary(),
            "report": {
                **report.to_dict(),
                "problems": report.to_dict()["problems"][:MAX_PROBLEMS_SENT],
            },
        }
        if eb.n_articles:
            status, code = "loaded", 200
            answer["message"] = f"{eb.n_articles:,} articles loaded from {info['filename']}."
        elif _needs_mapping(eb):
            status, code = "needs_mapping", 200
            missing = [p.column for p in report.errors if p.message.startswith("required column")]
            answer["message"] = (
                f"Required columns not found: {', '.join(missing)}. Match your column names "
                "to the coding contract below, then apply the mapping."
            )
            answer["headers"] = (
                _headers_of(content, info["filename"]) if content else info.get("headers", [])
            )
        elif report.unreadable or report.n_rows_read == 0:
            answer |= {
                "status": "rejected",
                "code": "empty",
                "message": "The file holds no article rows: "
                + (report.errors[0].message if report.errors else "only a header")
                + ".",
            }
            return answer, 400
        else:
            answer |= {
                "status": "rejected",
                "code": "no_articles",
                "message": "Every row was rejected; the report below says why.",
            }
            if info.get("mapping") is not None:  # a mapping that did not work: try another
                answer["headers"] = info.get("headers", [])
            return answer, 400
        meta = {
            **info,
            "status": status,
            "version": eb.version,
            "articles": eb.n_articles,
            "uploaded": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        if status == "needs_mapping":
            meta["headers"] = answer["headers"]
        if content is not None:
            self.store.put(token, content, meta)
        else:
            self.store.set_meta(token, meta)
        self._forget(token)
        if status == "loaded":
            self._remember(token, eb)
        answer["status"] = status
        return answer, code

    def clear(self, token: str) -> None:
        """Forget the session's upload everywhere."""
        self.store.delete(token)
        self._forget(token)


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


def register_upload_routes(server: Flask, sessions: Sessions) -> None:
    """The upload, clear and template routes."""

    def refuse(message: str, status: int) -> Response:
        return jsonify({"status": "rejected", "code": "forbidden", "message": message}), status

    def set_cookie(response: Response, token: str) -> None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=sessions.settings.ttl_s,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
            path="/",
        )

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
        token = sessions.token() or secrets.token_urlsafe(32)
        answer, status = sessions.accept(token, content, os.path.basename(file.filename or ""))
        response = jsonify(answer)
        response.status_code = status
        if answer["status"] != "rejected":
            set_cookie(response, token)
        return response

    @server.post("/upload/clear")
    def clear_upload():
        if request.headers.get(HEADER) != "1" or not _same_origin():
            return refuse("Only the dashboard's own page can clear its data.", 403)
        token = sessions.token()
        if token:
            sessions.clear(token)
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
        response = Response(frame.to_csv(index=False), mimetype="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = 'attachment; filename="iome-load-report.csv"'
        return response

    @server.get("/upload/template.csv")
    def template():
        response = Response(template_csv(), mimetype="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = 'attachment; filename="iome-template.csv"'
        return response
