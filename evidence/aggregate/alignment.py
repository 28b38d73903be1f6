"""The alignment view's aggregates: motivation x format cells with rubric status."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.aggregate._engine import (
    SIDES,
    Fallback,
    Source,
    article_sides,
    factorised,
    frame_of,
    keys_of,
    memo,
    position_of,
    small,
    source_of,
    suffix,
)
from evidence.codebook import load_codebook
from evidence.model import INCOME_GROUPS, EvidenceBase, side_of
from evidence.rubric import Rubric, load_rubric

ALIGNMENT_COLUMNS = [
    "motivation", "format", "motivation_label", "format_label", "side", "n_articles",
    "n_row", "share", "status", "rationale",
]  # fmt: skip


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
    keys_of(level, "motivation")
    if mode == "by_income":
        suffix(classification)
    src = source_of(eb)
    if src is not None:
        try:
            return _alignment_matrix_fast(src, mode, classification, level, rubric)
        except Fallback:
            pass
    return _alignment_matrix_generic(eb, mode, classification, level, rubric)


def gap_cells(eb: EvidenceBase, level: str = "group", rubric: Rubric | None = None) -> pd.DataFrame:
    """Motivation x format combinations with no article (evidence gaps), codebook order."""
    cells = alignment_matrix(eb, "counts", level=level, rubric=rubric)
    return cells[cells["n_articles"] == 0].reset_index(drop=True)


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


# --------------------------------------------------------------------------- fast path
@dataclass(frozen=True)
class _Combinations:
    """Each root article's set of motivations and set of formats, as one number."""

    article: np.ndarray  # per article: combination number
    motivations: np.ndarray  # combination x motivation: 1 when in the set
    formats: np.ndarray  # combination x format


def _combinations(
    src: Source, key: str, motivations: tuple[str, ...], formats: tuple[str, ...]
) -> _Combinations:
    def build() -> _Combinations:
        table = "article_codes"
        c_dim, u_dim = factorised(src, table, "dimension")
        c_key, u_key = factorised(src, table, key)
        km, kf = len(motivations), len(formats)
        if km + kf > 62:
            raise Fallback
        pos = src.idx.positions(table)
        bits = np.zeros(src.idx.n, dtype=np.int64)  # per article: its keys as bits
        for dimension, keys, offset in (("motivation", motivations, 0), ("format", formats, km)):
            column = {k: i for i, k in enumerate(keys)}
            where = np.array([column.get(k, -1) for k in u_key] + [-1], dtype=np.int64)
            rows = (c_dim == position_of(u_dim, dimension)) & (where[c_key] >= 0)
            at = np.flatnonzero(rows)
            np.bitwise_or.at(bits, pos[at], np.left_shift(1, where[c_key[at]] + offset))
        uniq, article = np.unique(bits, return_inverse=True)
        sets = (uniq[:, None] >> np.arange(km + kf)) & 1
        return _Combinations(small(article.reshape(-1)), sets[:, :km], sets[:, km:])

    return memo(src, ("combinations", key, motivations, formats), build)


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
    src: Source, mode: str, classification: str, level: str, rubric: Rubric | None
) -> pd.DataFrame:
    key = "group" if level == "group" else "code"
    motivations, formats = keys_of(level, "motivation"), keys_of(level, "format")
    combos = _combinations(src, key, tuple(motivations), tuple(formats))
    n_combos = len(combos.motivations)
    if mode == "by_income":
        sides = article_sides(src, "origin_income" + suffix(classification))
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
    return frame_of({c: values[c] if c in values else tpl.columns[c] for c in ALIGNMENT_COLUMNS})


# --------------------------------------------------------------------------- reference
# The generic pandas implementation: plain pandas on the given (already filtered) tables.
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
    motivations, formats = keys_of(level, "motivation"), keys_of(level, "format")
    ac = eb.article_codes
    mot = ac.loc[ac["dimension"] == "motivation", ["article_id", key]].drop_duplicates()
    fmt = ac.loc[ac["dimension"] == "format", ["article_id", key]].drop_duplicates()
    mot = mot.rename(columns={key: "motivation"})
    fmt = fmt.rename(columns={key: "format"})

    if mode == "by_income":
        col = "origin_income" + suffix(classification)
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
