"""Helpers for files that leave the app: CSV safety for spreadsheets."""

from __future__ import annotations

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells a spreadsheet would read as a formula with an apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype(str)
            risky = text.str.startswith(_FORMULA_START) & out[col].notna()
            out[col] = out[col].where(~risky, "'" + text)
    return out
