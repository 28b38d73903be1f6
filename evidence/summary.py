"""A compact, JSON-ready summary of an evidence base (used by ``iome-map summary``)."""

from __future__ import annotations

import pandas as pd

from evidence.codebook import load_codebook
from evidence.model import DIRECTIONS, INCOME_GROUPS, EvidenceBase


def _distinct(frame: pd.DataFrame, by: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame.groupby(by)["article_id"].nunique().items()}


def summarise(eb: EvidenceBase, classification: str = "year") -> dict:
    """Counts of distinct articles per code, group, direction class, origin income and year.

    An article coded with two formats counts once in each; every category of the
    codebook is listed, with zero where no article has it.
    """
    cb = load_codebook()
    suffix = "" if classification == "year" else "_latest"
    codes = eb.article_codes
    result: dict = {
        "source": eb.source,
        "version": eb.version,
        "synthetic": eb.synthetic,
        "classification": classification,
        "n_articles": eb.n_articles,
        "codebook": cb.name or cb.path,
        "dimensions": {
            role: {"name": d.name, "label": d.label, "plural": d.plural}
            for role, d in cb.dimensions.items()
        },
        "labels": {k: cb.label(k) for k in (*cb.codes, *cb.groups)},
    }
    for dim in ("format", "motivation"):
        sub = codes[codes["dimension"] == dim]
        by_code, by_group = _distinct(sub, "code"), _distinct(sub, "group")
        result[f"{dim}_codes"] = {c: by_code.get(c, 0) for c in cb.codes_of(dim)}
        result[f"{dim}_groups"] = {g: by_group.get(g, 0) for g in cb.groups_of(dim)}
        result[f"articles_with_{dim}"] = int(sub["article_id"].nunique())
    for table in ("flows", "partnerships"):
        frame = getattr(eb, table)
        rows = _distinct(frame, f"direction{suffix}")
        result[f"{table}_by_direction"] = {
            "articles": {d: rows.get(d, 0) for d in DIRECTIONS},
            "links": {d: int((frame[f"direction{suffix}"] == d).sum()) for d in DIRECTIONS},
        }
    income = eb.articles[f"origin_income{suffix}"].replace("", "unclassified")
    counts = income.value_counts()
    result["articles_by_origin_income"] = {
        g: int(counts.get(g, 0)) for g in (*INCOME_GROUPS, "unclassified")
    }
    years = eb.articles["year"].value_counts().sort_index()
    result["articles_by_year"] = {str(int(y)): int(n) for y, n in years.items()}
    return result
