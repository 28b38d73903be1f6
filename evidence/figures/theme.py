"""Shared look of every figure: template, palette lookups, empty state and captions.

Category colours come from the codebook only. The few neutral greys used for text, grids
and "no data" are defined once here.
"""

from __future__ import annotations

import math
import os
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
    wrapped so that it fits a phone-wide graph too."""
    fig = go.Figure()
    text = {"xref": "paper", "yref": "paper", "x": 0.5, "showarrow": False}
    fig.update_layout(
        template=TEMPLATE,
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True},
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        shapes=[
            {
                "type": "rect",
                "xref": "paper",
                "yref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 1,
                "fillcolor": LAND,
                "line": {"width": 0},
                "layer": "below",
            }
        ],
        annotations=[
            {
                **text,
                "text": _wrap(message, 34),
                "y": 0.5,
                "yanchor": "bottom",
                "yshift": 2,
                "font": {"size": 16, "color": INK},
            },
            {
                **text,
                "text": _wrap(hint, 40),
                "y": 0.5,
                "yanchor": "top",
                "yshift": -6,
                "font": {"size": 13, "color": MUTED},
            },
        ],
        hovermode=False,
        dragmode=False,
        meta={"empty": True, "message": message},
    )
    return fig


def is_empty_figure(fig: go.Figure) -> bool:
    """True for a figure made by :func:`empty_figure`."""
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


def _axis_offset(fig: go.Figure, side: str) -> int:
    """Pixels outside the plot area taken by x tick labels (and axis titles) on ``side``
    ("top" or "bottom"); 0 for maps. An estimate: annotations cannot be placed relative
    to the figure edge, so the caption makes room for the labels."""
    if not any(tr.type in CARTESIAN for tr in fig.data):
        return 0
    offset = 0
    for axis in fig.select_xaxes():
        if axis.visible is False or (axis.side or "bottom") != side:
            continue
        ticks = 30
        if axis.tickangle not in (None, 0, "auto"):
            sin = abs(math.sin(math.radians(axis.tickangle)))
            ticks = _longest_tick(fig) * 6.5 * sin + 24
        own = ticks + (34 if axis.title and axis.title.text else 0)
        offset = max(offset, int(own))
    return offset


def _legend_below(fig: go.Figure, width: int = 1100) -> int:
    """Pixels taken by a horizontal legend hung under the plot area (maps put their key
    there), estimated for a figure about ``width`` pixels wide, so a footer goes below it."""
    legend = fig.layout.legend
    below = legend.y is not None and (legend.y < 0 or (legend.y == 0 and legend.yanchor == "top"))
    if legend.orientation != "h" or not below:
        return 0
    entries = [t for t in fig.data if t.showlegend is not False and t.name]
    chars = sum(len(str(t.name)) for t in entries)
    rows = max(1, math.ceil((chars * 7 + len(entries) * 50) / width))
    title = 20 if legend.title and legend.title.text else 0
    return title + 22 * rows


def _longest_tick(fig: go.Figure) -> int:
    """Characters in the longest line of any category tick label (x values of traces)."""
    longest = 4
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is None or not len(xs) or not isinstance(xs[0], str):
            continue
        longest = max(longest, *(len(line) for x in xs for line in str(x).split("<br>")))
    return longest


def apply_caption(
    fig: go.Figure, *, title: str, subtitle: str | None = None, footer: str | None = None
) -> go.Figure:
    """Write a title, a subtitle and a footer into the figure itself (in place; returned).

    The title block is pinned to the top edge and the footer sits under the plot area
    (below any x tick labels), so an exported PNG names its source, N and whether the
    data are synthetic. Calling it again replaces the previous caption. A long subtitle
    (the filters in words) wraps to the figure's width (``layout.width``, else
    ``CAPTION_WIDTH``) in at most ``SUBTITLE_LINES`` lines.
    """
    raw_subtitle = subtitle
    width = fig.layout.width or CAPTION_WIDTH
    lines = wrap_lines(subtitle or "", max(40, int((width - 24) / SUBTITLE_CHAR_PX)))
    subtitle = "<br>".join(lines) if lines else subtitle
    title_spec: dict = {
        "text": f"<b>{title}</b>" if title else "",
        "x": 0,
        "xref": "container",
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 12, "l": 12},
        "subtitle": {"text": subtitle or "", "font": {"size": 13, "color": MUTED}},
    }
    kept = [a for a in fig.layout.annotations if a.name != FOOTER_NAME]
    # The builder's own margins (room for a top legend or panel titles) are kept in meta,
    # so that captioning twice does not grow the figure.
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, Mapping) else {}
    base = meta.setdefault(
        "base_margin", {"t": fig.layout.margin.t or 10, "b": fig.layout.margin.b or 10}
    )
    # kept so that a figure laid out at another width can be captioned again (rewrapped)
    meta["caption"] = {"title": title, "subtitle": raw_subtitle, "footer": footer}
    head = 12 + (30 if title else 0) + (22 + 17 * (len(lines) - 1) if subtitle else 0)
    top = head + max(_axis_offset(fig, "top"), base["t"])
    bottom = base["b"]
    if footer:
        offset = _axis_offset(fig, "bottom") + _legend_below(fig)
        if fig.layout.width:  # laid out for export: wrap to the room right of the axis
            # labels (estimated: annotations cannot be placed relative to the container)
            room = width - 24 - (120 if any(t.type in CARTESIAN for t in fig.data) else 0)
            chars = max(40, int(room / FOOTER_CHAR_PX))
            footer = "<br>".join(
                wrapped
                for line in footer.split("<br>")
                for wrapped in wrap_lines(line, chars, max_lines=4)
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
                font={"size": 11, "color": MUTED},
            )
        )
        bottom = max(bottom, offset + 18 + 15 * (footer.count("<br>") + 1))
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
