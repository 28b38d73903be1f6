"""What a presenter would otherwise fix by hand: the deck's 16:9 size type and distinct
headlines, spreadsheets that open readable (fitted columns, a frozen header), whole
articles on count axes, a year slider whose labels never run together, and the load
report downloadable from About."""

import io
import itertools
import json

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from app import create_app
from components.controls import year_marks
from evidence import DEMO_PATH, export
from evidence.export import XLSX_MAX_WIDTH, export_table
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import view_figure


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


@pytest.fixture
def quick_pictures(monkeypatch):
    buffer = io.BytesIO()
    Image.new("RGB", (192, 100), "white").save(buffer, "PNG")
    monkeypatch.setattr(export, "export_image", lambda *a, **k: buffer.getvalue())


@pytest.mark.parametrize("query", ["", "year=2010-2020&format=mobility.outbound", "focus=USA"])
def test_the_deck_is_16_9_with_one_headline_per_slide(eb, quick_pictures, query):
    deck = Presentation(io.BytesIO(export.export_deck(eb, parse_query(query)[0])))
    size = deck.part._element.sldSz
    assert size.get("type") in (None, "screen16x9")  # PowerPoint's Widescreen has none
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.001
    headlines = [s.shapes.title.text_frame.text for s in list(deck.slides)[1:]]
    assert len(set(headlines)) == len(headlines), headlines
    assert all(len(h) > 20 for h in headlines)  # a sentence, not a label


def test_the_partner_map_headline_names_its_largest_pairs(eb):
    heads = export.deck_takeaways(eb, parse_query("")[0])
    raw = pd.read_csv(DEMO_PATH)
    pairs = raw["partnerships"].dropna().str.split(";").explode().str.split("+")
    leads = pairs.apply(lambda p: (p[0], p[1]) if len(p) > 1 else None).dropna()
    (top_pair, _), *_ = leads.value_counts().items()
    assert top_pair == ("USA", "UGA")  # what the headline should lead with
    assert heads["partner-map"].startswith("Largest partnerships, lead → partner: United States")
    assert "Uganda" in heads["partner-map"].split(";")[0]


@pytest.mark.parametrize("what", ["articles", "flows", "gaps"])
def test_spreadsheets_fit_their_columns_and_freeze_the_header(eb, what):
    book = openpyxl.load_workbook(io.BytesIO(export_table(eb, parse_query("")[0], what, "xlsx")))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        for column in sheet.iter_cols():
            letter = column[0].column_letter
            width = sheet.column_dimensions[letter].width
            longest = max(len(str(c.value)) for c in column if c.value is not None)
            assert min(longest, XLSX_MAX_WIDTH - 2) <= width <= XLSX_MAX_WIDTH, (letter, width)
            assert width >= min(len(str(column[0].value)), XLSX_MAX_WIDTH - 2)  # the header


@pytest.mark.parametrize("query", ["year=2014-2016&format=standards.global", "year=2010", ""])
def test_the_trends_axis_counts_whole_articles(eb, query):
    state = parse_query(query)[0]
    data, fig = view_figure(eb, state, "trends")
    top = data.groupby("year")["n_articles"].sum().max()
    axis = fig.layout.yaxis
    assert axis.tick0 == 0 and float(axis.dtick).is_integer() and axis.dtick >= 1
    assert top / axis.dtick <= 6 and axis.tickformat == ",d"


@pytest.mark.parametrize(("lo", "hi"), [(1954, 2016), (2000, 2020), (1900, 2100), (2010, 2012)])
def test_year_slider_labels_thin_out_on_long_ranges(lo, hi):
    marks = sorted(year_marks(lo, hi))
    assert marks[0] == lo and marks[-1] == hi and len(marks) <= 6
    # a label is 4 digits (~30 px) on a ~250 px slider: at least 12% of the span apart
    gaps = [b - a for a, b in itertools.pairwise(marks)]
    assert all(gap >= 0.12 * (hi - lo) for gap in gaps), marks
    assert year_marks(2000, 2020) == {y: str(y) for y in range(2000, 2021, 5)}


def test_the_load_report_downloads_from_about(tmp_path):
    text = ("id,title,year,author_countries,formats\n"
            "1,A,2001,Frnace,standards.global\n2,B,2002,USA,standards.global\n"
            "3,C,2003,Atlantis,standards.global\n")  # fmt: skip
    path = tmp_path / "two-problems.csv"
    path.write_text(text, encoding="utf-8")
    app = create_app(path)
    # the About dialog's content, as the page gets it when the dialog opens (fill_about)
    body = {
        "output": "about-body.children",
        "outputs": {"id": "about-body", "property": "children"},
        "inputs": [{"id": "btn-about", "property": "n_clicks", "value": 1}],
        "state": [{"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["btn-about.n_clicks"],
    }
    answer = app.server.test_client().post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert "/data/load-report.csv" in json.dumps(answer.json)
    response = app.server.test_client().get("/data/load-report.csv")
    assert response.status_code == 200
    frame = pd.read_csv(io.BytesIO(response.data))
    assert set(frame["row"]) == {2, 4} and set(frame["file"]) == {"two-problems.csv"}
    assert frame["value"].astype(str).str.contains("Frnace").any()


def test_a_state_count_is_unchanged_by_the_layout(eb):
    """The fitted spreadsheet holds every article row of the state."""
    state = parse_query("year=2010-2020")[0]
    book = openpyxl.load_workbook(io.BytesIO(export_table(eb, state, "articles", "xlsx")))
    assert book["articles"].max_row - 1 == apply(eb, state).n_articles


@pytest.mark.parametrize("view", ["flows", "partner-map", "trends"])
def test_an_embed_promises_no_click_it_cannot_keep(eb, view):
    """A click in an embed changes nothing: its hover points to the full map instead."""
    import json
    import re

    from components.routes import embed_page

    page = embed_page(eb, view, "year=2010-2020")
    figure = json.loads(re.search(r'id="figure-data">(.*?)</script>', page, re.S)[1])
    # what hover shows: the template, and the text and customdata it may quote
    hover = json.dumps([[t.get("hovertemplate"), t.get("text"), t.get("customdata")]
                        for t in figure["data"]])  # fmt: skip
    assert not re.search(r"click to|Click:", hover)
    assert "pen the full map to" in hover
