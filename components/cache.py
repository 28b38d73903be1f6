"""A cache of built views shared by requests: in-process by default, Redis when asked.

Keys name the data version, the view and only the parts of the state that view depends
on, so a cached figure is the one the pipeline would build. Values are plain JSON-ready
dicts, so a hit never shares a mutable figure object between requests.
"""

from __future__ import annotations

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
