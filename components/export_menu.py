"""Export, data-download, embed and share controls of each view and of the page."""

from __future__ import annotations

import json
from html import escape as html_escape

import dash_bootstrap_components as dbc
from dash import html

from components.ids import ID
from evidence.codebook import load_codebook
from evidence.views import VIEWS, embed_height_of

# The class of every export and download link: assets/links.js gives each the page's
# query string whenever the URL changes.
EXPORT_LINK = "export-link"
EMBED_OPEN = "embed-open"

VIEW_ITEMS = (
    ("png", "Image (PNG, 1920 px)", "/export/{view}.png"),
    ("slide", "Slide picture (16:9, text that reads when projected)", "/slide/{view}.png"),
    ("svg", "Vector image (SVG)", "/export/{view}.svg"),
    ("pdf", "PDF", "/export/{view}.pdf"),
    ("gif", "Timeline animation (GIF)", "/export/{view}.gif"),
    ("mp4", "Timeline animation (MP4 video)", "/export/{view}.mp4"),
    ("gif-slide", "Timeline animation for a slide (GIF, large text)", "/slide/{view}.gif"),
    ("csv", "Displayed data (CSV)", "/data/{view}.csv"),
    ("xlsx", "Displayed data (XLSX)", "/data/{view}.xlsx"),
    ("articles-csv", "Articles behind it (CSV)", "/data/articles.csv"),
    ("articles-xlsx", "Articles behind it (XLSX)", "/data/articles.xlsx"),
)
PAGE_ITEMS = (
    ("deck", "All views as slides (PPTX)", "/export/deck.pptx"),
    ("articles-csv", "Filtered articles (CSV)", "/data/articles.csv"),
    ("articles-xlsx", "Filtered articles (XLSX)", "/data/articles.xlsx"),
    (
        "articles-zip",
        "Filtered articles with a description of the filters (ZIP)",
        "/data/articles.zip",
    ),
    ("gaps-csv", "Gaps: countries and cells with no articles (CSV)", "/data/gaps.csv"),
    ("gaps-xlsx", "Gaps (XLSX)", "/data/gaps.xlsx"),
)


def link_for(template: str, view: str, query: str) -> str:
    """The URL of one export for a view and the dashboard's query string."""
    path = template.format(view=view)
    query = (query or "").lstrip("?")
    return f"{path}?{query}" if query else path


def view_menu_items(view: str, tables: tuple = ()) -> list[tuple[str, str]]:
    """The links of a view's 'Export' menu, (label, href) pairs: images, its data, the
    articles behind it; and the data of each further chart the card shows (``tables``:
    (name, title) pairs, e.g. the income-group matrix beside the flow map)."""
    items = [(label, link_for(t, view, "")) for _, label, t in VIEW_ITEMS]
    for name, title in tables:
        items += [
            (f"{title}: data ({fmt.upper()})", link_for(f"/data/{{view}}.{fmt}", name, ""))
            for fmt in ("csv", "xlsx")
        ]
    return items


def page_menu_items() -> list[tuple[str, str]]:
    """The links of the page's 'Download' menu, (label, href) pairs."""
    return [(label, link_for(t, "page", "")) for _, label, t in PAGE_ITEMS]


def _menu(name: str, label: str, items: list, color: str, extra=(), **wrapper) -> html.Div:
    """A Bootstrap dropdown menu of links, drawn by assets/menus.js when first opened.

    Four Dash components instead of one per item (dbc.DropdownMenu): Dash's store runs
    every component's selector on each dispatch, and the page's seven menus held 95 of
    its ~540 components (issue 27). The toggle is a real button (Enter, Space, arrows);
    the links carry the class ``EXPORT_LINK`` (assets/links.js gives them the page's
    query string). ``extra``: Dash components kept at the end of the menu (the embed
    item, whose clicks a callback reads).
    """
    menu_id = f"menu-{name}"
    toggle = html.Button(
        label,
        type="button",
        className=f"btn btn-sm btn-{color} dropdown-toggle",
        **{"aria-expanded": "false", "aria-controls": menu_id, "data-menu-toggle": ""},
    )
    menu = html.Div(
        list(extra),
        id=menu_id,
        className="dropdown-menu dropdown-menu-end",
        **{"data-bs-popper": "static", "data-items": json.dumps(items)},
    )
    return html.Div([toggle, menu], **wrapper)


def export_menu(view: str, tables: tuple = ()) -> html.Div:
    """A view's 'Export' menu: images, its data, the articles behind it, embed code."""
    embed = html.Button(
        "Embed in a web page…",
        id={"type": EMBED_OPEN, "view": view},
        type="button",
        className="dropdown-item",
    )
    items = view_menu_items(view, tables)
    return _menu(view, "Export", items, "outline-secondary", extra=[embed],
                 className="export-menu dropdown")  # fmt: skip


def page_menu() -> html.Div:
    """The page's 'Download' menu: slide deck, filtered articles, gap list."""
    return _menu("page", "Download", page_menu_items(), "outline-light",
                 className="dropdown", id="page-downloads")  # fmt: skip


def embed_modal(uploaded: bool = False) -> dbc.Modal:
    """The dialog that gives the iframe code of a view at the current state.

    With ``uploaded`` (the session shows its own file) it says that embeds, like shared
    links, show the site's own dataset: an upload stays private to its session.
    """
    private = (
        [
            dbc.Alert(
                "You are viewing your own uploaded file. It is private to this browser "
                "session, so an embedded chart (and any shared link) shows this site's "
                "own dataset instead. To publish charts of your data, download them as "
                "images or serve the dashboard with your file (iome-map serve --data).",
                color="info",
                className="small py-2",
            )
        ]
        if uploaded
        else []
    )
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Embed this chart", id="embed-title")),
            dbc.ModalBody(
                [
                    *private,
                    html.P(
                        "Paste this code into a web page. The chart keeps the current "
                        "filters, shows its source and N, and links back here.",
                        className="small",
                    ),
                    dbc.Label("Embed code", html_for="embed-code", className="small"),
                    dbc.Textarea(
                        id="embed-code", readonly=True, rows=4, className="font-monospace small"
                    ),
                    html.Button(
                        "Copy the embed code",
                        type="button",
                        className="btn btn-sm btn-outline-secondary mt-2",
                        **{"data-copy": "embed-code"},
                    ),
                    html.P(
                        html.A(
                            "Preview the embedded chart",
                            id="embed-preview",
                            href="#",
                            target="_blank",
                        ),
                        className="small mt-2",
                    ),
                ]
            ),
        ],
        id=ID.EMBED,
        labelledby="embed-title",
        is_open=False,
    )


# The iframe height the embed code suggests. An embed page (title, filters, chart at its
# 300 px minimum, summary, synthetic note, source, data-table toggle, link back) needs, in
# Chromium, at most 595 px at 400 px wide (625 with a four-filter subtitle), 560 px at
# 640 and 544 px at 800; the chart takes any height above that. Every view is checked at
# 400 and 640 px wide by tests/e2e/test_toolbars_embeds.py.
EMBED_HEIGHT = 640
# Views whose embed shows more than one chart suggest a taller frame, declared with the
# view (View.embed_height: the flow map with its income-group matrix under it).


def embed_height(view: str) -> int:
    """The iframe height (px) the embed code suggests for a view."""
    return embed_height_of(view) or EMBED_HEIGHT


# Optional: the embed page posts {type: "iome-embed-height", height} to its parent
# (assets/embed/embed.js); these lines on the host page let the frame take that height
# (it grows when the reader opens the data table). Without them the fixed height holds.
RESIZE_SNIPPET = (
    '<script>addEventListener("message",function(e){{if(e.origin!=="{origin}"||!e.data||'
    'e.data.type!=="iome-embed-height")return;document.querySelectorAll("iframe")'
    ".forEach(function(f){{if(f.contentWindow===e.source)f.style.height=e.data.height+"
    '"px"}})}});</script>'
)


def embed_code(origin: str, view: str, query: str) -> tuple[str, str]:
    """The iframe code and the embed URL of a view at a query state.

    The code is the iframe, at a fixed height that fits the page, then an optional script
    that resizes the frame to its content (a page that does not allow scripts can leave it
    out).
    """
    origin = origin.rstrip("/")
    url = origin + link_for("/embed/{view}", view, query)
    chart = VIEWS.get(view)
    title = html_escape(f"{load_codebook().title}: {chart.title if chart else view}", quote=True)
    code = (
        f'<iframe src="{url}" title="{title}" width="100%" '
        f'height="{embed_height(view)}" style="border:0" loading="lazy"></iframe>\n'
        "<!-- Optional: fit the frame to its content -->\n" + RESIZE_SNIPPET.format(origin=origin)
    )
    return code, url
