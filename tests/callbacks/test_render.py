"""The render callback's pure part: every view, chips and count follow the URL state."""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from components.ids import ID
from components.render import RENDER_OUTPUTS, render_views, rows_response
from evidence import DEMO_PATH, aggregate
from evidence.figures.theme import is_empty_figure
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import HTML_CHARTS


def decoded(value):
    """Plotly's typed-array form ({"dtype", "bdata"}) back to a list."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def browser_figure(value) -> go.Figure:
    """A figure as the dashboard sends it, as a go.Figure. The world map's zero countries
    carry a placeholder (a dict) where plotly expects customdata: assets/figures.js fills
    it in the browser, and plotly's validation (stricter since 6.x) rejects it here."""
    return go.Figure(value, skip_invalid=True)


def is_empty(chart: str, value) -> bool:
    """An empty state: a designed empty figure, or an HTML chart with only a note."""
    if chart in HTML_CHARTS:
        return all(part["kind"] == "note" for part in value["parts"])
    return is_empty_figure(browser_figure(value))


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def test_default_view_draws_every_graph_with_all_articles(eb):
    out = render_views("", eb)
    assert out[ID.COUNT] == "350 of 350 articles"
    assert out[ID.CHIPS] == []
    for graph in RENDER_OUTPUTS:
        assert not is_empty(graph, out[graph]), graph


def test_map_counts_follow_the_filter(eb):
    query = "format=mobility.outbound&year=2010-2020"
    out = render_views("?" + query, eb)
    sub = apply(eb, parse_query(query)[0])
    assert out[ID.COUNT] == f"{sub.n_articles} of 350 articles"
    expected = aggregate.counts_by_country(sub, role="origin")
    expected = dict(zip(expected["iso3"], expected["n_articles"], strict=True))
    plotted = {}
    for trace in browser_figure(out["map"]).data:
        if trace.type == "choropleth" and trace.z is not None:
            plotted |= dict(zip(decoded(trace.locations), decoded(trace.z), strict=True))
    assert plotted["USA"] == expected["USA"] > 0
    assert sum(plotted.values()) == sum(expected.values())


def test_chips_name_each_filter_value(eb):
    out = render_views("?country=HTI,UGA&year=2010-2012", eb)
    ids = [chip["props"]["id"]["index"] for chip in out[ID.CHIPS]]
    # and, beside the countries, the role they match, one click from the next
    assert ids == ["year|2010-2012", "country|HTI", "country|UGA", "country_role|origin"]


def test_no_match_gives_designed_empty_states_and_empty_table(eb):
    out = render_views("?country=ISL&origin_income=L", eb)
    assert out[ID.COUNT] == "0 of 350 articles"
    # The map keeps its countries (counted without its own selection, Iceland), so that
    # another can be picked: no dead end.
    assert any(t["type"] == "choropleth" for t in out["map"]["data"])
    assert all(is_empty(g, out[g]) for g in RENDER_OUTPUTS if g != "map")
    assert out["alignment"]["parts"] == [
        {"kind": "note", "message": "No articles match these filters"}
    ]


def test_bad_link_values_become_notices(eb):
    out = render_views("?format=teleport&zzz=1", eb)
    text = " ".join(out[ID.NOTICES])
    assert "teleport" in text and "zzz" in text


def test_doi_becomes_a_safe_link_and_other_schemes_do_not():
    from components.render import doi_link

    assert doi_link("10.1000/x(1)", "") == ("10.1000/x(1)", "https://doi.org/10.1000/x%281%29")
    assert doi_link("", "javascript:alert(1)") == ("", "")
    assert doi_link("", "https://example.org/a b") == ("link", "https://example.org/a%20b")


def test_table_rows_carry_doi_links(eb):
    response = rows_response("?country=USA", {"startRow": 0, "endRow": 10}, "", eb)
    with_doi = [r for r in response["rowData"] if r["doi"]]
    assert with_doi and all(r["doi_href"] == "https://doi.org/" + r["doi"] for r in with_doi)
    assert "url" not in response["rowData"][0]


def test_rows_response_pages_the_filtered_articles(eb):
    query = "?format=mobility.outbound&year=2010-2020"
    sub = apply(eb, parse_query(query)[0])
    first = rows_response(query, {"startRow": 0, "endRow": 10}, "", eb)
    second = rows_response(query, {"startRow": 10, "endRow": 20}, "", eb)
    assert first["rowCount"] == second["rowCount"] == sub.n_articles
    ids = [r["article_id"] for r in first["rowData"] + second["rowData"]]
    assert len(ids) == 20 == len(set(ids))
    assert set(ids) <= set(sub.articles["article_id"])


def test_rows_response_sorts_and_searches(eb):
    request = {"startRow": 0, "endRow": 400, "sortModel": [{"colId": "year", "sort": "desc"}]}
    rows = rows_response("", request, "", eb)["rowData"]
    years = [r["year"] for r in rows]
    assert years == sorted(years, reverse=True) and len(rows) == 350
    found = rows_response("", {"startRow": 0, "endRow": 400}, "uganda", eb)
    titles = eb.articles.set_index("article_id")["title"]
    assert found["rowCount"] > 0
    for row in found["rowData"]:
        assert "uganda" in " ".join(str(v) for v in row.values()).lower() or "uganda" in (
            titles[row["article_id"]].lower()
        )
    assert rows_response("", {"startRow": 0, "endRow": 10}, "zzzz-nothing", eb)["rowCount"] == 0


def test_only_views_that_change_are_redrawn(eb):
    out = render_views("?align=by_income", eb, previous="")
    assert set(out) & set(RENDER_OUTPUTS) == {"alignment"}
    assert ID.COUNT not in out  # the article set did not change
    out = render_views("?role=setting", eb, previous="")
    assert set(out) & set(RENDER_OUTPUTS) == {"map"}
    out = render_views("?kind=mobility.inbound", eb, previous="")
    assert set(RENDER_OUTPUTS) <= set(out) and ID.COUNT in out  # kind filters the articles
    out = render_views("?format=mobility", eb, previous="")
    assert set(RENDER_OUTPUTS) <= set(out) and ID.COUNT in out
    # With a country filter the role decides which articles match: every view changes.
    out = render_views("?country=USA&role=setting", eb, previous="?country=USA")
    assert set(RENDER_OUTPUTS) <= set(out)


def test_partial_render_equals_full_render(eb):
    full = render_views("?align=row_share&format=mobility", eb)
    part = render_views("?align=row_share&format=mobility", eb, previous="?format=mobility")
    assert json.dumps(part["alignment"]) == json.dumps(full["alignment"])
    assert part["alignment"]["parts"][1]["kind"] == "matrix"


@pytest.mark.parametrize(
    "request_",
    [None, "x", 3, [], {"startRow": "a", "endRow": None}, {"sortModel": "year"},
     {"startRow": 1e400, "endRow": -5, "sortModel": [1, {"colId": 2}]}],
)  # fmt: skip
def test_rows_response_survives_junk_requests(eb, request_):
    response = rows_response(7, request_, ["not", "text"], eb)
    assert response["rowCount"] == 350
    assert len(response["rowData"]) <= 500


def test_list_page_pages_orders_and_searches_the_filtered_articles(eb):
    from components.render import list_page

    query = "?format=mobility"
    n = apply(eb, parse_query(query)[0]).n_articles
    first = list_page(query, eb)
    assert first["total"] == n and first["start"] == 0 and len(first["rows"]) == 10
    second = list_page(query, eb, start=10)
    assert {r["article_id"] for r in first["rows"]}.isdisjoint(
        r["article_id"] for r in second["rows"]
    )
    newest = list_page(query, eb, sort="year-desc")["rows"]
    assert [r["year"] for r in newest] == sorted((r["year"] for r in newest), reverse=True)
    assert newest[0]["year"] == apply(eb, parse_query(query)[0]).articles["year"].max()
    found = list_page(query, eb, text="Kenya")
    assert 0 < found["total"] < n and all("Kenya" in str(r) for r in found["rows"])
    # past the end (the list shrank under the reader): the last page, not an empty one
    last = list_page(query, eb, start=10_000)
    assert last["start"] == (n - 1) // 10 * 10 and last["rows"]


@pytest.mark.parametrize("junk", [None, "x", -5, 1e9, True, [], {"a": 1}])
def test_list_page_survives_junk(eb, junk):
    from components.render import list_page

    page = list_page(junk if isinstance(junk, str) else None, eb, start=junk, sort=junk,
                     text=None if isinstance(junk, str) else junk)  # fmt: skip
    assert page["total"] == 350 and page["sort"] == "list" and page["start"] >= 0
