"""The loader: contract matching, lazy validation, tidy tables, and every kind of bad input."""

import io
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
    assert report.rejected_rows == [3, 4, 5, 7]
    by_row = {(p.row, p.column): p for p in report.problems}
    assert "duplicate id" in by_row[(3, "id")].message
    assert "first used in row 1" in by_row[(3, "id")].message
    assert "mobility.outbund" in by_row[(4, "formats")].message
    assert "mobility.outbound" in (by_row[(4, "formats")].suggestion or "")
    assert by_row[(5, "year")].severity == "error"
    assert by_row[(7, "title")].severity == "error"
    typo = by_row[(6, "author_countries")]
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
    assert eb.n_articles == 1 and eb.report.rejected_rows == [2]
    assert {p.column for p in eb.report.errors if p.row == 2} == {"author_countries", "formats"}


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
