"""A small thread-safe cache of values derived from one evidence base (indexes, tables).

Evidence bases hold DataFrames, so they are not hashable: entries are keyed by the
object's id and checked by identity, and only the last few bases are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class PerBase:
    """Values computed once per (evidence base, extra key), least recently used dropped."""

    def __init__(self, size: int = 8):
        self._size = size
        self._entries: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, base: Any, extra: Hashable) -> Any:
        """The cached value for ``base`` and ``extra``, or None (nothing is built)."""
        with self._lock:
            hit = self._entries.get((id(base), extra))
        return hit[1] if hit is not None and hit[0] is base else None

    def get(self, base: Any, extra: Hashable, build: Callable[[], Any]) -> Any:
        """The cached value for ``base`` and ``extra``, built on a miss."""
        key = (id(base), extra)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] is base:
                self._entries.move_to_end(key)
                return hit[1]
        value = build()
        with self._lock:
            self._entries[key] = (base, value)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value
