"""Every CSV and XLSX the app and the command line write goes through evidence.safe_table:
no other module writes a table itself, every table route and CLI command hands out
neutralised cells for hostile data, and numbers stay numbers.

LibreOffice Calc opening these files for real: tests/e2e/test_office_files.py.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import create_app
from cli import main
from evidence import safe_table
from evidence.safe_table import (
    is_formula_like,
    neutralise_formulas,
    neutralise_text,
    sheet_name,
    write_csv,
    write_xlsx,
)
from evidence.views import VIEWS
from tests.hostile import HOSTILE_NAME, HYPERLINK, hostile_csv

ROOT = Path(__file__).resolve().parents[2]
# Anything that writes a CSV or an XLSX file. Only evidence/safe_table.py may.
WRITES_TABLES = re.compile(
    r"\.to_csv\(|\.to_excel\(|\bcsv\.(?:writer|DictWriter)\b|ExcelWriter|Workbook\("
    r"|^\s*(?:import|from)\s+(?:openpyxl|xlsxwriter)\b|\b(?:openpyxl|xlsxwriter)\.\w"
)
# Every route that hands out a table; a new one must be added here and below.
TABLE_ROUTES = {"/upload/report.csv", "/upload/template.csv", "/data/<what>.<fmt>"}


@pytest.mark.parametrize(
    ("text", "risky"),
    [
        ("=1+1", True), ("+1+1", True), ("-1+1", True), ("@SUM(A1)", True),
        (HYPERLINK, True), (" =1+1", True), ("\u00a0\u3000=1+1", True), ("\t=1+1", True),
        ("\tTab", True), ("\rCR", True), ("\nLF", True), ("\uff1d1+1", True), ("-", True),
        ("- bullet", True), ("-5%", True), ("-2+3", True), ("=", True),
        ("-5", False), ("+3", False), ("-1.5e3", False), (" -0.25 ", False), ("\t-3", False),
        ("", False), ("a=1", False), ("Title", False), ("10.1000/x", False), ("2010", False),
        ("'=1+1", False),
    ],
)  # fmt: skip
def test_formula_like_text(text, risky):
    assert is_formula_like(text) is risky
    assert neutralise_text(text) == ("'" + text if risky else text)


@given(st.text(max_size=12))
def test_the_quick_screen_never_misses_a_formula(text):
    if is_formula_like(text):
        assert safe_table._SCREEN.match(text)
    assert not is_formula_like(neutralise_text(text))


def test_numbers_stay_numbers_and_only_text_is_prefixed():
    frame = pd.DataFrame(
        {
            "=name": ["=1+1", " @x", "-5", None],
            "count": [1, -2, 3, 4],
            "share": [0.5, -0.25, float("nan"), 1.0],
            "mixed": pd.Series([-7, "-x", 2.5, None], dtype=object),
        }
    )
    safe = neutralise_formulas(frame)
    assert list(safe.columns) == ["'=name", "count", "share", "mixed"]
    assert safe["'=name"].tolist()[:3] == ["'=1+1", "' @x", "-5"]
    assert safe["count"].tolist() == [1, -2, 3, 4] and safe["count"].dtype == frame["count"].dtype
    assert safe["mixed"].tolist()[:3] == [-7, "'-x", 2.5]
    assert frame["=name"][0] == "=1+1"  # the input is not changed
    text = write_csv(frame).decode("utf-8-sig")
    assert text.splitlines()[2] == "' @x,-2,-0.25,'-x"
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx({"t": frame})))
    rows = list(book["t"].iter_rows(values_only=True))
    assert rows[0] == ("'=name", "count", "share", "mixed")
    assert rows[2] == ("' @x", -2, -0.25, "'-x")
    assert rows[1][3] == -7 and isinstance(rows[1][3], int)
    assert all(c.data_type != "f" for row in book["t"].iter_rows() for c in row)


def test_xlsx_sheet_names_and_unwritable_characters():
    frame = pd.DataFrame({"a": ["ok\x01=1+1", "\x02"]})
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx({"a/b[1]?": frame, "A/B[1]?": frame})))
    assert book.sheetnames[0] == "a_b_1__" and len(set(map(str.lower, book.sheetnames))) == 2
    assert book.worksheets[0]["A2"].value == "ok\ufffd=1+1"
    assert sheet_name("'x" * 40)[:1] != "'" and len(sheet_name("x" * 40)) == 31


def test_no_module_writes_a_table_but_the_safe_writer():
    """A new CSV or XLSX writer in the app or the command line must use
    evidence.safe_table (write_csv / write_csv_rows / write_xlsx)."""
    sources = [*ROOT.joinpath("evidence").rglob("*.py"), *ROOT.joinpath("components").rglob("*.py"),
               ROOT / "cli.py", ROOT / "app.py"]  # fmt: skip
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sources
        # the writer itself, and the upload reader (read-only workbooks)
        if path not in (ROOT / "evidence" / "safe_table.py", ROOT / "evidence" / "xlsx_reader.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WRITES_TABLES.search(line)
    ]
    assert len(sources) > 20
    assert found == [], "write tables with evidence.safe_table:\n" + "\n".join(found)


@pytest.fixture
def hostile_client(tmp_path, monkeypatch):
    """A session that uploaded the hostile file through the real /upload route, with a
    hostile row in the coding template too."""
    from evidence import upload as upload_module

    example = dict(upload_module._EXAMPLES[0], id="=1+1", title=HYPERLINK, authors=" -1+1")
    monkeypatch.setattr(upload_module, "_EXAMPLES", (*upload_module._EXAMPLES, example))
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    app = create_app()
    client = app.server.test_client()
    answer = client.post(
        "/upload",
        data={"file": (io.BytesIO(hostile_csv()), HOSTILE_NAME)},
        headers={"X-IoME-Upload": "1"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200 and answer.json["articles"] == 3
    client.rules = {r.rule for r in app.server.url_map.iter_rules()}
    # the page goes to the upload's link: its data routes name the upload, as its links do
    client.dataset = answer.json["link"].split("dataset=", 1)[1]
    return client


def cells_of(content: bytes, fmt: str) -> list:
    """Every cell (header included) of a CSV or of every sheet of an XLSX file."""
    if fmt == "csv":
        return [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells), "a cell is a formula"
    assert all(c.hyperlink is None for c in cells), "a cell is a link"
    return [c.value for c in cells]


def assert_safe(cells: list, where: str) -> None:
    risky = [c for c in cells if isinstance(c, str) and is_formula_like(c)]
    assert risky == [], f"{where}: formula-like cells {risky}"


def test_every_table_route_is_known_and_safe_for_hostile_data(hostile_client):
    client = hostile_client
    table_rules = {r for r in client.rules if r.endswith((".csv", ".xlsx", ".<fmt>"))}
    assert table_rules - {"/export/<view>.<fmt>", "/slide/<view>.<fmt>"} == TABLE_ROUTES
    assert client.get("/export/trends.csv").status_code == 400  # pictures and decks only
    assert client.get("/slide/trends.csv").status_code in (400, 503)  # slide pictures only

    report = cells_of(client.get("/upload/report.csv").data, "csv")
    assert_safe(report, "report.csv")
    assert "'" + HOSTILE_NAME in report and "'=1+1" in report and "'" + HYPERLINK in report

    template = client.get("/upload/template.csv").data
    assert_safe(cells_of(template, "csv"), "template.csv")
    assert f"'{HYPERLINK}" in cells_of(template, "csv")

    for what in ("articles", "gaps", "load-report", *VIEWS):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/data/{what}.{fmt}?dataset={client.dataset}")
            assert response.status_code == 200, (what, fmt)
            cells = cells_of(response.data, fmt)
            assert_safe(cells, f"{what}.{fmt}")
            if what == "articles":
                assert {"'=1+1", "'" + HYPERLINK, "'-1+1", "'+1+1", "'@SUM(1+1)"} <= set(cells)
                assert "-5" in cells or -5 in cells  # a number stays a number
            if fmt == "xlsx":
                assert f"'{HOSTILE_NAME} (version" in " ".join(map(str, cells))  # About sheet


def test_cli_tables_and_template_are_safe(tmp_path, monkeypatch):
    from evidence import upload as upload_module

    data = tmp_path / "hostile.csv"
    data.write_bytes(hostile_csv())
    for what in ("articles", "gaps", "trends"):
        for fmt in ("csv", "xlsx"):
            out = tmp_path / f"{what}.{fmt}"
            args = ["export", what, "--format", fmt, "--data", str(data), "--out", str(out)]
            assert main(args) == 0
            cells = cells_of(out.read_bytes(), fmt)
            assert_safe(cells, out.name)
            if what == "articles":
                assert "'=1+1" in cells and (2010 in cells or "2010" in cells)
    example = dict(upload_module._EXAMPLES[0], title="=1+1", journal=HYPERLINK)
    monkeypatch.setattr(upload_module, "_EXAMPLES", (example,))
    out = tmp_path / "template.csv"
    assert main(["template", "--out", str(out)]) == 0
    cells = cells_of(out.read_bytes(), "csv")
    assert_safe(cells, "template")
    assert "'=1+1" in cells
