"""apply(evidence, state) -> evidence: one explicit filtering pipeline built from masks.

OR within a filter (``format=a,b``: coded a or b), AND across filters. Membership masks
are computed on positions and integer codes precomputed once per evidence base, so a
click costs a few array look-ups, never a re-parse, a re-join or a string comparison.

An evidence base is indexed once, when it is first filtered or counted (:func:`index_of`),
and rejected then if it breaks the keys every table relies on (:func:`build_index`).
Every evidence base returned by :func:`apply` remembers where it came from: the
unfiltered evidence base it is a row subset of (the *root*) and the article mask over the
root's articles (see :func:`lineage`; its tables are registered too). Filtering it again
filters the root with both masks, and :mod:`evidence.aggregate` counts on the root's
precomputed codes instead of re-grouping the subset's strings. The registry holds only
weak references, so it never keeps a subset or a root alive. Copying the kept rows of
every table is the one cost that grows with the data (about 30 ms at 100,000 articles),
so the last few results are reused when the same evidence is filtered the same way again.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evidence.codebook import load_codebook
from evidence.fields import FIELD
from evidence.memo import PerBase
from evidence.model import EvidenceBase
from evidence.state import FilterState

TABLES = ("articles", "article_countries", "article_codes", "flows", "partnerships")


@dataclass(frozen=True)
class _Index:
    """Article positions of every tidy table's rows, built once per evidence base.

    ``memo`` caches derived arrays (factorised columns here, counting keys in
    :mod:`evidence.aggregate`) for the life of the index.
    """

    n: int
    years: np.ndarray
    countries_pos: np.ndarray
    codes_pos: np.ndarray
    flows_pos: np.ndarray
    partnerships_pos: np.ndarray
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def positions(self, table: str) -> np.ndarray:
        """Article position of each row of ``table`` (``articles``: 0..n-1)."""
        if table == "articles":
            return np.arange(self.n)
        return {
            "article_countries": self.countries_pos,
            "article_codes": self.codes_pos,
            "flows": self.flows_pos,
            "partnerships": self.partnerships_pos,
        }[table]

    def codes(self, frame: pd.DataFrame, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """``(codes, uniques)`` of one column of ``frame`` (this index's ``table``),
        factorised once.

        ``codes`` are (int32) positions into ``uniques`` (an object array); a missing value
        gets the code ``len(uniques)``, which no look-up table built by :func:`hit` selects.
        """
        key = ("codes", table, column)
        found = self.memo.get(key)
        if found is None:
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
            uniques = np.asarray(uniques, dtype=object)
            small = np.int32 if len(uniques) < np.iinfo(np.int32).max else np.intp
            codes = np.where(codes < 0, len(uniques), codes).astype(small, copy=False)
            found = self.memo[key] = (codes, uniques)
        return found


_INDEXES = PerBase()
_LOCK = threading.Lock()


def index_of(eb: EvidenceBase) -> _Index:
    """The (cached) position index of an evidence base, whose tables are then registered
    (see :func:`lineage`). Raises ValueError for evidence that breaks the model's keys
    (see :func:`build_index`)."""
    return _INDEXES.get(eb, None, lambda: _indexed(eb))


def _indexed(eb: EvidenceBase) -> _Index:
    idx = build_index(eb)
    for table in TABLES:
        _register(getattr(eb, table), eb, None, table)
    return idx


def build_index(eb: EvidenceBase) -> _Index:
    """The position index of an evidence base (not cached, tables not registered).

    Checks once what filtering and counting rely on, and what :func:`evidence.load.load`
    guarantees: every article has its own id and a year, and every row of every other
    table belongs to an article. Anything else raises ValueError.
    """
    ids = pd.Index(eb.articles["article_id"])
    if ids.hasnans:
        raise ValueError("invalid evidence: an article has no article_id")
    if not ids.is_unique:
        twice = ", ".join(repr(i) for i in ids[ids.duplicated()].unique()[:3])
        raise ValueError(f"invalid evidence: article ids used more than once ({twice})")
    if eb.articles["year"].isna().any():
        raise ValueError("invalid evidence: an article has no year")
    pos = {}
    for table in TABLES[1:]:
        frame = getattr(eb, table)
        pos[table] = ids.get_indexer(frame["article_id"])
        orphans = np.flatnonzero(pos[table] < 0)
        if len(orphans):
            raise ValueError(
                f"invalid evidence: {len(orphans)} row(s) of {table} name an article not in "
                f"articles (first: {frame['article_id'].iloc[orphans[0]]!r})"
            )
    return _Index(
        n=len(ids),
        years=eb.articles["year"].to_numpy(dtype=int),
        countries_pos=pos["article_countries"],
        codes_pos=pos["article_codes"],
        flows_pos=pos["flows"],
        partnerships_pos=pos["partnerships"],
    )


# --------------------------------------------------------------------------- lineage
# id(object) -> (weak reference to it, weak reference to its root, article mask over the
# root's articles or None for the root's own tables, table name or None for an evidence
# base). Entries disappear with their object.
_LINEAGE: dict[int, tuple[weakref.ref, weakref.ref, np.ndarray | None, str | None]] = {}


def _register(obj: object, root: EvidenceBase, mask: np.ndarray | None, table: str | None):
    key = id(obj)

    def forget(ref: weakref.ref, key: int = key) -> None:
        entry = _LINEAGE.get(key)
        if entry is not None and entry[0] is ref:
            _LINEAGE.pop(key, None)

    _LINEAGE[key] = (weakref.ref(obj, forget), weakref.ref(root), mask, table)


def lineage(obj: object) -> tuple[EvidenceBase, np.ndarray | None, str | None] | None:
    """Where an evidence base or one of its tables comes from, or None if unknown.

    Returns ``(root, mask, table)``: the unfiltered evidence base, the boolean mask over
    ``root.articles`` of the articles ``obj`` keeps (None: all of them, ``obj`` belongs to
    the root itself) and the table name (``"flows"``...; None when ``obj`` is an evidence
    base). Known objects are the results of :func:`apply` and their tables, and the
    tables of an evidence base once :func:`index_of` has indexed it. The objects are
    treated as immutable, like everywhere in the dashboard.
    """
    entry = _LINEAGE.get(id(obj))
    if entry is None or entry[0]() is not obj:
        return None
    root = entry[1]()
    if root is None:
        return None
    return root, entry[2], entry[3]


# --------------------------------------------------------------------------- masks
def column_codes(eb: EvidenceBase, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)`` of one column of one table, factorised once per evidence base
    (see :meth:`_Index.codes`)."""
    return index_of(eb).codes(getattr(eb, table), table, column)


def hit(eb: EvidenceBase, table: str, column: str, values) -> np.ndarray:
    """Rows of ``table`` whose ``column`` is in ``values`` (``Series.isin`` semantics)."""
    codes, uniques = column_codes(eb, table, column)
    lookup = np.zeros(len(uniques) + 1, dtype=bool)
    lookup[: len(uniques)] = pd.Series(uniques, dtype=object).isin(list(values)).to_numpy()
    return lookup[codes]


def _flow_pairs(eb: EvidenceBase) -> tuple[np.ndarray, np.ndarray]:
    """Per flow row, the code of its "ORIGIN>DESTINATION" text, and the distinct texts."""
    idx = index_of(eb)
    found = idx.memo.get("flow_pairs")
    if found is None:
        co, uo = column_codes(eb, "flows", "origin")
        cd, ud = column_codes(eb, "flows", "destination")
        pair = co.astype(np.int64) * (len(ud) + 1) + cd
        pair_codes, inverse = np.unique(pair, return_inverse=True)
        o, d = pair_codes // (len(ud) + 1), pair_codes % (len(ud) + 1)
        uo, ud = np.append(uo, None), np.append(ud, None)
        texts = np.array(
            [a + ">" + b if a is not None and b is not None else None
             for a, b in zip(uo[o], ud[d], strict=True)],
            dtype=object,
        )  # fmt: skip
        found = idx.memo["flow_pairs"] = (inverse.reshape(-1).astype(np.intp), texts)
    return found


def _pair_rows(
    eb: EvidenceBase, table: str, columns: tuple[str, str], direction: str, values
) -> np.ndarray:
    """Rows of a flows or partnerships table matching any of ``values``: "A>B" pairs of
    the two ``columns`` (countries or income groups) or direction classes ("N>S")."""
    classes = [v for v in values if ">" not in v or v.split(">")[0] in ("N", "S")]
    pairs = [tuple((side,) for side in v.split(">", 1)) for v in values if v not in classes]
    rows = _rows_between(eb, table, columns, pairs)
    if classes:
        rows |= hit(eb, table, direction, classes)
    return rows


def _rows_between(eb: EvidenceBase, table: str, columns: tuple[str, str], pairs) -> np.ndarray:
    """Rows of ``table`` whose two ``columns`` fall in one of ``pairs`` of value sets."""
    rows = np.zeros(len(getattr(eb, table)), dtype=bool)
    for a, b in pairs:
        rows |= hit(eb, table, columns[0], a) & hit(eb, table, columns[1], b)
    return rows


def _any_of(n: int, positions: np.ndarray, hit: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[positions[hit]] = True
    return mask


def expand_codes(selection: tuple[str, ...]) -> set[str]:
    """Codes selected by a list of codes and whole group names."""
    cb = load_codebook()
    codes: set[str] = set()
    for item in selection:
        codes.update(cb.groups[item].codes if item in cb.groups else (item,))
    return codes


class Masker:
    """Masks over one evidence base's articles, for the filters' declarations
    (:mod:`evidence.fields`): each filter's mask is written with these few look-ups."""

    def __init__(self, eb: EvidenceBase):
        self.eb = eb
        self.idx = index_of(eb)

    @staticmethod
    def suffix(state: FilterState) -> str:
        """The column suffix of the state's income classification ("" or "_latest")."""
        return "" if state.income == "year" else "_latest"

    def years(self, first: int, last: int) -> np.ndarray:
        return (self.idx.years >= first) & (self.idx.years <= last)

    def articles(self, column: str, values) -> np.ndarray:
        """Articles whose ``column`` is one of ``values``."""
        return hit(self.eb, "articles", column, values)

    def countries(self, column: str, values, *, role: str) -> np.ndarray:
        """Articles naming, in ``role``, a country whose ``column`` is one of ``values``."""
        table = "article_countries"
        where = hit(self.eb, table, "role", (role,)) & hit(self.eb, table, column, values)
        return _any_of(self.idx.n, self.idx.countries_pos, where)

    def involving(self, iso3s, *, role: str) -> np.ndarray:
        """Articles naming one of these countries in ``role``; ``"any"``: as an author
        (first or not), a setting, either end of a student flow, or any member of a
        partnership (the lead or a partner)."""
        if role != "any":
            return self.countries("iso3", iso3s, role=role)
        iso3s = list(iso3s)
        table = "article_countries"
        mask = _any_of(self.idx.n, self.idx.countries_pos, hit(self.eb, table, "iso3", iso3s))
        return mask | self.arc_ends(iso3s)

    def arc_ends(self, iso3s) -> np.ndarray:
        """Articles with a student flow from or to one of these countries, or a
        partnership it leads or joins (what the arc maps draw for a country)."""
        iso3s = list(iso3s)
        mask = np.zeros(self.idx.n, dtype=bool)
        for table, ends in (("flows", ("origin", "destination")),
                            ("partnerships", ("lead", "partner"))):  # fmt: skip
            rows = hit(self.eb, table, ends[0], iso3s) | hit(self.eb, table, ends[1], iso3s)
            mask |= _any_of(self.idx.n, self.idx.positions(table), rows)
        return mask

    def search(self, text: str, *, classification: str = "year") -> np.ndarray:
        """Articles whose list row (title, journal, authors, origin, code labels, DOI,
        year; :mod:`evidence.table`) holds every word of ``text``, in any case."""
        from evidence.table import search_mask  # the list's rows are built there

        return search_mask(self.eb, text, classification)

    def codes(self, selection) -> np.ndarray:
        """Articles coded with any of these codes or whole groups."""
        where = hit(self.eb, "article_codes", "code", expand_codes(selection))
        return _any_of(self.idx.n, self.idx.codes_pos, where)

    def flow_pairs(self, pairs) -> np.ndarray:
        """Articles describing a flow between one of these "ORIGIN>DESTINATION" pairs."""
        inverse, texts = _flow_pairs(self.eb)
        lookup = pd.Series(texts, dtype=object).isin(list(pairs)).to_numpy()
        return _any_of(self.idx.n, self.idx.flows_pos, lookup[inverse])

    def member_pairs(self, table: str, columns: tuple[str, str], pairs) -> np.ndarray:
        """Articles with a row of ``table`` whose two ``columns`` fall in one of the
        ``pairs`` of country sets (a flow from a region to a region)."""
        rows = _rows_between(self.eb, table, columns, pairs)
        return _any_of(self.idx.n, self.idx.positions(table), rows)

    def pairs(self, table: str, columns: tuple[str, str], direction: str, values) -> np.ndarray:
        """Articles with a flow or partnership row matching "A>B" pairs or classes."""
        where = _pair_rows(self.eb, table, columns, direction, values)
        return _any_of(self.idx.n, self.idx.positions(table), where)


def article_mask(eb: EvidenceBase, state: FilterState) -> np.ndarray:
    """Boolean mask over ``eb.articles``: True for articles that pass every filter
    (each filter's mask is declared with the filter, in :data:`evidence.fields.FIELDS`)."""
    masker = Masker(eb)
    mask = np.ones(masker.idx.n, dtype=bool)
    for key, value in state.filter_fields().items():
        mask &= field_mask(masker, key, value, state)
    return mask


# A filter's mask depends on its value, the role countries match and the income
# classification (and the codebook, whose groups and regions a value names): the masks
# of the last few filter values are kept per evidence base, so a click that adds one
# value, and each chart counted without its own selection, recompute one mask, not all.
_MASKS_KEPT = 64


def field_mask(masker: Masker, key: str, value, state: FilterState) -> np.ndarray:
    """The (read-only, remembered) mask of one filter's value for ``state``."""
    memo = masker.idx.memo
    try:
        name = (key, value, state.country_role, state.income, load_codebook().path)
        hash(name)
    except TypeError:  # a value no parser made (a list): computed, not kept
        return FIELD[key].mask(masker, value, state)
    with _LOCK:
        kept = memo.setdefault("field_masks", OrderedDict())
        found = kept.get(name)
        if found is not None:
            kept.move_to_end(name)
            return found
    mask = np.asarray(FIELD[key].mask(masker, value, state), dtype=bool)
    mask.flags.writeable = False
    with _LOCK:
        kept[name] = mask
        while len(kept) > _MASKS_KEPT:
            kept.popitem(last=False)
    return mask


class _Subset(EvidenceBase):
    """An evidence base filtered from its root (:func:`apply`): its tables are the root's
    rows of the kept articles, copied when first read. The aggregates count on the root
    with the mask (:func:`lineage`), so a chart that reads no table copies none."""

    def __init__(self, eb: EvidenceBase, root: EvidenceBase, mask: np.ndarray):
        for name, value in (("report", eb.report), ("source", eb.source),
                            ("version", eb.version), ("_root", root), ("_mask", mask),
                            ("_n", int(np.count_nonzero(mask)))):  # fmt: skip
            object.__setattr__(self, name, value)

    @property
    def n_articles(self) -> int:
        """Number of articles (counted on the mask, no table copied)."""
        return self._n

    def _rows(self, table: str) -> pd.DataFrame:
        idx = index_of(self._root)
        keep = self._mask if table == "articles" else self._mask[idx.positions(table)]
        frame = getattr(self._root, table)[keep]
        _register(frame, self._root, self._mask, table)
        return frame

    articles = functools.cached_property(lambda self: self._rows("articles"))
    article_countries = functools.cached_property(lambda self: self._rows("article_countries"))
    article_codes = functools.cached_property(lambda self: self._rows("article_codes"))
    flows = functools.cached_property(lambda self: self._rows("flows"))
    partnerships = functools.cached_property(lambda self: self._rows("partnerships"))


def _subset(eb: EvidenceBase, root: EvidenceBase, mask: np.ndarray) -> EvidenceBase:
    """The rows of ``root``'s tables whose article is in ``mask``, labelled like ``eb``
    (copied when first read: :class:`_Subset`)."""
    mask.flags.writeable = False
    sub = _Subset(eb, root, mask)
    _register(sub, root, mask, None)
    return sub


# The last few results of apply, keyed by (id(evidence), filters): one click filters the
# same evidence with the same state several times (the flow views restrict the filtered
# evidence to the mobility kinds once per view), and copying the rows of every table is
# the one cost of apply that grows with the data.
_RESULTS: OrderedDict[tuple, tuple[weakref.ref, EvidenceBase]] = OrderedDict()
_RESULTS_SIZE = 4


def apply(eb: EvidenceBase, state: FilterState) -> EvidenceBase:
    """The evidence restricted to the articles that pass the state's filters."""
    fields = state.filter_fields()
    if not fields:
        return eb
    key = (id(eb), tuple(fields.items()), state.country_role, state.income)
    found = _RESULTS.get(key)
    if found is not None and found[0]() is eb:
        with _LOCK:
            if key in _RESULTS:
                _RESULTS.move_to_end(key)
        return found[1]
    parent = lineage(eb)
    if parent is not None and parent[2] is None:
        # A subset of a root: filter the root (same articles, rows and order, because an
        # article passes or fails on its own rows alone) and keep both masks.
        root, before = parent[0], parent[1]
        mask = article_mask(root, state)
        if before is not None:
            mask &= before
        sub = _subset(eb, root, mask)
    else:
        sub = _subset(eb, eb, article_mask(eb, state))
    with _LOCK:
        _RESULTS[key] = (weakref.ref(eb), sub)
        while len(_RESULTS) > _RESULTS_SIZE:
            _RESULTS.popitem(last=False)
    return sub
