"""Text from a user (file names, cells) made safe for formats that cannot hold every
character: XML (SVG, PPTX, XLSX), Chromium's page, HTTP headers, CSV.

C0 control characters (but tab and line feed where the format allows them), DEL and the
C1 controls (U+0080 to U+009F) are removed, and so are lone surrogates, which no UTF-8
file can hold. A name such as ``ctl\\x01name.csv`` becomes ``ctlname.csv``.
"""

from __future__ import annotations

import re

import numpy as np

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_AND_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def strip_controls(text: str, *, keep_breaks: bool = True) -> str:
    """``text`` without control characters; tab and line feed kept when ``keep_breaks``
    (a carriage return is never kept: CR LF becomes LF)."""
    text = str(text).replace("\r\n", "\n")
    return (_CONTROLS if keep_breaks else _CONTROLS_AND_BREAKS).sub("", text)


def clean_strings(value):
    """``value`` (nested dicts, lists and tuples, as a plotly figure) with every string
    cleaned by :func:`strip_controls`; other values unchanged, nothing copied needlessly."""
    if isinstance(value, str):
        return strip_controls(value) if _CONTROLS.search(value) or "\r" in value else value
    if isinstance(value, dict):
        return {k: clean_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_strings(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OU":
        return np.array([clean_strings(v) for v in value.ravel()], dtype=object).reshape(
            value.shape
        )
    return value
