"""Draw every view from the URL: decode the state, filter once, aggregate, build figures.

One callback returns all views (one round trip per interaction). Nothing here counts:
all numbers come from the pure ``evidence`` package.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.ids import CHIP, ID
from evidence import aggregate, filters
from evidence.codebook import load_codebook
from evidence.countries import country_name
from evidence.figures.alignment import build_alignment_figure
from evidence.figures.flows import build_direction_matrix_figure, build_flows_figure
from evidence.figures.map import build_map_figure
from evidence.figures.partnerships import build_partner_map_figure, build_partnerships_figure
from evidence.figures.theme import empty_figure
from evidence.figures.trends import build_trends_figure
from evidence.languages import language_name
from evidence.model import EvidenceBase
from evidence.state import FilterState, parse_query

RENDER_OUTPUTS = (
    ID.MAP, ID.FLOWS, ID.FLOW_MATRIX, ID.PARTNERSHIPS, ID.PARTNER_MAP, ID.ALIGNMENT,
    ID.TRENDS,
)  # fmt: skip
EMPTY_MESSAGE = "No articles match these filters"


def value_label(key: str, value: str) -> str:
    """Readable label of one filter value, for chips and captions."""
    cb = load_codebook()
    if key in ("format", "motivation", "kind"):
        return cb.label(value)
    if key == "country":
        return country_name(value)
    if key in ("origin_income", "setting_income"):
        return cb.income_groups.get(value, {}).get("short", value)
    if key == "language":
        return language_name(value)
    if key == "type":
        return cb.article_types.get(value, value)
    if key == "flow":
        a, b = value.split(">")
        return f"{country_name(a)} → {country_name(b)}"
    return value.capitalize() if key == "basis" else value


KEY_LABELS = {
    "year": "Years", "country": "Country", "format": "Format", "motivation": "Motivation",
    "origin_income": "Origin", "setting_income": "Setting", "region": "Region",
    "basis": "Basis", "language": "Language", "type": "Type", "flow": "Flow",
}  # fmt: skip


def chips(state: FilterState) -> list:
    """Removable chips, one per active filter value."""
    items = []
    for key, value in state.filter_fields().items():
        values = [f"{value[0]}-{value[1]}"] if key == "year" else list(value)
        for v in values:
            text = f"{v}" if key == "year" else value_label(key, v)
            items.append(
                dbc.Button(
                    [html.Span(f"{KEY_LABELS[key]}: ", className="fw-normal"), text,
                     html.Span(" ×", **{"aria-hidden": "true"})],
                    id={"type": CHIP, "index": f"{key}|{v}"},
                    size="sm", color="primary", outline=True, className="chip me-1 mb-1",
                    title=f"Remove this filter ({KEY_LABELS[key]}: {text})",
                )
            )  # fmt: skip
    return items


def count_text(n: int, total: int) -> str:
    """'N of M articles'."""
    return f"{n:,} of {total:,} articles"


def render_views(search: str | None, eb: EvidenceBase) -> dict:
    """Every view's content for the state in ``search``; keys are component ids."""
    state, notices = parse_query(search)
    sub = filters.apply(eb, state)
    out: dict = {
        ID.CHIPS: chips(state),
        ID.COUNT: count_text(sub.n_articles, eb.n_articles),
        ID.NOTICES: [html.Div(f"Link notice: {n}", className="small") for n in notices],
        ID.TABLE: aggregate.articles_table(sub).to_dict("records") if sub.n_articles else [],
    }
    if sub.n_articles == 0:
        empty = empty_figure(EMPTY_MESSAGE)
        return out | dict.fromkeys(RENDER_OUTPUTS, empty)
    cls = state.income
    counts = aggregate.counts_by_country(sub, role=state.role, classification=cls)
    out[ID.MAP] = build_map_figure(counts, role=state.role)
    flows_eb = filters.apply(sub, FilterState(format=state.kind)) if state.kind else sub
    pairs = aggregate.flows_by_pair(flows_eb, classification=cls)
    out[ID.FLOWS] = (
        build_flows_figure(pairs) if len(pairs) else empty_figure("No mobility flows coded here")
    )
    out[ID.FLOW_MATRIX] = build_direction_matrix_figure(
        aggregate.direction_matrix(flows_eb.flows, classification=cls)
    )
    out[ID.PARTNERSHIPS] = build_partnerships_figure(
        aggregate.partnership_summary(sub),
        aggregate.direction_counts(sub, what="partnerships", classification=cls),
    )
    partner_pairs = aggregate.partner_pairs(sub, classification=cls)
    out[ID.PARTNER_MAP] = (
        build_partner_map_figure(partner_pairs)
        if len(partner_pairs)
        else empty_figure("No partner countries coded here")
    )
    out[ID.ALIGNMENT] = build_alignment_figure(
        aggregate.alignment_matrix(sub, mode=state.align, classification=cls), mode=state.align
    )
    out[ID.TRENDS] = build_trends_figure(
        aggregate.trends(sub, stack=state.stack, year_range=state.year), stack=state.stack
    )
    return out
