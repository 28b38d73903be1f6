"""The one writer of the state: controls, chart clicks, chips and reset all go through here.

URL -> FilterState is the truth. This module turns whatever the user did into a new
query string, and, when the URL itself changed (first load, back button, deep link),
sets the controls to show it. It never counts anything.
"""

from __future__ import annotations

from components.controls import controls_to_state, state_to_controls
from evidence.state import FilterState, parse_query, to_query


def _toggle(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    return tuple(v for v in values if v != value) if value in values else (*values, value)


def _point(click: dict | None) -> dict | None:
    points = click.get("points") if isinstance(click, dict) else None
    first = points[0] if isinstance(points, list) and points else None
    return first if isinstance(first, dict) else None


def _custom(point: dict) -> list:
    data = point.get("customdata")
    if data is None:
        return []
    if isinstance(data, dict):  # a typed-array row arrives as {"0": a, "1": b}
        return [data[k] for k in sorted(data, key=lambda k: int(k) if k.isdigit() else -1)]
    return list(data) if isinstance(data, list | tuple) else [data]


def _key(point: dict) -> list[str]:
    """The click key of a heatmap cell. Dash drops a heatmap point's ``customdata`` (its
    point number is a [row, column] pair), so the matrices put the key in ``hovertext``
    ("H>L"; "social|mobility|all"), which reaches the server."""
    text = point.get("hovertext")
    return text.split("|") if isinstance(text, str) and text else []


# Origin income groups of a side of the "HIC vs LMIC" alignment matrix.
SIDE_GROUPS = {"north": ("H",), "south": ("UM", "LM", "L")}


def _alignment_cell(state: FilterState, key: list[str]) -> FilterState:
    """Motivation x format (x origin side, when the matrix is split by income) of a cell;
    the same cell again removes it."""
    if len(key) < 2:
        return state
    cell = {"motivation": (key[0],), "format": (key[1],)}
    side = key[2] if len(key) > 2 else "all"
    if side in SIDE_GROUPS:
        cell["origin_income"] = SIDE_GROUPS[side]
    new = state.with_values(**cell)
    if all(getattr(new, k) == getattr(state, k) for k in cell):
        return state.with_values(**dict.fromkeys(cell, ()))
    return new


def state_after_click(state: FilterState, source: str, click: dict | None) -> FilterState:
    """The state after a click on a chart mark (country, arc, matrix cell, bar).

    Each click toggles: the same mark clicked again removes its filter. ``click`` is the
    ``clickData`` Dash sends (recorded examples: tests/fixtures/clicks).
    """
    point = _point(click)
    if point is None:
        return state
    custom = _custom(point)
    if source == "map":
        iso3 = point.get("location") or (custom[0] if custom else None)
        return state.with_values(country=_toggle(state.country, iso3)) if iso3 else state
    if source in ("flows", "partner_map"):
        if len(custom) < 2:
            return state
        pair = f"{custom[0]}>{custom[1]}"
        if source == "flows":
            return state.with_values(flow=_toggle(state.flow, pair))
        return state.with_values(partner=_toggle(state.partner, pair))
    if source == "flow_matrix":
        key = _key(point)
        return state.with_values(direction=_toggle(state.direction, key[0])) if key else state
    if source == "alignment":
        return _alignment_cell(state, _key(point))
    if source == "partnerships" and custom:
        code = str(custom[0])
        if "." in code:  # a coded partnership format
            return state.with_values(format=_toggle(state.format, code))
        return state.with_values(partner=_toggle(state.partner, code))  # a direction class
    if source == "trends":
        year = custom[0] if custom else point.get("x")
        try:
            y = int(year)
        except (TypeError, ValueError):
            return state
        return state.with_values(year=None if state.year == (y, y) else (y, y))
    return state


def state_after_selection(state: FilterState, selected: dict | None) -> FilterState:
    """The state after dragging across years on the trends chart."""
    xs = ((selected if isinstance(selected, dict) else {}).get("range") or {}).get("x")
    if not xs:
        return state
    lo, hi = round(min(xs)), round(max(xs))
    return state.with_values(year=(lo, hi))


def state_after_chip(state: FilterState, chip_index: str) -> FilterState:
    """The state with one chip's filter value removed."""
    key, _, value = chip_index.partition("|")
    if key not in state.filter_fields():
        return state
    return state.without(key) if key == "year" else state.without(key, value)


def sync(
    trigger: str | None,
    search: str | None,
    control_values: list,
    bounds: tuple[int, int],
    *,
    click: dict | None = None,
    selected: dict | None = None,
    chip_index: str | None = None,
) -> tuple[str | None, list | None]:
    """Decide the new query string and control values; ``None`` means leave unchanged.

    ``trigger`` names what happened: "url", "control", "reset", "chip", "select" or a
    click source ("map", "flows", "flow_matrix", "partner_map", "alignment", "partnerships",
    "trends").
    """
    current, _ = parse_query(search)
    if trigger in (None, "url"):
        return None, state_to_controls(current, bounds)
    if trigger == "reset":
        new = FilterState()
    elif trigger == "control":
        new = controls_to_state(control_values, current, bounds)
    elif trigger == "chip":
        new = state_after_chip(current, chip_index or "")
    elif trigger == "select":
        new = state_after_selection(current, selected)
    else:
        new = state_after_click(current, trigger, click)
    if new == current and trigger != "reset":
        return None, None
    query = to_query(new)
    controls = None if trigger == "control" else state_to_controls(new, bounds)
    return ("?" + query if query else ""), controls
