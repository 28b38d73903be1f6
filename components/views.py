"""The cards of the views, drawn from the registry (evidence.views.REGISTRY), and the
article list. Their content is filled by components.render."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.alternatives import alternative
from components.cards import card, graph
from components.cells import html_chart
from components.controls import view_switches
from components.export_menu import EXPORT_LINK, export_menu
from components.ids import ID, card_id, graph_id
from evidence.model import EvidenceBase
from evidence.views import REGISTRY, View


def view_card(view: View, eb: EvidenceBase) -> dbc.Card:
    """A view's card, drawn from its declaration: charts side by side on a wide screen
    (stacked on a narrow one), the summary and data table of its main chart, and in the
    header its switches and Export menu."""
    graphs = [
        html_chart(c.name, graph_id(c.name), label=c.label or c.title, min_height=c.height)
        if c.screen == "html"
        else graph(graph_id(c.name), height=c.height, label=c.label or c.title)
        for c in view.charts
    ]
    if len(graphs) == 1:
        body = graphs[0]
    else:
        body = dbc.Row([dbc.Col(g, lg=c.width) for g, c in zip(graphs, view.charts, strict=True)])
    tools = [*view_switches(view.name, eb)]
    if view.export:
        tools.append(export_menu(view.name))
    tables = [alternative(c.name, summary=False) for c in view.charts[1:]]
    return card(view.title, [body, alternative(view.name), *tables], tools=tools,
                subtitle=view.subtitle, card_id=card_id(view.name))  # fmt: skip


def view_cards(eb: EvidenceBase) -> list:
    """Every registered view's card, in registry order."""
    return [view_card(view, eb) for view in REGISTRY]


PAGE_SIZE = 10
ARTICLE_COLUMNS = [
    {"field": "title", "headerName": "Title", "flex": 3, "minWidth": 260, "wrapText": True},
    {"field": "year", "headerName": "Year", "width": 90},
    {"field": "journal", "headerName": "Journal", "flex": 1, "minWidth": 140, "wrapText": True},
    {"field": "origin", "headerName": "Origin", "flex": 1, "minWidth": 120},
    {"field": "formats", "headerName": "Formats", "flex": 2, "minWidth": 180, "wrapText": True},
    {"field": "motivations", "headerName": "Motivations", "flex": 2, "minWidth": 180,
     "wrapText": True},
    {"field": "doi", "headerName": "DOI", "flex": 1, "minWidth": 150, "cellRenderer": "DoiLink"},
]  # fmt: skip


def articles_card():
    """The articles behind the current selection."""
    search_label = html.Label("Search the article list", htmlFor=ID.TABLE_SEARCH,
                              className="visually-hidden")  # fmt: skip
    search = dbc.Input(
        id=ID.TABLE_SEARCH, type="search", placeholder="Search titles, journals…", size="sm",
        debounce=True,
    )  # fmt: skip
    download = dbc.Button(
        "Download CSV",
        id={"type": EXPORT_LINK, "view": "table", "item": "articles-csv"},
        href="/data/articles.csv",
        external_link=True,
        size="sm",
        color="secondary",
        outline=True,
        class_name="text-nowrap",
    )
    grid = dag.AgGrid(
        id=ID.TABLE,
        columnDefs=ARTICLE_COLUMNS,
        rowModelType="infinite",
        getRowId="params.data.article_id",
        defaultColDef={"sortable": True, "resizable": True, "filter": False},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": PAGE_SIZE,
            "domLayout": "autoHeight",
            "rowHeight": 76,
            "animateRows": False,
            "localeText": {"noRowsToShow": "No articles match these filters"},
        },
        className="ag-theme-alpine",
    )
    refresh = dcc.Store(id="table-refresh")
    return card(
        "The articles behind the selection",
        [grid, refresh],
        tools=html.Div([search_label, search, download], className="d-flex gap-2"),
        card_id="card-articles",
    )
