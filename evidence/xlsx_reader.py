"""Read the first worksheet of an XLSX upload as a stream of its filled cells, within caps.

Only reads (``read_only`` workbooks); every table file the app writes goes through
:mod:`evidence.safe_table`.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd


class XlsxRefused(ValueError):
    """The workbook is readable but too wide or too large to read; the message says why."""


MAX_COLUMNS = 500  # the contract has 18 columns; far wider tables are refused
MAX_XLSX_CELLS = 3_000_000  # filled cells read from a worksheet (100,000 rows x 30)
MAX_XLSX_TABLE = 10_000_000  # rows x used columns of the table built from them


def read_xlsx(
    content: bytes, max_rows: int | None = None, index_name: str = "sheet_row"
) -> pd.DataFrame:
    """The first worksheet of an XLSX as a table of strings, like :func:`evidence.load.read_table`.

    Streams the sheet's XML row by row and keeps only the cells that hold something, so
    memory follows the cells the file really contains, never the size its ``dimension``
    claims: a header with one cell in column XFD costs one cell, not 16,384 per row.
    Refused (:class:`XlsxRefused`, with a plain reason) as soon as a filled cell lies
    beyond column :data:`MAX_COLUMNS`, or the sheet holds more than
    :data:`MAX_XLSX_CELLS` filled cells. Rows are numbered as the sheet numbers them, so
    rows after any run of blank rows keep their number; with ``max_rows``, reading stops
    at the first non-blank row past the limit.
    """
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        with sheet._get_source() as source:  # the streaming parser needs the source
            parser = WorkSheetParser(
                source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )  # fmt: skip
            rows = _filled_rows(parser.parse(), max_rows)
    finally:
        workbook.close()
    return _sparse_frame(rows, index_name)


def _filled_rows(parsed, max_rows: int | None) -> list[tuple[int, dict[int, str]]]:
    """``(sheet row, {column: text})`` of each non-blank row, header first, within the caps."""
    rows: list[tuple[int, dict[int, str]]] = []
    cells = 0
    for number, row in parsed:
        filled = {}
        for cell in row:
            text = _cell_text(cell)
            if not text.strip():
                continue
            if cell["column"] > MAX_COLUMNS:
                from openpyxl.utils import get_column_letter

                raise XlsxRefused(
                    f"the sheet has a filled cell in column {get_column_letter(cell['column'])} "
                    f"(column {cell['column']:,}, row {number:,}); at most {MAX_COLUMNS} columns "
                    "are read, and the coding contract has 18. Remove the cells far to the "
                    "right (or save the table alone as a new workbook), then upload it again"
                )
            filled[cell["column"]] = text
        if not filled:
            continue
        cells += len(filled)
        if cells > MAX_XLSX_CELLS:
            raise XlsxRefused(
                f"the sheet has more than {MAX_XLSX_CELLS:,} filled cells; file refused"
            )
        rows.append((number, filled))
        if max_rows is not None and len(rows) > max_rows + 1:
            break  # the header and one row past the limit: enough to tell "too many"
    return rows


def _cell_text(cell: dict) -> str:
    """A cell's value as the text pandas' ``read_excel(dtype=str)`` gives it."""
    value = cell.get("value")
    if value is None or cell.get("data_type") == "e":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _sparse_frame(rows: list[tuple[int, dict[int, str]]], index_name: str) -> pd.DataFrame:
    """The table of strings of :func:`read_xlsx`: the first row is the header; only the
    columns with some filled cell are kept; indexed by sheet row."""
    if not rows:
        raise XlsxRefused("the first worksheet is empty")
    (_, header), data = rows[0], rows[1:]
    used = sorted(set(header).union(*(cells for _, cells in data)))
    if len(used) * len(data) > MAX_XLSX_TABLE:
        raise XlsxRefused(
            f"the sheet has {len(data):,} rows and {len(used):,} columns; at most "
            f"{MAX_XLSX_TABLE:,} cells are read. Remove unneeded columns, then upload it again"
        )
    names, seen = [], {}
    for position, column in enumerate(used):
        name = header.get(column) or f"Unnamed: {position}"
        count = seen.get(name, 0)
        seen[name] = count + 1
        names.append(name if not count else f"{name}.{count}")
    columns = {}
    for name, column in zip(names, used, strict=True):
        values = np.full(len(data), "", dtype=object)
        for at, (_, cells) in enumerate(data):
            if column in cells:
                values[at] = cells[column]
        columns[name] = values
    index = pd.Index([number for number, _ in data], name=index_name)
    return pd.DataFrame(columns, index=index, columns=names)
