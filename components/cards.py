"""Shared building blocks of the view cards."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

TOPOJSON_URL = "/assets/topojson/"


# Mode bar buttons no chart shows. plotly.js 3 adds "Share chart..." (sendChartToCloud:
# uploads the figure, data included, to Plotly Cloud) unless told not to; the camera
# (toImage) makes images in the browser, which the page's CSP blocks, and the Export
# menu makes them on the server anyway. The rest are unused tools.
REMOVED_BUTTONS = [
    "toImage", "sendChartToCloud", "sendDataToCloud", "editInChartStudio",
    "lasso2d", "autoScale2d", "toggleSpikelines",
]  # fmt: skip


def graph_config() -> dict:
    """Plotly config: local map topology, and a mode bar that sends nothing anywhere.

    No share or image button, no plotly.com logo or link, and no cloud URL for any button
    to send to (assets/embed/embed.js sets the same for the embed pages).
    """
    return {
        "topojsonURL": TOPOJSON_URL,
        "responsive": True,
        "displaylogo": False,
        # The mouse wheel scrolls the page; it does not zoom a map under the pointer.
        "scrollZoom": False,
        "showLink": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "plotlyServerURL": "",
        "modeBarButtonsToRemove": REMOVED_BUTTONS,
    }


def graph(graph_id: str, *, height: int, label: str, described_by: str = "") -> html.Div:
    """A dcc.Graph with the project's config, wrapped in a labelled figure region
    (described by the element ``described_by``: its takeaway sentence, kept current)."""
    described = {"aria-describedby": described_by} if described_by else {}
    return html.Div(
        dcc.Graph(
            id=graph_id,
            config=graph_config(),
            style={"height": f"{height}px"},
            className="view-graph",
        ),
        role="figure",
        **{"aria-label": label},
        **described,
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


# The page's skip links: (words, the element each jumps to).
SKIPS = (
    ("Skip to the filters", "filter-panel"),
    ("Skip to the views", "views"),
    ("Skip to the article list", "card-articles"),
)


def skip_links() -> html.Nav:
    """Links at the very start of the page, shown when focused, that jump past the header
    to the filters, the views or the article list (assets/a11y.js moves the focus there,
    below the sticky count bar)."""
    return html.Nav(
        [html.A(words, href=f"#{target}", className="skip-link") for words, target in SKIPS],
        className="skip-links",
        **{"aria-label": "Skip links"},
    )


def status_toggle() -> html.Button:
    """On a phone, the count bar is one row: the count and this button, which shows or
    hides the filter chips and the timeline (assets/a11y.js names it "Timeline, 3
    filters" and flips ``aria-expanded``)."""
    return html.Button(
        "Timeline and filters",
        id="status-more",
        type="button",
        className="btn btn-sm btn-outline-secondary status-more",
        **{"aria-expanded": "false", "aria-controls": "active-chips timeline-bar"},
    )
