"""Pages of the article list for a state: search, sort and slice on the server.

The display table is built once per evidence base and classification; each request
then costs a mask, an optional search and sort, and a slice, so the browser only ever
receives the rows it shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence import aggregate, filters
from evidence.memo import PerBase
from evidence.model import EvidenceBase
from evidence.state import FilterState

SEARCH_COLUMNS = ("title", "journal", "origin", "formats", "motivations", "doi", "authors")
SORTABLE = ("title", "year", "journal", "origin", "formats", "motivations", "doi")
_TABLES = PerBase()


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def display_table(eb: EvidenceBase, classification: str = "year") -> pd.DataFrame:
    """The whole evidence base as display rows (cached), aligned with ``eb.articles``."""
    return _TABLES.get(eb, classification, lambda: _build_display_table(eb, classification))


def _build_display_table(eb: EvidenceBase, classification: str) -> pd.DataFrame:
    table = aggregate.articles_table(eb, classification=classification)
    table["authors"] = eb.articles["authors"].to_numpy()
    # (``agg`` over no rows gives a frame, not a column: an empty base has no text)
    haystack = (table[list(SEARCH_COLUMNS)].astype(str).agg(" ".join, axis=1) if len(table)
                else pd.Series([], index=table.index, dtype=object))  # fmt: skip
    table["_search"] = (haystack + " " + table["year"].astype(str)).str.lower()
    return table


MAX_TERMS = 10  # words of a search matched


def search_mask(eb: EvidenceBase, text: str, classification: str = "year") -> np.ndarray:
    """Articles (a mask over ``eb.articles``) whose display row holds every word of
    ``text`` (the list search, also the ``q`` filter of the state)."""
    haystack = display_table(eb, classification)["_search"]
    mask = np.ones(len(haystack), dtype=bool)
    for term in [t for t in str(text or "").lower().split() if t][:MAX_TERMS]:
        mask &= haystack.str.contains(term, regex=False).to_numpy()
    return mask


def article_page(
    eb: EvidenceBase,
    state: FilterState,
    start: int,
    end: int,
    *,
    sort_model: list[dict] | None = None,
    search: str = "",
) -> tuple[pd.DataFrame, int]:
    """Rows ``start`` to ``end`` of the filtered, searched and sorted article list.

    Returns the page (without helper columns) and the number of matching articles.
    """
    table = display_table(eb, state.income)
    # Positions of the matching rows, searched and sorted; only the page's rows copied.
    if state.filter_fields():
        rows = np.flatnonzero(filters.article_mask(eb, state))
    else:
        rows = np.arange(len(table))
    if str(search or "").strip():
        rows = rows[search_mask(eb, search, state.income)[rows]]
    models = sort_model if isinstance(sort_model, list) else []
    keys = [(m.get("colId"), m.get("sort")) for m in models if isinstance(m, dict)]
    keys = [(c, s) for c, s in keys if c in SORTABLE and s in ("asc", "desc")]
    if keys:
        shown = table[[c for c, _ in keys]].iloc[rows].reset_index(drop=True)
        order = shown.sort_values(
            [c for c, _ in keys], ascending=[s == "asc" for _, s in keys], kind="stable"
        ).index.to_numpy()
        rows = rows[order]
    start = max(0, _int(start, 0))
    end = max(start, min(_int(end, start + 10), start + 500))
    page = table.iloc[rows[start:end]].drop(columns=["_search"])
    return page, len(rows)
