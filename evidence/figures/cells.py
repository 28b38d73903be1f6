"""Matrices and bar lists read off their Plotly figures, for drawing as HTML.

On the dashboard the income-group matrix, the alignment matrix and the partnership
bars are HTML tables of buttons, not Plotly graphs: they need no canvas, a click on a
cell is a real button (keyboard and screen reader included), they print, and redrawing
them costs a few milliseconds instead of a Plotly redraw. Pictures, slides and embeds
keep the Plotly figure, and the tables are read from that same figure, so both show the
same numbers, words, colours and click keys.

Pure: a figure in, plain data out. :func:`cells_json` is what the dashboard sends; the
browser draws it (assets/cells.js) outside Dash's component tree, which would otherwise
cost more to update than the Plotly redraw it replaces.
"""

from __future__ import annotations

import base64
import functools
import itertools
import math
import re
from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np

from evidence.figures.theme import INK, hex_to_rgb

_TAG = re.compile(r"<[^>]+>")
GAP_TEXT = "Gap"  # an evidence gap map's empty cell (evidence.figures.gapmap): marked


def plain(text) -> str:
    """Plotly rich text as plain text: ``<br>`` becomes a line break, tags go."""
    if text is None:
        return ""
    text = str(text).replace("<br>", "\n").replace("<br/>", "\n")
    return _TAG.sub("", text).replace("&amp;", "&").strip()


@dataclass(frozen=True)
class Cell:
    """One matrix cell: its text (lines), whether it is emphasised, background and text
    colours, what a screen reader and a tooltip say, and its click key ("" for none)."""

    text: str
    fill: str
    ink: str
    label: str
    key: str = ""
    strong: bool = False
    selected: bool | None = None  # in the chart's selection (None: the chart has none)
    gap: bool = False  # an evidence gap: no article (drawn hatched, said in words)


@dataclass(frozen=True)
class Matrix:
    """A table of cells: column heads (with their title) and row heads (with theirs)."""

    columns: tuple[str, ...]
    rows: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    column_title: str = ""
    row_title: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    note: str  # a grey remark after the label, e.g. "(North to South)"
    value: float
    text: str
    colour: str
    fraction: float  # of the longest bar's track, 0-1
    key: str = ""
    selected: bool | None = None  # in the chart's selection (None: the chart has none)


@dataclass(frozen=True)
class Bars:
    title: str
    bars: tuple[Bar, ...]
    unit: str = "articles"


@dataclass(frozen=True)
class Legend:
    title: str
    items: tuple[tuple[str, str], ...]  # (colour, label)


@dataclass(frozen=True)
class Empty:
    message: str


@dataclass(frozen=True)
class Cells:
    """What the HTML chart shows, in order, and its selection: whether it holds one
    (its selected cells and bars say so), and whether a click on a selected mark
    removes it (else it selects that mark alone)."""

    parts: tuple = field(default_factory=tuple)
    selection: bool = False
    removes: bool = True


# --------------------------------------------------------------------------- colours
def _luminance(colour: str) -> float:
    r, g, b = _rgb(colour)

    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return hex_to_rgb(colour)
    nums = re.findall(r"[\d.]+", colour)
    return float(nums[0]), float(nums[1]), float(nums[2])


def _hex(colour: str) -> str:
    if colour.startswith("#"):
        return colour
    r, g, b = _rgb(colour)
    return f"#{round(r):02X}{round(g):02X}{round(b):02X}"


@functools.lru_cache(maxsize=4096)
def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (cached: a chart has a few dozen colours)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@functools.lru_cache(maxsize=4096)
def readable_ink(fill: str) -> str:
    """Text colour on ``fill`` with WCAG AA contrast (4.5:1): the theme's near-black,
    else white, else pure black (mid blues pass with black only); the best of them when
    none does."""
    inks = (INK, "#FFFFFF", "#000000")
    for ink in inks:
        if contrast(ink, fill) >= 4.5:
            return ink
    return max(inks, key=lambda ink: contrast(ink, fill))


@functools.lru_cache(maxsize=8192)
def _scale_colour(scale: tuple, t: float) -> str:
    stops = [(float(pos), _rgb(colour)) for pos, colour in scale]
    for (p0, c0), (p1, c1) in itertools.pairwise(stops):
        if p0 <= t <= p1:
            w = 0.0 if p1 == p0 else (t - p0) / (p1 - p0)
            mixed = tuple(a + (b - a) * w for a, b in zip(c0, c1, strict=True))
            return "#{:02X}{:02X}{:02X}".format(*(round(v) for v in mixed))
    return _hex(scale[-1][1] if t > stops[-1][0] else scale[0][1])


def _nan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _grid(value, shape: tuple[int, int]) -> list[list]:
    """A per-cell attribute as rows of values (a scalar repeated; None when absent)."""
    if value is None or isinstance(value, str | int | float):
        return [[value] * shape[1] for _ in range(shape[0])]
    return [list(row) for row in value]


def _to_lists(value):
    if isinstance(value, dict) and "bdata" in value:  # plotly's typed-array encoding
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        if isinstance(shape, str):
            shape = tuple(int(k) for k in shape.split(","))
        return array.reshape(shape).tolist() if shape else array.tolist()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def _list(trace: dict, key: str) -> list:
    """A trace attribute as a list ([] when absent)."""
    value = trace.get(key)
    return [] if value is None else list(_to_lists(value))


# --------------------------------------------------------------------------- reading
def _axis_title(layout: dict, axis: str) -> str:
    spec = layout.get(axis) or {}
    title = spec.get("title")
    return plain(title.get("text") if isinstance(title, dict) else title)


def _axis_key(trace: dict, letter: str) -> str:
    ref = trace.get(f"{letter}axis") or letter
    return f"{letter}axis{ref[1:]}"


def _symbols(legend: Legend | None) -> dict[str, str]:
    """Status symbol -> its word, from legend entries named "✓ Aligned"."""
    out = {}
    for _, label in legend.items if legend else ():
        symbol, _, word = label.partition(" ")
        if word:
            out[symbol] = word
    return out


def _selected(fig: dict) -> set[str] | None:
    """The keys of the marks a chart's selection holds (None: it holds none), from its
    ``layout.meta`` (evidence.figures.selection.selection_meta)."""
    meta = (fig.get("layout") or {}).get("meta")
    chosen = meta.get("selected") if isinstance(meta, dict) else None
    return {str(k) for k in chosen} if isinstance(chosen, list | tuple) else None


def _pressable(key: str, selected: bool | None, empty: bool) -> str:
    """A mark's click key, or "" when a click on it would lead nowhere: an empty mark
    (no articles) outside the selection is not a filter."""
    return "" if empty and not selected else key


class _Heat:
    """A heatmap trace read once: its values, texts and click keys as rows of cells, and
    its colour range (a cell's colour is its value's place on the trace's scale)."""

    def __init__(self, trace: dict, shape: tuple[int, int] | None = None):
        self.trace = trace
        self.z = _to_lists(trace["z"])
        shape = shape or (len(self.z), len(self.z[0]) if self.z else 0)
        zs = [v for row in self.z for v in row if v is not None and not _nan(v)]
        self.lo = trace.get("zmin", min(zs) if zs else 0)
        self.hi = trace.get("zmax", max(zs) if zs else 1)
        scale = trace.get("colorscale")
        self.scale = tuple((pos, colour) for pos, colour in scale) if scale else scale
        self.text = _grid(_to_lists(trace.get("text")), shape)
        self.keys = _grid(_to_lists(trace.get("hovertext")), shape)
        font = trace.get("textfont") or {}
        self.ink = font.get("color") if isinstance(font.get("color"), str) else None

    def has(self, i: int, j: int) -> bool:
        value = self.z[i][j]
        return value is not None and not _nan(value)

    def fill(self, z) -> str | None:
        """The colour of value ``z`` (None for a gap)."""
        if z is None or (isinstance(z, float) and math.isnan(z)):
            return None
        lo, hi = self.lo, self.hi
        t = 0.0 if hi == lo else min(max((float(z) - lo) / (hi - lo), 0.0), 1.0)
        return _scale_colour(self.scale, t)


@functools.lru_cache(maxsize=8192)
def _plain_text(text: str) -> str:
    return plain(text)


def _cell(heats: list[_Heat], i: int, j: int, heads: tuple, words: dict, chosen) -> Cell:
    """Cell (i, j) of a matrix drawn by ``heats`` (the first is the base; a later one
    paints over where it has a value). ``heads``: rows, columns, row and column titles."""
    rows, columns, row_title, column_title = heads
    base = heats[0]
    heat = base
    for over in heats[1:]:
        if over.has(i, j):
            heat = over
    fill = heat.fill(heat.z[i][j]) or "#FFFFFF"
    raw = heat.text[i][j]
    raw = "" if raw is None else str(raw)
    if not raw and heat is not base:
        raw = str(base.text[i][j] or "")
    text = _plain_text(raw)
    key = base.keys[i][j] or ""
    lines = text.split("\n")
    status = words.get(lines[0], "") if len(lines) > 1 else ""
    value = lines[-1]
    if _COUNT.fullmatch(value):  # a count, not a share
        value += " article" if value == "1" else " articles"
    label = (
        f"{row_title} {rows[i]}, {column_title} {columns[j]}: {value}"
        if row_title or column_title
        else f"{rows[i]}, {columns[j]}: {value}"
    ).replace("\n", " ")
    if status:
        label += f" ({status})"
    gap = text == GAP_TEXT
    if gap:
        label += " (no articles: a gap in the evidence)"
    picked = None if chosen is None else str(key) in chosen
    empty = value in ("0 articles", "0")
    ink = heat.ink
    return Cell(
        text=text,
        fill=fill,
        ink=ink if ink and contrast(ink, fill) >= 4.5 else readable_ink(fill),
        label=label,
        key=_pressable(str(key), picked, empty),
        strong="<b>" in raw,
        selected=picked,
        gap=gap,
    )


_COUNT = re.compile(r"[\d,]+")


def _matrices(fig: dict, legend: Legend | None) -> list[Matrix]:
    layout = fig.get("layout") or {}
    chosen = _selected(fig)
    groups: dict[tuple[str, str], list[dict]] = {}
    for trace in fig.get("data") or []:
        if trace.get("type") == "heatmap" and trace.get("name") != "dimmed":
            key = (_axis_key(trace, "x"), _axis_key(trace, "y"))
            groups.setdefault(key, []).append(trace)
    words = _symbols(legend)
    out = []
    for (xa, ya), traces in groups.items():
        base = traces[0]
        z = _to_lists(base["z"])
        shape = (len(z), len(z[0]) if z else 0)
        columns = tuple(plain(x) for x in _list(base, "x") or range(shape[1]))
        rows = tuple(plain(y) for y in _list(base, "y") or range(shape[0]))
        column_title, row_title = _axis_title(layout, xa), _axis_title(layout, ya)
        heats = [_Heat(t, shape) for t in traces]
        heads = (rows, columns, row_title, column_title)
        cells = tuple(
            tuple(_cell(heats, i, j, heads, words, chosen) for j in range(shape[1]))
            for i in range(shape[0])
        )
        out.append(Matrix(columns, rows, cells, column_title, row_title))
    return out


def _legend(fig: dict) -> Legend | None:
    layout = fig.get("layout") or {}
    items = []
    for trace in fig.get("data") or []:
        if trace.get("type") == "scatter" and trace.get("showlegend") and trace.get("name"):
            colour = (trace.get("marker") or {}).get("color")
            if isinstance(colour, str):
                items.append((colour, plain(trace["name"])))
    if not items:
        return None
    title = (layout.get("legend") or {}).get("title") or {}
    return Legend(plain(title.get("text") if isinstance(title, dict) else title), tuple(items))


def _bar_titles(layout: dict) -> dict[str, str]:
    """Headings of bar panels: paper annotations in bold, matched to the y-axis whose
    domain they sit on top of."""
    heads = [
        a
        for a in layout.get("annotations") or []
        if a.get("xref") == "paper" and a.get("yref") == "paper" and "<b>" in str(a.get("text"))
    ]
    out = {}
    for name, spec in layout.items():
        if not name.startswith("yaxis") or not isinstance(spec, dict):
            continue
        top = (spec.get("domain") or [0, 1])[1]
        near = [a for a in heads if abs(float(a.get("y", -9)) - top) < 0.02]
        if near:
            out[name] = plain(near[0]["text"])
    return out


def _bar_labels(layout: dict, xref: str, yref: str) -> dict[int, tuple[str, str]]:
    """Bar labels drawn as annotations above each bar: position -> (label, grey note)."""
    out = {}
    for a in layout.get("annotations") or []:
        if a.get("xref") == xref and a.get("yref") == yref and isinstance(a.get("y"), int):
            text = str(a.get("text", ""))
            note = re.search(r"<span[^>]*>(.*?)</span>", text)
            out[a["y"]] = (plain(re.sub(r"<span[^>]*>.*?</span>", "", text)),
                           plain(note.group(1)) if note else "")  # fmt: skip
    return out


def _bars(fig: dict) -> list[Bars]:
    layout = fig.get("layout") or {}
    chosen = _selected(fig)
    titles = _bar_titles(layout)
    out = []
    for trace in fig.get("data") or []:
        if trace.get("type") != "bar" or trace.get("orientation") != "h":
            continue
        xa, ya = _axis_key(trace, "x"), _axis_key(trace, "y")
        values = [float(v or 0) for v in _list(trace, "x")]
        names = [plain(y) for y in _list(trace, "y")]
        texts = _list(trace, "text") or [f"{v:,.0f}" for v in values]
        keys = _list(trace, "customdata") or [""] * len(values)
        colour = (trace.get("marker") or {}).get("color")
        colours = (
            _to_lists(colour)
            if isinstance(colour, list | tuple) or hasattr(colour, "tolist")
            else [colour] * len(values)
        )
        top = max(((layout.get(xa) or {}).get("range") or [0, max(values, default=1)])[1], 1)
        labels = _bar_labels(layout, trace.get("xaxis") or "x", trace.get("yaxis") or "y")
        keys = [str(k[0] if isinstance(k, list) else k) for k in keys]
        picked = [None if chosen is None else k in chosen for k in keys]
        bars = tuple(
            Bar(
                label=labels.get(i, (names[i], ""))[0],
                note=labels.get(i, ("", ""))[1],
                value=v,
                text=plain(texts[i]),
                colour=str(colours[i]),
                fraction=min(v / top, 1.0),
                key=_pressable(keys[i], picked[i], v == 0),
                selected=picked[i],
            )
            for i, v in enumerate(values)
        )
        out.append(Bars(titles.get(ya, plain(trace.get("name"))), bars))
    return out


def figure_cells(fig) -> Cells:
    """The HTML chart of a matrix or horizontal-bar figure (dict or go.Figure)."""
    fig = fig if isinstance(fig, dict) else fig.to_plotly_json()
    data = fig.get("data") or []
    if not data:  # an empty state: its message is the first annotation
        notes = (fig.get("layout") or {}).get("annotations") or [{}]
        return Cells((Empty(plain(notes[0].get("text", ""))),))
    legend = _legend(fig)
    parts: list = []
    if legend:
        parts.append(legend)
    parts += _matrices(fig, legend)
    parts += _bars(fig)
    notes = [
        plain(a.get("text"))
        for a in (fig.get("layout") or {}).get("annotations") or []
        if a.get("name") == "note"
    ]
    parts += [Empty(n) for n in notes if n]
    meta = (fig.get("layout") or {}).get("meta")
    removes = meta.get("removes", True) if isinstance(meta, dict) else True
    return Cells(tuple(parts), selection=_selected(fig) is not None, removes=bool(removes))


def cells_json(cells: Cells) -> dict:
    """The plain JSON the browser draws (assets/cells.js): ``{"parts": [...],
    "selection": {...}}``, each part with a ``kind`` of "legend", "matrix", "bars" or
    "note"; the selection says whether the chart holds one and whether a click on a
    selected mark removes it."""
    kinds = {Legend: "legend", Matrix: "matrix", Bars: "bars", Empty: "note"}
    return {"parts": [{"kind": kinds[type(p)], **_fields(p)} for p in cells.parts],
            "selection": {"active": cells.selection, "removes": cells.removes}}  # fmt: skip


def _fields(obj):
    """dataclasses.asdict without its deep copy of every string and number (the cells
    are frozen: nothing is shared that could change)."""
    kind = type(obj)
    if kind is Cell or kind is Bar:  # scalars only: their fields as they are
        return {name: getattr(obj, name) for name in _FLAT[kind]}
    names = _NAMES.get(kind)
    if names is None and is_dataclass(obj) and not isinstance(obj, type):
        names = _NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    if names is not None:
        return {name: _fields(getattr(obj, name)) for name in names}
    if type(obj) in _SCALARS:
        return obj
    if isinstance(obj, tuple | list):
        return type(obj)(_fields(v) for v in obj)
    if isinstance(obj, dict):
        return {k: _fields(v) for k, v in obj.items()}
    return obj


_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, read once
_FLAT = {kind: tuple(f.name for f in fields(kind)) for kind in (Cell, Bar)}
_SCALARS = frozenset((str, int, float, bool, type(None)))
