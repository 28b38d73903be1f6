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
    table = trend_table(eb, stack, year_range)
    if table is None:
        return pd.DataFrame(
            {
                "year": pd.Series(dtype=int),
                "group": pd.Series(dtype=object),
                "label": pd.Series(dtype=object),
                "n_articles": pd.Series(dtype=int),
            }
        )
    return table.frame()


@dataclass(frozen=True)
class TrendTable:
    """The numbers of the trends chart as arrays: distinct articles per year (every year
    of the range, ascending) and group (codebook order, "uncoded" last)."""

    years: np.ndarray  # int64, one per year of the range
    groups: tuple[str, ...]
    labels: tuple[str, ...]
    counts: np.ndarray  # int64, years x groups

    def frame(self) -> pd.DataFrame:
        """DataFrame[year, group, label, n_articles], a row per year and group."""
        k, ny = len(self.groups), len(self.years)
        return frame_of(
            {
                "year": np.repeat(self.years, k),
                "group": np.tile(np.array(self.groups, dtype=object), ny),
                "label": np.tile(np.array(self.labels, dtype=object), ny),
                "n_articles": self.counts.reshape(-1),
            }
        )


def trend_table(
    eb: EvidenceBase, stack: str = "format", year_range: tuple[int, int] | None = None
) -> TrendTable | None:
    """:func:`trends` as arrays (None when ``eb`` has no article and no range is given):
    one mask and one ``bincount`` over each article's (year, set of groups) code."""
    if stack not in ("format", "motivation"):
        raise ValueError(f"stack must be 'format' or 'motivation', not {stack!r}")
    cb = load_codebook()
    groups = (*cb.groups_of(stack), UNCODED)
    src = source_of(eb)
    if year_range is None:
        years = src.idx.years if src.mask is None else src.idx.years[src.mask]
        if len(years) == 0:
            return None
        year_range = (int(years.min()), int(years.max()))
    lo, hi = int(year_range[0]), int(year_range[1])
    ys = _year_sets(src, stack, groups)
    key = ys.key if src.mask is None else ys.key[src.mask]
    per = np.bincount(key, minlength=len(ys.years) * len(ys.sets))
    by_year = per.reshape(len(ys.years), len(ys.sets)) @ ys.sets  # distinct year x group
    k, ny = len(groups), max(hi - lo + 1, 0)
    counts = np.zeros((ny, k), dtype=np.int64)
    inside = (ys.years >= lo) & (ys.years <= hi)
    counts[ys.years[inside] - lo] = by_year[inside]
    labels = tuple(UNCODED_LABEL if g == UNCODED else cb.label(g) for g in groups)
    return TrendTable(np.arange(lo, hi + 1, dtype=np.int64), groups, labels, counts)


def year_span(eb: EvidenceBase) -> tuple[int, int] | None:
    """The first and last publication years of ``eb`` (None when it has no article)."""
    src = source_of(eb)
    years = src.idx.years if src.mask is None else src.idx.years[src.mask]
    return (int(years.min()), int(years.max())) if len(years) else None


def year_totals(eb: EvidenceBase, years: np.ndarray) -> np.ndarray:
    """Articles of ``eb`` published in each of ``years`` (consecutive, ascending)."""
    src = source_of(eb)
    all_years = src.idx.years if src.mask is None else src.idx.years[src.mask]
    if not len(years):
        return np.zeros(0, dtype=np.int64)
    lo = int(years[0])
    inside = all_years[(all_years >= lo) & (all_years <= int(years[-1]))] - lo
    return np.bincount(inside, minlength=len(years)).astype(np.int64)


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
