"""Draw every view from the URL: decode the state, filter once, aggregate, build figures.

One callback returns all views (one round trip per interaction). Nothing here counts:
all numbers come from the pure ``evidence`` package.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from functools import lru_cache
from urllib.parse import quote

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import html

from components.cache import cached
from components.cells import cells_of_figure, with_pressed
from components.ids import CHIP, ID
from evidence import filters
from evidence.codebook import load_codebook
from evidence.fields import (
    FIELD,
    FILTER_ROLE_KEY,
    FILTER_ROLES,
    filter_role_short,
    filter_role_word,
)
from evidence.figures.theme import drawn_in_browser, empty_figure, specs_only
from evidence.model import EvidenceBase
from evidence.state import FilterState, parse_query, to_query
from evidence.table import article_page
from evidence.views import ALWAYS_DEPENDS, EMPTY_MESSAGE, HTML_CHARTS, VIEWS

# What one render returns: a figure per chart (by chart name), and the page's text.
RENDER_OUTPUTS = tuple(VIEWS)
CHIPS, COUNT, NOTICES = ID.CHIPS, ID.COUNT, ID.NOTICES  # also their component ids
SHOWN = ID.FILTER_DONE  # the phone's "Show N articles" button under the filters


ROLE_CHIP = FILTER_ROLE_KEY  # the index of the role's button among the chips


def _role_matters(state: FilterState) -> bool:
    """True when a filter that matches the country role (Countries, Regions) is active."""
    return any(FIELD[k].role_matched for k in state.filter_fields())


def chip_label(key: str, state: FilterState) -> str:
    """A chip's prefix: "Format", "Country"."""
    return FIELD[key].label


def chip_text(key: str, value, state: FilterState) -> str:
    """A chip's value in words: "Outbound mobility", and for countries and regions the
    role they match, "Kenya (any role)", as the filter panel's role switch says."""
    field = FIELD[key]
    text = field.value_label(value) if field.listed else field.words(value)
    if field.role_matched:
        text += f" ({filter_role_word(state.country_role)})"
    return text


def plain(value):
    """``value`` as the JSON encoder writes in one pass (orjson): Dash components in the
    JSON form Dash sends for them, and arrays other than contiguous numbers as lists.
    Anything else in a response makes plotly's encoder walk every figure first (11 ms a
    click at 350 articles)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf" and value.flags["C_CONTIGUOUS"]:
            return value
        return [plain(v) for v in value.tolist()] if value.dtype.kind == "O" else value.tolist()
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, pd.Series | pd.Index):
        return plain(value.to_numpy())
    return value


_SCALAR = (str, int, float, bool, type(None))


def plain_figure(value):
    """:func:`plain` for a figure dict, whose lists hold values of one kind: a list that
    starts with a scalar is taken as it is instead of being walked item by item (a
    figure's arrays run to thousands of items)."""
    if isinstance(value, _SCALAR):
        return value
    if isinstance(value, dict):
        return {k: plain_figure(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if not value or isinstance(value[0], _SCALAR):
            return value
        return [plain_figure(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind == "O":
        return plain_figure(value.tolist())
    return plain(value)


def chips(state: FilterState) -> list:
    """Removable chips, one per active filter value (and one for the arc maps' focus), in
    the JSON form of their components (:func:`plain`)."""
    items = []
    for key, value in state.chip_fields().items():
        field = FIELD[key]
        # one chip per item of a list; one for a single value (a year range, a focus)
        values = list(value) if field.listed else [field.text(value)]
        for v in values:
            text = chip_text(key, v if field.listed else value, state)
            items.append(
                dbc.Button(
                    [html.Span(f"{chip_label(key, state)}: ", className="fw-normal"), text,
                     html.Span(" ×", **{"aria-hidden": "true"})],
                    id={"type": CHIP, "index": f"{key}|{v}"},
                    size="sm", color="primary", outline=True, className="chip me-1 mb-1",
                    title=f"Remove this filter ({chip_label(key, state)}: {text})",
                )
            )  # fmt: skip
    if _role_matters(state):
        items.append(role_chip(state))
    return plain(items)


def role_chip(state: FilterState):
    """The role the Countries and Regions filters match, one click from the next one
    (any role, origin, any author, setting, and round again): a button beside their
    chips, so the role a count depends on is named, and changed, where the count is."""
    roles = list(FILTER_ROLES)
    now = state.country_role if state.country_role in roles else roles[0]
    after = roles[(roles.index(now) + 1) % len(roles)]
    return dbc.Button(
        [html.Span("Countries match: ", className="fw-normal"), filter_role_short(now),
         html.Span(" ⇄", **{"aria-hidden": "true"})],
        id={"type": CHIP, "index": f"{ROLE_CHIP}|{after}"},
        size="sm", color="secondary", outline=True, className="chip-role me-1 mb-1",
        title=f"Countries and regions match: {filter_role_word(now)}. "
              f"Click to match: {filter_role_word(after)}",
    )  # fmt: skip


def doi_link(doi: str, url: str) -> tuple[str, str]:
    """The text and address of an article's link: its DOI at doi.org, else an http(s)
    URL ("link"); ("", "") for anything else (a javascript: URL, say). The grid shows the
    text as text (assets/articles.js), never as markup."""
    if doi:
        return doi, "https://doi.org/" + quote(doi, safe="/:;._-")
    if url.lower().startswith(("http://", "https://")):
        return "link", quote(url, safe=":/?&=#%._-~+,;@")
    return "", ""


def table_rows(page: pd.DataFrame) -> list[dict]:
    """Display rows for the grid, with the DOI (or URL) as a safe link."""
    links = [doi_link(d, u) for d, u in zip(page["doi"], page["url"], strict=True)]
    page = page.assign(doi=[t for t, _ in links], doi_href=[h for _, h in links])
    keep = ["article_id", "title", "year", "journal", "origin", "formats", "motivations", "doi",
            "doi_href"]  # fmt: skip
    return page[keep].to_dict("records")


def rows_response(search: str | None, request: dict | None, text: str | None, eb) -> dict:
    """The grid's answer to a request for rows: one page of the filtered article list."""
    state, _ = parse_query(search)
    request = request if isinstance(request, dict) else {}
    page, count = article_page(
        eb, state, request.get("startRow", 0), request.get("endRow", 10),
        sort_model=request.get("sortModel"), search=text if isinstance(text, str) else "",
    )  # fmt: skip
    return {"rowData": table_rows(page), "rowCount": count}


def list_page(
    search: str | None,
    eb: EvidenceBase,
    *,
    start=0,
    sort: str = "list",
    text: str = "",
    cache=None,
) -> dict:
    """One page of the article list as the browser draws it (assets/articles.js): its
    rows, where it starts, how many articles match, and the order and search text
    (kept in ``cache`` by data version, filters, order, search text and start)."""
    from components.views import SORT_MODEL  # the list's own settings

    sort = sort if isinstance(sort, str) and sort in SORT_MODEL else "list"
    text = text if isinstance(text, str) else ""
    start = start if isinstance(start, int) and not isinstance(start, bool) else 0
    state, _ = parse_query(search)
    key = f"{filters_key(eb, state)}:list:{sort}:{start}:{text}"
    page = cached(cache, key, lambda: _list_page(state, eb, start, sort, text))
    return {"search": search or "", **page}


def _list_page(state: FilterState, eb: EvidenceBase, start: int, sort: str, text: str) -> dict:
    from components.views import PAGE_SIZE, SORT_MODEL

    page, total = article_page(eb, state, max(0, start), max(0, start) + PAGE_SIZE,
                               sort_model=SORT_MODEL[sort], search=text)  # fmt: skip
    start = max(0, min(start, max(total - 1, 0) // PAGE_SIZE * PAGE_SIZE))
    if len(page) == 0 and total:  # past the end (the list shrank): its last page
        page, total = article_page(eb, state, start, start + PAGE_SIZE,
                                   sort_model=SORT_MODEL[sort], search=text)  # fmt: skip
    # "text": the words searched, the state's (its q filter) and any given here
    words = " ".join(w for w in (state.q, text) if w)
    return {"start": start, "size": PAGE_SIZE, "total": total, "sort": sort, "text": words,
            "rows": table_rows(page), "headings": headings()}  # fmt: skip


def headings() -> dict[str, str]:
    """The list's scheme-worded columns in the words of the codebook in use ("Programme
    types"; an upload under its own scheme has its own; assets/articles.js)."""
    cb = load_codebook()
    return {"formats": cb.dim("format").plural, "motivations": cb.dim("motivation").plural,
            "origin": cb.roles["origin"]["short"]}  # fmt: skip


def count_text(n: int, total: int) -> str:
    """'N of M articles'."""
    return f"{n:,} of {total:,} articles"


def shown_text(n: int) -> str:
    """The label of the button that closes the filters on a phone: 'Show 120 articles'."""
    return f"Show {n:,} article{'' if n == 1 else 's'}" if n else "No articles match: back"


def view_key(eb: EvidenceBase, view: str, state: FilterState) -> str:
    """Cache key: data version, chart, and the canonical form of what the chart depends on."""
    return _view_key(eb.version, view, state)


@lru_cache(maxsize=4096)
def _view_key(version: str, view: str, state: FilterState) -> str:
    return f"{version}:{view}:{_relevant(state, (*VIEWS[view].depends, *ALWAYS_DEPENDS))}"


def _relevant(state: FilterState, keep: tuple[str, ...] = ()) -> str:
    """The canonical query of the state's filters and the fields ``keep`` (with the role
    when it decides which countries match)."""
    relevant = replace(
        FilterState(), **(state.filter_fields() | {f: getattr(state, f) for f in keep})
    )
    if _role_matters(state):  # the filter role decides which country counts
        relevant = replace(relevant, country_role=state.country_role)
    return to_query(relevant)


# What the page takes differs from the figure for these screens: its own cache entry.
_SCREEN_KEY = {"html": ":cells", "filled": ":filled"}


def cache_key(eb: EvidenceBase, view: str, state: FilterState) -> str:
    """The cache key of what the page takes for a chart (:func:`view_key`, and the form
    the chart's screen takes: an HTML chart's table, a figure the browser completes)."""
    return view_key(eb, view, state) + _SCREEN_KEY.get(VIEWS[view].screen, "")


def changed_views(state: FilterState, previous: FilterState | None, eb: EvidenceBase) -> set[str]:
    """Charts whose content differs between two states (all charts when unknown)."""
    if previous is None:
        return set(VIEWS)
    return {v for v in VIEWS if view_key(eb, v, state) != view_key(eb, v, previous)}


def render_views(
    search: str | None,
    eb: EvidenceBase,
    *,
    previous: str | None = None,
    cache=None,
) -> dict:
    """Every chart's figure (keyed by chart name) and the page's chips, count and notices
    (CHIPS, COUNT, NOTICES) for the state in ``search``.

    With ``previous`` (the query the page shows now), views that would not change are
    left out of the result, so the browser redraws only what changed.
    """
    state, notices = parse_query(search)
    before = parse_query(previous)[0] if previous is not None else None
    todo = changed_views(state, before, eb)
    out: dict = {NOTICES: [f"Link notice: {n}" for n in notices]}
    filters_changed = before is None or state.chip_fields() != before.chip_fields()
    if before is not None and _role_matters(state) and state.country_role != before.country_role:
        filters_changed = True  # the role decides which countries match: N and chips change
    if not (todo or filters_changed):
        return out
    # filtered on first use only: a click whose views all come from the cache filters
    # nothing; a chart is counted without its own selection (Chart.counted_in)
    subset = functools.cache(lambda counted: filters.apply(eb, counted))
    if filters_changed:
        out[CHIPS] = chips(state)
        n = cached(cache, filters_key(eb, state) + ":n", lambda: subset(state).n_articles)
        out[COUNT] = count_text(n, eb.n_articles)
        out[SHOWN] = shown_text(n)
    for view in VIEWS:
        if view not in todo:
            continue
        # What the page takes (a figure, an arc map's pairs, or an HTML chart's table)
        # is what is cached.
        out[view] = cached(
            cache,
            cache_key(eb, view, state),
            lambda v=view: _screen(v, _figure_dict(subset(VIEWS[v].counted_in(state)), state, v)),
        )
        if view in HTML_CHARTS:  # its selected cells and bars, pressed
            out[view] = with_pressed(out[view], view, state)
    return out


def filters_key(eb: EvidenceBase, state: FilterState) -> str:
    """Cache key of what depends on the selected articles alone (their count): data
    version and the filters (with the role when it decides which countries match)."""
    return _filters_key(eb.version, state)


@lru_cache(maxsize=4096)
def _filters_key(version: str, state: FilterState) -> str:
    return f"{version}:filters:{_relevant(state)}"


def state_key(eb: EvidenceBase, state: FilterState) -> str:
    """Cache key of what depends on the whole state (the views' takeaways)."""
    return f"{eb.version}:state:{to_query(state)}"


def _screen(view: str, figure: dict):
    """What the page's element of a chart takes: the figure (an arc map's with its arcs
    left for the browser to draw), or for an HTML chart the data of its table, read off
    the figure (the browser draws it)."""
    return cells_of_figure(figure) if view in HTML_CHARTS else figure


def _figure_dict(sub: EvidenceBase, state: FilterState, view: str) -> dict:
    with specs_only(), drawn_in_browser():
        if sub.n_articles == 0:
            return plain_figure(empty_figure(EMPTY_MESSAGE))
        chart = VIEWS[view]  # its figure alone when it has a builder for it
        fig = chart.figure(sub, state) if chart.figure else chart.build(sub, state)[1]
    return plain_figure(fig if isinstance(fig, dict) else fig.to_plotly_json())


def warm_up(eb: EvidenceBase, cache=None) -> None:
    """Build the per-dataset indexes and the default view once, before the first request."""
    filters.index_of(eb)
    article_page(eb, FilterState(), 0, 10)
    render_views("", eb, cache=cache)
