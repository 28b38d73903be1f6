"""Every file is the screen's state: for a year range, a focus and a country role, each
export (pictures, animations, deck, tables, embed) states the page's count and chips.
A country's chip ("Kenya (setting)", with the role button "Countries match: Setting")
is stated in a caption's words, the role before the value: "setting country: Kenya".

The count is the page's (evidence.filters, whatever a filter's semantics), checked once
against pandas over the data file; the chips are the page's own (components.render).
Pictures are captured as the figures sent to the renderer (one SVG is rendered for real).
"""

import csv
import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from components.render import ROLE_CHIP, chips
from components.routes import embed_page
from evidence import DEMO_PATH, animate, export
from evidence.fields import FIELD, filter_role_country, filter_role_word
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import EXPORT_VIEWS, VIEWS

STATES = (
    "year=2010-2020&format=mobility.outbound",  # a year range (checked with pandas)
    "year=2005-2015&focus=KEN",  # a focus (a filter with a chip, a switch of the arc maps)
    "country=KEN&country_role=setting",  # a country in a role (the filter's, not the map's)
)


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


@pytest.fixture
def drawn(monkeypatch):
    """The figures sent to the renderer, in order; each 'rendered' as a small PNG."""
    figures = []
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), "white").save(buffer, "PNG")

    def fake(fig, fmt, *args, **kwargs):
        figures.append(fig)
        return buffer.getvalue()

    monkeypatch.setattr(export, "render_image", fake)
    monkeypatch.setattr(animate, "render_image", fake)
    return figures


def _text(html_text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_text.replace("<br>", " "))).strip()


def subtitle_of(fig) -> str:
    return _text(fig.layout.title.subtitle.text or "")


def footer_of(fig) -> str:
    (footer,) = [a.text for a in fig.layout.annotations if a.name == "caption-footer"]
    return _text(footer)


def chip_words(state, view: str | None = None) -> list[str]:
    """The value words of the page's chips (a switch's chip only for charts it changes),
    as a caption states them: a country's chip with its role, "Kenya (setting)", and the
    role button beside it are "setting country: Kenya"."""
    out = []
    for chip in chips(state):
        key = chip["props"]["id"]["index"].split("|")[0]
        if key == ROLE_CHIP:  # the role it names is in the words of the country's chip
            continue
        words = chip["props"]["children"][1]
        if FIELD[key].role_matched:
            role = state.country_role
            value = words.removesuffix(f" ({filter_role_word(role)})")
            assert value != words, words  # the chip names the role
            words = f"{filter_role_country(role).replace('country', FIELD[key].caption)}: {value}"
        if view is None or FIELD[key].is_filter or key in VIEWS[view].depends:
            out.append(words)
    return out


def states_count(eb, query: str) -> tuple[object, int]:
    state = parse_query(query)[0]
    return state, apply(eb, state).n_articles


def test_the_page_count_is_the_data_files_count(eb):
    """One independent check: pandas over the CSV agrees with the page's count."""
    raw = pd.read_csv(DEMO_PATH)
    outbound = raw["formats"].str.split(";").apply(lambda codes: "mobility.outbound" in codes)
    expected = int((outbound & raw["year"].between(2010, 2020)).sum())
    assert states_count(eb, STATES[0])[1] == expected == 72


@pytest.mark.parametrize("query", STATES)
def test_pictures_and_the_deck_state_the_count_and_the_chips(eb, drawn, query):
    state, n = states_count(eb, query)
    for view in EXPORT_VIEWS:
        export.export_image(eb, state, view, "png", width=1920, height=1000)
    deck = Presentation(io.BytesIO(export.export_deck(eb, state)))
    assert len(drawn) == 2 * len(EXPORT_VIEWS)
    for fig, view in zip(drawn, [*EXPORT_VIEWS, *EXPORT_VIEWS], strict=True):
        assert f"N = {n:,} articles" in footer_of(fig), view
        for words in chip_words(state, view):
            assert words in subtitle_of(fig), (view, words)
    title_slide = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert f"N = {n:,} of 350" in title_slide
    assert all(words in title_slide for words in chip_words(state, "map"))  # the filters


@pytest.mark.parametrize("query", STATES)
def test_animations_run_over_the_filtered_years_and_end_on_the_screen(eb, drawn, query):
    state, n = states_count(eb, query)
    gif = animate.export_animation(eb, state, "trends", "gif", width=640, height=360)
    first, last = state.year or (2000, 2020)
    assert len(drawn) == last - first + 1 and gif.startswith(b"GIF89a")
    step = [a.text for a in drawn[0].layout.annotations if a.name == "timeline-step"]
    assert step == [f"<b>{first}</b>"]
    assert f"N = {n:,} articles" in footer_of(drawn[-1])
    assert all(words in subtitle_of(drawn[-1]) for words in chip_words(state, "trends"))
    if state.year:
        assert f"{first}-{last}" in subtitle_of(drawn[-1])
        assert tuple(drawn[-1].layout.xaxis.range) == (first - 0.5, last + 0.5)


def test_a_late_year_range_animates_its_own_years(eb, drawn):
    """The issue's case: inbound mobility over 2005-2015 ends on the screen's 15."""
    state, n = states_count(eb, "year=2005-2015&format=mobility.inbound")
    animate.export_animation(eb, state, "map", "mp4", width=640, height=360)
    assert len(drawn) == 11 and n == 15
    assert "N = 15 articles" in footer_of(drawn[-1]) and "2005-2015" in subtitle_of(drawn[-1])


@pytest.mark.parametrize("query", STATES)
def test_tables_and_embeds_state_the_count_and_the_chips(eb, query):
    state, n = states_count(eb, query)
    rows = list(csv.DictReader(io.StringIO(
        export.export_table(eb, state, "articles", "csv").decode("utf-8-sig"))))  # fmt: skip
    assert len(rows) == n
    book = openpyxl.load_workbook(io.BytesIO(export.export_table(eb, state, "articles", "xlsx")))
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Articles"] == f"{n:,} of 350" and book["articles"].max_row == n + 1
    with zipfile.ZipFile(io.BytesIO(export.export_table(eb, state, "articles", "zip"))) as bundle:
        about_txt = bundle.read("about.txt").decode("utf-8")
    assert f"Articles: {n:,} of 350" in about_txt
    for words in chip_words(state, "map"):
        assert words in about["Filters"] and words in about_txt
    for view in ("flows", "trends"):
        page = embed_page(eb, view, query)
        assert f"N = {n:,} articles." in page
        subtitle = re.search(r'<p class="subtitle">(.*?)</p>', page)[1]
        assert all(words in subtitle for words in chip_words(state, view)), (view, subtitle)


@pytest.mark.parametrize("query", ["role=author", "align=row_share&stack=motivation"])
def test_switches_that_change_a_chart_are_in_its_subtitle(eb, drawn, query):
    state = parse_query(query)[0]  # role: the map's colouring (not the filter's role)
    expected = {"map": "Map colours countries by: Any author", "alignment": "Matrix values: Row shares",
                "trends": "Stack by: Motivations"}  # fmt: skip
    for view in EXPORT_VIEWS:
        export.export_image(eb, state, view, "svg")
    for fig, view in zip(drawn, EXPORT_VIEWS, strict=True):
        key = {"map": "role", "alignment": "align", "trends": "stack"}.get(view)
        if key and getattr(state, key) != FIELD[key].default:
            assert expected[view] in subtitle_of(fig)


def test_a_rendered_svg_says_the_count_and_the_years(eb):
    """The real renderer: the SVG's text holds the subtitle and N."""
    state, n = states_count(eb, STATES[0])
    svg = export.export_image(eb, state, "trends", "svg", width=1920, height=1000).decode()
    text = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))
    assert f"N = {n} articles" in text and "Outbound mobility, 2010-2020" in text


def test_a_charts_data_file_names_the_switches_that_shaped_it(eb):
    state = parse_query("year=2005-2015&focus=KEN&arcs=all")[0]
    book = openpyxl.load_workbook(io.BytesIO(export.export_table(eb, state, "flows", "xlsx")))
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    # the focus is a filter (with a chip): named once, with the filters
    assert about["Filters"] == "2005-2015, flows and partnerships of: Kenya"
    assert about["Settings"] == "All pairs"
    rows = book["flows"].iter_rows(min_row=2, values_only=True)
    header = [c.value for c in book["flows"][1]]
    o, d = header.index("origin"), header.index("destination")
    assert all("KEN" in (r[o], r[d]) for r in rows)  # the focus's pairs only
