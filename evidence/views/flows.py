"""Who sends students where: directed mobility arcs, and the origin × destination
income-group matrix beside them."""

from __future__ import annotations

from evidence import aggregate, filters
from evidence.figures.flows import build_direction_matrix_figure, build_flows_figure
from evidence.figures.theme import empty_figure
from evidence.state import FilterState
from evidence.views.base import Chart, View, cell_key, custom, pct, toggle


def flows_evidence(sub, state):
    """The filtered evidence further restricted to the mobility kinds shown on the flow map."""
    return filters.apply(sub, FilterState(format=state.kind)) if state.kind else sub


def build(sub, state):
    pairs = aggregate.flows_by_pair(flows_evidence(sub, state), classification=state.income)
    if not len(pairs):
        return pairs, empty_figure("No mobility flows coded for these articles")
    return pairs, build_flows_figure(pairs)


def build_matrix(sub, state):
    matrix = aggregate.direction_matrix(
        flows_evidence(sub, state).flows, classification=state.income
    )
    return matrix, build_direction_matrix_figure(matrix)


def takeaway(sub, state) -> str:
    flows_eb = flows_evidence(sub, state)
    if not len(flows_eb.flows):
        return "No mobility flows are coded for these articles."
    share = aggregate.share_of_flows(flows_eb, "N>S", classification=state.income)
    return f"{pct(share)} of articles with student flows describe a flow from HIC to LMIC."


def click(state, point):
    """An arc (its invisible targets carry [origin, destination, n]): that pair."""
    data = custom(point)
    if len(data) < 2:
        return state
    return state.with_values(flow=toggle(state.flow, f"{data[0]}>{data[1]}"))


def click_matrix(state, point):
    """A cell: flows from that origin income group to that destination group ("H>L")."""
    key = cell_key(point)
    return state.with_values(direction=toggle(state.direction, key[0])) if key else state


VIEW = View(
    "flows",
    "Who sends students where",
    "Arrows run from origin to destination; click an arrow or a matrix cell to filter.",
    (
        Chart("flows", "Who sends students where", build, takeaway, click=click, height=430,
              width=8, label="Map of directed student mobility flows"),
        Chart("flow-matrix", "Student mobility by income group", build_matrix, takeaway,
              click=click_matrix, height=330, width=4,
              label="Origin by destination income group matrix"),
    ),
)  # fmt: skip
