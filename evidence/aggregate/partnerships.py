"""The partnerships view's aggregate: distinct articles per partnership format code
(the lead -> partner pairs are counted with the flows, in :mod:`evidence.aggregate.flows`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence.aggregate._engine import (
    Fallback,
    Source,
    counter_of,
    factorised,
    frame_of,
    nunique,
    position_of,
    source_of,
)
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase


def partnership_summary(eb: EvidenceBase) -> pd.DataFrame:
    """Distinct articles per partnership format code (codebook order, zeros kept).

    Returns:
        DataFrame[code, label, n_articles], ``partnership.unspecified`` last.
    """
    src = source_of(eb)
    if src is not None:
        try:
            return _partnership_summary_fast(src)
        except Fallback:
            pass
    return _partnership_summary_generic(eb)


def _partnership_summary_fast(src: Source) -> pd.DataFrame:
    cb = load_codebook()
    codes = cb.groups["partnership"].codes
    table = "article_codes"
    c_code, u_code = factorised(src, table, "code")

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        c_dim, u_dim = factorised(src, table, "dimension")
        c_grp, u_grp = factorised(src, table, "group")
        fmt, grp = position_of(u_dim, "format"), position_of(u_grp, "partnership")
        return c_code, len(u_code), (c_dim == fmt) & (c_grp == grp)

    counter = counter_of(src, ("partnership_codes",), table, ("dimension", "group", "code"), key)
    n = counter.count(counter.kept(src))
    at = [position_of(u_code, c) for c in codes]
    return frame_of(
        {
            "code": np.array(codes, dtype=object),
            "label": np.array([cb.label(c) for c in codes], dtype=object),
            "n_articles": np.array([n[i] if i >= 0 else 0 for i in at], dtype=np.int64),
        }
    )


# --------------------------------------------------------------------------- reference
# The generic pandas implementation: plain pandas on the given (already filtered) tables.
def _partnership_summary_generic(eb: EvidenceBase) -> pd.DataFrame:
    cb = load_codebook()
    codes = cb.groups["partnership"].codes
    ac = eb.article_codes
    ac = ac[(ac["dimension"] == "format") & (ac["group"] == "partnership")]
    n = nunique(ac, ["code"]).reindex(list(codes), fill_value=0)
    return pd.DataFrame(
        {
            "code": list(codes),
            "label": [cb.label(c) for c in codes],
            "n_articles": n.to_numpy().astype(int),
        }
    )
