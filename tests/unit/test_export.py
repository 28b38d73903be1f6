"""Exports: images from the CLI, deck, tables with safe cells, embed pages, routes."""

import io
import re
import struct

import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Inches

from app import create_app
from cli import main
from evidence import DEMO_PATH, export
from evidence.export import export_table
from evidence.filters import apply
from evidence.load import load, load_cached
from evidence.safe_table import neutralise_formulas
from evidence.state import parse_query
from evidence.views import EXPORT_VIEWS, VIEWS
from tests.hostile import LONG_QUERY as BASE_LONG_QUERY

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
    heads = export.deck_takeaways(eb, state)  # each chart's takeaway, never one twice
    assert len(set(heads.values())) == len(heads)
    for slide, view in zip(slides[1:], EXPORT_VIEWS, strict=True):
        assert slide.shapes.title.text == heads[view]
        if view != "partner-map":  # the partnerships slide already says its takeaway
            assert heads[view] == VIEWS[view].takeaway(sub, state)
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
    assert client.get("/export/map.bmp").status_code == 400
    assert client.get("/export/map.gif?width=9000").status_code == 400
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


# ---------------------------------------------------------------- the deck, fast
# These decks use a stand-in picture; test_deck_has_title_slide... above renders for real.

LONG_QUERY = BASE_LONG_QUERY + "&basis=explicit"


@pytest.fixture
def quick_pictures(monkeypatch):
    """export_deck with a small stand-in PNG instead of rendering each view."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (192, 100), "white").save(buffer, "PNG")
    monkeypatch.setattr(export, "export_image", lambda *a, **k: buffer.getvalue())


def deck_of(eb, query: str) -> Presentation:
    return Presentation(io.BytesIO(export.export_deck(eb, parse_query(query)[0])))


def test_deck_pictures_have_alt_text_with_title_takeaway_and_filters(eb, quick_pictures):
    deck = deck_of(eb, QUERY)
    state = parse_query(QUERY)[0]
    for slide, view in zip(list(deck.slides)[1:], EXPORT_VIEWS, strict=True):
        (picture,) = [s for s in slide.shapes if s.shape_type == 13]
        alt = picture._element.nvPicPr.cNvPr.get("descr")
        assert alt and alt != "image.png"
        assert VIEWS[view].title in alt and VIEWS[view].title in picture.name
        assert export.deck_takeaways(eb, state)[view] in alt
        assert "Outbound mobility, 2010-2020" in alt and "Synthetic demo data" in alt


def test_deck_core_properties_name_the_app_and_the_synthetic_data(eb, quick_pictures):
    props = deck_of(eb, QUERY).core_properties
    assert props.author == "IoME Evidence Map" and props.last_modified_by == "IoME Evidence Map"
    assert props.title.startswith("Internationalization of medical education")
    assert "SYNTHETIC" in props.title and "synthetic demo data" in props.keywords
    assert "Outbound mobility, 2010-2020" in props.subject and "IoME" in props.keywords
    assert props.revision == 1 and props.created.year >= 2025


def _inside(shape, deck) -> bool:
    return (
        shape.left >= 0
        and shape.top >= 0
        and shape.left + shape.width <= deck.slide_width
        and shape.top + shape.height <= deck.slide_height
    )


@pytest.mark.parametrize("huge", [False, True])
def test_title_slide_fits_16_9_for_any_filter_text(eb, quick_pictures, monkeypatch, huge):
    if huge:  # past anything the filters can say: cut on the slide, whole in the notes
        words = ", ".join(f"Country number {i}" for i in range(400))
        monkeypatch.setattr(export, "describe_filters", lambda state: words)
    deck = deck_of(eb, LONG_QUERY)
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    slide = deck.slides[0]
    filters_text = "Filters: " + export.describe_filters(parse_query(LONG_QUERY)[0])
    assert len(filters_text) > 400
    for shape in slide.shapes:
        assert _inside(shape, deck), shape.name
        middle = shape.left + shape.width / 2
        assert abs(middle - deck.slide_width / 2) < Inches(0.05), "off-centre"
        assert shape.text_frame.word_wrap is True
    subtitle = slide.placeholders[1]
    paragraphs = [p.text for p in subtitle.text_frame.paragraphs]
    sizes = {r.font.size.pt for p in subtitle.text_frame.paragraphs for r in p.runs}
    assert len(sizes) == 1 and 12 <= sizes.pop() <= 20
    assert "N = " in paragraphs[1] and "SYNTHETIC DEMO DATA" in paragraphs[-1]
    pt = subtitle.text_frame.paragraphs[0].runs[0].font.size.pt
    box = (subtitle.width / 914400, subtitle.height / 914400)
    assert export.fit_font_size(paragraphs, *box, sizes=(pt,)) == pt  # fits at that size
    notes = slide.notes_slide.notes_text_frame.text
    assert filters_text in notes
    if huge:
        assert paragraphs[0].endswith("(all filters in the notes)")
    else:
        assert paragraphs[0] == filters_text


def test_title_slide_is_calm_for_no_filters(eb, quick_pictures):
    slide = deck_of(eb, "").slides[0]
    subtitle = slide.placeholders[1]
    assert subtitle.text_frame.paragraphs[0].text == "Filters: All articles"
    assert subtitle.text_frame.paragraphs[0].runs[0].font.size.pt == 24
    assert "articles.csv" in subtitle.text_frame.text


# ---------------------------------------------------------------- no server paths


def test_files_and_dialogs_name_the_data_file_never_the_server_folders(tmp_path, quick_pictures):
    import json

    import openpyxl
    import plotly

    from components.about import about_modal

    folder = tmp_path / "srv-private-folder"
    folder.mkdir()
    path = folder / "coded-articles.csv"
    path.write_text("\n".join(DEMO_PATH.read_text(encoding="utf-8").splitlines()[:41]) + "\n")
    eb = load(path)
    assert "srv-private-folder" in eb.source  # the loader keeps the path; outputs must not
    state = parse_query("year=2000-2020")[0]
    shown: dict[str, str] = {}
    shown["csv"] = export_table(eb, state, "articles", "csv").decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(export_table(eb, state, "flows", "xlsx")))
    shown["xlsx"] = " ".join(str(c.value) for ws in book for r in ws.iter_rows() for c in r)
    about_sheet = {r[0]: r[1] for r in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about_sheet["Data source"].startswith("coded-articles.csv (version ")
    for view in EXPORT_VIEWS:  # the figure each PNG / SVG / PDF is rendered from
        shown[view] = export.export_figure(eb, state, view).to_json()
        assert "Source: coded-articles.csv (version" in shown[view]
    deck = Presentation(io.BytesIO(export.export_deck(eb, state)))
    shown["deck"] = " ".join(
        [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
        + [slide.notes_slide.notes_text_frame.text for slide in deck.slides]
        + [s._element.xml for slide in deck.slides for s in slide.shapes]
        + [str(getattr(deck.core_properties, p)) for p in ("title", "subject", "comments")]
    )
    assert "Data: coded-articles.csv, version" in shown["deck"]
    shown["about"] = json.dumps(about_modal(eb), cls=plotly.utils.PlotlyJSONEncoder)
    assert "coded-articles.csv (version" in shown["about"]
    missing = load(folder / "gone.csv")  # an unreadable file: its report names it too
    shown["about unreadable"] = json.dumps(about_modal(missing), cls=plotly.utils.PlotlyJSONEncoder)
    assert "gone.csv" in shown["about unreadable"]
    shown["healthz"] = create_app(path).server.test_client().get("/healthz").get_data(as_text=True)
    real = folder / "real-articles.csv"  # not synthetic: the page names the dataset
    pd.read_csv(path, dtype=str).drop(columns=["synthetic"]).to_csv(real, index=False)
    page = create_app(real).server.test_client().get("/_dash-layout").get_data(as_text=True)
    assert "the dataset real-articles.csv" in page
    shown["page"] = page
    for where, text in shown.items():
        assert "srv-private-folder" not in text and str(tmp_path) not in text, where


@pytest.mark.parametrize(
    ("source", "name"),
    [("/srv/data/demo/articles.csv", "articles.csv"), ("C:\\data\\x.xlsx", "x.xlsx"),
     ("upload.csv", "upload.csv"), ("", "data")],
)  # fmt: skip
def test_source_name_is_the_file_name_only(source, name):
    from evidence.views import source_name

    assert source_name(source) == name


WRAP_QUERY = (
    "format=mobility.outbound,mobility.inbound,mobility.clinical,partnership.north_south"
    "&motivation=market.student,social.transformation,liberal.understanding&year=2005-2020"
    "&country=USA,GBR,CAN,KEN,UGA&origin_income=H"
)


@pytest.mark.parametrize("width", [800, 1920])
def test_long_filters_wrap_inside_the_exported_picture(width):
    """The filters in words wrap to the export's width (they ran off the right edge)."""
    from evidence.export import export_figure, export_scale
    from evidence.figures.theme import SUBTITLE_CHAR_PX, SUBTITLE_LINES

    eb = load_cached(DEMO_PATH)
    state = parse_query(WRAP_QUERY)[0]
    fig = export_figure(eb, state, "alignment", width=width, height=900)
    css_width = round(width / export_scale(width))
    lines = fig.layout.title.subtitle.text.split("<br>")
    assert 2 <= len(lines) <= SUBTITLE_LINES
    assert all(len(line) * SUBTITLE_CHAR_PX <= css_width - 24 for line in lines)
    assert "United Kingdom" in fig.layout.title.subtitle.text
    footer = next(a for a in fig.layout.annotations if a.name == "caption-footer").text
    assert max(len(line) for line in footer.split("<br>")) * 6.2 <= css_width - 24
    assert fig.layout.margin.t >= 12 + 30 + 22 + 17 * (len(lines) - 1)


def test_wrap_lines_ends_with_an_ellipsis_past_the_last_line():
    from evidence.figures.theme import wrap_lines

    assert wrap_lines("a bb ccc dddd", 6) == ["a bb", "ccc", "dddd"]
    assert wrap_lines("a bb ccc dddd eeee", 6, max_lines=2) == ["a bb", "ccc …"]
    assert wrap_lines("", 10) == []


def test_article_tables_name_their_filters_and_n_and_the_zip_adds_an_about_file(client, eb):
    """The file name says what, which filters and how many articles; the ZIP bundle holds
    that CSV, parseable as it is (no comment line), and an about.txt with the filters."""
    import csv
    import zipfile

    query = "format=mobility.outbound&year=2010-2020"
    n = apply(eb, parse_query(query)[0]).n_articles
    csv_response = client.get(f"/data/articles.csv?{query}")
    name = re.search(r'filename="([^"]+)"', csv_response.headers["Content-Disposition"])[1]
    assert name.startswith("iome-articles-outbound-mobility-2010-2020-")
    assert f"-n{n}-" in name and name.endswith("-SYNTHETIC-DEMO.csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert len(rows) == n

    response = client.get(f"/data/articles.zip?{query}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].endswith('-SYNTHETIC-DEMO.zip"')
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        names = sorted(bundle.namelist())
        assert names == sorted([name, "about.txt"])
        inside = list(csv.DictReader(io.StringIO(bundle.read(name).decode("utf-8-sig"))))
        about = bundle.read("about.txt").decode("utf-8")
    assert inside == rows
    assert "Filters: Outbound mobility, 2010-2020" in about
    assert f"Articles: {n:,} of 350" in about and "SYNTHETIC" in about
    everything = client.get("/data/articles.csv")
    assert re.search(r'filename="iome-articles-all-articles-n350-', everything.headers[
        "Content-Disposition"])  # fmt: skip
