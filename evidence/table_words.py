"""The data tables on the page in a reader's words: human column names and code labels.

A view's data (evidence.views.view_figure) keeps codes and machine column names, as the
downloaded CSV and XLSX do (they are for re-use). The table under a chart is for
reading: the same rows, each code given its codebook label (``N>S`` → "HIC → LMIC",
``H`` → "High income", ``at_home`` → "Internationalization at home"), a column that
only repeats another as a code left out, and every column named in words.
"""

from __future__ import annotations

import pandas as pd

from evidence.codebook import load_codebook
from evidence.rubric import STATUSES

# Columns left out on screen: the code beside a column that names the same thing.
CODE_COLUMNS = {
    "iso3": "name",
    "income": "income_label",
    "origin": "origin_name",
    "destination": "destination_name",
    "code": "label",
    "motivation": "motivation_label",
    "format": "format_label",
    "group": "label",
    "origin_income": "origin_income_label",
    "row": "row_label",  # the evidence gap map's cells (evidence.aggregate.gapmap)
    "column": "column_label",
}
# Code columns that may hold a group ("mobility", "market"): its label is the group's
# short one on screen ("Mobility", "Market"), the words of the chart's legend and rows.
GROUP_COLUMNS = ("group", "motivation", "format")
HEADERS = {
    "name": "Country",
    "n_articles": "Articles",
    "n_involving": "Articles involving it",
    "selected": "Selected",
    "origin_income_label": "From (origin income group)",
    "income_label": "Income group",
    "region": "Region",
    "income_history": "Income group over the years",
    "origin_name": "From (origin)",
    "destination_name": "To (destination)",
    "direction": "Direction (income groups)",
    "kinds": "Kinds of mobility",
    "chart": "Chart",
    "motivation_label": "Motivation",
    "format_label": "Format",
    "side": "Countries",
    "n_row": "Articles with this motivation",
    "share": "Share of all articles",
    "status": "Rubric verdict",
    "rationale": "Why (the rubric's reason)",
    "year": "Year",
    "n_countries": "Countries",
}
# Per view, a column whose meaning the view decides.
VIEW_HEADERS = {
    "partnerships": {"label": "Partnership"},
    "trends": {"label": "Group"},
    "flow-matrix": {"origin": "From (origin income group) → to"},
    "partner-map": {"origin_name": "Lead country", "destination_name": "Partner country"},
    "gapmap": {"row_label": "Row", "column_label": "Column",
               "n_row": "Articles in the row (each once)",
               "n_column": "Articles in the column (each once)",
               "n_total": "Articles with both dimensions", "row_share": "Share of the row",
               "column_share": "Share of the column", "gap": "Gap (no article)"},
}  # fmt: skip
SHARES = ("share", "row_share", "column_share")  # shown as percentages
# Columns that name what another column holds (a gap map's dimensions: the files keep
# them; on screen they head the label columns instead of repeating on every row).
DIMENSION_OF = {"row_dimension": "row_label", "column_dimension": "column_label"}
SHARE_OF_ROW = "Share of the motivation's articles"
SIDES = {"all": "All", "north": "HIC (Global North)", "south": "LMIC (Global South)"}


def header(column: str, view: str = "") -> str:
    """A column's name in words (a code column, e.g. an income group's, its label)."""
    words = VIEW_HEADERS.get(view, {}).get(column) or HEADERS.get(column)
    return words or code_label(column)


def code_label(value) -> str:
    """A code's label from the codebook (income groups, directions, format and
    motivation codes and groups, rubric verdicts); anything else as it is."""
    if not isinstance(value, str):
        return value
    cb = load_codebook()
    if value in cb.income_groups:
        return cb.income_groups[value]["label"]
    if value in cb.directions:
        return cb.directions[value]["label"]
    if value in STATUSES:
        return STATUSES[value][0]
    return cb.label(value)


def readable(data: pd.DataFrame, view: str = "", align: str = "counts") -> pd.DataFrame:
    """``data`` as the page shows it: a named index as the first column, code columns
    that repeat a label column left out, codes as labels, columns named in words (the
    alignment matrix's share is of all articles, or with ``align`` set to row shares or
    HIC vs LMIC, of the motivation's articles)."""
    if data.index.name or not isinstance(data.index, pd.RangeIndex):
        data = data.reset_index()
    named = {DIMENSION_OF[c]: str(data[c].iloc[0]) for c in DIMENSION_OF
             if c in data.columns and len(data)}  # fmt: skip
    data = data.drop(columns=[c for c in DIMENSION_OF if c in data.columns])
    keep = [c for c in data.columns if CODE_COLUMNS.get(c) not in data.columns]
    out = data[keep].copy()
    groups = load_codebook().groups
    for code in GROUP_COLUMNS:  # a group by its short label, as the chart's legend says it
        words = CODE_COLUMNS[code]
        if code in data.columns and words in out.columns:
            out[words] = [groups[c].short if c in groups else w
                          for c, w in zip(data[code], data[words], strict=True)]  # fmt: skip
    for column in out.columns:
        if column == "side":
            out[column] = out[column].map(lambda v: SIDES.get(v, v))
        elif column in SHARES:
            out[column] = out[column].map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
        elif column == "gap":
            out[column] = out[column].map(lambda v: "Gap" if v is True or v == 1 else "")
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(code_label)
    names = [named.get(str(c)) or header(str(c), view) for c in out.columns]
    if align != "counts":
        names = [SHARE_OF_ROW if c == "share" else n
                 for c, n in zip(out.columns, names, strict=True)]  # fmt: skip
    out.columns = names
    return out
