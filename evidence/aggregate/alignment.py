"""The alignment view's aggregates: motivation x format cells with rubric status."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.aggregate._engine import (
    SIDES,
    Source,
    article_sides,
    frame_of,
    keys_of,
    position_of,
    sets_of,
    source_of,
    suffix,
)
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase
from evidence.rubric import Rubric, load_rubric

ALIGNMENT_COLUMNS = [
    "motivation", "format", "motivation_label", "format_label", "side", "n_articles",
    "n_row", "share", "status", "rationale",
]  # fmt: skip
MIXED = "mixed"  # a group cell whose code pairs the rubric judges differently


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
    columns, _, verdicts = _alignment(eb, mode, classification, level, rubric)
    frame = frame_of(columns)
    if verdicts is not None:
        frame = frame.copy()
        frame["status"], frame["rationale"] = verdicts
    return frame


@dataclass(frozen=True)
class AlignmentCells:
    """:func:`alignment_matrix` as arrays: a value per (side, motivation, format), in
    that order (every motivation and format of the codebook's level), with no frame."""

    motivations: tuple[str, ...]
    formats: tuple[str, ...]
    sides: tuple[str, ...]
    n_articles: np.ndarray  # int64
    n_row: np.ndarray  # int64
    share: np.ndarray  # float64
    status: np.ndarray  # object: a status, or a missing value (not assessed)
    rationale: np.ndarray  # object: text, or a missing value


def alignment_cells(
    eb: EvidenceBase,
    mode: str = "counts",
    classification: str = "year",
    level: str = "group",
    rubric: Rubric | None = None,
) -> AlignmentCells:
    """The numbers and verdicts of :func:`alignment_matrix`, as arrays."""
    _, arrays, verdicts = _alignment(eb, mode, classification, level, rubric)
    status, rationale = verdicts or (arrays["status"], arrays["rationale"])
    return AlignmentCells(
        tuple(keys_of(level, "motivation")),
        tuple(keys_of(level, "format")),
        tuple(dict.fromkeys(arrays["side"].tolist())),
        arrays["n_articles"],
        arrays["n_row"],
        arrays["share"],
        np.asarray(status, dtype=object),
        np.asarray(rationale, dtype=object),
    )


def _alignment(
    eb: EvidenceBase, mode: str, classification: str, level: str, rubric: Rubric | None
) -> tuple[dict, dict, tuple[np.ndarray, np.ndarray] | None]:
    """The columns of :func:`alignment_matrix` (as the frame takes them, and as arrays)
    and, when the rubric judges code pairs of a group cell apart, its (status,
    rationale)."""
    if mode not in ("counts", "row_share", "by_income"):
        raise ValueError(f"mode must be 'counts', 'row_share' or 'by_income', not {mode!r}")
    motivations, formats = keys_of(level, "motivation"), keys_of(level, "format")
    origin_income = "origin_income" + suffix(classification) if mode == "by_income" else ""
    src = source_of(eb)
    key = "group" if level == "group" else "code"
    combos = _combinations(src, key, tuple(motivations), tuple(formats))
    n_combos = len(combos.motivations)
    if mode == "by_income":
        sides = article_sides(src, origin_income)
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
    columns = {c: values[c] if c in values else tpl.columns[c] for c in ALIGNMENT_COLUMNS}
    arrays = {c: values[c] if c in values else tpl.arrays[c] for c in ALIGNMENT_COLUMNS}
    rubric = rubric or load_rubric()
    verdicts = None
    if level == "group" and _has_code_rules(rubric):
        _, codes, _ = _alignment(eb, mode, classification, "code", rubric)
        verdicts = _code_verdicts(arrays, codes, rubric)
    return columns, arrays, verdicts


def _has_code_rules(rubric: Rubric) -> bool:
    """True when a rule names a code (not only groups): its verdict then differs inside a
    group cell."""
    cb = rubric.codebook
    return any(r.motivation in cb.codes or r.format in cb.codes for r in rubric.rules)


def _code_verdicts(
    arrays: dict, codes: dict, rubric: Rubric
) -> tuple[np.ndarray, np.ndarray] | None:
    """Group cells judged at the resolution the rubric was written: a cell whose code
    pairs the rubric judges differently reads "mixed", with the code-level verdicts
    and their articles in ``rationale`` (as the hover and the data table show it), or
    the one verdict its articles' code pairs all get. None when no cell is split."""
    group_of = {c.code: c.group for c in rubric.codebook.codes.values()}
    cells: dict[tuple, list[tuple]] = {}
    for side, m, f, ml, fl, n, status in zip(
        *(codes[c] for c in ("side", "motivation", "format", "motivation_label",
                                     "format_label", "n_articles", "status")),
        strict=True,
    ):  # fmt: skip
        cells.setdefault((side, group_of[m], group_of[f]), []).append((status, ml, fl, int(n)))
    split = {k: pairs for k, pairs in cells.items() if len({p[0] for p in pairs}) > 1}
    if not split:
        return None
    status = arrays["status"].copy()
    rationale = arrays["rationale"].copy()
    keys = zip(*(arrays[c] for c in ("side", "motivation", "format")), strict=True)
    for at, key in enumerate(keys):
        pairs = split.get(key)
        if pairs is None:
            continue
        coded = [p for p in pairs if p[3] > 0]
        single = len({p[0] for p in coded}) == 1
        status[at] = coded[0][0] if single else MIXED
        rationale[at] = _verdicts(coded if single else pairs)
    return status, rationale


def _verdicts(pairs: list[tuple]) -> str:
    """The code-level verdicts of a group cell in words: "Tension: Liberal × Outbound (5);
    Aligned: Liberal × Clinical (3), ..." (articles coded with both codes; a verdict none
    of the cell's articles gets lists its pairs with 0)."""
    from evidence.rubric import STATUSES

    by_status: dict[str, list[tuple]] = {}
    for pair in pairs:
        by_status.setdefault(pair[0], []).append(pair)
    lines = []
    for status, rows in by_status.items():
        if any(n for *_, n in rows):
            rows = [r for r in rows if r[3] > 0]
        listed = ", ".join(f"{ml} × {fl} ({n:,})" for _, ml, fl, n in rows)
        lines.append(f"{STATUSES[status][0]}: {listed}")
    return "; ".join(lines)


def gap_cells(eb: EvidenceBase, level: str = "group", rubric: Rubric | None = None) -> pd.DataFrame:
    """Motivation x format combinations with no article (evidence gaps), codebook order."""
    cells = alignment_matrix(eb, "counts", level=level, rubric=rubric)
    return cells[cells["n_articles"] == 0].reset_index(drop=True)


def alignment_takeaway(cells: pd.DataFrame | AlignmentCells) -> str:
    """One sentence on how many coded motivation-format pairings the rubric calls aligned
    (``cells``: an :func:`alignment_matrix` frame, or its arrays)."""
    n = np.asarray(cells.n_articles if isinstance(cells, AlignmentCells) else cells["n_articles"])
    verdict = np.asarray(cells.status if isinstance(cells, AlignmentCells) else cells["status"])
    coded = n > 0
    if not coded.any():
        cb = load_codebook()
        return (f"No article is coded with both a {cb.dim('motivation').noun} and a "
                f"{cb.dim('format').noun}.")  # fmt: skip
    by_status: dict[str, int] = {}
    for status, k in zip(verdict[coded], n[coded], strict=True):
        if isinstance(status, str):
            by_status[status] = by_status.get(status, 0) + int(k)
    total = sum(by_status.values())
    aligned = by_status.get("aligned", 0)
    tension = by_status.get("tension", 0) + by_status.get("misaligned", 0)
    words = f"{load_codebook().dim('motivation').noun}-{load_codebook().dim('format').noun}"
    return (
        f"{aligned / total:.0%} of {words} pairings fall in cells the rubric calls "
        f"aligned, {tension / total:.0%} in cells in tension or misaligned."
    )


# --------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class _Combinations:
    """Each root article's set of motivations and set of formats, numbered."""

    article: np.ndarray  # per article: combination number
    motivations: np.ndarray  # combination x motivation: 1 when in the set
    formats: np.ndarray  # combination x format


def _combinations(
    src: Source, key: str, motivations: tuple[str, ...], formats: tuple[str, ...]
) -> _Combinations:
    def build() -> _Combinations:
        table = "article_codes"
        c_dim, u_dim = src.codes(table, "dimension")
        c_key, u_key = src.codes(table, key)
        pos = src.idx.positions(table)
        member = np.zeros((src.idx.n, len(motivations) + len(formats)), dtype=bool)
        offset = 0
        for dimension, keys in (("motivation", motivations), ("format", formats)):
            column = {k: i for i, k in enumerate(keys)}
            where = np.array([column.get(k, -1) for k in u_key] + [-1], dtype=np.int64)
            rows = np.flatnonzero((c_dim == position_of(u_dim, dimension)) & (where[c_key] >= 0))
            member[pos[rows], where[c_key[rows]] + offset] = True
            offset += len(keys)
        sets, article = sets_of(member)
        km = len(motivations)
        return _Combinations(article, sets[:, :km], sets[:, km:])

    return src.memo(("combinations", key, motivations, formats), build)


@dataclass(frozen=True)
class _AlignmentTemplate:
    """The constant columns of an alignment frame and where each row's counts come from."""

    columns: dict[str, pd.Series]
    arrays: dict[str, np.ndarray]  # the same columns as arrays (read once)
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
    arrays = {c: column.to_numpy() for c, column in columns.items()}
    template = _AlignmentTemplate(columns, arrays, cell, cell // max(len(formats), 1))
    with _TEMPLATES_LOCK:
        _TEMPLATES[key] = (table, template)
        while len(_TEMPLATES) > 16:
            _TEMPLATES.popitem(last=False)
    return template
