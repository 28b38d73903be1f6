"""Cells that defeat a naive CSV writer (issue 24): a bare CR before a formula, a DDE
payload, separators of other locales. Every CSV the app hands out is opened by real
LibreOffice with comma, semicolon and tab import, and no cell may become a formula."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from app import create_app
from tests.e2e.test_office_files import SOFFICE, soffice

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (no soffice)"),
]

TITLES = ["x\r=3+3", "=cmd|' /C calc'!A0", "x;=1+1;", "y\t=2+2", "z\r\n@SUM(1+1)"]
SEPARATORS = {"comma": 44, "semicolon": 59, "tab": 9}


def hostile_upload() -> bytes:
    rows = [
        {"id": f"c{i}", "title": title, "year": 2010 + i, "author_countries": "USA",
         "formats": "mobility.outbound"}
        for i, title in enumerate(TITLES)
    ]  # fmt: skip
    rows.append({**rows[0], "id": "bad", "year": "x\r=5+5"})  # rejected: echoed in the report
    return pd.DataFrame(rows).to_csv(index=False, quoting=csv.QUOTE_ALL).encode()


def formulas(path) -> list[str]:
    """Every cell LibreOffice made a formula, in any sheet of the converted workbook."""
    book = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in book for row in ws.iter_rows()
            for c in row if c.data_type == "f"]  # fmt: skip


def test_no_csv_the_app_writes_becomes_a_formula_with_any_separator(tmp_path, monkeypatch):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    client = create_app().server.test_client()
    answer = client.post(
        "/upload", data={"file": (io.BytesIO(hostile_upload()), "h.csv")},
        headers={"X-IoME-Upload": "1"}, content_type="multipart/form-data",
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json["articles"] == len(TITLES)
    files = tmp_path / "files"
    files.mkdir()
    key = answer.json["link"].split("?", 1)[1]  # the upload's links name it
    (files / "articles.csv").write_bytes(client.get(f"/data/articles.csv?{key}").data)
    with zipfile.ZipFile(io.BytesIO(client.get(f"/data/articles.zip?{key}").data)) as bundle:
        (name,) = [n for n in bundle.namelist() if n.endswith(".csv")]
        (files / "zipped.csv").write_bytes(bundle.read(name))
    report = client.get("/upload/report.csv").data
    assert b"=5+5" in report
    (files / "report.csv").write_bytes(report)
    control = pd.DataFrame({"title": TITLES}).to_csv(index=False, lineterminator="\n")
    (files / "control.csv").write_text(control)  # the same cells, written the naive way
    csvs = sorted(files.glob("*.csv"))
    found, control_found = {}, []
    for label, code in SEPARATORS.items():
        out = soffice(tmp_path / label, "xlsx", csvs, infilter=f"CSV:{code},34,76,1")
        for path in csvs:
            cells = formulas(out / f"{path.stem}.xlsx")
            if path.stem == "control":
                control_found += cells
            elif cells:
                found[f"{path.name} ({label})"] = cells
    assert control_found, "LibreOffice computed none of the naive file: the check proves nothing"
    assert found == {}
