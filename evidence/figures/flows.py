"""Directed arcs between countries (mobility flows, partnerships) and the income-group
direction matrix."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.codebook import load_codebook
from evidence.countries import country_name
from evidence.figures.labels import country_labels_of
from evidence.figures.map import base_geo
from evidence.figures.selection import click_words, dim_cells, selection_meta
from evidence.figures.theme import (
    FAINT,
    GRID,
    INK,
    MUTED,
    NO_DATA,
    TEMPLATE,
    WHITE,
    CaptionLike,
    browser_draws,
    caption_figure,
    direction_style,
    empty_figure,
    is_empty_figure,
    new_figure,
    sequential_scale,
)
from evidence.model import DIRECTIONS, INCOME_GROUPS

N_POINTS = 12  # vertices per arc
TOP_ARCS = 30  # arcs drawn by default: the largest pairs (all are in the data table)
DECIMALS = 2  # coordinate precision sent to the browser (about 1 km)
CURVE = 0.12  # bend of the arc, as a share of its length
HEAD_AT = 0.94  # arrowhead position along the arc (1 = at the destination)
WIDTHS = (1.0, 2.2, 3.8, 5.8)  # line width per bin (px)
HEAD_SIZES = (8, 10, 12, 14)
# Country dots at the arcs' ends (px). They are drawn after the arcs' targets, and 6 px
# (a radius of 3, plotly's smallest pick radius) makes the pointer within 3 px of a dot's
# centre pick the dot (plotly scores a point at max(distance - radius, 1 - 3 / radius)
# and of equal scores takes the last drawn): a dot wins over an arc under it.
NODE_SIZE, FOCUS_SIZE = 6, 13
DIMMED_ARCS = 0.15  # opacity of the arcs outside a selection
# Hover and click targets: invisible points on each arc's body, where arcs sharing an
# origin or a destination have fanned apart (arrowheads crowd at a shared destination).
TARGETS_AT = (0.2, 0.35, 0.5, 0.65, 0.8, 0.88)
# Plotly treats every point within max(3 px, marker radius) of the mouse as equally close
# and takes the last one: the smallest radius, with the biggest arcs last, so that of two
# targets that close the bigger arc wins.
TARGET_SIZE = 6

GEOMETRY = "arcs"  # the layout.meta key of the arcs' geometry when the browser draws them


def _geometry(ends: np.ndarray) -> dict:
    """What the browser needs to draw the arcs: each arc's ends (lon0, lat0, lon1, lat1)
    in drawing order, and the constants of their shape."""
    return {"ends": ends, "points": N_POINTS, "curve": CURVE, "head_at": HEAD_AT,
            "targets_at": list(TARGETS_AT), "decimals": DECIMALS}  # fmt: skip


def width_edges(largest: int) -> tuple[int, ...]:
    """Lower bounds (articles) of the four line widths, from the largest pair count of the
    loaded data: kept while filters change, so a width means the same count throughout.

    Roughly geometric steps: 1, 2, 3, 6 for a largest pair of 11 articles; fewer bins
    when counts are small (largest 2: 1, 2).
    """
    largest = max(int(largest), 1)
    edges = [1]
    for k in (1, 2, 3):
        step = max(round(largest ** (k / 4)), edges[-1] + 1)
        if step <= largest:
            edges.append(step)
    return tuple(edges)


def width_bins(n: np.ndarray, edges: tuple[int, ...]) -> np.ndarray:
    """Bin index of each count on a fixed scale (counts above the scale take the widest)."""
    if len(n) == 0:
        return np.zeros(0, dtype=int)
    return np.clip(np.searchsorted(np.asarray(edges), n, side="right") - 1, 0, len(edges) - 1)


def width_labels(edges: tuple[int, ...]) -> list[str]:
    """'1', '2', '3-5', '6+' (articles) for the legend of the line widths."""
    labels = []
    for i, lo in enumerate(edges):
        if i == len(edges) - 1:
            labels.append(f"{lo}+")
        else:
            hi = edges[i + 1] - 1
            labels.append(str(lo) if hi == lo else f"{lo}–{hi}")
    return labels


# The columns of a pairs frame an arc map reads (evidence.aggregate.flows_by_pair), and
# those it reads when present: the kinds of mobility, a net pair's own hover text and the
# articles a click on a net arc keeps.
PAIR_FIELDS = ("origin", "destination", "origin_name", "destination_name", "n_articles",
               "direction", "lon0", "lat0", "lon1", "lat1")  # fmt: skip
OPTIONAL_FIELDS = ("kinds", "hover", "n_forward")
Pairs = Mapping[str, np.ndarray]  # a pairs frame as plain arrays, one per column


def pair_columns(pairs: pd.DataFrame | Pairs) -> dict[str, np.ndarray]:
    """The arrays an arc map reads, from a pairs frame or from arrays already (the
    screen's path: :func:`evidence.aggregate.pair_arrays`, no DataFrame)."""
    if isinstance(pairs, Mapping):
        return dict(pairs)
    cols = {c: pairs[c].to_numpy() for c in (*PAIR_FIELDS, *OPTIONAL_FIELDS) if c in pairs}
    if "kinds" in cols:
        cols["kinds"] = pairs["kinds"].fillna("").astype(str).to_numpy()
    return cols


def _rows(cols: Pairs, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The columns at positions ``rows``, in that order."""
    return {c: v[rows] for c, v in cols.items()}


def _n_rows(cols: Pairs) -> int:
    return len(cols["origin"]) if "origin" in cols else 0


def _ends(cols: Pairs) -> np.ndarray:
    """Each pair's (lon0, lat0, lon1, lat1), as floats."""
    return np.column_stack([np.asarray(cols[c], dtype=float)
                            for c in ("lon0", "lat0", "lon1", "lat1")])  # fmt: skip


def _drawable(cols: Pairs) -> np.ndarray:
    """Positions of the pairs an arc can be drawn for: two different countries, both
    with map points."""
    keep = np.asarray(cols["origin"]) != np.asarray(cols["destination"])
    return np.flatnonzero(keep & ~np.isnan(_ends(cols)).any(axis=1))


def select_rows(
    cols: Pairs, *, top: int | None, focus: str = "", drawable: np.ndarray | None = None
) -> np.ndarray:
    """Positions of the pairs an arc map draws (:func:`select_pairs`); ``drawable``:
    :func:`_drawable` of ``cols`` when known."""
    idx = _drawable(cols) if drawable is None else drawable
    origin = np.asarray(cols["origin"])[idx].astype(str)
    destination = np.asarray(cols["destination"])[idx].astype(str)
    if focus:
        idx = idx[(origin == focus) | (destination == focus)]
    elif top is not None and len(idx) > top:
        n = np.asarray(cols["n_articles"], dtype=float)[idx]
        # largest first; ties by origin, then destination (lexsort: last key first)
        idx = idx[np.lexsort((destination, origin, -n))[:top]]
    return idx


def select_pairs(pairs: pd.DataFrame, *, top: int | None, focus: str = "") -> pd.DataFrame:
    """The pairs an arc map draws: every pair into or out of ``focus`` when one is set,
    else the ``top`` largest (all when ``top`` is None); same-country pairs and pairs
    without map points are left out. Ties at the cut keep the alphabetically first."""
    return pairs.iloc[select_rows(pair_columns(pairs), top=top, focus=focus)]


def arc_points(
    lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points of quadratic Bezier arcs (one row per arc, one column per ``t``).

    The control point sits off the midpoint, to the left of the direction of travel, so
    A -> B and B -> A bend apart instead of drawing on top of each other.
    """
    p0 = np.stack([lon0, lat0], axis=-1)[:, None, :]
    p1 = np.stack([lon1, lat1], axis=-1)[:, None, :]
    d = p1 - p0
    normal = np.stack([-d[..., 1], d[..., 0]], axis=-1)
    ctrl = (p0 + p1) / 2 + CURVE * normal
    tt = t[None, :, None]
    pts = (1 - tt) ** 2 * p0 + 2 * (1 - tt) * tt * ctrl + tt**2 * p1
    return pts[..., 0], pts[..., 1]


def natural_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Natural Earth projection (as d3's geoNaturalEarth1, unrotated), y pointing north."""
    lam, phi = np.radians(lon), np.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


def screen_angle(lon0, lat0, lon1, lat1) -> np.ndarray:
    """Clockwise degrees from screen-up of the step (lon0, lat0) -> (lon1, lat1) on the
    Natural Earth map, for markers with ``angleref="up"``.

    Plotly's geo ``angleref="north"`` and ``"previous"`` mis-rotate diagonal headings
    (checked in Chromium with plotly.js 3), so the angle is computed here.
    """
    x0, y0 = natural_earth(np.asarray(lon0, dtype=float), np.asarray(lat0, dtype=float))
    x1, y1 = natural_earth(np.asarray(lon1, dtype=float), np.asarray(lat1, dtype=float))
    return np.degrees(np.arctan2(x1 - x0, y1 - y0))


def _hover_text(frame: Pairs) -> np.ndarray:
    """'Canada → Uganda: 12 articles (HIC → LMIC)' per pair."""
    labels = {d: direction_style(d)["label"] for d in DIRECTIONS}
    return np.array(
        [
            f"{a} → {b}: {int(n):,} {'article' if int(n) == 1 else 'articles'} "
            f"({labels.get(d, d)})"
            for a, b, n, d in zip(frame["origin_name"], frame["destination_name"],
                                  frame["n_articles"], frame["direction"], strict=True)
        ],
        dtype=object,
    )  # fmt: skip


def _drawing(frame: Pairs) -> dict[tuple[str, str], np.ndarray]:
    """Each arc's drawing, one row per arc of ``frame``, by (part, axis): its vertices
    followed by a NaN gap ("line"), its arrowhead ("head") and the arrowhead's screen
    angle ("angle", ""), and its hover targets ("target")."""
    t = np.linspace(0.0, 1.0, N_POINTS)
    lon, lat = arc_points(
        *(np.asarray(frame[c], dtype=float) for c in ("lon0", "lat0", "lon1", "lat1")),
        np.concatenate([t, [HEAD_AT - 0.04, HEAD_AT], TARGETS_AT]),
    )
    n_targets = len(TARGETS_AT)
    # Invisible, so a tenth of a degree (under a pixel on screen) is precise enough.
    target_lon = np.round(lon[:, -n_targets:], 1)
    target_lat = np.round(lat[:, -n_targets:], 1)
    lon, lat = lon[:, :-n_targets], lat[:, :-n_targets]
    # Each arc's vertices followed by a NaN gap (serialised as null).
    k = N_POINTS + 1
    line_lon = np.full((_n_rows(frame), k), np.nan)
    line_lat = np.full((_n_rows(frame), k), np.nan)
    line_lon[:, :N_POINTS] = np.round(lon[:, :N_POINTS], DECIMALS)
    line_lat[:, :N_POINTS] = np.round(lat[:, :N_POINTS], DECIMALS)
    return {
        ("line", "lon"): line_lon,
        ("line", "lat"): line_lat,
        ("head", "lon"): np.round(lon[:, -1], DECIMALS),
        ("head", "lat"): np.round(lat[:, -1], DECIMALS),
        ("angle", ""): np.round(screen_angle(lon[:, -2], lat[:, -2], lon[:, -1], lat[:, -1]), 1),
        ("target", "lon"): target_lon,
        ("target", "lat"): target_lat,
    }


def _click_text(frame: Pairs, chosen: np.ndarray | None) -> np.ndarray:
    """Per arc, what a click on it does: "Click to select: 5 articles · Shift-click to
    add", or "Selected · click to remove". A net arc's click keeps the articles of the
    side drawn (``n_forward``)."""
    n = frame["n_forward"] if "n_forward" in frame else frame["n_articles"]
    picked = np.zeros(_n_rows(frame), dtype=bool) if chosen is None else chosen
    only = int(picked.sum()) == 1 and chosen is not None
    return np.array([click_words(bool(p), int(k), only=only)
                     for p, k in zip(picked, n, strict=True)], dtype=object)  # fmt: skip


def _arc_traces(
    frame: Pairs,
    noun: str,
    edges: tuple[int, ...],
    compact: bool = False,
    selected: frozenset[str] | None = None,
) -> list[dict]:
    """Trace dicts: lines (one per direction x width bin), one arrowhead trace per
    direction, then one trace of targets. Lines are float arrays with NaN gaps and no
    per-vertex hover data: object arrays would make building and serialising the figure
    several times slower. Hover and click data live on the targets, invisible points
    along each arc's body (``TARGETS_AT``); arrowheads take no hover, since many sit on
    top of each other at a shared destination. ``frame`` holds the pairs to draw
    (:func:`select_pairs`); ``edges`` the fixed width scale (:func:`width_edges`).
    ``compact``: placeholders instead of coordinates, for the browser to fill
    (:func:`evidence.figures.theme.drawn_in_browser`; assets/figures.js). ``selected``:
    the "A>B" pairs of the map's selection (None: none), drawn on top, the others
    dimmed; every arc keeps its target, so another can be added."""
    # big arcs drawn last, on top
    frame = _rows(frame, np.argsort(frame["n_articles"], kind="stable"))
    n = np.asarray(frame["n_articles"], dtype=float)
    bins = width_bins(n, edges)
    n_targets = len(TARGETS_AT)
    drawing = None if compact else _drawing(frame)
    text = frame["hover"] if "hover" in frame else _hover_text(frame)
    if "kinds" in frame:  # the kinds of mobility of a flow's articles
        kinds = frame["kinds"]
        text = np.where(kinds != "", text + "<br>" + kinds, text)
    ends = np.column_stack([frame["origin"], frame["destination"]]).astype(str)
    chosen = None
    if selected:
        chosen = np.array([f"{a}>{b}" in selected for a, b in ends], dtype=bool)
    text = text + "<br><i>" + _click_text(frame, chosen) + "</i>"
    n_arcs = _n_rows(frame)
    custom = np.empty((n_arcs, 3), dtype=object)
    custom[:, 0], custom[:, 1] = frame["origin"], frame["destination"]
    custom[:, 2] = np.asarray(frame["n_articles"]).astype(object)
    extra = f"<br>{noun}" if noun else ""
    directions = frame["direction"]

    def at(rows: np.ndarray, part: str, axis: str = ""):
        """The coordinates (or angles) of ``part`` of the arcs ``rows``, flat; compact:
        the placeholder the browser fills in."""
        return {"arcs": rows, "part": part} if compact else drawing[part, axis][rows].ravel()

    def repeated(values: np.ndarray):
        if compact:
            return {"repeat": n_targets, "values": values}
        return np.repeat(values, n_targets, axis=0)

    lines: list[dict] = []
    heads: list[dict] = []
    # With a selection, the selected arcs are drawn last (on top) and the others dimmed.
    groups = [(None, 0.75)] if chosen is None else [(False, DIMMED_ARCS), (True, 0.9)]
    for direction in DIRECTIONS:
        style = direction_style(direction)
        in_class = directions == direction
        if not in_class.any():
            continue
        first = chosen is None  # with a selection, a key line drawn in full (below)
        if not first:
            lines.append(_class_key(direction, style))
        for picked, opacity in groups:
            in_group = in_class if picked is None else in_class & (chosen == picked)
            for b in range(len(edges)):
                rows = np.flatnonzero(in_group & (bins == b))
                if len(rows) == 0:
                    continue
                meta = {"direction": direction, "kind": "arc", "pairs": ends[rows]}
                if picked is not None:
                    meta["selected"] = picked
                lines.append(
                    {
                        "type": "scattergeo",
                        "lon": at(rows, "line", "lon"),
                        "lat": at(rows, "line", "lat"),
                        "mode": "lines",
                        "line": {
                            "color": style["colour"],
                            "width": _width(b, edges),
                            "dash": style["dash"],
                        },
                        "opacity": opacity,
                        "hoverinfo": "skip",
                        "name": style["label"],
                        "legendgroup": direction,
                        # One legend entry per class, drawn with its dash style.
                        "showlegend": first,
                        "meta": meta,
                    }
                )
                first = False
        rows = np.flatnonzero(in_class)
        head_opacity = 1.0 if chosen is None else np.where(chosen[rows], 1.0, DIMMED_ARCS)
        heads.append(
            {
                "type": "scattergeo",
                "lon": at(rows, "head", "lon"),
                "lat": at(rows, "head", "lat"),
                "mode": "markers",
                "marker": {
                    "symbol": "triangle-up",
                    "size": np.asarray(HEAD_SIZES)[_width_index(bins[rows], edges)],
                    "color": style["colour"],
                    "angle": at(rows, "angle"),
                    "angleref": "up",
                    "line": {"color": WHITE, "width": 0.8},
                    "opacity": head_opacity,
                },
                "hoverinfo": "skip",
                "name": style["label"],
                "legendgroup": direction,
                "showlegend": False,
                "meta": {"direction": direction, "kind": "head"},
            }
        )
    # One trace of targets for all classes, smallest arcs first (see TARGET_SIZE).
    colour = {d: direction_style(d)["colour"] for d in DIRECTIONS}  # once, not per arc
    colours = np.array([colour.get(d) or direction_style(d)["colour"] for d in directions],
                       dtype=object)  # fmt: skip
    targets = {
        "type": "scattergeo",
        "lon": at(np.arange(n_arcs), "target", "lon"),
        "lat": at(np.arange(n_arcs), "target", "lat"),
        "mode": "markers",
        # Invisible; the colour is the hover label's.
        "marker": {"size": TARGET_SIZE, "color": repeated(colours), "opacity": 0},
        "text": repeated(text),
        "customdata": repeated(custom),
        "hovertemplate": f"%{{text}}{extra}<extra></extra>",
        "name": "arcs",
        "showlegend": False,
        "meta": {"kind": "target"},
    }
    if compact:  # the arcs' ends, for the browser (moved onto the figure by the caller)
        targets[GEOMETRY] = _geometry(_ends(frame))
    return [*lines, *heads, targets]


def _class_key(direction: str, style: dict) -> dict:
    """The legend entry of a direction class drawn in full, when the arcs themselves are
    dimmed by a selection (a legend entry takes its trace's opacity)."""
    return {"type": "scattergeo", "lon": [None], "lat": [None], "mode": "lines",
            "line": {"color": style["colour"], "width": WIDTHS[1], "dash": style["dash"]},
            "name": style["label"], "legendgroup": direction, "showlegend": True,
            "hoverinfo": "skip", "meta": {"kind": "class-key", "direction": direction}}  # fmt: skip


def _width_index(b, edges: tuple[int, ...]):
    """Index into WIDTHS of bin ``b`` on a scale of fewer than four bins: the widths
    spread from the thinnest to the widest."""
    if len(edges) == len(WIDTHS):
        return b
    spread = np.round(np.linspace(0, len(WIDTHS) - 1, len(edges))).astype(int)
    return spread[b]


def _width(b: int, edges: tuple[int, ...]) -> float:
    return WIDTHS[int(_width_index(b, edges))]


def _width_key(edges: tuple[int, ...]) -> list[dict]:
    """Legend entries of the line widths, on the same row as the direction classes: one
    short grey line per bin, "1 article", "2–4", "5–10", "11+ articles"."""
    labels = width_labels(edges)
    if len(labels) == 1:
        labels = [f"{labels[0]} articles"]
    else:
        labels[0] = "1 article" if labels[0] == "1" else f"{labels[0]} articles"
        labels[-1] = f"{labels[-1]} articles"
    return [
        {
            "type": "scattergeo",
            "lon": [None],
            "lat": [None],
            "mode": "lines",
            "line": {"color": MUTED, "width": _width(b, edges)},
            "name": label,
            "hoverinfo": "skip",
            "showlegend": True,
            "meta": {"kind": "width-key", "edge": edges[b]},
        }
        for b, label in enumerate(labels)
    ]


def _node_trace(frame: Pairs, focus: str, what: str) -> dict:
    """Dots at the arcs' ends: hover names the country, a click focuses it (or, on the
    country in focus, shows every pair again). ``customdata`` is ``[iso3]``."""
    # Each country once, in order of first appearance (origins first).
    iso3 = np.concatenate([frame["origin"], frame["destination"]])
    names = np.concatenate([frame["origin_name"], frame["destination_name"]])
    lon = np.concatenate([frame["lon0"], frame["lon1"]]).astype(float)
    lat = np.concatenate([frame["lat0"], frame["lat1"]]).astype(float)
    _, first = np.unique(iso3.astype(str), return_index=True)
    first = np.sort(first)
    iso3, names, lon, lat = iso3[first], names[first], lon[first], lat[first]
    focused = iso3 == focus
    ends = {"iso3": iso3, "lon": lon, "lat": lat}
    text = np.array(
        [f"{n}<br><i>in focus: click to show all {what}</i>" if f
         else f"{n}<br><i>click to show only its {what}</i>"
         for n, f in zip(names, focused, strict=True)],
        dtype=object,
    )  # fmt: skip
    return {
        "type": "scattergeo",
        "lon": np.round(ends["lon"], DECIMALS),
        "lat": np.round(ends["lat"], DECIMALS),
        "mode": "markers",
        "marker": {
            "size": np.where(focused, FOCUS_SIZE, NODE_SIZE),
            "color": np.where(focused, INK, WHITE).astype(object),
            "line": {"color": INK, "width": 1.2},
        },
        "text": text,
        "customdata": ends["iso3"].astype(object)[:, None],
        "hovertemplate": "%{text}<extra></extra>",
        "name": "countries",
        "showlegend": False,
        "meta": {"kind": "node"},
    }


def build_arc_figure(
    pairs: pd.DataFrame | Pairs,
    *,
    caption: CaptionLike = None,
    noun: str = "",
    empty: str = "No articles match these filters",
    top: int | None = TOP_ARCS,
    focus: str = "",
    edges: tuple[int, ...] | None = None,
    net: bool = False,
    nodes: bool = True,
    pair_word: str = "pairs",
    selected: frozenset[str] | None = None,
) -> go.Figure:
    """Directed arcs for any pairs frame (flows or partnerships); see :func:`build_flows_figure`.

    ``noun`` is an extra hover line (e.g. "lead → partner"); ``empty`` the empty-state
    text; ``top`` how many of the largest pairs are drawn (None: all); ``focus`` an ISO-3
    code whose pairs in and out are drawn instead; ``edges`` the width scale (by default
    from these pairs, :func:`width_edges`); ``net``: the pairs are net flows
    (:func:`evidence.aggregate.net_pairs`), which the key says; ``nodes``: draw the
    clickable country dots; ``pair_word`` names the pairs in the key ("region pairs");
    ``selected`` the "A>B" pairs the map's selection holds (highlighted, the other arcs
    dimmed but clickable). ``pairs`` may be plain arrays, one per column
    (:func:`pair_columns`): the screen's path builds no DataFrame.
    """
    cols = pair_columns(pairs) if pairs is not None else {}
    if not _n_rows(cols):
        return caption_figure(empty_figure(empty), caption)
    drawable = _drawable(cols)
    drawn = select_rows(cols, top=top, focus=focus, drawable=drawable)
    frame = _rows(cols, drawn)
    what = "partnerships" if noun else "flows"  # what a dot's click shows
    if not len(drawn):
        name = focus and country_name(focus)
        text = f"No {what} into or out of {name}" if focus else empty
        return caption_figure(empty_figure(text), caption)
    edges = edges or width_edges(int(np.max(cols["n_articles"])))
    # The width key goes last: it holds no points, and the legend lists it after the
    # direction classes.
    dots = [_node_trace(frame, focus, what)] if nodes else []
    compact = browser_draws()
    arcs = _arc_traces(frame, noun, edges, compact=compact, selected=selected)
    geometry = arcs[-1].pop(GEOMETRY, None)
    # The dots after the arcs: of marks as close to the pointer, plotly picks the last
    # drawn; the names (no hover) last of all.
    traces = [*arcs, *dots, *_width_key(edges), *country_labels_of(frame)]
    ends = noun or "origin → destination"
    n_pairs = len(drawable)
    if focus:
        shown = f" · {len(drawn):,} pairs into and out of {country_name(focus)}"
    elif len(drawn) < n_pairs:
        shown = f" · the {len(drawn)} largest of {n_pairs:,} {pair_word}"
    else:
        shown = f" · all {n_pairs:,} {pair_word}"
    geo = base_geo(landcolor=GRID, lataxis={"range": [-57, 80]})
    if focus:
        geo = base_geo(landcolor=GRID, fitbounds="locations")
    layout = {
        "template": TEMPLATE,
        # Land a shade darker than on the choropleth, so the continents still show
        # under the arcs.
        "geo": {**geo, "domain": {"x": [0, 1], "y": [0, 1]}},
        "margin": {"l": 0, "r": 0, "t": 4, "b": 2},
        # A horizontal key under the map: it pushes the bottom margin instead of covering
        # land, and wraps onto more rows on a phone.
        "legend": {
            "title": {
                # Short lines: plotly does not wrap a legend title, and a phone-wide map
                # is about 350 px.
                "text": f"Colour: direction by income group, {ends}<br>"
                + ("Net flows: " if net else "")
                + shown.removeprefix(" · ")
                + "<br>Line width: "
                + ("net articles" if net else "articles")
                + " · HIC: high income<br>LMIC: low and middle income",
                "side": "top",
                "font": {"size": 12, "color": MUTED},
            },
            "orientation": "h",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": 12},
            "itemwidth": 30,
            "tracegroupgap": 0,
        },
        "hovermode": "closest",
        "clickmode": "event",
    }
    if geometry is not None:
        layout["meta"] = {"drawn_in_browser": True, GEOMETRY: geometry}
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)


def build_flows_figure(pairs: pd.DataFrame, *, caption: CaptionLike = None, **options) -> go.Figure:
    """Directed mobility arcs from origin to destination.

    Args:
        pairs: a :func:`evidence.aggregate.flows_by_pair` frame.
        caption: optional title / subtitle / footer.
        options: ``top``, ``focus``, ``edges``, ``net``, ``nodes``, ``pair_word`` of
            :func:`build_arc_figure`.

    Returns:
        Line traces grouped by direction class x width bin (arcs separated by NaN gaps;
        ``meta["pairs"]`` lists their [origin, destination]; the first line trace of each
        class carries the legend entry), then one arrowhead trace per direction class
        whose markers sit near each destination, turned along the arc on the Natural
        Earth map (``angleref="up"``, angle computed from the projection), then one
        trace of invisible hover and click targets, ``len(TARGETS_AT)`` per arc along
        its body, smallest arcs first (``meta["kind"] == "target"``). Colour and dash
        style come from the codebook; hover reads "Canada → Uganda: 12 articles
        (HIC → LMIC)"; target ``customdata`` rows are ``[origin, destination, n]``.
    """
    return build_arc_figure(pairs, caption=caption, empty="No mobility flows match these filters",
                            **options)  # fmt: skip


def build_direction_matrix_figure(
    matrix: pd.DataFrame,
    *,
    caption: CaptionLike = None,
    what: str = "flows",
    selected: set[str] | None = None,
) -> go.Figure:
    """Heatmap of origin (rows) x destination (columns) income groups, count in each cell.

    Args:
        matrix: a :func:`evidence.aggregate.direction_matrix` frame (4 x 4).
        caption: optional title / subtitle / footer.
        what: "flows" or "partnerships", for axis titles and hover.
        selected: the cells of the matrix's selection ("H>L"; None: none), the others
            dimmed (``layout.meta`` names them for the HTML table).
    """
    if matrix is None or matrix.empty or int(matrix.to_numpy().sum()) == 0:
        return caption_figure(empty_figure(f"No {what} with known income groups"), caption)
    cb = load_codebook()
    matrix = matrix.reindex(index=list(INCOME_GROUPS), columns=list(INCOME_GROUPS), fill_value=0)
    # "Lower-middle", never "LMIC" (which means low AND middle income, as in the legend).
    short = [cb.income_groups[g]["short"] for g in INCOME_GROUPS]
    src, dst = ("Lead", "Partner") if what == "partnerships" else ("Origin", "Destination")
    z = matrix.to_numpy(dtype=int)
    names = {g: cb.income_groups[g]["label"] for g in INCOME_GROUPS}
    custom = np.array(
        [[[r, c, names[r], names[c]] for c in INCOME_GROUPS] for r in INCOME_GROUPS], dtype=object
    )
    # The click key of each cell, "H>L" (origin group > destination group): Dash leaves a
    # heatmap point's customdata out of clickData, but passes its hovertext.
    key = np.array([[f"{r}>{c}" for c in INCOME_GROUPS] for r in INCOME_GROUPS], dtype=object)
    cell = {
        "x": short,
        "y": short,
        "texttemplate": "%{text}",
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "customdata": custom,
        "hovertext": key,
        "hovertemplate": (
            f"{src}: %{{customdata[2]}}<br>{dst}: %{{customdata[3]}}<br>"
            "<b>%{text}</b> articles<extra></extra>"
        ),
    }
    zero = np.where(z == 0, 0.0, np.nan)
    traces = [
        {
            "type": "heatmap",
            "z": z,
            "text": z.astype(str),
            "textfont": {"size": 14},
            "colorscale": sequential_scale(),
            "zmin": 1 if z.max() > 1 else 0,
            **cell,
        },
        # Empty cells drawn over in the "no data" grey, so a gap does not read as a
        # small count.
        {
            "type": "heatmap",
            "z": zero,
            "text": np.where(z == 0, "0", ""),
            "textfont": {"size": 14, "color": FAINT},
            "colorscale": [[0, NO_DATA], [1, NO_DATA]],
            "hoverongaps": False,
            "name": "none",
            **cell,
        },
    ]
    layout = {
        "template": TEMPLATE,
        # Two short lines: the matrix can be narrower than "Destination income group".
        "xaxis": {
            "title": {"text": f"{dst}<br>income group", "font": {"size": 12}, "standoff": 10},
            "side": "bottom",
            "showgrid": False,
            # "Upper-/middle" on two lines rather than slanted.
            "tickmode": "array",
            "tickvals": short,
            "ticktext": [t.replace("-", "-<br>") for t in short],
            "tickangle": 0,
            # narrow columns (about 40 px at 1280 px wide): at 13 px "Upper-" and
            # "Lower-" ran into each other
            "tickfont": {"size": 11},
        },
        "yaxis": {
            "title": {"text": f"{src} income group", "font": {"size": 12}},
            "autorange": "reversed",
            "showgrid": False,
            "ticksuffix": " ",  # a gap between "Upper-middle" and its row
        },
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "font": {"color": INK},
    }
    traces += dim_cells(traces[:1], selected)
    if selected is not None:
        layout["meta"] = selection_meta(selected)
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)


def with_matrix(map_fig: go.Figure, matrix_fig: go.Figure, *, share: float = 0.7) -> go.Figure:
    """The arc map with its income-group matrix beside it, in one figure (for files: an
    exported picture or slide carries both, as the dashboard's card shows them)."""
    heatmaps = [t for t in matrix_fig.data if t.type == "heatmap"]
    if not heatmaps or is_empty_figure(map_fig):
        return map_fig
    fig = go.Figure(map_fig)
    fig.update_layout(geo={"domain": {"x": [0, share], "y": [0, 1]}})
    for trace in heatmaps:
        fig.add_trace(trace)
    m = matrix_fig.layout
    fig.update_layout(
        xaxis={**m.xaxis.to_plotly_json(), "domain": [share + 0.08, 1], "anchor": "y"},
        yaxis={**m.yaxis.to_plotly_json(), "domain": [0.3, 0.95], "anchor": "x"},
    )
    return fig
