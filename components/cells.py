"""HTML charts on the dashboard: where their data goes and where the browser draws them.

The server sends each HTML chart (``screen="html"``) as plain data, read off its Plotly
figure (evidence.figures.cells), into the store ``cells-<chart>``; assets/cells.js draws
the table of buttons in the chart's container and hands a pressed cell or bar to the
store ``ID.CELL_PRESS``, which the state writer reads.
"""

from __future__ import annotations

from dash import dcc, html

from components.ids import store_id
from evidence.figures.cells import cells_json, figure_cells


def cells_of_figure(figure) -> dict:
    """An HTML chart's data (JSON) from its Plotly figure (dict or go.Figure)."""
    return cells_json(figure_cells(figure))


def html_chart(
    chart: str, chart_id: str, *, label: str, min_height: int, described_by: str = ""
) -> html.Div:
    """The container of an HTML chart, filled in the browser, and its data store (the
    container is described by ``described_by``, its takeaway sentence)."""
    described = {"aria-describedby": described_by} if described_by else {}
    return html.Div(
        [
            html.Div(
                id=chart_id,
                className="cell-chart",
                role="group",
                style={"minHeight": f"{min(min_height, 320)}px"},
                **{"aria-label": label},
                **described,
            ),
            dcc.Store(id=store_id(chart)),
        ]
    )


def _n_values(state) -> int:
    """How many filter values a state has set (a list counts each item)."""
    return sum(len(v) if isinstance(v, tuple) else 1 for v in state.filter_fields().values())


def with_pressed(data: dict, chart: str, state) -> dict:
    """An HTML chart's data with ``pressed``: the keys of the cells and bars the state
    has selected (pressing one again removes its filter), which assets/cells.js marks
    ``aria-pressed="true"``."""
    from evidence.views import VIEWS, after_press

    keys = [
        mark.get("key")
        for part in data.get("parts", [])
        for mark in [
            *(c for row in part.get("cells") or [] for c in row),
            *(part.get("bars") or []),
        ]
        if isinstance(mark, dict) and mark.get("key")
    ]
    before = _n_values(state)
    if not before:  # a press can only remove values the state has: none, none pressed
        return {**data, "pressed": []}
    presses = VIEWS[chart].presses if chart in VIEWS else None
    if presses is not None:  # the chart's own, quicker answer (Chart.presses)
        return {**data, "pressed": presses(state, keys, _n_values)}
    pressed = [k for k in keys if _n_values(after_press(state, chart, k)) < before]
    return {**data, "pressed": pressed}
