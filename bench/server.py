"""Start, probe and stop the dashboard server; read its memory from /proc.

The server is ``iome-map serve --data FILE --port P [--workers N]`` on 127.0.0.1, in its
own process group so that stopping it ends the gunicorn master and its workers and
nothing else.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import log

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

_RUNNING: list[Server] = []


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """One running ``iome-map serve``; use as a context manager (always stopped)."""

    def __init__(
        self,
        data: Path,
        *,
        workers: int = 2,
        log_dir: Path | None = None,
        env: dict[str, str] | None = None,
    ):
        self.data = Path(data)
        self.workers = workers
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = (log_dir or Path("/tmp")) / f"server-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self.cold_start_s: float | None = None
        self.health: dict | None = None
        self.extra_env = dict(env or {})

    def start(self, timeout: float = 180.0) -> Server:
        # ``python -m cli`` from ROOT: this checkout's code (an installed ``iome-map``
        # script may import another checkout, e.g. a shared editable install).
        cmd = [
            sys.executable,
            "-m",
            "cli",
            "serve",
            "--data",
            str(self.data),
            "--host",
            HOST,
            "--port",
            str(self.port),
        ]
        if self.workers:
            cmd += ["--workers", str(self.workers)]
        # Every simulated client of the bench and the soak comes from 127.0.0.1: per-client
        # rate limits (components/limits.py) would count them as one, so they are off
        # unless ``env`` turns them on.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "IOME_RATE_LIMITS": "off"}
        env.update(self.extra_env)
        log_file = open(self.log_path, "wb")  # closed in stop()
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        self._log_file = log_file
        _RUNNING.append(self)
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as r:
                    if r.status == 200:
                        self.health = json.loads(r.read())
                        self.cold_start_s = time.perf_counter() - t0
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz within {timeout:.0f} s")

    def pids(self) -> list[int]:
        """The server's process and all its descendants (gunicorn master and workers),
        without the short-lived children that parse one upload each (named
        ``iome-parse``; evidence.upload.load_bounded): they are not the server's memory."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if stat.split(" (", 1)[-1].startswith("iome-parse)"):
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def memory(self) -> dict:
        """Sum of RSS and of PSS (shared pages split between processes) in MB."""
        rss = pss = 0
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
        return {
            "processes": len(pids),
            "rss_mb": round(rss / 1024, 1),
            "pss_mb": round(pss / 1024, 1) if pss else None,
        }

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "_log_file", None):
            self._log_file.close()
            self._log_file = None
        if self in _RUNNING:
            _RUNNING.remove(self)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_all() -> None:
    """Stop every server this process started (at exit and on signals)."""
    for server in list(_RUNNING):
        try:
            server.stop()
        except Exception as exc:  # keep stopping the others
            log(f"could not stop server on port {server.port}: {exc}")
