"""Round trip (issue 25, item 6): the filtered-articles CSV and XLSX follow the coding
contract, so a download loads back with no problem and gives the same counts; matrix
tables carry their row and column labels."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from evidence import DEMO_PATH, PROJECT_ROOT
from evidence.export import export_table
from evidence.filters import apply
from evidence.load import load
from evidence.state import parse_query
from evidence.summary import summarise

EXAMPLE = PROJECT_ROOT / "data" / "examples" / "faculty_development"


@pytest.fixture(scope="module")
def demo():
    return load(DEMO_PATH)


def _counts(eb) -> dict:
    data = summarise(eb)
    return {k: v for k, v in data.items() if k not in ("source", "version")}


@pytest.mark.parametrize("query", ["", "format=mobility.outbound&year=2010-2020", "country=ZAF"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_loads_back_with_no_problem_and_the_same_counts(demo, query, fmt):
    state = parse_query(query)[0]
    content = export_table(demo, state, "articles", fmt)
    again = load(content, name=f"download.{fmt}")
    assert again.report.problems == [], again.report.to_text()[:2000]
    assert _counts(again) == _counts(apply(demo, state))


def test_the_download_keeps_partnerships_and_flows_as_coded(demo):
    raw = pd.read_csv(DEMO_PATH, dtype=str, keep_default_na=False).set_index("id")
    content = export_table(demo, parse_query("")[0], "articles", "csv")
    out = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False).set_index("id")
    assert out.at["demo-0003", "partnerships"] == "NGA+ZAF"
    coded = raw["partnerships"] != ""
    assert (out.loc[coded.index[coded], "partnerships"] != "").all()
    assert (
        out.loc[raw.index, "mobility_flows"].str.count(">").sum()
        == raw["mobility_flows"].str.count(">").sum()
    )


def test_the_xlsx_has_codes_first_and_labels_beside(demo):
    content = export_table(demo, parse_query("country=ZAF")[0], "articles", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["articles", "Labels", "About"]
    header = [c.value for c in next(book["Labels"].iter_rows(max_row=1))]
    assert "id" in header and "origin" in header


def test_an_example_schemes_download_validates_and_summarises_the_same(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOME_")}
    book = ["--codebook", str(EXAMPLE / "codebook.yaml")]

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "cli", *args, *book], cwd=PROJECT_ROOT,
                              env=env, capture_output=True, text=True, timeout=180)  # fmt: skip

    out = tmp_path / "download.xlsx"
    data = str(EXAMPLE / "articles.csv")
    assert cli("export", "articles", "--data", data, "--out", str(out)).returncode == 0
    checked = cli("validate", str(out))
    assert checked.returncode == 0 and "0 errors, 0 warnings" in checked.stdout, checked.stdout
    before, after = (json.loads(cli("summary", p, "--json").stdout) for p in (data, str(out)))
    for summary in (before, after):
        summary.pop("source"), summary.pop("version")
    assert after == before


def test_the_income_matrix_table_names_its_rows_and_columns(demo):
    content = export_table(demo, parse_query("")[0], "flow-matrix", "csv")
    table = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    assert list(table["origin_income"]) == ["H", "UM", "LM", "L"]
    assert table["origin_income_label"].iloc[0] == "from High income"
    assert "to Low income (L)" in table.columns


def test_every_table_a_card_shows_is_offered_in_its_export_menu():
    from components.export_menu import export_menu
    from evidence.views import REGISTRY

    for view in REGISTRY:
        tables = tuple((c.name, c.title) for c in view.charts[1:])
        menu = export_menu(view.name, tables).children[1]  # the toggle, then the menu
        hrefs = {href for _, href in json.loads(getattr(menu, "data-items"))}
        for chart in view.charts:
            assert f"/data/{chart.name}.csv" in hrefs and f"/data/{chart.name}.xlsx" in hrefs
