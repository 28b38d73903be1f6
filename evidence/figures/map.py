"""Choropleth of articles per country, with countries without articles shown as a gap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence.codebook import load_codebook
from evidence.fields import filter_role_word
from evidence.figures.selection import DIMMED
from evidence.figures.theme import (
    INK,
    LAND,
    MUTED,
    NO_DATA,
    TEMPLATE,
    WHITE,
    CaptionLike,
    browser_draws,
    caption_figure,
    empty_figure,
    new_figure,
    sequential_scale,
)

NO_ARTICLES = "no articles"


def base_geo(**overrides) -> dict:
    """Map frame shared by the map views: Natural Earth, no frame, no extra base layers."""
    geo = {
        "projection": {"type": "natural earth"},
        "showframe": False,
        "showcoastlines": False,
        "showcountries": True,
        "countrycolor": WHITE,
        "countrywidth": 0.5,
        "showland": True,
        "landcolor": LAND,
        "showocean": False,
        "showlakes": False,
        "showrivers": False,
        "showsubunits": False,
        "bgcolor": "rgba(0,0,0,0)",
        "lataxis": {"range": [-58, 85]},
        "resolution": 110,
    }
    geo.update(overrides)
    return geo


def colour_ticks(zmax: int) -> list[int]:
    """Colour bar ticks: 1 (the lowest count drawn), a round number near the middle and
    the largest count, so the key reads from "1" to the maximum."""
    if zmax <= 1:
        return [zmax]
    step = 10 ** math.floor(math.log10(zmax / 2))
    mid = int(min((m * step for m in (1, 2, 5, 10)), key=lambda v: abs(v - zmax / 2)))
    # Leave the middle tick out when it would crowd either end.
    crowded = mid <= 1 or zmax - mid < zmax / 5
    return [1, zmax] if crowded else [1, mid, zmax]


def _key_lines(label: str, width: int = 30) -> str:
    """A role label broken before its explanation when too long for the colour key."""
    return label.replace(" (", "<br>(", 1) if len(label) > width else label


def role_label(role: str) -> str:
    """Readable name of a country role from the codebook ("origin" -> "Origin (...)")."""
    spec = load_codebook().roles.get(role)
    return spec["label"] if spec else role


def _custom(frame: pd.DataFrame) -> np.ndarray:
    # The income line: its periods when the group changed over the years shown.
    income = "income_history" if "income_history" in frame.columns else "income_label"
    # and, when given, the articles that involve it (what a Countries filter keeps)
    extra = ["n_involving"] if "n_involving" in frame.columns else []
    return frame[["iso3", "name", income, "n_articles", *extra]].to_numpy(dtype=object)


def _marks(frame: pd.DataFrame, selection: bool, clicks: bool) -> dict:
    """A choropleth's hover words (what a click does) and, when the map holds a
    selection, its selected countries outlined and the others dimmed. The marker is the
    trace's whole marker (the white outline otherwise)."""
    out: dict = {}
    if clicks:
        out["text"] = frame["click"].to_numpy(dtype=object)
    if selection and "selected" in frame.columns:
        picked = frame["selected"].to_numpy(dtype=bool)
        out["marker"] = {
            "opacity": np.where(picked, 1.0, DIMMED),
            "line": {"color": np.where(picked, INK, WHITE).astype(object),
                     "width": np.where(picked, 1.5, 0.5)},
        }  # fmt: skip
    return out


def _involved_trace(frame: pd.DataFrame, hover: str, selection: bool, clicks: bool) -> list:
    """The grey countries with no article in the role coloured that still involve
    articles in the Countries filter's role: drawn grey, with the count a click gives."""
    if frame.empty:
        return []
    return [{
        "type": "choropleth",
        "name": NO_ARTICLES.capitalize(),
        "locations": frame["iso3"].to_numpy(),
        "locationmode": "ISO-3",
        "z": np.zeros(len(frame), dtype=np.int8),
        "colorscale": [[0, NO_DATA], [1, NO_DATA]],
        "showscale": False,
        "marker": {"line": {"color": WHITE, "width": 0.5}},
        "customdata": _custom(frame),
        "hovertemplate": hover,
        "showlegend": False,
        **_marks(frame, selection, clicks),
    }]  # fmt: skip


def _gap_words(frame: pd.DataFrame) -> str:
    """The click line of the countries without articles: written into the hover template
    when they all say the same (nothing to select), else "%{text}" (one a country)."""
    words = set(frame["click"]) if "click" in frame.columns else set()
    return words.pop() if len(words) == 1 else "%{text}"


def _gap_lines(years: tuple[int, int] | None) -> dict:
    """The placeholder of the zero countries' hover rows when the browser writes them
    (assets/figures.js, from assets/countries.js): the years of their income history (None:
    the latest group) and the words of each group, as :func:`evidence.views.map.
    income_history` writes them."""
    groups = load_codebook().income_groups
    return {"gaps": {"years": list(years) if years else None,
                     "groups": {g: {"label": v.get("label", ""), "short": v.get("short", "")}
                                for g, v in groups.items()}}}  # fmt: skip


def build_map_figure(
    counts: pd.DataFrame,
    *,
    role: str = "origin",
    caption: CaptionLike = None,
    history_years: tuple[int, int] | None = None,
    filter_role: str = "any",
    selection: bool = False,
) -> go.Figure:
    """Countries coloured by distinct articles in ``role``; zero countries in light grey.

    Args:
        counts: a :func:`evidence.aggregate.counts_by_country` frame; an optional
            ``income_history`` column ("Low income 2000-2013, lower-middle 2014-2020")
            replaces ``income_label`` in the hover.
        role: the role the counts refer to (used in hover and legend text).
        filter_role: the role the Countries filter matches (``country_role``), named
            beside an optional ``n_involving`` column's count in the hover.
        caption: optional title / subtitle / footer written into the figure.
        history_years: the publication years of the ``income_history`` words (None when
            the hover shows the latest group), for the browser to write the zero
            countries' lines itself (:func:`evidence.figures.theme.drawn_in_browser`).
        selection: the map holds a selection: the countries of the ``selected`` column
            are outlined, the others dimmed (every country stays clickable). An optional
            ``click`` column says in the hover what a click does.

    Returns:
        Two ``go.Choropleth`` traces ("articles", then "no articles"), located by ISO-3,
        and an empty marker trace giving "No articles" its legend entry; ``customdata``
        rows are ``[iso3, name, income label, n]`` for click filtering.
    """
    if counts is None or counts.empty or int(counts["n_articles"].sum()) == 0:
        return caption_figure(empty_figure(), caption)
    label = role_label(role)
    short_role = label.split(" (")[0].lower()
    has = counts[counts["n_articles"] > 0]
    none = counts[counts["n_articles"] == 0]
    # Grey in the role coloured but involved in the filter's role (a setting country
    # coloured by origin): a click selects it, so its rows carry that count.
    involved = none[none["n_involving"] > 0] if "n_involving" in none else none.iloc[:0]
    none = none.drop(involved.index)
    zmax = int(has["n_articles"].max())
    # The filter's role may differ from the role coloured: the hover says both counts.
    involving = (
        f"<br>%{{customdata[4]:,}} involve it ({filter_role_word(filter_role)})"
        if "n_involving" in counts.columns
        else ""
    )
    clicks = "click" in counts.columns
    hover = (
        "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
        "%{customdata[3]:,} articles"
        + f" ({short_role}){involving}"
        + ("<br><i>%{text}</i>" if clicks else "")
        + "<extra></extra>"
    )
    outline = {"line": {"color": WHITE, "width": 0.5}}
    traces = [
        {
            "type": "choropleth",
            "name": "articles",
            "locations": has["iso3"].to_numpy(),
            "locationmode": "ISO-3",
            "z": has["n_articles"].to_numpy(),
            "zmin": 1 if zmax > 1 else 0,
            "zmax": zmax,
            "colorscale": sequential_scale(),
            "marker": outline,
            # A horizontal key in the bottom-left corner (ocean, or the blank band under
            # the map on a phone) instead of a bar at the right that narrows the map.
            "colorbar": {
                "title": {
                    # with countries picked, N counts their articles but the colours are
                    # counted without that pick (crossfilter): the key says so
                    "text": f"<b>Articles per country</b><br>{_key_lines(label)}"
                    + ("<br><i>ignoring the countries picked</i>" if selection else ""),
                    "side": "top",
                    "font": {"size": 11, "color": MUTED},
                },
                "orientation": "h",
                "thickness": 10,
                "len": 170,
                "lenmode": "pixels",
                "x": 0,
                "xanchor": "left",
                "xpad": 0,
                "y": 0.09,
                "yanchor": "bottom",
                "ypad": 0,
                "outlinewidth": 0,
                "tickformat": ",d",
                "tickfont": {"size": 11, "color": MUTED},
                "tickmode": "array",
                "tickvals": colour_ticks(zmax),
            },
            "customdata": _custom(has),
            "hovertemplate": hover,
            "showlegend": False,
            **_marks(has, selection, clicks),
        },
        {
            "type": "choropleth",
            "name": NO_ARTICLES.capitalize(),
            "locations": none["iso3"].to_numpy(),
            "locationmode": "ISO-3",
            "z": np.zeros(len(none), dtype=np.int8),
            "colorscale": [[0, NO_DATA], [1, NO_DATA]],
            "showscale": False,
            "marker": outline,
            # the browser writes these rows (four items) when it draws the figure
            "customdata": _gap_lines(history_years)
            if browser_draws()
            else _custom(none.drop(columns="n_involving", errors="ignore")),
            "hovertemplate": (
                "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
                + NO_ARTICLES
                + f" ({short_role})"
                + (f"<br><i>{_gap_words(none)}</i>" if clicks else "")
                + "<extra></extra>"
            ),
            "showlegend": False,
            **_marks(none, selection, clicks and _gap_words(none) == "%{text}"),
        },
        *_involved_trace(involved, hover, selection, clicks),
        # Choropleths have no legend symbol: an empty marker trace gives "No articles" one.
        {
            "type": "scattergeo",
            "lon": [None],
            "lat": [None],
            "mode": "markers",
            "marker": {"symbol": "square", "size": 14, "color": NO_DATA},
            "name": NO_ARTICLES.capitalize(),
            "showlegend": True,
            "hoverinfo": "skip",
        },
    ]
    layout = {
        "template": TEMPLATE,
        # The choropleths outline every country themselves (white, as the base layer
        # would): drawing the borders a second time cost a quarter of each redraw.
        "geo": base_geo(showcountries=False),
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "legend": {
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "bottom",
            "font": {"size": 11, "color": MUTED},
            "itemclick": False,
            "itemdoubleclick": False,
        },
        "meta": {"role": role, "role_label": label}
        | ({"drawn_in_browser": True} if browser_draws() else {}),
        "clickmode": "event",
    }
    fig = new_figure({"data": traces, "layout": layout})
    return caption_figure(fig, caption)
