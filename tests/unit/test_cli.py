"""The iome-map command line: exit codes and outputs of validate, check and summary."""

import csv
import json

import openpyxl
import pandas as pd
import pytest

from cli import main
from evidence import DEMO_PATH

GOOD = "id,title,year,author_countries,formats\n1,T,2001,USA,standards.global\n"


def write(tmp_path, text, name="f.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_validate_exit_codes(tmp_path, capsys):
    assert main(["validate", write(tmp_path, GOOD)]) == 0
    warn = GOOD.replace("USA", "Frnace")
    assert main(["validate", write(tmp_path, warn, "w.csv")]) == 0
    bad = GOOD + "1,Dup,2002,USA,standards.global\n"
    assert main(["validate", write(tmp_path, bad, "b.csv")]) == 1
    assert main(["validate", write(tmp_path, "", "e.csv")]) == 2
    assert main(["validate", str(tmp_path / "missing.csv")]) == 2
    out = capsys.readouterr().out
    assert "row 3 (id 1), id: duplicate id (first used in row 2)" in out
    assert "did you mean France (FRA)?" in out


def test_validate_json_lists_every_problem(tmp_path, capsys):
    bad = GOOD + "1,Dup,2002,USA,standards.global\n3,,20x1,Narnia,nothing\n"
    assert main(["validate", write(tmp_path, bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["n_rows_read"] == 3 and report["n_rows_loaded"] == 1
    where = {(p["row"], p["column"]) for p in report["problems"]}
    assert {(3, "id"), (4, "title"), (4, "year"), (4, "formats"), (4, "author_countries")} <= where


def test_check_on_demo_data_matches_every_published_figure(capsys):
    assert main(["check", str(DEMO_PATH)]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC DEMO DATA" in out


def test_check_fails_when_a_figure_does_not_match(tmp_path, capsys):
    frame = pd.read_csv(DEMO_PATH, dtype=str, keep_default_na=False)
    path = tmp_path / "short.csv"
    frame.iloc[:-1].to_csv(path, index=False)
    assert main(["check", str(path)]) == 1
    assert "included_articles" in capsys.readouterr().out


def test_summary_json_counts_distinct_articles(tmp_path, capsys):
    text = (
        "id,title,year,author_countries,formats,motivations,mobility_flows\n"
        "a,T,2010,USA,mobility.outbound;mobility.clinical,social,USA>UGA\n"
        "b,T,2011,UGA,mobility.inbound,market.student,UGA>USA;UGA>GBR\n"
    )
    assert main(["summary", write(tmp_path, text), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_articles"] == 2
    assert data["format_codes"]["mobility.outbound"] == 1
    assert data["format_groups"]["mobility"] == 2
    assert data["motivation_groups"] == {"market": 1, "liberal": 0, "social": 1, "enrichment": 0}
    assert data["flows_by_direction"]["articles"]["N>S"] == 1
    assert data["flows_by_direction"]["links"]["S>N"] == 2
    assert data["articles_by_origin_income"]["H"] == 1
    assert data["articles_by_year"] == {"2010": 1, "2011": 1}


def test_template_is_written_and_validates_cleanly(tmp_path, capsys):
    out = tmp_path / "template.csv"
    assert main(["template", "--out", str(out)]) == 0
    assert main(["validate", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert report["n_rows_loaded"] == 3 and report["n_errors"] == report["n_warnings"] == 0


def sheet_rows() -> list[list]:
    """Header (spreadsheet row 1) and a2..a30 on rows 2..30: row 3's title spans three
    lines, row 6 is empty, row 12 repeats id a5, row 23 has no title."""
    rows: list[list] = [["id", "title", "year", "author_countries", "formats"]]
    for r in range(2, 31):
        title = {3: "One\ntwo, three\n\nfour", 23: ""}.get(r, f"T{r}")
        rows.append([] if r == 6 else ["a5" if r == 12 else f"a{r}", title, "2010", "USA",
                                       "standards.global"])  # fmt: skip
    return rows


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_validate_names_spreadsheet_rows_and_article_ids(tmp_path, capsys, kind):
    path = tmp_path / f"sheet.{kind}"
    if kind == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(sheet_rows())
        assert path.read_text(encoding="utf-8").count("\n") == 33  # 30 rows, 33 lines
    else:
        book = openpyxl.Workbook()
        for r, values in enumerate(sheet_rows(), 1):
            for c, value in enumerate(values, 1):
                book.active.cell(row=r, column=c, value=value or None)
        book.save(path)
    assert main(["validate", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {(p["row"], p["article_id"], p["column"]): p["message"] for p in report["problems"]}
    assert found == {
        (12, "a5", "id"): "duplicate id (first used in row 5); row rejected",
        (23, "a23", "title"): "missing value",
    }
    assert (report["n_rows_read"], report["n_rows_rejected"]) == (28, 2)
    assert main(["validate", str(path)]) == 1
    text = capsys.readouterr().out.splitlines()
    assert text[1:] == [
        "ERROR row 23 (id a23), title: missing value",
        "ERROR row 12 (id a5), id: duplicate id (first used in row 5); row rejected",
    ]
