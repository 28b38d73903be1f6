"""The coded-article input contract: columns, header matching and column-level checks.

Review teams fill in one row per article. Column names match case-insensitively,
ignoring spaces, hyphens and underscores; a mapping can rename other headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from evidence.model import LoadReport


@dataclass(frozen=True)
class ContractColumn:
    """One column of the contract."""

    name: str
    required: bool
    description: str


CONTRACT = (
    ContractColumn("id", True, "unique article id"),
    ContractColumn("title", True, "article title"),
    ContractColumn("year", True, "publication year"),
    ContractColumn("authors", False, "free text"),
    ContractColumn("journal", False, "free text"),
    ContractColumn("url", False, "link to the article (http or https)"),
    ContractColumn("doi", False, "bare DOI or a doi.org URL"),
    ContractColumn("language", False, "ISO 639-1 code or English name; default English"),
    ContractColumn("article_type", False, "research, review, learning_objectives, ..."),
    ContractColumn("author_countries", True, "';'-separated author countries, origin first"),
    ContractColumn("setting_countries", False, "';'-separated countries of the activity"),
    ContractColumn("formats", True, "';'-separated format codes"),
    ContractColumn("motivations", False, "';'-separated motivation codes, primary first"),
    ContractColumn("motivation_basis", False, "explicit or assigned"),
    ContractColumn("mobility_flows", False, "';'-separated ORIGIN>DESTINATION movements"),
    ContractColumn("partnerships", False, "';'-separated '+'-joined partners, lead first"),
    ContractColumn("notes", False, "free text"),
    ContractColumn("synthetic", False, "true for synthetic (demo) records"),
)
COLUMN_NAMES = tuple(c.name for c in CONTRACT)
REQUIRED = tuple(c.name for c in CONTRACT if c.required)
MIN_YEAR, MAX_YEAR = 1900, 2100
MISSING_COLUMN = "missing_column"  # Problem.code of a required column not found


def header_key(name: str) -> str:
    """Normalise a header for matching: lower case without spaces, hyphens, underscores."""
    return re.sub(r"[\s\-_]+", "", str(name).strip().lstrip("\ufeff").lower())


_KEYS = {header_key(c): c for c in COLUMN_NAMES}
EXPORT_ONLY = frozenset({"datanote"})  # columns our own exports add: read back silently


def _dimension_keys() -> dict[str, str]:
    """Headers naming the codebook's dimensions ("Programme types", "programme", "Purposes")
    read as the contract's ``formats`` and ``motivations`` columns."""
    from evidence.codebook import load_codebook

    cb = load_codebook()
    out: dict[str, str] = {}
    for role, column in (("format", "formats"), ("motivation", "motivations")):
        d = cb.dim(role)
        for name in (d.name, d.label, d.plural):
            out.setdefault(header_key(name), column)
    return {k: v for k, v in out.items() if k not in _KEYS}


def match_columns(
    headers: list[str], mapping: dict[str, str] | None, report: LoadReport
) -> dict[str, str]:
    """Map the file's headers to contract names; report unknown, duplicate and missing ones.

    Returns ``{file header: contract column}``. ``mapping`` maps the file's own header
    names (matched like contract names) to contract names.
    """
    user = {header_key(k): v for k, v in (mapping or {}).items()}
    keys = _KEYS | _dimension_keys()
    for target in user.values():
        if target not in COLUMN_NAMES:
            report.add("error", f"column mapping names unknown contract column '{target}'")
    result: dict[str, str] = {}
    for header in headers:
        key = header_key(header)
        if key in EXPORT_ONLY and key not in user:
            continue  # the synthetic-data note of our own downloads: not data
        target = user.get(key) or keys.get(key)
        if target is None or target not in COLUMN_NAMES:
            report.add("warning", "column not in the coding contract; ignored", column=header)
            continue
        if target in result.values():
            report.add("warning", f"second column for '{target}'; ignored", column=header)
            continue
        result[header] = target
    for name in REQUIRED:
        if name not in result.values():
            report.add("error", f"required column '{name}' is missing", column=name,
                       code=MISSING_COLUMN)  # fmt: skip
    return result


def _non_empty(column: pd.Series) -> pd.Series:
    return column.str.strip().str.len() > 0


def _a_year(column: pd.Series) -> pd.Series:
    text = column.str.strip()
    number = pd.to_numeric(text, errors="coerce")
    return text.str.fullmatch(r"\d{4}(\.0)?") & number.between(MIN_YEAR, MAX_YEAR)


# The required columns' cell checks, in the order problems are reported. Plain pandas:
# the same checks a pandera schema ran (tests/unit/test_first_load_memory.py holds the two
# equal), without importing pandera (and the hypothesis and geopandas it pulls in, about
# 30 MB) into every server process (issue 27: memory).
COLUMN_CHECKS = (
    ("id", _non_empty),
    ("title", _non_empty),
    ("year", _a_year),
    ("author_countries", _non_empty),
    ("formats", _non_empty),
)


def check_columns(frame: pd.DataFrame, report: LoadReport) -> set[int]:
    """Run every column check; every failing cell becomes one error, listed row by row
    (and in a row, in the contract's order). Returns the bad rows' indices.

    ``frame`` holds text (blank cells are ''); its index is each row's spreadsheet row
    number, and names the row in the report.
    """
    failed: list[tuple[int, int, str, str]] = []
    for position, (column, passes) in enumerate(COLUMN_CHECKS):
        cells = frame[column].astype(str)
        failing = cells[~passes(cells).fillna(False).astype(bool)]
        failed += [(int(idx), position, column, value) for idx, value in failing.items()]
    for idx, _position, column, value in sorted(failed):
        message = "missing value"
        if column == "year" and value.strip():
            message = f"year must be a whole number between {MIN_YEAR} and {MAX_YEAR}"
        report.add("error", message, row=idx, column=column, value=value[:200])
    return {idx for idx, *_ in failed}
