"""Country names on the arc maps (flows, partnerships): the largest origins and
destinations are named beside their dots, so a printed slide says which countries the
arcs join.

A separate layer: one text trace added after an arc map's own traces, with no hover and
no clicks (the dots under it keep theirs). Labels are chosen largest first and a label
that would run into one already placed is left out, estimated on the Natural Earth
projection at the size of a map on a slide or a desktop card.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from evidence.figures.theme import INK

TOP_LABELS = 8  # countries named: the largest ends a reader can take in
LABEL_PX = 12  # font size on screen (a slide raises every text to its own minimum)
MAP_PX = 620  # the width of a map the labels are spaced for (a slide's, a card's)
GLYPH_EM, LINE_EM = 0.6, 1.3  # a label's box, in em
MAP_UNITS = 5.47  # the Natural Earth projection's width (x from -2.735 to 2.735)


def _largest_ends(pairs) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each country at an end of ``pairs`` (a frame or its arrays, one per column), with
    its articles as origin (or lead) plus as destination (or partner), in the order first
    met (origins first); and the order that puts them largest first, ties by name (a
    missing name last), then as met. A loop over plain lists: an arc map draws a few
    dozen pairs, where numpy's and pandas' calls cost more than the work."""

    def both(a: str, b: str, dtype=object) -> list:
        return np.concatenate([np.asarray(pairs[a], dtype=dtype),
                               np.asarray(pairs[b], dtype=dtype)]).tolist()  # fmt: skip

    counts = np.asarray(pairs["n_articles"])
    found: dict = {}  # iso3 -> [iso3, first name not missing, lon, lat, articles]
    for iso3, name, lon, lat, n in zip(
        both("origin", "destination"), both("origin_name", "destination_name"),
        both("lon0", "lon1", float), both("lat0", "lat1", float), np.tile(counts, 2).tolist(),
        strict=True,
    ):  # fmt: skip
        if lon != lon or lat != lat or _missing(iso3):  # no map point, or no country
            continue
        end = found.get(iso3)
        if end is None:
            found[iso3] = [iso3, None if _missing(name) else name, lon, lat, n]
            continue
        if end[1] is None and not _missing(name):
            end[1] = name
        end[4] += n
    rows = list(found.values())
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][4], rows[i][1] is None,
                                                     rows[i][1] or ""))  # fmt: skip
    columns = list(zip(*rows, strict=True)) or [(), (), (), (), ()]
    ends = {"iso3": np.array(columns[0], dtype=object), "name": np.array(columns[1], dtype=object),
            "lon": np.array(columns[2], dtype=float), "lat": np.array(columns[3], dtype=float),
            "n": np.array(columns[4], dtype=counts.dtype)}  # fmt: skip
    return ends, np.array(order, dtype=np.intp)


def _missing(value) -> bool:
    """True for a missing value (None, NaN, pandas' NA), as ``pd.isna`` of one value."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _boxes_clear(box: tuple[float, ...], placed: list[tuple[float, ...]]) -> bool:
    x0, y0, x1, y1 = box
    return all(x1 < a0 or x0 > a1 or y1 < b0 or y0 > b1 for a0, b0, a1, b1 in placed)


def _clear_of_each_other(rows, font_px: float, map_px: float, n: int) -> list[int]:
    """Indices of the first ``n`` of ``rows`` (lon, lat, name; largest first) whose
    labels do not run into a label kept before them."""
    rows = list(rows)
    if not rows:
        return []
    lon, lat, names = zip(*rows, strict=True)
    return _clear_labels(np.asarray(lon, float), np.asarray(lat, float), names, font_px,
                         map_px, n)  # fmt: skip


def _clear_labels(lon: np.ndarray, lat: np.ndarray, names, font_px: float, map_px: float,
                  n: int) -> list[int]:  # fmt: skip
    """:func:`_clear_of_each_other` of arrays: each label's box above its dot, in Natural
    Earth units for a map ``map_px`` wide (the dots projected at once), kept when clear
    of the boxes kept before it."""
    from evidence.figures.flows import natural_earth  # flows draws this layer

    unit = MAP_UNITS / map_px
    xs, ys = natural_earth(lon, lat)
    tall = LINE_EM * font_px * unit
    placed: list[tuple[float, ...]] = []
    keep = []
    for i, (x, y, name) in enumerate(zip(xs.tolist(), ys.tolist(), names, strict=True)):
        half = len(str(name)) * GLYPH_EM * font_px / 2 * unit
        box = (x - half, y + 0.3 * tall, x + half, y + 1.3 * tall)
        if _boxes_clear(box, placed):
            placed.append(box)
            keep.append(i)
        if len(keep) == n:
            break
    return keep


def _plain(values) -> list:
    """An array of a figure as a list (a typed array, {"dtype", "bdata"}, decoded)."""
    if isinstance(values, dict) and "bdata" in values:
        raw = base64.b64decode(values["bdata"])
        return np.frombuffer(raw, dtype=np.dtype(values["dtype"])).tolist()
    return np.asarray(values).tolist()


def thin_labels(trace: dict, font_px: float, map_px: float) -> dict:
    """The lon, lat, text and meta of a label layer thinned for bigger text on a smaller
    map (a slide): the names that would now run into a larger one are left out."""
    lon, lat, text = (_plain(trace[k]) for k in ("lon", "lat", "text"))
    keep = _clear_of_each_other(zip(lon, lat, text, strict=True), font_px, map_px, TOP_LABELS)
    meta = dict(trace.get("meta") or {})
    if "iso3" in meta:
        meta["iso3"] = [meta["iso3"][i] for i in keep]
    return {"lon": [lon[i] for i in keep], "lat": [lat[i] for i in keep],
            "text": [text[i] for i in keep], "meta": meta}  # fmt: skip


def country_labels(pairs: pd.DataFrame, n: int = TOP_LABELS) -> list[dict]:
    """The label layer of an arc map drawing ``pairs``: one text trace (none when no
    pair has drawable ends)."""
    if pairs is None or pairs.empty or "lon0" not in pairs:
        return []
    return country_labels_of(pairs, n)


def country_labels_of(pairs, n: int = TOP_LABELS) -> list[dict]:
    """:func:`country_labels` of a pairs frame or of its arrays (one per column), with
    no DataFrame (the screen's path)."""
    if "lon0" not in pairs or not len(pairs["lon0"]):
        return []
    ends, order = _largest_ends(pairs)
    lon, lat, names = ends["lon"][order], ends["lat"][order], ends["name"][order]
    keep = order[_clear_labels(lon, lat, names, LABEL_PX, MAP_PX, n)]
    if not len(keep):
        return []
    return [
        {
            "type": "scattergeo",
            "lon": np.round(ends["lon"][keep], 2),
            "lat": np.round(ends["lat"][keep], 2),
            "mode": "text",
            # a missing name as pandas gives it (NaN), as before
            "text": np.array(
                [np.nan if _missing(x) else x for x in ends["name"][keep]], dtype=object
            ),
            "textposition": "top center",
            "textfont": {"size": LABEL_PX, "color": INK, "shadow": "1px 1px 2px white"},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "country names",
            "meta": {"kind": "labels", "iso3": ends["iso3"][keep].tolist()},
        }
    ]
