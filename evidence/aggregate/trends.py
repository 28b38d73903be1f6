"""The trends view's aggregate: distinct articles per year and format or motivation group."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.aggregate._engine import (
    Fallback,
    Source,
    factorised,
    frame_of,
    memo,
    position_of,
    small,
    source_of,
)
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase

UNCODED = "uncoded"
UNCODED_LABEL = "Not coded"


# --------------------------------------------------------------------------- trends
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
    src = source_of(eb)
    if src is not None:
        try:
            return _trends_fast(src, stack, year_range)
        except Fallback:
            pass
    return _trends_generic(eb, stack, year_range)


# --------------------------------------------------------------------------- fast path
@dataclass(frozen=True)
class _YearSets:
    """Each root article's publication year and set of groups of one dimension."""

    first_year: int
    n_years: int
    key: np.ndarray  # per article: (year - first_year) * len(sets) + set number
    sets: np.ndarray  # set number x group (the last group: "uncoded")


def _year_sets(src: Source, stack: str, groups: tuple[str, ...]) -> _YearSets:
    def build() -> _YearSets:
        table = "article_codes"
        c_dim, u_dim = factorised(src, table, "dimension")
        c_grp, u_grp = factorised(src, table, "group")
        k = len(groups) - 1
        if k > 61:
            raise Fallback
        column = {g: i for i, g in enumerate(groups[:-1])}
        at = np.array([column.get(g, -1) for g in u_grp] + [-1], dtype=np.int64)
        pos = src.idx.positions(table)
        in_dim = c_dim == position_of(u_dim, stack)
        bits = np.zeros(src.idx.n, dtype=np.int64)  # groups as bits; bit k: any code
        bits[pos[in_dim]] = 1 << k
        rows = np.flatnonzero(in_dim & (at[c_grp] >= 0))
        np.bitwise_or.at(bits, pos[rows], np.left_shift(1, at[c_grp[rows]]))
        uniq, article = np.unique(bits, return_inverse=True)
        sets = (uniq[:, None] >> np.arange(k + 1)) & 1
        sets[:, k] ^= 1  # "uncoded": no code of the dimension at all
        years = src.idx.years
        first = int(years.min()) if len(years) else 0
        n_years = int(years.max()) - first + 1 if len(years) else 0
        if n_years * len(uniq) > 1 << 24:
            raise Fallback
        key = (years - first) * len(uniq) + article.reshape(-1)
        return _YearSets(first, n_years, small(key), sets)

    return memo(src, ("year_sets", stack, groups), build)


def _trends_fast(src: Source, stack: str, year_range: tuple[int, int] | None) -> pd.DataFrame:
    cb = load_codebook()
    groups = [*cb.groups_of(stack), UNCODED]
    if year_range is None:
        years = src.idx.years if src.mask is None else src.idx.years[src.mask]
        if len(years) == 0:
            raise Fallback  # the reference's empty frame
        year_range = (int(years.min()), int(years.max()))
    lo, hi = int(year_range[0]), int(year_range[1])
    if hi < lo:
        raise Fallback
    ys = _year_sets(src, stack, tuple(groups))
    key = ys.key if src.mask is None else ys.key[src.mask]
    per = np.bincount(key, minlength=ys.n_years * len(ys.sets))
    by_year = per.reshape(ys.n_years, len(ys.sets)) @ ys.sets  # year of the root x group
    k, ny = len(groups), hi - lo + 1
    counts = np.zeros((ny, k), dtype=np.int64)
    a, b = max(lo, ys.first_year), min(hi, ys.first_year + ys.n_years - 1)
    if a <= b:
        counts[a - lo : b - lo + 1] = by_year[a - ys.first_year : b - ys.first_year + 1]
    labels = [UNCODED_LABEL if g == UNCODED else cb.label(g) for g in groups]
    return frame_of(
        {
            "year": np.repeat(np.arange(lo, hi + 1, dtype=np.int64), k),
            "group": np.tile(np.array(groups, dtype=object), ny),
            "label": np.tile(np.array(labels, dtype=object), ny),
            "n_articles": counts.reshape(-1),
        }
    )


# --------------------------------------------------------------------------- reference
# The generic pandas implementation: plain pandas on the given (already filtered) tables.
def _trends_generic(
    eb: EvidenceBase, stack: str = "format", year_range: tuple[int, int] | None = None
) -> pd.DataFrame:
    if stack not in ("format", "motivation"):
        raise ValueError(f"stack must be 'format' or 'motivation', not {stack!r}")
    cb = load_codebook()
    groups = [*cb.groups_of(stack), UNCODED]
    years_of = eb.articles.set_index("article_id")["year"]
    if year_range is None:
        if len(years_of) == 0:
            return pd.DataFrame(
                {
                    "year": pd.Series(dtype=int),
                    "group": pd.Series(dtype=object),
                    "label": pd.Series(dtype=object),
                    "n_articles": pd.Series(dtype=int),
                }
            )
        year_range = (int(years_of.min()), int(years_of.max()))
    lo, hi = int(year_range[0]), int(year_range[1])

    ac = eb.article_codes
    coded = ac.loc[ac["dimension"] == stack, ["article_id", "group"]].drop_duplicates()
    uncoded_ids = eb.articles.loc[
        ~eb.articles["article_id"].isin(coded["article_id"]), "article_id"
    ]
    coded = pd.concat(
        [coded, pd.DataFrame({"article_id": uncoded_ids, "group": UNCODED})], ignore_index=True
    )
    coded["year"] = coded["article_id"].map(years_of)
    counts = coded.groupby(["year", "group"], sort=False).size()

    grid = pd.MultiIndex.from_product([range(lo, hi + 1), groups], names=["year", "group"])
    n = counts.reindex(grid, fill_value=0).astype(int)
    out = grid.to_frame(index=False)
    out["label"] = out["group"].map(lambda g: UNCODED_LABEL if g == UNCODED else cb.label(g))
    out["n_articles"] = n.to_numpy()
    return out[["year", "group", "label", "n_articles"]]
