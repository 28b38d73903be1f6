"""Dash application factory: ``app = create_app()``; ``server = app.server`` for gunicorn."""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import os
import re
import threading
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import (
    ALL,
    MATCH,
    Dash,
    Input,
    Output,
    State,
    ctx,
    dcc,
    html,
    no_update,
)
from flask import request

from components import views
from components.about import about_body, about_modal, glossary_data
from components.alternatives import (
    SUMMARY_VIEWS,
    TABLE_BODY,
    TABLE_PAGE,
    TABLE_TOGGLE,
    data_table,
    summaries,
)
from components.cache import make_cache, make_export_cache
from components.cards import skip_links, status_toggle
from components.controls import filter_panel
from components.empty_state import empty_state
from components.export_menu import (
    EMBED_OPEN,
    embed_code,
    embed_modal,
    page_menu,
)
from components.ids import CHIP, ID, control_id, graph_id, store_id
from components.limits import register_limits
from components.render import (
    CHIPS,
    COUNT,
    NOTICES,
    RENDER_OUTPUTS,
    SHOWN,
    list_page,
    plain,
    render_views,
    warm_up,
)
from components.routes import register_routes
from components.security import register_security
from components.static_cache import (
    COUNTRIES,
    PLOTLY,
    dash_preloads,
    hashed_url,
    plotly_deferred,
    register_static_cache,
    topojson_preload,
)
from components.sync import sync
from components.timeline import timeline_bar
from components.upload_panel import DATA_OPEN, data_banner, data_modal, register_upload_callbacks
from components.uploads import (
    Sessions,
    UploadSettings,
    asked_link,
    default_directory,
    make_store,
    register_upload_routes,
)
from evidence import ASSETS_DIR
from evidence.codebook import default_data_path, load_codebook, no_data
from evidence.fields import CONTROLLED, group_counts
from evidence.load import load, load_cached, read_mapping
from evidence.model import EvidenceBase
from evidence.state import parse_query
from evidence.timeline import year_bounds, year_label
from evidence.views import CLICKABLE, HTML_CHARTS, SELECTABLE, VIEWS, source_name

PLOTLY_BUNDLE = hashed_url(PLOTLY)


class EvidenceDash(Dash):
    """Dash serving the project's partial plotly.js bundle (assets/vendor) instead of the
    full one: the four trace types drawn here, a third of the bytes."""

    def _setup_plotlyjs(self):
        self._plotlyjs_url = PLOTLY_BUNDLE

    def _config(self):
        """Dash's page config, its validation layout (the site's page, built once at start)
        cut to the component tree and ids the callback check reads: no text of the site's
        data or scheme goes into the page of an upload read under another scheme."""
        config = super()._config()
        if "validation_layout" in config:
            if getattr(self, "_id_tree", None) is None:
                self._id_tree = id_tree(config["validation_layout"])
            config["validation_layout"] = self._id_tree
        return config

    def interpolate_index(self, **kwargs):
        """The page's <title> per request: an upload read under its own scheme has its
        title (escaped: a codebook sent from a browser is text from a user). The page has
        no dash_table bundle (no DataTable on it: the article list is drawn by
        assets/articles.js), and the lazily loaded parts of dcc that every page needs
        (graph, dropdown, slider) download with the other scripts instead of after Dash
        has built the page (issue 27: first load). So do Dash's layout and callback list
        (static_cache.dash_preloads); plotly.js is an async script of the head
        (static_cache.plotly_deferred), and Babel's polyfill is left out."""
        from markupsafe import escape

        kwargs["title"] = str(escape(product_title()))
        kwargs["scripts"] = _UNUSED_SCRIPTS.sub("", kwargs["scripts"])
        prefix = self.config.requests_pathname_prefix
        kwargs["css"] = kwargs["css"] + "".join(
            f'<link rel="preload" as="script" href="{prefix}'
            f'_dash-component-suites/dash/dcc/{chunk}">'
            for chunk in DCC_CHUNKS
        )
        sessions = self.server.extensions.get("iome_sessions")
        kwargs["css"] += dash_preloads(prefix, layout=sessions is None or not sessions.token())
        kwargs["css"] += plotly_deferred()
        return super().interpolate_index(**kwargs)


# Scripts the page does without: dash_table (no DataTable on it), and Babel's polyfill
# for old browsers (core-js; a tenth of the page's script time at the start, issue 27).
# Dash's and dcc's async loaders need one global of it, regeneratorRuntime, which the
# dash-bootstrap-components bundle, loaded before them, defines.
_UNUSED_SCRIPTS = re.compile(
    r'<script src="[^"]*/(?:dash/dash_table/[^"]*|dash/deps/polyfill@[^"]*)"></script>\s*'
)
DCC_CHUNKS = ("async-graph.js", "async-dropdown.js", "async-slider.js")


def id_tree(node):
    """A layout as the component tree Dash's callback check walks: each component's type,
    namespace, id and child components; no text, no other property."""
    if isinstance(node, list | tuple):
        return [t for t in (id_tree(n) for n in node) if t is not None]
    if not hasattr(node, "_type"):
        return None
    props = {"id": node.id} if getattr(node, "id", None) is not None else {}
    for name in node._prop_names:  # children, and any other property holding components
        value = getattr(node, name, None)
        tree = id_tree(value) if name != "id" and value is not None else None
        if tree:
            props[name] = tree
    return {"type": node._type, "namespace": node._namespace, "props": props}


def product_title() -> str:
    """The page's and the header's title: the codebook's ``title`` (IoME's by default)."""
    return load_codebook().title


def scheme_subtitle() -> str:
    """The header's subtitle: the codebook's (IoME's by default; else the scheme's name
    and its two dimensions)."""
    return str(load_codebook().word("subtitle"))


def _is_open(clicks) -> bool:
    """A <details> summary clicked an odd number of times is open."""
    return isinstance(clicks, int) and clicks % 2 == 1


def _text(value) -> str:
    """A browser-sent value as text ('' for anything that is not a string)."""
    return value if isinstance(value, str) else ""


def synthetic_banner(eb: EvidenceBase, uploaded: bool = False):
    """The banner shown whenever synthetic records are loaded."""
    if not eb.synthetic:
        return None
    if uploaded:
        text = [
            html.Strong("Synthetic records. "),
            "Your file marks some or all of its records as synthetic (synthetic = true): "
            "they are not real articles.",
        ]
    else:
        text = [
            html.Strong("Synthetic demo data. "),
            (
                "These records are generated to match the review's published counts; they are "
                if load_codebook().is_default
                else "These records are synthetic; they are "
            )
            + "not real articles. Load your own coded spreadsheet to explore real evidence.",
        ]
    return dbc.Alert(
        text, color="warning", className="synthetic-banner py-2 mb-2", id="synthetic-banner"
    )


def build_layout(eb: EvidenceBase, sessions: Sessions | None = None) -> html.Div:
    """The page: header, banner, filters on the left, the six views on the right.

    Built per page load for the dataset this browser session sees (``sessions``).
    """
    meta = sessions.upload() if sessions is not None else None
    pending = sessions.pending() if sessions is not None else None
    fresh = sessions.take_fresh() if sessions is not None else None
    expired = sessions.expired() if sessions is not None else False
    settings = sessions.settings if sessions is not None else UploadSettings()
    viewing = sessions.viewing() if sessions is not None else False
    foreign = bool(asked_link()) and not viewing  # a link to an upload not this browser's
    uploaded = bool(meta and meta.get("status") == "loaded") and viewing
    if eb.n_articles == 0:
        return _empty_layout(eb, meta, settings, pending, fresh)
    header = dbc.Navbar(
        dbc.Container(
            [
                _title_block(),
                html.Div(
                    [
                        dbc.Button(
                            "Filters",
                            id=ID.FILTER_TOGGLE,
                            color="light",
                            size="sm",
                            className="d-lg-none",
                            outline=True,
                        ),
                        # A real button (assets/links.js copies the address bar's link).
                        html.Button(
                            "Copy link",
                            id=ID.SHARE,
                            type="button",
                            title="Copy a link to this view, with its filters",
                            className="btn btn-sm btn-outline-light",
                            **{"data-copy": "url"},
                        ),
                        page_menu(),
                        _data_button(),
                        dbc.Button(
                            "About", id=ID.ABOUT_OPEN, color="light", size="sm", outline=True
                        ),
                    ],
                    className="d-flex flex-wrap gap-2 align-items-center header-actions",
                ),
            ],
            fluid=True,
            className="d-flex justify-content-between flex-wrap gap-2",
        ),
        color="dark",
        dark=True,
        className="mb-2",
    )
    status = html.Div(
        [
            html.Div(id=ID.COUNT, className="fw-semibold me-3", **{"aria-live": "polite"}),
            status_toggle(),
            html.Div(id=ID.CHIPS, className="d-inline-flex flex-wrap"),
            dbc.Button(
                "Reset all filters", id=ID.RESET, size="sm", color="link", className="ms-auto"
            ),
            timeline_bar(eb),
        ],
        className="d-flex flex-wrap align-items-center status-bar mb-2",
    )
    main = [
        status,
        html.Div(id=ID.NOTICES, className="text-warning-emphasis"),
        html.Div(views.view_cards(eb), id="views"),
        views.articles_card(),
    ]
    return html.Div(
        [
            dcc.Location(id=ID.URL, refresh=False),
            dcc.Store(id=ID.RENDERED),
            dcc.Store(id=ID.URL_CHANGED),
            dcc.Store(id=ID.ROWS),
            dcc.Store(id=ID.ROWS_ASKED),
            dcc.Store(id=ID.CELL_PRESS),
            dcc.Store(id=ID.SELECT_MODE),
            dcc.Store(id=ID.TEXT),
            dcc.Store(id=TABLE_PAGE),
            skip_links(),
            header,
            dbc.Container(
                [
                    data_banner(eb, meta, expired, viewing=viewing, foreign=foreign),
                    synthetic_banner(eb, uploaded=uploaded),
                    dbc.Row(
                        [
                            dbc.Col(
                                dbc.Collapse(
                                    filter_panel(eb),
                                    id="filter-collapse",
                                    is_open=False,
                                    className="d-lg-block",
                                ),
                                lg=3,
                                className="filter-col",
                            ),
                            dbc.Col(html.Main(main, id="main"), lg=9),
                        ]
                    ),
                    page_footer(),
                ],
                fluid=True,
            ),
            about_modal(eb, lazy=True),
            glossary_data(),
            embed_modal(uploaded=uploaded),
            data_modal(
                eb, meta, settings.max_bytes, settings.ttl_s / 3600, pending=pending, fresh=fresh
            ),
        ]
    )


def page_footer() -> html.Footer:
    """The page's source line: the coding scheme in use (its citation) and the income
    classification."""
    cb = load_codebook()
    if cb.is_default:
        scheme = "coding scheme of Wu et al., Med Sci Educ 2022 (doi:10.1007/s40670-022-01553-6)"
    else:
        scheme = f"coding scheme: {cb.citation or cb.name or source_name(cb.path)}"
        scheme += f" (doi:{cb.doi})" if cb.doi else ""
    return html.Footer(
        f"Source: {scheme}. Income groups: World Bank country classifications by income "
        "level (CC BY 4.0).",
        className="small text-muted my-3",
    )


def _data_button() -> dbc.Button:
    """The header's "Your data" button (the page and the empty state)."""
    return dbc.Button(
        "Your data", id={"type": DATA_OPEN, "where": "nav"}, color="light", size="sm",
        outline=True,
    )  # fmt: skip


def _title_block() -> html.Div:
    """The header's product title and the scheme's subtitle (the page and the empty state)."""
    return html.Div(
        [
            html.H1(product_title(), className="h4 mb-0 text-white"),
            html.Div(scheme_subtitle(), className="small text-white-50"),
        ]
    )


def _empty_layout(eb: EvidenceBase, meta, settings, pending, fresh) -> html.Div:
    """The page when the dataset holds no article: the header, the load report with what
    to do next (components/empty_state.py), and the upload dialog."""
    header = dbc.Navbar(
        dbc.Container(
            [
                _title_block(),
                _data_button(),
            ],
            fluid=True,
            className="d-flex justify-content-between flex-wrap gap-2",
        ),
        color="dark",
        dark=True,
        className="mb-2",
    )
    return html.Div(
        [
            header,
            dbc.Container(
                [
                    html.Main(empty_state(eb, {"type": DATA_OPEN, "where": "empty"})),
                    page_footer(),
                ],
                fluid=True,
            ),
            data_modal(
                eb, meta, settings.max_bytes, settings.ttl_s / 3600, pending=pending, fresh=fresh
            ),
        ]
    )


def _view_outputs(**kw) -> dict:
    """The outputs one render fills, grouped by name: a figure per chart (an HTML chart's
    store), and the filter chips."""
    return {
        **{
            name: Output(store_id(name), "data", **kw)
            if name in HTML_CHARTS
            else Output(graph_id(name), "figure", **kw)
            for name in RENDER_OUTPUTS
        },
        CHIPS: Output(ID.CHIPS, "children", **kw),
    }


def _same_value(shown, new) -> bool:
    """True when a control already shows ``new`` (JSON turns tuples into lists)."""
    if isinstance(shown, list | tuple) and isinstance(new, list | tuple):
        return list(shown) == list(new)
    return shown == new


def _unchanged(group: dict) -> dict:
    return dict.fromkeys(group, no_update)


def _page_outputs(**kw) -> dict:
    """What else follows the state, in the same response as the views: the page's text
    (count, link notices, each view's takeaway; drawn by assets/page.js), each view's
    data table (when open) and the article list's first page."""
    return {
        "text": Output(ID.TEXT, "data", **kw),
        "tables": Output({"type": TABLE_BODY, "view": ALL}, "children", **kw),
        "rows": Output(ID.ROWS, "data", **kw),
    }


def _page_unchanged(grouped: dict) -> dict:
    return {
        "text": no_update,
        "tables": [no_update] * len(grouped["tables"]),
        "rows": no_update,
    }


def _page_extras(
    search: str, eb: EvidenceBase, toggles, grouped: dict, listing, drawn: dict, cache=None
) -> dict:
    """The page's text, open data tables and the first page of the article list (in the
    order and with the search text it has on screen, ``listing``) for ``search``; the
    count and link notices come from the render (``drawn``) when they changed."""
    table_views = [o["id"]["view"] for o in grouped["tables"]]
    tables = [
        plain(data_table(search, eb, view)) if _is_open(clicks) else no_update
        for view, clicks in zip(table_views, toggles or [], strict=False)
    ]
    tables += [no_update] * (len(table_views) - len(tables))
    listing = listing if isinstance(listing, dict) else {}
    takeaways = summaries(search, eb, SUMMARY_VIEWS, cache=cache)
    text = {"summaries": dict(zip(SUMMARY_VIEWS, takeaways, strict=True))}
    for key, name in ((COUNT, "count"), (NOTICES, "notices"), (SHOWN, "shown")):
        if key in drawn:
            text[name] = drawn[key]
    state = parse_query(search)[0]
    text["groups"] = group_counts(state)
    text["year_label"] = year_label(state.year, year_bounds(eb))  # assets/timeline.js
    return {
        "text": text,
        "tables": tables,
        "rows": list_page(
            search,
            eb,
            sort=listing.get("sort", "list"),
            cache=cache,
        ),
    }


# Control ids and graph ids back to the field key and chart name they show.
CONTROL_OF = {control_id(key): key for key in CONTROLLED}
CHART_OF = {graph_id(name): name for name in VIEWS}


def _trigger() -> tuple[str, str | None]:
    """What fired the state writer: ("url"|"control"|"reset"|"chip"|"click"|"select"|
    "press", the control's key, the chart's name or the chip's index; a pressed cell of
    an HTML chart is read from its store)."""
    triggered = ctx.triggered_id
    prop = ctx.triggered[0]["prop_id"] if ctx.triggered else ""
    if triggered in (ID.URL, None):
        return "url", None
    if triggered == ID.RESET:
        return "reset", None
    if isinstance(triggered, dict) and triggered.get("type") == CHIP:
        return "chip", triggered.get("index")
    if triggered == ID.CELL_PRESS:
        return "press", None
    if triggered == ID.TABLE_SEARCH:
        return "search", None
    if triggered in CONTROL_OF:
        return "control", CONTROL_OF[triggered]
    if triggered in CHART_OF:
        return ("select" if prop.endswith("selectedData") else "click"), CHART_OF[triggered]
    return "url", None


def register_callbacks(app: Dash, sessions: Sessions, cache=None) -> None:
    """Wire the single state writer, the render callback and the small UI callbacks.

    Callbacks take named, grouped arguments built from the declarations (every field
    with a control, every chart with a click or drag rule), so a new filter or view
    needs no change here. Every callback reads the dataset of the session that sent it
    (``sessions.current()``).
    """

    @app.callback(
        output={
            "search": Output(ID.URL, "search"),
            "controls": {k: Output(control_id(k), "value") for k in CONTROLLED},
            "list_search": Output(ID.TABLE_SEARCH, "value"),  # the state's q, shown
            # The writer also draws the views it changed, saving a second round trip; the
            # URL-driven callback below skips a state that was drawn here already.
            "views": _view_outputs(allow_duplicate=True),
            "drawn": Output(ID.RENDERED, "data", allow_duplicate=True),
            # ... and everything else that follows the state: one response per action.
            "page": _page_outputs(allow_duplicate=True),
        },
        inputs={
            "search": Input(ID.URL, "search"),
            "controls": {k: Input(control_id(k), "value") for k in CONTROLLED},
            "clicks": {
                name: Input(graph_id(name), "clickData")
                for name in CLICKABLE
                if name not in HTML_CHARTS
            },
            "cells": Input(ID.CELL_PRESS, "data"),
            "drags": {name: Input(graph_id(name), "selectedData") for name in SELECTABLE},
            "reset": Input(ID.RESET, "n_clicks"),
            "chips": Input({"type": CHIP, "index": ALL}, "n_clicks"),
            "list_search": Input(ID.TABLE_SEARCH, "value"),
        },
        state={
            "rendered": State(ID.RENDERED, "data"),
            "toggles": State({"type": TABLE_TOGGLE, "view": ALL}, "n_clicks"),
            "listing": State(ID.ROWS, "data"),
            "mode": State(ID.SELECT_MODE, "data"),
        },
        prevent_initial_call="initial_duplicate",
    )
    def update_state(
        search, controls, clicks, cells, drags, reset, chips, list_search, rendered, toggles,
        listing, mode,
    ):  # fmt: skip
        eb = sessions.current()
        grouped = ctx.outputs_grouping["page"]
        unchanged = {
            "search": no_update,
            "controls": _unchanged(controls),
            "list_search": no_update,
            "views": _unchanged((*RENDER_OUTPUTS, CHIPS)),
            "drawn": no_update,
            "page": _page_unchanged(grouped),
        }
        trigger, what = _trigger()
        if trigger == "chip" and not ctx.triggered[0].get("value"):
            return unchanged  # a chip drawn anew, not clicked
        if trigger == "url" and rendered is not None and rendered == _text(search):
            # The echo of this writer's own answer (the URL it set): the controls show it
            # already. Setting them again from it would move a control the person has
            # moved on since (ten quick arrow presses on the year slider) back a step.
            return unchanged
        event = None
        # Shift/Ctrl-click or the "Add to selection" switch: the mark joins the selection
        add = isinstance(mode, dict) and mode.get("add") is True
        if trigger == "click":
            event = clicks.get(what)
        elif trigger == "press":
            press = cells if isinstance(cells, dict) else {}
            what, event = press.get("chart"), press.get("key")
            add = press.get("add") is True
            if isinstance(press.get("point"), dict):  # a data table row's Filter button
                trigger, event = "click", {"points": [press["point"]]}
        elif trigger == "select":
            event = drags.get(what)
        elif trigger == "search":
            event = {"text": _text(list_search)}
        query, new_controls = sync(
            trigger,
            search,
            controls,
            year_bounds(eb),
            chart=what if trigger in ("click", "select", "press") else None,
            event=event,
            chip_index=what if trigger == "chip" else None,
            add=add,
        )
        out = dict(unchanged)
        if query is not None:
            out["search"] = query
        if new_controls is not None:
            # Only the controls whose value changes: every prop set goes through Dash's
            # store and re-renders its widget (a 200-country list, say) for nothing.
            out["controls"] = {
                k: no_update if _same_value(controls.get(k), v) else v
                for k, v in new_controls.items()
            }
            # the list's search box shows the state's words (not while typing in it)
            shown = parse_query(query if query is not None else search)[0].q
            if trigger != "search" and shown != _text(list_search).strip():
                out["list_search"] = shown
        # The state to draw: a click's new one, or a URL not drawn yet (the first load,
        # back/forward, a timeline step, a pasted link), drawn here with the controls
        # instead of by a second request after this one (update_views finds it drawn).
        target, previous = None, rendered
        if query is not None and trigger != "url":
            target = query
            previous = rendered if rendered is not None else search
        elif trigger == "url" and (rendered is None or rendered != _text(search)):
            target = _text(search)
        if target is not None:
            drawn = render_views(target, eb, previous=previous, cache=cache)
            out["views"] = {k: drawn.get(k, no_update) for k in out["views"]}
            out["drawn"] = target
            out["page"] = _page_extras(target, eb, toggles, grouped, listing, drawn, cache)
        return out

    # The export links follow the URL in the browser. The state writer draws every state
    # it is called for, a click's or a new URL's, so an action costs one request; a URL
    # it left undrawn (a chip drawn anew, not clicked, say) wakes the render below.
    app.clientside_callback(
        """function (search, rendered) {
            const q = search || "";
            if (window.iome_links) { window.iome_links.sync(q); }  // assets/links.js
            return (rendered === null || rendered === undefined || rendered !== q)
                ? {search: q, at: Date.now()} : window.dash_clientside.no_update;
        }""",
        Output(ID.URL_CHANGED, "data"),
        Input(ID.URL, "search"),
        State(ID.RENDERED, "data"),
    )

    @app.callback(
        output={
            "views": _view_outputs(),
            "drawn": Output(ID.RENDERED, "data"),
            "page": _page_outputs(allow_duplicate=True),
        },
        inputs={"changed": Input(ID.URL_CHANGED, "data")},
        state={
            "search": State(ID.URL, "search"),
            "rendered": State(ID.RENDERED, "data"),
            "toggles": State({"type": TABLE_TOGGLE, "view": ALL}, "n_clicks"),
            "listing": State(ID.ROWS, "data"),
        },
        prevent_initial_call=True,
    )
    def update_views(changed, search, rendered, toggles, listing):
        eb = sessions.current()
        search = _text(search)
        names = (*RENDER_OUTPUTS, CHIPS)
        grouped = ctx.outputs_grouping["page"]
        if rendered is not None and (rendered or "") == search:
            return {"views": _unchanged(names), "drawn": no_update,
                    "page": _page_unchanged(grouped)}  # fmt: skip
        drawn = render_views(search, eb, previous=rendered, cache=cache)
        return {
            "views": {k: drawn.get(k, no_update) for k in names},
            "drawn": search,
            "page": _page_extras(search, eb, toggles, grouped, listing, drawn, cache),
        }

    # The browser draws the HTML charts, the article list and the page's text from the
    # stores each response fills, as the response arrives (the request_post hook,
    # assets/page.js): no callback waits on those stores, so Dash runs none for them.
    # Previous / Next, the order and the search box ask the server for another page of
    # the list (below).

    @app.callback(
        Output(ID.ROWS, "data", allow_duplicate=True),
        Input(ID.ROWS_ASKED, "data"),
        Input(ID.TABLE_SORT, "value"),
        State(ID.URL, "search"),
        State(ID.ROWS, "data"),
        prevent_initial_call=True,
    )
    def update_article_rows(asked, sort, search, listing):
        listing = listing if isinstance(listing, dict) else {}
        start = 0  # a new search or order starts at the top
        if ctx.triggered_id == ID.ROWS_ASKED and isinstance(asked, dict):
            start = asked.get("start", 0)
        # the search words are the state's (q): the URL holds them
        return list_page(_text(search), sessions.current(), start=start, sort=_text(sort))

    @app.callback(
        Output(ID.EMBED, "is_open"),
        Output("embed-code", "value"),
        Output("embed-preview", "href"),
        Input({"type": EMBED_OPEN, "view": ALL}, "n_clicks"),
        State(ID.URL, "search"),
        State(ID.URL, "href"),
        prevent_initial_call=True,
    )
    def open_embed(clicks, search, href):
        if not any(clicks or []) or not isinstance(ctx.triggered_id, dict):
            return no_update, no_update, no_update
        origin = "/".join((_text(href) or "http://127.0.0.1:8050/").split("/")[:3])
        code, url = embed_code(origin, ctx.triggered_id["view"], _text(search))
        return True, code, url

    @app.callback(
        Output({"type": TABLE_BODY, "view": MATCH}, "children", allow_duplicate=True),
        Input({"type": TABLE_TOGGLE, "view": MATCH}, "n_clicks"),
        State(ID.URL, "search"),
        prevent_initial_call=True,
    )
    def toggle_data_table(clicks, search):
        if not _is_open(clicks):
            return []
        return data_table(_text(search), sessions.current(), ctx.outputs_list["id"]["view"])

    @app.callback(
        Output({"type": TABLE_BODY, "view": ALL}, "children", allow_duplicate=True),
        Input(TABLE_PAGE, "data"),
        State(ID.URL, "search"),
        prevent_initial_call=True,
    )
    def turn_table_page(asked, search):
        # A data table's Previous or Next: that table at the page asked for.
        views = [o["id"]["view"] for o in ctx.outputs_list]
        asked = asked if isinstance(asked, dict) else {}
        view, page = asked.get("view"), asked.get("page")
        if view not in views or not isinstance(page, int):
            return [no_update] * len(views)
        eb = sessions.current()
        return [data_table(_text(search), eb, v, page) if v == view else no_update for v in views]

    @app.callback(
        Output(ID.ABOUT, "is_open"),
        Input(ID.ABOUT_OPEN, "n_clicks"),
        State(ID.ABOUT, "is_open"),
        prevent_initial_call=True,
    )
    def toggle_about(_clicks, is_open):
        return not is_open

    @app.callback(
        Output(ID.ABOUT_BODY, "children"),
        Input(ID.ABOUT_OPEN, "n_clicks"),
        State(ID.URL, "search"),  # names the session's upload (dataset=...) when shown
        prevent_initial_call=True,
    )
    def fill_about(_clicks, _search):
        # Built when opened, for the data this page shows (about_modal's lazy).
        return about_body(sessions.current())

    @app.callback(
        Output("filter-collapse", "is_open"),
        Input(ID.FILTER_TOGGLE, "n_clicks"),
        Input(ID.FILTER_DONE, "n_clicks"),
        State("filter-collapse", "is_open"),
        prevent_initial_call=True,
    )
    def toggle_filters(_clicks, _done, is_open):
        # "Show N articles" under the filters (a phone) closes them; the toggle flips them.
        return False if ctx.triggered_id == ID.FILTER_DONE else not is_open


# Modules imported on first use. With threaded workers two first requests can import one
# at the same time, and the second then sees it half initialised (found by the export
# burst: plotly's encoder read a partial PIL.Image and the dashboard answered 500).
# The JSON encoder's PIL.Image is imported once, before the workers fork. What only files
# need (kaleido, python-pptx, openpyxl: about 20 MB a process) is imported by the first
# request for a file, under a lock, so a worker that never exports never holds them.
LAZY_MODULES = ("PIL.Image",)
EXPORT_MODULES = ("kaleido", "pptx", "openpyxl")
EXPORT_PATHS = ("/export/", "/slide/", "/data/", "/upload", "/embed/")
_EXPORT_IMPORT = threading.Lock()
_EXPORT_IMPORT_DONE = threading.Event()


def import_lazy_modules(names: tuple[str, ...] = LAZY_MODULES) -> None:
    for name in names:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def import_export_modules() -> None:
    """Before a request for a file: the export-only modules, imported once, one thread
    at a time (a no-op once they are in)."""
    if request.path.startswith(EXPORT_PATHS) and not _EXPORT_IMPORT_DONE.is_set():
        with _EXPORT_IMPORT:
            import_lazy_modules(EXPORT_MODULES)
            _EXPORT_IMPORT_DONE.set()


def load_site_data(data_path: str | Path | None = None, columns: str | None = None):
    """The site's dataset: ``data_path`` (else ``IOME_DATA``, else the codebook's own
    example data, see :func:`evidence.codebook.default_data_path`) read with the column
    mapping ``columns`` (else ``IOME_COLUMNS``). No file at all gives an empty dataset
    whose report says so."""
    path = data_path or os.environ.get("IOME_DATA") or default_data_path()
    columns = columns or os.environ.get("IOME_COLUMNS") or None
    if path is None:
        return no_data(load_codebook())
    if columns:
        stat = Path(path).stat()
        return _load_mapped(str(Path(path).resolve()), stat.st_mtime_ns, str(columns))
    return load_cached(path)


@functools.lru_cache(maxsize=2)
def _load_mapped(path: str, _mtime_ns: int, columns: str):
    return load(path, mapping=read_mapping(columns))


def create_app(
    data_path: str | Path | None = None, cache_url: str | None = None, columns: str | None = None
) -> Dash:
    """Build the Dash app on one evidence base (the bundled synthetic demo by default)."""
    import_lazy_modules()
    eb = load_site_data(data_path, columns)
    cache_url = cache_url or os.environ.get("IOME_CACHE") or None
    settings = UploadSettings.from_env()
    sessions = Sessions(eb, make_store(settings, cache_url), settings)
    app = EvidenceDash(
        __name__,
        # The page's text, HTML charts and list are drawn as a response arrives, before
        # the graphs (assets/page.js).
        hooks={
            "request_post": "function (payload, response) {"
            " if (window.iome_page_response) window.iome_page_response(payload, response); }"
        },
        title=product_title(),
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        assets_path_ignore=["embed"],
        # the country table at an address with its content hash, cached immutable
        # (components/static_cache.py); still served under its plain name. plotly.js is
        # no page script either: dcc.Graph loads it (static_cache.plotly_deferred).
        assets_ignore=r"^(countries\.js|plotly-iome\.min\.js)$",
        external_scripts=[hashed_url(COUNTRIES)],
        compress=True,
        suppress_callback_exceptions=False,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.index_string = app.index_string.replace("{%css%}", "{%css%}" + topojson_preload(), 1)
    app.layout = lambda: build_layout(sessions.current(), sessions)
    cache = make_cache(app.server, cache_url)
    register_callbacks(app, sessions, cache)
    register_upload_callbacks(app, sessions)
    if eb.n_articles:
        warm_up(eb, cache)
    app.server.before_request(import_export_modules)
    register_routes(app.server, sessions.current, make_export_cache(cache, cache_url))
    register_upload_routes(app.server, sessions)
    register_limits(app.server, cache_url, settings.directory or default_directory())
    app.server.extensions["iome_sessions"] = sessions
    register_security(app.server, callback_map=app.callback_map)
    register_static_cache(app.server)
    # Off whatever FLASK_DEBUG says; only `iome-map serve --debug` (app.run) turns debug
    # mode and the Dash dev tools on.
    app.server.debug = False
    # Dash finishes its own set-up on the first request and marks it done before it is
    # done: with threaded workers a second request could be served half set up ("dash is
    # not a registered library", found by the soak). Do it now, once, before any request.
    with app.server.test_request_context("/"):
        app._setup_server()
    return app


def create_server():
    """WSGI entry point for gunicorn (``app:create_server()``); data from $IOME_DATA.

    With ``--preload`` this runs once in the master before the workers fork. Everything
    built so far is then moved out of the garbage collector's sight (``gc.freeze``): a
    collection in a worker would otherwise write to every preloaded object and copy the
    shared pages into each worker, which threaded workers do sooner.
    """
    server = create_app().server
    gc.collect()
    gc.freeze()
    return server
