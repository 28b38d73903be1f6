"""Slides that read at the back of the room: every chart, exported at the deck's picture
size, has every text at 14 pt or more at the picture's physical size (titles 18 pt), and
its content 0.3 in or more from every edge. Measured in the rendered files: font sizes
in the SVG (CSS px at the picture's px per inch, times any scale a text is drawn at),
the content's bounding box in the PNG."""

import io
import re

import pytest
from PIL import Image, ImageChops

from evidence import DEMO_PATH
from evidence.export import export_deck, export_image
from evidence.figures.theme import SLIDE_INCHES
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import EXPORT_VIEWS, VIEWS

QUERY = "year=2005-2020&origin_income=H,UM"  # a two-line-free subtitle, many arcs


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def svg_text_points(svg: str) -> list[tuple[float, str]]:
    """(size in pt at the deck's picture size, text) of every text element of the SVG."""
    per_inch = float(re.search(r'viewBox="0 0 ([\d.]+)', svg)[1]) / SLIDE_INCHES[0]
    out = []
    for attrs, body in re.findall(r"<text([^>]*)>(.*?)</text>", svg, flags=re.S):
        size = re.search(r"font-size: ?([\d.]+)px", attrs)
        if not size:
            continue
        scale = re.search(r"scale\(([\d.]+)", attrs)
        px = float(size[1]) * (float(scale[1]) if scale else 1.0)
        text = re.sub(r"<[^>]+>", "", body).strip()
        if text:
            out.append((px / per_inch * 72, text))
    return out


def margins_in(png: bytes) -> tuple[float, ...]:
    """Left, top, right, bottom distance (inches) of anything drawn from the edges."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    per_inch = image.size[0] / SLIDE_INCHES[0]
    w, h = image.size
    return tuple(x / per_inch for x in (box[0], box[1], w - box[2], h - box[3]))


@pytest.mark.parametrize("view", EXPORT_VIEWS)
def test_every_chart_reads_on_a_slide(eb, view):
    state = parse_query(QUERY)[0]
    svg = export_image(eb, state, view, "svg", slide=True).decode("utf-8")
    texts = svg_text_points(svg)
    small = [(round(pt, 1), text) for pt, text in texts if pt < 14]
    assert not small, small
    titles = [pt for pt, text in texts if text == VIEWS[view].title]
    assert titles and min(titles) >= 18
    png = export_image(eb, state, view, "png", slide=True)
    assert Image.open(io.BytesIO(png)).size == (1920, 1000)
    assert min(margins_in(png)) >= 0.3, margins_in(png)


def test_the_deck_uses_the_slide_pictures(eb, monkeypatch):
    """The deck asks for each chart's slide picture (and places it at the measured size)."""
    from pptx import Presentation
    from pptx.util import Inches

    import evidence.export as export

    asked = []
    real = export.export_image

    def spy(*args, **kwargs):
        asked.append(kwargs.get("slide"))
        buffer = io.BytesIO()
        Image.new("RGB", (1920, 1000), "white").save(buffer, "PNG")
        return buffer.getvalue()

    monkeypatch.setattr(export, "export_image", spy)
    deck = Presentation(io.BytesIO(export_deck(eb, parse_query(QUERY)[0])))
    monkeypatch.setattr(export, "export_image", real)
    assert asked == [True] * len(EXPORT_VIEWS)
    for slide in list(deck.slides)[1:]:
        (picture,) = [s for s in slide.shapes if s.shape_type == 13]
        assert abs(picture.width - Inches(SLIDE_INCHES[0])) < Inches(0.01)
        assert abs(picture.height - Inches(SLIDE_INCHES[1])) < Inches(0.01)


def test_a_slide_animation_has_the_slide_pictures_text(eb):
    """/slide/<view>.gif: every frame in the slide theme, at the slide's proportions."""
    from evidence.animate import animation_frames, export_animation
    from evidence.figures.theme import SLIDE_TEXT_PX

    state = parse_query("year=2018-2020")[0]
    frames = animation_frames(eb, state, "trends", slide=True)
    assert [w for w, _ in frames] == ["2018", "2018-2019", "2018-2020"]
    for _, fig in frames:
        sizes = re.findall(r"'size': ([\d.]+)", str(fig.to_dict()["layout"]))
        sizes += [str(t.textfont.size) for t in fig.data if t.textfont and t.textfont.size]
        assert min(float(s) for s in sizes) >= SLIDE_TEXT_PX
    gif = Image.open(io.BytesIO(export_animation(eb, state, "trends", "gif", slide=True)))
    assert gif.size[0] == 1280 and abs(gif.size[1] - 1280 * 1000 / 1920) <= 1
    assert gif.n_frames == 3
