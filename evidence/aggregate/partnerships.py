"""The partnerships view's aggregate: distinct articles per partnership format code
(the lead -> partner pairs are counted with the flows, in :mod:`evidence.aggregate.flows`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence.aggregate._engine import counter_of, frame_of, position_of, source_of
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase


def partnership_summary(eb: EvidenceBase) -> pd.DataFrame:
    """Distinct articles per partnership format code (codebook order, zeros kept).

    Returns:
        DataFrame[code, label, n_articles], ``partnership.unspecified`` last.
    """
    cb = load_codebook()
    group = cb.flow_group("partnership")  # None: the scheme codes no partnerships
    codes = cb.flow_codes("partnership")
    if group is None:
        return frame_of({"code": np.array([], dtype=object), "label": np.array([], dtype=object),
                         "n_articles": np.array([], dtype=np.int64)})  # fmt: skip
    src = source_of(eb)
    table = "article_codes"
    c_code, u_code = src.codes(table, "code")

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        c_dim, u_dim = src.codes(table, "dimension")
        c_grp, u_grp = src.codes(table, "group")
        fmt, grp = position_of(u_dim, "format"), position_of(u_grp, group)
        return c_code, len(u_code) + 1, (c_dim == fmt) & (c_grp == grp)

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
