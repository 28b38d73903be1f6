"""The evidence gap map's aggregates: any two dimensions crossed, as review teams publish.

A *dimension* is a way of sorting articles into values: a coded dimension of the
codebook (its groups, or its codes), or one derived from the articles (the income group
or World Bank region of the first author's country, the article type, the publication
period, the language, the motivation basis). An article can hold several values of one
dimension (several formats): it then counts in each of its cells, so cells do not add up
to the total, which counts each article once.

Every value the scheme knows is a row or column (zeros kept): an empty cell is a gap in
the evidence, which the gap map marks. The motivation x format alignment matrix
(evidence.aggregate.alignment) is this cross-tab at the same cells, coloured by its
rubric: :func:`gap_matrix` takes its verdicts for that pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence.codebook import load_codebook
from evidence.countries import WB_REGIONS, wb_region_of
from evidence.fields import GAP_DIMENSIONS
from evidence.languages import language_name
from evidence.memo import PerBase
from evidence.model import INCOME_GROUPS, EvidenceBase

GAP_COLUMNS = [
    "row", "column", "row_label", "column_label", "n_articles", "n_row", "n_column",
    "n_total", "row_share", "column_share", "gap", "status", "rationale",
]  # fmt: skip
TOTAL = "*"  # the key of a total row or column (a click on it filters one dimension)
PERIOD_YEARS = 5  # the width of a publication period

Values = Callable[[EvidenceBase, str], tuple[pd.DataFrame, list[tuple[str, str]]]]


@dataclass(frozen=True)
class Dimension:
    """One dimension a gap map can cross: its URL key, its label, the filter field a
    click on one of its values writes (``field``), and ``values``: (evidence,
    classification) -> (long frame [article_id, value], the axis: (value, label) pairs in
    order, every value the scheme knows)."""

    key: str
    label: str
    field: str
    values: Values
    noun: str = ""  # one value's kind, as axis titles and cells say it ("Format")

    @property
    def title(self) -> str:
        return self.noun or self.label


# --------------------------------------------------------------------------- values
def _coded(role: str, level: str) -> Values:
    def values(eb: EvidenceBase, classification: str):
        cb = load_codebook()
        codes = eb.article_codes
        rows = codes[codes["dimension"] == role]
        column = "group" if level == "group" else "code"
        long = pd.DataFrame({"article_id": rows["article_id"], "value": rows[column]})
        keys = cb.groups_of(role) if level == "group" else cb.codes_of(role)
        present = set(long["value"])
        # "(unspecified)" codes without an article are no gap: nothing to code there.
        keys = [k for k in keys if not (k.endswith(".unspecified") and k not in present)]
        return long, [(k, cb.label(k)) for k in keys]

    return values


def _column(column: str, axis: Callable[[pd.Series], list[tuple[str, str]]]) -> Values:
    def values(eb: EvidenceBase, classification: str):
        articles = eb.articles
        series = articles[column].fillna("").astype(str)
        long = pd.DataFrame({"article_id": articles["article_id"], "value": series})
        return long[long["value"] != ""], axis(series)

    return values


def _types(series: pd.Series) -> list[tuple[str, str]]:
    types = load_codebook().article_types
    extra = sorted(set(series) - set(types) - {""})
    return [*types.items(), *((t, t) for t in extra)]


def _languages(series: pd.Series) -> list[tuple[str, str]]:
    codes = series[series != ""].value_counts().index
    return [(c, language_name(c)) for c in codes]


def _bases(series: pd.Series) -> list[tuple[str, str]]:
    return [("explicit", "Explicit"), ("assigned", "Assigned")]


def _origin_income(eb: EvidenceBase, classification: str):
    column = "origin_income" + ("_latest" if classification == "latest" else "")
    groups = load_codebook().income_groups
    long, _ = _column(column, lambda s: [])(eb, classification)
    return long, [(g, groups.get(g, {}).get("label", g)) for g in INCOME_GROUPS]


def _origin_region(eb: EvidenceBase, classification: str):
    articles = eb.articles
    region = articles["origin"].map(wb_region_of()).fillna("")
    long = pd.DataFrame({"article_id": articles["article_id"], "value": region})
    return long[long["value"] != ""], list(WB_REGIONS.items())


def period_of(year: int) -> tuple[int, int]:
    """The publication period of ``year``: five years from a multiple of five."""
    start = year - year % PERIOD_YEARS
    return start, start + PERIOD_YEARS - 1


def _periods(eb: EvidenceBase, classification: str):
    articles = eb.articles
    years = pd.to_numeric(articles["year"], errors="coerce")
    known = years.notna()
    starts = (years[known].astype(int) // PERIOD_YEARS) * PERIOD_YEARS
    value = starts.map(lambda s: f"{s}-{s + PERIOD_YEARS - 1}")
    long = pd.DataFrame({"article_id": articles["article_id"][known], "value": value})
    if starts.empty:
        return long, []
    axis = range(int(starts.min()), int(starts.max()) + 1, PERIOD_YEARS)
    return long, [(f"{s}-{s + PERIOD_YEARS - 1}", f"{s}–{s + PERIOD_YEARS - 1}") for s in axis]


def dimensions() -> dict[str, Dimension]:
    """The dimensions the codebook in use can cross, in the pickers' order (made once
    per codebook: a click on the gap map asks for them a dozen times; read-only)."""
    cb = load_codebook()
    return _DIMENSIONS.get(cb, "dimensions", lambda: _dimensions_of(cb))


_DIMENSIONS = PerBase(size=64)  # per codebook, bounded like load_codebook's cache


def _dimensions_of(cb) -> dict[str, Dimension]:
    fmt, mot = cb.dim("format"), cb.dim("motivation")
    out = [
        Dimension("format", fmt.plural, "format", _coded("format", "group"), fmt.label),
        Dimension("format_code", f"{fmt.plural} (each code)", "format",
                  _coded("format", "code"), f"{fmt.label} (code)"),
        Dimension("motivation", mot.plural, "motivation", _coded("motivation", "group"),
                  mot.label),
        Dimension("motivation_code", f"{mot.plural} (each code)", "motivation",
                  _coded("motivation", "code"), f"{mot.label} (code)"),
        Dimension("origin_income", "Income group of origin", "origin_income", _origin_income),
        Dimension("region", "Region of origin (World Bank)", "region", _origin_region),
        Dimension("type", "Article type", "type", _column("article_type", _types)),
        Dimension("period", f"Publication period ({PERIOD_YEARS} years)", "year", _periods),
        Dimension("language", "Language", "language", _column("language", _languages)),
        Dimension("basis", f"{mot.label} basis", "basis", _column("motivation_basis", _bases)),
    ]  # fmt: skip
    return {d.key: d for d in out}


DIMENSION_KEYS = GAP_DIMENSIONS  # the URL's values (evidence.fields), in this order


def same_filter(rows: str, columns: str) -> bool:
    """True when both dimensions write the same filter (formats by group and by code): a
    click could not select a cell, so the pair is not crossed."""
    dims = dimensions()
    return rows in dims and columns in dims and dims[rows].field == dims[columns].field


# --------------------------------------------------------------------------- the matrix
_MEMO = PerBase(size=8)


def gap_matrix(
    eb: EvidenceBase, rows: str, columns: str, classification: str = "year"
) -> pd.DataFrame:
    """:func:`cross_tab`, remembered for the last few (evidence, dimensions): a redraw
    builds the chart and its sentence from the same cells (treat the frame as read-only)."""
    return _MEMO.get(
        eb, (rows, columns, classification), lambda: cross_tab(eb, rows, columns, classification)
    )


def cell_counts(
    eb: EvidenceBase, rows: str, columns: str, classification: str = "year"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Articles per cell of rows x columns with each cell's row and column labels, in
    :func:`cross_tab`'s order: read off :func:`gap_matrix`'s memory when the chart has
    just counted them, else counted from the axes' membership arrays (no frame, no
    rubric: what a takeaway needs)."""
    frame = _MEMO.peek(eb, (rows, columns, classification))
    if frame is not None:
        return tuple(frame[c].to_numpy() for c in ("n_articles", "row_label", "column_label"))
    dims = dimensions()
    r_member, r_axis = _member_of(eb, dims[rows], classification)
    c_member, c_axis = _member_of(eb, dims[columns], classification)
    # distinct articles with both values (a float product is exact below 2**53)
    n = np.rint(r_member.T.astype(np.float64) @ c_member.astype(np.float64)).astype(np.int64)
    r_labels, c_labels = _keys_labels(r_axis)[1], _keys_labels(c_axis)[1]
    return n.reshape(-1), np.repeat(r_labels, len(c_axis)), np.tile(c_labels, len(r_axis))


def cross_tab(
    eb: EvidenceBase, rows: str, columns: str, classification: str = "year"
) -> pd.DataFrame:
    """Rows x columns: distinct articles with both values, with totals and shares.

    Every value of each axis is present (zeros kept, ``gap`` True). ``n_row`` is the
    articles with the row's value (each counted once, whatever their column value: the
    articles a click on the row's total keeps), ``n_column`` likewise, ``n_total`` the
    articles with a value on both dimensions;
    ``row_share`` = n_articles / n_row, ``column_share`` = n_articles / n_column. For
    motivation x format (either way round, groups or codes) ``status`` and ``rationale``
    are the alignment rubric's verdicts (evidence.aggregate.alignment), else "".

    Returns:
        Long DataFrame[GAP_COLUMNS], rows in axis order, columns within each row.
    """
    dims = dimensions()
    if rows not in dims or columns not in dims:
        raise ValueError(f"unknown dimension: {rows!r} or {columns!r}")
    r_member, r_axis = _member_of(eb, dims[rows], classification)
    c_member, c_axis = _member_of(eb, dims[columns], classification)
    # distinct articles with both values; a total is the articles a click on it keeps
    n = (r_member.T.astype(np.int64) @ c_member.astype(np.int64)).reshape(-1)
    nr = np.repeat(r_member.sum(axis=0), len(c_axis))
    nc = np.tile(c_member.sum(axis=0), len(r_axis))
    both = int((r_member.any(axis=1) & c_member.any(axis=1)).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        row_share = np.where(nr > 0, n / np.maximum(nr, 1), 0.0)
        column_share = np.where(nc > 0, n / np.maximum(nc, 1), 0.0)
    r_keys, r_labels = _keys_labels(r_axis)
    c_keys, c_labels = _keys_labels(c_axis)
    frame = pd.DataFrame({
        "row": np.repeat(r_keys, len(c_axis)), "column": np.tile(c_keys, len(r_axis)),
        "row_label": np.repeat(r_labels, len(c_axis)),
        "column_label": np.tile(c_labels, len(r_axis)),
        "n_articles": n.astype(np.int64), "n_row": nr.astype(np.int64),
        "n_column": nc.astype(np.int64), "n_total": np.full(len(n), both, dtype=np.int64),
        "row_share": row_share, "column_share": column_share, "gap": n == 0,
        "status": "", "rationale": "",
    })  # fmt: skip
    return _with_rubric(eb, frame, rows, columns, classification)


def _keys_labels(axis: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """An axis's keys and labels as arrays."""
    keys = np.array([k for k, _ in axis], dtype=object)
    return keys, np.array([label for _, label in axis], dtype=object)


# Dimensions whose axis a subset reads off its root's: a fixed axis, or the codebook's
# keys less the "(unspecified)" codes no article holds.
_FIXED_AXIS = frozenset(("origin_income", "region", "basis"))
_CODED = frozenset(("format", "format_code", "motivation", "motivation_code"))


def _member_of(
    eb: EvidenceBase, dim: Dimension, classification: str
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Article x axis value of ``eb`` (see :func:`_membership`). For the dimensions whose
    axis follows from the root's, the root's matrix is built once (per root, scheme and
    classification) and a subset takes its rows: a click costs a mask, not a join."""
    if dim.key not in _FIXED_AXIS and dim.key not in _CODED:
        ids = pd.Index(eb.articles["article_id"])
        return _membership(ids, *dim.values(eb, classification))
    from evidence.aggregate._engine import source_of

    src = source_of(eb)
    root = src.root
    member, axis = src.memo(
        ("gap_member", dim.key, classification, load_codebook().path),
        lambda: _membership(pd.Index(root.articles["article_id"]),
                            *dim.values(root, classification)),
    )  # fmt: skip
    if src.mask is None:
        return member, axis
    member = member[src.mask]
    if dim.key in _CODED:  # "(unspecified)" codes without an article are no gap
        held = member.any(axis=0)
        keep = [i for i, (k, _) in enumerate(axis) if held[i] or not k.endswith(".unspecified")]
        if len(keep) < len(axis):
            member, axis = member[:, keep], [axis[i] for i in keep]
    return member, axis


def _membership(
    ids: pd.Index, long: pd.DataFrame, axis: list[tuple[str, str]]
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Article x axis value: True where the article holds the value (values outside
    the axis are left out)."""
    member = np.zeros((len(ids), len(axis)), dtype=bool)
    at = ids.get_indexer(long["article_id"])
    column = pd.Index([k for k, _ in axis]).get_indexer(long["value"])
    keep = (at >= 0) & (column >= 0)
    member[at[keep], column[keep]] = True
    return member, axis


def _with_rubric(
    eb: EvidenceBase, frame: pd.DataFrame, rows: str, columns: str, classification: str
) -> pd.DataFrame:
    """The alignment preset: motivation x format cells get the rubric's verdicts, from
    the alignment matrix itself (one engine, the same cells)."""
    pair = {rows.removesuffix("_code"), columns.removesuffix("_code")}
    levels = {rows.endswith("_code"), columns.endswith("_code")}
    if pair != {"motivation", "format"} or len(levels) != 1 or frame.empty:
        return frame
    from evidence.aggregate.alignment import alignment_matrix

    level = "code" if levels == {True} else "group"
    cells = alignment_matrix(eb, "counts", classification, level)
    verdicts = cells.set_index(["motivation", "format"])[["status", "rationale"]]
    mot, fmt = ("row", "column") if rows.startswith("motivation") else ("column", "row")
    found = verdicts.reindex(pd.MultiIndex.from_arrays([frame[mot], frame[fmt]]))
    frame["status"] = found["status"].fillna("not_assessed").to_numpy(dtype=object)
    frame["rationale"] = found["rationale"].fillna("").to_numpy(dtype=object)
    return frame
