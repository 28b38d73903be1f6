"""Choropleth of articles per country, with countries without articles shown as a gap."""

from __future__ import annotations

import math
from dataclasses import dataclass

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


@dataclass(frozen=True)
class MapMarks:
    """What the world map draws and says, one entry per country, as arrays in the order
    of :func:`evidence.aggregate.counts_by_country`: the map's click path fills these
    from the counts' arrays, with no frame (:func:`map_figure`).

    ``income`` is the hover's income line (the group, or its periods over the years
    shown); ``n_involving`` the articles a click on the country keeps (the Countries
    filter's role); ``click`` what a click does, in words; ``selected`` the countries the
    map's selection holds. The last three are optional (None)."""

    iso3: np.ndarray
    name: np.ndarray
    income: np.ndarray
    n_articles: np.ndarray
    n_involving: np.ndarray | None = None
    click: np.ndarray | None = None
    selected: np.ndarray | None = None

    @classmethod
    def of_frame(cls, counts: pd.DataFrame) -> MapMarks:
        """The marks of a counts frame (optional columns: income_history, n_involving,
        click, selected)."""

        def column(name: str, dtype=None) -> np.ndarray | None:
            return counts[name].to_numpy(dtype=dtype) if name in counts.columns else None

        income = "income_history" if "income_history" in counts.columns else "income_label"
        return cls(iso3=column("iso3", object), name=column("name", object),
                   income=column(income, object), n_articles=column("n_articles"),
                   n_involving=column("n_involving"), click=column("click", object),
                   selected=column("selected", bool))  # fmt: skip


def _custom(marks: MapMarks, rows: np.ndarray, involving: bool = True) -> np.ndarray:
    """Customdata rows ``[iso3, name, income words, n, (n involving)]`` of ``rows``, as
    objects (numbers as Python ints), as a frame's ``to_numpy(dtype=object)`` gives."""
    columns = [marks.iso3, marks.name, marks.income, marks.n_articles]
    if involving and marks.n_involving is not None:
        columns.append(marks.n_involving)
    out = np.empty((len(rows), len(columns)), dtype=object)
    for j, values in enumerate(columns):
        out[:, j] = values[rows]
    return out


def _marks(marks: MapMarks, rows: np.ndarray, selection: bool, clicks: bool) -> dict:
    """A choropleth's hover words (what a click does) and, when the map holds a
    selection, its selected countries outlined and the others dimmed. The marker is the
    trace's whole marker (the white outline otherwise)."""
    out: dict = {}
    if clicks:
        out["text"] = marks.click[rows]
    if selection and marks.selected is not None:
        picked = marks.selected[rows]
        out["marker"] = {
            "opacity": np.where(picked, 1.0, DIMMED),
            "line": {"color": np.where(picked, INK, WHITE).astype(object),
                     "width": np.where(picked, 1.5, 0.5)},
        }  # fmt: skip
    return out


def _grey(marks: MapMarks, rows) -> dict:
    """What the map's two grey traces share: the countries ``rows``, filled grey."""
    return {
        "type": "choropleth",
        "name": NO_ARTICLES.capitalize(),
        "locations": marks.iso3[rows],
        "locationmode": "ISO-3",
        "z": np.zeros(len(rows), dtype=np.int8),
        "colorscale": [[0, NO_DATA], [1, NO_DATA]],
        "showscale": False,
        "marker": {"line": {"color": WHITE, "width": 0.5}},
    }


def _involved_trace(marks: MapMarks, rows, hover: str, selection: bool, clicks: bool) -> list:
    """The grey countries with no article in the role coloured that still involve
    articles in the Countries filter's role: drawn grey, with the count a click gives."""
    if not len(rows):
        return []
    return [{
        **_grey(marks, rows),
        "customdata": _custom(marks, rows),
        "hovertemplate": hover,
        "showlegend": False,
        **_marks(marks, rows, selection, clicks),
    }]  # fmt: skip


def _gap_words(marks: MapMarks, rows: np.ndarray) -> str:
    """The click line of the countries without articles: written into the hover template
    when they all say the same (nothing to select), else "%{text}" (one a country)."""
    words = set(marks.click[rows].tolist()) if marks.click is not None else set()
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
        rows are ``[iso3, name, income label, n]`` for click filtering. The figure of
        :func:`map_figure` for the frame's columns.
    """
    if counts is None or counts.empty:
        return caption_figure(empty_figure(), caption)
    return map_figure(MapMarks.of_frame(counts), role=role, caption=caption,
                      history_years=history_years, filter_role=filter_role,
                      selection=selection)  # fmt: skip


def map_figure(
    marks: MapMarks,
    *,
    role: str = "origin",
    caption: CaptionLike = None,
    history_years: tuple[int, int] | None = None,
    filter_role: str = "any",
    selection: bool = False,
) -> go.Figure:
    """The world map of ``marks`` (arguments as :func:`build_map_figure`'s), written from
    the arrays into the figure's dict: no frame, no go.Figure inside
    :func:`evidence.figures.theme.specs_only` (the screen's click path); files get the
    same figure as a go.Figure."""
    n = marks.n_articles
    if not len(n) or int(n.sum()) == 0:
        return caption_figure(empty_figure(), caption)
    has = np.flatnonzero(n > 0)
    zero = n == 0
    # Grey in the role coloured but involved in the filter's role (a setting country
    # coloured by origin): a click selects it, so its rows carry that count.
    if marks.n_involving is not None:
        involved = np.flatnonzero(zero & (marks.n_involving > 0))
        none = np.flatnonzero(zero & (marks.n_involving <= 0))
    else:
        involved, none = np.flatnonzero(zero)[:0], np.flatnonzero(zero)
    clicks = marks.click is not None
    words = _words(role, filter_role, marks.n_involving is not None, clicks)
    zmax = int(n[has].max())
    gap_words = _gap_words(marks, none)
    traces = [
        _articles_trace(marks, has, zmax, words, selection, clicks),
        _gap_trace(marks, none, history_years, words, gap_words, selection, clicks),
        *_involved_trace(marks, involved, words["hover"], selection, clicks),
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
    fig = new_figure({"data": traces, "layout": _layout(role, words["label"])})
    return caption_figure(fig, caption)


def _words(role: str, filter_role: str, involving: bool, clicks: bool) -> dict:
    """The map's words for a role (the codebook's): its label, the hover template of the
    countries with articles, and the role in the grey countries' hover."""
    cb = load_codebook()
    key = (id(cb), role, filter_role, involving, clicks)
    found = _WORDS.get(key)
    if found is not None and found[0] is cb:
        return found[1]
    label = role_label(role)
    short_role = label.split(" (")[0].lower()
    # The filter's role may differ from the role coloured: the hover says both counts.
    also = f"<br>%{{customdata[4]:,}} involve it ({filter_role_word(filter_role)})"
    hover = (
        "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
        "%{customdata[3]:,} articles"
        + f" ({short_role}){also if involving else ''}"
        + ("<br><i>%{text}</i>" if clicks else "")
        + "<extra></extra>"
    )
    words = {"label": label, "short_role": short_role, "hover": hover,
             "scale": sequential_scale()}  # fmt: skip
    if len(_WORDS) >= 256:  # bounded: uploads bring codebooks of their own
        _WORDS.clear()
    _WORDS[key] = (cb, words)
    return words


# The words of the map by codebook (kept alive with its entry, so its id stays its own),
# role and hover lines: the same on every click.
_WORDS: dict[tuple, tuple[object, dict]] = {}


def _articles_trace(marks: MapMarks, rows, zmax: int, words: dict, selection: bool,
                    clicks: bool) -> dict:  # fmt: skip
    """The countries with articles, coloured by their count, with the colour key."""
    return {
        "type": "choropleth",
        "name": "articles",
        "locations": marks.iso3[rows],
        "locationmode": "ISO-3",
        "z": marks.n_articles[rows],
        "zmin": 1 if zmax > 1 else 0,
        "zmax": zmax,
        "colorscale": [list(stop) for stop in words["scale"]],
        "marker": {"line": {"color": WHITE, "width": 0.5}},
        # A horizontal key in the bottom-left corner (ocean, or the blank band under
        # the map on a phone) instead of a bar at the right that narrows the map.
        "colorbar": {
            "title": {
                # with countries picked, N counts their articles but the colours are
                # counted without that pick (crossfilter): the key says so
                "text": f"<b>Articles per country</b><br>{_key_lines(words['label'])}"
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
        "customdata": _custom(marks, rows),
        "hovertemplate": words["hover"],
        "showlegend": False,
        **_marks(marks, rows, selection, clicks),
    }


def _gap_trace(marks: MapMarks, rows, history_years, words: dict, gap_words: str,
               selection: bool, clicks: bool) -> dict:  # fmt: skip
    """The countries without articles (and no count a click gives), in light grey."""
    return {
        **_grey(marks, rows),
        # the browser writes these rows (four items) when it draws the figure
        "customdata": _gap_lines(history_years)
        if browser_draws()
        else _custom(marks, rows, involving=False),
        "hovertemplate": (
            "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
            + NO_ARTICLES
            + f" ({words['short_role']})"
            + (f"<br><i>{gap_words}</i>" if clicks else "")
            + "<extra></extra>"
        ),
        "showlegend": False,
        **_marks(marks, rows, selection, clicks and gap_words == "%{text}"),
    }


def _layout(role: str, label: str) -> dict:
    return {
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
