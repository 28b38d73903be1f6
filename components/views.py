"""The six views: each card's layout. Their content is drawn by components.render."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.alternatives import alternative
from components.cards import card, graph, radio
from components.export_menu import EXPORT_LINK, export_menu
from components.ids import ID
from evidence.codebook import load_codebook
from evidence.state import MOBILITY_KINDS


def map_card():
    """World choropleth of article counts per country, by country role."""
    tools = radio(
        ID.ROLE,
        [("origin", "Origin"), ("author", "Any author"), ("setting", "Setting")],
        "origin",
        "Country role",
    )
    return card(
        "Where the evidence comes from",
        [
            graph(ID.MAP, height=430, label="World map of article counts"),
            alternative("map"),
        ],
        tools=[tools, export_menu("map")],
        subtitle="Articles per country; click a country to filter every view.",
        card_id="card-map",
    )


def flows_card():
    """Directed student-mobility arcs plus the origin × destination income matrix."""
    cb = load_codebook()
    kinds = dbc.Checklist(
        id=ID.KIND,
        options=[
            {"label": cb.codes[k].label.replace(" mobility", ""), "value": k}
            for k in MOBILITY_KINDS
            if not k.endswith("unspecified")
        ],
        value=[],
        inline=True,
        className="small",
    )
    return card(
        "Who sends students where",
        [
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            ID.FLOWS,
                            height=430,
                            label="Map of directed student mobility flows",
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        graph(
                            ID.FLOW_MATRIX,
                            height=330,
                            label="Origin by destination income group matrix",
                        ),
                        lg=4,
                    ),
                ]
            ),
            alternative("flows"),
        ],
        tools=[
            html.Div([html.Span("Mobility kind: ", className="small me-1"), kinds]),
            export_menu("flows"),
        ],
        subtitle="Arrows run from origin to destination; click an arrow or a matrix cell to "
        "filter.",
        card_id="card-flows",
    )


def partnerships_card():
    """Partnership formats and partner-pair arcs (lead country first)."""
    return card(
        "Who partners with whom",
        [
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            ID.PARTNERSHIPS,
                            height=400,
                            label="Partnership formats and directions",
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            ID.PARTNER_MAP,
                            height=400,
                            label="Map of partner pairs, lead country first",
                        ),
                        lg=6,
                    ),
                ]
            ),
            alternative("partnerships"),
        ],
        tools=export_menu("partnerships"),
        subtitle="Coded partnership formats, and the direction of each lead → partner pair; "
        "click a bar or an arc to filter.",
        card_id="card-partnerships",
    )


def alignment_card():
    """Motivation × format matrix coloured by the alignment rubric."""
    tools = radio(
        ID.ALIGN,
        [("counts", "Counts"), ("row_share", "Row shares"), ("by_income", "HIC vs LMIC")],
        "counts",
        "Matrix values",
    )
    return card(
        "Do motivations fit formats?",
        [
            graph(
                ID.ALIGNMENT,
                height=440,
                label="Motivation by format alignment matrix",
            ),
            alternative("alignment"),
        ],
        tools=[tools, export_menu("alignment")],
        subtitle="Articles coded with both; colour and symbol give the rubric's judgement. "
        "Click a cell to filter.",
        card_id="card-alignment",
    )


def trends_card():
    """Articles per year, stacked by format or motivation group."""
    tools = radio(ID.STACK, [("format", "Formats"), ("motivation", "Motivations")], "format",
                  "Stack by")  # fmt: skip
    return card(
        "How the evidence grew",
        [
            graph(ID.TRENDS, height=340, label="Articles per year"),
            alternative("trends"),
        ],
        tools=[tools, export_menu("trends")],
        subtitle="Drag across years, or click a bar, to set the year filter.",
        card_id="card-trends",
    )


PAGE_SIZE = 10
ARTICLE_COLUMNS = [
    {"field": "title", "headerName": "Title", "flex": 3, "minWidth": 260, "wrapText": True},
    {"field": "year", "headerName": "Year", "width": 90},
    {"field": "journal", "headerName": "Journal", "flex": 1, "minWidth": 140, "wrapText": True},
    {"field": "origin", "headerName": "Origin", "flex": 1, "minWidth": 120},
    {"field": "formats", "headerName": "Formats", "flex": 2, "minWidth": 180, "wrapText": True},
    {"field": "motivations", "headerName": "Motivations", "flex": 2, "minWidth": 180,
     "wrapText": True},
    {"field": "doi", "headerName": "DOI", "flex": 1, "minWidth": 150, "cellRenderer": "markdown"},
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
