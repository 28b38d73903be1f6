"""Per-client rate limits on the routes that cost the server: uploads and exports.

Without them one client could fill the upload store to its cap (pushing out other
visitors' files) or queue image exports without end. Limits count per client address;
the counters live in the shared Redis when the app has one (``--cache redis://…``, so
every worker and host counts together) and in each worker's memory otherwise.

An answer over the limit is ``429`` with ``Retry-After`` and a plain sentence.

Settings (environment; the syntax is Flask-Limiter's, e.g. ``"10 per minute;60 per
hour"``): ``IOME_RATE_UPLOAD``, ``IOME_RATE_EXPORT`` (images and decks), ``IOME_RATE_DATA``
(CSV/XLSX downloads); ``IOME_RATE_LIMITS=off`` turns all of them off; behind a reverse
proxy, ``IOME_PROXY_HOPS=N`` takes the client address from the last N ``X-Forwarded-For``
entries.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

DEFAULT_LIMITS = {
    "upload": "10 per minute;60 per hour",
    "export": "20 per minute;200 per hour",
    "data": "120 per minute",
}
ENV = {"upload": "IOME_RATE_UPLOAD", "export": "IOME_RATE_EXPORT", "data": "IOME_RATE_DATA"}
# endpoint name -> which limit applies
ENDPOINTS = {
    "upload": "upload",
    "export_view": "export",
    "export_data": "data",
}
WHAT = {
    "upload": "uploads",
    "export": "image and slide exports",
    "data": "data downloads",
}


def limits_from_env() -> dict[str, str] | None:
    """The limit of each kind, or ``None`` when limits are turned off."""
    if os.environ.get("IOME_RATE_LIMITS", "on").strip().lower() in {"off", "0", "false", "no"}:
        return None
    return {kind: os.environ.get(ENV[kind]) or rate for kind, rate in DEFAULT_LIMITS.items()}


def register_limits(server: Flask, storage_url: str | None = None) -> Limiter | None:
    """Limit the upload, export and data routes of ``server`` (call after they exist)."""
    limits = limits_from_env()
    hops = int(os.environ.get("IOME_PROXY_HOPS", "0") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if limits is None:
        return None
    limiter = Limiter(
        key_func=get_remote_address,
        app=server,
        storage_uri=storage_url or "memory://",
        # a Redis outage must not take uploads and exports down with it
        in_memory_fallback_enabled=True,
        storage_options={"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
        if storage_url
        else {},
        headers_enabled=False,  # Retry-After is set on the 429 answers only
        strategy="moving-window",
        key_prefix="iome-limits",
    )
    for endpoint, kind in ENDPOINTS.items():
        view = server.view_functions.get(endpoint)
        if view is not None:
            server.view_functions[endpoint] = limiter.limit(
                limits[kind], scope=kind, error_message=kind
            )(view)

    @server.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        what = WHAT.get(str(exc.description), "requests")
        current = limiter.current_limit
        wait = int(current.reset_at - time.time()) if current is not None else 60
        response = Response(
            f"Too many {what} from your address (limit: {exc.limit.limit}). Please try "
            f"again in {max(1, wait)} s.",
            status=429,
            mimetype="text/plain",
        )
        response.headers["Retry-After"] = str(max(1, wait))
        return response

    return limiter
