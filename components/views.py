"""The cards of the views, drawn from the registry (evidence.views.REGISTRY), and the
article list. Their content is filled by components.render."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.alternatives import alternative
from components.cards import card, graph
from components.cells import html_chart
from components.controls import view_switches
from components.export_menu import EXPORT_LINK, export_menu
from components.ids import ID, card_id, graph_id, summary_id
from evidence.model import EvidenceBase
from evidence.views import REGISTRY, View
from evidence.views.base import Chart


def view_card(view: View, eb: EvidenceBase) -> dbc.Card:
    """A view's card, drawn from its declaration: charts side by side on a wide screen
    (stacked on a narrow one), the summary and data table of its main chart, and in the
    header its switches and Export menu."""
    # Every chart of the card is described by the view's takeaway sentence (a screen
    # reader hears it after the chart's name; it follows the filters).
    graphs = [_chart(c, described_by=summary_id(view.name)) for c in view.charts]
    if len(graphs) == 1:
        body = graphs[0]
    else:
        body = dbc.Row([dbc.Col(g, lg=c.width) for g, c in zip(graphs, view.charts, strict=True)])
    tools = [*view_switches(view.name, eb)]
    if any(c.click for c in view.charts):
        tools.append(add_switch(view.name))
    if view.export:
        tools.append(export_menu(view.name, tuple((c.name, c.title) for c in view.charts[1:])))
    tables = [alternative(c.name, summary=False) for c in view.charts[1:]]
    return card(view.title, [body, alternative(view.name), *tables], tools=tools,
                subtitle=view.subtitle, card_id=card_id(view.name))  # fmt: skip


def add_switch(view: str) -> html.Div:
    """The "Add to selection" switch of a card: on a touch screen (no Shift key) a tap on
    a mark then adds it to the chart's selection. Shown on touch screens only, and kept
    in step with the other cards' (assets/figures.js)."""
    return html.Div(
        dbc.Switch(id=f"{ADD_SWITCH}-{view}", label="Add to selection", value=False,
                   input_class_name="add-mode-input", class_name="mb-0"),
        className="add-mode small text-nowrap", hidden=True,
        title="On: a tap on a mark adds it to the selection (as Shift-click does)",
    )  # fmt: skip


ADD_SWITCH = "add-mode"  # the id prefix of the cards' "Add to selection" switches


def _chart(c: Chart, *, described_by: str):
    """One chart as its screen draws it: a table of buttons filled in the browser, or a
    graph (a "filled" chart's figure is completed as Plotly gets it: assets/figures.js)."""
    label = c.label or c.title
    if c.screen == "html":
        return html_chart(c.name, graph_id(c.name), label=label, min_height=c.height,
                          described_by=described_by)  # fmt: skip
    return graph(graph_id(c.name), height=c.height, label=label, described_by=described_by)


def view_cards(eb: EvidenceBase) -> list:
    """Every registered view's card, in registry order. A view the coding scheme has
    nothing for (View.shown) keeps its card, hidden: its switches stay on the page for
    the URL's sake."""
    return [view_card(view, eb) if view.shown else html.Div(view_card(view, eb), hidden=True)
            for view in REGISTRY]  # fmt: skip


PAGE_SIZE = 10
# How the article list can be ordered: (value, label, the table's sort keys).
SORTS = (
    ("list", "List order", []),
    ("year-desc", "Newest first", [{"colId": "year", "sort": "desc"}]),
    ("year-asc", "Oldest first", [{"colId": "year", "sort": "asc"}]),
    ("title-asc", "Title A–Z", [{"colId": "title", "sort": "asc"}]),
)
SORT_MODEL = {value: model for value, _, model in SORTS}


def articles_card():
    """The articles behind the current selection."""
    search_label = html.Label("Search the article list", htmlFor=ID.TABLE_SEARCH,
                              className="visually-hidden")  # fmt: skip
    search = dbc.Input(
        id=ID.TABLE_SEARCH, type="search", placeholder="Search titles, journals…", size="sm",
        debounce=400,  # ms: the list (and the count, chips and link: it is the q filter)
        # follows as one types
    )  # fmt: skip
    download = dbc.Button(
        "Download CSV",
        href="/data/articles.csv",
        external_link=True,
        size="sm",
        color="secondary",
        outline=True,
        class_name=f"text-nowrap {EXPORT_LINK}",
    )
    sort = html.Div(
        [
            html.Label("Order", htmlFor=ID.TABLE_SORT, className="small text-muted me-1 mb-0"),
            dbc.Select(
                id=ID.TABLE_SORT,
                options=[{"label": label, "value": value} for value, label, _ in SORTS],
                value="list",
                size="sm",
                style={"width": "9.5rem"},
            ),
        ],
        className="d-flex align-items-center",
    )
    # Drawn in the browser from the page of rows each response carries (assets/articles.js):
    # a table on a wide screen, one card per article on a phone; full titles, the DOI
    # opening in a new tab, Previous/Next buttons.
    listing = html.Div(id=ID.TABLE, className="article-list", role="region",
                       **{"aria-label": "Articles behind the selection"})  # fmt: skip
    return card(
        "The articles behind the selection",
        [listing],
        tools=html.Div(
            [search_label, search, sort, download],
            className="d-flex flex-wrap gap-2 align-items-center",
        ),
        card_id="card-articles",
    )
