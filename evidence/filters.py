"""apply(evidence, state) -> evidence: one explicit filtering pipeline built from masks.

OR within a filter (``format=a,b``: coded a or b), AND across filters. Membership masks
are computed on positions precomputed once per evidence base, so a click costs a few
vectorised ``isin`` calls, never a re-parse or a re-join.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.codebook import load_codebook
from evidence.model import EvidenceBase
from evidence.state import FilterState


@dataclass(frozen=True)
class _Index:
    """Article positions of every tidy table's rows, built once per evidence base."""

    n: int
    years: np.ndarray
    countries_pos: np.ndarray
    codes_pos: np.ndarray
    flows_pos: np.ndarray
    partnerships_pos: np.ndarray


_INDEXES: OrderedDict[int, tuple[EvidenceBase, _Index]] = OrderedDict()


def _positions(eb: EvidenceBase, frame: pd.DataFrame) -> np.ndarray:
    lookup = pd.Index(eb.articles["article_id"])
    return lookup.get_indexer(frame["article_id"])


def index_of(eb: EvidenceBase) -> _Index:
    """The (cached) position index of an evidence base."""
    key = id(eb)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0] is eb:
        _INDEXES.move_to_end(key)
        return hit[1]
    idx = _Index(
        n=len(eb.articles),
        years=eb.articles["year"].to_numpy(dtype=int),
        countries_pos=_positions(eb, eb.article_countries),
        codes_pos=_positions(eb, eb.article_codes),
        flows_pos=_positions(eb, eb.flows),
        partnerships_pos=_positions(eb, eb.partnerships),
    )
    _INDEXES[key] = (eb, idx)
    while len(_INDEXES) > 8:
        _INDEXES.popitem(last=False)
    return idx


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


def article_mask(eb: EvidenceBase, state: FilterState) -> np.ndarray:
    """Boolean mask over ``eb.articles``: True for articles that pass every filter."""
    idx = index_of(eb)
    arts = eb.articles
    mask = np.ones(idx.n, dtype=bool)
    income_col = "income" if state.income == "year" else "income_latest"
    if state.year:
        mask &= (idx.years >= state.year[0]) & (idx.years <= state.year[1])
    ac = eb.article_countries
    in_role = (ac["role"] == state.role).to_numpy()
    if state.country:
        mask &= _any_of(
            idx.n, idx.countries_pos, in_role & ac["iso3"].isin(state.country).to_numpy()
        )
    if state.region:
        mask &= _any_of(
            idx.n, idx.countries_pos, in_role & ac["region"].isin(state.region).to_numpy()
        )
    if state.origin_income:
        col = "origin_income" if state.income == "year" else "origin_income_latest"
        mask &= arts[col].isin(state.origin_income).to_numpy()
    if state.setting_income:
        hit = (ac["role"] == "setting").to_numpy() & ac[income_col].isin(state.setting_income)
        mask &= _any_of(idx.n, idx.countries_pos, hit.to_numpy())
    codes = eb.article_codes["code"]
    for selection in (state.format, state.motivation):
        if selection:
            mask &= _any_of(idx.n, idx.codes_pos, codes.isin(expand_codes(selection)).to_numpy())
    if state.basis:
        mask &= arts["motivation_basis"].isin(state.basis).to_numpy()
    if state.language:
        mask &= arts["language"].isin(state.language).to_numpy()
    if state.type:
        mask &= arts["article_type"].isin(state.type).to_numpy()
    if state.flow:
        pairs = eb.flows["origin"] + ">" + eb.flows["destination"]
        mask &= _any_of(idx.n, idx.flows_pos, pairs.isin(state.flow).to_numpy())
    return mask


def apply(eb: EvidenceBase, state: FilterState) -> EvidenceBase:
    """The evidence restricted to the articles that pass the state's filters."""
    if not state.filter_fields():
        return eb
    idx = index_of(eb)
    mask = article_mask(eb, state)
    return EvidenceBase(
        eb.articles[mask],
        eb.article_countries[mask[idx.countries_pos]],
        eb.article_codes[mask[idx.codes_pos]],
        eb.flows[mask[idx.flows_pos]],
        eb.partnerships[mask[idx.partnerships_pos]],
        eb.report,
        eb.source,
        eb.version,
    )
