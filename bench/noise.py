"""How busy the machine was with work that is not the benchmark's own.

A background thread samples /proc once a second and adds up the CPU time of every process
outside this process's tree (the benchmark, its servers, its browser and their children
are inside). On a shared 2-core machine that other work inflates every timing, so the
report states it next to the numbers.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) for every readable process."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command: state ppid ... utime(12) stime(13) counted from state = 0
        out[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return out


def _ours(table: dict[int, tuple[int, float]], root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo += children.get(pid, [])
    return seen


class OtherWork:
    """Use as a context manager; ``result()`` gives CPU seconds and share of the cores."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-noise", daemon=True)
        self.t0 = self.t1 = 0.0

    def _sample(self) -> None:
        table = _table()
        ours = _ours(table, os.getpid())
        for pid, (_, cpu) in table.items():
            if pid in ours:
                continue
            self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._sample()
            except OSError:
                pass

    def __enter__(self) -> OtherWork:
        self.t0 = time.monotonic()
        table = _table()
        ours = _ours(table, os.getpid())
        self.first = {pid: cpu for pid, (_, cpu) in table.items() if pid not in ours}
        self.last = dict(self.first)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self.t1 = time.monotonic()

    def result(self) -> dict:
        # A process first seen after the start counts from zero (it was started meanwhile).
        seconds = 0.0
        for pid, cpu in self.last.items():
            seconds += cpu - self.first.get(pid, 0.0) if pid in self.first else cpu
        wall = (self.t1 or time.monotonic()) - self.t0
        cores = os.cpu_count() or 1
        return {
            "cpu_s": round(seconds, 1),
            "wall_s": round(wall, 1),
            "share_of_cores": round(seconds / (wall * cores), 3) if wall else None,
        }


def wait_quiet(max_wait: float, threshold: float = 0.1, window: float = 3.0) -> dict:
    """Wait up to ``max_wait`` s until other work uses less than ``threshold`` of the cores
    over a ``window``-second sample; returns how long it waited and the last share seen."""
    start = time.monotonic()
    share = None
    while True:
        with OtherWork(interval=window / 3) as other:
            time.sleep(window)
        share = other.result()["share_of_cores"]
        waited = time.monotonic() - start
        if (share is not None and share < threshold) or waited >= max_wait:
            return {"waited_s": round(waited, 1), "share_of_cores": share}
