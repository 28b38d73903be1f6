"""Country names on the arc maps (flows, partnerships): the largest origins and
destinations are named beside their dots, so a printed slide says which countries the
arcs join.

A separate layer: one text trace added after an arc map's own traces, with no hover and
no clicks (the dots under it keep theirs). Labels are chosen largest first and a label
that would run into one already placed is left out, estimated on the Natural Earth
projection at the size of a map on a slide or a desktop card.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence.figures.theme import INK

TOP_LABELS = 8  # countries named: the largest ends a reader can take in
LABEL_PX = 12  # font size on screen (a slide raises every text to its own minimum)
MAP_PX = 620  # the width of a map the labels are spaced for (a slide's, a card's)
GLYPH_EM, LINE_EM = 0.6, 1.3  # a label's box, in em
MAP_UNITS = 5.47  # the Natural Earth projection's width (x from -2.735 to 2.735)


def largest_ends(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each country at an end of the drawn pairs, with its articles as origin (or lead)
    plus as destination (or partner), largest first: iso3, name, lon, lat, n."""
    ends = pd.concat(
        [
            pairs[["origin", "origin_name", "lon0", "lat0", "n_articles"]].set_axis(
                ["iso3", "name", "lon", "lat", "n"], axis=1
            ),
            pairs[["destination", "destination_name", "lon1", "lat1", "n_articles"]].set_axis(
                ["iso3", "name", "lon", "lat", "n"], axis=1
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["lon", "lat"])
    totals = ends.groupby("iso3", sort=False).agg(
        name=("name", "first"), lon=("lon", "first"), lat=("lat", "first"), n=("n", "sum")
    )
    return totals.reset_index().sort_values(["n", "name"], ascending=[False, True])


def _boxes_clear(box: tuple[float, ...], placed: list[tuple[float, ...]]) -> bool:
    x0, y0, x1, y1 = box
    return all(x1 < a0 or x0 > a1 or y1 < b0 or y0 > b1 for a0, b0, a1, b1 in placed)


def choose_labels(pairs: pd.DataFrame, n: int = TOP_LABELS) -> pd.DataFrame:
    """The up to ``n`` largest ends whose labels (above their dots) do not collide."""
    from evidence.figures.flows import natural_earth  # flows draws this layer

    units_per_px = MAP_UNITS / MAP_PX
    placed: list[tuple[float, ...]] = []
    keep = []
    for row in largest_ends(pairs).itertuples(index=False):
        x, y = natural_earth(np.float64(row.lon), np.float64(row.lat))
        half = len(str(row.name)) * GLYPH_EM * LABEL_PX / 2 * units_per_px
        tall = LINE_EM * LABEL_PX * units_per_px
        box = (x - half, y + 0.3 * tall, x + half, y + 1.3 * tall)  # above the dot
        if _boxes_clear(box, placed):
            placed.append(box)
            keep.append(row)
        if len(keep) == n:
            break
    return pd.DataFrame(keep, columns=["iso3", "name", "lon", "lat", "n"])


def country_labels(pairs: pd.DataFrame, n: int = TOP_LABELS) -> list[dict]:
    """The label layer of an arc map drawing ``pairs``: one text trace (none when no
    pair has drawable ends)."""
    if pairs is None or pairs.empty or "lon0" not in pairs:
        return []
    chosen = choose_labels(pairs, n)
    if chosen.empty:
        return []
    return [
        {
            "type": "scattergeo",
            "lon": chosen["lon"].round(2).to_numpy(),
            "lat": chosen["lat"].round(2).to_numpy(),
            "mode": "text",
            "text": chosen["name"].to_numpy(dtype=object),
            "textposition": "top center",
            "textfont": {"size": LABEL_PX, "color": INK, "shadow": "1px 1px 2px white"},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "country names",
            "meta": {"kind": "labels", "iso3": chosen["iso3"].tolist()},
        }
    ]
