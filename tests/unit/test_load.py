"""The loader: contract matching, lazy validation, tidy tables, and every kind of bad input."""

import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from evidence.load import load, read_table

HEADER = "id,title,year,author_countries,setting_countries,formats,motivations,mobility_flows,partnerships\n"


def write(tmp_path: Path, text: str, name="a.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_row_builds_all_tidy_tables(tmp_path):
    path = write(
        tmp_path,
        HEADER + "a1,T,2012,USA;Uganda,UGA,mobility.outbound;mobility.clinical,"
        "social.transformation;market.student,USA>UGA,USA+UGA+KEN\n",
    )
    eb = load(path)
    assert eb.report.errors == []
    art = eb.articles.iloc[0]
    assert (art.article_id, art.origin, art.year) == ("a1", "USA", 2012)
    assert art.primary_motivation == "social.transformation"
    assert art.origin_income == "H"
    roles = eb.article_countries.groupby("role")["iso3"].apply(list).to_dict()
    assert roles == {"author": ["USA", "UGA"], "origin": ["USA"], "setting": ["UGA"]}
    assert set(eb.article_codes["code"]) == {
        "mobility.outbound", "mobility.clinical", "social.transformation", "market.student",
    }  # fmt: skip
    primary = eb.article_codes[eb.article_codes["primary"]]
    assert primary["code"].tolist() == ["social.transformation"]
    flow = eb.flows.iloc[0]
    assert (flow.origin, flow.destination, flow.direction) == ("USA", "UGA", "N>S")
    assert flow.kinds == "mobility.outbound;mobility.clinical"
    pairs = eb.partnerships[["lead", "partner", "n_partners", "direction"]].values.tolist()
    assert pairs == [["USA", "UGA", 3, "N>S"], ["USA", "KEN", 3, "N>S"]]


def test_messy_file_gives_complete_report_and_loads_valid_rows(tmp_path):
    """BOM, semicolons, mixed spellings, duplicate id, unknown code, bad year, unknown country."""
    rows = [
        "ID;Title;Year;Author-Countries;Setting Countries;FORMATS;motivations",
        'm1;Good one;2010;"United States of America; Cote d\'Ivoire";Türkiye;mobility.outbound;market',
        'm2;UK row;2015;"UK; Holland";"DR Congo; South Korea";partnership.north_north;',
        "m1;Duplicate;2016;USA;;mobility.inbound;",
        "m4;Unknown code;2016;USA;;mobility.outbund;",
        "m5;Bad year;20X6;USA;;mobility.inbound;",
        'm6;Typo country;2018;"Frnace; England";Kosovo;at_home.gh_course;liberal',
        "m7;;2018;USA;;standards.global;",
    ]
    path = write(tmp_path, "\ufeff" + "\n".join(rows) + "\n")
    eb = load(path)
    report = eb.report
    assert report.n_rows_read == 7
    assert sorted(eb.articles["article_id"]) == ["m1", "m2", "m6"]
    # Spreadsheet rows: the header is row 1, so m1 is row 2 and m7 row 8.
    assert report.rejected_rows == [4, 5, 6, 8]
    by_row = {(p.row, p.column): p for p in report.problems}
    assert "duplicate id" in by_row[(4, "id")].message
    assert "first used in row 2" in by_row[(4, "id")].message
    assert "mobility.outbund" in by_row[(5, "formats")].message
    assert "mobility.outbound" in (by_row[(5, "formats")].suggestion or "")
    assert by_row[(6, "year")].severity == "error"
    assert by_row[(8, "title")].severity == "error"
    typo = by_row[(7, "author_countries")]
    assert typo.severity == "warning" and "Frnace" in typo.message
    assert "France (FRA)" in typo.suggestion
    assert eb.articles.set_index("article_id").loc["m6", "author_countries"] == "GBR"
    m2 = eb.article_countries[eb.article_countries["article_id"] == "m2"]
    assert set(m2["iso3"]) == {"GBR", "NLD", "COD", "KOR"}
    m1 = eb.article_countries[eb.article_countries["article_id"] == "m1"]
    assert set(m1["iso3"]) == {"USA", "CIV", "TUR"}
    assert eb.articles.set_index("article_id").loc["m1", "motivations"] == "market.unspecified"
    assert eb.articles.set_index("article_id").loc["m6", "setting_countries"] == "XKX"


def test_missing_required_column_rejects_the_file(tmp_path):
    eb = load(write(tmp_path, "id,title,year\n1,T,2000\n"))
    assert eb.n_articles == 0
    missing = {p.column for p in eb.report.errors if p.column}
    assert missing == {"author_countries", "formats"}


def test_unknown_columns_are_reported_not_lost_silently(tmp_path):
    eb = load(
        write(
            tmp_path, "id,title,year,author_countries,formats,colour\n1,T,2000,USA,standards,red\n"
        )
    )
    assert eb.n_articles == 1
    assert any(p.column == "colour" and p.severity == "warning" for p in eb.report.problems)


def test_column_mapping_renames_headers(tmp_path):
    path = write(tmp_path, "Key,Name,Published,Authors from,Codes\n1,T,2001,USA,standards\n")
    mapping = {"Key": "id", "Name": "title", "Published": "year",
               "Authors from": "author_countries", "Codes": "formats"}  # fmt: skip
    eb = load(path, mapping=mapping)
    assert eb.report.errors == []
    assert eb.articles["title"].tolist() == ["T"]


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.csv"), (b"\x00\x01\x02\x03binary", "x.csv"), (b"PK\x03\x04broken", "x.xlsx")],
)
def test_unreadable_files_give_a_report_not_an_exception(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    eb = load(path)
    assert eb.report.unreadable
    assert eb.n_articles == 0
    assert eb.report.errors


def test_missing_file_is_reported(tmp_path):
    eb = load(tmp_path / "nope.csv")
    assert eb.report.unreadable and "cannot read" in eb.report.errors[0].message


def test_xlsx_first_sheet_is_read(tmp_path):
    frame = pd.DataFrame({"id": ["x1"], "title": ["T"], "year": [2005],
                          "author_countries": ["Kenya"], "formats": ["mobility.inbound"]})  # fmt: skip
    path = tmp_path / "a.xlsx"
    frame.to_excel(path, index=False)
    eb = load(path)
    assert eb.articles["origin"].tolist() == ["KEN"]
    assert eb.articles["year"].tolist() == [2005]


def test_doi_url_is_normalised_and_bad_url_is_not_a_link(tmp_path):
    text = "id,title,year,author_countries,formats,doi,url\n" \
           "1,T,2001,USA,standards,https://doi.org/10.1000/XYZ.1,javascript:alert(1)\n"  # fmt: skip
    eb = load(write(tmp_path, text))
    assert eb.articles["doi"].tolist() == ["10.1000/XYZ.1"]
    assert eb.articles["url"].tolist() == [""]
    assert any(p.column == "url" for p in eb.report.warnings)


def test_partnership_direction_disagreeing_with_income_groups_is_a_warning(tmp_path):
    text = HEADER + "1,T,2012,USA,,partnership.south_south,,,USA+GBR\n"
    eb = load(write(tmp_path, text))
    assert eb.n_articles == 1
    assert any("partnership.south_south" in p.message for p in eb.report.warnings)


def test_cp1252_file_is_read(tmp_path):
    text = "id,title,year,author_countries,formats\n1,Café,2001,Côte d'Ivoire,standards\n"
    eb = load(write(tmp_path, text, encoding="cp1252"))
    assert eb.articles["origin"].tolist() == ["CIV"]


def test_read_table_sniffs_tab_separator():
    frame = read_table(b"id\ttitle\n1\tT\n")
    assert list(frame.columns) == ["id", "title"]


def test_line_with_extra_fields_is_reported_and_the_rest_loads(tmp_path):
    text = (
        "id,title,year,author_countries,formats\n"
        "1,T,2001,USA,standards.global\n"
        "2,Title, with a comma,2002,USA,standards.global\n"
        "3,U,2003,KEN,mobility.inbound\n"
    )
    eb = load(write(tmp_path, text))
    assert not eb.report.unreadable
    assert sorted(eb.articles["article_id"]) == ["1", "3"]
    bad = [p for p in eb.report.errors if "fields but the header has 5" in p.message]
    assert len(bad) == 1 and "Title" in bad[0].value


def test_a_few_stray_nuls_near_the_top_are_stripped_not_fatal():
    row = "a1,Ti\x00tle,2012,USA,UGA,mobility.outbound,market.student,,\n"
    eb = load((HEADER + row).encode(), name="nul.csv")
    assert eb.report.errors == [] and eb.n_articles == 1
    assert eb.articles.iloc[0].title == "Title"
    mostly_nuls = (HEADER + row).encode() + b"\x00" * 400
    assert load(mostly_nuls, name="nul.csv").report.unreadable


def test_same_file_with_another_mapping_is_another_version():
    text = HEADER.replace("id,", "Record,", 1) + "a1,T,2012,USA,UGA,mobility.outbound,,,\n"
    one = load(text.encode(), name="m.csv", mapping={"Record": "id"})
    two = load(text.encode(), name="m.csv", mapping={"record": "id", "title": "title"})
    assert one.n_articles == two.n_articles == 1 and one.version != two.version


def test_short_line_after_a_long_one_is_reported_not_a_crash():
    # One line too long sends the parser down its lenient path, where a short line's
    # missing cells arrive as NaN: they must read as empty cells.
    head = "id,title,year,author_countries,formats,synthetic\n"
    body = head + "a1,T,2012,USA,mobility.outbound,true\na2,T,2013,USA,x,true,extra\na3,T,2014\n"
    eb = load(body.encode(), name="short.csv")
    # a2 (row 3) is left out for its extra field; a3 (row 4) lacks its required cells.
    assert eb.n_articles == 1 and eb.report.rejected_rows == [3, 4]
    assert {p.column for p in eb.report.errors if p.row == 4} == {"author_countries", "formats"}
    assert [p.column for p in eb.report.errors if p.row == 3] == [None]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_row_limit_stops_reading_one_row_past_it(kind):
    rows = "".join(f"a{i},T,2012,USA,UGA,mobility.outbound,,,\n" for i in range(30))
    content = (HEADER + rows).encode()
    if kind == "xlsx":
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
        out = io.BytesIO()
        frame.to_excel(out, index=False)
        content = out.getvalue()
    refused = load(content, name=f"t.{kind}", max_rows=20)
    assert refused.n_articles == 0 and refused.report.n_rows_read == 21
    assert "more than 20 rows" in refused.report.errors[0].message
    assert load(content, name=f"t.{kind}", max_rows=30).n_articles == 30


# ----------------------------------------------------------- rows as a spreadsheet shows them


def spreadsheet_csv(long_line_at: int | None = None, blank_top: int = 0) -> str:
    """A header (row 1) and articles ``a2``..``a30``, article ``aN`` on spreadsheet row N,
    except: row 3's quoted title spans four lines (one of them empty), row 6 is blank,
    row 12 repeats id ``a5``, row 23 has no title, and row ``long_line_at`` (if any) has
    a sixth field. ``blank_top`` blank lines above the header push every row down.

    LibreOffice (``soffice --headless --convert-to xlsx``) shows exactly these rows; see
    ``test_rows_are_the_rows_libreoffice_shows``. The missing title is on physical line 26
    and was the 21st non-blank data record (the loader used to say "row 21").
    """
    lines = []
    for r in range(2, 31):
        title = {3: '"Line one\nline two, with a comma\n\nline four"', 23: ""}.get(r, f"T{r}")
        ident = "a5" if r == 12 else f"a{r}"
        extra = ",extra" if r == long_line_at else ""
        lines.append("" if r == 6 else f"{ident},{title},2010,USA,standards.global{extra}")
    return "\n" * blank_top + "id,title,year,author_countries,formats\n" + "\n".join(lines) + "\n"


def spreadsheet_xlsx() -> bytes:
    """The same sheet as :func:`spreadsheet_csv`, built cell by cell with openpyxl."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for c, name in enumerate(["id", "title", "year", "author_countries", "formats"], 1):
        sheet.cell(row=1, column=c, value=name)
    for r in range(2, 31):
        if r == 6:
            continue  # an empty row
        title = {3: "Line one\nline two, with a comma\n\nline four", 23: None}.get(r, f"T{r}")
        values = ["a5" if r == 12 else f"a{r}", title, 2010, "USA", "standards.global"]
        for c, value in enumerate(values, 1):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _where(report) -> dict:
    return {(p.row, p.column): p for p in report.problems}


@pytest.mark.parametrize("long_line_at", [None, 9])
@pytest.mark.parametrize("blank_top", [0, 2])
def test_problems_name_the_spreadsheet_row_and_the_article_id(long_line_at, blank_top):
    eb = load(spreadsheet_csv(long_line_at, blank_top).encode(), name="s.csv")
    report, shift = eb.report, blank_top
    where = _where(report)
    title = where[(23 + shift, "title")]
    assert (title.severity, title.message, title.article_id) == ("error", "missing value", "a23")
    dup = where[(12 + shift, "id")]
    assert dup.article_id == "a5" and f"first used in row {5 + shift}" in dup.message
    assert title.as_text() == f"ERROR row {23 + shift} (id a23), title: missing value"
    rejected = [12 + shift, 23 + shift]
    if long_line_at:
        left_out = where[(long_line_at + shift, None)]
        assert "line left out" in left_out.message and left_out.article_id is None
        rejected = sorted([*rejected, long_line_at + shift])
    assert report.rejected_rows == rejected
    # 28 non-blank rows: all are read; the loaded ones keep their spreadsheet row too.
    assert report.n_rows_read == 28 and eb.n_articles == 28 - len(rejected)
    rows = eb.articles.set_index("article_id")["row"]
    assert (rows["a3"], rows["a30"]) == (3 + shift, 30 + shift)
    assert eb.articles.set_index("article_id").loc["a3", "title"].count("\n") == 3


def test_xlsx_problems_name_the_sheet_row_and_the_article_id():
    eb = load(spreadsheet_xlsx(), name="s.xlsx")
    where = _where(eb.report)
    assert where[(23, "title")].article_id == "a23"
    assert "first used in row 5" in where[(12, "id")].message
    assert where[(12, "id")].article_id == "a5"
    assert eb.report.rejected_rows == [12, 23] and eb.report.n_rows_read == 28
    assert eb.articles.set_index("article_id").loc["a30", "row"] == 30


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize(("long_line_at", "blank_top"), [(None, 0), (9, 0), (None, 2)])
def test_rows_are_the_rows_libreoffice_shows(tmp_path, long_line_at, blank_top):
    """Open the CSV in LibreOffice, save it as XLSX and look up each reported row."""
    import openpyxl

    path = write(tmp_path, spreadsheet_csv(long_line_at, blank_top), "s.csv")
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path),
         str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    ids = {cell.row: cell.value for cell in sheet["A"] if cell.value}
    assert ids[1 + blank_top] == "id" and ids[23 + blank_top] == "a23"
    report = load(path).report
    assert [p.row for p in report.problems if p.column in ("id", "title")] == [
        23 + blank_top, 12 + blank_top
    ]  # fmt: skip
    for p in report.problems:
        if p.row is not None:  # the row LibreOffice shows holds the article named
            assert ids[p.row] == (p.article_id or f"a{long_line_at}"), p


def test_blank_rows_do_not_use_up_the_row_limit():
    rows = "".join(f"a{i},T,2012,USA,UGA,mobility.outbound,,,\n\n\n" for i in range(5))
    content = (HEADER + rows).encode()
    assert load(content, name="b.csv", max_rows=5).n_articles == 5
    refused = load(content, name="b.csv", max_rows=4)
    assert refused.n_articles == 0 and refused.report.n_rows_read == 5


def test_a_table_built_directly_numbers_its_rows_from_2():
    from evidence.load import build

    raw = pd.DataFrame({"id": ["a", "", "a"], "title": ["T", "", "T"], "year": ["2001", "", "x"],
                        "author_countries": ["USA", "", "USA"],
                        "formats": ["standards.global", "", "standards.global"]})  # fmt: skip
    report = build(raw).report
    assert {(p.row, p.column, p.article_id) for p in report.errors} == {
        (4, "id", "a"), (4, "year", "a")
    }  # fmt: skip
