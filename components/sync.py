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
    points = (click or {}).get("points") or []
    return points[0] if points else None


def _custom(point: dict) -> list:
    data = point.get("customdata")
    if data is None:
        return []
    return list(data) if isinstance(data, list | tuple) else [data]


def state_after_click(state: FilterState, source: str, click: dict | None) -> FilterState:
    """The state after a click on a chart mark (country, arc, matrix cell, bar)."""
    point = _point(click)
    if point is None:
        return state
    custom = _custom(point)
    if source == "map":
        iso3 = point.get("location") or (custom[0] if custom else None)
        return state.with_values(country=_toggle(state.country, iso3)) if iso3 else state
    if source in ("flows", "partner_map"):
        if len(custom) >= 2 and source == "flows":
            return state.with_values(flow=_toggle(state.flow, f"{custom[0]}>{custom[1]}"))
        if len(custom) >= 2:
            return state.with_values(country=(custom[0], custom[1]), role="author")
        return state
    if source == "alignment" and len(custom) >= 2:
        motivation, fmt = str(custom[0]), str(custom[1])
        if state.motivation == (motivation,) and state.format == (fmt,):
            return state.with_values(motivation=(), format=())
        return state.with_values(motivation=(motivation,), format=(fmt,))
    if source == "partnerships" and custom:
        code = str(custom[0])
        return state.with_values(format=_toggle(state.format, code)) if "." in code else state
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
    xs = ((selected or {}).get("range") or {}).get("x")
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
    click source ("map", "flows", "partner_map", "alignment", "partnerships", "trends").
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
