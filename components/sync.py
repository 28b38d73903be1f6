"""The one writer of the state: controls, chart clicks, chips and reset all go through here.

URL -> FilterState is the truth. This module turns whatever the user did into a new
query string, and, when the URL itself changed (first load, back button, deep link),
sets the controls to show it. It never counts anything; what a mark's click does is
declared with its chart (evidence.views).
"""

from __future__ import annotations

from components.controls import controls_to_state, state_to_controls
from evidence.fields import DATASET_KEY, FIELD, FILTER_ROLE_KEY
from evidence.state import FilterState, parse_query, to_query
from evidence.views import after_click, after_press, after_select

# What happened, besides a click ("click") or a drag ("select") on a chart, a press of
# a cell or bar of an HTML chart ("press": ``chart`` and the cell's key as ``event``), or
# words typed in the article list's search box ("search": ``{"text": ...}``).
TRIGGERS = ("url", "control", "reset", "chip", "click", "select", "press", "search")


def state_after_click(state: FilterState, source: str, click: dict | None) -> FilterState:
    """The state after a click on a mark of the chart ``source`` (see after_click)."""
    return after_click(state, source, click)


def state_after_chip(state: FilterState, chip_index: str) -> FilterState:
    """The state with one chip's filter value removed (or, for the role's button beside
    the Countries and Regions chips, the filter role it offers)."""
    key, _, value = chip_index.partition("|")
    if key == FILTER_ROLE_KEY:  # the role's button beside the country chips: that role
        return state.with_values(**{FILTER_ROLE_KEY: value})
    if key not in state.chip_fields():
        return state
    return state.without(key, value) if FIELD[key].listed else state.without(key)


def sync(
    trigger: str | None,
    search: str | None,
    controls: dict,
    bounds: tuple[int, int],
    *,
    chart: str | None = None,
    event: dict | None = None,
    chip_index: str | None = None,
    add: bool = False,
) -> tuple[str | None, dict | None]:
    """Decide the new query string and control values; ``None`` means leave unchanged.

    ``trigger`` is one of TRIGGERS; for "click", "select" and "press", ``chart`` names the
    chart and ``event`` is its clickData, its selectedData or the pressed cell's key;
    ``add``: the click adds its mark to the chart's selection (Shift/Ctrl-click, the "Add
    to selection" switch) instead of selecting it alone. ``controls`` holds the control
    values by field key.
    """
    current, _ = parse_query(search)
    if trigger in (None, "url"):
        return None, state_to_controls(current, bounds)
    if trigger == "reset":
        new = FilterState(
            **{DATASET_KEY: getattr(current, DATASET_KEY)}
        )  # a reset keeps the dataset
    elif trigger == "control":
        new = controls_to_state(controls, current, bounds)
    elif trigger == "chip":
        new = state_after_chip(current, chip_index or "")
    elif trigger == "select":
        new = after_select(current, chart or "", event)
    elif trigger == "click":
        new = after_click(current, chart or "", event, add=add)
    elif trigger == "press":
        new = after_press(current, chart or "", event, add=add)
    elif trigger == "search":
        text = (event or {}).get("text") if isinstance(event, dict) else None
        new = current.with_values(q=text if isinstance(text, str) else "")
    else:
        new = current
    if new == current and trigger != "reset":
        return None, None
    query = to_query(new)
    controls_out = None if trigger == "control" else state_to_controls(new, bounds)
    return ("?" + query if query else ""), controls_out
