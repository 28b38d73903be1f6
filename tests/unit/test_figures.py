"""Figure builders: the data drawn matches the input, colours come from the codebook,
and empty input gives the designed empty state."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from factories import NAMES, POINTS, economies, sample_evidence

from evidence import aggregate as ag
from evidence.codebook import load_codebook
from evidence.figures import theme
from evidence.figures.alignment import CELL_STATUSES, build_alignment_figure, status_fill
from evidence.figures.flows import (
    TARGETS_AT,
    build_direction_matrix_figure,
    build_flows_figure,
    screen_angle,
)
from evidence.figures.map import build_map_figure, colour_ticks
from evidence.figures.partnerships import build_partner_map_figure, build_partnerships_figure
from evidence.figures.trends import build_trends_figure
from evidence.model import EvidenceBase
from evidence.rubric import STATUSES


@pytest.fixture(scope="module")
def eb() -> EvidenceBase:
    return sample_evidence()


@pytest.fixture(scope="module")
def empty() -> EvidenceBase:
    return EvidenceBase.empty()


# --------------------------------------------------------------------------- theme
def test_empty_figure_has_message_and_no_axes():
    fig = theme.empty_figure("Nothing here")
    assert fig.data == ()
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert fig.layout.annotations[0].text == "Nothing here"
    assert fig.layout.annotations[1].text == theme.EMPTY_HINT
    assert theme.is_empty_figure(fig)


def test_empty_figure_message_wraps_to_fit_a_phone():
    message = "No articles coded with both a motivation and a format"
    fig = theme.empty_figure(message)
    lines = fig.layout.annotations[0].text.split("<br>")
    assert " ".join(lines) == message
    assert len(lines) > 1 and max(len(line) for line in lines) <= 34
    assert fig.layout.meta["message"] == message


def test_apply_caption_writes_title_subtitle_footer_once():
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    theme.apply_caption(fig, title="T", subtitle="S", footer="F1")
    theme.apply_caption(fig, title="T2", footer="F2")
    assert "T2" in fig.layout.title.text
    footers = [a for a in fig.layout.annotations if a.name == theme.FOOTER_NAME]
    assert [a.text for a in footers] == ["F2"]
    assert fig.layout.margin.b > 30


def test_footer_goes_under_a_legend_hung_below_the_map(eb):
    pairs = ag.flows_by_pair(eb, points=POINTS, names=NAMES)
    fig = build_flows_figure(pairs, caption={"title": "T", "footer": "F"})
    footer = next(a for a in fig.layout.annotations if a.name == theme.FOOTER_NAME)
    assert fig.layout.legend.y == 0 and fig.layout.legend.yanchor == "top"
    assert -footer.yshift >= 40  # legend title and one row of entries
    assert fig.layout.margin.b >= -footer.yshift + 15


def test_footer_marks_synthetic_data():
    text = theme.footer_text(n_articles=350, synthetic=True, version="abc")
    assert "N = 350" in text and "SYNTHETIC" in text and "abc" in text


def test_sequential_scale_is_monotonic_from_zero_to_one():
    stops = [p for p, _ in theme.sequential_scale()]
    assert stops[0] == 0 and stops[-1] == 1 and stops == sorted(stops)


# --------------------------------------------------------------------------- map
def test_map_z_per_iso3_and_zero_countries_in_grey(eb):
    counts = ag.counts_by_country(eb, "origin", economies=economies())
    fig = build_map_figure(counts, role="origin", caption="Where articles come from")
    has, none, key = fig.data
    assert has.locationmode == "ISO-3" and has.geojson is None
    drawn = dict(zip(has.locations, has.z, strict=True))
    expected = counts[counts["n_articles"] > 0].set_index("iso3")["n_articles"].to_dict()
    assert drawn == expected
    assert set(none.locations) == set(counts.loc[counts["n_articles"] == 0, "iso3"])
    assert {c for _, c in none.colorscale} == {theme.NO_DATA}
    assert "no articles" in none.hovertemplate
    assert key.showlegend and key.name == "No articles" and key.marker.color == theme.NO_DATA
    assert fig.layout.geo.projection.type == "natural earth"
    # Every country's border is drawn once, by the two choropleths (none by the base
    # layer), in white as before.
    assert fig.layout.geo.showcountries is False
    assert has.marker.line.color == none.marker.line.color == theme.WHITE
    assert has.marker.line.width == none.marker.line.width == 0.5
    assert has.customdata[0][0] == has.locations[0]  # iso3 for click filtering
    # The key is horizontal (it does not narrow the map) and says what is counted.
    bar = has.colorbar
    assert bar.orientation == "h"
    assert "Articles per country" in bar.title.text
    assert "first author country" in bar.title.text
    assert bar.tickvals[0] == 1 and bar.tickvals[-1] == max(has.z)


@pytest.mark.parametrize(
    ("zmax", "ticks"), [(1, [1]), (3, [1, 3]), (10, [1, 5, 10]), (115, [1, 50, 115])]
)
def test_colour_ticks_run_from_one_to_the_largest_count(zmax, ticks):
    assert colour_ticks(zmax) == ticks


def test_map_empty_when_no_articles(empty):
    fig = build_map_figure(ag.counts_by_country(empty, economies=economies()), role="origin")
    assert theme.is_empty_figure(fig)


# --------------------------------------------------------------------------- flows
def _heads(fig):
    return [t for t in fig.data if t.meta and t.meta["kind"] == "head"]


def _arcs(fig):
    return [t for t in fig.data if t.meta and t.meta["kind"] == "arc"]


def _target(fig):
    (target,) = [t for t in fig.data if t.meta and t.meta["kind"] == "target"]
    return target


def _target_pairs(fig) -> dict[tuple[str, str], dict]:
    """Per arc: its [origin, destination, n] and the positions of its targets."""
    target, k = _target(fig), len(TARGETS_AT)
    custom = np.asarray(target.customdata, dtype=object)
    spots = np.c_[np.asarray(target.lon, dtype=float), np.asarray(target.lat, dtype=float)]
    return {
        (custom[i][0], custom[i][1]): {
            "n": custom[i][2], "text": target.text[i], "spots": spots[i : i + k]
        }
        for i in range(0, len(custom), k)
    }  # fmt: skip


def test_arc_runs_from_origin_to_destination_with_head_at_destination(eb):
    pairs = ag.flows_by_pair(eb, points=POINTS, names=NAMES)
    fig = build_flows_figure(pairs)
    for trace in _arcs(fig):
        lon, lat = np.asarray(trace.lon, dtype=float), np.asarray(trace.lat, dtype=float)
        arcs = np.split(np.c_[lon, lat], np.flatnonzero(np.isnan(lon)) + 1)
        arcs = [a[~np.isnan(a[:, 0])] for a in arcs if (~np.isnan(a[:, 0])).any()]
        assert len(arcs) == len(trace.meta["pairs"])
        for arc, (origin, destination) in zip(arcs, trace.meta["pairs"], strict=True):
            assert tuple(arc[0]) == pytest.approx(tuple(POINTS.loc[origin, ["lon", "lat"]]))
            assert tuple(arc[-1]) == pytest.approx(tuple(POINTS.loc[destination, ["lon", "lat"]]))
    heads = np.concatenate([np.c_[t.lon, t.lat] for t in _heads(fig)])
    assert all(t.hoverinfo == "skip" for t in _heads(fig))  # they crowd at a destination
    targets = _target_pairs(fig)
    assert len(heads) == len(targets)
    for (origin, destination), target in targets.items():
        o = POINTS.loc[origin, ["lon", "lat"]].to_numpy(dtype=float)
        d = POINTS.loc[destination, ["lon", "lat"]].to_numpy(dtype=float)
        near = heads[np.linalg.norm(heads - d, axis=1) < 0.2 * np.linalg.norm(d - o)]
        assert len(near) >= 1  # its head sits near the destination
        # The hover and click targets sit on the arc's body, away from the origin and
        # before the arrowhead (the last one where arcs to neighbouring destinations have
        # fanned apart).
        for spot in target["spots"]:
            assert np.linalg.norm(spot - o) > 0.15 * np.linalg.norm(d - o)
            assert np.linalg.norm(spot - d) > 0.1 * np.linalg.norm(d - o)
    # Smallest arcs first: of two targets equally close to the mouse, the bigger arc wins.
    assert [t["n"] for t in targets.values()] == sorted(t["n"] for t in targets.values())


def test_flow_heads_carry_hover_counts_and_codebook_style(eb):
    pairs = ag.flows_by_pair(eb, points=POINTS, names=NAMES)
    fig = build_flows_figure(pairs)
    directions = load_codebook().directions
    heads = {t.meta["direction"]: t for t in _heads(fig)}
    assert set(heads) == set(pairs["direction"])
    n_s = heads["N>S"]
    target = _target(fig)
    assert _target_pairs(fig)[("CAN", "UGA")]["text"] == (
        "Canada → Uganda: 2 articles (HIC → LMIC)"
        "<br><i>Click to select: 2 articles · Shift-click to add</i>"
    )
    assert target.marker.opacity == 0
    assert n_s.marker.color == directions["N>S"]["colour"]
    assert n_s.marker.angleref == "up"
    legend = [
        t.name
        for t in fig.data
        if t.showlegend and not (isinstance(t.meta, dict) and t.meta.get("kind") == "width-key")
    ]
    assert legend == [directions[d]["label"] for d in ("N>S", "S>N", "S>S")]
    assert sum(len(t.lon) for t in _heads(fig)) == len(pairs)
    assert len(_target(fig).lon) == len(pairs) * len(TARGETS_AT)
    for trace in _arcs(fig):
        spec = directions[trace.meta["direction"]]
        assert trace.line.color == spec["colour"] and trace.line.dash == spec["dash"]
    geo = fig.layout.geo
    assert geo.showlakes is False and geo.showcoastlines is False
    # Whole inhabited world in frame (Cape Horn to the Arctic), key under the map.
    lo, hi = geo.lataxis.range
    assert lo <= -56 and hi >= 80
    legend = fig.layout.legend
    assert legend.orientation == "h" and legend.y <= 0 and legend.yanchor == "top"
    assert "origin → destination" in legend.title.text


def test_screen_angle_points_along_the_step():
    lon0, lat0 = np.array([0.0, 0.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0, 0.0])
    lon1, lat1 = np.array([0.0, 5.0, 0.0, -5.0]), np.array([5.0, 0.0, -5.0, 0.0])
    assert screen_angle(lon0, lat0, lon1, lat1) == pytest.approx([0, 90, 180, -90])
    south_east = screen_angle(np.array([0.0]), np.array([0.0]), np.array([5.0]), np.array([-5.0]))
    assert 90 < south_east[0] < 180


def test_wider_lines_for_more_articles(eb):
    pairs = ag.flows_by_pair(eb, points=POINTS, names=NAMES)
    fig = build_flows_figure(pairs)
    width = {tuple(p): t.line.width for t in _arcs(fig) for p in t.meta["pairs"]}
    assert width[("CAN", "UGA")] > width[("CAN", "KEN")]


def test_flows_empty(empty):
    assert theme.is_empty_figure(build_flows_figure(ag.flows_by_pair(empty, points=POINTS)))


def test_direction_matrix_figure_shows_every_cell(eb):
    matrix = ag.direction_matrix(eb.flows)
    fig = build_direction_matrix_figure(matrix)
    heat = fig.data[0]
    assert np.array_equal(np.array(heat.z), matrix.to_numpy())
    assert np.array(heat.text)[3][3] == "0"
    assert list(heat.x) == [load_codebook().income_groups[g]["short"] for g in matrix.columns]
    # Empty cells are covered in the "no data" grey, so a gap does not read as a count.
    gaps = fig.data[1]
    zero = matrix.to_numpy() == 0
    assert np.array_equal(~np.isnan(np.array(gaps.z, dtype=float)), zero)
    assert {c for _, c in gaps.colorscale} == {theme.NO_DATA}
    assert np.array(gaps.customdata, dtype=object)[0, 1, 3] == "Upper-middle income"


def test_direction_matrix_figure_empty(empty):
    fig = build_direction_matrix_figure(ag.direction_matrix(empty.flows))
    assert theme.is_empty_figure(fig)


# --------------------------------------------------------------------------- partnerships
def test_partnerships_figure_bars_match_input(eb):
    summary = ag.partnership_summary(eb)
    directions = ag.direction_counts(eb, "partnerships")
    fig = build_partnerships_figure(summary, directions)
    coded, computed = fig.data[:2]
    drawn = dict(zip(coded.customdata, coded.x, strict=True))
    # Every real code is drawn, zeros included; "unspecified" only when it has articles.
    expected = summary.set_index("code")["n_articles"].to_dict()
    assert expected["partnership.unspecified"] == 0
    del expected["partnership.unspecified"]
    assert drawn == expected
    assert list(coded.y) == list(summary["label"][summary["code"].isin(expected)])
    assert coded.marker.color == load_codebook().groups["partnership"].colour
    counts = dict(zip(computed.customdata, computed.x, strict=True))
    assert counts == {
        d: n
        for d, n in zip(directions["direction"], directions["n_articles"], strict=True)
        if n or d != "unclassified"
    }
    assert counts["S>N"] == 0  # a gap between real classes stays visible
    colours = dict(zip(computed.customdata, computed.marker.color, strict=True))
    assert colours["S>S"] == load_codebook().directions["S>S"]["colour"]


def test_partnership_direction_is_named_not_only_coloured(eb):
    """Each bar carries its label right above it: the direction in words (and its
    North/South reading), so colour is never the only cue and nothing is truncated."""
    directions = ag.direction_counts(eb, "partnerships")
    fig = build_partnerships_figure(ag.partnership_summary(eb), directions)
    computed = fig.data[1]
    spec = load_codebook().directions
    labels = [a for a in fig.layout.annotations if a.yref == "y2"]
    assert len(labels) == len(computed.customdata)
    for note, direction, y in zip(labels, computed.customdata, computed.y, strict=True):
        assert note.text.startswith(spec[direction]["label"]) and y == spec[direction]["label"]
        assert spec[direction]["long"] in note.text
        assert note.x == 0 and note.xanchor == "left" and note.yanchor == "bottom"
    assert computed.marker.pattern.shape is None  # no noisy fill patterns
    coded_labels = [a.text for a in fig.layout.annotations if a.yref == "y"]
    assert coded_labels == list(fig.data[0].y)
    assert fig.layout.yaxis.showticklabels is False


def test_partner_map_reuses_arcs(eb, empty):
    fig = build_partner_map_figure(ag.partner_pairs(eb, points=POINTS, names=NAMES))
    assert sum(len(t.lon) for t in _heads(fig)) == 3
    assert "lead → partner" in _target(fig).hovertemplate
    assert "lead → partner" in fig.layout.legend.title.text
    summary, dirs = ag.partnership_summary(empty), ag.direction_counts(empty, "partnerships")
    assert theme.is_empty_figure(build_partnerships_figure(summary, dirs))


# --------------------------------------------------------------------------- alignment
def test_alignment_cells_show_counts_and_status_symbols(eb):
    cells = ag.alignment_matrix(eb, "counts")
    fig = build_alignment_figure(cells, mode="counts")
    heat = fig.data[0]
    custom = np.array(heat.customdata, dtype=object)
    text = np.array(heat.text, dtype=object)
    for _, row in cells.iterrows():
        hit = np.argwhere((custom[..., 0] == row["motivation"]) & (custom[..., 1] == row["format"]))
        assert len(hit) == 1
        i, j = hit[0]
        assert custom[i, j, 2] == row["n_articles"]
        assert text[i, j].startswith(CELL_STATUSES[row["status"]][1])
        assert str(row["n_articles"]) in text[i, j]  # zeros shown too
        assert custom[i, j, 5] == row["rationale"]
    legend = {t.name for t in fig.data if t.showlegend}
    shown = {s for s in CELL_STATUSES if s != "mixed" or (cells["status"] == "mixed").any()}
    assert legend == {f"{CELL_STATUSES[s][1]} {CELL_STATUSES[s][0]}" for s in shown}
    # Key above the matrix, so it never takes width from the cells on a phone.
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yanchor == "bottom"


def test_alignment_labels_wrap_and_symbol_sits_above_the_value(eb):
    cb = load_codebook()
    fig = build_alignment_figure(ag.alignment_matrix(eb), mode="counts")
    heat = fig.data[0]
    assert list(heat.x) == [cb.groups[g].short for g in cb.groups_of("format")]
    assert "Social<br>transformation" in heat.y
    assert all(max(len(line) for line in y.split("<br>")) <= 14 for y in heat.y)
    symbol, value = np.array(heat.text, dtype=object)[0, 0].split("<br>")
    assert symbol in {sym for _, sym in STATUSES.values()} and value
    assert fig.layout.xaxis.title.text == "Format"
    assert fig.layout.yaxis.title.text == "Motivation"


def test_alignment_colours_encode_status(eb):
    fig = build_alignment_figure(ag.alignment_matrix(eb), mode="counts")
    fills = {c for _, c in fig.data[0].colorscale}
    assert fills == {status_fill(s) for s in CELL_STATUSES}  # the four verdicts and "mixed"
    assert len(fills) == len(CELL_STATUSES)


def test_alignment_row_share_and_by_income(eb):
    fig = build_alignment_figure(ag.alignment_matrix(eb, "row_share"), mode="row_share")
    assert any("%" in t for row in fig.data[0].text for t in row)
    fig = build_alignment_figure(ag.alignment_matrix(eb, "by_income"), mode="by_income")
    heats = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heats) == 2
    sides = {np.array(h.customdata, dtype=object)[0, 0, 6] for h in heats}
    assert sides == {"north", "south"}
    # Panels are named under their columns (axis titles), never over the key.
    titles = [fig.layout.xaxis.title.text, fig.layout.xaxis2.title.text]
    assert [("HIC" in t, "LMIC" in t) for t in titles] == [(True, False), (False, True)]


def test_alignment_empty(empty):
    fig = build_alignment_figure(ag.alignment_matrix(empty), mode="counts")
    assert theme.is_empty_figure(fig)


# --------------------------------------------------------------------------- trends
def test_trends_stacks_groups_in_codebook_order_and_colours(eb):
    trend = ag.trends(eb, "format")
    fig = build_trends_figure(trend, stack="format", caption="Articles per year")
    cb = load_codebook()
    assert [t.meta for t in fig.data] == [*cb.groups_of("format"), ag.UNCODED]
    mobility = fig.data[1]
    assert mobility.marker.color == cb.groups["mobility"].colour
    expected = trend[trend["group"] == "mobility"]["n_articles"].tolist()
    assert list(mobility.y) == expected
    assert list(mobility.customdata) == list(mobility.x)
    assert fig.layout.barmode == "stack" and fig.layout.dragmode == "select"
    # Short names keep the key to a row or two on a phone; hover keeps the full label.
    assert mobility.name == cb.groups["mobility"].short
    assert cb.groups["mobility"].label in mobility.hovertemplate
    assert fig.data[-1].name == "Not coded"


def test_trends_empty(empty):
    assert theme.is_empty_figure(build_trends_figure(ag.trends(empty), stack="format"))


def test_arc_map_draws_only_the_largest_pairs_and_says_so():
    from evidence.figures.flows import TOP_ARCS as MAX_ARCS
    from evidence.figures.flows import build_flows_figure

    n = MAX_ARCS + 50
    rng = np.random.default_rng(1)
    pairs = pd.DataFrame(
        {
            "origin": [f"O{i:03d}" for i in range(n)],
            "destination": [f"D{i:03d}" for i in range(n)],
            "origin_name": "o",
            "destination_name": "d",
            "n_articles": np.arange(1, n + 1),
            "direction": "N>S",
            "lon0": rng.uniform(-100, 100, n),
            "lat0": rng.uniform(-40, 60, n),
            "lon1": rng.uniform(-100, 100, n),
            "lat1": rng.uniform(-40, 60, n),
        }
    )
    fig = build_flows_figure(pairs)
    drawn = sorted(int(t["n"]) for t in _target_pairs(fig).values())
    assert drawn == list(range(n - MAX_ARCS + 1, n + 1))
    assert f"{MAX_ARCS} largest of {n:,} pairs" in fig.layout.legend.title.text
    lons = np.concatenate([np.asarray(t.lon, dtype=float) for t in _arcs(fig)])
    lons = lons[~np.isnan(lons)]
    assert np.allclose(lons, np.round(lons, 2))
