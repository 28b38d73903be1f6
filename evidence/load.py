"""Read a coded-article file, validate it, harmonise it, and build the tidy tables.

``load(path)`` never raises on bad input: every problem becomes a line of the
:class:`~evidence.model.LoadReport`; rows with errors are rejected and named there,
rows with warnings are kept.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import uuid
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from evidence import countries
from evidence.codebook import Codebook, load_codebook
from evidence.encoding import decode
from evidence.languages import resolve_language
from evidence.model import (
    ARTICLE_CODE_COLUMNS,
    ARTICLE_COLUMNS,
    ARTICLE_COUNTRY_COLUMNS,
    FLOW_COLUMNS,
    PARTNERSHIP_COLUMNS,
    EvidenceBase,
    LoadReport,
    add_directions,
)
from evidence.schema import check_columns, match_columns
from evidence.xlsx_reader import XlsxRefused, read_xlsx

MAX_CELL_CHARS = 20_000
_SPLIT = re.compile(r"\s*;\s*")
_FLOW = re.compile(r"^\s*(.+?)\s*(?:->|>|→)\s*(.+?)\s*$")
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


class UnreadableFile(Exception):
    """The file could not be parsed as CSV or XLSX at all."""


def split_list(cell: str) -> list[str]:
    """Split a ';'-separated cell into its non-empty, stripped items."""
    return [x for x in _SPLIT.split(str(cell).strip()) if x]


SHEET_ROW = "sheet_row"  # index name of a table whose index is each row's spreadsheet row
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))+")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def read_table(
    content: bytes,
    name: str = "",
    bad_lines: list[tuple[int | None, list[str]]] | None = None,
    max_rows: int | None = None,
    *,
    encoding: str | None = None,
    read_as: dict | None = None,
) -> pd.DataFrame:
    """Parse CSV (UTF-8 with or without BOM, comma/semicolon/tab) or XLSX into strings.

    The table's index (named ``sheet_row``) is the row number a spreadsheet shows for each
    row: the header is row 1 (CSV: after any blank lines above it), so the first data row
    is row 2; blank rows count but are left out of the table, and a quoted CSV cell that
    spans several lines is one row. A CSV line with more fields than the header makes the
    file unreadable, unless ``bad_lines`` is given: then such lines are left out and
    appended to it as ``(spreadsheet row, fields)``. With ``max_rows``, parsing stops soon
    after that many non-blank rows plus one (enough to tell "too many"). A CSV is read
    in ``encoding`` when given, else in the one :func:`evidence.encoding.decode` finds;
    ``read_as`` (when given) receives it as ``{"encoding": ..., "guessed": bool}``.
    """
    if content[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        try:
            return read_xlsx(content, max_rows, index_name=SHEET_ROW)
        except XlsxRefused as exc:
            raise UnreadableFile(str(exc)) from exc
        except MemoryError:
            raise
        except Exception as exc:  # a corrupt workbook can make the XLSX reader raise anything
            raise UnreadableFile(f"not a readable XLSX workbook ({exc})") from exc
    head = content[:4096]
    if head.count(b"\x00") > len(head) // 100 and not content.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    ):
        raise UnreadableFile("binary content, not a CSV or XLSX file")
    decoded = decode(content, encoding)
    if read_as is not None:
        read_as.update(encoding=decoded.name, guessed=decoded.guessed)
    text = decoded.text.lstrip("\ufeff")
    if not text.strip():
        raise UnreadableFile("the file is empty")
    blank_top = _LEADING_BLANK_LINES.match(text)
    if blank_top:  # a spreadsheet shows them as empty rows above the header
        text = text[blank_top.end() :]
    header_row = 1 + (len(_NEWLINE.findall(blank_top.group())) if blank_top else 0)
    first_line = text.split("\n", 1)[0]
    sep = max([",", ";", "\t"], key=first_line.count)
    # Blank lines are kept (as empty rows) so that every record has its spreadsheet row.
    options = {"sep": sep, "dtype": str, "keep_default_na": False, "skip_blank_lines": False,
               "quoting": csv.QUOTE_MINIMAL}  # fmt: skip
    left_out = f"\x00left out {uuid.uuid4().hex}"  # no cell of the file can hold this
    set_aside: list[list[str]] = []

    def keep_aside(fields: list[str]) -> list[str]:
        set_aside.append(fields)
        return [left_out]  # a placeholder row, so that the rows after it keep their number

    def read_csv(nrows: int | None) -> pd.DataFrame:
        set_aside.clear()
        try:
            return pd.read_csv(io.StringIO(text), on_bad_lines="error", nrows=nrows, **options)
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            if bad_lines is None:
                raise UnreadableFile(f"not a readable CSV file ({exc})") from exc
            error = exc
        try:
            frame = pd.read_csv(
                io.StringIO(text), engine="python", on_bad_lines=keep_aside, nrows=nrows,
                **options,
            )  # fmt: skip
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            raise UnreadableFile(f"not a readable CSV file ({error})") from exc
        if not isinstance(frame.index, pd.RangeIndex) and len(frame.columns):
            # pandas took the first field(s) as the index (data rows longer than the
            # header): the placeholder is there.
            at = np.flatnonzero(frame.index.get_level_values(0) == left_out)
            frame.iloc[at, 0] = left_out
        return frame

    frame = _numbered(read_csv, header_row, max_rows)
    if set_aside:
        placeholders = frame.iloc[:, 0] == left_out
        rows: list[int | None] = frame.index[placeholders].tolist()
        if len(rows) != len(set_aside):  # not expected; then no row rather than a wrong one
            rows = [None] * len(set_aside)
        bad_lines += zip(rows, set_aside, strict=True)
        frame = frame.loc[~placeholders]
    return frame


def _numbered(read, header_row: int, max_rows: int | None) -> pd.DataFrame:
    """``read(nrows)``'s table of strings, indexed by spreadsheet row, blank rows left out.

    With ``max_rows``, reads stop once more than ``max_rows`` non-blank rows are in (or at
    the end of the file): blank rows do not count towards the limit.
    """
    nrows = None if max_rows is None else max_rows + 1
    while True:
        frame = read(nrows).fillna("").astype(str)
        keep = ~_blank_rows(frame)
        if nrows is None or len(frame) < nrows or int(keep.sum()) > max_rows:
            break
        nrows *= 2  # blank rows took some of the allowance: read further
    first = header_row + 1
    frame.index = pd.RangeIndex(first, first + len(frame), name=SHEET_ROW)
    return frame.loc[keep.to_numpy()]


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    """True for each row whose cells are all empty or white space."""
    if frame.empty:
        return pd.Series(False, index=frame.index)
    return (frame.astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1)


def read_mapping(path: str | Path | None):
    """Read a YAML column mapping: a plain ``{their header: contract column}`` dict, or a
    :class:`evidence.mapping.ColumnMapping` (ids, one column per code, countries from
    text or coordinates, encoding; see evidence/mapping.py)."""
    if path is None:
        return None
    from evidence.mapping import read_column_mapping

    return read_column_mapping(path)


def load(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    mapping: dict[str, str] | None = None,
    max_rows: int | None = None,
) -> EvidenceBase:
    """Load a coded-article file (path or bytes) into an :class:`EvidenceBase` with its report.

    With ``max_rows``, a file with more data rows is refused (an error, nothing loaded)
    after reading only one row past the limit.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "upload")
    report = LoadReport(source=label)
    try:
        content = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        report.unreadable = True
        report.add("error", f"cannot read file: {exc.strerror or exc}")
        return _empty_with(report, label)
    from evidence.mapping import ColumnMapping, is_rich, parse_mapping

    rich = mapping if isinstance(mapping, ColumnMapping) else None
    if rich is None and is_rich(mapping):  # the sections form, as JSON (a browser's mapping)
        try:
            rich = parse_mapping(mapping, "column mapping")
        except ValueError as exc:
            report.add("error", str(exc))
            return _empty_with(report, label)
    digest = hashlib.sha256(content)
    if mapping:  # the same file read with another mapping is another dataset
        digest.update(repr(rich or sorted(mapping.items())).encode())
    book = load_codebook()
    if not book.is_default:  # the same file read under another scheme is another dataset
        digest.update(book.path.encode())
    version = digest.hexdigest()[:16]
    bad_lines: list[tuple[int | None, list[str]]] = []
    try:
        read_as: dict = {}
        raw = read_table(content, label, bad_lines, max_rows=max_rows,
                         encoding=rich.encoding if rich else None, read_as=read_as)  # fmt: skip
        report.encoding = read_as.get("encoding", "")
        if read_as.get("guessed"):
            report.add("warning", f"the file is not UTF-8: read as {report.encoding}, a guess "
                       "from its letters; if names look wrong, save it as UTF-8 or give the "
                       "encoding in a mapping file (encoding: ...)")  # fmt: skip
    except UnreadableFile as exc:
        report.unreadable = True
        report.add("error", str(exc))
        return _empty_with(report, label, version)
    if max_rows is not None and len(raw) + len(bad_lines) > max_rows:
        report.n_rows_read = len(raw) + len(bad_lines)
        report.add("error", f"the file has more than {max_rows:,} rows; file refused")
        return _empty_with(report, label, version)
    for row, fields in bad_lines:
        report.add(
            "error",
            f"a line has {len(fields)} fields but the header has {len(raw.columns)}; "
            "line left out (check for an unquoted separator)",
            row=row,
            value=" | ".join(map(str, fields))[:200],
        )
    if rich is not None:
        headers = [str(c) for c in raw.columns]
        raw, mapping = rich.apply(raw, report), None
    eb = build(raw, report=report, mapping=mapping, source=label, version=version)
    if rich is not None:
        report.headers = headers
    # Rows of the file too, rejected before the checks (one without a number is reported
    # as a line of the file, not counted as a row).
    report.n_rows_read += sum(row is not None for row, _ in bad_lines)
    return eb


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, size: int, codebook: str) -> EvidenceBase:
    return load(path)


def load_cached(path: str | Path) -> EvidenceBase:
    """``load`` once per process per file version (path, modification time, size) and
    codebook in use: the same file read under another scheme is another evidence base
    (its codes, even its rows, differ)."""
    p = Path(path).resolve()
    stat = p.stat()
    return _load_cached(str(p), stat.st_mtime_ns, stat.st_size, load_codebook().path or "")


def _empty_with(report: LoadReport, source: str, version: str = "") -> EvidenceBase:
    eb = EvidenceBase.empty()
    return EvidenceBase(
        eb.articles, eb.article_countries, eb.article_codes, eb.flows, eb.partnerships,
        report, source, version,
    )  # fmt: skip


def build(
    raw: pd.DataFrame,
    *,
    report: LoadReport | None = None,
    mapping: dict[str, str] | None = None,
    source: str = "",
    version: str = "",
) -> EvidenceBase:
    """Validate a raw string table and build the tidy evidence tables.

    Problems name each row by its spreadsheet row number: ``raw``'s index when it is the
    ``sheet_row`` index of :func:`read_table` (whose blank rows are already left out);
    otherwise the header is taken to be row 1 and the rows of ``raw`` to follow it (the
    first is row 2), and blank rows are left out here.
    """
    report = report or LoadReport(source=source)
    if raw.index.name != SHEET_ROW:
        raw = raw.set_axis(pd.RangeIndex(2, len(raw) + 2, name=SHEET_ROW))
        raw = raw.loc[~_blank_rows(raw.fillna(""))]
    report.n_rows_read = len(raw)
    report.headers = [str(c) for c in raw.columns]
    problems_before = len(report.problems)
    errors_before = len(report.errors)
    columns = match_columns([str(c) for c in raw.columns], mapping, report)
    if len(report.errors) > errors_before:
        report.add("error", "file rejected: the coding contract's required columns are missing")
        return _empty_with(report, source, version)
    frame = pd.DataFrame(
        {target: raw[header].fillna("").astype(str) for header, target in columns.items()},
        index=raw.index,
    )
    for col in frame.columns:
        frame[col] = frame[col].str.replace("\x00", "", regex=False).str.strip()
        too_long = frame[col].str.len() > MAX_CELL_CHARS
        for idx in frame.index[too_long]:
            report.add(
                "warning",
                f"cell longer than {MAX_CELL_CHARS} characters; truncated",
                row=int(idx),
                column=col,
            )
        frame.loc[too_long, col] = frame.loc[too_long, col].str.slice(0, MAX_CELL_CHARS)
    for name in ("authors", "journal", "url", "doi", "language", "article_type",
                 "setting_countries", "motivations", "motivation_basis", "mobility_flows",
                 "partnerships", "notes", "synthetic"):  # fmt: skip
        if name not in frame:
            frame[name] = ""
    bad = check_columns(frame, report)
    bad |= _duplicate_ids(frame, report)
    parsed = _RowParser(load_codebook(), report).parse(frame, bad)
    eb = _tidy(parsed, report, source, version)
    report.n_rows_loaded = len(eb.articles)
    report.name_articles(frame["id"], start=problems_before)
    return eb


def _duplicate_ids(frame: pd.DataFrame, report: LoadReport) -> set[int]:
    ids = frame["id"].str.strip()
    dup = ids.duplicated(keep="first") & (ids != "")
    first_row = {v: int(i) for i, v in ids[~ids.duplicated(keep="first")].items()}
    for idx in frame.index[dup]:
        report.add(
            "error",
            f"duplicate id (first used in row {first_row[ids[idx]]}); row rejected",
            row=int(idx),
            column="id",
            value=ids[idx],
        )
    return set(frame.index[dup].tolist())


def _year(cell: str) -> int:
    value = pd.to_numeric(cell, errors="coerce")
    return int(value) if np.isfinite(value) else 0  # NaN, inf ('inf', '1e400') -> 0


def _suggest(text: str, choices: list[str]) -> str | None:
    match = difflib.get_close_matches(text.lower(), choices, n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


class _RowParser:
    """Parses the list-valued cells of every row, recording problems as it goes."""

    def __init__(self, codebook: Codebook, report: LoadReport):
        self.cb = codebook
        self.report = report
        self._choices = {
            dim: sorted(set(codebook.codes_of(dim)) | set(codebook.groups_of(dim)))
            for dim in ("format", "motivation")
        }
        self._types = {k.lower(): k for k in codebook.article_types} | {
            v.lower(): k for k, v in codebook.article_types.items()
        }
        self._types.update({"learning objectives": "learning_objectives",
                            "program description": "program_description",
                            "programme description": "program_description"})  # fmt: skip

    def parse(self, frame: pd.DataFrame, bad: set[int]) -> list[dict]:
        rows = []
        for idx, rec in zip(frame.index, frame.to_dict("records"), strict=True):
            row = int(idx)  # the spreadsheet row
            out = self._parse_row(rec, row)
            if out is None or idx in bad:
                continue
            rows.append(out)
        return rows

    def _warn(self, message: str, row: int, column: str, value: str = "", suggestion=None):
        self.report.add(
            "warning", message, row=row, column=column, value=value[:200] or None,
            suggestion=suggestion,
        )  # fmt: skip

    def _error(self, message: str, row: int, column: str, value: str = "", suggestion=None):
        self.report.add(
            "error", message, row=row, column=column, value=value[:200] or None,
            suggestion=suggestion,
        )  # fmt: skip

    def _codes(self, cell: str, dimension: str, row: int, column: str) -> list[str] | None:
        codes: list[str] = []
        ok = True
        for token in split_list(cell):
            code = self.cb.resolve(dimension, token)
            if code is None:
                ok = False
                self._error(
                    f"unknown {dimension} code '{token}'; row rejected", row, column, token,
                    _suggest(token, self._choices[dimension]),
                )  # fmt: skip
            elif code not in codes:
                codes.append(code)
        return codes if ok else None

    def _countries(self, cell: str, row: int, column: str) -> list[str]:
        result: list[str] = []
        for token in split_list(cell):
            iso3 = self._country(token, row, column)
            if iso3 and iso3 not in result:
                result.append(iso3)
        return result

    def _country(self, token: str, row: int, column: str) -> str | None:
        res = countries.resolve_country(token)
        if res.status == "ok":
            return res.iso3
        if res.status == "unknown":
            self._warn(
                f"unknown country '{token}'; left out of this article's countries",
                row, column, token, res.suggestion,
            )  # fmt: skip
        return None

    def _parse_row(self, rec: dict, row: int) -> dict | None:
        formats = self._codes(rec["formats"], "format", row, "formats")
        motivations = self._codes(rec["motivations"], "motivation", row, "motivations")
        authors = self._countries(rec["author_countries"], row, "author_countries")
        if not authors and rec["author_countries"]:
            self._warn("no recognised author country; the article has no origin", row,
                       "author_countries", rec["author_countries"])  # fmt: skip
        settings = self._countries(rec["setting_countries"], row, "setting_countries")
        flows = self._flows(rec["mobility_flows"], row)
        partnerships = self._partnerships(rec["partnerships"], row)
        if formats is None or motivations is None:
            return None  # rejected, but every other cell was still checked and reported
        return {
            "article_id": rec["id"],
            "row": row,
            "title": rec["title"],
            "year": _year(rec["year"]),
            "authors": rec["authors"],
            "journal": rec["journal"],
            "url": self._url(rec["url"], row),
            "doi": self._doi(rec["doi"], row),
            "notes": rec["notes"],
            "languages": self._languages(rec["language"], row),
            "article_type": self._article_type(rec["article_type"], row),
            "motivation_basis": self._basis(rec["motivation_basis"], row),
            "synthetic": self._bool(rec["synthetic"], row, "synthetic"),
            "authors_iso3": authors,
            "settings_iso3": settings,
            "formats": formats,
            "motivations": motivations,
            "flows": flows,
            "partnerships": partnerships,
        }

    def _url(self, url: str, row: int) -> str:
        if url and not re.match(r"^https?://", url, re.IGNORECASE):
            self._warn("URL is not an http(s) link; not shown as a link", row, "url", url)
            return ""
        return url

    def _doi(self, doi: str, row: int) -> str:
        bare = _DOI.sub("", doi).strip()
        if bare and not re.match(r"^10\.\d{4,9}/\S+$", bare):
            self._warn("not a valid DOI (expected 10.xxxx/...)", row, "doi", doi)
            return ""
        return bare

    def _languages(self, cell: str, row: int) -> list[str]:
        result = []
        for token in split_list(cell):
            code = resolve_language(token)
            if code is None:
                self._warn(f"unknown language '{token}'", row, "language", token)
            elif code not in result:
                result.append(code)
        return result or ["en"]

    def _article_type(self, cell: str, row: int) -> str:
        if not cell:
            return ""
        code = self._types.get(cell.strip().lower().replace("-", " ")) or self._types.get(
            cell.strip().lower()
        )
        if code is None:
            self._warn(f"unknown article type '{cell}'; left uncoded", row, "article_type",
                       cell, _suggest(cell, sorted(self.cb.article_types)))  # fmt: skip
            return ""
        return code

    def _basis(self, cell: str, row: int) -> str:
        value = cell.strip().lower()
        if value in ("", "explicit", "assigned"):
            return value
        self._warn("motivation_basis must be 'explicit' or 'assigned'; left blank", row,
                   "motivation_basis", cell)  # fmt: skip
        return ""

    def _bool(self, cell: str, row: int, column: str) -> bool:
        value = cell.strip().lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self._warn("expected true or false; read as false", row, column, cell)
        return False

    def _flows(self, cell: str, row: int) -> list[tuple[str, str]]:
        flows = []
        for token in split_list(cell):
            m = _FLOW.match(token)
            if not m:
                self._warn("a mobility flow must read ORIGIN>DESTINATION; ignored", row,
                           "mobility_flows", token)  # fmt: skip
                continue
            a = self._country(m.group(1), row, "mobility_flows")
            b = self._country(m.group(2), row, "mobility_flows")
            if a and b:
                flows.append((a, b))
            elif not (a or b) or (a is None) != (b is None):
                self._warn("flow left out: both ends must be known countries", row,
                           "mobility_flows", token)  # fmt: skip
        return flows

    def _partnerships(self, cell: str, row: int) -> list[list[str]]:
        result = []
        for token in split_list(cell):
            members = []
            for part in token.split("+"):
                if part.strip():
                    iso3 = self._country(part.strip(), row, "partnerships")
                    if iso3 and iso3 not in members:
                        members.append(iso3)
            if len(members) < 2:
                self._warn("a partnership needs at least two known countries; ignored", row,
                           "partnerships", token)  # fmt: skip
                continue
            result.append(members)
        return result


def _tidy(rows: list[dict], report: LoadReport, source: str, version: str) -> EvidenceBase:
    if not rows:
        return _empty_with(report, source, version)
    ids = [r["article_id"] for r in rows]
    years = pd.Series([r["year"] for r in rows], index=ids)

    country_rows = []
    for r in rows:
        aid = r["article_id"]
        if r["authors_iso3"]:
            country_rows.append((aid, r["authors_iso3"][0], "origin"))
        country_rows += [(aid, c, "author") for c in r["authors_iso3"]]
        country_rows += [(aid, c, "setting") for c in r["settings_iso3"]]
    ac = pd.DataFrame(country_rows, columns=["article_id", "iso3", "role"])
    ac_years = years.reindex(ac["article_id"]).to_numpy()
    ac["income"] = countries.income_at_year(ac["iso3"], pd.Series(ac_years, index=ac.index))
    ac["income_latest"] = countries.income_latest(ac["iso3"])
    ac["region"] = countries.region_of(ac["iso3"])
    ac = ac[ARTICLE_COUNTRY_COLUMNS].reset_index(drop=True)

    cb = load_codebook()
    code_rows = []
    for r in rows:
        aid = r["article_id"]
        code_rows += [(aid, "format", cb.codes[c].group, c, False) for c in r["formats"]]
        code_rows += [
            (aid, "motivation", cb.codes[c].group, c, i == 0)
            for i, c in enumerate(r["motivations"])
        ]
    codes = pd.DataFrame(code_rows, columns=ARTICLE_CODE_COLUMNS)

    flows = _pair_table(
        [(r["article_id"], i, a, b) for r in rows for i, (a, b) in enumerate(r["flows"])],
        ["article_id", "flow_index", "origin", "destination"],
        years,
    )
    kind_codes = set(cb.flow_codes("mobility"))  # none: the scheme has no kinds of movement
    kinds = {r["article_id"]: ";".join(c for c in r["formats"] if c in kind_codes)
             for r in rows}  # fmt: skip
    flows["kinds"] = flows["article_id"].map(kinds).astype(object).fillna("")
    flows = flows[FLOW_COLUMNS]

    partner_rows = [
        (r["article_id"], i, members[0], other, len(members))
        for r in rows
        for i, members in enumerate(r["partnerships"])
        for other in members[1:]
    ]
    partners = pd.DataFrame(
        partner_rows, columns=["article_id", "partnership_index", "lead", "partner", "n_partners"]
    )
    partners = _classify_pairs(partners, "lead", "partner", years)[PARTNERSHIP_COLUMNS]
    _check_partnership_codes(rows, partners, report)

    origin = ac[ac["role"] == "origin"].set_index("article_id")
    arts = pd.DataFrame(
        {
            "article_id": ids,
            "row": [r["row"] for r in rows],
            "title": [r["title"] for r in rows],
            "year": years.to_numpy(dtype=int),
            **{k: [r[k] for r in rows] for k in ("authors", "journal", "url", "doi", "notes")},
            "language": [r["languages"][0] for r in rows],
            "languages": [";".join(r["languages"]) for r in rows],
            "article_type": [r["article_type"] for r in rows],
            "motivation_basis": [r["motivation_basis"] for r in rows],
            "synthetic": np.array([r["synthetic"] for r in rows], dtype=bool),
            "primary_motivation": [r["motivations"][0] if r["motivations"] else "" for r in rows],
            "formats": [";".join(r["formats"]) for r in rows],
            "motivations": [";".join(r["motivations"]) for r in rows],
            "author_countries": [";".join(r["authors_iso3"]) for r in rows],
            "setting_countries": [";".join(r["settings_iso3"]) for r in rows],
        }
    )
    origin_columns = {
        "origin": "iso3",
        "origin_income": "income",
        "origin_income_latest": "income_latest",
        "origin_region": "region",
    }
    for col, src in origin_columns.items():
        arts[col] = arts["article_id"].map(origin[src]).astype(object).fillna("")
    arts = arts[ARTICLE_COLUMNS]
    return EvidenceBase(arts, ac, codes, flows, partners, report, source, version)


def _pair_table(records: list[tuple], columns: list[str], years: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=columns)
    return _classify_pairs(frame, columns[2], columns[3], years)


def _classify_pairs(frame: pd.DataFrame, a: str, b: str, years: pd.Series) -> pd.DataFrame:
    """Add income groups of both ends (at year and latest) and the direction classes."""
    yr = pd.Series(years.reindex(frame["article_id"]).to_numpy(), index=frame.index)
    for end in (a, b):
        frame[f"{end}_income"] = countries.income_at_year(frame[end], yr)
        frame[f"{end}_income_latest"] = countries.income_latest(frame[end])
    return add_directions(frame, a, b)


def _check_partnership_codes(rows: list[dict], partners: pd.DataFrame, report: LoadReport):
    """Warn when a coded partnership direction has no partner pair of that direction."""
    found = partners.groupby("article_id")["direction"].agg(set).to_dict()
    cb = load_codebook()
    for r in rows:
        if not r["partnerships"]:
            continue
        directions = found.get(r["article_id"], set())
        for code in r["formats"]:
            expected = cb.partnership_directions.get(code)
            if expected and not (expected & directions) and "unclassified" not in directions:
                report.add(
                    "warning",
                    f"coded '{code}' but no listed partnership has that direction "
                    f"(found: {', '.join(sorted(directions)) or 'none'})",
                    row=r["row"],
                    column="partnerships",
                )
