"""Text alternatives: summaries follow the state; the data table holds the chart's numbers."""

from components.alternatives import PAGE_ROWS, data_table, summaries
from evidence import DEMO_PATH, aggregate
from evidence.filters import apply
from evidence.load import load_cached
from evidence.state import parse_query


def test_summary_of_flows_states_the_computed_share():
    eb = load_cached(DEMO_PATH)
    query = "?format=mobility.outbound"
    share = aggregate.share_of_flows(apply(eb, parse_query(query)[0]), "N>S")
    (text,) = summaries(query, eb, ["flows"])
    assert text.startswith(f"{100 * share:.0f}% of articles with student flows")


def test_summaries_say_when_nothing_matches():
    eb = load_cached(DEMO_PATH)
    assert summaries("?country=ISL&origin_income=L", eb, ["map", "trends"]) == [
        "No articles match these filters.",
        "No articles match these filters.",
    ]


def test_data_table_rows_equal_the_aggregate():
    eb = load_cached(DEMO_PATH)
    table = data_table("?motivation=social", eb, "trends")
    rows = table.children[2].children
    expected = aggregate.trends(apply(eb, parse_query("motivation=social")[0]), stack="format")
    assert len(expected) > PAGE_ROWS  # more than one page
    first = expected.head(PAGE_ROWS)  # the table's first page (the rest: Next)
    assert len(rows) == len(first)
    header = [th.children for th in table.children[1].children.children]
    assert "n_articles" not in header  # columns named in words on screen
    counts = [int(r.children[header.index("Articles")].children) for r in rows]
    assert counts == first["n_articles"].tolist()
    second = data_table("?motivation=social", eb, "trends", page=1).children[2].children
    counts = [int(r.children[header.index("Articles")].children) for r in second]
    assert counts == expected["n_articles"].iloc[PAGE_ROWS : 2 * PAGE_ROWS].tolist()
