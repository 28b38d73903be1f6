"""Tables whose words follow the coding scheme in use (the filter fields, the views).

They are built at import under the process's codebook. An upload read under its own
scheme (:func:`evidence.codebook.using_codebook`, one request at a time) sees them
rebuilt once per codebook, in that codebook's words; the site's data keeps the import-
time tables, so nothing changes (nor costs anything) for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from evidence.codebook import scoped_codebook

_MAX_SCHEMES = 16  # codebooks remembered per table (each a few kilobytes)


class _PerScheme:
    """The import-time value, or ``remake(value)`` under a scoped codebook (cached)."""

    def __init__(self, value: Any, remake: Callable[[Any], Any]):
        self._value = value
        self._remake = remake
        self._made: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _now(self) -> Any:
        path = scoped_codebook()
        if not path:
            return self._value
        with self._lock:
            hit = self._made.get(path)
        if hit is None:
            hit = self._remake(self._value)
            with self._lock:
                if len(self._made) >= _MAX_SCHEMES:
                    self._made.pop(next(iter(self._made)))
                self._made[path] = hit
        return hit

    # what a dict and a tuple read alike: the value in use's
    def __getitem__(self, key):
        return self._now()[key]

    def __iter__(self) -> Iterator:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


class SchemeMapping(_PerScheme, Mapping):
    """A read-only dict whose values follow the scheme in use (keys never change)."""

    def __repr__(self) -> str:
        return f"SchemeMapping({self._now()!r})"


class SchemeTuple(_PerScheme, Sequence):
    """A read-only tuple whose items follow the scheme in use (same length and order)."""

    def __add__(self, other):
        return tuple(self._now()) + tuple(other)

    def __repr__(self) -> str:
        return f"SchemeTuple({self._now()!r})"
