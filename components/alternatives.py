"""Text alternatives of each chart: a summary sentence and its data as an HTML table."""

from __future__ import annotations

import json

import pandas as pd
from dash import html

from components.ids import summary_id
from evidence import filters
from evidence.model import EvidenceBase
from evidence.state import parse_query
from evidence.table_words import readable
from evidence.views import REGISTRY, VIEWS, view_figure

# The views with a takeaway sentence under their chart (drawn by assets/page.js).
SUMMARY_VIEWS: tuple[str, ...] = tuple(v.name for v in REGISTRY)
TABLE_TOGGLE = "view-table-toggle"
TABLE_BODY = "view-table-body"
# The page of a data table asked for (set by assets/a11y.js from its Previous and Next
# buttons: plain buttons, so a table's redraw adds no component the callbacks watch).
TABLE_PAGE = "view-table-page"
# Rows per page of a data table (every row is reachable, page by page): a page of Dash
# components this size keeps the page quick with every table open.
PAGE_ROWS = 50


def alternative(view: str, *, summary: bool = True) -> html.Div:
    """The summary line and a collapsible data table, placed under a view's chart; for a
    card's other charts (``summary=False``) the table alone, named after its chart."""
    what = "this chart" if summary else f"“{VIEWS[view].title}”"
    children = [
        html.Details(
            [
                html.Summary(
                    f"Show the data behind {what} as a table",
                    id={"type": TABLE_TOGGLE, "view": view},
                    className="small",
                ),
                html.Div(
                    id={"type": TABLE_BODY, "view": view},
                    className="view-table",
                    tabIndex="0",
                    role="region",
                    **{"aria-label": f"Data table: {VIEWS[view].title}"},
                ),
            ]
        )
    ]
    if summary:
        children.insert(
            0,
            html.P(
                # Not a live region: the article count is the page's one (a change of
                # filters would otherwise be read out six times); each chart names this
                # sentence as its description (aria-describedby).
                id=summary_id(view),
                className="view-summary small mb-1",
            ),
        )
    return html.Div(children, className="px-2 pb-1")


def summaries(search: str | None, eb: EvidenceBase, views: list[str], cache=None) -> list[str]:
    """The one-line takeaway of each view for the state in ``search`` (kept in ``cache``
    by data version and the whole state)."""
    from components.cache import cached
    from components.render import state_key

    state, _ = parse_query(search)

    def build() -> list[str]:
        sub = filters.apply(eb, state)
        if sub.n_articles == 0:
            return ["No articles match these filters." for _ in views]
        return [VIEWS[v].takeaway(sub, state) for v in views]

    return cached(cache, f"{state_key(eb, state)}:takeaways:{','.join(views)}", build)


def data_table(
    search: str | None, eb: EvidenceBase, view: str, page: int = 0
) -> html.Table | html.P:
    """One page (PAGE_ROWS rows) of the displayed data of a view as an accessible HTML
    table, in words: column names and codes as the codebook labels them. Its caption says
    which rows these are, with Previous and Next buttons (app.py turns the page)."""
    state, _ = parse_query(search)
    data, _ = view_figure(eb, state, view)
    if data.empty:
        return html.P("No data for these filters.", className="small")
    pages = -(-len(data) // PAGE_ROWS)
    page = min(max(0, page if isinstance(page, int) else 0), pages - 1)
    shown = data.iloc[page * PAGE_ROWS : (page + 1) * PAGE_ROWS]
    text = readable(shown, view, align=state.align)
    row_point = VIEWS[view].row_point
    head = [html.Th(str(c), scope="col") for c in text.columns]
    rows = []
    for record, row in zip(shown.to_dict("records"), text.itertuples(index=False), strict=True):
        cells = [html.Td(_cell(v)) for v in row]
        if row_point is not None:  # a keyboard's way to do what a click on the mark does
            point, words = row_point(record)
            cells.insert(0, html.Td(html.Button(
                "Filter", type="button", className="btn btn-link btn-sm p-0 table-filter",
                title=f"Filter every view by {words}, as a click on its mark would",
                **{"data-chart": view, "data-point": json.dumps(point, default=_plain),
                   "aria-label": f"Filter by {words}"},
            )))  # fmt: skip
        rows.append(html.Tr(cells))
    if row_point is not None:
        head.insert(0, html.Th(html.Span("Filter", className="visually-hidden"), scope="col"))
    head = html.Thead(html.Tr(head))
    body = html.Tbody(rows)
    return html.Table([_caption(view, page, pages, len(data)), head, body],
                      className="table table-sm small")  # fmt: skip


def _caption(view: str, page: int, pages: int, n_rows: int) -> html.Caption:
    """ "Title: rows 51-100 of 105", and on a table of more than one page the buttons
    to the pages before and after."""
    first, last = page * PAGE_ROWS + 1, min(n_rows, (page + 1) * PAGE_ROWS)
    words = f"{n_rows} rows" if pages == 1 else f"rows {first}-{last} of {n_rows}"
    turns = [
        html.Button(
            label,
            type="button",
            disabled=not 0 <= to < pages,
            className="btn btn-outline-secondary btn-sm py-0 ms-2",
            **{"data-table-view": view, "data-table-page": str(to)},
        )
        for label, to in (("Previous", page - 1), ("Next", page + 1))
    ]
    return html.Caption([f"{VIEWS[view].title}: {words}", *(turns if pages > 1 else [])],
                        className="small")  # fmt: skip


def _plain(value):
    """numpy numbers in a point, as JSON numbers."""
    return value.item() if hasattr(value, "item") else str(value)


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.3g}"
    return str(value)
