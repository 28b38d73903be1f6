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
