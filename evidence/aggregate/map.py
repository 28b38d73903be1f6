"""The map's aggregates: distinct articles per country in one role, gaps, top countries,
and the words of the income groups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.aggregate._engine import (
    ROLES,
    Source,
    as_text,
    counter_of,
    economies_or_default,
    frame_of,
    position_of,
    ranks,
    small,
    source_of,
    suffix,
    vocabulary,
)
from evidence.codebook import load_codebook
from evidence.model import INCOME_GROUPS, EvidenceBase


def income_labels() -> dict[str, str]:
    """Income group code -> label from the codebook ("H" -> "High income")."""
    groups = load_codebook().income_groups
    return {g: groups[g]["label"] for g in INCOME_GROUPS if g in groups}


@dataclass(frozen=True)
class CountryCounts:
    """The columns of :func:`counts_by_country` as arrays, in its row order: what the
    world map reads on a click without building a frame."""

    iso3: np.ndarray
    name: np.ndarray
    n_articles: np.ndarray
    income: np.ndarray
    income_label: np.ndarray
    region: np.ndarray

    def __len__(self) -> int:
        return len(self.iso3)

    def frame(self) -> pd.DataFrame:
        return frame_of({"iso3": self.iso3, "name": self.name, "n_articles": self.n_articles,
                         "income": self.income, "income_label": self.income_label,
                         "region": self.region})  # fmt: skip


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
    the country has none; ties: the group met first). Countries with articles but missing
    from the reference table are appended in the order they are first met, so no article
    is lost (a missing country code is listed once, with no articles).

    Returns:
        DataFrame[iso3, name, n_articles, income, income_label, region], sorted by
        n_articles (desc) then name (missing names last).
    """
    return country_counts(eb, role, classification, economies).frame()


def country_counts(
    eb: EvidenceBase,
    role: str = "origin",
    classification: str = "year",
    economies: pd.DataFrame | None = None,
) -> CountryCounts:
    """:func:`counts_by_country` as arrays (no frame): bincounts over the root's
    precomputed (article, country) rows under the subset's mask, written into the
    economies table's rows."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    sfx = suffix(classification)
    src = source_of(eb)
    table = "article_countries"
    c_role, u_role = src.codes(table, "role")
    c_iso, u_iso = src.codes(table, "iso3")
    r, blank, missing = position_of(u_role, role), position_of(u_iso, ""), len(u_iso)

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        return c_iso, missing + 1, (c_role == r) & (c_iso != blank)

    counter = counter_of(src, ("countries", role), table, ("role", "iso3"), key)
    kept = counter.kept(src)
    named = counter.count(kept)  # per country code (the last: missing), articles naming it

    econ, ref = _economy_ref(economies)
    if economies is None:  # only the cached reference table is safe to remember
        code, listed = src.memo(("economy_listed", id(econ)), lambda: _listed(u_iso, ref, missing))
    else:
        code, listed = _listed(u_iso, ref, missing)
    known = code >= 0
    n_econ = np.zeros(len(code), dtype=np.int64)
    n_econ[known] = named[code[known]]
    rows = np.flatnonzero(ref.keep | (n_econ > 0))
    codes, iso3, name = code[rows], ref.iso3[rows], ref.name[rows]
    income, region, n = ref.income[rows], ref.region[rows], n_econ[rows]
    name_rank = ref.name_rank[rows]

    extra = (named > 0) & ~listed
    if extra.any():  # countries missing from the reference, in order of first mention
        codes, iso3, name, income, region, n = _with_extra(
            src, counter, kept, named, extra, missing, (codes, iso3, name, income, region, n)
        )
        name_rank = ranks(name)

    if sfx == "":
        mode = _income_mode(src, role, r, blank, missing)
        if mode is not None:
            best = np.full(len(codes), -1, dtype=np.intp)
            best[codes >= 0] = mode[codes[codes >= 0]]
            groups = vocabulary(src, table, "income", "text", as_text)
            income[best >= 0] = groups[best[best >= 0]]

    order = np.lexsort((np.arange(len(n)), name_rank, -n))
    income = income[order]
    labels = income_labels()
    return CountryCounts(
        iso3=iso3[order],
        name=name[order],
        n_articles=n[order],
        income=income,
        income_label=np.array([labels.get(g, "Unclassified") for g in income], object),
        region=region[order],
    )


def _with_extra(src: Source, counter, kept, named, extra, missing, columns) -> tuple:
    """``columns`` (codes, iso3, name, income, region, n) with the countries missing from
    the reference table appended, in the order they are first met."""
    codes, iso3, name, income, region, n = columns
    hit = extra[counter.keys] if kept is None else kept & extra[counter.keys]
    cand_rows, cand_codes = counter.rows[hit], counter.keys[hit]
    first_codes, first = np.unique(cand_codes, return_index=True)
    order = np.argsort(cand_rows[first], kind="stable")
    first_codes, at = first_codes[order], cand_rows[first][order]
    frame = src.root.article_countries

    def values(column: str) -> np.ndarray:
        return frame[column].iloc[at].to_numpy(dtype=object)

    return (
        np.concatenate([codes, np.where(first_codes == missing, -1, first_codes)]),
        np.concatenate([iso3, values("iso3")]),
        np.concatenate([name, values("iso3")]),
        np.concatenate([income, as_text(values("income_latest"))]),
        np.concatenate([region, values("region")]),
        np.concatenate([n, np.where(first_codes == missing, 0, named[first_codes])]),
    )


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


def top_countries(counts: pd.DataFrame, n: int = 3) -> list[tuple[str, int]]:
    """The ``n`` countries with most articles from a :func:`counts_by_country` frame."""
    values = counts["n_articles"].to_numpy()
    rows = np.flatnonzero(values > 0)
    rows = rows[np.argsort(-values[rows], kind="stable")[: max(n, 0)]]
    names = counts["name"].to_numpy()
    return [(names[i], int(values[i])) for i in rows]


# --------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class _EconomyRef:
    """The rows of an economies table as the counts list them, as arrays."""

    iso3: np.ndarray  # the index as text
    name: np.ndarray
    income: np.ndarray  # latest group as text ("" when missing)
    region: np.ndarray  # UN region ("" when missing)
    keep: np.ndarray  # listed even without articles
    name_rank: np.ndarray  # sort rank of each name (ranks() over the whole table)


_ECON_REFS: dict[int, tuple[pd.DataFrame, _EconomyRef]] = {}


def _economy_ref(economies: pd.DataFrame | None) -> tuple[pd.DataFrame, _EconomyRef]:
    econ = economies_or_default(economies)
    found = _ECON_REFS.get(id(econ))
    if found is not None and found[0] is econ:
        return found
    # Former states (e.g. SUN, YUG) and places outside any UN region (Antarctica) are
    # not gaps: they appear only when an article names them.
    keep = econ["un_region"].fillna("").astype(str) != ""
    if "former" in econ.columns:
        keep &= ~econ["former"].astype(str).str.lower().isin(["true", "1"])
    ref = _EconomyRef(
        iso3=np.asarray(econ.index.astype(str), dtype=object),
        name=econ["name"].to_numpy(dtype=object),
        income=as_text(econ["income_latest"].to_numpy(dtype=object)),
        region=econ["un_region"].fillna("").to_numpy(dtype=object),
        keep=keep.to_numpy(dtype=bool),
        name_rank=ranks(econ["name"].to_numpy(dtype=object)),
    )
    if economies is None:  # only the cached reference table is safe to remember
        _ECON_REFS.clear()
        _ECON_REFS[id(econ)] = (econ, ref)
    return econ, ref


def _listed(uniques: np.ndarray, ref: _EconomyRef, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per economy, the code of its iso3 among a column's ``uniques`` (-1: none); and per
    code (the last: missing), whether an economy has it."""
    code = pd.Index(uniques, dtype=object).get_indexer(ref.iso3)
    listed = np.zeros(n_codes + 1, dtype=bool)
    listed[code[code >= 0]] = True
    return code, listed


def _income_mode(src: Source, role: str, r: int, blank: int, n_iso: int) -> np.ndarray | None:
    """Per country code, the code of the income group most of its articles were
    published under (-1 when none; ties: the group met first)."""
    table = "article_countries"
    c_inc, u_inc = src.codes(table, "income")
    g = len(u_inc)
    if g == 0:
        return None

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        c_role, _ = src.codes(table, "role")
        c_iso, _ = src.codes(table, "iso3")
        classified = (c_inc != position_of(u_inc, "")) & (c_inc < g)
        where = (c_role == r) & (c_iso != blank) & (c_iso < n_iso) & classified
        return c_iso.astype(np.int64) * g + c_inc, n_iso * g, where

    counter = counter_of(src, ("income_mode", role), table, ("role", "iso3", "income"), key)
    kept = counter.kept(src)
    count = counter.count(kept).reshape(n_iso, g)
    top = count.max(axis=1)
    best = count.argmax(axis=1)
    best[top == 0] = -1
    tied = (top > 0) & ((count == top[:, None]).sum(axis=1) > 1)
    if tied.any():  # the group whose first row comes first
        first_row = counter.first_rows(kept).reshape(n_iso, g)
        first_row = np.where(count == top[:, None], first_row, np.iinfo(np.int64).max)
        best[tied] = first_row[tied].argmin(axis=1)
    return best


# --------------------------------------------------------------------------- involving
# Where a country can be named, by the role the Countries filter matches ("any": every
# role, and either end of a flow or a partnership).
_INVOLVING_ENDS = (("flows", "origin"), ("flows", "destination"),
                   ("partnerships", "lead"), ("partnerships", "partner"))  # fmt: skip


def involving_counts(eb: EvidenceBase, filter_role: str) -> pd.Series:
    """Per country (ISO-3), the distinct articles of ``eb`` that name it in
    ``filter_role`` (evidence.fields.FILTER_ROLES; "any" also counts flow and partnership
    ends): what the Countries filter keeps for that country. Only countries with articles
    are listed. A bincount over the (article, country) pairs of the root, found once."""
    src = source_of(eb)
    articles, codes, vocab = src.memo(
        ("involving", filter_role), lambda: _involving_pairs(src, filter_role)
    )
    if src.mask is not None:
        codes = codes[src.mask[articles]]
    n = np.bincount(codes, minlength=len(vocab))
    hit = np.flatnonzero(n)
    return pd.Series(n[hit], index=pd.Index(vocab[hit], dtype=object, name="iso3"))


def _involving_pairs(src: Source, filter_role: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (article position, country code) pairs naming a country in the role, and
    the countries' vocabulary."""
    c_role, u_role = src.codes("article_countries", "role")
    where = None if filter_role == "any" else c_role == position_of(u_role, filter_role)
    ends = [("article_countries", "iso3", where)]
    if filter_role == "any":
        ends += [(table, column, None) for table, column in _INVOLVING_ENDS]
    positions, values = [], []
    for table, column, rows in ends:
        codes, uniques = src.codes(table, column)
        keep = codes < len(uniques) if rows is None else (codes < len(uniques)) & rows
        positions.append(src.idx.positions(table)[keep])
        values.append(uniques[codes[keep]])
    joint, vocab = pd.factorize(np.concatenate(values).astype(object))
    pairs = np.unique(np.concatenate(positions).astype(np.int64) * max(len(vocab), 1) + joint)
    size = max(len(vocab), 1)
    return small(pairs // size), small(pairs % size), np.asarray(vocab, dtype=object)


def involving_at(eb: EvidenceBase, filter_role: str, iso3: np.ndarray) -> np.ndarray:
    """:func:`involving_counts` for the countries ``iso3`` as an array (0 for a country
    no article of ``eb`` names in ``filter_role``): one mask and one bincount, looked up
    by a per-root table of the countries' codes."""
    src = source_of(eb)
    articles, codes, vocab = src.memo(
        ("involving", filter_role), lambda: _involving_pairs(src, filter_role)
    )
    where = src.memo(("involving_at", filter_role), lambda: {c: i for i, c in enumerate(vocab)})
    if src.mask is not None:
        codes = codes[src.mask[articles]]
    n = np.bincount(codes, minlength=len(vocab))
    at = np.fromiter((where.get(c, -1) for c in iso3), dtype=np.intp, count=len(iso3))
    out = np.zeros(len(at), dtype=np.int64)
    hit = at >= 0
    out[hit] = n[at[hit]]
    return out
