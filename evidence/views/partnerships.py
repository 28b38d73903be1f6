"""Who partners with whom: coded partnership formats and lead → partner directions as
bars, and each lead → partner country pair as an arc."""

from __future__ import annotations

import pandas as pd

from evidence import aggregate
from evidence.codebook import load_codebook
from evidence.countries import country_name
from evidence.figures.flows import build_direction_matrix_figure, width_edges, with_matrix
from evidence.figures.partnerships import build_partner_map_figure, build_partnerships_figure
from evidence.figures.theme import empty_figure
from evidence.views.base import Chart, View, custom, needs_group, pair_point, pct, toggle
from evidence.views.flows import arc_click, focus_sentence, focused, top


def build(sub, state):
    summary = aggregate.partnership_summary(sub)
    directions = aggregate.direction_counts(sub, what="partnerships", classification=state.income)
    data = pd.concat(
        [
            summary.assign(chart=f"coded {load_codebook().dim('format').noun}"),
            directions.assign(chart="lead → partner"),
        ],
        ignore_index=True,
    )
    return data, build_partnerships_figure(summary, directions)


def build_map(sub, state):
    pairs = aggregate.partner_pairs(sub, classification=state.income)
    if not len(pairs):
        return pairs, empty_figure("No partner countries coded for these articles")
    edges = width_edges(aggregate.largest_pair(sub, "partnerships"))
    fig = build_partner_map_figure(pairs, top=top(state, "partner_arcs"), focus=state.focus,
                                   edges=edges)  # fmt: skip
    return focused(pairs, state.focus), fig


def build_map_for_files(sub, state):
    """The partner map with its lead × partner income-group matrix beside it."""
    pairs, fig = build_map(sub, state)
    matrix = aggregate.direction_matrix(sub, what="partnerships", classification=state.income)
    return pairs, with_matrix(fig, build_direction_matrix_figure(matrix, what="partnerships"))


_FMT = load_codebook().dim("format").nouns

PARTNER_WORDS = {"in": "{name} as partner, led from", "out": "{name} as lead, with",
                 "in_north": "led from HIC", "out_north": "with HIC partners"}  # fmt: skip


def takeaway(sub, state) -> str:
    if not len(sub.partnerships):
        return "No partnerships between countries are coded for these articles."
    if state.focus:
        rank = aggregate.focus_ranking(sub, state.focus, "partnerships", state.income)
        return focus_sentence(rank, country_name(state.focus), PARTNER_WORDS)
    share = aggregate.share_of_partnerships(sub, "N>S", classification=state.income)
    return f"{pct(share)} of articles with partner pairs have a HIC lead with an LMIC partner."


def click(state, point):
    """A bar: a coded partnership format ("partnership.north_south") or, on the direction
    bars, a direction class of the lead → partner pairs ("N>S")."""
    data = custom(point)
    if not data:
        return state
    code = str(data[0])
    if "." in code:
        return state.with_values(format=toggle(state.format, code))
    return state.with_values(partner=toggle(state.partner, code))


# An arc: that lead → partner pair (the map's role is left as it is); a dot: focus.
click_map = arc_click("partner")


VIEW = View(
    "partnerships",
    "Who partners with whom",
    f"Coded partnership {_FMT}, and the direction of each lead → partner pair; click a bar "
    "or an arc to filter, a country's dot to see only its partnerships (the flow map "
    "follows).",
    (
        Chart("partnerships", "Who partners with whom", needs_group("partnership", build),
              needs_group("partnership", takeaway, takeaway=True), click=click,
              screen="html", depends=("focus",), height=400, width=6,
              label=f"Partnership {_FMT} and directions"),
        Chart("partner-map", "Partnerships between countries",
              needs_group("partnership", build_map),
              needs_group("partnership", takeaway, takeaway=True), click=click_map,
              export=needs_group("partnership", build_map_for_files),
              depends=("focus", "partner_arcs"),
              height=400, width=6, screen="filled", row_point=pair_point,
              label="Map of partner pairs, lead country first"),
    ),
    slides=("partnerships", "partner-map"),
    needs="partnership",
)  # fmt: skip
