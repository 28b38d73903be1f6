"""The tidy evidence model: the tables every view and export is computed from.

All tables are plain pandas DataFrames with string ids. Country columns hold ISO-3
codes ("" when unknown). Income columns hold World Bank groups ``H``, ``UM``, ``LM``,
``L`` ("" when unclassified); ``*_income`` is the group in force at the article's
publication year (fiscal year = year + 1), ``*_income_latest`` the latest one.

articles (one row per article)
    article_id, row (the row a spreadsheet shows for it in the source file; the header is
    row 1), title, year (int), authors, journal, url, doi, notes, language (main ISO 639-1
    code), languages (";"-joined, main first, e.g. "de;en" = German text with an English
    abstract), article_type,
    motivation_basis ("explicit" / "assigned" / ""), synthetic (bool), origin (ISO-3 of the
    first author country), origin_income, origin_income_latest, origin_region (UN M49
    region), primary_motivation (code or ""), formats / motivations (";"-joined codes),
    author_countries / setting_countries (";"-joined ISO-3).
article_countries
    article_id, iso3, role ("origin" = first author country, "author" = every author
    country including the first, "setting"), income, income_latest, region.
article_codes
    article_id, dimension ("format" / "motivation"), group, code, primary (bool: first
    motivation listed).
flows (one row per coded student movement)
    article_id, flow_index, origin, destination, origin_income, destination_income,
    direction, origin_income_latest, destination_income_latest, direction_latest,
    kinds (";"-joined mobility codes of the article).
    direction is one of "N>S", "S>N", "S>S", "N>N", "unclassified" (North = HIC).
partnerships (one row per lead-partner pair)
    article_id, partnership_index, lead, partner, n_partners, lead_income,
    partner_income, direction, lead_income_latest, partner_income_latest, direction_latest.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

ARTICLE_COLUMNS = [
    "article_id", "row", "title", "year", "authors", "journal", "url", "doi", "notes",
    "language", "languages", "article_type", "motivation_basis", "synthetic", "origin",
    "origin_income", "origin_income_latest", "origin_region", "primary_motivation",
    "formats", "motivations", "author_countries", "setting_countries",
]  # fmt: skip
ARTICLE_COUNTRY_COLUMNS = ["article_id", "iso3", "role", "income", "income_latest", "region"]
ARTICLE_CODE_COLUMNS = ["article_id", "dimension", "group", "code", "primary"]
FLOW_COLUMNS = [
    "article_id", "flow_index", "origin", "destination", "origin_income",
    "destination_income", "direction", "origin_income_latest", "destination_income_latest",
    "direction_latest", "kinds",
]  # fmt: skip
PARTNERSHIP_COLUMNS = [
    "article_id", "partnership_index", "lead", "partner", "n_partners", "lead_income",
    "partner_income", "direction", "lead_income_latest", "partner_income_latest",
    "direction_latest",
]  # fmt: skip

DIRECTIONS = ("N>S", "S>N", "S>S", "N>N", "unclassified")
INCOME_GROUPS = ("H", "UM", "LM", "L")
NORTH = frozenset({"H"})
SOUTH = frozenset({"UM", "LM", "L"})


def side_of(income: str) -> str:
    """'north' for high income, 'south' for low and middle income, '' when unclassified."""
    if income in NORTH:
        return "north"
    if income in SOUTH:
        return "south"
    return ""


def direction_of(origin_income: str, destination_income: str) -> str:
    """Direction class of a movement or partnership from its two income groups."""
    a, b = side_of(origin_income), side_of(destination_income)
    if not a or not b:
        return "unclassified"
    return f"{a[0].upper()}>{b[0].upper()}"


def add_directions(frame: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Add ``direction`` and ``direction_latest`` from the ``<a|b>_income`` and
    ``<a|b>_income_latest`` columns of a table of pairs (flows or partnerships)."""
    for suffix, column in (("income", "direction"), ("income_latest", "direction_latest")):
        frame[column] = [
            direction_of(x, y)
            for x, y in zip(frame[f"{a}_{suffix}"], frame[f"{b}_{suffix}"], strict=True)
        ]
    return frame


REPORT_COLUMNS = ("severity", "row", "article_id", "column", "value", "message", "suggestion")


@dataclass(frozen=True)
class Problem:
    """One line of a load report."""

    severity: str  # "error" (row or file rejected) or "warning" (row kept)
    message: str
    # The row a spreadsheet shows: the header is row 1, the first data row is row 2, and a
    # quoted CSV cell spanning several lines is one row. None for file-level problems.
    row: int | None = None
    column: str | None = None
    value: str | None = None
    suggestion: str | None = None
    code: str | None = None  # a stable name for problems that callers act on
    article_id: str | None = None  # the id in the problem's row, when it has one

    def as_text(self) -> str:
        """One readable line, e.g.
        ``row 4 (id a17), author_countries: unknown country 'Frnace' ...``."""
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
            if self.article_id:
                where[-1] += f" (id {self.article_id})"
        if self.column:
            where.append(self.column)
        head = ", ".join(where)
        text = f"{head}: {self.message}" if head else self.message
        if self.suggestion:
            text += f" - {self.suggestion}"
        return f"{self.severity.upper()} {text}"


@dataclass
class LoadReport:
    """Everything noticed while loading one file: nothing is dropped without a line here."""

    source: str = ""
    n_rows_read: int = 0
    n_rows_loaded: int = 0
    unreadable: bool = False
    problems: list[Problem] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # the file's own column names
    encoding: str = ""  # the text encoding a CSV was read in ("UTF-8", "Mac Roman")

    def add(self, severity: str, message: str, **where) -> None:
        """Record a problem."""
        self.problems.append(Problem(severity, message, **where))

    @property
    def errors(self) -> list[Problem]:
        """Problems that rejected a row or the file."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that kept the row."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def rejected_rows(self) -> list[int]:
        """Sorted spreadsheet-row numbers rejected by an error."""
        return sorted({p.row for p in self.errors if p.row is not None})

    def name_articles(self, ids: pd.Series, start: int = 0) -> None:
        """Give problems from ``start`` on that name a row the article id in that row
        (``ids``: the id cell of each row, indexed by spreadsheet row)."""
        if not any(p.row is not None for p in self.problems[start:]):
            return
        by_row = ids.to_dict()
        for i in range(start, len(self.problems)):
            p = self.problems[i]
            article_id = str(by_row.get(p.row, "")).strip()[:200] if p.row is not None else ""
            if article_id and p.article_id is None:
                self.problems[i] = replace(p, article_id=article_id)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (severity, row, article_id, column, value, message,
        suggestion)."""
        cols = list(REPORT_COLUMNS)
        return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in self.problems], columns=cols)

    def to_dict(self) -> dict:
        """JSON-ready form of the report."""
        return {
            "source": self.source,
            "n_rows_read": self.n_rows_read,
            "n_rows_loaded": self.n_rows_loaded,
            "n_rows_rejected": len(self.rejected_rows),
            "unreadable": self.unreadable,
            "encoding": self.encoding,
            "n_errors": len(self.errors),
            "n_warnings": len(self.warnings),
            "problems": self.to_frame()
            .astype(object)
            .where(lambda f: f.notna(), None)
            .to_dict(orient="records"),
        }

    def summary(self) -> str:
        """One sentence: rows read, loaded, rejected, errors, warnings."""
        if self.unreadable:
            return f"{self.source}: file could not be read"
        read_as = f"; read as {self.encoding}" if self.encoding not in ("", "UTF-8") else ""
        return (
            f"{self.n_rows_read} rows read, {self.n_rows_loaded} loaded, "
            f"{len(self.rejected_rows)} rejected; {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings{read_as}"
        )

    def to_text(self) -> str:
        """The summary followed by every problem, one per line."""
        return "\n".join([self.summary(), *(p.as_text() for p in self.problems)])


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass(frozen=True)
class EvidenceBase:
    """The loaded evidence: tidy tables plus where they came from."""

    articles: pd.DataFrame
    article_countries: pd.DataFrame
    article_codes: pd.DataFrame
    flows: pd.DataFrame
    partnerships: pd.DataFrame
    report: LoadReport = field(default_factory=LoadReport)
    source: str = ""
    version: str = ""  # short content hash of the source file

    @property
    def n_articles(self) -> int:
        """Number of articles."""
        return len(self.articles)

    @property
    def synthetic(self) -> bool:
        """True when any record is synthetic (demo data)."""
        return bool(len(self.articles)) and bool(self.articles["synthetic"].any())

    @classmethod
    def empty(cls) -> EvidenceBase:
        """An evidence base with no articles and all columns present."""
        return cls(
            _empty(ARTICLE_COLUMNS),
            _empty(ARTICLE_COUNTRY_COLUMNS),
            _empty(ARTICLE_CODE_COLUMNS),
            _empty(FLOW_COLUMNS),
            _empty(PARTNERSHIP_COLUMNS),
        )

    def subset(self, article_ids) -> EvidenceBase:
        """The same evidence restricted to the given article ids (order of ``articles`` kept)."""
        ids = pd.Index(article_ids)

        def keep(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["article_id"].isin(ids)]

        return EvidenceBase(
            keep(self.articles),
            keep(self.article_countries),
            keep(self.article_codes),
            keep(self.flows),
            keep(self.partnerships),
            self.report,
            self.source,
            self.version,
        )
