"""Shared look of every figure: template, palette lookups, empty state and captions.

Category colours come from the codebook only. The few neutral greys used for text, grids
and "no data" are defined once here.
"""

from __future__ import annotations

import copy
import functools
import math
import os
import re
import textwrap
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import plotly.graph_objects as go

from evidence.codebook import load_codebook

FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans", "Liberation Sans", sans-serif'
)

# Neutral greys: the only colour literals allowed outside the codebook.
INK = "#222222"  # titles, values
MUTED = "#666666"  # subtitles, footers, axis labels
CAPTION_WIDTH = 1280  # CSS px a caption wraps to when the figure has no width yet
SUBTITLE_CHAR_PX = 7.0  # mean advance of a 13 px sans-serif character
SUBTITLE_LINES = 3
FOOTER_CHAR_PX = 6.2  # the same for the 11 px footer
FAINT = "#999999"  # zero counts, secondary text
GRID = "#E6E6E6"  # grid lines, borders
NO_DATA = "#E3E3E3"  # countries or cells without articles
LAND = "#F2F2F2"  # map land outside the reference table
WHITE = "#FFFFFF"

FOOTER_NAME = "caption-footer"
# Property validation of every figure on construction costs more than the aggregates
# behind it; the test suite turns it on (IOME_VALIDATE_FIGURES=1) so every builder's
# output is checked there, and the running app builds the same dicts without re-checking.
OKABE_ITO = {"orange": "#E69F00", "vermillion": "#D55E00"}  # the statuses' fixed colours
VALIDATE = os.environ.get("IOME_VALIDATE_FIGURES", "0") == "1"
CARTESIAN = frozenset({"bar", "heatmap", "scatter", "scattergl", "histogram", "box"})


def _template() -> dict:
    """The shared template as a plain dict: figures built as dicts carry it as they are,
    and a cached figure unpickles without rebuilding (and re-validating) a plotly object
    (a Template object cost 30 ms per click in the cache read alone)."""
    cb = load_codebook()
    colorway = list(dict.fromkeys(g.colour for g in cb.groups.values()))
    axis = {
        "gridcolor": GRID,
        "linecolor": GRID,
        "zerolinecolor": GRID,
        "ticks": "",
        "title": {"font": {"color": MUTED}},
        "tickfont": {"color": MUTED},
        "automargin": True,
    }
    return go.layout.Template(
        layout={
            "font": {"family": FONT_FAMILY, "size": 13, "color": INK},
            "paper_bgcolor": WHITE,
            "plot_bgcolor": WHITE,
            "colorway": colorway,
            "title": {"x": 0, "xanchor": "left", "font": {"size": 17, "color": INK}},
            "xaxis": axis,
            "yaxis": axis,
            "legend": {"font": {"size": 12}, "bgcolor": "rgba(0,0,0,0)"},
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}, "align": "left"},
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "separators": ".,",
        }
    ).to_plotly_json()  # checked once here


TEMPLATE = _template()  # read-only: shared by every figure


# --------------------------------------------------------------------------- colours
def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``"#0072B2"`` -> ``(0, 114, 178)``."""
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def mix(colour: str, other: str, weight: float) -> str:
    """Blend ``weight`` of ``colour`` with ``1 - weight`` of ``other`` (hex in, hex out)."""
    a, b = hex_to_rgb(colour), hex_to_rgb(other)
    rgb = (round(weight * x + (1 - weight) * y) for x, y in zip(a, b, strict=True))
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def tint(colour: str, weight: float) -> str:
    """A lighter version of ``colour``: ``weight`` of it on white."""
    return mix(colour, WHITE, weight)


def sequential_scale(steps: int = 6, gamma: float = 0.5) -> list[list]:
    """Single-hue blue scale (codebook high-income blue), colour-blind safe.

    Stop positions follow ``(i / steps) ** (1 / gamma)``, so low counts get more of the
    colour range: a few countries with many articles do not wash out the rest.
    """
    blue = load_codebook().income_groups["H"]["colour"]
    scale = []
    for i in range(steps + 1):
        p = i / steps
        shade = tint(blue, 0.25 + 0.75 * p / 0.75) if p <= 0.75 else mix(blue, INK, 1.75 - p)
        scale.append([p ** (1 / gamma), shade])
    return scale


def group_colour(name: str) -> str:
    """Colour of a format or motivation group (or of a code's group)."""
    cb = load_codebook()
    if name in cb.groups:
        return cb.groups[name].colour
    if name in cb.codes:
        return cb.codes[name].colour
    return FAINT


def direction_style(direction: str) -> dict:
    """Label, colour and dash style of a direction class, from the codebook."""
    spec = load_codebook().directions.get(direction) or load_codebook().directions["unclassified"]
    return {"label": spec["label"], "colour": spec["colour"], "dash": spec.get("dash", "solid")}


def status_colour(status: str) -> str:
    """Background colour of an alignment status, picked from codebook (Okabe-Ito) colours.

    Blue / orange / vermillion stay apart under the common colour-vision deficiencies;
    "not assessed" is neutral. Every status also carries a symbol, so colour is not the
    only cue.
    """
    cb = load_codebook()
    colours = {
        "aligned": cb.income_groups["H"]["colour"],  # blue
        "tension": OKABE_ITO["orange"],
        "misaligned": OKABE_ITO["vermillion"],
    }
    return colours.get(status, NO_DATA)


def count_step(top: float, ticks: int = 6) -> int:
    """The step between ticks of a count axis up to ``top``: a whole number (1, 2, 5,
    10, 20, 50, ...), so the axis never shows half an article, with at most ``ticks``
    steps."""
    step = 1
    while top / step > ticks:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2  # 1, 2, 5, 10, 20, 50
    return step


# --------------------------------------------------------------------------- layout helpers
EMPTY_HINT = "Remove a filter or widen the years"


def _wrap(text: str, width: int) -> str:
    """Break plain text onto lines of at most ``width`` characters with ``<br>``, so it
    fits a phone-wide figure (Plotly text never wraps by itself)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


_SPECS_ONLY: ContextVar[bool] = ContextVar("specs_only", default=False)


@contextmanager
def specs_only():
    """Within this block, builders return their plain {"data", "layout"} dict.

    The dashboard sends figures straight to the browser; skipping the go.Figure wrapper
    (which deep-copies and re-encodes every array) halves the cost of a click. Exports
    and tests use the go.Figure form, built by the same code from the same dict.
    """
    token = _SPECS_ONLY.set(True)
    try:
        yield
    finally:
        _SPECS_ONLY.reset(token)


_IN_BROWSER: ContextVar[bool] = ContextVar("drawn_in_browser", default=False)


@contextmanager
def drawn_in_browser():
    """Within this block (and :func:`specs_only`), figures leave out what the dashboard's
    browser can work out itself (assets/figures.js): an arc map's vertices, arrowheads and
    hover targets, computed from each arc's ends; the world map's hover lines for the
    countries without articles, from a static table of names and income groups
    (assets/countries.js). Placeholders name what goes where. The browser's result is
    the figure files get (checked in Chromium by tests/e2e/test_drawn_in_browser.py)."""
    token = _IN_BROWSER.set(True)
    try:
        yield
    finally:
        _IN_BROWSER.reset(token)


def browser_draws() -> bool:
    """True inside :func:`drawn_in_browser` when figures are plain dicts."""
    return _IN_BROWSER.get() and gives_specs()


def gives_specs() -> bool:
    """True when :func:`new_figure` returns the plain dict (see :func:`specs_only`)."""
    return _SPECS_ONLY.get() and not VALIDATE


def new_figure(spec: dict | None = None) -> go.Figure:
    """A go.Figure from a {"data": [...], "layout": {...}} dict (validated when VALIDATE);
    the dict itself inside :func:`specs_only`."""
    spec = spec or {}
    if gives_specs():
        return {"data": spec.get("data", []), "layout": spec.get("layout", {})}
    return go.Figure(data=spec.get("data"), layout=spec.get("layout"), _validate=VALIDATE)


def empty_figure(
    message: str = "No articles match these filters",
    *,
    height: int | None = None,
    hint: str = EMPTY_HINT,
):
    """A designed empty state: no axes, a centred message on a light panel and a hint,
    wrapped so that it fits a phone-wide graph too. Inside :func:`specs_only` its plain
    dict (a copy of one built once per message: validating the template into a
    go.Figure cost 60 ms a chart on a click that left no article)."""
    if gives_specs():
        # a fresh copy, sharing the read-only template as every figure does
        return copy.deepcopy(_empty_spec(message, height, hint), {id(TEMPLATE): TEMPLATE})
    fig = go.Figure()
    fig.update_layout(_empty_spec(message, height, hint)["layout"])
    return fig


@functools.lru_cache(maxsize=64)
def _empty_spec(message: str, height: int | None, hint: str) -> dict:
    text = {"xref": "paper", "yref": "paper", "x": 0.5, "showarrow": False}
    panel = {"type": "rect", "xref": "paper", "yref": "paper", "x0": 0, "x1": 1, "y0": 0,
             "y1": 1, "fillcolor": LAND, "line": {"width": 0}, "layer": "below"}  # fmt: skip
    layout = {
        "template": TEMPLATE,
        "xaxis": {"visible": False, "fixedrange": True},
        "yaxis": {"visible": False, "fixedrange": True},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "shapes": [panel],
        "annotations": [
            {**text, "text": _wrap(message, 34), "y": 0.5, "yanchor": "bottom", "yshift": 2,
             "font": {"size": 16, "color": INK}},
            {**text, "text": _wrap(hint, 40), "y": 0.5, "yanchor": "top", "yshift": -6,
             "font": {"size": 13, "color": MUTED}},
        ],
        "hovermode": False,
        "dragmode": False,
        "meta": {"empty": True, "message": message},
    }  # fmt: skip
    if height is not None:
        layout["height"] = height
    return {"data": [], "layout": layout}


def is_empty_figure(fig: go.Figure) -> bool:
    """True for a figure made by :func:`empty_figure` (a go.Figure or its dict)."""
    if isinstance(fig, dict):
        meta = fig.get("layout", {}).get("meta")
        return isinstance(meta, Mapping) and bool(meta.get("empty"))
    return isinstance(fig.layout.meta, Mapping) and bool(fig.layout.meta.get("empty"))


@dataclass(frozen=True)
class Caption:
    """Text that travels with a figure: title, optional subtitle and footer."""

    title: str
    subtitle: str | None = None
    footer: str | None = None


CaptionLike = Caption | Mapping | str | None


def as_caption(caption: CaptionLike) -> Caption | None:
    """Accept a :class:`Caption`, a mapping with its fields, a bare title or None."""
    if caption is None or isinstance(caption, Caption):
        return caption
    if isinstance(caption, str):
        return Caption(caption)
    return Caption(**dict(caption))


@dataclass(frozen=True)
class CaptionStyle:
    """Sizes of a caption, in CSS px of the figure's layout: the screen's, or a slide's
    (:data:`SLIDE_STYLE`, which must read at the back of a room)."""

    name: str = "screen"
    title_px: int = 17
    subtitle_px: int = 13
    footer_px: int = 11
    pad: int = 12  # the title's distance from the top and left edges
    footer_lines: int = 4  # per line of the footer as given


SCREEN_STYLE = CaptionStyle()

# A slide: the deck's picture is SLIDE_INCHES on the slide and SLIDE_PIXELS as a file,
# laid out SLIDE_LAYOUT_WIDTH CSS px across, so 1 pt of text is SLIDE_PX_PER_PT px.
SLIDE_INCHES = (11.71, 6.1)
SLIDE_PIXELS = (1920, 1000)
SLIDE_LAYOUT_WIDTH = 960
SLIDE_PX_PER_PT = SLIDE_LAYOUT_WIDTH / SLIDE_INCHES[0] / 72
SLIDE_MIN_PT, SLIDE_TITLE_PT, SLIDE_MARGIN_IN = 14, 18, 0.3
SLIDE_MAP_PX = 420  # an arc map's width on a slide, beside its matrix
SLIDE_TEXT_PX = math.ceil(SLIDE_MIN_PT * SLIDE_PX_PER_PT)  # every chart text: 16 px
SLIDE_MARGIN_PX = math.ceil(SLIDE_MARGIN_IN * SLIDE_LAYOUT_WIDTH / SLIDE_INCHES[0]) + 4
SLIDE_STYLE = CaptionStyle(
    "slide",
    title_px=math.ceil(SLIDE_TITLE_PT * SLIDE_PX_PER_PT) + 1,
    subtitle_px=SLIDE_TEXT_PX,
    footer_px=SLIDE_TEXT_PX,
    pad=SLIDE_MARGIN_PX,
    footer_lines=2,
)


def _style(name: str | None) -> CaptionStyle:
    return SLIDE_STYLE if name == SLIDE_STYLE.name else SCREEN_STYLE


def _axis_offset(fig: go.Figure, side: str, grow: float = 1.0) -> int:
    """Pixels outside the plot area taken by x tick labels (and axis titles) on ``side``
    ("top" or "bottom"); 0 for maps. An estimate: annotations cannot be placed relative
    to the figure edge, so the caption makes room for the labels. ``grow``: the text's
    size against the screen's."""
    if not any(tr.type in CARTESIAN for tr in fig.data):
        return 0
    offset = 0
    for axis in fig.select_xaxes():
        if axis.visible is False or (axis.side or "bottom") != side:
            continue
        longest, lines = None, 1
        if axis.ticktext:  # labels of their own (a slide's re-wrapped or slanted ones)
            split = [str(t).split("<br>") for t in axis.ticktext]
            longest = max((len(line) for t in split for line in t), default=None)
            lines = max((len(t) for t in split), default=1)
        ticks = 30 + 16 * (lines - 1)
        if axis.tickangle not in (None, 0, "auto"):
            angle = math.radians(axis.tickangle)
            longest = longest or _longest_tick(fig)
            ticks = longest * 6.5 * abs(math.sin(angle)) + 16 * lines * abs(math.cos(angle)) + 24
        own = ticks + (34 if axis.title and axis.title.text else 0)
        offset = max(offset, int(own * grow))
    return offset


def _legend_below(fig: go.Figure, width: int = 1100, grow: float = 1.0) -> int:
    """Pixels taken by a horizontal legend hung under the plot area (maps put their key
    there), estimated for a figure about ``width`` pixels wide, so a footer goes below it."""
    legend = fig.layout.legend
    below = legend.y is not None and (legend.y < 0 or (legend.y == 0 and legend.yanchor == "top"))
    if legend.orientation != "h" or not below:
        return 0
    entries = [t for t in fig.data if t.showlegend is not False and t.name]
    chars = sum(len(str(t.name)) for t in entries)
    rows = max(1, math.ceil((chars * 7 + len(entries) * 50) * grow / width))
    text = legend.title.text if legend.title else None
    title = 16 * (text.count("<br>") + 1) + 4 if text else 0  # a line per title line
    return int((title + 22 * rows) * grow)


def _longest_tick(fig: go.Figure) -> int:
    """Characters in the longest line of any category tick label (x values of traces)."""
    longest = 4
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if not isinstance(xs, list | tuple) or not xs or not isinstance(xs[0], str):
            continue
        longest = max(longest, *(len(line) for x in xs for line in str(x).split("<br>")))
    return longest


def apply_caption(
    fig: go.Figure,
    *,
    title: str,
    subtitle: str | None = None,
    footer: str | None = None,
    style: str | None = None,
) -> go.Figure:
    """Write a title, a subtitle and a footer into the figure itself (in place; returned).

    The title block is pinned to the top edge and the footer sits under the plot area
    (below any x tick labels), so an exported PNG names its source, N and whether the
    data are synthetic. Calling it again replaces the previous caption. A long subtitle
    (the filters in words) wraps to the figure's width (``layout.width``, else
    ``CAPTION_WIDTH``) in at most ``SUBTITLE_LINES`` lines. ``style`` "slide" sizes the
    text for a projected slide (:data:`SLIDE_STYLE`).
    """
    raw_subtitle = subtitle
    look = _style(style)
    grow = look.subtitle_px / SCREEN_STYLE.subtitle_px
    width = fig.layout.width or CAPTION_WIDTH
    room = width - 2 * look.pad
    lines = wrap_lines(subtitle or "", max(40, int(room / (SUBTITLE_CHAR_PX * grow))))
    subtitle = "<br>".join(lines) if lines else subtitle
    title_spec: dict = {
        "text": f"<b>{title}</b>" if title else "",
        "x": 0,
        "xref": "container",
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": look.pad, "l": look.pad},
        "subtitle": {"text": subtitle or "", "font": {"size": look.subtitle_px, "color": MUTED}},
    }
    if look is not SCREEN_STYLE:
        title_spec["font"] = {"size": look.title_px, "color": INK}
    kept = [a for a in fig.layout.annotations if a.name != FOOTER_NAME]
    # The builder's own margins (room for a top legend or panel titles) are kept in meta,
    # so that captioning twice does not grow the figure.
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, Mapping) else {}
    base = meta.setdefault(
        "base_margin", {"t": fig.layout.margin.t or 10, "b": fig.layout.margin.b or 10}
    )
    # kept so that a figure laid out at another width can be captioned again (rewrapped)
    meta["caption"] = {"title": title, "subtitle": raw_subtitle, "footer": footer,
                       "style": look.name}  # fmt: skip
    title_h = round(look.title_px * 30 / 17) if title else 0
    sub_h = round(look.subtitle_px * (22 + 17 * (len(lines) - 1)) / 13) if subtitle else 0
    top = look.pad + title_h + sub_h + max(_axis_offset(fig, "top", grow), base["t"])
    bottom = base["b"]
    if footer:
        axis, legend = _axis_offset(fig, "bottom", grow), _legend_below(fig, grow=grow)
        # a map's key and a matrix's labels beside it (files of the arc maps) sit side by
        # side; a chart's legend goes under its axis labels
        beside = any(t.type in ("scattergeo", "choropleth") for t in fig.data)
        offset = max(axis, legend) if beside else axis + legend
        if fig.layout.width:  # laid out for export: wrap to the room right of the axis
            # labels (estimated: annotations cannot be placed relative to the container)
            room -= 120 * grow if any(t.type in CARTESIAN for t in fig.data) else 0
            chars = max(40, int(room / (FOOTER_CHAR_PX * look.footer_px / 11)))
            footer = "<br>".join(
                wrapped
                for line in footer.split("<br>")
                for wrapped in wrap_lines(line, chars, max_lines=look.footer_lines)
            )
        kept.append(
            go.layout.Annotation(
                name=FOOTER_NAME,
                text=footer,
                xref="paper",
                yref="paper",
                x=0,
                y=0,
                xanchor="left",
                yanchor="top",
                yshift=-(offset + 8),
                showarrow=False,
                align="left",
                font={"size": look.footer_px, "color": MUTED},
            )
        )
        line_h = round(look.footer_px * 15 / 11)
        below = 10 if look is SCREEN_STYLE else look.pad  # under the footer's last line
        bottom = max(bottom, offset + 8 + below + line_h * (footer.count("<br>") + 1))
    fig.update_layout(title=title_spec, annotations=kept, margin={"t": top, "b": bottom}, meta=meta)
    return fig


def recaption(fig: go.Figure) -> go.Figure:
    """Caption a figure again with its own caption, after its width changed."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, Mapping) else {}
    cap = meta.get("caption")
    return apply_caption(fig, **cap) if cap else fig


def wrap_lines(text: str, chars: int, max_lines: int | None = None) -> list[str]:
    """``text`` broken at spaces into lines of at most ``chars`` characters; past
    ``max_lines`` (default ``SUBTITLE_LINES``) the last line ends with an ellipsis."""
    max_lines = max_lines or SUBTITLE_LINES
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], last[: max(0, chars - 2)].rstrip(" ,;") + " …"]
    return lines


def caption_figure(fig: go.Figure, caption: CaptionLike) -> go.Figure:
    """Apply an optional caption given in any accepted form."""
    cap = as_caption(caption)
    if cap is None:
        return fig
    return apply_caption(fig, title=cap.title, subtitle=cap.subtitle, footer=cap.footer)


# --------------------------------------------------------------------------- slides
_FONT_KEYS = ("font", "tickfont", "textfont", "insidetextfont", "outsidetextfont")


def _at_least(size, least: float):
    """A font size (or an array of them) raised to ``least``."""
    if isinstance(size, list | tuple):
        return [_at_least(x, least) for x in size]
    if hasattr(size, "tolist"):
        return _at_least(size.tolist(), least)
    return max(float(size), least) if isinstance(size, int | float) else least


def _raise_fonts(node, least: float) -> None:
    """Every font size set in a figure's dict (data, layout, template) raised to ``least``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _FONT_KEYS and isinstance(value, dict):
                value["size"] = _at_least(value.get("size", least), least)
            _raise_fonts(value, least)
    elif isinstance(node, list | tuple):
        for item in node:
            _raise_fonts(item, least)


_EM = 0.62  # a generous mean glyph width, in em (DejaVu Sans, the renderer's sans-serif)


def _y_labels(fig: go.Figure, axis_name: str) -> list[str]:
    """The tick labels of a y axis: its tick text, else its traces' category values, else
    a number's width."""
    axis = fig.layout[axis_name]
    if axis.ticktext:
        return [str(t) for t in axis.ticktext]
    ref = "y" + axis_name[5:]
    labels = []
    for trace in fig.data:
        ys = getattr(trace, "y", None)
        if (getattr(trace, "yaxis", None) or "y") == ref and ys is not None and len(ys):
            labels += [str(y) for y in ys if isinstance(y, str)]
    return labels or ["9,999"]


def _left_room(fig: go.Figure, font_px: float) -> int:
    """CSS px the left y axes' tick labels and titles take (estimated generously), so a
    slide's left margin holds them with SLIDE_MARGIN_PX to spare (an axis's automargin
    would otherwise put them flush against the edge)."""
    if not any(t.type in CARTESIAN for t in fig.data):
        return 0
    room = 0
    for name in [k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]:
        axis = fig.layout[name]
        if axis.visible is False or axis.side == "right" or axis.showticklabels is False:
            continue
        anchor = axis.anchor if axis.anchor and axis.anchor != "free" else "x"
        x_axis = fig.layout["xaxis" + anchor[1:]]
        if x_axis.domain and x_axis.domain[0] > 0.05:  # beside another panel, not at the edge
            continue
        lines = [line for label in _y_labels(fig, name) for line in label.split("<br>")]
        width = max(len(re.sub(r"<[^>]+>", "", line)) for line in lines) * _EM * font_px + 6
        title = axis.title.text if axis.title else None
        room = max(room, int(width + (font_px * 1.5 + 8 if title else 0)))
    return room


def _x_labels(fig: go.Figure, name: str) -> list[str]:
    """The category tick labels of an x axis (its tick text, else its traces' x values)."""
    axis = fig.layout[name]
    if axis.ticktext:
        return [str(t) for t in axis.ticktext]
    ref = "x" + name[5:]
    return [str(x) for t in fig.data if (getattr(t, "xaxis", None) or "x") == ref
            and t.type in ("heatmap", "bar") and getattr(t, "x", None) is not None
            for x in t.x if isinstance(x, str)]  # fmt: skip


def _slant_crowded_ticks(fig: go.Figure) -> None:
    """Category labels wider than their column at the slide's size: one line, slanted."""
    layout = fig.layout
    plot_width = layout.width - (layout.margin.l or 0) - (layout.margin.r or 0)
    for name in [k for k in layout.to_plotly_json() if k.startswith("xaxis")]:
        labels = list(dict.fromkeys(_x_labels(fig, name)))
        if not labels:
            continue
        domain = layout[name].domain or (0, 1)
        column = (domain[1] - domain[0]) * plot_width / len(labels)
        lines = [line for label in labels for line in label.split("<br>")]
        if max(map(len, lines)) * _EM * SLIDE_TEXT_PX <= column * 0.95:
            continue
        flat = [label.replace("-<br>", "-").replace("<br>", " ") for label in labels]
        fits = int(column * 0.95 / (_EM * SLIDE_TEXT_PX))
        rewrapped = [wrap_lines(label, fits, max_lines=99) for label in flat]
        if fits >= 6 and all(  # words fit a column, a few lines each: wrapped, upright
            len(r) <= 4 and max(map(len, r)) <= fits for r in rewrapped
        ):
            ticks, angle = ["<br>".join(r) for r in rewrapped], 0
        else:  # upright lines side by side (slanted, a long name ate the plot's height)
            ticks = ["<br>".join(wrap_lines(label, 18, max_lines=4)) for label in flat]
            angle = -90
        if layout[name].ticktext:
            layout[name].ticktext = ticks
        else:
            layout[name].update(tickmode="array", tickvals=labels, ticktext=ticks)
        layout[name].tickangle = angle


def _widen_keys(spec: dict) -> None:
    """A horizontal colour key (the map's) as wide as its title at the slide's size, so
    the title, centred over the key, stays inside the picture."""
    for trace in spec.get("data", []):
        bar = trace.get("colorbar")
        if not isinstance(bar, dict) or bar.get("orientation") != "h":
            continue
        if bar.get("lenmode") == "pixels":
            words = re.sub(r"<[^>]+>", "\n", (bar.get("title") or {}).get("text") or "")
            longest = max((len(w) for w in words.split("\n")), default=0)
            bar["len"] = max(bar.get("len") or 0, int(longest * _EM * SLIDE_TEXT_PX) + 8)


def slide_figure(fig: go.Figure, footer: str | None = None) -> go.Figure:
    """The captioned figure laid out for a projected slide: SLIDE_LAYOUT_WIDTH px across
    the deck's picture, every text at least SLIDE_MIN_PT and the title SLIDE_TITLE_PT at
    the picture's size in the room, margins of SLIDE_MARGIN_IN, and ``footer`` (one
    line: N, source, synthetic mark; the rest goes to the slide's notes)."""
    spec = fig.to_dict()
    _raise_fonts(spec, SLIDE_TEXT_PX)
    layout = spec.setdefault("layout", {})
    height = round(SLIDE_LAYOUT_WIDTH * SLIDE_PIXELS[1] / SLIDE_PIXELS[0])
    layout.update(width=SLIDE_LAYOUT_WIDTH, height=height)
    layout.setdefault("font", {})["size"] = SLIDE_TEXT_PX
    margin = layout.setdefault("margin", {})
    for side in ("l", "r", "t", "b"):
        margin[side] = max(margin.get(side) or 0, SLIDE_MARGIN_PX)
    margin["l"] = max(margin["l"], SLIDE_MARGIN_PX + _left_room(fig, SLIDE_TEXT_PX))
    # bar labels never shrunk below the slide's size
    layout["uniformtext"] = {"minsize": SLIDE_TEXT_PX, "mode": "show"}
    _widen_keys(spec)
    meta = dict(layout.get("meta") or {})
    base = dict(meta.get("base_margin") or {"t": 10, "b": 10})
    meta["base_margin"] = {**base, "b": max(base.get("b") or 0, SLIDE_MARGIN_PX)}
    layout["meta"] = meta
    out = go.Figure(spec)
    _slant_crowded_ticks(out)
    for trace in out.data:
        if isinstance(trace.meta, Mapping) and trace.meta.get("kind") == "labels":
            from evidence.figures.labels import thin_labels  # the arc maps' country names

            layer = {"lon": trace.lon, "lat": trace.lat, "text": trace.text, "meta": trace.meta}
            trace.update(thin_labels(layer, SLIDE_TEXT_PX, SLIDE_MAP_PX))
    cap = dict(meta.get("caption") or {})
    if cap:
        cap["style"] = SLIDE_STYLE.name
        cap["footer"] = cap.get("footer") if footer is None else footer
        apply_caption(out, **cap)
    return out


def footer_text(
    *,
    n_articles: int,
    source: str | None = None,
    version: str | None = None,
    synthetic: bool = False,
    filters: str | None = None,
) -> str:
    """A one-line footer: N, counting rule, data source and version, filters, synthetic mark."""
    parts = [f"N = {n_articles:,} articles; an article counts once in each category it is coded"]
    if filters:
        parts.append(f"Filters: {filters}")
    src = source or load_codebook().source_note
    parts.append(f"Source: {src}" + (f" (version {version})" if version else ""))
    text = "<br>".join(parts)
    if synthetic:
        text += "<br><b>SYNTHETIC DEMO DATA - not real articles</b>"
    return text


def side_by_side(
    n: int,
    *,
    gap: float = 0.04,
    titles: list[str] | None = None,
    shared_y: bool = True,
    titles_below: bool = False,
) -> dict:
    """Layout entries for ``n`` panels in one row.

    A light replacement for ``make_subplots`` (which costs several ms per call): returns
    ``xaxis``, ``xaxis2``... with their domains and panel titles as annotations. With
    ``shared_y`` every panel uses ``yaxis`` (traces set ``xaxis="x2"``...); otherwise panel
    ``i`` gets its own ``yaxis{i}`` (traces set ``xaxis="x2", yaxis="y2"``...). Panel
    titles go above the panels, or below them with ``titles_below`` (when x ticks are on
    top).
    """
    width = (1 - gap * (n - 1)) / n
    layout: dict = {}
    annotations = []
    for i in range(n):
        lo = i * (width + gap)
        suffix = "" if i == 0 else str(i + 1)
        y_ref = "y" if shared_y else f"y{suffix}"
        layout[f"xaxis{suffix}"] = {"domain": [lo, lo + width], "anchor": y_ref}
        if not shared_y:
            layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0, 1]}
        if titles:
            annotations.append(
                {
                    "text": titles[i],
                    "xref": "paper",
                    "yref": "paper",
                    "x": lo,
                    "y": 0 if titles_below else 1,
                    "yshift": -6 if titles_below else 8,
                    "xanchor": "left",
                    "yanchor": "top" if titles_below else "bottom",
                    "showarrow": False,
                    "font": {"size": 14, "color": INK},
                }
            )
    layout["annotations"] = annotations
    return layout
