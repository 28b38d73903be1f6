"""Who partners with whom: coded partnership formats and lead → partner directions as
bars, and each lead → partner country pair as an arc."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from evidence import aggregate
from evidence.aggregate._engine import rows_of
from evidence.aggregate.flows import pair_arrays
from evidence.codebook import load_codebook
from evidence.countries import country_name
from evidence.figures.flows import build_direction_matrix_figure, width_edges, with_matrix
from evidence.figures.partnerships import build_partner_map_figure, build_partnerships_figure
from evidence.figures.theme import empty_figure
from evidence.views.base import (
    Chart,
    View,
    custom,
    mark_selected,
    needs_group,
    needs_group_figure,
    pair_point,
    pct,
    released,
    reworded,
    toggle,
)
from evidence.views.flows import arc_click, focus_sentence, focused, top


def _partnership_codes(values) -> tuple[str, ...]:
    """The codes (and group) of the codebook's partnership group among ``values``."""
    cb = load_codebook()
    group = cb.flow_group("partnership")
    mine = {group, *cb.groups[group].codes} if group else set()
    return tuple(v for v in values if v in mine)


def release_bars(state):
    """The state the bars are counted in: without the partnership selection (direction
    classes and pairs) and without the partnership codes of the format filter."""
    codes = _partnership_codes(state.format)
    state = released(state, ("partner",))
    if codes:
        state = replace(state, format=tuple(v for v in state.format if v not in codes))
    return state


def figure(sub, state):
    """The bars' figure alone (no data frame for files)."""
    summary = aggregate.partnership_summary(sub)
    directions = aggregate.direction_counts(sub, what="partnerships", classification=state.income)
    chosen = {*state.partner, *_partnership_codes(state.format)}
    return build_partnerships_figure(summary, directions, selected=chosen or None)


def build(sub, state):
    summary = aggregate.partnership_summary(sub)
    directions = aggregate.direction_counts(sub, what="partnerships", classification=state.income)
    chosen = {*state.partner, *_partnership_codes(state.format)}
    data = pd.concat(
        [
            summary.assign(chart=f"coded {load_codebook().dim('format').noun}"),
            directions.assign(chart="lead → partner"),
        ],
        ignore_index=True,
    )
    fig = build_partnerships_figure(summary, directions, selected=chosen or None)
    if chosen:
        keys = data["code"].fillna(data["direction"]) if "code" in data else data["direction"]
        data = mark_selected(data, keys.isin(chosen))
    return data, fig


NO_PARTNERS = "No partner countries coded for these articles"


def build_map(sub, state):
    pairs = aggregate.partner_pairs(sub, classification=state.income)
    if not len(pairs):
        return pairs, empty_figure(NO_PARTNERS)
    fig = build_partner_map_figure(pairs, **_map_options(sub, state, pairs))
    chosen = selected_pairs(pairs, state)
    data = focused(pairs, state.focus)
    keys = data["origin"].astype(str) + ">" + data["destination"].astype(str)
    return mark_selected(data, None if chosen is None else keys.isin(chosen)), fig


def map_figure(sub, state):
    """The partner map alone, as :func:`build_map` draws it, for the screen (no data
    table): from the pairs' arrays, with no DataFrame."""
    pairs = pair_arrays(sub, "partnerships", state.income)
    if not len(pairs["origin"]):
        return empty_figure(NO_PARTNERS)
    return build_partner_map_figure(pairs, **_map_options(sub, state, pairs))


def _map_options(sub, state, pairs) -> dict:
    """How the partner map draws ``pairs`` (a frame or its arrays) in ``state``."""
    return {"top": top(state, "partner_arcs"), "focus": state.focus,
            "edges": width_edges(aggregate.largest_pair(sub, "partnerships")),
            "selected": selected_pairs(pairs, state)}  # fmt: skip


def selected_pairs(pairs, state) -> frozenset[str] | None:
    """The lead > partner pairs the partnership selection holds: its pairs, and the
    pairs of its direction classes (None: no selection). ``pairs``: a frame or its
    arrays."""
    if not state.partner:
        return None
    chosen = set(state.partner)
    directions = pairs["direction"] if "direction" in pairs else [None] * len(pairs["origin"])
    keys = (f"{a}>{b}" for a, b in zip(pairs["origin"], pairs["destination"], strict=True))
    return frozenset(k for k, d in zip(keys, directions, strict=True) if k in chosen or d in chosen)


def build_map_for_files(sub, state):
    """The partner map with its lead × partner income-group matrix beside it."""
    pairs, fig = build_map(sub, state)
    matrix = aggregate.direction_matrix(sub, what="partnerships", classification=state.income)
    return pairs, with_matrix(fig, build_direction_matrix_figure(matrix, what="partnerships"))


_FMT = load_codebook().dim("format").nouns


def _subtitle(nouns: str) -> str:
    return (f"Coded partnership {nouns}, and the direction of each lead → partner pair; "
            "click a bar or an arc to filter, a country's dot to see only its partnerships "
            "(the flow map follows).")  # fmt: skip


def in_scheme(view: View) -> View:
    """The view in the words of the codebook in use (evidence.per_scheme)."""
    nouns = load_codebook().dim("format").nouns
    return reworded(view, {"partnerships": {"label": f"Partnership {nouns} and directions"}},
                    subtitle=_subtitle(nouns))  # fmt: skip


PARTNER_WORDS = {"in": "{name} as partner, led from", "out": "{name} as lead, with",
                 "in_north": "led from HIC", "out_north": "with HIC partners"}  # fmt: skip


def takeaway(sub, state) -> str:
    if not rows_of(sub, "partnerships"):
        return "No partnerships between countries are coded for these articles."
    if state.focus:
        rank = aggregate.focus_ranking(sub, state.focus, "partnerships", state.income)
        return focus_sentence(rank, country_name(state.focus), PARTNER_WORDS)
    share = aggregate.share_of_partnerships(sub, "N>S", classification=state.income)
    return f"{pct(share)} of articles with partner pairs have a HIC lead with an LMIC partner."


def click(state, point, add: bool = False):
    """A bar: a coded partnership format ("partnership.north_south") or, on the direction
    bars, a direction class of the lead → partner pairs ("N>S"); alone, or with ``add``
    added to the selection (a selected bar is removed)."""
    data = custom(point)
    if not data:
        return state
    code = str(data[0])
    if "." in code:
        return state.with_values(format=toggle(state.format, code, add))
    return state.with_values(partner=toggle(state.partner, code, add))


# An arc: that lead → partner pair (the map's role is left as it is); a dot: focus.
click_map = arc_click("partner")


VIEW = View(
    "partnerships",
    "Who partners with whom",
    _subtitle(_FMT),
    (
        Chart("partnerships", "Who partners with whom", needs_group("partnership", build),
              needs_group("partnership", takeaway, takeaway=True), click=click,
              own=("partner", "format"), release=release_bars,
              screen="html", depends=("focus",), height=400, width=6,
              label=f"Partnership {_FMT} and directions",
              figure=needs_group_figure("partnership", figure)),
        Chart("partner-map", "Partnerships between countries",
              needs_group("partnership", build_map),
              needs_group("partnership", takeaway, takeaway=True), click=click_map,
              figure=needs_group_figure("partnership", map_figure),
              own=("partner",), export=needs_group("partnership", build_map_for_files),
              depends=("focus", "partner_arcs"),
              height=400, width=6, screen="filled", row_point=pair_point,
              label="Map of partner pairs, lead country first"),
    ),
    slides=("partnerships", "partner-map"),
    needs="partnership",
)  # fmt: skip
