"""The counting engine under every aggregate: sources, integer codes, counters, memo.

An evidence base is seen as an article mask over an indexed root (:func:`source_of`);
counts are ``np.bincount`` over the flagged first rows of every (article, key) of the
root's tables (:func:`counter_of`). See :mod:`evidence.aggregate` for the counting rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.errors import InvalidIndexError

from evidence import filters
from evidence.codebook import load_codebook
from evidence.model import INCOME_GROUPS, EvidenceBase, side_of

CLASSIFICATIONS = ("year", "latest")
ROLES = ("origin", "author", "setting")
SIDES = ("north", "south")


# --------------------------------------------------------------------------- helpers
def suffix(classification: str) -> str:
    if classification not in CLASSIFICATIONS:
        raise ValueError(f"classification must be 'year' or 'latest', not {classification!r}")
    return "" if classification == "year" else "_latest"


def names_lookup(names: Mapping | Callable | None) -> Callable[[pd.Series], pd.Series]:
    """A vectorised iso3 -> name mapper from a mapping, a function or evidence.countries."""
    if names is None:
        from evidence.countries import country_name

        names = country_name
    if isinstance(names, Mapping):
        table = names

        def lookup(codes: pd.Series) -> pd.Series:
            return codes.map(table).fillna(codes)

        return lookup
    fn = names

    def lookup(codes: pd.Series) -> pd.Series:
        uniq = pd.unique(codes)
        return codes.map({c: (fn(c) if c else "") for c in uniq})

    return lookup


def points_or_default(points: pd.DataFrame | None) -> pd.DataFrame:
    if points is None:
        from evidence.countries import country_points

        points = country_points()
    return points


def economies_or_default(economies: pd.DataFrame | None) -> pd.DataFrame:
    if economies is None:
        from evidence.countries import economies as load_economies

        economies = load_economies()
    return economies


def nunique(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Distinct articles per key combination (drop_duplicates + size: fast and exact)."""
    return frame[[*keys, "article_id"]].drop_duplicates().groupby(keys, sort=False).size()


def table_of(eb: EvidenceBase, what: str) -> pd.DataFrame:
    if what == "flows":
        return eb.flows
    if what == "partnerships":
        return eb.partnerships
    raise ValueError(f"what must be 'flows' or 'partnerships', not {what!r}")


def source_target(frame: pd.DataFrame) -> tuple[str, str]:
    return ("lead", "partner") if "lead" in frame.columns else ("origin", "destination")


def keys_of(level: str, dimension: str) -> list[str]:
    cb = load_codebook()
    if level == "group":
        return cb.groups_of(dimension)
    if level == "code":
        return cb.codes_of(dimension)
    raise ValueError(f"level must be 'group' or 'code', not {level!r}")


# =========================================================================== fast path
class Fallback(Exception):
    """The precomputed codes cannot answer exactly: use the generic pandas path."""


@dataclass(frozen=True)
class Source:
    """An evidence base (or table) seen as an article mask over an indexed root."""

    root: EvidenceBase
    idx: filters._Index
    mask: np.ndarray | None  # over root.articles; None = every article

    @property
    def n_articles(self) -> int:
        return self.idx.n if self.mask is None else int(np.count_nonzero(self.mask))

    def rows(self, table: str) -> np.ndarray | None:
        """Rows of the root's ``table`` kept by the mask (None = all)."""
        return None if self.mask is None else self.mask[self.idx.positions(table)]

    def count_in(self, articles: np.ndarray) -> int:
        """How many of the given root article positions the mask keeps."""
        if self.mask is None:
            return len(articles)
        return int(np.count_nonzero(self.mask[articles]))


def source_of(eb: EvidenceBase) -> Source | None:
    """The indexed root and article mask of ``eb``, or None (use the generic path)."""
    found = filters.lineage(eb)
    if found is not None:
        root, mask, table = found
        if table is not None:
            return None
    elif isinstance(eb, EvidenceBase):
        root, mask = eb, None
    else:
        return None
    return _indexed(root, mask)


def table_source(frame: pd.DataFrame) -> tuple[Source | None, str | None]:
    found = filters.lineage(frame)
    if found is None or found[2] is None:
        return None, None
    return _indexed(found[0], found[1]), found[2]


def _indexed(root: EvidenceBase, mask: np.ndarray | None) -> Source | None:
    try:
        idx = filters.index_of(root)
    except (KeyError, InvalidIndexError, TypeError, ValueError):
        return None  # no article ids or years, or duplicate ids: only pandas can tell
    if not idx.complete:
        return None
    return Source(root, idx, mask)


def memo(src: Source, key: tuple, build: Callable[[], object]):
    """A value derived from the root, computed once per root index."""
    found = src.idx.memo.get(key)
    if found is None:
        found = src.idx.memo[key] = build()
    return found


def factorised(src: Source, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Factorised column of a root table; falls back when the column has missing values."""
    try:
        codes, uniques = filters.column_codes(src.root, table, column)
    except KeyError as exc:
        raise Fallback from exc

    def complete() -> bool:
        return len(uniques) == 0 or not bool((codes == len(uniques)).any())

    if not memo(src, ("complete", table, column), complete):
        raise Fallback
    return codes, uniques


def position_of(uniques: np.ndarray, value: object) -> int:
    """Code of ``value`` among ``uniques`` (-1 when absent)."""
    found = np.flatnonzero(uniques == value) if len(uniques) else []
    return int(found[0]) if len(found) else -1


def _first_rows(src: Source, table: str, columns: tuple[str, ...]) -> np.ndarray:
    """Flags on the first row of every (article, values of ``columns``) of a root table."""

    def build() -> np.ndarray:
        key = np.zeros(len(src.idx.positions(table)), dtype=np.int64)
        size = 1
        for column in columns:
            codes, uniques = factorised(src, table, column)
            key = key * (len(uniques) + 1) + codes
            size *= len(uniques) + 1
            if size > 1 << 31:  # keep the combined key small: renumber what occurs
                uniq, key = np.unique(key, return_inverse=True)
                key, size = key.reshape(-1).astype(np.int64), len(uniq)
        flags = np.zeros(len(key), dtype=bool)
        if len(key):
            pos = src.idx.positions(table).astype(np.int64)
            _, first = np.unique(pos * size + key, return_index=True)
            flags[first] = True
        return flags

    return memo(src, ("first", table, columns), build)


@dataclass(frozen=True)
class Counter:
    """The first row of every distinct (article, key) of a root table, restricted to the
    rows that count. Filters keep or drop whole articles, so for any article mask the
    kept entries are exactly one per distinct (article, key) of the subset."""

    rows: np.ndarray  # table row numbers, ascending
    articles: np.ndarray  # their article positions
    keys: np.ndarray  # their key codes
    size: int  # number of key codes

    def kept(self, src: Source) -> np.ndarray | None:
        return None if src.mask is None else src.mask[self.articles]

    def count(self, kept: np.ndarray | None) -> np.ndarray:
        """Distinct articles per key code."""
        keys = self.keys if kept is None else self.keys[kept]
        return np.bincount(keys, minlength=self.size)


def counter_of(
    src: Source,
    name: tuple,
    table: str,
    columns: tuple[str, ...],
    key: Callable[[], tuple[np.ndarray, int, np.ndarray | None]],
) -> Counter:
    """A (cached) counter over ``table``: ``key()`` gives each row's key code, the number
    of codes and which rows count (None: all); ``columns`` must determine the key and
    the row selection."""

    def build() -> Counter:
        codes, size, where = key()
        first = _first_rows(src, table, columns)
        rows = np.flatnonzero(first if where is None else first & where)
        articles = src.idx.positions(table)[rows]
        return Counter(small(rows), small(articles), small(codes[rows]), size)

    return memo(src, ("counter", table, *name), build)


def small(values: np.ndarray) -> np.ndarray:
    """Non-negative integers as int32 when they fit (halves the index's memory)."""
    if len(values) == 0 or values.max() < np.iinfo(np.int32).max:
        return values.astype(np.int32, copy=False)
    return values


def articles_with(src: Source, table: str, rows: np.ndarray) -> np.ndarray:
    """Sorted root article positions with at least one of the given table rows."""
    hit = np.zeros(src.idx.n, dtype=bool)
    hit[src.idx.positions(table)[rows]] = True
    return np.flatnonzero(hit)


def frame_of(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(columns, copy=False)


def ranks(values: np.ndarray) -> np.ndarray:
    """Sort rank of each string (equal strings share a rank), Python string order."""
    if not all(isinstance(v, str) for v in values):
        raise Fallback
    _, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return inverse.reshape(-1)


def vocabulary(
    src: Source, table: str, column: str, what: str, make: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    _, uniques = factorised(src, table, column)
    return memo(src, ("vocab", what, table, column), lambda: make(uniques))


def article_sides(src: Source, col: str) -> np.ndarray:
    """Per root article: 0 north, 1 south, -1 unclassified (``side_of`` of ``col``)."""

    def build() -> np.ndarray:
        codes, uniques = factorised(src, "articles", col)
        side = {g: SIDES.index(side_of(g)) for g in INCOME_GROUPS}
        per = np.array([side.get(u, -1) for u in uniques] + [-1], dtype=np.int8)
        return per[codes]

    return memo(src, ("sides", col), build)
