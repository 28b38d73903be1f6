"""A cache of built views shared by requests: in-process by default, Redis when asked.

Keys name the data version, the view and only the parts of the state that view depends
on, so a cached figure is the one the pipeline would build. Values are plain JSON-ready
dicts, so a hit never shares a mutable figure object between requests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_caching import Cache

DEFAULT_TIMEOUT = 3600


def no_retry():
    """A redis-py retry policy of none: redis-py 6+ retries a timed-out call three times
    with back-off by default, which turns a 0.2 s deadline into seconds."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return Retry(NoBackoff(), 0)


def make_cache(server: Flask, url: str | None = None) -> Cache:
    """Flask-Caching on ``server``: Redis at ``url`` (redis://host:port/db) or in-process."""
    if url:
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": "iome:",
            "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
            # A slow or absent Redis must cost milliseconds, not seconds, per view; after
            # a failure `cached` leaves it alone for a while (REDIS_REST_S).
            "CACHE_OPTIONS": {
                "socket_connect_timeout": 0.2,
                "socket_timeout": 0.2,
                "retry": no_retry(),
            },
        }
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000,
                  "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT}  # fmt: skip
    return Cache(server, config=config)


REDIS_REST_S = 5.0  # after a cache error, that cache is skipped this long
_REST = "_iome_resting_until"  # attribute on the cache object: per cache, not global


def cached(cache: Cache | None, key: str, build: Callable[[], Any]) -> Any:
    """The value under ``key``, built and stored on a miss. A cache error means a rebuild,
    and the cache is skipped for :data:`REDIS_REST_S` after one: a hung Redis costs one
    request 0.2 s, not every request of the next minutes."""
    if cache is None or time.monotonic() < getattr(cache, _REST, 0.0):
        return build()
    try:
        value = cache.get(key)
    except Exception:
        setattr(cache, _REST, time.monotonic() + REDIS_REST_S)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value)
        except Exception:
            setattr(cache, _REST, time.monotonic() + REDIS_REST_S)
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
