"""The trends view's aggregate: distinct articles per year and format or motivation group."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.aggregate._engine import Source, frame_of, position_of, sets_of, small, source_of
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase

UNCODED = "uncoded"
UNCODED_LABEL = "Not coded"


def trends(
    eb: EvidenceBase, stack: str = "format", year_range: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Distinct articles per publication year and format or motivation group.

    Every year of the range (default: first to last year in ``eb``) and every group of
    the dimension is present, zeros kept, plus the group ``"uncoded"`` for articles with
    no code in that dimension ("not coded" stays distinct from zero).

    Returns:
        DataFrame[year, group, label, n_articles], years ascending, groups in codebook order.
    """
    if stack not in ("format", "motivation"):
        raise ValueError(f"stack must be 'format' or 'motivation', not {stack!r}")
    cb = load_codebook()
    groups = [*cb.groups_of(stack), UNCODED]
    src = source_of(eb)
    if year_range is None:
        years = src.idx.years if src.mask is None else src.idx.years[src.mask]
        if len(years) == 0:
            return pd.DataFrame(
                {
                    "year": pd.Series(dtype=int),
                    "group": pd.Series(dtype=object),
                    "label": pd.Series(dtype=object),
                    "n_articles": pd.Series(dtype=int),
                }
            )
        year_range = (int(years.min()), int(years.max()))
    lo, hi = int(year_range[0]), int(year_range[1])
    ys = _year_sets(src, stack, tuple(groups))
    key = ys.key if src.mask is None else ys.key[src.mask]
    per = np.bincount(key, minlength=len(ys.years) * len(ys.sets))
    by_year = per.reshape(len(ys.years), len(ys.sets)) @ ys.sets  # distinct year x group
    k, ny = len(groups), max(hi - lo + 1, 0)
    counts = np.zeros((ny, k), dtype=np.int64)
    inside = (ys.years >= lo) & (ys.years <= hi)
    counts[ys.years[inside] - lo] = by_year[inside]
    labels = [UNCODED_LABEL if g == UNCODED else cb.label(g) for g in groups]
    return frame_of(
        {
            "year": np.repeat(np.arange(lo, hi + 1, dtype=np.int64), k),
            "group": np.tile(np.array(groups, dtype=object), ny),
            "label": np.tile(np.array(labels, dtype=object), ny),
            "n_articles": counts.reshape(-1),
        }
    )


@dataclass(frozen=True)
class _YearSets:
    """Each root article's publication year and set of groups of one dimension, numbered."""

    years: np.ndarray  # the distinct years, ascending
    key: np.ndarray  # per article: year number * len(sets) + set number
    sets: np.ndarray  # set number x group (the last group: "uncoded")


def _year_sets(src: Source, stack: str, groups: tuple[str, ...]) -> _YearSets:
    def build() -> _YearSets:
        table = "article_codes"
        c_dim, u_dim = src.codes(table, "dimension")
        c_grp, u_grp = src.codes(table, "group")
        column = {g: i for i, g in enumerate(groups[:-1])}
        at = np.array([column.get(g, -1) for g in u_grp] + [-1], dtype=np.int64)
        pos = src.idx.positions(table)
        in_dim = c_dim == position_of(u_dim, stack)
        member = np.zeros((src.idx.n, len(groups)), dtype=bool)
        member[:, -1] = True  # "uncoded": no code of the dimension at all
        member[pos[in_dim], -1] = False
        rows = np.flatnonzero(in_dim & (at[c_grp] >= 0))
        member[pos[rows], at[c_grp[rows]]] = True
        sets, article = sets_of(member)
        years, year = np.unique(src.idx.years, return_inverse=True)
        key = year.reshape(-1).astype(np.int64) * len(sets) + article
        return _YearSets(years, small(key), sets)

    return src.memo(("year_sets", stack, groups), build)
