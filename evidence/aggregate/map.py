"""The map's aggregates: distinct articles per country in one role, gaps, top countries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.aggregate._engine import (
    ROLES,
    Fallback,
    Source,
    counter_of,
    economies_or_default,
    factorised,
    frame_of,
    memo,
    nunique,
    position_of,
    ranks,
    source_of,
    suffix,
)
from evidence.codebook import load_codebook
from evidence.model import INCOME_GROUPS, EvidenceBase


def income_labels() -> dict[str, str]:
    """Income group code -> label from the codebook ("H" -> "High income")."""
    groups = load_codebook().income_groups
    return {g: groups[g]["label"] for g in INCOME_GROUPS if g in groups}


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
    sfx = suffix(classification)
    src = source_of(eb)
    if src is not None:
        try:
            return _counts_by_country_fast(src, role, sfx, economies)
        except Fallback:
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


def top_countries(counts: pd.DataFrame, n: int = 3) -> list[tuple[str, int]]:
    """The ``n`` countries with most articles from a :func:`counts_by_country` frame."""
    values = counts["n_articles"].to_numpy()
    if values.dtype.kind not in "iu" or n < 0:
        return _top_countries_generic(counts, n)
    rows = np.flatnonzero(values > 0)
    rows = rows[np.argsort(-values[rows], kind="stable")[:n]]
    names = counts["name"].to_numpy()
    return [(names[i], int(values[i])) for i in rows]


# --------------------------------------------------------------------------- fast path
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
    econ = economies_or_default(economies)
    found = _ECON_REFS.get(id(econ))
    if found is not None and found[0] is econ:
        return found
    if not econ.index.is_unique:
        raise Fallback
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
            raise Fallback  # the reference would convert or sort them differently
    if economies is None:  # only the cached reference table is safe to remember
        _ECON_REFS.clear()
        _ECON_REFS[id(econ)] = (econ, ref)
    return econ, ref


def _counts_by_country_fast(
    src: Source, role: str, sfx: str, economies: pd.DataFrame | None
) -> pd.DataFrame:
    table = "article_countries"
    c_role, u_role = factorised(src, table, "role")
    c_iso, u_iso = factorised(src, table, "iso3")
    r, blank = position_of(u_role, role), position_of(u_iso, "")

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        return c_iso, len(u_iso), (c_role == r) & (c_iso != blank)

    counter = counter_of(src, ("countries", role), table, ("role", "iso3"), key)
    kept = counter.kept(src)
    n_iso = counter.count(kept)
    present = n_iso > 0

    econ, ref = _economy_ref(economies)
    if economies is None:
        epos = memo(src, ("econ_pos", id(econ)), lambda: ref.index.get_indexer(u_iso))
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
        c_latest, u_latest = factorised(src, table, "income_latest")
        c_region, u_region = factorised(src, table, "region")
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
            raise Fallback

    if sfx == "":
        mode = _income_mode(src, role, r, blank, len(u_iso))
        if mode is not None:
            known = codes >= 0
            best = np.full(len(codes), -1, dtype=np.intp)
            best[known] = mode[0][codes[known]]
            has = best >= 0
            income[has] = mode[1][best[has]]

    labels = income_labels()
    order = np.lexsort((np.arange(len(n)), ranks(name), -n))
    income = income[order]
    return frame_of(
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
    src: Source, role: str, r: int, blank: int, n_iso: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per country code, the income group most of its articles were published under
    (ties: the group met first), as (code of the group or -1, groups)."""
    table = "article_countries"
    c_inc, u_inc = factorised(src, table, "income")
    g = len(u_inc)
    if g == 0:
        return None

    def key() -> tuple[np.ndarray, int, np.ndarray]:
        c_role, _ = factorised(src, table, "role")
        c_iso, _ = factorised(src, table, "iso3")
        where = (c_role == r) & (c_iso != blank) & (c_inc != position_of(u_inc, ""))
        return c_iso.astype(np.int64) * g + c_inc, n_iso * g, where

    counter = counter_of(src, ("income_mode", role), table, ("role", "iso3", "income"), key)
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


# --------------------------------------------------------------------------- reference
# The generic pandas implementation: plain pandas on the given (already filtered) tables.
def _counts_by_country_generic(
    eb: EvidenceBase,
    role: str = "origin",
    classification: str = "year",
    economies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    sfx = suffix(classification)
    econ = economies_or_default(economies)
    ac = eb.article_countries
    ac = ac[(ac["role"] == role) & (ac["iso3"] != "")]
    n = nunique(ac, ["iso3"]).rename("n_articles")

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


def _top_countries_generic(counts: pd.DataFrame, n: int = 3) -> list[tuple[str, int]]:
    top = counts[counts["n_articles"] > 0].nlargest(n, "n_articles", keep="first")
    return list(zip(top["name"], top["n_articles"].astype(int), strict=True))
