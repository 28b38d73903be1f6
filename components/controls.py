"""The controls of the filters and switches, drawn from their declarations
(evidence.fields), and the two-way mapping between control values and a FilterState."""

from __future__ import annotations

import re
from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids import ID, control_id
from evidence.codebook import load_codebook
from evidence.fields import (
    ANY_ROLE,
    CONTROLLED,
    FIELD,
    FILTER_ROLES,
    PANEL_GROUPS,
    Field,
    controls_in,
    filter_role_country,
    filter_role_word,
)
from evidence.model import EvidenceBase
from evidence.state import FilterState
from evidence.timeline import year_bounds


def state_to_controls(state: FilterState, bounds: tuple[int, int]) -> dict:
    """The value of every control (by field key) that shows this state."""
    values = {}
    for key in CONTROLLED:
        value = getattr(state, key)
        if key == "year":
            values[key] = list(value) if value else list(bounds)
        elif FIELD[key].listed:
            values[key] = list(value)
        else:
            values[key] = value if value != "" else None  # an empty single choice
    return values


def controls_to_state(values: dict, base: FilterState, bounds: tuple[int, int]) -> FilterState:
    """The state these control values show; fields without a control come from ``base``."""
    changes: dict = {}
    for key in CONTROLLED:
        if key not in values:
            continue
        value, default = values[key], FIELD[key].default
        if key == "year":
            year = None
            if isinstance(value, list | tuple) and len(value) == 2:
                a, b = int(value[0]), int(value[1])
                year = None if (a, b) == tuple(bounds) else (a, b)
            changes[key] = year
        elif FIELD[key].listed:
            changes[key] = tuple(value or ())
        else:  # a cleared single choice goes back to the default
            changes[key] = value if value else default
    return replace(base, **changes).with_values()


def role_tag() -> html.Span:
    """The role the Countries and Regions filters match, in their switch's words ("in
    any role", "as setting").

    Every role's word is in the page; the stylesheet shows the one whose switch option is
    checked (``body:has(#ctl-country-role input[value=...]:checked)``), so the tag follows
    the switch at once, with no round trip.
    """
    return html.Span(
        [
            html.Span(
                "in any role" if r == ANY_ROLE else f"as {filter_role_word(r)}",
                className=f"role-tag role-is-{r}",
                title=f"Matched as the {filter_role_country(r)} (the switch below)",
            )
            for r in FILTER_ROLES
        ],
        className="role-tags",
    )


_LINK = re.compile(r"\[([^\]]+)\]\((#[\w-]+)\)")


def _hint(text: str):
    """A hint's text, its one ``[text](#anchor)`` made a link."""
    m = _LINK.search(text)
    if not m:
        return text
    return html.Span([text[: m.start()], html.A(m.group(1), href=m.group(2)), text[m.end() :]])


def _options(field: Field, eb: EvidenceBase, *, search: bool = True) -> list[dict]:
    """A control's options; a dropdown's (``search``) also match their value."""
    out = []
    for o in field.control.options(eb) if field.control.options else []:
        if o.heading:
            out.append({"label": html.Span(o.label, className="option-heading"),
                        "value": o.value, "disabled": True, "search": ""})  # fmt: skip
        else:
            label = html.Span(o.label, className="option-group") if o.group else o.label
            out.append({"label": label, "value": o.value}
                       | ({"search": f"{o.label} {o.value}"} if search else {}))  # fmt: skip
    return out


YEAR_MARK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
MAX_YEAR_STEPS = 4  # round years across the slider: the filter panel is ~250 px wide


def year_marks(lo: int, hi: int) -> dict[int, str]:
    """The year slider's labels: the first and last year, and round years between them
    (every 5, 10, 20... years, so that at most MAX_YEAR_STEPS steps fit), none closer to
    an end than 0.6 of a step, so labels never run into each other on a long range."""
    span = max(hi - lo, 1)
    step = next((s for s in YEAR_MARK_STEPS if span / s <= MAX_YEAR_STEPS), YEAR_MARK_STEPS[-1])
    inner = [y for y in range(lo, hi + 1)
             if y % step == 0 and y - lo >= 0.6 * step and hi - y >= 0.6 * step]  # fmt: skip
    return {y: str(y) for y in sorted({lo, *inner, hi})}


def control(field: Field, eb: EvidenceBase):
    """The Dash control of one field (its value is set from the URL by the callbacks)."""
    spec, cid = field.control, control_id(field.key)
    default = field.default
    value = list(default) if field.listed else default
    if spec.widget == "years":
        lo, hi = year_bounds(eb)
        return dcc.RangeSlider(id=cid, min=lo, max=hi, step=1, value=[lo, hi],
                               marks=year_marks(lo, hi),
                               allowCross=False, tooltip={"placement": "bottom"})  # fmt: skip
    options = _options(field, eb, search=spec.widget in ("dropdown", "select"))
    if spec.widget == "dropdown":
        extra = {"maxHeight": spec.max_height} if spec.max_height else {}
        return dcc.Dropdown(id=cid, multi=True, options=options, value=value,
                            placeholder=spec.placeholder, **extra)  # fmt: skip
    if spec.widget == "select":
        select = dcc.Dropdown(id=cid, multi=False, clearable=spec.clearable, options=options,
                              value=value or None, placeholder=spec.placeholder,
                              className="select-control")  # fmt: skip
        if spec.where == "panel":
            return select
        # In a card header: a label for screen readers, the placeholder for the eye (or,
        # with show_label, a label beside it: a gap map's "Rows" and "Columns").
        shown = "small me-2 mb-0 text-muted" if spec.show_label else "visually-hidden"
        return html.Div([dbc.Label(spec.label + (":" if spec.show_label else ""),
                                   html_for=cid, className=shown, id=f"{cid}-label"),
                         select], className="card-select" + (
                             " d-flex align-items-center" if spec.show_label else ""))  # fmt: skip
    if spec.widget == "checklist":
        return dbc.Checklist(id=cid, options=options, value=value)
    if spec.widget == "radio":
        return dbc.RadioItems(id=cid, options=options, value=value)
    if spec.widget == "switch":  # compact, inline, in a card header
        shown = "small me-2 text-muted" if spec.show_label else "visually-hidden"
        return html.Div(
            [
                html.Span(spec.label + (":" if spec.show_label else ""), className=shown,
                          id=f"{cid}-label"),
                dbc.RadioItems(id=cid, options=options, value=value, inline=True,
                               className="small", input_class_name="me-1"),
            ],
            className="d-flex flex-wrap align-items-center",
            role="group",
            **{"aria-labelledby": f"{cid}-label"},
        )  # fmt: skip
    if spec.widget == "inline":  # an inline checklist with a visible label, in a card header
        return html.Div(
            [
                html.Span(f"{spec.label}: ", className="small me-1", id=f"{cid}-label"),
                dbc.Checklist(id=cid, options=options, value=value, inline=True,
                              className="small"),
            ],
            className="d-flex flex-wrap align-items-center",
            role="group",
            **{"aria-labelledby": f"{cid}-label"},
        )  # fmt: skip
    raise ValueError(f"unknown widget {spec.widget!r} of {field.key}")


def _labelled(field: Field, eb: EvidenceBase) -> html.Div:
    spec, cid = field.control, control_id(field.key)
    label = [spec.label + " ", role_tag()] if field.role_matched else spec.label
    # A switch names its own group (its "-label"): the heading above it takes another id.
    own = spec.widget in ("switch", "inline")
    children = [dbc.Label(label, html_for=cid, className="fw-semibold small mb-1",
                          id=f"{cid}-{'heading' if own else 'label'}"),
                control(field, eb)]  # fmt: skip
    if spec.hint:
        children.append(html.Div(_hint(spec.hint), className="form-text"))
    return html.Div(children, className="mb-3")


def group_count_id(group: str) -> str:
    """The element that says how many filters of a panel group are set."""
    return f"filter-group-{group}-count"


def filter_panel(eb: EvidenceBase) -> html.Div:
    """The filter panel: the fields whose control sits in the panel, in collapsible groups
    (most used first, open at first; each heading says how many of its filters are set),
    and on a phone, where the panel covers the page, a button back to the results."""
    fields = controls_in("panel")
    # A disclosure button and its body (opened and closed in the browser, assets/a11y.js);
    # not <details>, whose slot Chrome's Tab cannot leave from a Dash dropdown's button.
    groups = [
        html.Div(
            [
                html.Button(
                    [
                        html.Span(title, className="filter-group-title"),
                        html.Span(id=group_count_id(key), className="filter-group-count"),
                    ],
                    type="button",
                    className="filter-group-toggle",
                    **{
                        "aria-expanded": "true" if opened else "false",
                        "aria-controls": f"filter-group-{key}",
                    },
                ),
                html.Div(
                    [_labelled(f, eb) for f in fields if f.control.group == key],
                    id=f"filter-group-{key}",
                    className="filter-group-body",
                    hidden=not opened,
                ),
            ],
            className="filter-group",
        )
        for key, title, opened in PANEL_GROUPS
    ]
    counting = html.Details(
        [
            html.Summary("How articles are counted", className="small"),
            html.P(
                "Within a filter any selected value matches (OR); across filters all must "
                f"match (AND). An article coded with two {load_codebook().dim('format').nouns} "
                "counts once in each, and once in any total.",
                className="small text-muted mb-0",
            ),
        ],
        className="filter-counting",
    )
    done = dbc.Button("Show the results", id=ID.FILTER_DONE, color="primary",
                      className="filter-done d-lg-none")  # fmt: skip
    # A keyboard user who has set the filters goes on to the list in one step.
    to_list = html.A("Skip to the article list", href="#card-articles",
                     className="skip-link skip-after d-none d-lg-inline-block")  # fmt: skip
    return html.Div(
        [html.H2("Filters", className="h6 text-uppercase text-muted"), *groups, counting,
         to_list, done],
        id=ID.FILTER_PANEL,
        className="filter-panel",
        role="search",
        **{"aria-label": "Filters"},
    )  # fmt: skip


def view_switches(view: str, eb: EvidenceBase) -> list:
    """The switches a view's card header shows (fields whose control sits in that view)."""
    return [control(field, eb) for field in controls_in(view)]
