"""Shared building blocks of the view cards."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

TOPOJSON_URL = "/assets/topojson/"


def graph_config(filename: str) -> dict:
    """Plotly config: local map topology, a tidy mode bar, PNG download at slide size."""
    return {
        "topojsonURL": TOPOJSON_URL,
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["lasso2d", "autoScale2d", "toggleSpikelines"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def graph(graph_id: str, *, height: int, filename: str, label: str) -> html.Div:
    """A dcc.Graph with the project's config, wrapped in a labelled figure region."""
    return html.Div(
        dcc.Graph(
            id=graph_id,
            config=graph_config(filename),
            style={"height": f"{height}px"},
            className="view-graph",
        ),
        role="figure",
        **{"aria-label": label},
    )


def card(title: str, body: list, *, tools=None, subtitle: str | None = None, card_id=None):
    """A view card: a header with the title and view-local switches, then the body."""
    header = [html.H2(title, className="h5 mb-0")]
    if subtitle:
        header.append(html.Div(subtitle, className="small text-muted"))
    header_row = html.Div(
        [
            html.Div(header),
            html.Div(tools or [], className="view-tools d-flex flex-wrap gap-2 align-items-center"),
        ],
        className="d-flex flex-wrap justify-content-between align-items-start gap-2",
    )
    return dbc.Card(
        [dbc.CardHeader(header_row), dbc.CardBody(body)],
        className="view-card mb-3 shadow-sm",
        id=card_id or f"card-{title.lower().split()[0]}",
    )


def radio(control_id: str, options: list[tuple[str, str]], value: str, label: str):
    """A compact inline radio group with a visually hidden label."""
    return html.Div(
        [
            html.Span(label, className="visually-hidden", id=f"{control_id}-label"),
            dbc.RadioItems(
                id=control_id,
                options=[{"label": text, "value": v} for v, text in options],
                value=value,
                inline=True,
                className="small",
                input_class_name="me-1",
            ),
        ],
        role="group",
        **{"aria-labelledby": f"{control_id}-label"},
    )
