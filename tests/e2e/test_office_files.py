"""The files the app writes, opened by real LibreOffice (headless): Calc evaluates no cell
of any table written from hostile data, and Impress lays the slide deck out whole.

Calc evaluates formulas when it opens a CSV (``=1+1`` shows ``2``, ``=HYPERLINK(...)``
becomes a link): a control file written without the safe writer proves it does here, so
the checks on the real files mean something. Each file is converted to CSV by Calc and
compared cell by cell with what was written: text must come back as the same text.

Needs ``soffice`` (apt-get install libreoffice-calc libreoffice-impress) and, for the
deck, ``pdftotext`` (poppler-utils); skipped with that reason when they are missing.
"""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from app import create_app
from evidence import DEMO_PATH
from evidence.export import deck_takeaways, export_deck
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import EXPORT_VIEWS, describe_filters
from tests.hostile import HYPERLINK, LONG_QUERY, hostile_csv

SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice is not installed (no soffice on PATH): "
        "apt-get install libreoffice-calc libreoffice-impress",
    ),
]

# Calc's CSV filter: comma, double quote, UTF-8, from line 1; the last token (-1) writes
# every sheet of a workbook to its own file, <name>-<sheet>.csv.
CSV_FILTER = "Text - txt - csv (StarCalc):44,34,76,1"
CSV_ALL_SHEETS = CSV_FILTER + ",,0,false,true,false,false,false,-1"
ERRORS = re.compile(r"^(#NAME\?|#VALUE!|#REF!|#N/A|#DIV/0!|Err:\d+)$")


def soffice(tmp: Path, convert_to: str, files: list[Path], infilter: str | None = None) -> Path:
    """Convert ``files`` headless with a private profile (parallel runs do not clash)."""
    out = tmp / "converted"
    command = [SOFFICE, f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless",
               "--norestore", "--convert-to", convert_to, "--outdir", str(out)]  # fmt: skip
    if infilter:
        command.insert(-4, f"--infilter={infilter}")
    done = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    return out


def grid_of_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def grids_of_xlsx(content: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def same_cell(written, shown: str) -> bool:
    """Calc showed the written value: the same text, the same number or boolean."""
    if written is None:
        written = ""
    if isinstance(written, bool) or str(written).lower() in ("true", "false"):
        return shown.upper() == str(written).upper()
    if str(written) == shown:
        return True
    a, b = _number(written), _number(shown)
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def assert_shown_as_written(written: list[list], shown: list[list[str]], where: str) -> None:
    assert len(shown) == len(written), where
    for r, (row_w, row_s) in enumerate(zip(written, shown, strict=True)):
        row_s = row_s + [""] * (len(row_w) - len(row_s))
        for c, (w, s) in enumerate(zip(row_w, row_s, strict=True)):
            assert not ERRORS.match(s), f"{where} row {r + 1} col {c + 1}: error {s!r}"
            assert same_cell(w, s), f"{where} row {r + 1} col {c + 1}: {w!r} became {s!r}"


@pytest.fixture
def written(tmp_path, monkeypatch) -> dict[str, bytes]:
    """Every table writer's output for hostile data, through the app's own routes."""
    from evidence import upload as upload_module

    example = dict(upload_module._EXAMPLES[0], id="=1+1", title=HYPERLINK, authors=" -1+1")
    monkeypatch.setattr(upload_module, "_EXAMPLES", (*upload_module._EXAMPLES, example))
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    client = create_app().server.test_client()
    answer = client.post(
        "/upload",
        data={"file": (io.BytesIO(hostile_csv()), "=1+1.csv")},
        headers={"X-IoME-Upload": "1"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200 and answer.json["articles"] == 3
    files = {
        "report.csv": "/upload/report.csv",
        "template.csv": "/upload/template.csv",
        "articles.csv": "/data/articles.csv",
        "articles_book.xlsx": "/data/articles.xlsx",
        "gaps.csv": "/data/gaps.csv",
        "alignment.csv": "/data/alignment.csv",
        "alignment_book.xlsx": "/data/alignment.xlsx",
        "trends.csv": "/data/trends.csv",
        "load-report.csv": "/data/load-report.csv",
    }
    out = {}
    for name, url in files.items():
        key = answer.json["link"].split("?", 1)[1]  # the upload's links name it
        response = client.get(f"{url}?{key}")
        assert response.status_code == 200, url
        out[name] = response.data
    return out


def test_calc_evaluates_no_cell_of_any_table_the_app_writes(tmp_path, written):
    folder = tmp_path / "files"
    folder.mkdir()
    for name, content in written.items():
        (folder / name).write_bytes(content)
    control = folder / "control.csv"  # the same hostile cells, written the unsafe way
    pd.DataFrame({"title": ["=1+1", HYPERLINK], "n": [1, -5]}).to_csv(control, index=False)
    csvs = sorted(folder.glob("*.csv"))
    out = soffice(tmp_path, f"csv:{CSV_ALL_SHEETS}", csvs, infilter=CSV_FILTER)
    soffice(tmp_path, f"csv:{CSV_ALL_SHEETS}", sorted(folder.glob("*.xlsx")))

    def shown(stem: str, sheet: str) -> list[list[str]]:
        return grid_of_csv((out / f"{stem}-{sheet}.csv").read_bytes())

    assert shown("control", "control")[1:] == [["2", "1"], ["x", "-5"]], (
        "Calc did not evaluate the control file: this check would prove nothing"
    )
    checked = 0
    for name, content in written.items():
        stem = name.rsplit(".", 1)[0]
        if name.endswith(".csv"):
            assert_shown_as_written(grid_of_csv(content), shown(stem, stem), name)
            checked += 1
        else:
            for sheet, grid in grids_of_xlsx(content).items():
                assert_shown_as_written(grid, shown(stem, sheet), f"{name}:{sheet}")
                checked += 1
    # the two workbooks have an About sheet each, the articles one a Labels sheet too
    assert set(grids_of_xlsx(written["articles_book.xlsx"])) == {"articles", "Labels", "About"}
    assert checked == len(written) + 3
    report = [c for row in shown("report", "report") for c in row]
    assert "'=1+1" in report and "'=1+1.csv" in report and "'" + HYPERLINK in report
    assert "2" not in report and "x" not in report
    articles = shown("articles", "articles")
    titles = [row[articles[0].index("title")] for row in articles[1:]]
    assert titles == ["'=1+1", "'" + HYPERLINK, "The id is a formula"]
    assert [row[0] for row in articles[1:]] == ["h1", "h2", "'=1+1"]
    notes = [row[articles[0].index("notes")] for row in articles[1:]]
    assert notes[1] == "-5"  # a negative number stays a number, without an apostrophe
    template = [c for row in shown("template", "template") for c in row]
    assert "'" + HYPERLINK in template and "' -1+1" in template


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext missing: apt-get install poppler-utils"
)
def test_impress_shows_the_whole_title_slide_and_every_slide(tmp_path):
    eb = load_cached(DEMO_PATH)
    state = parse_query(LONG_QUERY)[0]
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(export_deck(eb, state))
    out = soffice(tmp_path, "pdf", [deck])
    pdf = out / "deck.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    assert pages == 1 + len(EXPORT_VIEWS)
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def squash(text: str) -> str:  # line breaks and hyphenation differ from the source
        return re.sub(r"[\s\u2011-]+", "", text)

    page = squash(first)
    sub = apply(eb, state)
    assert len(describe_filters(state)) > 400
    for line in (
        "Internationalization of medical education: evidence map",
        "Filters: " + describe_filters(state),
        f"N = {sub.n_articles:,} of {eb.n_articles:,} articles",
        f"Data: articles.csv, version {eb.version}",
        "SYNTHETIC DEMO DATA - not real articles",
    ):
        assert squash(line) in page, line
    assert str(DEMO_PATH.parent) not in first
    takeaways = deck_takeaways(eb, state)
    for number, view in enumerate(EXPORT_VIEWS, 2):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert squash(takeaways[view]) in squash(text), view
