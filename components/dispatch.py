"""Dash's per-request output check done once per distinct request shape (issue 27).

For every callback request Dash checks that the request's ``outputs`` match the
callback's declared outputs (``dash._validate.validate_output_spec``: about 0.15 ms p50,
0.25 ms p95 of CPU for the state writer's ~20 outputs). The check is a pure function of
the declared outputs and the request's output spec, and a page sends the same spec click
after click, so a spec that passed once for a callback passes again: it is remembered
(by the exact JSON of the spec) and not re-checked. A spec never seen, or one that
fails, is checked by Dash as before; at most MAX_REMEMBERED specs are kept.
"""

from __future__ import annotations

import threading

import orjson

MAX_REMEMBERED = 512
_lock = threading.Lock()


def remembering(validate):
    """``validate(output, output_spec, Output)`` that skips specs it already passed."""
    passed: dict[tuple[int, bytes], object] = {}

    def validate_output_spec(output, output_spec, Output):
        try:
            key = (id(output), orjson.dumps(output_spec))
        except TypeError:  # not JSON-shaped: let Dash judge it
            return validate(output, output_spec, Output)
        kept = passed.get(key)
        if kept is output:  # the declared outputs themselves are kept: no id reuse
            return None
        validate(output, output_spec, Output)  # raises on a mismatch: nothing kept
        with _lock:
            if len(passed) >= MAX_REMEMBERED:
                passed.clear()
            passed[key] = output
        return None

    validate_output_spec.remembering = True
    return validate_output_spec


def install() -> None:
    """Put the remembering check in place of Dash's (once per process)."""
    from dash import _validate

    with _lock:
        if not getattr(_validate.validate_output_spec, "remembering", False):
            _validate.validate_output_spec = remembering(_validate.validate_output_spec)
