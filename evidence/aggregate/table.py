"""The article table's rows and the takeaways' shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from evidence.aggregate._engine import (
    SIDES,
    Source,
    article_sides,
    articles_with,
    names_lookup,
    position_of,
    source_of,
    suffix,
)
from evidence.aggregate.map import income_labels
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase


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
    sfx = suffix(classification)
    origin = a["origin"].fillna("").astype(str)
    ids = a["article_id"]
    return pd.DataFrame(
        {
            "article_id": ids.to_numpy(),
            "title": a["title"].to_numpy(),
            "year": a["year"].to_numpy(),
            "journal": a["journal"].to_numpy(),
            "origin": names_lookup(names)(origin).to_numpy(),
            "origin_iso3": origin.to_numpy(),
            "origin_income": a[f"origin_income{sfx}"].map(income_labels()).fillna("").to_numpy(),
            "formats": _joined_labels(a["formats"]).to_numpy(),
            "motivations": _joined_labels(a["motivations"]).to_numpy(),
            "doi": a["doi"].to_numpy(),
            "url": a["url"].to_numpy(),
            "synthetic": a["synthetic"].astype(bool).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- shares
def share_of_flows(eb: EvidenceBase, direction: str = "N>S", classification: str = "year") -> float:
    """Share of the articles describing a flow that describe one in ``direction`` (0 if none)."""
    return _share_of_links(source_of(eb), "flows", "direction" + suffix(classification), direction)


def share_of_partnerships(
    eb: EvidenceBase, direction: str = "N>S", classification: str = "year"
) -> float:
    """Share of the articles with a lead-partner pair that have one in ``direction``."""
    col = "direction" + suffix(classification)
    return _share_of_links(source_of(eb), "partnerships", col, direction)


def share_from_side(eb: EvidenceBase, side: str = "north", classification: str = "year") -> float:
    """Share of articles whose first author is in a HIC (``"north"``) or LMIC (``"south"``)."""
    if eb.n_articles == 0:
        return 0.0
    col = "origin_income" + suffix(classification)
    src = source_of(eb)
    hits = article_sides(src, col) == (SIDES.index(side) if side in SIDES else -2)
    if src.mask is not None:
        hits &= src.mask
    return float(np.count_nonzero(hits) / eb.n_articles)


def _share_of_links(src: Source, table: str, col: str, direction: str) -> float:
    """Share of the articles with any row of ``table`` (a flow or partner pair) that have
    one in ``direction``."""
    codes, uniques = src.codes(table, col)
    every = src.memo(("articles_with", table), lambda: articles_with(
        src, table, np.ones(len(codes), dtype=bool)))  # fmt: skip
    total = src.count_in(every)
    if total == 0:
        return 0.0
    d = position_of(uniques, direction)
    some = src.memo(("articles_with", table, col, direction), lambda: articles_with(
        src, table, codes == d))  # fmt: skip
    return src.count_in(some) / total
