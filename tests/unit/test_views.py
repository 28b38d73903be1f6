"""Views shared by the dashboard and the exports: captions, filter words, takeaways."""

import pytest

from evidence import DEMO_PATH, aggregate
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import FilterState, parse_query
from evidence.views import EXPORT_VIEWS, VIEWS, caption_for, describe_filters, view_figure


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def test_describe_filters_in_words():
    state = parse_query("format=mobility.outbound&year=2010-2020&origin_income=H")[0]
    assert describe_filters(state) == "Outbound mobility, 2010-2020, origin income: High"
    assert describe_filters(FilterState()) == "All articles"
    assert "Haiti" in describe_filters(FilterState(country=("HTI",)))


def test_caption_carries_filters_n_source_version_and_synthetic_mark(eb):
    state = parse_query("format=mobility.outbound&year=2010-2020")[0]
    sub = apply(eb, state)
    cap = caption_for(eb, sub, state, "flows")
    assert cap.title == VIEWS["flows"].title
    assert cap.subtitle == "Outbound mobility, 2010-2020"
    assert f"N = {sub.n_articles:,} articles" in cap.footer
    assert eb.version in cap.footer
    assert "10.1007/s40670-022-01553-6" in cap.footer
    assert "World Bank" in cap.footer
    assert "SYNTHETIC DEMO DATA" in cap.footer


@pytest.mark.parametrize("view", EXPORT_VIEWS)
def test_every_export_view_builds_captioned_figure(eb, view):
    data, fig = view_figure(eb, FilterState(), view, captioned=True)
    assert len(data) > 0
    assert fig.layout.title.text == f"<b>{VIEWS[view].title}</b>"
    footer = [a.text for a in fig.layout.annotations if a.name == "caption-footer"]
    assert footer and "N = 350 articles" in footer[0]


def test_flow_takeaway_is_the_share_of_north_south_flows(eb):
    share = aggregate.share_of_flows(eb, "N>S")
    text = VIEWS["flows"].takeaway(eb, FilterState())
    assert text.startswith(f"{100 * share:.0f}%")


def test_kind_filters_the_articles_and_so_the_flows(eb):
    """kind=K keeps the articles coded with mobility format K, in every view; the flows
    shown are theirs (as when kind only restricted the flow map)."""
    state = FilterState(kind=("mobility.inbound",))
    data, _ = view_figure(eb, state, "flows")
    inbound = apply(eb, FilterState(format=("mobility.inbound",)))
    assert data["n_articles"].sum() == aggregate.flows_by_pair(inbound)["n_articles"].sum()
    assert apply(eb, state).n_articles == inbound.n_articles < eb.n_articles
    assert view_figure(eb, state, "map")[0]["n_articles"].sum() == inbound.n_articles
