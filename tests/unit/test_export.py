"""Exports: images from the CLI, deck, tables with safe cells, embed pages, routes."""

import io
import re
import struct

import pytest
from pptx import Presentation

from app import create_app
from cli import main
from evidence import DEMO_PATH
from evidence.export import export_table, neutralise_formulas
from evidence.filters import apply
from evidence.load import load, load_cached
from evidence.state import parse_query
from evidence.views import EXPORT_VIEWS, VIEWS

QUERY = "format=mobility.outbound&year=2010-2020"


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


@pytest.mark.parametrize("view", EXPORT_VIEWS)
def test_cli_exports_each_view_in_each_format(tmp_path, eb, view, capsys):
    n = apply(eb, parse_query(QUERY)[0]).n_articles
    for fmt in ("png", "svg", "pdf"):
        out = tmp_path / f"{view}.{fmt}"
        assert main(["export", view, "--format", fmt, "--out", str(out), "--query", QUERY]) == 0
        content = out.read_bytes()
        if fmt == "png":
            assert png_size(content) == (1920, 1080)
        elif fmt == "pdf":
            assert content.startswith(b"%PDF")
        else:
            text = content.decode("utf-8")
            assert text.lstrip().startswith(("<svg", "<?xml"))
            assert "Outbound mobility, 2010-2020" in text
            assert f"N = {n:,} articles" in text
            assert "SYNTHETIC DEMO DATA" in text


def test_cli_export_size_and_bad_view(tmp_path, capsys):
    out = tmp_path / "t.png"
    assert main(["export", "trends", "--out", str(out), "--width", "2400", "--height", "1350"]) == 0
    assert png_size(out.read_bytes()) == (2400, 1350)
    assert main(["export", "nope", "--out", str(tmp_path / "x.png")]) == 2
    assert "unknown view" in capsys.readouterr().err


def test_deck_has_title_slide_and_one_slide_per_view_with_takeaways(tmp_path, eb):
    out = tmp_path / "deck.pptx"
    assert main(["export", "deck", "--out", str(out), "--query", QUERY]) == 0
    deck = Presentation(io.BytesIO(out.read_bytes()))
    slides = list(deck.slides)
    assert len(slides) == 1 + len(EXPORT_VIEWS)
    title_text = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Outbound mobility, 2010-2020" in title_text
    assert "SYNTHETIC DEMO DATA" in title_text
    state = parse_query(QUERY)[0]
    sub = apply(eb, state)
    for slide, view in zip(slides[1:], EXPORT_VIEWS, strict=True):
        assert slide.shapes.title.text == VIEWS[view].takeaway(sub, state)
        assert any(s.shape_type == 13 for s in slide.shapes)  # a picture


def test_flow_takeaway_is_computed_not_fixed(eb):
    sub = apply(eb, parse_query("origin_income=L,LM,UM")[0])
    text = VIEWS["flows"].takeaway(sub, parse_query("")[0])
    assert re.match(r"\d+% of articles with student flows", text)


def test_formula_cells_are_neutralised(tmp_path):
    text = (
        "id,title,year,author_countries,formats,journal,notes\n"
        '1,=HYPERLINK("http://x"),2001,USA,standards.global,+SUM(A1),@cmd\n'
        "2,-2+3,2002,USA,standards.global,\tTab,\rCR\n"
    )
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    eb = load(path)
    csv_text = export_table(eb, parse_query("")[0], "articles", "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+SUM(A1)" in csv_text and "'@cmd" in csv_text
    assert "'-2+3" in csv_text
    frame = neutralise_formulas(eb.articles[["title", "journal", "notes"]])
    for value in frame.to_numpy().ravel():
        assert not str(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_tables_say_synthetic_and_xlsx_has_about_sheet(eb):
    import openpyxl

    content = export_table(eb, parse_query(QUERY)[0], "flows", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["flows", "About"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(min_row=2, values_only=True)}
    assert "SYNTHETIC" in about["WARNING"]
    assert about["Filters"] == "Outbound mobility, 2010-2020"
    header = [c.value for c in book["flows"][1]]
    assert header[0] == "data_note" and "n_articles" in header


def test_gap_list_contains_zero_countries_and_cells(eb):
    csv_text = export_table(eb, parse_query("format=mobility.outbound")[0], "gaps", "csv")
    text = csv_text.decode("utf-8-sig")
    assert "country (origin),ISL,Iceland,0" in text or ",ISL," in text
    assert "motivation x format" in text


@pytest.fixture(scope="module")
def client():
    return create_app(DEMO_PATH).server.test_client()


def test_embed_route_renders_chart_with_right_n_and_link_back(client, eb):
    n = apply(eb, parse_query(QUERY)[0]).n_articles
    response = client.get(f"/embed/flows?{QUERY}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"N = {n:,} articles." in body
    assert 'href="/?year=2010-2020&amp;format=mobility.outbound"' in body
    assert "Synthetic demo data" in body
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_dashboard_denies_framing_and_routes_reject_bad_requests(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/embed/nope").status_code == 400
    assert client.get("/export/map.gif").status_code == 400
    assert client.get("/data/articles.exe").status_code == 400
    assert client.get("/healthz").get_json()["articles"] == 350


def test_embed_markup_in_titles_is_escaped(tmp_path):
    text = ("id,title,year,author_countries,formats,journal\n"
            "1,<script>alert(1)</script>,2001,USA,standards.global,<b>J</b>\n")  # fmt: skip
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    client = create_app(path).server.test_client()
    body = client.get("/embed/trends").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
