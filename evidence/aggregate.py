"""Small, presentation-ready frames computed from an (already filtered) evidence base.

Counting rule everywhere: an article counts once in each category it is coded with and
never twice in one cell (distinct ``article_id``). Totals over categories can therefore
exceed the number of articles.

``classification`` chooses the income groups: ``"year"`` uses the group in force at
publication (``*_income``, ``direction``), ``"latest"`` the latest one
(``*_income_latest``, ``direction_latest``).

Country reference data (names, points, economies) come from :mod:`evidence.countries`
unless passed in, so every function can be tested on literal frames.

How the counting is done: every function has a generic pandas implementation
(``_<name>_generic``, the reference) and a fast path. The fast path applies to an
evidence base that is, or was filtered by :func:`evidence.filters.apply` from, an indexed
root (see :func:`evidence.filters.lineage`). It counts on integer codes precomputed once
per root: each tidy table's columns are factorised, and for each counting key a flag marks
the first row of every (article, key) combination. Filters keep or drop all rows of an
article together, so the flagged rows of the kept articles are exactly one row per
distinct (article, key) of the subset, and a distinct-article count becomes a
``np.bincount`` over flagged rows of the article mask. Anything the codes cannot answer
exactly (missing values, unknown direction classes, odd reference tables) falls back to
the generic path, so results never depend on the path taken.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.errors import InvalidIndexError

from evidence import filters
from evidence.codebook import load_codebook
from evidence.countries import WB_REGIONS, country_name, wb_region_of, wb_region_points
from evidence.memo import PerBase
from evidence.model import DIRECTIONS, INCOME_GROUPS, EvidenceBase, side_of
from evidence.rubric import Rubric, load_rubric

CLASSIFICATIONS = ("year", "latest")
ROLES = ("origin", "author", "setting")
SIDES = ("north", "south")
UNCODED = "uncoded"
UNCODED_LABEL = "Not coded"

PAIR_COLUMNS = [
    "origin", "destination", "origin_name", "destination_name", "n_articles", "direction",
    "lon0", "lat0", "lon1", "lat1",
]  # fmt: skip
ALIGNMENT_COLUMNS = [
    "motivation", "format", "motivation_label", "format_label", "side", "n_articles",
    "n_row", "share", "status", "rationale",
]  # fmt: skip


# --------------------------------------------------------------------------- helpers
def _suffix(classification: str) -> str:
    if classification not in CLASSIFICATIONS:
        raise ValueError(f"classification must be 'year' or 'latest', not {classification!r}")
    return "" if classification == "year" else "_latest"


def _names_lookup(names: Mapping | Callable | None) -> Callable[[pd.Series], pd.Series]:
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


def _points(points: pd.DataFrame | None) -> pd.DataFrame:
    if points is None:
        from evidence.countries import country_points

        points = country_points()
    return points


def _economies(economies: pd.DataFrame | None) -> pd.DataFrame:
    if economies is None:
        from evidence.countries import economies as load_economies

        economies = load_economies()
    return economies


def _nunique(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Distinct articles per key combination (drop_duplicates + size: fast and exact)."""
    return frame[[*keys, "article_id"]].drop_duplicates().groupby(keys, sort=False).size()


def income_labels() -> dict[str, str]:
    """Income group code -> label from the codebook ("H" -> "High income")."""
    groups = load_codebook().income_groups
    return {g: groups[g]["label"] for g in INCOME_GROUPS if g in groups}


def _table_of(eb: EvidenceBase, what: str) -> pd.DataFrame:
    if what == "flows":
        return eb.flows
    if what == "partnerships":
        return eb.partnerships
    raise ValueError(f"what must be 'flows' or 'partnerships', not {what!r}")


def _source_target(frame: pd.DataFrame) -> tuple[str, str]:
    return ("lead", "partner") if "lead" in frame.columns else ("origin", "destination")


def _keys(level: str, dimension: str) -> list[str]:
    cb = load_codebook()
    if level == "group":
        return cb.groups_of(dimension)
    if level == "code":
        return cb.codes_of(dimension)
    raise ValueError(f"level must be 'group' or 'code', not {level!r}")


# --------------------------------------------------------------------------- countries
def counts_by_country(
    eb: EvidenceBase,
    role: str = "origin",
    classification: str = "year",
    economies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Distinct articles per country in one role, one row per economy (zeros kept).

    Former states and places outside any UN region (Antarctica) get a row only when an
    article names them, so they never show up as gaps.

    ``income`` is the latest group for ``classification="latest"``; for ``"year"`` it
    is the group most of the country's articles were published under (latest group when
    the country has none). Countries with articles but missing from the reference table
    are appended, so no article is lost.

    Returns:
        DataFrame[iso3, name, n_articles, income, income_label, region], sorted by
        n_articles (desc) then name.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    sfx = _suffix(classification)
    src = _source(eb)
    if src is not None:
        try:
            return _counts_by_country_fast(src, role, sfx, economies)
        except _Fallback:
            pass
    return _counts_by_country_generic(eb, role, classification, economies)


def gap_countries(
    eb: EvidenceBase,
    role: str = "origin",
    classification: str = "year",
    economies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Economies with no article in ``role`` (an evidence gap), sorted by name."""
    counts = counts_by_country(eb, role, classification, economies)
    gaps = counts[counts["n_articles"] == 0]
    return gaps.sort_values("name", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- pairs
def _pairs(
    eb: EvidenceBase,
    table: str,
    source: str,
    target: str,
    classification: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
) -> pd.DataFrame:
    """Distinct articles per (source, target, direction), with names and coordinates."""
    direction = "direction" + _suffix(classification)
    src = _source(eb)
    if src is not None:
        try:
            return _pairs_fast(src, table, source, target, direction, points, names)
        except _Fallback:
            pass
    frame = getattr(eb, table)
    return _pairs_generic(frame, source, target, classification, points, names)


def flows_by_pair(
    eb: EvidenceBase,
    classification: str = "year",
    points: pd.DataFrame | None = None,
    names: Mapping | Callable | None = None,
) -> pd.DataFrame:
    """Mobility flows per origin -> destination pair, most articles first.

    A pair whose two countries fall in different direction classes over the years (an
    income group changed) yields one row per class. Pairs with a country that has no map
    point are dropped and counted in ``attrs["n_unplaced_pairs"]`` /
    ``attrs["n_unplaced_articles"]``; flows with an unknown country in
    ``attrs["n_unknown_country_rows"]``.

    Returns:
        DataFrame[origin, destination, origin_name, destination_name, n_articles,
        direction, lon0, lat0, lon1, lat1].
    """
    return _pairs(eb, "flows", "origin", "destination", classification, points, names)


def partner_pairs(
    eb: EvidenceBase,
    classification: str = "year",
    points: pd.DataFrame | None = None,
    names: Mapping | Callable | None = None,
) -> pd.DataFrame:
    """Partnerships per lead -> partner pair, in the same columns as :func:`flows_by_pair`
    (``origin`` = lead institution's country, ``destination`` = partner's)."""
    return _pairs(eb, "partnerships", "lead", "partner", classification, points, names)


def direction_matrix(
    frame: pd.DataFrame | EvidenceBase,
    what: str = "flows",
    classification: str = "year",
) -> pd.DataFrame:
    """Income group of origin (rows) x destination (columns): distinct articles per cell.

    ``frame`` is a tidy flows or partnerships table (lead x partner is detected from its
    columns) or an evidence base, in which case ``what`` picks the table. All 4 x 4 cells
    are present in the order H, UM, LM, L, zeros kept; rows with an unclassified income
    group are left out and counted in ``attrs["n_unclassified_articles"]``.
    """
    if isinstance(frame, EvidenceBase):
        eb, frame = frame, _table_of(frame, what)
        src, table = _source(eb), what
    else:
        src, table = _source_of_table(frame)
    sfx = _suffix(classification)
    if src is not None and table in ("flows", "partnerships"):
        try:
            return _direction_matrix_fast(src, table, sfx)
        except _Fallback:
            pass
    return _direction_matrix_generic(frame, what, classification)


def direction_counts(
    eb: EvidenceBase, what: str = "flows", classification: str = "year"
) -> pd.DataFrame:
    """Distinct articles per direction class (all five classes, zeros kept).

    Returns:
        DataFrame[direction, label, n_articles] in codebook order.
    """
    _table_of(eb, what)
    col = "direction" + _suffix(classification)
    src = _source(eb)
    if src is not None:
        try:
            return _direction_counts_fast(src, what, col)
        except _Fallback:
            pass
    return _direction_counts_generic(eb, what, classification)


def partnership_summary(eb: EvidenceBase) -> pd.DataFrame:
    """Distinct articles per partnership format code (codebook order, zeros kept).

    Returns:
        DataFrame[code, label, n_articles], ``partnership.unspecified`` last.
    """
    src = _source(eb)
    if src is not None:
        try:
            return _partnership_summary_fast(src)
        except _Fallback:
            pass
    return _partnership_summary_generic(eb)


# --------------------------------------------------------------------------- alignment
def alignment_matrix(
    eb: EvidenceBase,
    mode: str = "counts",
    classification: str = "year",
    level: str = "group",
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    """Motivation x format cells: distinct articles coded with both, with rubric status.

    Every combination of the codebook is present (zeros kept). ``share`` depends on
    ``mode``: ``"counts"`` divides by all articles in ``eb``; ``"row_share"`` by the
    articles with that motivation (``n_row``); ``"by_income"`` splits the cells by the
    origin country's side (``side`` = "north" for HIC, "south" for LMIC; articles with an
    unclassified origin are left out) and divides by the motivation's articles on that
    side. Otherwise ``side`` is "all".

    Returns:
        Long DataFrame[motivation, format, motivation_label, format_label, side,
        n_articles, n_row, share, status, rationale].
    """
    if mode not in ("counts", "row_share", "by_income"):
        raise ValueError(f"mode must be 'counts', 'row_share' or 'by_income', not {mode!r}")
    _keys(level, "motivation")
    if mode == "by_income":
        _suffix(classification)
    src = _source(eb)
    if src is not None:
        try:
            return _alignment_matrix_fast(src, mode, classification, level, rubric)
        except _Fallback:
            pass
    return _alignment_matrix_generic(eb, mode, classification, level, rubric)


def gap_cells(eb: EvidenceBase, level: str = "group", rubric: Rubric | None = None) -> pd.DataFrame:
    """Motivation x format combinations with no article (evidence gaps), codebook order."""
    cells = alignment_matrix(eb, "counts", level=level, rubric=rubric)
    return cells[cells["n_articles"] == 0].reset_index(drop=True)


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
    src = _source(eb)
    if src is not None:
        try:
            return _trends_fast(src, stack, year_range)
        except _Fallback:
            pass
    return _trends_generic(eb, stack, year_range)


# --------------------------------------------------------------------------- table
def _joined_labels(codes: pd.Series) -> pd.Series:
    """ ";"-joined codes -> labels joined with "; ". Each distinct combination is
    translated once, so the cost follows the number of combinations, not of articles."""
    cb = load_codebook()
    codes = codes.fillna("").astype(str)
    table = {
        combo: "; ".join(cb.label(c) for c in combo.split(";") if c) for combo in pd.unique(codes)
    }
    return codes.map(table)


def articles_table(
    eb: EvidenceBase,
    classification: str = "year",
    names: Mapping | Callable | None = None,
) -> pd.DataFrame:
    """One display row per article, in the order of ``eb.articles``.

    Returns:
        DataFrame[article_id, title, year, journal, origin, origin_iso3, origin_income,
        formats, motivations, doi, url, synthetic]; ``origin`` is the country name,
        ``origin_income`` the income group label, codes as labels joined with "; ".
    """
    a = eb.articles
    sfx = _suffix(classification)
    origin = a["origin"].fillna("").astype(str)
    ids = a["article_id"]
    return pd.DataFrame(
        {
            "article_id": ids.to_numpy(),
            "title": a["title"].to_numpy(),
            "year": a["year"].to_numpy(),
            "journal": a["journal"].to_numpy(),
            "origin": _names_lookup(names)(origin).to_numpy(),
            "origin_iso3": origin.to_numpy(),
            "origin_income": a[f"origin_income{sfx}"].map(income_labels()).fillna("").to_numpy(),
            "formats": _joined_labels(a["formats"]).to_numpy(),
            "motivations": _joined_labels(a["motivations"]).to_numpy(),
            "doi": a["doi"].to_numpy(),
            "url": a["url"].to_numpy(),
            "synthetic": a["synthetic"].astype(bool).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- takeaways
def share_of_flows(eb: EvidenceBase, direction: str = "N>S", classification: str = "year") -> float:
    """Share of the articles describing a flow that describe one in ``direction`` (0 if none)."""
    col = "direction" + _suffix(classification)
    src = _source(eb)
    if src is not None:
        try:
            return _share_fast(src, "flows", col, direction)
        except _Fallback:
            pass
    return _share_of_flows_generic(eb, direction, classification)


def share_of_partnerships(
    eb: EvidenceBase, direction: str = "N>S", classification: str = "year"
) -> float:
    """Share of the articles with a lead-partner pair that have one in ``direction``."""
    col = "direction" + _suffix(classification)
    src = _source(eb)
    if src is not None:
        try:
            return _share_fast(src, "partnerships", col, direction)
        except _Fallback:
            pass
    return _share_of_partnerships_generic(eb, direction, classification)


def share_from_side(eb: EvidenceBase, side: str = "north", classification: str = "year") -> float:
    """Share of articles whose first author is in a HIC (``"north"``) or LMIC (``"south"``)."""
    if eb.n_articles == 0:
        return 0.0
    col = "origin_income" + _suffix(classification)
    src = _source(eb)
    if src is not None:
        try:
            sides = _side_codes(src, col)
            want = SIDES.index(side) if side in SIDES else -2
            hits = sides == want
            if src.mask is not None:
                hits &= src.mask
            return float(np.count_nonzero(hits) / eb.n_articles)
        except _Fallback:
            pass
    return _share_from_side_generic(eb, side, classification)


def top_countries(counts: pd.DataFrame, n: int = 3) -> list[tuple[str, int]]:
    """The ``n`` countries with most articles from a :func:`counts_by_country` frame."""
    values = counts["n_articles"].to_numpy()
    if values.dtype.kind not in "iu" or n < 0:
        return _top_countries_generic(counts, n)
    rows = np.flatnonzero(values > 0)
    rows = rows[np.argsort(-values[rows], kind="stable")[:n]]
    names = counts["name"].to_numpy()
    return [(names[i], int(values[i])) for i in rows]


def alignment_takeaway(cells: pd.DataFrame) -> str:
    """One sentence on how many coded motivation-format pairings the rubric calls aligned."""
    n = cells["n_articles"].to_numpy()
    if n.dtype.kind not in "iu":
        return _alignment_takeaway_generic(cells)
    coded = n > 0
    if not coded.any():
        return "No article is coded with both a motivation and a format."
    by_status: dict[str, int] = {}
    for status, k in zip(cells["status"].to_numpy()[coded], n[coded], strict=True):
        if isinstance(status, str):
            by_status[status] = by_status.get(status, 0) + int(k)
    total = sum(by_status.values())
    aligned = by_status.get("aligned", 0)
    tension = by_status.get("tension", 0) + by_status.get("misaligned", 0)
    return (
        f"{aligned / total:.0%} of motivation-format pairings fall in cells the rubric calls "
        f"aligned, {tension / total:.0%} in cells in tension or misaligned."
    )


# =========================================================================== fast path
class _Fallback(Exception):
    """The precomputed codes cannot answer exactly: use the generic pandas path."""


@dataclass(frozen=True)
class _Source:
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


def _source(eb: EvidenceBase) -> _Source | None:
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


def _source_of_table(frame: pd.DataFrame) -> tuple[_Source | None, str | None]:
    found = filters.lineage(frame)
    if found is None or found[2] is None:
        return None, None
    return _indexed(found[0], found[1]), found[2]


def _indexed(root: EvidenceBase, mask: np.ndarray | None) -> _Source | None:
    try:
        idx = filters.index_of(root)
    except (KeyError, InvalidIndexError, TypeError, ValueError):
        return None  # no article ids or years, or duplicate ids: only pandas can tell
    if not idx.complete:
        return None
    return _Source(root, idx, mask)


def _memo(src: _Source, key: tuple, build: Callable[[], object]):
    """A value derived from the root, computed once per root index."""
    found = src.idx.memo.get(key)
    if found is None:
        found = src.idx.memo[key] = build()
    return found


def _codes(src: _Source, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Factorised column of a root table; falls back when the column has missing values."""
    try:
        codes, uniques = filters.column_codes(src.root, table, column)
    except KeyError as exc:
        raise _Fallback from exc

    def complete() -> bool:
        return len(uniques) == 0 or not bool((codes == len(uniques)).any())

    if not _memo(src, ("complete", table, column), complete):
        raise _Fallback
    return codes, uniques


def _position_of(uniques: np.ndarray, value: object) -> int:
    """Code of ``value`` among ``uniques`` (-1 when absent)."""
    found = np.flatnonzero(uniques == value) if len(uniques) else []
    return int(found[0]) if len(found) else -1


def _first_rows(src: _Source, table: str, columns: tuple[str, ...]) -> np.ndarray:
    """Flags on the first row of every (article, values of ``columns``) of a root table."""

    def build() -> np.ndarray:
        key = np.zeros(len(src.idx.positions(table)), dtype=np.int64)
        size = 1
        for column in columns:
            codes, uniques = _codes(src, table, column)
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

    return _memo(src, ("first", table, columns), build)


@dataclass(frozen=True)
class _Counter:
    """The first row of every distinct (article, key) of a root table, restricted to the
    rows that count. Filters keep or drop whole articles, so for any article mask the
    kept entries are exactly one per distinct (article, key) of the subset."""

    rows: np.ndarray  # table row numbers, ascending
    articles: np.ndarray  # their article positions
    keys: np.ndarray  # their key codes
    size: int  # number of key codes

    def kept(self, src: _Source) -> np.ndarray | None:
        return None if src.mask is None else src.mask[self.articles]

    def count(self, kept: np.ndarray | None) -> np.ndarray:
        """Distinct articles per key code."""
        keys = self.keys if kept is None else self.keys[kept]
        return np.bincount(keys, minlength=self.size)


def _counter(
    src: _Source,
    name: tuple,
    table: str,
    columns: tuple[str, ...],
    key: Callable[[], tuple[np.ndarray, int, np.ndarray | None]],
) -> _Counter:
    """A (cached) counter over ``table``: ``key()`` gives each row's key code, the number
    of codes and which rows count (None: all); ``columns`` must determine the key and
    the row selection."""

    def build() -> _Counter:
        codes, size, where = key()
        first = _first_rows(src, table, columns)
        rows = np.flatnonzero(first if where is None else first & where)
        articles = src.idx.positions(table)[rows]
        return _Counter(_small(rows), _small(articles), _small(codes[rows]), size)

    return _memo(src, ("counter", table, *name), build)


def _small(values: np.ndarray) -> np.ndarray:
    """Non-negative integers as int32 when they fit (halves the index's memory)."""
    if len(values) == 0 or values.max() < np.iinfo(np.int32).max:
        return values.astype(np.int32, copy=False)
    return values


def _articles_with(src: _Source, table: str, rows: np.ndarray) -> np.ndarray:
    """Sorted root article positions with at least one of the given table rows."""
    hit = np.zeros(src.idx.n, dtype=bool)
    hit[src.idx.positions(table)[rows]] = True
    return np.flatnonzero(hit)


def _frame(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(columns, copy=False)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Sort rank of each string (equal strings share a rank), Python string order."""
    if not all(isinstance(v, str) for v in values):
        raise _Fallback
    _, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return inverse.reshape(-1)


# --------------------------------------------------------------------------- fast: countries
@dataclass(frozen=True)
class _EconomyRef:
    """The reference rows of an economies table, as arrays."""

    index: pd.Index
    iso3: np.ndarray
    name: np.ndarray
    income: np.ndarray
    region: np.ndarray
    keep: np.ndarray  # kept even without articles


_ECON_REFS: dict[int, tuple[pd.DataFrame, _EconomyRef]] = {}


def _economy_ref(economies: pd.DataFrame | None) -> tuple[pd.DataFrame, _EconomyRef]:
    econ = _economies(economies)
    found = _ECON_REFS.get(id(econ))
    if found is not None and found[0] is econ:
        return found
    if not econ.index.is_unique:
        raise _Fallback
    keep = econ["un_region"].fillna("").astype(str) != ""
    if "former" in econ.columns:
        keep &= ~econ["former"].astype(str).str.lower().isin(["true", "1"])
    ref = _EconomyRef(
        index=econ.index,
        iso3=np.asarray(econ.index, dtype=object),
        name=np.asarray(econ["name"].to_numpy(), dtype=object),
        income=np.asarray(econ["income_latest"].fillna("").to_numpy(), dtype=object),
        region=np.asarray(econ["un_region"].fillna("").to_numpy(), dtype=object),
        keep=keep.to_numpy(dtype=bool),
    )
    for values in (ref.iso3, ref.name, ref.income, ref.region):
        if not all(isinstance(x, str) for x in values):
            raise _Fallback  # the reference would convert or sort them differently
    if economies is None:  # only the cached reference table is safe to remember
        _ECON_REFS.clear()
        _ECON_REFS[id(econ)] = (econ, ref)
    return econ, ref


def _counts_by_country_fast(
    src: _Source, role: str, sfx: str, economies: pd.DataFrame | None
) -> pd.DataFrame:
    table = "article_countries"
    c_role, u_role = _codes(src, table, "role")
    c_iso, u_iso = _codes(src, table, "iso3")
    r, blank = _position_of(u_role, role), _position_of(u_iso, "")

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        return c_iso, len(u_iso), (c_role == r) & (c_iso != blank)

    counter = _counter(src, ("countries", role), table, ("role", "iso3"), key)
    kept = counter.kept(src)
    n_iso = counter.count(kept)
    present = n_iso > 0

    econ, ref = _economy_ref(economies)
    if economies is None:
        epos = _memo(src, ("econ_pos", id(econ)), lambda: ref.index.get_indexer(u_iso))
    else:
        epos = ref.index.get_indexer(u_iso)
    in_econ = epos >= 0
    keep = ref.keep.copy()
    keep[epos[present & in_econ]] = True
    kept_rows = np.flatnonzero(keep)
    n_econ = np.zeros(len(ref.iso3), dtype=np.int64)
    n_econ[epos[in_econ]] = n_iso[in_econ]
    code_of_econ = np.full(len(ref.iso3), -1, dtype=np.intp)
    code_of_econ[epos[in_econ]] = np.flatnonzero(in_econ)

    codes = code_of_econ[kept_rows]
    iso3, name = ref.iso3[kept_rows], ref.name[kept_rows]
    income, region, n = ref.income[kept_rows], ref.region[kept_rows], n_econ[kept_rows]
    extra = present & ~in_econ
    if extra.any():  # countries missing from the reference, in order of first mention
        c_latest, u_latest = _codes(src, table, "income_latest")
        c_region, u_region = _codes(src, table, "region")
        hit = extra[counter.keys] if kept is None else kept & extra[counter.keys]
        cand_rows, cand_codes = counter.rows[hit], counter.keys[hit]
        first_codes, first = np.unique(cand_codes, return_index=True)
        order = np.argsort(cand_rows[first], kind="stable")
        first_codes, first_rows = first_codes[order], cand_rows[first][order]
        codes = np.concatenate([codes, first_codes])
        iso3 = np.concatenate([iso3, u_iso[first_codes]])
        name = np.concatenate([name, u_iso[first_codes]])
        income = np.concatenate([income, u_latest[c_latest[first_rows]]])
        region = np.concatenate([region, u_region[c_region[first_rows]]])
        n = np.concatenate([n, n_iso[first_codes]])
        if not all(isinstance(x, str) for x in income) or not all(
            isinstance(x, str) for x in region
        ):
            raise _Fallback

    if sfx == "":
        mode = _income_mode(src, role, r, blank, len(u_iso))
        if mode is not None:
            known = codes >= 0
            best = np.full(len(codes), -1, dtype=np.intp)
            best[known] = mode[0][codes[known]]
            has = best >= 0
            income[has] = mode[1][best[has]]

    labels = income_labels()
    order = np.lexsort((np.arange(len(n)), _ranks(name), -n))
    income = income[order]
    return _frame(
        {
            "iso3": iso3[order],
            "name": name[order],
            "n_articles": n[order],
            "income": income,
            "income_label": np.array([labels.get(g, "Unclassified") for g in income], object),
            "region": region[order],
        }
    )


def _income_mode(
    src: _Source, role: str, r: int, blank: int, n_iso: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per country code, the income group most of its articles were published under
    (ties: the group met first), as (code of the group or -1, groups)."""
    table = "article_countries"
    c_inc, u_inc = _codes(src, table, "income")
    g = len(u_inc)
    if g == 0:
        return None

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        c_role, _ = _codes(src, table, "role")
        c_iso, _ = _codes(src, table, "iso3")
        where = (c_role == r) & (c_iso != blank) & (c_inc != _position_of(u_inc, ""))
        return c_iso.astype(np.int64) * g + c_inc, n_iso * g, where

    counter = _counter(src, ("income_mode", role), table, ("role", "iso3", "income"), key)
    kept = counter.kept(src)
    count = counter.count(kept).reshape(n_iso, g)
    top = count.max(axis=1)
    best = count.argmax(axis=1)
    best[top == 0] = -1
    tied = (top > 0) & ((count == top[:, None]).sum(axis=1) > 1)
    if tied.any():  # the reference keeps the group whose first row comes first
        hit = tied[counter.keys // g] if kept is None else kept & tied[counter.keys // g]
        keys, first = np.unique(counter.keys[hit], return_index=True)
        never = np.iinfo(np.int64).max
        first_row = np.full(n_iso * g, never, dtype=np.int64)
        first_row[keys] = counter.rows[hit][first]
        first_row = np.where(count == top[:, None], first_row.reshape(n_iso, g), never)
        best[tied] = first_row[tied].argmin(axis=1)
    return best, u_inc


# --------------------------------------------------------------------------- fast: pairs
@dataclass(frozen=True)
class _Triples:
    """The distinct (source, target, direction) combinations of a root table."""

    counter: _Counter  # key: triple number; rows with two known countries only
    inverse: np.ndarray  # per row: triple number
    known: np.ndarray  # per row: both countries known
    source: np.ndarray  # per triple: source country code
    target: np.ndarray
    direction: np.ndarray  # per triple: direction code
    unknown_articles: np.ndarray  # articles with rows with an unknown country...
    unknown_rows: np.ndarray  # ...and how many such rows each


def _triples(src: _Source, table: str, source: str, target: str, dcol: str) -> _Triples:
    def build() -> _Triples:
        c_s, u_s = _codes(src, table, source)
        c_t, u_t = _codes(src, table, target)
        c_d, u_d = _codes(src, table, dcol)
        if not all(d in DIRECTIONS for d in u_d):
            raise _Fallback  # the reference sorts unknown classes as missing values
        nt, nd = max(len(u_t), 1), max(len(u_d), 1)
        triple = (c_s.astype(np.int64) * nt + c_t) * nd + c_d
        uniq, inverse = np.unique(triple, return_inverse=True)
        inverse = _small(inverse.reshape(-1))
        t_source, t_target, t_dir = uniq // (nt * nd), (uniq // nd) % nt, uniq % nd
        blank_s, blank_t = _position_of(u_s, ""), _position_of(u_t, "")
        known = ((t_source != blank_s) & (t_target != blank_t))[inverse]
        counter = _counter(
            src, ("triples", source, target, dcol), table, (source, target, dcol),
            lambda: (inverse, len(uniq), known),
        )  # fmt: skip
        per_article = np.bincount(src.idx.positions(table)[~known], minlength=src.idx.n)
        unknown = np.flatnonzero(per_article)
        return _Triples(
            counter, inverse, known, t_source, t_target, t_dir, unknown, per_article[unknown]
        )

    return _memo(src, ("triples", table, source, target, dcol), build)


def _vocabulary_values(
    src: _Source, table: str, column: str, what: str, make: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    _, uniques = _codes(src, table, column)
    return _memo(src, ("vocab", what, table, column), lambda: make(uniques))


def _default_names(uniques: np.ndarray) -> np.ndarray:
    from evidence.countries import country_name

    return np.array([country_name(c) if c else "" for c in uniques], dtype=object)


def _coordinates(points: pd.DataFrame, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of each code as the reference's ``Series.map`` gives them."""
    lon, lat = points["lon"], points["lat"]
    if lon.dtype != np.float64 or lat.dtype != np.float64 or not points.index.is_unique:
        raise _Fallback
    where = points.index.get_indexer(pd.Index(codes, dtype=object))
    lon_v = np.where(where >= 0, lon.to_numpy()[where], np.nan)
    lat_v = np.where(where >= 0, lat.to_numpy()[where], np.nan)
    return lon_v, lat_v


def _pairs_fast(
    src: _Source,
    table: str,
    source: str,
    target: str,
    dcol: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
) -> pd.DataFrame:
    tri = _triples(src, table, source, target, dcol)
    n_tri = tri.counter.count(tri.counter.kept(src))
    present = np.flatnonzero(n_tri)
    if not len(present):
        raise _Fallback  # empty result: let the reference shape it
    _, u_s = _codes(src, table, source)
    _, u_t = _codes(src, table, target)
    _, u_d = _codes(src, table, dcol)
    ps, pt = tri.source[present], tri.target[present]
    if points is None:
        pts = _points(None)

        def coords(uniques: np.ndarray) -> np.ndarray:
            return np.stack(_coordinates(pts, uniques))

        cs = _vocabulary_values(src, table, source, f"points{id(pts)}", coords)
        ct = _vocabulary_values(src, table, target, f"points{id(pts)}", coords)
        lon0, lat0, lon1, lat1 = cs[0][ps], cs[1][ps], ct[0][pt], ct[1][pt]
    else:
        lon0, lat0 = _coordinates(points, u_s[ps])
        lon1, lat1 = _coordinates(points, u_t[pt])
    placed = ~(np.isnan(lon0) | np.isnan(lat0) | np.isnan(lon1) | np.isnan(lat1))

    n_unplaced_pairs = n_unplaced_articles = 0
    if not placed.all():
        nt = max(len(u_t), 1)
        dropped = np.unique(ps[~placed] * nt + pt[~placed])
        n_unplaced_pairs = len(dropped)
        bad = np.isin(tri.source * nt + tri.target, dropped)[tri.inverse] & tri.known
        rows = src.rows(table)
        n_unplaced_articles = len(_articles_with(src, table, bad if rows is None else bad & rows))
    if src.mask is None:
        n_unknown = int(tri.unknown_rows.sum())
    else:
        n_unknown = int(tri.unknown_rows[src.mask[tri.unknown_articles]].sum())

    keep = present[placed]
    ks, kt = tri.source[keep], tri.target[keep]
    origin, destination = u_s[ks], u_t[kt]
    direction = u_d[tri.direction[keep]]
    n = n_tri[keep].astype(np.int64)
    rank_s = _vocabulary_values(src, table, source, "rank", _ranks)
    rank_t = _vocabulary_values(src, table, target, "rank", _ranks)
    rank_d = np.array([DIRECTIONS.index(d) for d in direction], dtype=np.intp)
    order = np.lexsort((rank_t[kt], rank_s[ks], rank_d, -n))
    if names is None:
        origin_name = _vocabulary_values(src, table, source, "names", _default_names)[ks]
        destination_name = _vocabulary_values(src, table, target, "names", _default_names)[kt]
    else:
        lookup = _names_lookup(names)
        origin_name = lookup(pd.Series(origin, dtype=object)).to_numpy()
        destination_name = lookup(pd.Series(destination, dtype=object)).to_numpy()
    out = _frame(
        {
            "origin": origin[order],
            "destination": destination[order],
            "origin_name": origin_name[order],
            "destination_name": destination_name[order],
            "n_articles": n[order],
            "direction": direction[order],
            "lon0": lon0[placed][order],
            "lat0": lat0[placed][order],
            "lon1": lon1[placed][order],
            "lat1": lat1[placed][order],
        }
    )
    out.attrs["n_unplaced_pairs"] = n_unplaced_pairs
    out.attrs["n_unplaced_articles"] = n_unplaced_articles
    out.attrs["n_unknown_country_rows"] = n_unknown
    return out


def _direction_matrix_fast(src: _Source, table: str, sfx: str) -> pd.DataFrame:
    s, t = ("lead", "partner") if table == "partnerships" else ("origin", "destination")
    a, b = f"{s}_income{sfx}", f"{t}_income{sfx}"
    k = len(INCOME_GROUPS)

    def cells() -> tuple[np.ndarray, int, np.ndarray]:
        c_a, u_a = _codes(src, table, a)
        c_b, u_b = _codes(src, table, b)
        groups = list(INCOME_GROUPS)
        g_a = np.array([groups.index(x) if x in groups else -1 for x in u_a] + [-1], np.intp)
        g_b = np.array([groups.index(x) if x in groups else -1 for x in u_b] + [-1], np.intp)
        row_a, row_b = g_a[c_a], g_b[c_b]
        ok = (row_a >= 0) & (row_b >= 0)
        return np.where(ok, row_a * k + row_b, 0), k * k, ok  # small: k * k codes

    counter = _counter(src, ("matrix", a, b), table, (a, b), cells)

    def unclassified() -> np.ndarray:
        _, _, ok = cells()
        bad = np.zeros(src.idx.n, dtype=bool)
        bad[_articles_with(src, table, ~ok)] = True
        bad[_articles_with(src, table, ok)] = False
        return np.flatnonzero(bad)

    only_bad = _memo(src, ("unclassified", table, a, b), unclassified)
    matrix = pd.DataFrame(
        counter.count(counter.kept(src)).astype(np.int64).reshape(k, k),
        index=pd.Index(list(INCOME_GROUPS), name=s),
        columns=pd.Index(list(INCOME_GROUPS), name=t),
    )
    matrix.attrs["n_unclassified_articles"] = src.count_in(only_bad)
    return matrix


def _direction_counts_fast(src: _Source, table: str, col: str) -> pd.DataFrame:
    codes, uniques = _codes(src, table, col)
    counter = _counter(src, ("values", col), table, (col,), lambda: (codes, len(uniques), None))
    n = counter.count(counter.kept(src))
    labels = {k: v["label"] for k, v in load_codebook().directions.items()}
    at = [_position_of(uniques, d) for d in DIRECTIONS]
    return _frame(
        {
            "direction": np.array(DIRECTIONS, dtype=object),
            "label": np.array([labels.get(d, d) for d in DIRECTIONS], dtype=object),
            "n_articles": np.array([n[i] if i >= 0 else 0 for i in at], dtype=np.int64),
        }
    )


def _partnership_summary_fast(src: _Source) -> pd.DataFrame:
    cb = load_codebook()
    codes = cb.groups["partnership"].codes
    table = "article_codes"
    c_code, u_code = _codes(src, table, "code")

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        c_dim, u_dim = _codes(src, table, "dimension")
        c_grp, u_grp = _codes(src, table, "group")
        fmt, grp = _position_of(u_dim, "format"), _position_of(u_grp, "partnership")
        return c_code, len(u_code), (c_dim == fmt) & (c_grp == grp)

    counter = _counter(src, ("partnership_codes",), table, ("dimension", "group", "code"), key)
    n = counter.count(counter.kept(src))
    at = [_position_of(u_code, c) for c in codes]
    return _frame(
        {
            "code": np.array(codes, dtype=object),
            "label": np.array([cb.label(c) for c in codes], dtype=object),
            "n_articles": np.array([n[i] if i >= 0 else 0 for i in at], dtype=np.int64),
        }
    )


# --------------------------------------------------------------------------- fast: alignment
@dataclass(frozen=True)
class _Combinations:
    """Each root article's set of motivations and set of formats, as one number."""

    article: np.ndarray  # per article: combination number
    motivations: np.ndarray  # combination x motivation: 1 when in the set
    formats: np.ndarray  # combination x format


def _combinations(
    src: _Source, key: str, motivations: tuple[str, ...], formats: tuple[str, ...]
) -> _Combinations:
    def build() -> _Combinations:
        table = "article_codes"
        c_dim, u_dim = _codes(src, table, "dimension")
        c_key, u_key = _codes(src, table, key)
        km, kf = len(motivations), len(formats)
        if km + kf > 62:
            raise _Fallback
        pos = src.idx.positions(table)
        bits = np.zeros(src.idx.n, dtype=np.int64)  # per article: its keys as bits
        for dimension, keys, offset in (("motivation", motivations, 0), ("format", formats, km)):
            column = {k: i for i, k in enumerate(keys)}
            where = np.array([column.get(k, -1) for k in u_key] + [-1], dtype=np.int64)
            rows = (c_dim == _position_of(u_dim, dimension)) & (where[c_key] >= 0)
            at = np.flatnonzero(rows)
            np.bitwise_or.at(bits, pos[at], np.left_shift(1, where[c_key[at]] + offset))
        uniq, article = np.unique(bits, return_inverse=True)
        sets = (uniq[:, None] >> np.arange(km + kf)) & 1
        return _Combinations(_small(article.reshape(-1)), sets[:, :km], sets[:, km:])

    return _memo(src, ("combinations", key, motivations, formats), build)


def _side_codes(src: _Source, col: str) -> np.ndarray:
    """Per root article: 0 north, 1 south, -1 unclassified (``side_of`` of ``col``)."""

    def build() -> np.ndarray:
        codes, uniques = _codes(src, "articles", col)
        side = {g: SIDES.index(side_of(g)) for g in INCOME_GROUPS}
        per = np.array([side.get(u, -1) for u in uniques] + [-1], dtype=np.int8)
        return per[codes]

    return _memo(src, ("sides", col), build)


@dataclass(frozen=True)
class _AlignmentTemplate:
    """The constant columns of an alignment frame and where each row's counts come from."""

    columns: dict[str, pd.Series]
    cell: np.ndarray  # row -> (side, motivation, format) cell number
    motivation_row: np.ndarray  # row -> (side, motivation) number


_TEMPLATES: OrderedDict[tuple, tuple[pd.DataFrame, _AlignmentTemplate]] = OrderedDict()
_TEMPLATES_LOCK = threading.Lock()


def _alignment_template(
    table: pd.DataFrame, sides: list[str], motivations: list[str], formats: list[str]
) -> _AlignmentTemplate:
    key = (id(table), tuple(sides), tuple(motivations), tuple(formats))
    found = _TEMPLATES.get(key)
    if found is not None and found[0] is table:
        return found[1]
    grid = pd.MultiIndex.from_product(
        [sides, motivations, formats], names=["side", "motivation", "format"]
    ).to_frame(index=False)
    grid["_cell"] = np.arange(len(grid))
    grid = grid.merge(table, on=["motivation", "format"], how="left")
    cb = load_codebook()
    grid["motivation_label"] = grid["motivation"].map(cb.label)
    grid["format_label"] = grid["format"].map(cb.label)
    cell = grid["_cell"].to_numpy()
    counts = ("n_articles", "n_row", "share")
    columns = {c: grid[c].reset_index(drop=True) for c in ALIGNMENT_COLUMNS if c not in counts}
    template = _AlignmentTemplate(columns, cell, cell // max(len(formats), 1))
    with _TEMPLATES_LOCK:
        _TEMPLATES[key] = (table, template)
        while len(_TEMPLATES) > 16:
            _TEMPLATES.popitem(last=False)
    return template


def _alignment_matrix_fast(
    src: _Source, mode: str, classification: str, level: str, rubric: Rubric | None
) -> pd.DataFrame:
    key = "group" if level == "group" else "code"
    motivations, formats = _keys(level, "motivation"), _keys(level, "format")
    combos = _combinations(src, key, tuple(motivations), tuple(formats))
    n_combos = len(combos.motivations)
    if mode == "by_income":
        sides = _side_codes(src, "origin_income" + _suffix(classification))
        chosen = sides if src.mask is None else np.where(src.mask, sides, -1)
        per = np.bincount(
            chosen.astype(np.intp) * n_combos + combos.article + n_combos,
            minlength=(len(SIDES) + 1) * n_combos,
        ).reshape(len(SIDES) + 1, n_combos)[1:]
        side_names = list(SIDES)
    else:
        article = combos.article if src.mask is None else combos.article[src.mask]
        per = np.bincount(article, minlength=n_combos)[None, :]
        side_names = ["all"]
    n_cells = np.concatenate([combos.motivations.T @ (c[:, None] * combos.formats) for c in per])
    n_rows = (per @ combos.motivations).reshape(-1)

    table = (rubric or load_rubric()).table(level)
    tpl = _alignment_template(table, side_names, motivations, formats)
    n_articles = n_cells.reshape(-1)[tpl.cell].astype(np.int64)
    n_row = n_rows[tpl.motivation_row].astype(np.int64)
    if mode == "counts":
        denom = np.full(len(n_articles), src.n_articles, dtype=float)
    else:
        denom = n_row.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(denom > 0, n_articles / denom, 0.0)
    values = {"n_articles": n_articles, "n_row": n_row, "share": share}
    return _frame({c: values[c] if c in values else tpl.columns[c] for c in ALIGNMENT_COLUMNS})


# --------------------------------------------------------------------------- fast: trends
@dataclass(frozen=True)
class _YearSets:
    """Each root article's publication year and set of groups of one dimension."""

    first_year: int
    n_years: int
    key: np.ndarray  # per article: (year - first_year) * len(sets) + set number
    sets: np.ndarray  # set number x group (the last group: "uncoded")


def _year_sets(src: _Source, stack: str, groups: tuple[str, ...]) -> _YearSets:
    def build() -> _YearSets:
        table = "article_codes"
        c_dim, u_dim = _codes(src, table, "dimension")
        c_grp, u_grp = _codes(src, table, "group")
        k = len(groups) - 1
        if k > 61:
            raise _Fallback
        column = {g: i for i, g in enumerate(groups[:-1])}
        at = np.array([column.get(g, -1) for g in u_grp] + [-1], dtype=np.int64)
        pos = src.idx.positions(table)
        in_dim = c_dim == _position_of(u_dim, stack)
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
            raise _Fallback
        key = (years - first) * len(uniq) + article.reshape(-1)
        return _YearSets(first, n_years, _small(key), sets)

    return _memo(src, ("year_sets", stack, groups), build)


def _trends_fast(src: _Source, stack: str, year_range: tuple[int, int] | None) -> pd.DataFrame:
    cb = load_codebook()
    groups = [*cb.groups_of(stack), UNCODED]
    if year_range is None:
        years = src.idx.years if src.mask is None else src.idx.years[src.mask]
        if len(years) == 0:
            raise _Fallback  # the reference's empty frame
        year_range = (int(years.min()), int(years.max()))
    lo, hi = int(year_range[0]), int(year_range[1])
    if hi < lo:
        raise _Fallback
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
    return _frame(
        {
            "year": np.repeat(np.arange(lo, hi + 1, dtype=np.int64), k),
            "group": np.tile(np.array(groups, dtype=object), ny),
            "label": np.tile(np.array(labels, dtype=object), ny),
            "n_articles": counts.reshape(-1),
        }
    )


# --------------------------------------------------------------------------- fast: shares
def _share_fast(src: _Source, table: str, col: str, direction: str) -> float:
    codes, uniques = _codes(src, table, col)
    every = _memo(src, ("articles_with", table), lambda: _articles_with(
        src, table, np.ones(len(codes), dtype=bool)))  # fmt: skip
    total = src.count_in(every)
    if total == 0:
        return 0.0
    d = _position_of(uniques, direction)
    some = _memo(src, ("articles_with", table, col, direction), lambda: _articles_with(
        src, table, codes == d))  # fmt: skip
    return src.count_in(some) / total


# =========================================================================== generic path
# The reference implementations: plain pandas on the given (already filtered) tables.
def _counts_by_country_generic(
    eb: EvidenceBase,
    role: str = "origin",
    classification: str = "year",
    economies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    sfx = _suffix(classification)
    econ = _economies(economies)
    ac = eb.article_countries
    ac = ac[(ac["role"] == role) & (ac["iso3"] != "")]
    n = _nunique(ac, ["iso3"]).rename("n_articles")

    # Former states (e.g. SUN, YUG) and places outside any UN region (Antarctica) are
    # not gaps: they appear only when an article names them.
    keep = econ["un_region"].fillna("").astype(str) != ""
    if "former" in econ.columns:
        keep &= ~econ["former"].astype(str).str.lower().isin(["true", "1"])
    keep |= econ.index.isin(ac["iso3"])
    econ = econ[keep]
    ref = pd.DataFrame(
        {
            "iso3": econ.index.astype(str),
            "name": econ["name"].to_numpy(),
            "income": econ["income_latest"].fillna("").to_numpy(),
            "region": econ["un_region"].fillna("").to_numpy(),
        }
    )
    extra = ac.loc[~ac["iso3"].isin(ref["iso3"]), ["iso3", "income_latest", "region"]]
    if len(extra):
        extra = extra.drop_duplicates("iso3").rename(columns={"income_latest": "income"})
        extra.insert(1, "name", extra["iso3"])
        ref = pd.concat([ref, extra[ref.columns]], ignore_index=True)

    out = ref.merge(n, left_on="iso3", right_index=True, how="left")
    out["n_articles"] = out["n_articles"].fillna(0).astype(int)
    if sfx == "" and len(ac):
        per = ac.loc[ac["income"] != "", ["iso3", "income", "article_id"]].drop_duplicates()
        mode = (
            per.groupby(["iso3", "income"], sort=False)
            .size()
            .reset_index(name="k")
            .sort_values(["iso3", "k"], ascending=[True, False], kind="stable")
            .drop_duplicates("iso3")
            .set_index("iso3")["income"]
        )
        has_mode = out["iso3"].isin(mode.index)
        out.loc[has_mode, "income"] = out.loc[has_mode, "iso3"].map(mode)
    out["income"] = out["income"].fillna("").astype(str)
    out["income_label"] = out["income"].map(income_labels()).fillna("Unclassified")
    out = out.sort_values(["n_articles", "name"], ascending=[False, True], kind="stable")
    return out[["iso3", "name", "n_articles", "income", "income_label", "region"]].reset_index(
        drop=True
    )


def _pairs_generic(
    frame: pd.DataFrame,
    source: str,
    target: str,
    classification: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
) -> pd.DataFrame:
    direction = "direction" + _suffix(classification)
    known = frame[(frame[source] != "") & (frame[target] != "")]
    pairs = known[[source, target, direction, "article_id"]].rename(
        columns={source: "origin", target: "destination", direction: "direction"}
    )
    n = _nunique(pairs, ["origin", "destination", "direction"]).rename("n_articles")
    out = n.reset_index()
    pts = _points(points)
    lon, lat = pts["lon"], pts["lat"]
    out["lon0"], out["lat0"] = out["origin"].map(lon), out["origin"].map(lat)
    out["lon1"], out["lat1"] = out["destination"].map(lon), out["destination"].map(lat)
    placed = out[["lon0", "lat0", "lon1", "lat1"]].notna().all(axis=1)
    dropped = out[~placed]
    out = out[placed].copy()
    lookup = _names_lookup(names)
    out["origin_name"] = lookup(out["origin"])
    out["destination_name"] = lookup(out["destination"])
    out["direction"] = pd.Categorical(out["direction"], categories=DIRECTIONS)
    out = out.sort_values(
        ["n_articles", "direction", "origin", "destination"],
        ascending=[False, True, True, True],
        kind="stable",
    )
    out["direction"] = out["direction"].astype(str)
    out = out[PAIR_COLUMNS].reset_index(drop=True)
    unplaced = pairs.merge(dropped[["origin", "destination"]].drop_duplicates())
    out.attrs["n_unplaced_pairs"] = len(dropped[["origin", "destination"]].drop_duplicates())
    out.attrs["n_unplaced_articles"] = int(unplaced["article_id"].nunique())
    out.attrs["n_unknown_country_rows"] = int(len(frame) - len(known))
    return out


def _direction_matrix_generic(
    frame: pd.DataFrame | EvidenceBase,
    what: str = "flows",
    classification: str = "year",
) -> pd.DataFrame:
    if isinstance(frame, EvidenceBase):
        frame = _table_of(frame, what)
    sfx = _suffix(classification)
    src, dst = _source_target(frame)
    a, b = f"{src}_income{sfx}", f"{dst}_income{sfx}"
    ok = frame[a].isin(INCOME_GROUPS) & frame[b].isin(INCOME_GROUPS)
    cells = _nunique(frame.loc[ok, [a, b, "article_id"]], [a, b])
    matrix = (
        cells.unstack(fill_value=0)
        .reindex(index=list(INCOME_GROUPS), columns=list(INCOME_GROUPS), fill_value=0)
        .astype(int)
    )
    matrix.index.name, matrix.columns.name = src, dst
    bad = frame.loc[~ok, "article_id"]
    bad = bad[~bad.isin(frame.loc[ok, "article_id"])]
    matrix.attrs["n_unclassified_articles"] = int(bad.nunique())
    return matrix


def _direction_counts_generic(
    eb: EvidenceBase, what: str = "flows", classification: str = "year"
) -> pd.DataFrame:
    frame = _table_of(eb, what)
    col = "direction" + _suffix(classification)
    n = _nunique(frame, [col]).reindex(list(DIRECTIONS), fill_value=0)
    labels = {k: v["label"] for k, v in load_codebook().directions.items()}
    return pd.DataFrame(
        {
            "direction": list(DIRECTIONS),
            "label": [labels.get(d, d) for d in DIRECTIONS],
            "n_articles": n.to_numpy().astype(int),
        }
    )


def _partnership_summary_generic(eb: EvidenceBase) -> pd.DataFrame:
    cb = load_codebook()
    codes = cb.groups["partnership"].codes
    ac = eb.article_codes
    ac = ac[(ac["dimension"] == "format") & (ac["group"] == "partnership")]
    n = _nunique(ac, ["code"]).reindex(list(codes), fill_value=0)
    return pd.DataFrame(
        {
            "code": list(codes),
            "label": [cb.label(c) for c in codes],
            "n_articles": n.to_numpy().astype(int),
        }
    )


def _alignment_matrix_generic(
    eb: EvidenceBase,
    mode: str = "counts",
    classification: str = "year",
    level: str = "group",
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    if mode not in ("counts", "row_share", "by_income"):
        raise ValueError(f"mode must be 'counts', 'row_share' or 'by_income', not {mode!r}")
    key = "group" if level == "group" else "code"
    motivations, formats = _keys(level, "motivation"), _keys(level, "format")
    ac = eb.article_codes
    mot = ac.loc[ac["dimension"] == "motivation", ["article_id", key]].drop_duplicates()
    fmt = ac.loc[ac["dimension"] == "format", ["article_id", key]].drop_duplicates()
    mot = mot.rename(columns={key: "motivation"})
    fmt = fmt.rename(columns={key: "format"})

    if mode == "by_income":
        col = "origin_income" + _suffix(classification)
        side = eb.articles.set_index("article_id")[col].map({g: side_of(g) for g in INCOME_GROUPS})
        mot = mot.assign(side=mot["article_id"].map(side)).dropna(subset=["side"])
        sides = list(SIDES)
    else:
        mot = mot.assign(side="all")
        sides = ["all"]

    both = mot.merge(fmt, on="article_id")
    cells = both.groupby(["side", "motivation", "format"], sort=False).size()
    rows = mot.groupby(["side", "motivation"], sort=False).size()

    grid = pd.MultiIndex.from_product(
        [sides, motivations, formats], names=["side", "motivation", "format"]
    ).to_frame(index=False)
    grid["n_articles"] = (
        cells.reindex(pd.MultiIndex.from_frame(grid)).fillna(0).astype(int).to_numpy()
    )
    grid["n_row"] = (
        rows.reindex(pd.MultiIndex.from_frame(grid[["side", "motivation"]]))
        .fillna(0)
        .astype(int)
        .to_numpy()
    )
    if mode == "counts":
        denom = np.full(len(grid), eb.n_articles, dtype=float)
    else:
        denom = grid["n_row"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["share"] = np.where(denom > 0, grid["n_articles"] / denom, 0.0)

    table = (rubric or load_rubric()).table(level)
    grid = grid.merge(table, on=["motivation", "format"], how="left")
    cb = load_codebook()
    grid["motivation_label"] = grid["motivation"].map(cb.label)
    grid["format_label"] = grid["format"].map(cb.label)
    return grid[ALIGNMENT_COLUMNS]


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


def _share_of_links(links: pd.DataFrame, direction: str, classification: str) -> float:
    """Share of the articles with any link (flow or partner pair) that have one in
    ``direction``."""
    col = "direction" + _suffix(classification)
    total = links["article_id"].nunique()
    if total == 0:
        return 0.0
    return links.loc[links[col] == direction, "article_id"].nunique() / total


def _share_of_flows_generic(
    eb: EvidenceBase, direction: str = "N>S", classification: str = "year"
) -> float:
    return _share_of_links(eb.flows, direction, classification)


def _share_of_partnerships_generic(
    eb: EvidenceBase, direction: str = "N>S", classification: str = "year"
) -> float:
    return _share_of_links(eb.partnerships, direction, classification)


def _share_from_side_generic(
    eb: EvidenceBase, side: str = "north", classification: str = "year"
) -> float:
    if eb.n_articles == 0:
        return 0.0
    col = "origin_income" + _suffix(classification)
    sides = eb.articles[col].map({g: side_of(g) for g in INCOME_GROUPS})
    return float((sides == side).sum() / eb.n_articles)


def _top_countries_generic(counts: pd.DataFrame, n: int = 3) -> list[tuple[str, int]]:
    top = counts[counts["n_articles"] > 0].nlargest(n, "n_articles", keep="first")
    return list(zip(top["name"], top["n_articles"].astype(int), strict=True))


def _alignment_takeaway_generic(cells: pd.DataFrame) -> str:
    coded = cells[cells["n_articles"] > 0]
    if coded.empty:
        return "No article is coded with both a motivation and a format."
    by_status = coded.groupby("status")["n_articles"].sum()
    total = int(by_status.sum())
    aligned = int(by_status.get("aligned", 0))
    tension = int(by_status.get("tension", 0) + by_status.get("misaligned", 0))
    return (
        f"{aligned / total:.0%} of motivation-format pairings fall in cells the rubric calls "
        f"aligned, {tension / total:.0%} in cells in tension or misaligned."
    )


# --------------------------------------------------------------------------- arc maps
_LARGEST = PerBase()


def _root(eb: EvidenceBase) -> EvidenceBase:
    """The unfiltered evidence base ``eb`` was filtered from (itself when unknown)."""
    found = filters.lineage(eb)
    return found[0] if found is not None and found[2] is None else eb


def largest_pair(eb: EvidenceBase, what: str = "flows") -> int:
    """Articles of the largest pair in the loaded data (before any filter), which fixes
    the arc maps' width scale while filters change. ``what``: "flows", "partnerships" or
    "regions" (flows between World Bank regions, one region to another)."""
    root = _root(eb)

    def build() -> int:
        if what == "regions":
            pairs = region_flows(root)
            pairs = pairs[pairs["origin"] != pairs["destination"]]
        else:
            pairs = flows_by_pair(root) if what == "flows" else partner_pairs(root)
        return int(pairs["n_articles"].max()) if len(pairs) else 1

    return _LARGEST.get(root, what, build)


def pair_kinds(flows: pd.DataFrame) -> pd.Series:
    """The kinds of mobility coded for each origin -> destination pair, in words
    ("Outbound, Clinical"), indexed by (origin, destination)."""
    if flows.empty or "kinds" not in flows.columns:
        return pd.Series(dtype=object)
    cb = load_codebook()
    order = {c: i for i, c in enumerate(cb.codes)}
    # Plain sets per pair: a groupby with a Python aggregate costs ~50x more here.
    found: dict[tuple[str, str], set[str]] = {}
    for o, d, kinds in zip(flows["origin"], flows["destination"], flows["kinds"], strict=True):
        codes = found.setdefault((o, d), set())
        if isinstance(kinds, str) and kinds:
            codes.update(k for k in kinds.split(";") if k in order)
    words = {
        pair: ", ".join(cb.kind_label(c) for c in sorted(codes, key=order.__getitem__))
        for pair, codes in found.items()
        if codes
    }
    if not words:
        return pd.Series(dtype=object)
    index = pd.MultiIndex.from_tuples(list(words), names=["origin", "destination"])
    return pd.Series(list(words.values()), index=index, name="kind", dtype=object)


def focus_ranking(
    eb: EvidenceBase, focus: str, what: str = "flows", classification: str = "year"
) -> dict:
    """The pairs into and out of one country, ranked by distinct articles.

    Returns ``{"in": [(name, n), ...], "out": [...], "n_in", "n_in_north", "n_out",
    "n_out_north"}``: for flows, "in" are the origins of students coming to ``focus`` and
    "out" the destinations of its students; for partnerships, "in" are the leads of
    partnerships with ``focus`` as partner and "out" the partners it leads. ``n_in`` counts
    the distinct articles of the incoming pairs and ``n_in_north`` those with a
    high-income other end (likewise for ``out``).
    """
    src, dst = ("origin", "destination") if what == "flows" else ("lead", "partner")
    table = eb.flows if what == "flows" else eb.partnerships
    sfx = _suffix(classification)
    out: dict = {}
    for side, here, there in (("in", dst, src), ("out", src, dst)):
        rows = table[(table[here] == focus) & (table[there] != focus)]
        per = rows.groupby(there, sort=False)["article_id"].nunique()
        ranked = sorted(per.items(), key=lambda kv: (-kv[1], country_name(kv[0])))
        out[side] = [(country_name(c), int(n)) for c, n in ranked]
        out[f"n_{side}"] = int(rows["article_id"].nunique())
        north = rows[rows[f"{there}_income{sfx}"] == "H"]
        out[f"n_{side}_north"] = int(north["article_id"].nunique())
    return out


def pairs_touching(pairs: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The pairs into or out of one country."""
    return pairs[(pairs["origin"] == iso3) | (pairs["destination"] == iso3)]


def net_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Net flows: one row per pair of countries, from the side that sends more.

    ``n_articles`` becomes the difference (A → B minus B → A), ``n_forward`` and
    ``n_back`` keep the two counts, and ``direction`` is the class of the side drawn.
    Pairs whose two sides are equal are left out (``attrs["n_balanced"]`` counts them).
    A pair split over two direction classes (an income group changed) is summed first.
    """
    cols = ["origin", "destination"]
    if pairs.empty:
        return pairs.assign(n_forward=pd.Series(dtype=int), n_back=pd.Series(dtype=int))
    first = pairs.sort_values("n_articles", ascending=False, kind="stable")
    keep = first.drop_duplicates(cols)  # names, points and class of each ordered pair
    sums = pairs.groupby(cols, sort=False)["n_articles"].sum()
    keep = keep.assign(n_forward=sums.reindex(pd.MultiIndex.from_frame(keep[cols])).to_numpy())
    back = sums.reindex(pd.MultiIndex.from_arrays([keep["destination"], keep["origin"]]))
    keep = keep.assign(n_back=back.fillna(0).astype(int).to_numpy())
    net = keep["n_forward"] - keep["n_back"]
    out = keep[net > 0].assign(n_articles=net[net > 0].astype(int))
    out.attrs["n_balanced"] = int(((net == 0) & (keep["origin"] < keep["destination"])).sum())
    return out.sort_values("n_articles", ascending=False, kind="stable").reset_index(drop=True)


def region_flows(eb: EvidenceBase, classification: str = "year") -> pd.DataFrame:
    """Mobility flows per World Bank region pair, in the columns of :func:`flows_by_pair`
    (``origin`` / ``destination`` are region URL values, e.g. "north-america"; the points
    are the median of the region's country points).

    ``n_articles`` counts the distinct articles with a flow from a country of one region
    to a country of the other (what the ``region_flow`` filter keeps); ``direction`` is
    the class most of those articles' flows have. Flows within one region are kept as
    rows with the same origin and destination (the map cannot draw them).
    """
    cols = ["origin", "destination", "origin_name", "destination_name", "n_articles",
            "direction", "lon0", "lat0", "lon1", "lat1"]  # fmt: skip
    flows = eb.flows
    if flows.empty:
        return pd.DataFrame(columns=cols)
    region, centre = wb_region_of(), wb_region_points()
    dcol = "direction" + _suffix(classification)
    rows = pd.DataFrame(
        {
            "article_id": flows["article_id"].to_numpy(),
            "origin": flows["origin"].map(region).to_numpy(),
            "destination": flows["destination"].map(region).to_numpy(),
            "direction": flows[dcol].to_numpy(),
        }
    ).dropna(subset=["origin", "destination"])
    if rows.empty:
        return pd.DataFrame(columns=cols)
    per = rows.groupby(["origin", "destination"], sort=False)["article_id"].nunique()
    major = (
        rows.drop_duplicates(["origin", "destination", "article_id", "direction"])
        .groupby(["origin", "destination", "direction"], sort=False)
        .size()
        .reset_index(name="k")
        .sort_values(["k", "direction"], ascending=[False, True], kind="stable")
        .drop_duplicates(["origin", "destination"])
        .set_index(["origin", "destination"])["direction"]
    )
    out = per.rename("n_articles").reset_index()
    out["direction"] = major.reindex(
        pd.MultiIndex.from_frame(out[["origin", "destination"]])
    ).to_numpy()
    out["origin_name"] = out["origin"].map(WB_REGIONS)
    out["destination_name"] = out["destination"].map(WB_REGIONS)
    for end, (lon, lat) in (("origin", ("lon0", "lat0")), ("destination", ("lon1", "lat1"))):
        out[lon] = out[end].map(centre["lon"]).round(3)
        out[lat] = out[end].map(centre["lat"]).round(3)
    out = out.sort_values(["n_articles", "origin", "destination"],
                          ascending=[False, True, True], kind="stable")  # fmt: skip
    return out[cols].reset_index(drop=True)
