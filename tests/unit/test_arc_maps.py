"""The arc maps read at a glance: the largest pairs by default, a width scale that keeps
its meaning across filters and says so, and one country in focus with its pairs ranked."""

from __future__ import annotations

import re

import numpy as np
import pytest

from evidence import DEMO_PATH, aggregate
from evidence.countries import country_name
from evidence.figures.flows import select_pairs, width_bins, width_edges, width_labels
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query
from evidence.views import VIEWS, caption_for, view_figure


@pytest.fixture(scope="module")
def demo():
    return load_cached(DEMO_PATH)


def _kinds(fig, kind: str) -> list:
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("kind") == kind]


def _target_pairs(fig) -> set[tuple[str, str]]:
    (targets,) = _kinds(fig, "target")
    return {(c[0], c[1]) for c in targets.customdata}


@pytest.mark.parametrize(
    ("largest", "edges"), [(1, (1,)), (2, (1, 2)), (3, (1, 2, 3)), (11, (1, 2, 3, 6)),
                           (23, (1, 2, 5, 11)), (400, (1, 4, 20, 89))],
)  # fmt: skip
def test_width_edges_grow_roughly_geometrically(largest, edges):
    assert width_edges(largest) == edges
    labels = width_labels(edges)
    assert labels[-1] == f"{edges[-1]}+" and len(labels) == len(edges)


def test_width_bins_put_each_count_in_its_labelled_range():
    edges = (1, 2, 3, 6)
    assert width_labels(edges) == ["1", "2", "3–5", "6+"]
    assert width_bins(np.array([1, 2, 3, 5, 6, 40]), edges).tolist() == [0, 1, 2, 2, 3, 3]


@pytest.mark.parametrize("view", ["flows", "partner-map"])
def test_thirty_largest_by_default_and_all_on_request(demo, view):
    key = "arcs" if view == "flows" else "partner_arcs"
    data, fig = view_figure(demo, parse_query("")[0], view)
    pairs = _target_pairs(fig)
    assert len(pairs) == 30
    # exactly the largest (ties at the cut broken by name, so the choice is stable)
    expected = select_pairs(data.assign(lon0=0.0, lat0=0.0, lon1=1.0, lat1=1.0), top=30)
    assert pairs == set(zip(expected["origin"], expected["destination"], strict=True))
    assert f"the 30 largest of {len(data)} pairs" in fig.layout.legend.title.text
    _, every = view_figure(demo, parse_query(f"{key}=all")[0], view)
    assert len(_target_pairs(every)) == len(data)
    assert f"all {len(data)} pairs" in every.layout.legend.title.text


def test_the_width_key_stays_the_same_when_filters_change(demo):
    def key(query: str) -> list[tuple[str, float]]:
        _, fig = view_figure(demo, parse_query(query)[0], "flows")
        return [
            (t.name, t.line.width)
            for t in fig.data
            if isinstance(t.meta, dict) and t.meta.get("kind") == "width-key"
        ]

    full = key("")
    assert [name for name, _ in full] == ["1 article", "2", "3–5", "6+ articles"]
    assert key("year=2019") == full == key("focus=KEN") == key("kind=clinical")
    # and the arcs use it: a 1-article arc is drawn as thin with or without a filter
    _, fig = view_figure(demo, parse_query("year=2019")[0], "flows")
    thin = {t.line.width for t in _kinds(fig, "arc")}
    assert thin <= {w for _, w in full}


def test_focus_draws_every_pair_into_and_out_of_the_country(demo):
    state = parse_query("focus=KEN")[0]
    data, fig = view_figure(demo, state, "flows")
    pairs = _target_pairs(fig)
    assert pairs and all("KEN" in p for p in pairs)
    assert set(zip(data["origin"], data["destination"], strict=True)) == pairs
    assert fig.layout.geo.fitbounds == "locations"
    (nodes,) = _kinds(fig, "node")
    focus = [i for i, c in enumerate(nodes.customdata) if c[0] == "KEN"]
    assert len(focus) == 1 and nodes.marker.size[focus[0]] > nodes.marker.size[1 - focus[0]]
    caption = caption_for(demo, apply(demo, state), state, "flows").subtitle
    assert "flows and partnerships of: Kenya" in caption


def _senders_and_receivers(demo, iso3: str) -> tuple[dict, dict]:
    """The oracle: per other country, the articles with a flow into ``iso3`` from it, and
    out of ``iso3`` to it (pandas over the demo's flows table)."""
    f = demo.flows
    into = f[(f["destination"] == iso3) & (f["origin"] != iso3)]
    out = f[(f["origin"] == iso3) & (f["destination"] != iso3)]
    return (into.groupby("origin")["article_id"].nunique().to_dict(),
            out.groupby("destination")["article_id"].nunique().to_dict())  # fmt: skip


def test_the_focus_sentence_ranks_every_pair_with_the_counts_a_filter_keeps(demo):
    state = parse_query("focus=KEN")[0]
    sub = apply(demo, state)
    sentence = VIEWS["flows"].takeaway(sub, state)
    rank = aggregate.focus_ranking(demo, "KEN", "flows")
    assert sentence.startswith("Into Kenya: United States 5, ")
    assert f"{rank['n_in_north']} of {rank['n_in']} articles from HIC" in sentence
    assert "Out of Kenya: " in sentence and " more" not in sentence
    # every sender and receiver is named with its count: none left to a hover
    into, out = _senders_and_receivers(demo, "KEN")
    head, tail = sentence.removeprefix("Into Kenya: ").split("Out of Kenya: ")
    for part, expected in ((head, into), (tail, out)):
        named = dict(re.findall(r"([A-Z][A-Za-z .'-]+?) (\d+)(?=[,;])", part))
        assert {name: int(n) for name, n in named.items()} == {
            country_name(c): n for c, n in expected.items()
        }
    for iso3, name in (("USA", "United States"), ("CAN", "Canada")):
        n = apply(demo, parse_query(f"flow={iso3}-KEN")[0]).n_articles
        assert n == dict(rank["in"])[name]
    partners = VIEWS["partnerships"].takeaway(sub, state)
    assert partners.startswith("Kenya as partner, led from: ") and " more" not in partners


def test_net_flows_draw_one_arc_per_pair_from_the_side_that_sends_more(demo):
    pairs = aggregate.flows_by_pair(demo)
    net = aggregate.net_pairs(pairs)
    row = net[(net["origin"] == "USA") & (net["destination"] == "UGA")].iloc[0]
    forward = apply(demo, parse_query("flow=USA-UGA")[0]).n_articles
    back = apply(demo, parse_query("flow=UGA-USA")[0]).n_articles
    assert (row["n_forward"], row["n_back"], row["n_articles"]) == (forward, back, forward - back)
    assert not ((net["origin"] == "UGA") & (net["destination"] == "USA")).any()
    # every pair of countries is drawn once, or counted as balanced
    unordered = {frozenset(p) for p in zip(pairs["origin"], pairs["destination"], strict=True)}
    assert len(net) + net.attrs["n_balanced"] == len(unordered)
    state = parse_query("net=net")[0]
    _, fig = view_figure(demo, state, "flows")
    (targets,) = _kinds(fig, "target")
    i = next(i for i, c in enumerate(targets.customdata) if tuple(c[:2]) == ("USA", "UGA"))
    assert targets.text[i].startswith(f"United States → Uganda: net {forward - back} ")
    assert f"Click to select: {forward} articles" in targets.text[i]  # the side drawn
    assert "Net flows: the 30 largest of" in fig.layout.legend.title.text
    assert VIEWS["flows"].takeaway(demo, state).startswith("Net flows: ")


def test_the_focus_shows_as_a_chip_that_removes_it(demo):
    from components.render import render_views
    from components.sync import sync

    out = render_views("?focus=KEN", demo)
    (chip,) = out["active-chips"]
    assert chip["props"]["id"]["index"] == "focus|KEN"
    words = str(chip["props"]["children"])
    assert "Flows and partnerships of: " in words and "Kenya" in words
    # the focus filters: the articles with a flow or a partnership at Kenya (pandas)
    f, p = demo.flows, demo.partnerships
    ids = set(f.loc[(f["origin"] == "KEN") | (f["destination"] == "KEN"), "article_id"])
    ids |= set(p.loc[(p["lead"] == "KEN") | (p["partner"] == "KEN"), "article_id"])
    assert 0 < len(ids) < 350
    assert out["article-count"] == f"{len(ids)} of 350 articles"
    assert set(apply(demo, parse_query("focus=KEN")[0]).articles["article_id"]) == ids
    query, controls = sync("chip", "?focus=KEN&year=2019", {}, (2000, 2020),
                           chip_index="focus|KEN")  # fmt: skip
    assert query == "?year=2019" and controls["focus"] is None


def test_charts_beside_a_focused_map_count_the_focused_articles(demo):
    from evidence.views.flows import labelled_matrix

    # the focus is a filter: the matrix counts the flows of the articles the list holds
    state = parse_query("focus=KEN")[0]
    matrix, fig = view_figure(demo, state, "flow-matrix")  # the matrix as a labelled table
    expected = labelled_matrix(aggregate.direction_matrix(apply(demo, state).flows))
    everyone = labelled_matrix(aggregate.direction_matrix(demo.flows))
    assert matrix.equals(expected) and not matrix.equals(everyone)
    assert "not only" not in " ".join(a.text or "" for a in fig.layout.annotations)


def test_region_level_counts_what_a_region_flow_filter_keeps(demo):
    regions = aggregate.region_flows(demo)
    between = regions[regions["origin"] != regions["destination"]]
    assert len(between) > 10
    for origin, destination, n in zip(
        regions["origin"], regions["destination"], regions["n_articles"], strict=True
    ):
        kept = apply(demo, parse_query(f"region_flow={origin}~{destination}")[0])
        assert kept.n_articles == n, (origin, destination)
    state = parse_query("level=region")[0]
    _, fig = view_figure(demo, state, "flows")
    pairs = _target_pairs(fig)
    assert pairs == set(zip(between["origin"], between["destination"], strict=True))
    assert not _kinds(fig, "node")  # no country dots at the region level
    assert f"all {len(between)} region pairs" in fig.layout.legend.title.text
    top = between.iloc[0]
    assert (
        VIEWS["flows"]
        .takeaway(demo, state)
        .startswith(
            "Between World Bank regions, most articles with flows describe "
            f"{top['origin_name']} → {top['destination_name']} ({top['n_articles']})"
        )
    )
