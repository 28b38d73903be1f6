"""Who sends students where: directed mobility arcs, and the origin × destination
income-group matrix beside them."""

from __future__ import annotations

import pandas as pd

from evidence import aggregate, filters
from evidence.aggregate._engine import rows_of
from evidence.aggregate.flows import pair_arrays
from evidence.codebook import load_codebook
from evidence.countries import WB_REGIONS, country_name
from evidence.fields import TOP_ARCS
from evidence.figures.flows import (
    build_direction_matrix_figure,
    build_flows_figure,
    width_edges,
    with_matrix,
)
from evidence.figures.theme import direction_style, empty_figure
from evidence.model import INCOME_GROUPS
from evidence.state import FilterState
from evidence.views.base import (
    Chart,
    View,
    cell_key,
    custom,
    group_label,
    mark_selected,
    needs_group,
    needs_group_figure,
    pair_point,
    pct,
    reworded,
    toggle,
)


def flows_evidence(sub, state):
    """The filtered evidence further restricted to the mobility kinds shown on the flow map."""
    return filters.apply(sub, FilterState(format=state.kind)) if state.kind else sub


def top(state, key: str = "arcs") -> int | None:
    """How many of the largest pairs an arc map draws (None: all)."""
    return None if getattr(state, key) == "all" else TOP_ARCS


def build_regions(flows_eb, state):
    """The flow map one level up: arcs between World Bank regions (flows within a region
    are in the data, not drawn)."""
    pairs = aggregate.region_flows(flows_eb, classification=state.income)
    if state.net == "net":
        pairs = with_net_hover(aggregate.net_pairs(pairs))
    edges = width_edges(aggregate.largest_pair(flows_eb, "regions"))
    fig = build_flows_figure(pairs, top=None, edges=edges, net=state.net == "net",
                             nodes=False, pair_word="region pairs",
                             selected=frozenset(state.region_flow) or None)  # fmt: skip
    return with_selected(pairs, state.region_flow), fig


NO_FLOWS = "No mobility flows coded for these articles"


def build(sub, state):
    flows_eb = flows_evidence(sub, state)
    if state.level == "region":
        return build_regions(flows_eb, state)
    pairs = aggregate.flows_by_pair(flows_eb, classification=state.income)
    if not len(pairs):
        return pairs, empty_figure(NO_FLOWS)
    kinds = aggregate.pair_kinds(flows_eb.flows)
    keys = pd.MultiIndex.from_frame(pairs[["origin", "destination"]])
    pairs = pairs.assign(kinds=kinds.reindex(keys).fillna("").to_numpy())
    if state.net == "net":
        pairs = with_net_hover(aggregate.net_pairs(pairs))
    fig = build_flows_figure(pairs, **_map_options(sub, state))
    return with_selected(focused(pairs, state.focus), state.flow), fig


def figure(sub, state):
    """The flow map alone, as :func:`build` draws it, for the screen (no data table):
    from the pairs' arrays, with no DataFrame (:func:`evidence.aggregate.flows.pair_arrays`);
    the net flows and the region level through :func:`build`."""
    if state.level == "region" or state.net == "net":
        return build(sub, state)[1]
    pairs = pair_arrays(flows_evidence(sub, state), "flows", state.income)
    if not len(pairs["origin"]):
        return empty_figure(NO_FLOWS)
    return build_flows_figure(pairs, **_map_options(sub, state))


def _map_options(sub, state) -> dict:
    """How the country-level flow map draws its pairs in ``state``."""
    return {"top": top(state), "focus": state.focus, "net": state.net == "net",
            "edges": width_edges(aggregate.largest_pair(sub, "flows")),
            "selected": frozenset(state.flow) or None}  # fmt: skip


def with_selected(pairs, selection: tuple[str, ...]):
    """Pairs with a ``selected`` column when the map holds a selection of "A>B" pairs."""
    if not selection or not len(pairs):
        return pairs
    keys = pairs["origin"].astype(str) + ">" + pairs["destination"].astype(str)
    return mark_selected(pairs, keys.isin(selection))


def focused(pairs, focus: str):
    """The pairs into and out of ``focus`` (all pairs without a focus): the chart's data."""
    return aggregate.pairs_touching(pairs, focus) if focus else pairs


def with_net_hover(net: pd.DataFrame) -> pd.DataFrame:
    """Net pairs with their hover text: the net count and both sides (the map adds what a
    click keeps: the articles of the side drawn, as a flow filter on that pair)."""
    if net.empty:
        return net.assign(hover=pd.Series(dtype=object))
    styles = {d: direction_style(d)["label"] for d in net["direction"].unique()}
    hover = [
        f"{a} → {b}: net {n:,} ({fwd:,} this way, {back:,} the other)"
        f" ({styles[d]})"
        for a, b, n, fwd, back, d in zip(
            net["origin_name"], net["destination_name"], net["n_articles"],
            net["n_forward"], net["n_back"], net["direction"], strict=True,
        )
    ]  # fmt: skip
    return net.assign(hover=hover)


def ranked(items: list[tuple[str, int]], n: int = 5) -> str:
    """'United States 5, Canada 2 and 3 more' (the ``n`` largest)."""
    head = ", ".join(f"{name} {k:,}" for name, k in items[:n])
    rest = len(items) - n
    return head + (f" and {rest} more" if rest > 0 else "")


def focus_sentence(rank: dict, name: str, words: dict) -> str:
    """Both directions of a country in focus in one sentence, every other country ranked
    with its count (none left to a hover), with the share from (or to) high-income
    countries. The focus is a filter: the list holds these articles, and each pair is a
    row of the map's data table whose Filter button lists its own."""
    parts = []
    for side in ("in", "out"):
        label = words[side].format(name=name)
        if rank[side]:
            north = words[f"{side}_north"]
            total = rank[f"n_{side}"]
            noun = "article" if total == 1 else "articles"
            parts.append(f"{label}: {ranked(rank[side], len(rank[side]))}; "
                         f"{rank[f'n_{side}_north']} of "
                         f"{total} {noun} {north}.")  # fmt: skip
        else:
            parts.append(f"{label}: none.")
    return " ".join(parts)


FLOW_WORDS = {"in": "Into {name}", "out": "Out of {name}", "in_north": "from HIC",
              "out_north": "to HIC"}  # fmt: skip


def build_for_files(sub, state):
    """The flow map with the income-group matrix beside it, for pictures and slides."""
    pairs, fig = build(sub, state)
    return pairs, with_matrix(fig, build_matrix(sub, state)[1])


def build_matrix(sub, state):
    matrix = aggregate.direction_matrix(
        flows_evidence(sub, state).flows, classification=state.income
    )
    return labelled_matrix(matrix), matrix_figure(sub, state, matrix)


def matrix_figure(sub, state, matrix=None):
    """The income-group matrix's figure alone (no data table for files)."""
    if matrix is None:
        matrix = aggregate.direction_matrix(
            flows_evidence(sub, state).flows, classification=state.income
        )
    chosen = {d for d in state.direction if d.split(">")[0] in INCOME_GROUPS}
    return build_direction_matrix_figure(matrix, selected=chosen if state.direction else None)


def labelled_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """An origin x destination income-group matrix as a table a reader can read alone:
    each row's income group (code and label) and a column per destination group named
    with its label ("to High income (H)")."""
    groups = load_codebook().income_groups
    label = {code: str(spec.get("label", code)) for code, spec in groups.items()}
    table = matrix.copy()
    table.columns = [f"to {label.get(c, c)} ({c})" for c in matrix.columns]
    rows = [str(r) for r in matrix.index]
    table.insert(0, "origin_income_label", [f"from {label.get(r, r)}" for r in rows])
    table.insert(0, "origin_income", rows)
    return table.reset_index(drop=True)


def takeaway(sub, state) -> str:
    flows_eb = flows_evidence(sub, state)
    if not rows_of(flows_eb, "flows"):
        return "No mobility flows are coded for these articles."
    if state.level == "region":
        pairs = aggregate.region_flows(flows_eb, classification=state.income)
        pairs = pairs[pairs["origin"] != pairs["destination"]]
        if pairs.empty:
            return "No flows between World Bank regions for these articles."
        head = pairs.head(3)
        top = ", ".join(
            f"{a} → {b} ({n:,})"
            for a, b, n in zip(head["origin_name"], head["destination_name"],
                               head["n_articles"], strict=True)
        )  # fmt: skip
        return f"Between World Bank regions, most articles with flows describe {top}."
    if state.net == "net" and not state.focus:
        net = aggregate.net_pairs(aggregate.flows_by_pair(flows_eb, classification=state.income))
        by_class = net["direction"].value_counts()
        return (f"Net flows: {by_class.get('N>S', 0)} country pairs send more "
                f"{load_codebook().word('movers')} from "
                f"HIC to LMIC, {by_class.get('S>N', 0)} from LMIC to HIC; "
                f"{net.attrs.get('n_balanced', 0)} pairs are balanced.")  # fmt: skip
    if state.focus:
        rank = aggregate.focus_ranking(flows_eb, state.focus, "flows", state.income)
        return focus_sentence(rank, country_name(state.focus), FLOW_WORDS)
    share = aggregate.share_of_flows(flows_eb, "N>S", classification=state.income)
    noun = load_codebook().word("flow_noun")
    return f"{pct(share)} of articles with {noun} describe a flow from HIC to LMIC."


def arc_click(key: str):
    """The click rule of an arc map: an arc (its invisible targets carry [origin,
    destination, n]) selects that pair in the filter ``key`` ("flow", "partner"), alone
    or with ``add`` added (a selected pair is removed); a country's dot (``[iso3]``)
    focuses it, or, when it is in focus, shows all again."""

    def click(state, point, add: bool = False):
        data = custom(point)
        if len(data) == 1:
            iso3 = str(data[0])
            return state.with_values(focus="" if state.focus == iso3 else iso3)
        if len(data) < 2:
            return state
        pair = f"{data[0]}>{data[1]}"
        return state.with_values(**{key: toggle(getattr(state, key), pair, add)})

    return click


_country_click = arc_click("flow")


def click(state, point, add: bool = False):
    """An arc between two World Bank regions: that region pair (``region_flow``); an arc
    between countries: that pair (``flow``); a country's dot: focus on it."""
    data = custom(point)
    if len(data) >= 2 and str(data[0]) in WB_REGIONS and str(data[1]) in WB_REGIONS:
        pair = f"{data[0]}>{data[1]}"
        return state.with_values(region_flow=toggle(state.region_flow, pair, add))
    return _country_click(state, point, add=add)


def click_matrix(state, point, add: bool = False):
    """A cell: flows from that origin income group to that destination group ("H>L")."""
    key = cell_key(point)
    return state.with_values(direction=toggle(state.direction, key[0], add)) if key else state


def _map_label() -> str:
    return " ".join(f"Map of directed {group_label('mobility', '', lower=True)} flows".split())


def _matrix_title() -> str:
    return f"{group_label('mobility', 'Flows')} by income group"


_MAP_LABEL = _map_label()
_TITLE = str(load_codebook().word("flows_title"))


def in_scheme(view: View) -> View:
    """The view in the words of the codebook in use (evidence.per_scheme)."""
    title = str(load_codebook().word("flows_title"))
    return reworded(view, {"flows": {"title": title, "label": _map_label()},
                           "flow-matrix": {"title": _matrix_title()}}, title=title)  # fmt: skip


VIEW = View(
    "flows",
    _TITLE,
    "Arrows run from origin to destination. Click a country's dot, or pick one, to see only "
    "its flows; click an arrow or a matrix cell to filter (Shift-click to add another).",
    (
        Chart("flows", _TITLE, needs_group("mobility", build),
              needs_group("mobility", takeaway, takeaway=True), click=click,
              figure=needs_group_figure("mobility", figure),
              own=("flow", "region_flow"),
              export=needs_group("mobility", build_for_files),
              depends=("focus", "arcs", "net", "level"), height=470,
              width=8, screen="filled", row_point=pair_point,
              label=_MAP_LABEL),
        Chart("flow-matrix", _matrix_title(),
              needs_group("mobility", build_matrix),
              needs_group("mobility", takeaway, takeaway=True),
              screen="html", click=click_matrix, own=("direction",), depends=("focus",),
              height=330, width=4, figure=needs_group_figure("mobility", matrix_figure),
              label="Origin by destination income group matrix"),
    ),
    needs="mobility",
    # The map's PNG, PDF and slide show the income-group matrix, so its embed does too,
    # drawn under the map as a plain table. With it the embed needs 804 px at 400 px wide
    # (819 with a five-filter subtitle) and 739 px at 800 (tests/e2e/test_toolbars_embeds.py
    # checks it at 400 and 800 px wide with this height).
    companion="flow-matrix",
    embed_height=840,
)  # fmt: skip
