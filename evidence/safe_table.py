"""The one writer of table files: every CSV and XLSX the app or the command line produces.

A spreadsheet reads a text cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula: an uploaded title ``=HYPERLINK("http://evil.example","x")`` would become a live
link in a downloaded file, and ``=1+1`` would show ``2``. LibreOffice Calc evaluates
them on opening a CSV; some programs also after leading spaces, a tab or a line break.
:func:`write_csv` and :func:`write_xlsx` put an apostrophe before such text cells and
column names (:func:`neutralise_formulas`), so Excel, LibreOffice and Google Sheets all
show the text as written, apostrophe included; sheet names are made valid.

Numbers stay numbers: numeric cells are never touched, and a text cell that is just a
number (``-5``, ``+1.5e3``) is left as it is, since a spreadsheet reading it as that
number computes nothing.

``tests/unit/test_safe_tables.py`` fails if any other module of the app or the command
line writes CSV or XLSX itself.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping

import pandas as pd

_FORMULA_START = tuple("=+-@\uff1d\uff0b\uff0d\uff20")  # and their full-width forms
_CONTROL_START = ("\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SCREEN = re.compile(r"[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20]")  # may be formula-like
# Characters an XLSX file cannot hold (openpyxl refuses them): C0 controls but tab and
# line breaks.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula.

    That is: it starts with = + - @ (or a full-width form), possibly after whitespace,
    or with a tab or line break; a plain number such as ``-5`` is not formula-like.
    """
    stripped = text.strip()
    if not (text.startswith(_CONTROL_START) or stripped[:1] in _FORMULA_START):
        return False
    return _NUMBER.fullmatch(stripped) is None


def neutralise_text(value):
    """``value`` with an apostrophe in front when it is formula-like text; else unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def _xlsx_text(value):
    """:func:`neutralise_text`, with characters a workbook cannot hold replaced."""
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("\ufffd", value)
    return neutralise_text(value)


def _cleaned(frame: pd.DataFrame, clean, also: re.Pattern | None = None) -> pd.DataFrame:
    """``frame`` with ``clean`` applied to its column names and to every text cell that
    could need it: those starting like a formula (a quick screen, then the exact rule),
    or matching ``also``."""
    out = frame.copy()
    out.columns = [clean(c) for c in out.columns]
    for i in range(out.shape[1]):
        series = out.iloc[:, i]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
            continue
        values = series.to_numpy(dtype=object, na_value=None)
        suspects = [
            v
            for v in pd.unique(values)  # a column repeats its values: screen each once
            if isinstance(v, str) and (_SCREEN.match(v) or (also is not None and also.search(v)))
        ]
        if suspects:
            rows = pd.Index(values).isin(suspects)
            values = values.copy()
            values[rows] = [clean(v) for v in values[rows]]
            out.isetitem(i, pd.Series(values, index=series.index, dtype=series.dtype))
    return out


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose formula-like text cells and column names start with an
    apostrophe; numeric columns and non-text cells are left as they are."""
    return _cleaned(frame, neutralise_text)


_LINE_BREAK = re.compile(r"\r\n?")
# A cell holding any of these is quoted, whichever separator the reader picks: Excel and
# LibreOffice import with ",", ";" or tab depending on the locale, and split a row at a
# bare CR as well as at LF.
_NEEDS_QUOTES = r'[,;\t"\r\n]'


_SEPARATED = re.compile(r"([\n;\t])([^\n;\t]*)")  # a piece after a line break or separator
_MAY_SPLIT = re.compile(r"[\r\n;\t]")


def _csv_text(value):
    """A text cell made safe for a CSV, whatever separator it is imported with.

    Line breaks become LF; then a formula-like cell gets its apostrophe; then so does
    every piece after a line break, ``;`` or tab that is formula-like (quotes and spaces
    before it ignored). Quoting keeps a cell whole only when the reader splits on the
    separator the file was written with: a file written with "," but imported with ";"
    or tab (Excel's default in many locales) is split at those, and at any line break,
    quotes or not, and each piece is read as a cell of its own.
    """
    if not isinstance(value, str):
        return value
    value = neutralise_text(_LINE_BREAK.sub("\n", value))

    def piece(match: re.Match) -> str:
        split, rest = match.groups()
        bare = rest.lstrip('" ')
        return split + ("'" + rest if bare and is_formula_like(bare) else rest)

    return _SEPARATED.sub(piece, value)


def _quoted(values: pd.Series) -> list[str]:
    """Each value as CSV text: empty for missing, quoted (quotes doubled) when it holds a
    separator of any locale, a quote or a line break."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    needs = text.str.contains(_NEEDS_QUOTES, regex=True)
    if needs.any():
        text = text.where(~needs, '"' + text.str.replace('"', '""', regex=False) + '"')
    return text.tolist()


def write_csv(frame: pd.DataFrame, *, bom: bool = True, lineterminator: str = "\n") -> bytes:
    """UTF-8 CSV bytes of ``frame`` (no index): the one CSV writer of the app.

    Text cells and column names go through :func:`_csv_text` (line breaks made LF, then
    formula-like text and pieces neutralised); then every one holding ``,`` ``;`` a tab, a
    quote or a line break is quoted. No spreadsheet importing the file with ``,``, ``;``
    or tab computes a cell (tests/e2e/test_csv_injection.py, LibreOffice).
    ``bom`` (the default) makes Excel read the file as UTF-8.
    """
    safe = _cleaned(frame, _csv_text, also=_MAY_SPLIT)
    header = _quoted(pd.Series([str(c) for c in safe.columns], dtype=object))
    columns = [_quoted(safe.iloc[:, i]) for i in range(safe.shape[1])]
    lines = [",".join(header), *(",".join(row) for row in zip(*columns, strict=True))]
    text = lineterminator.join(lines) + lineterminator
    return text.encode("utf-8-sig" if bom else "utf-8")


def write_csv_rows(header: Iterable[str], rows: Iterable[Mapping], **options) -> bytes:
    """:func:`write_csv` of records (mappings keyed by the header's names)."""
    columns = list(header)
    records = [{c: row.get(c, "") for c in columns} for row in rows]
    return write_csv(pd.DataFrame(records, columns=columns, dtype=object), **options)


def sheet_name(name: str) -> str:
    """A valid worksheet name: no [ ] : * ? / \\ or control character, no apostrophe at
    either end, at most 31 characters."""
    clean = _SHEET_ILLEGAL.sub("_", _XML_ILLEGAL.sub("", str(name))).strip("'")[:31]
    return clean.strip("'") or "Sheet"


def write_xlsx(sheets: Mapping[str, pd.DataFrame], style=None) -> bytes:
    """XLSX bytes with one worksheet per ``{name: frame}`` (no index), formula-like text
    neutralised and characters a workbook cannot hold replaced by U+FFFD; ``style(sheet,
    frame)``, when given, lays out each worksheet (column widths, a frozen header)."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            title = sheet_name(name)
            while title.lower() in used:
                title = f"{title[:28]}_{len(used)}"
            used.add(title.lower())
            safe = _cleaned(frame, _xlsx_text, also=_XML_ILLEGAL)
            safe.to_excel(writer, sheet_name=title, index=False)
            if style is not None:
                style(writer.sheets[title], safe)
    return buffer.getvalue()


XLSX_MAX_WIDTH = 60  # characters: a longer cell shows its start (the whole in the cell)
XLSX_SAMPLE_ROWS = 1000  # rows read to fit a column's width


def fit_sheet(sheet, frame: pd.DataFrame) -> None:
    """A worksheet laid out to be read: the header row frozen, each column as wide as its
    header and its longest value (of the first XLSX_SAMPLE_ROWS rows), at most
    XLSX_MAX_WIDTH characters, so no header is cut when it opens in Calc or Excel."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    sample = frame.head(XLSX_SAMPLE_ROWS)
    for k, column in enumerate(frame.columns, start=1):
        values = sample[column].dropna().astype(str).str.len()
        longest = max(len(str(column)), int(values.max()) if len(values) else 0)
        sheet.column_dimensions[get_column_letter(k)].width = min(longest + 2, XLSX_MAX_WIDTH)
