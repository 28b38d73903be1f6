"""A cache of built views shared by requests: in-process by default, Redis when asked.

Keys name the data version, the view and only the parts of the state that view depends
on, so a cached figure is the one the pipeline would build. Values are plain JSON-ready
dicts, so a hit never shares a mutable figure object between requests.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_caching import Cache

DEFAULT_TIMEOUT = 3600


def make_cache(server: Flask, url: str | None = None) -> Cache:
    """Flask-Caching on ``server``: Redis at ``url`` (redis://host:port/db) or in-process."""
    if url:
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": "iome:",
            "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
            # A slow or absent Redis must cost milliseconds, not seconds, per view.
            "CACHE_OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000,
                  "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT}  # fmt: skip
    return Cache(server, config=config)


def cached(cache: Cache | None, key: str, build: Callable[[], Any]) -> Any:
    """The value under ``key``, built and stored on a miss. A cache error means a rebuild."""
    if cache is None:
        return build()
    try:
        value = cache.get(key)
    except Exception:
        value = None
    if value is None:
        value = build()
        try:
            cache.set(key, value)
        except Exception:
            pass
    return value


class BytesLRU:
    """An in-process cache of byte strings bounded by total size (least recently used
    out first); thread-safe. Used for rendered exports when no shared cache is set."""

    def __init__(self, max_bytes: int = 64 * 2**20):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes // 4:
            return  # one huge picture must not push out everything else
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def make_export_cache(cache: Cache | None, url: str | None) -> Cache | BytesLRU:
    """Where rendered exports are kept: the shared Redis cache when one is configured
    (every worker and host renders a picture once), else a 64 MB in-process LRU."""
    if url and cache is not None:
        return cache
    return BytesLRU()
