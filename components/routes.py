"""Plain HTTP routes beside the dashboard: exports, data downloads, embed pages, health.

Every route is stateless: the view state comes from the query string, exactly as in the
dashboard's URL, so any worker on any host answers the same way.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import html
import json
import math
import os
import queue
import re
import select
import socket
import threading
import time
from collections.abc import Callable

import numpy as np
import plotly.io as pio
from flask import Flask, Response, current_app, request

from components.cache import cached
from components.static_cache import PLOTLY, hashed_url
from evidence.animate import (
    ANIMATION_FORMATS,
    check_animation,
    export_animation,
    frame_states,
)
from evidence.codebook import load_codebook
from evidence.export import (
    IMAGE_FORMATS,
    TABLE_FORMATS,
    ExportError,
    export_deck,
    export_image,
    export_table,
    file_stem,
    table_file_stem,
)
from evidence.figures.cells import Matrix, figure_cells
from evidence.filters import apply
from evidence.model import EvidenceBase
from evidence.render import (
    RendererUnavailable,
    RenderSettings,
    default_renderer,
    lower_priority,
)
from evidence.state import parse_query, to_query
from evidence.views import EXPORT_VIEWS, VIEWS, caption_for, embed_companion_of, view_figure

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text/* types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "gif": "image/gif",
    "mp4": "video/mp4",
}
PLOTLY_JS = hashed_url(PLOTLY)  # the page's own address of the bundle (cached immutable)
ANIMATION_HEARTBEAT_S = 5.0  # a progress stream says it is alive at least this often
ANIMATION_DEADLINE_S = 900.0  # and gives up after this long (80 frames at most)
ANIMATION_RETRY_S = 30  # Retry-After of a refused animation
EMBED_TABLE_ROWS = 60


def _attachment(content: bytes, name: str, fmt: str) -> Response:
    response = Response(content, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _cell(value) -> str:
    """A table cell as a reader wants it: blank for missing, shares to 3 decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def _table_html(frame) -> str:
    shown = frame.head(EMBED_TABLE_ROWS)
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    more = (f"<p>First {EMBED_TABLE_ROWS} of {len(frame)} rows.</p>"
            if len(frame) > EMBED_TABLE_ROWS else "")  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _matrix_table(matrix: Matrix) -> str:
    """One matrix as a static HTML table: row and column heads, each cell in the colours
    of the picture's heatmap, its full sentence (for a screen reader and a tooltip)."""
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in matrix.columns)
    rows = []
    for name, cells in zip(matrix.rows, matrix.cells, strict=True):
        tds = "".join(
            f'<td style="background-color:{html.escape(c.fill)};color:{html.escape(c.ink)}" '
            f'title="{html.escape(c.label)}" aria-label="{html.escape(c.label)}">'
            f"{'<br>'.join(html.escape(t) for t in c.text.splitlines())}</td>"
            for c in cells
        )
        rows.append(f"<tr><th scope='row'>{html.escape(name)}</th>{tds}</tr>")
    span = len(matrix.columns)
    over = html.escape(matrix.column_title)
    return (
        f"<table class='matrix'><colgroup><col class='heads'><col span='{span}'></colgroup>"
        f"<thead><tr><td></td><th scope='colgroup' colspan='{span}' "
        f"class='axis'>{over} →</th></tr><tr><th scope='col' class='axis corner'>"
        f"{html.escape(matrix.row_title)} ↓</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def embed_companion(eb: EvidenceBase, state, view: str) -> str:
    """The HTML of the chart a view's files carry beside it ("" for none, or when it has
    nothing to show: the chart's own empty message already says why)."""
    name = embed_companion_of(view)  # drawn as a plain table: it wraps to any frame width
    if not name:
        return ""
    _, fig = view_figure(eb, state, name)
    matrices = [p for p in figure_cells(fig).parts if isinstance(p, Matrix)]
    if not matrices:
        return ""
    title = html.escape(VIEWS[name].title)
    tables = "".join(_matrix_table(m) for m in matrices)
    return (
        f'<section class="embed-companion" aria-labelledby="companion-title">'
        f'<h2 id="companion-title">{title}</h2>'
        f'<div class="matrix-scroll">{tables}</div>'
        '<p class="note">Articles in each cell; an article with several flows counts in '
        "each of their cells.</p></section>"
    )


# A click in an embed does nothing (it has no page state to change): its hover says
# where a click works instead of promising one.
EMBED_CLICK_WORDS = (
    (re.compile(r" · Shift-click to [^<]*"), ""),  # the crossfilter's words
    (re.compile(r"\bClick to "), "Open the full map to "),
    (re.compile(r"\bclick to "), "open the full map to "),
    (re.compile(r"<br>Click: "), "<br>Open the full map to filter: "),
)


def _embed_words(text):
    if not isinstance(text, str):
        return text
    for pattern, words in EMBED_CLICK_WORDS:
        text = pattern.sub(words, text)
    return text


def embed_hover(fig) -> None:
    """The figure's hover texts with "click to …" as "open the full map to …" (in place)."""
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None)
        if isinstance(template, str):
            trace.hovertemplate = _embed_words(template)
        text = getattr(trace, "text", None)
        if text is not None and not isinstance(text, str) and len(text):
            if any(isinstance(t, str) and "click" in t.lower() for t in text):
                trace.text = [_embed_words(t) for t in text]
        # the crossfilter's click words ride in customdata (a column the template shows)
        custom = getattr(trace, "customdata", None)
        if custom is not None and np.asarray(custom).dtype.kind == "O":
            cells = np.asarray(custom)
            trace.customdata = np.vectorize(_embed_words, otypes=[object])(cells)


def embed_page(eb: EvidenceBase, view: str, query: str) -> str:
    """The HTML of one chart alone, with caption, summary, data table and a link back.

    Title, filters and source are HTML around the chart rather than text drawn in it, so
    they wrap in a narrow frame; the chart takes the height the text leaves
    (assets/embed/embed.css, embed.js).
    """
    state, _ = parse_query(query)
    data, fig = view_figure(eb, state, view)
    embed_hover(fig)
    sub = apply(eb, state)
    caption = caption_for(eb, sub, state, view)
    summary = VIEWS[view].takeaway(sub, state) if sub.n_articles else "No articles match."
    figure_json = pio.to_json(fig, validate=False).replace("</", "<\\/")
    canonical = to_query(state)
    title = html.escape(caption.title)
    # The caption's footer lines, as text: "N = ...; <rule>" (N is in the summary), the
    # source, the income groups; its bold synthetic line is the note above them.
    source = []
    for line in (caption.footer or "").split("<br>"):
        if line.startswith("<b>"):
            continue
        if line.startswith("N = ") and "; " in line:
            rule = line.split("; ", 1)[1]
            line = rule[:1].upper() + rule[1:] + "."
        source.append(html.escape(line))
    synthetic = (
        '<p class="synthetic">Synthetic demo data: not real articles.</p>' if eb.synthetic else ""
    )
    rows = f"{len(data):,} row{'s' if len(data) != 1 else ''}"
    product = load_codebook().title
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - {html.escape(product)}</title>
<link rel="stylesheet" href="/assets/embed/embed.css"></head>
<body><main>
<header class="embed-head"><h1>{title}</h1>
<p class="subtitle">{html.escape(caption.subtitle or "")}</p></header>
<div id="chart" role="figure" data-topojson="/assets/topojson/"
     aria-label="{title}. {html.escape(summary)}"></div>
{embed_companion(eb, state, view)}
<footer class="embed-meta">
<p id="summary">{html.escape(summary)} N = {sub.n_articles:,} articles.</p>{synthetic}
<p class="source">{"<br>".join(source)}</p>
<details><summary>Data table ({rows})</summary>
<div class="table-scroll">{_table_html(data)}</div></details>
<p class="back"><a href="/?{html.escape(canonical)}" target="_top">Open this view in the full
{html.escape(product)}</a></p>
</footer></main>
<script type="application/json" id="figure-data">{figure_json}</script>
<script src="{PLOTLY_JS}"></script>
<script src="/assets/embed/embed.js"></script>
</body></html>"""


def _unavailable(exc: RendererUnavailable) -> Response:
    """503 with Retry-After and a plain sentence: the rest of the site keeps serving."""
    response = Response(str(exc), status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _refused(message: str, status: int, retry_after: int) -> Response:
    response = Response(message, status=status, mimetype="text/plain")
    response.headers["Retry-After"] = str(retry_after)
    return response


class AnimationCancelled(Exception):
    """The client of an animation went away: stop drawing its frames."""


def client_gone_probe(environ: dict) -> Callable[[], bool]:
    """A cheap check, callable from any thread, of whether the client of a request has
    closed its connection: its socket (gunicorn's or Werkzeug's) reads as end-of-file.
    An animation without a progress stream writes nothing until its file is made, so
    this is the only way it learns that nobody is waiting for it any more."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if sock is None:
        return lambda: False

    def gone() -> bool:
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            return sock.recv(1, socket.MSG_PEEK) == b""  # data (a next request) = still there
        except ValueError:  # a TLS socket cannot peek: assume the client waits
            return False
        except OSError:  # reset, closed: nobody is waiting
            return True

    return gone


class AnimationJobs:
    """The animation jobs a worker runs at once: at most ``per_address`` per client address
    and ``total`` in all (``IOME_ANIMATIONS_PER_ADDRESS``, ``IOME_ANIMATIONS``). Asked
    before any work, so an excess request is refused at once (429 / 503 + Retry-After)
    instead of holding a thread while it waits for the renderer."""

    def __init__(self, per_address: int = 1, total: int = 2):
        self.per_address, self.total = per_address, total
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> AnimationJobs:
        def number(name: str, default: int) -> int:
            try:
                return max(1, int(os.environ.get(name, default)))
            except ValueError:
                return default

        return cls(number("IOME_ANIMATIONS_PER_ADDRESS", 1), number("IOME_ANIMATIONS", 2))

    def admit(self, address: str) -> Response | None:
        """None and a slot taken, or the refusal to answer with."""
        with self._lock:
            if self._running.get(address, 0) >= self.per_address:
                return _refused(
                    "An animation from your address is already being made; wait for it to "
                    "finish, then ask again.", 429, ANIMATION_RETRY_S,
                )  # fmt: skip
            if sum(self._running.values()) >= self.total:
                return _refused(
                    "Animations are busy; please try again in a minute.", 503, ANIMATION_RETRY_S
                )
            self._running[address] = self._running.get(address, 0) + 1
        return None

    def release(self, address: str) -> None:
        with self._lock:
            left = self._running.get(address, 0) - 1
            if left > 0:
                self._running[address] = left
            else:
                self._running.pop(address, None)

    def running(self) -> int:
        with self._lock:
            return sum(self._running.values())


def render_priority() -> None:
    """This thread's CPU priority lowered to the renderer's (IOME_RENDER_NICE): frames
    built and encoded here yield to the page loads of the same worker. Call only in a
    thread that ends with its job (a priority cannot be raised again)."""
    lower_priority(threading.get_native_id(), RenderSettings.from_env().nice)


def _stop_if(gone: bool) -> None:
    """Between two frames: stop an animation whose client has gone."""
    if gone:
        raise AnimationCancelled


def export_key(eb: EvidenceBase, state, view: str, fmt: str, size: str, theme: str) -> str:
    """The cache key of a rendered export: data version, canonical state, view, format,
    size and theme (a picture is rendered once for all of them)."""
    parts = "|".join((eb.version, view, fmt, size, theme, to_query(state)))
    return "export:" + hashlib.sha256(parts.encode("utf-8")).hexdigest()


def register_routes(server: Flask, current: Callable[[], EvidenceBase], export_cache=None) -> None:
    """Add the export, data, embed and health routes (headers: components.security).

    ``current()`` is the evidence base of the session asking (its upload or the default);
    ``export_cache`` (get/set of bytes) keeps rendered pictures and decks.
    """
    jobs = server.extensions["iome_animation_jobs"] = AnimationJobs.from_env()

    def export_cost() -> int:
        """What an export counts against the rate limit: one render, or one per frame."""
        args = request.view_args or {}
        if args.get("fmt") not in ANIMATION_FORMATS:
            return 1
        state, _ = parse_query(request.query_string.decode("utf-8", "replace"))
        try:
            return max(1, len(frame_states(current(), state)))
        except ExportError:
            return 1  # refused with 400 anyway

    server.extensions["iome_export_cost"] = export_cost

    @server.get("/healthz")
    def healthz():
        eb = current()
        return {
            "status": "ok",
            "articles": eb.n_articles,
            "version": eb.version,
            "renderer": default_renderer().status(),
            "uploads": _store_state(),
            "animations": jobs.running(),
        }

    def _store_state() -> dict:
        store = current_app.extensions.get("iome_upload_store")
        if store is None:
            return {"kind": "none", "state": "unavailable"}
        try:
            return store.state()
        except Exception as exc:  # /healthz answers whatever the store does
            return {"kind": "unknown", "state": "unavailable", "last_error": type(exc).__name__}

    @server.get("/export/<view>.<fmt>")
    def export_view(view: str, fmt: str):
        eb = current()
        state, _ = parse_query(request.query_string.decode("utf-8", "replace"))
        theme = request.args.get("theme", "light")
        try:
            if fmt in (*IMAGE_FORMATS, *ANIMATION_FORMATS, "pptx"):
                default_renderer().check(probe=True)  # no browser: answer before any work
                default_renderer().admit()  # every render place taken: answer before any work
            if fmt in ANIMATION_FORMATS:
                return _animation(eb, state, view, fmt, theme)
            if view == "deck" and fmt == "pptx":
                key = export_key(eb, state, view, fmt, "-", theme)
                content = cached(export_cache, key, lambda: export_deck(eb, state, theme=theme))
                return _attachment(content, file_stem(eb, "slides"), fmt)
            content = _picture(eb, state, view, fmt, theme, request.args.get("size") == "slide")
        except ExportError as exc:
            return Response(str(exc), status=400, mimetype="text/plain")
        except RendererUnavailable as exc:
            return _unavailable(exc)
        slide = "slide" if request.args.get("size") == "slide" else ""
        return _attachment(content, file_stem(eb, view, slide), fmt)

    @server.get("/slide/<view>.<fmt>")
    def export_slide(view: str, fmt: str):
        """A chart's slide picture (text that reads on a projected 16:9 slide): the
        /export/<view>.<fmt>?size=slide of a link that carries only the page's query."""
        eb = current()
        state, _ = parse_query(request.query_string.decode("utf-8", "replace"))
        theme = request.args.get("theme", "light")
        try:
            default_renderer().check(probe=True)
            if fmt in ANIMATION_FORMATS:
                return _animation(eb, state, view, fmt, theme, slide=True)
            content = _picture(eb, state, view, fmt, theme, True)
        except ExportError as exc:
            return Response(str(exc), status=400, mimetype="text/plain")
        except RendererUnavailable as exc:
            return _unavailable(exc)
        return _attachment(content, file_stem(eb, view, "slide"), fmt)

    def _picture(eb, state, view: str, fmt: str, theme: str, slide: bool) -> bytes:
        """A chart's picture, rendered once per state, size and theme (cached)."""
        if fmt not in IMAGE_FORMATS:
            raise ExportError(f"unknown image format '{fmt}'")
        width = request.args.get("width", 1920, type=int)
        height = request.args.get("height", 1080, type=int)
        size = "slide" if slide else f"{width}x{height}"
        key = export_key(eb, state, view, fmt, size, theme)
        options = {"width": width, "height": height, "theme": theme, "slide": slide}
        return cached(export_cache, key, lambda: export_image(eb, state, view, fmt, **options))

    def _animation(eb, state, view: str, fmt: str, theme: str, slide: bool = False) -> Response:
        """A view's timeline as GIF / MP4: the file, or with ``progress=1`` a stream of
        JSON lines (one per frame drawn, then the file itself, base64) for the page's
        progress bar (assets/animate.js). One request does it all, so it works with any
        number of workers and no shared store. Admitted by :class:`AnimationJobs` first;
        a stream whose client has gone stops drawing at its next frame."""
        width = request.args.get("width", 1280, type=int)
        height = request.args.get("height", 720, type=int)
        check_animation(eb, state, view, fmt, width, height, theme)  # a bad request: 400 now
        size = f"{width}x{height}" + ("-slide" if slide else "")
        key = export_key(eb, state, view, fmt, size, theme)
        name = file_stem(eb, view, "timeline-" + state.timeline + ("-slide" if slide else ""))
        address = request.remote_addr or "-"
        refused = jobs.admit(address)
        if refused is not None:
            return refused

        client_gone = client_gone_probe(request.environ)

        def build(progress=None):
            return export_animation(eb, state, view, fmt, width=width, height=height,
                                    theme=theme, progress=progress, slide=slide)  # fmt: skip

        if not request.args.get("progress"):
            late = threading.Event()  # the request stopped waiting: so does the drawing
            return _plain_animation(lambda: cached(export_cache, key, lambda: build(
                lambda *_: _stop_if(late.is_set() or client_gone()))), late,
                f"{name}.{fmt}", fmt, address)  # fmt: skip
        events: queue.Queue = queue.Queue()
        gone = threading.Event()

        def report(done: int, total: int, words: str) -> None:
            _stop_if(gone.is_set() or client_gone())
            events.put({"done": done, "total": total, "words": words})

        def work():
            render_priority()
            try:
                content = cached(export_cache, key, lambda: build(report))
                events.put({"file": base64.b64encode(content).decode("ascii"),
                            "name": f"{name}.{fmt}", "type": MIME[fmt]})  # fmt: skip
            except AnimationCancelled:
                pass
            except (ExportError, RendererUnavailable) as exc:
                events.put({"error": str(exc)})
            except Exception as exc:  # a failure must reach the page, not hang it
                events.put({"error": f"the animation could not be made ({type(exc).__name__})"})
            finally:
                jobs.release(address)

        # (in this request's context: an upload's own scheme names the frames too)
        threading.Thread(target=contextvars.copy_context().run, args=(work,),
                         name="iome-animation", daemon=True).start()  # fmt: skip

        def lines():
            deadline = time.monotonic() + ANIMATION_DEADLINE_S
            try:
                while True:
                    try:
                        event = events.get(timeout=ANIMATION_HEARTBEAT_S)
                    except queue.Empty:
                        if time.monotonic() > deadline:  # never a stream without end
                            yield json.dumps({"error": "the animation took too long"}) + "\n"
                            return
                        yield "{}\n"  # still working
                        continue
                    yield json.dumps(event) + "\n"
                    if "file" in event or "error" in event:
                        return
            finally:
                gone.set()  # the client went away (or the stream ended): stop drawing

        response = Response(lines(), mimetype="application/x-ndjson")
        # Also when the stream never started (the client left before the first byte):
        # the server closes the response either way.
        response.call_on_close(gone.set)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Accel-Buffering"] = "no"
        return response

    def _plain_animation(make: Callable[[], bytes], late: threading.Event, file_name: str,
                         fmt: str, address: str):  # fmt: skip
        """The file of an animation asked for without a progress stream, drawn in a thread
        at render priority (pages first); its frames stop being drawn as soon as its client
        has gone (answered 499, which nobody reads) or the deadline has passed."""
        box: dict = {}

        def work():
            render_priority()
            try:
                box["content"] = make()
            except BaseException as exc:  # re-raised in the request's thread below
                box["error"] = exc

        try:
            worker = threading.Thread(target=work, name="iome-animation", daemon=True)
            worker.start()
            worker.join(ANIMATION_DEADLINE_S)
            late.set()
            if worker.is_alive():  # it stops at its next frame
                return _refused("The animation took too long; try fewer years or a smaller "
                                "size.", 503, ANIMATION_RETRY_S)  # fmt: skip
            if isinstance(box.get("error"), AnimationCancelled):
                return Response("The client closed the connection.", 499, mimetype="text/plain")
            if "error" in box:
                raise box["error"]
            return _attachment(box["content"], *file_name.rsplit(".", 1))
        finally:
            jobs.release(address)

    @server.get("/data/<what>.<fmt>")
    def export_data(what: str, fmt: str):
        eb = current()
        state, _ = parse_query(request.query_string.decode("utf-8", "replace"))
        if fmt not in TABLE_FORMATS:
            return Response(f"unknown table format '{fmt}'", status=400, mimetype="text/plain")
        try:
            content = export_table(eb, state, what, fmt)
        except ExportError as exc:
            return Response(str(exc), status=400, mimetype="text/plain")
        return _attachment(content, table_file_stem(eb, state, what), fmt)

    @server.get("/embed/<view>")
    def embed(view: str):
        if view not in VIEWS:
            known = ", ".join(EXPORT_VIEWS)
            return Response(f"unknown view '{view}' (use {known})", 400, mimetype="text/plain")
        # An embed shows the site's dataset whatever cookie the visitor's browser sends,
        # unless its URL names the session's own upload (``dataset=<key>``, as every link
        # of an upload does); then the upload, in its own scheme, as the page shows it.
        page = embed_page(current(), view, request.query_string.decode("utf-8", "replace"))
        return Response(page, mimetype="text/html")
