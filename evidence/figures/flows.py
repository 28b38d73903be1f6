"""Directed arcs between countries (mobility flows, partnerships) and the income-group
direction matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.codebook import load_codebook
from evidence.figures.map import base_geo
from evidence.figures.theme import (
    FAINT,
    GRID,
    INK,
    MUTED,
    NO_DATA,
    TEMPLATE,
    WHITE,
    CaptionLike,
    caption_figure,
    direction_style,
    empty_figure,
    new_figure,
    sequential_scale,
)
from evidence.model import DIRECTIONS, INCOME_GROUPS

N_POINTS = 12  # vertices per arc
MAX_ARCS = 150  # the largest pairs drawn; the rest are listed in the data table and exports
DECIMALS = 2  # coordinate precision sent to the browser (about 1 km)
CURVE = 0.12  # bend of the arc, as a share of its length
HEAD_AT = 0.94  # arrowhead position along the arc (1 = at the destination)
WIDTHS = (1.0, 1.8, 3.0, 4.6)  # line width per bin
HEAD_SIZES = (8, 10, 12, 14)
# Hover and click targets: invisible points on each arc's body, where arcs sharing an
# origin or a destination have fanned apart (arrowheads crowd at a shared destination).
TARGETS_AT = (0.3, 0.5, 0.7)
# Plotly treats every point within max(3 px, marker radius) of the mouse as equally close
# and takes the last one: the smallest radius, with the biggest arcs last, so that of two
# targets that close the bigger arc wins.
TARGET_SIZE = 6


def _width_bins(n: np.ndarray) -> np.ndarray:
    """Bin index 0-3 from counts: sqrt-scaled against the largest count."""
    if len(n) == 0:
        return np.zeros(0, dtype=int)
    rel = np.sqrt(n / n.max())
    return np.minimum((rel * len(WIDTHS)).astype(int), len(WIDTHS) - 1)


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


def _hover_text(frame: pd.DataFrame) -> np.ndarray:
    """'Canada → Uganda: 12 articles (HIC → LMIC)' per pair."""
    labels = {d: direction_style(d)["label"] for d in DIRECTIONS}
    n = frame["n_articles"].astype(int)
    word = np.where(n == 1, "article", "articles")
    return (
        frame["origin_name"].astype(str)
        + " → "
        + frame["destination_name"].astype(str)
        + ": "
        + n.map("{:,}".format)
        + " "
        + word
        + " ("
        + frame["direction"].map(labels).fillna(frame["direction"])
        + ")"
    ).to_numpy()


def _arc_traces(pairs: pd.DataFrame, noun: str) -> list[dict]:
    """Trace dicts: lines (one per direction x width bin), one arrowhead trace per
    direction, then one trace of targets. Lines are float arrays with NaN gaps and no
    per-vertex hover data: object arrays would make building and serialising the figure
    several times slower. Hover and click data live on the targets, invisible points
    along each arc's body (``TARGETS_AT``); arrowheads take no hover, since many sit on
    top of each other at a shared destination."""
    frame = pairs[pairs["origin"] != pairs["destination"]].dropna(
        subset=["lon0", "lat0", "lon1", "lat1"]
    )
    if len(frame) > MAX_ARCS:
        frame = frame.nlargest(MAX_ARCS, "n_articles", keep="first")
    frame = frame.sort_values("n_articles", kind="stable")  # big arcs drawn last, on top
    n = frame["n_articles"].to_numpy(dtype=float)
    bins = _width_bins(n)
    t = np.linspace(0.0, 1.0, N_POINTS)
    lon, lat = arc_points(
        *(frame[c].to_numpy(dtype=float) for c in ("lon0", "lat0", "lon1", "lat1")),
        np.concatenate([t, [HEAD_AT - 0.04, HEAD_AT], TARGETS_AT]),
    )
    n_targets = len(TARGETS_AT)
    # Invisible, so a tenth of a degree (under a pixel on screen) is precise enough.
    target_lon = np.round(lon[:, -n_targets:], 1)
    target_lat = np.round(lat[:, -n_targets:], 1)
    lon, lat = lon[:, :-n_targets], lat[:, :-n_targets]
    # Each arc's vertices followed by a NaN gap (serialised as null).
    k = N_POINTS + 1
    line_lon = np.full((len(frame), k), np.nan)
    line_lat = np.full((len(frame), k), np.nan)
    line_lon[:, :N_POINTS] = np.round(lon[:, :N_POINTS], DECIMALS)
    line_lat[:, :N_POINTS] = np.round(lat[:, :N_POINTS], DECIMALS)
    head_lon, head_lat = np.round(lon[:, -1], DECIMALS), np.round(lat[:, -1], DECIMALS)
    angle = np.round(screen_angle(lon[:, -2], lat[:, -2], lon[:, -1], lat[:, -1]), 1)
    text = _hover_text(frame)
    custom = frame[["origin", "destination", "n_articles"]].to_numpy(dtype=object)
    extra = f"<br>{noun}" if noun else ""
    ends = frame[["origin", "destination"]].to_numpy(dtype=str)
    directions = frame["direction"].to_numpy()

    lines: list[dict] = []
    heads: list[dict] = []
    for direction in DIRECTIONS:
        style = direction_style(direction)
        in_class = directions == direction
        if not in_class.any():
            continue
        first = True
        for b in range(len(WIDTHS)):
            rows = np.flatnonzero(in_class & (bins == b))
            if len(rows) == 0:
                continue
            lines.append(
                {
                    "type": "scattergeo",
                    "lon": line_lon[rows].ravel(),
                    "lat": line_lat[rows].ravel(),
                    "mode": "lines",
                    "line": {"color": style["colour"], "width": WIDTHS[b], "dash": style["dash"]},
                    "opacity": 0.75,
                    "hoverinfo": "skip",
                    "name": style["label"],
                    "legendgroup": direction,
                    # One legend entry per class, drawn with its dash style.
                    "showlegend": first,
                    "meta": {"direction": direction, "kind": "arc", "pairs": ends[rows]},
                }
            )
            first = False
        rows = np.flatnonzero(in_class)
        heads.append(
            {
                "type": "scattergeo",
                "lon": head_lon[rows],
                "lat": head_lat[rows],
                "mode": "markers",
                "marker": {
                    "symbol": "triangle-up",
                    "size": np.asarray(HEAD_SIZES)[bins[rows]],
                    "color": style["colour"],
                    "angle": angle[rows],
                    "angleref": "up",
                    "line": {"color": WHITE, "width": 0.8},
                },
                "hoverinfo": "skip",
                "name": style["label"],
                "legendgroup": direction,
                "showlegend": False,
                "meta": {"direction": direction, "kind": "head"},
            }
        )
    # One trace of targets for all classes, smallest arcs first (see TARGET_SIZE).
    colours = np.array([direction_style(d)["colour"] for d in directions], dtype=object)
    targets = {
        "type": "scattergeo",
        "lon": target_lon.ravel(),
        "lat": target_lat.ravel(),
        "mode": "markers",
        # Invisible; the colour is the hover label's.
        "marker": {"size": TARGET_SIZE, "color": np.repeat(colours, n_targets), "opacity": 0},
        "text": np.repeat(text, n_targets),
        "customdata": np.repeat(custom, n_targets, axis=0),
        "hovertemplate": f"%{{text}}{extra}<extra></extra>",
        "name": "arcs",
        "showlegend": False,
        "meta": {"kind": "target"},
    }
    return [*lines, *heads, targets]


def build_arc_figure(
    pairs: pd.DataFrame,
    *,
    caption: CaptionLike = None,
    noun: str = "",
    empty: str = "No articles match these filters",
) -> go.Figure:
    """Directed arcs for any pairs frame (flows or partnerships); see :func:`build_flows_figure`.

    ``noun`` is an extra hover line (e.g. "lead → partner"); ``empty`` the empty-state text.
    """
    if pairs is None or pairs.empty:
        return caption_figure(empty_figure(empty), caption)
    traces = _arc_traces(pairs, noun)
    if not traces:
        return caption_figure(empty_figure(empty), caption)
    ends = noun or "origin → destination"
    n_pairs = int((pairs["origin"] != pairs["destination"]).sum())
    shown = f" (the {MAX_ARCS} largest of {n_pairs:,} pairs)" if n_pairs > MAX_ARCS else ""
    layout = {
        "template": TEMPLATE,
        # Land a shade darker than on the choropleth, so the continents still show
        # under the arcs.
        "geo": base_geo(landcolor=GRID),
        "margin": {"l": 0, "r": 0, "t": 6, "b": 4},
        # A horizontal key under the map: it pushes the bottom margin instead of covering
        # land, and wraps onto more rows on a phone.
        "legend": {
            "title": {
                "text": f"Direction by income group, {ends}{shown}<br>"
                "HIC: high income · LMIC: low and middle income",
                "side": "top",
                "font": {"size": 12, "color": MUTED},
            },
            "orientation": "h",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": 12},
            "itemwidth": 40,
            "tracegroupgap": 0,
        },
        "hovermode": "closest",
        "clickmode": "event",
    }
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)


def build_flows_figure(pairs: pd.DataFrame, *, caption: CaptionLike = None) -> go.Figure:
    """Directed mobility arcs from origin to destination.

    Args:
        pairs: a :func:`evidence.aggregate.flows_by_pair` frame.
        caption: optional title / subtitle / footer.

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
    return build_arc_figure(pairs, caption=caption, empty="No mobility flows match these filters")


def build_direction_matrix_figure(
    matrix: pd.DataFrame, *, caption: CaptionLike = None, what: str = "flows"
) -> go.Figure:
    """Heatmap of origin (rows) x destination (columns) income groups, count in each cell.

    Args:
        matrix: a :func:`evidence.aggregate.direction_matrix` frame (4 x 4).
        caption: optional title / subtitle / footer.
        what: "flows" or "partnerships", for axis titles and hover.
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
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)
