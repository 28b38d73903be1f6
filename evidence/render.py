"""Figures to PNG / SVG / PDF in headless Chromium (kaleido), without ever hanging.

One :class:`Renderer` per process owns one warm Kaleido browser, run on an event loop in
a thread of its own. Every step has a deadline:

* a missing browser is found before anything starts and answers at once;
* starting the browser and each render wait at most ``start_timeout`` / ``render_timeout``
  seconds; on a timeout the browser is killed and started afresh on the next request;
* at most ``max_active`` renders run and ``max_queue`` wait (each at most ``queue_wait``
  seconds); beyond that a request is refused with :class:`RendererBusy` at once;
* after a failure to start, requests are refused for ``cooldown`` seconds without trying
  again, so a broken browser costs each request microseconds, not seconds.

Refusals are :class:`RendererUnavailable` with a plain message and a ``retry_after`` in
seconds, which the web layer turns into ``503`` with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence import ASSETS_DIR
from evidence.clean_text import clean_strings

DEFAULT_BROWSER = "/usr/bin/chromium"
INSTALL_HINT = "Image export needs Chromium (apt-get install chromium)"
IDLE_CHECK_S = 2.0  # a browser idle this long is checked for life before a render


class RendererUnavailable(RuntimeError):
    """No picture can be made now; ``retry_after`` seconds is a fair time to wait."""

    def __init__(self, message: str, retry_after: int = 30):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class RendererBusy(RendererUnavailable):
    """Every render slot and queue place is taken."""


class RenderFailed(RendererUnavailable):
    """This figure could not be drawn though the browser is fine: only this request fails
    (the breaker stays closed for everyone else)."""


def browser_path() -> str | None:
    """The Chromium executable to use, or ``None`` when there is none.

    ``IOME_BROWSER`` or ``BROWSER_PATH`` (kaleido's own setting) name it; otherwise
    Debian's ``/usr/bin/chromium`` or the first ``chromium`` on ``PATH``.
    """
    named = os.environ.get("IOME_BROWSER") or os.environ.get("BROWSER_PATH")
    candidates = [named] if named else [DEFAULT_BROWSER, shutil.which("chromium") or ""]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def probe_browser(path: str, timeout: float = 0.8) -> str | None:
    """Why ``path --version`` shows no working Chromium within ``timeout`` s, or None."""
    try:
        proc = subprocess.Popen(
            [path, "--version"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"the browser could not be run ({exc.strerror or exc})"
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"the browser did not answer within {timeout:g} s"
    if proc.returncode != 0 or b"Chrom" not in out:
        return f"the browser did not start (exit code {proc.returncode})"
    return None


def start_failure(exc: BaseException) -> str:
    """The real reason a browser that exists did not start, in a few words: a full temp
    folder, a killed browser, or the error's own words (never "install Chromium")."""
    if isinstance(exc, asyncio.CancelledError):
        return "the browser was stopped while starting"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"no space left in the temporary folder {tempfile.gettempdir()}"
    text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    if "No space left" in text:
        return f"no space left in the temporary folder {tempfile.gettempdir()}"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Failed:
    """An exception carried back from the renderer's loop as a value (never logged as
    'never retrieved' when its waiter has already given up)."""

    def __init__(self, exc: BaseException):
        self.exc = exc


async def _guarded(coro):
    try:
        return await coro
    except BaseException as exc:  # incl. CancelledError after a timeout
        return _Failed(exc)


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class RenderSettings:
    """Deadlines and limits of a renderer (environment: ``IOME_RENDER_*``)."""

    render_timeout: float = 60.0
    start_timeout: float = 20.0
    queue_wait: float = 30.0
    max_active: int = 1
    max_queue: int = 2
    cooldown: float = 30.0
    recycle: int = 200  # renders after which the browser is restarted (its memory returns)
    idle_close: float = 60.0  # seconds without a render after which the browser is closed
    nice: int = 10  # the browser's CPU priority below the pages' (0: the same)

    @classmethod
    def from_env(cls) -> RenderSettings:
        return cls(
            render_timeout=_env_float("IOME_RENDER_TIMEOUT", cls.render_timeout),
            start_timeout=_env_float("IOME_RENDER_START_TIMEOUT", cls.start_timeout),
            queue_wait=_env_float("IOME_RENDER_QUEUE_WAIT", cls.queue_wait),
            max_active=max(1, int(_env_float("IOME_RENDER_ACTIVE", cls.max_active))),
            max_queue=max(0, int(_env_float("IOME_RENDER_QUEUE", cls.max_queue))),
            cooldown=_env_float("IOME_RENDER_COOLDOWN", cls.cooldown),
            recycle=max(1, int(_env_float("IOME_RENDER_RECYCLE", cls.recycle))),
            idle_close=max(0.1, _env_float("IOME_RENDER_IDLE", cls.idle_close)),
            nice=min(19, max(0, int(_env_float("IOME_RENDER_NICE", cls.nice)))),
        )


def topojson_url() -> str:
    """The local world topology as a file URL (plotly.js never asks a CDN)."""
    return (ASSETS_DIR / "topojson").resolve().as_uri() + "/"


class Renderer:
    """One warm Kaleido browser with deadlines, a bounded queue and a circuit breaker."""

    def __init__(self, settings: RenderSettings | None = None):
        self.settings = settings or RenderSettings.from_env()
        self._slots = threading.BoundedSemaphore(self.settings.max_active)
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._waiting = 0
        self._active = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._browser: str | None = None
        self._others: set[int] = set()
        self._failed_at: float | None = None
        self._probed = False
        self._last_error: str | None = None
        self._renders = 0
        self._since_start = 0  # renders by the current browser
        self._failures = 0
        self._refused = 0
        self._last_used = 0.0
        self._idle_timer: threading.Timer | None = None
        self._idle_closes = 0

    # ------------------------------------------------------------------ state
    def status(self) -> dict[str, Any]:
        """What /healthz shows: never raises, never starts anything."""
        browser = browser_path()
        if browser is None:
            state = "unavailable"
        elif self._cooling_down():
            state = "failing"
        elif self._kaleido is not None:
            state = "ready"
        else:
            state = "idle"
        return {
            "state": state,
            "browser": "found" if browser else "missing",
            "active": self._active,
            "queued": self._waiting,
            "renders": self._renders,
            "failures": self._failures,
            "refused": self._refused,
            "last_error": self._last_error,
            "idle_closes": self._idle_closes,
        }

    def _cooling_down(self) -> bool:
        return (
            self._failed_at is not None
            and time.monotonic() - self._failed_at < self.settings.cooldown
        )

    # ---------------------------------------------------------------- render
    def check(self, probe: bool = False) -> None:
        """Raise RendererUnavailable at once when no render could start now (no browser,
        or cooling down after a failure): callers check before building a figure. With
        ``probe``, a browser not yet started is first asked for its version (once; under
        a second), so a broken or hung browser is found before any work is done."""
        if browser_path() is None:
            self._refused += 1
            raise RendererUnavailable(f"{INSTALL_HINT}; no browser was found.", 300)
        if probe and self._kaleido is None:
            with self._start_lock:
                if not self._cooling_down() and self._kaleido is None:
                    try:
                        self._probe_once()
                    except RendererUnavailable:
                        self._refused += 1
                        raise
        if self._cooling_down():
            self._refused += 1
            wait = self.settings.cooldown - (time.monotonic() - (self._failed_at or 0))
            raise RendererUnavailable(
                f"Image export is unavailable just now ({self._last_error}).", wait
            )

    def admit(self) -> None:
        """Raise RendererBusy at once when every render slot and queue place is taken, so
        a request is refused before it builds a figure or waits."""
        with self._lock:
            if self._waiting >= self.settings.max_queue + self.settings.max_active:
                self._refused += 1
                raise RendererBusy("Image export is busy; please try again shortly.", 5)

    def render(self, figure: dict, fmt: str, width: int, height: int, scale: float = 1.0) -> bytes:
        """Bytes of ``figure`` (a plain dict) as ``fmt``; raises RendererUnavailable.

        Control characters in any of the figure's text are removed first: they make an
        SVG invalid XML and Chromium's PDF fail."""
        self.check()
        figure = clean_strings(figure)
        with self._lock:
            if self._waiting >= self.settings.max_queue + self.settings.max_active:
                self._refused += 1
                raise RendererBusy("Image export is busy; please try again shortly.", 5)
            self._waiting += 1
        try:
            got = self._slots.acquire(timeout=self.settings.queue_wait)
        finally:
            with self._lock:
                self._waiting -= 1
        if not got:
            self._refused += 1
            raise RendererBusy("Image export is busy; please try again shortly.", 5)
        try:
            self._active += 1
            self.check()  # the browser may have failed while this request waited
            return self._render_now(figure, fmt, width, height, scale)
        finally:
            self._active -= 1
            self._slots.release()

    def _render_now(self, figure: dict, fmt: str, width: int, height: int, scale: float):
        with self._start_lock:
            self._ensure_started()
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        coro = self._kaleido.calc_fig(figure, opts=opts, topojson=topojson_url())
        future = asyncio.run_coroutine_threadsafe(_guarded(coro), self._loop)
        try:
            content = future.result(timeout=self.settings.render_timeout)
            if isinstance(content, _Failed):
                raise content.exc
        except TimeoutError:
            future.cancel()
            self._fail(f"a render took longer than {self.settings.render_timeout:g} s")
            raise RendererUnavailable(
                "Image export timed out; the picture may be too large. Try a smaller size.",
                10,
            ) from None
        except (Exception, asyncio.CancelledError) as exc:  # CancelledError: a BaseException
            self._failed_render(exc)
        self._renders += 1
        self._since_start += 1
        self._last_used = time.monotonic()
        if self._since_start >= self.settings.recycle:
            self._shutdown()  # the next render starts a fresh browser: Chromium's memory returns
        return content

    def _failed_render(self, exc: BaseException) -> None:
        """Answer a render that raised: when the browser is still up, the fault was this
        figure's (its content), so only this request fails and the next render starts a
        fresh browser at once; otherwise the browser died (killed, crashed, cancelled
        mid-render) and the breaker opens for everyone."""
        name = type(exc).__name__
        if not isinstance(exc, asyncio.CancelledError) and self._browser_alive():
            self._failures += 1
            self._last_error = f"a render failed on its content: {name}"
            self._shutdown()  # a fresh browser for the next render, with no cool-down
            raise RenderFailed(
                "This picture could not be drawn from this data; other exports still work.",
                5,
            ) from exc
        self._fail(f"render failed: {name} (the browser stopped)")
        raise RendererUnavailable(
            "Image export failed in the browser; please try again.", 10
        ) from (exc if isinstance(exc, Exception) else None)

    def _browser_alive(self) -> bool:
        """The render loop runs and a browser process of ours is alive."""
        if self._kaleido is None or self._thread is None or not self._thread.is_alive():
            return False
        return bool(self._own_browsers())

    def _own_browsers(self) -> list[int]:
        """Process groups of the browser this renderer started (not another renderer's)."""
        return [p for p in _browser_processes(self._browser) if p not in self._others]

    # ------------------------------------------------------- browser lifecycle
    def _probe_once(self) -> None:
        """Ask the browser for its version before its first start (and again after a
        failure); the caller holds ``_start_lock``."""
        if self._probed:
            return
        browser = browser_path()
        problem = probe_browser(browser) if browser else "no browser was found"
        if problem:
            self._fail(problem)
            raise RendererUnavailable(f"{INSTALL_HINT}; {problem}.", self.settings.cooldown)
        self._probed = True

    def _ensure_started(self) -> None:
        """A running browser: the warm one, or a fresh one when there is none or when it
        died while idle (OOM killer, a kill): that costs this request a start, never a
        failed render and a cool-down for everyone."""
        if self._kaleido is not None and self._thread is not None and self._thread.is_alive():
            # (a /proc scan, ~10 ms: skipped between renders in quick succession, e.g. the
            # frames of an animation, where a dead browser fails the next render anyway)
            if time.monotonic() - self._last_used < IDLE_CHECK_S or self._own_browsers():
                return
        self._shutdown()
        import kaleido  # imported late: the rest of the package works without it

        self._probe_once()
        browser = self._browser = browser_path()
        # Browsers of other renderers in this process (tests) are never this one's to kill.
        self._others = set(_browser_processes(browser))
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_run_then_close, args=(loop,), name="iome-renderer",
                                  daemon=True)  # fmt: skip
        thread.start()
        self._loop, self._thread = loop, thread

        async def start():
            # mathjax=False: kaleido's default page would load MathJax from a CDN.
            k = kaleido.Kaleido(
                n=1, timeout=self.settings.render_timeout, mathjax=False, path=browser
            )
            await k.open()
            return k

        future = asyncio.run_coroutine_threadsafe(_guarded(start()), loop)
        try:
            started = future.result(timeout=self.settings.start_timeout)
            if isinstance(started, _Failed):
                raise started.exc
            self._kaleido = started
        except TimeoutError:
            future.cancel()
            self._fail(f"the browser did not start within {self.settings.start_timeout:g} s")
            raise RendererUnavailable(
                "Image export is unavailable: the browser did not start in time.",
                self.settings.cooldown,
            ) from None
        except (Exception, asyncio.CancelledError) as exc:  # CancelledError: a BaseException
            cause = start_failure(exc)
            self._fail(f"the browser could not start: {cause}")
            raise RendererUnavailable(
                f"Image export is unavailable: the browser could not start ({cause}).",
                self.settings.cooldown,
            ) from (exc if isinstance(exc, Exception) else None)
        self._failed_at = None
        self._last_error = None
        self._since_start = 0
        self._last_used = time.monotonic()
        self._arm_idle(self.settings.idle_close)
        for pid in self._own_browsers():
            lower_priority(pid, self.settings.nice, group=True)

    # ------------------------------------------------------------------ idle
    def _arm_idle(self, delay: float) -> None:
        """Check for idleness in ``delay`` seconds (one timer per renderer)."""
        timer = threading.Timer(delay, self._close_if_idle)
        timer.daemon = True
        timer.name = "iome-renderer-idle"
        self._idle_timer = timer
        timer.start()

    def _close_if_idle(self) -> None:
        """Close the browser when nothing was rendered for ``idle_close`` seconds, so a
        worker's Chromium memory returns between bursts; the next render starts it again
        (under its start deadline). A render in progress or waiting keeps it open."""
        with self._start_lock:
            if self._kaleido is None:
                return
            quiet = time.monotonic() - self._last_used
            if quiet >= self.settings.idle_close and self._active == 0 and self._waiting == 0:
                self._idle_closes += 1
                self._shutdown()
                return
        self._arm_idle(max(min(1.0, self.settings.idle_close), self.settings.idle_close - quiet))

    def _fail(self, reason: str) -> None:
        self._probed = False
        self._failures += 1
        self._failed_at = time.monotonic()
        self._last_error = reason
        self._shutdown()

    def _shutdown(self) -> None:
        """Close the browser (a second at most), kill what is left, stop the loop."""
        k, loop, thread = self._kaleido, self._loop, self._thread
        self._kaleido = self._loop = self._thread = None
        timer, self._idle_timer = self._idle_timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        closing = None
        if loop is not None and k is not None and thread is not None and thread.is_alive():
            closing = k.close()
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(closing, loop).result(timeout=1.0)
        for pid in self._own_browsers():
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=1.0)
        # The thread closed its loop on stopping (_run_then_close).
        if closing is not None and not (thread is not None and thread.is_alive()):
            # A close the stopped loop never ran (or left half-way): ended here, so it
            # is not reported later as a coroutine never awaited, in whatever test.
            with contextlib.suppress(BaseException):
                closing.close()

    def close(self) -> None:
        """Stop the browser (tests and process exit)."""
        self._shutdown()


def _run_then_close(loop: asyncio.AbstractEventLoop) -> None:
    """The renderer thread: its loop until stopped, then closed by the thread itself, so
    a loop that stopped after :meth:`Renderer._shutdown` stopped waiting for it (a busy
    machine) does not leave its loop and self-pipe sockets to the garbage collector."""
    try:
        loop.run_forever()
    finally:
        with contextlib.suppress(Exception):
            loop.close()


def lower_priority(pid: int, nice: int, group: bool = False) -> None:
    """Run ``pid`` (a thread's native id, a process, or with ``group`` a whole process
    group) ``nice`` steps below the pages: on a busy machine a burst of renders then costs
    renders, not page loads (issue 24). Never raises: a priority is a preference."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    which = os.PRIO_PGRP if group else os.PRIO_PROCESS
    with contextlib.suppress(OSError):
        os.setpriority(which, pid, max(os.getpriority(which, pid), nice))


def _browser_processes(browser: str | None) -> list[int]:
    """Process group ids of this process's children that run ``browser`` (kaleido starts
    Chromium in a session of its own, through a small Python wrapper)."""
    if not browser:
        return []
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == me and fields[0] != "Z" and browser in cmdline:
            found.append(int(entry.name))
    return found


_DEFAULT: Renderer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_renderer() -> Renderer:
    """The process's renderer (created on first use, so a forked worker gets its own)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None or _DEFAULT_PID[0] != os.getpid():
            _DEFAULT = Renderer()
            _DEFAULT_PID[0] = os.getpid()
        return _DEFAULT


_DEFAULT_PID = [os.getpid()]
