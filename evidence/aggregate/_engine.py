"""The counting engine under every aggregate: sources, integer codes, counters, memo.

An evidence base is seen as an article mask over an indexed root (:func:`source_of`);
distinct-article counts are ``np.bincount`` over the flagged first rows of every
(article, key) of the root's tables (:func:`counter_of`). See :mod:`evidence.aggregate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from evidence import filters
from evidence.codebook import load_codebook
from evidence.model import INCOME_GROUPS, EvidenceBase, side_of

CLASSIFICATIONS = ("year", "latest")
ROLES = ("origin", "author", "setting")
SIDES = ("north", "south")


# --------------------------------------------------------------------------- arguments
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


def table_of(eb: EvidenceBase, what: str) -> pd.DataFrame:
    if what == "flows":
        return eb.flows
    if what == "partnerships":
        return eb.partnerships
    raise ValueError(f"what must be 'flows' or 'partnerships', not {what!r}")


def keys_of(level: str, dimension: str) -> list[str]:
    cb = load_codebook()
    if level == "group":
        return cb.groups_of(dimension)
    if level == "code":
        return cb.codes_of(dimension)
    raise ValueError(f"level must be 'group' or 'code', not {level!r}")


# --------------------------------------------------------------------------- sources
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

    def codes(self, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """``(codes, uniques)`` of a root table's column; a missing value has the code
        ``len(uniques)``."""
        return self.idx.codes(getattr(self.root, table), table, column)

    def memo(self, key: tuple, build: Callable[[], object]):
        """A value derived from the root, computed once per root index."""
        found = self.idx.memo.get(key)
        if found is None:
            found = self.idx.memo[key] = build()
        return found


def source_of(eb: EvidenceBase) -> Source:
    """``eb`` as a mask over its root (:func:`evidence.filters.lineage`), or as its own
    root, indexed (and checked) once."""
    found = filters.lineage(eb)
    root, mask = (found[0], found[1]) if found is not None and found[2] is None else (eb, None)
    return Source(root, filters.index_of(root), mask)


def table_source(frame: pd.DataFrame) -> tuple[Source, str]:
    """A flows or partnerships table as a source, and its table name: an evidence base's
    table as a mask over that base's root; any other table (derived, literal) indexed on
    its own, as the only table of an evidence base of its articles (not cached)."""
    found = filters.lineage(frame)
    if found is not None and found[2] is not None:
        root, mask, table = found
        return Source(root, filters.index_of(root), mask), table
    table = "partnerships" if "lead" in frame.columns else "flows"
    articles = pd.DataFrame({"article_id": pd.unique(frame["article_id"]), "year": 0})
    root = replace(EvidenceBase.empty(), articles=articles, **{table: frame})
    return Source(root, filters.build_index(root), None), table


# --------------------------------------------------------------------------- counting
def rows_of(eb: EvidenceBase, table: str) -> int:
    """How many rows of ``table`` (flows, partnerships, ...) ``eb`` holds, counted on its
    mask over the root: no table copied."""
    src = source_of(eb)
    rows = src.rows(table)
    return len(getattr(src.root, table)) if rows is None else int(np.count_nonzero(rows))


def position_of(uniques: np.ndarray, value: object) -> int:
    """Code of ``value`` among ``uniques`` (-1 when absent)."""
    found = np.flatnonzero(uniques == value) if len(uniques) else []
    return int(found[0]) if len(found) else -1


def _first_rows(src: Source, table: str, columns: tuple[str, ...]) -> np.ndarray:
    """Flags on the first row of every (article, values of ``columns``) of a root table
    (a missing value is one value of its own)."""

    def build() -> np.ndarray:
        key = np.zeros(len(src.idx.positions(table)), dtype=np.int64)
        size = 1
        for column in columns:
            codes, uniques = src.codes(table, column)
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

    return src.memo(("first", table, columns), build)


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

    def first_rows(self, kept: np.ndarray | None) -> np.ndarray:
        """Per key code, its first kept row (the largest int64 when it has none)."""
        keys, rows = (self.keys, self.rows) if kept is None else (self.keys[kept], self.rows[kept])
        first = np.full(self.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, keys, rows)
        return first


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

    return src.memo(("counter", table, *name), build)


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


def sets_of(member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a boolean matrix (articles x keys) as 0/1 int64 rows, and
    each article's row number."""
    packed = np.ascontiguousarray(np.packbits(member, axis=1))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return member[first].astype(np.int64), small(inverse.reshape(-1))


def article_sides(src: Source, col: str) -> np.ndarray:
    """Per root article: 0 north, 1 south, -1 unclassified (``side_of`` of ``col``)."""

    def build() -> np.ndarray:
        codes, uniques = src.codes("articles", col)
        side = {g: SIDES.index(side_of(g)) for g in INCOME_GROUPS}
        per = np.array([side.get(u, -1) for u in uniques] + [-1], dtype=np.int8)
        return per[codes]

    return src.memo(("sides", col), build)


# --------------------------------------------------------------------------- frames
def frame_of(columns: dict[str, object]) -> pd.DataFrame:
    """A frame of the given columns, without copies. An empty object array becomes an
    empty text column, as pandas makes every other array of text."""
    empty = {
        name: pd.array([], dtype="str")
        for name, values in columns.items()
        if isinstance(values, np.ndarray) and values.dtype == object and not len(values)
    }
    return pd.DataFrame(columns | empty, copy=False)


def ranks(values: np.ndarray) -> np.ndarray:
    """Sort rank of each value (equal values share one), missing values last: the order
    pandas sorts a column of text in."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    if not missing.any():
        return np.unique(values, return_inverse=True)[1].reshape(-1)
    out = np.full(len(values), len(values), dtype=np.intp)
    out[~missing] = ranks(values[~missing])
    return out


def as_text(values: np.ndarray) -> np.ndarray:
    """Values as text, a missing one as "" (``fillna("").astype(str)``)."""
    return np.array(
        [v if isinstance(v, str) else "" if pd.isna(v) else str(v) for v in values], dtype=object
    )


def vocabulary(
    src: Source, table: str, column: str, what: str, make: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """``make(uniques)`` of a root table's column, computed once per root."""
    _, uniques = src.codes(table, column)
    return src.memo(("vocab", what, table, column), lambda: make(uniques))
