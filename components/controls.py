"""The filter panel and the two-way mapping between its controls and a FilterState."""

from __future__ import annotations

from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids import ID
from evidence.codebook import load_codebook
from evidence.countries import REGION_GROUPS, country_name, economies
from evidence.languages import language_name
from evidence.model import INCOME_GROUPS, EvidenceBase
from evidence.state import BASES, ROLES, FilterState

# (FilterState field, control id) for every control whose value is a list of strings.
LIST_CONTROLS = (
    ("country", ID.COUNTRY),
    ("format", ID.FORMAT),
    ("motivation", ID.MOTIVATION),
    ("origin_income", ID.ORIGIN_INCOME),
    ("setting_income", ID.SETTING_INCOME),
    ("region", ID.REGION),
    ("basis", ID.BASIS),
    ("language", ID.LANGUAGE),
    ("type", ID.TYPE),
    ("kind", ID.KIND),
)
CHOICE_CONTROLS = (
    ("role", ID.ROLE),
    ("income", ID.INCOME),
    ("align", ID.ALIGN),
    ("stack", ID.STACK),
)
CONTROL_IDS = (ID.YEAR, *(c for _, c in LIST_CONTROLS), *(c for _, c in CHOICE_CONTROLS))


def year_bounds(eb: EvidenceBase) -> tuple[int, int]:
    """First and last publication year in the data (a sensible range when empty)."""
    if eb.n_articles == 0:
        return (2000, 2020)
    return int(eb.articles["year"].min()), int(eb.articles["year"].max())


def state_to_controls(state: FilterState, bounds: tuple[int, int]) -> list:
    """Control values (in CONTROL_IDS order) that show this state."""
    year = list(state.year) if state.year else list(bounds)
    lists = [list(getattr(state, f)) for f, _ in LIST_CONTROLS]
    choices = [getattr(state, f) for f, _ in CHOICE_CONTROLS]
    return [year, *lists, *choices]


def controls_to_state(values: list, base: FilterState, bounds: tuple[int, int]) -> FilterState:
    """The state shown by these control values; fields without a control come from ``base``."""
    year_value, *rest = values
    n_lists = len(LIST_CONTROLS)
    lists, choices = rest[:n_lists], rest[n_lists:]
    year = None
    if year_value and len(year_value) == 2:
        a, b = int(year_value[0]), int(year_value[1])
        year = None if (a, b) == tuple(bounds) else (a, b)
    changes = {f: tuple(v or ()) for (f, _), v in zip(LIST_CONTROLS, lists, strict=True)}
    changes |= {f: v for (f, _), v in zip(CHOICE_CONTROLS, choices, strict=True) if v}
    return replace(base, year=year, **changes).with_values()


def _code_options(dimension: str) -> list[dict]:
    cb = load_codebook()
    options = []
    for group in cb.groups_of(dimension):
        g = cb.groups[group]
        options.append({"label": f"{g.label} (any)", "value": group})
        options += [
            {"label": f"   {cb.codes[c].label}", "value": c}
            for c in g.codes
            if not c.endswith(".unspecified")
        ]
    return options


def _income_options() -> list[dict]:
    groups = load_codebook().income_groups
    return [{"label": groups[g]["label"], "value": g} for g in INCOME_GROUPS]


# Dash's default list (200 px, search box and "Select all" included) shows two regions;
# this shows both headings and most of the twelve regions without scrolling.
REGION_LIST_HEIGHT = 440


def _region_options() -> list[dict]:
    """Continents, then World Bank regions, each under a heading that cannot be chosen."""
    options = []
    for heading, regions in REGION_GROUPS.items():
        options.append(
            {
                "label": html.Span(heading, className="option-heading"),
                "value": f"heading:{heading}",
                "disabled": True,
                "search": "",
            }
        )
        options += [
            {"label": name, "value": value, "search": f"{name} {value}"}
            for value, name in regions.items()
        ]
    return options


def role_tag() -> html.Span:
    """The country role the filter matches, in the map's switch's words ("as setting").

    Every role's word is in the page; the stylesheet shows the one whose switch option is
    checked (``body:has(#ctl-role input[value=...]:checked)``), so the tag follows the
    switch at once, with no round trip, and there is only one role control to keep in
    step with the URL.
    """
    cb = load_codebook()
    return html.Span(
        [
            html.Span(
                cb.roles[r]["tag"],
                className=f"role-tag role-is-{r}",
                title=f"Matched as the {cb.roles[r]['country']} (the map's country role)",
            )
            for r in ROLES
        ],
        className="role-tags",
    )


def _labelled(label, control, control_id: str, hint=None, *, className: str = "mb-3") -> html.Div:
    children = [dbc.Label(label, html_for=control_id, className="fw-semibold small mb-1"), control]
    if hint:
        children.append(html.Div(hint, className="form-text"))
    return html.Div(children, className=className)


def filter_panel(eb: EvidenceBase) -> html.Div:
    """The filter panel: every filter that restricts the set of articles."""
    cb = load_codebook()
    lo, hi = year_bounds(eb)
    # Every economy is an option, so a deep link to a country without articles is kept.
    present = sorted(economies().index, key=country_name)
    languages = sorted(set(eb.articles["language"]))
    types = [t for t in cb.article_types if t in set(eb.articles["article_type"])]
    marks = {y: str(y) for y in range(lo, hi + 1) if (y - lo) % 5 == 0 or y == hi}
    return html.Div(
        [
            html.H2("Filters", className="h6 text-uppercase text-muted"),
            _labelled(
                "Publication years",
                dcc.RangeSlider(
                    id=ID.YEAR,
                    min=lo,
                    max=hi,
                    step=1,
                    value=[lo, hi],
                    marks=marks,
                    allowCross=False,
                    tooltip={"placement": "bottom"},
                ),
                ID.YEAR,
            ),
            _labelled(
                ["Countries ", role_tag()],
                dcc.Dropdown(
                    id=ID.COUNTRY,
                    multi=True,
                    placeholder="Search by name…",
                    options=[{"label": f"{country_name(c)} ({c})", "value": c} for c in present],
                ),
                ID.COUNTRY,
                className="mb-2",
            ),
            _labelled(
                ["Regions ", role_tag()],
                dcc.Dropdown(
                    id=ID.REGION,
                    multi=True,
                    options=_region_options(),
                    maxHeight=REGION_LIST_HEIGHT,
                    placeholder="Any region",
                ),
                ID.REGION,
                html.Span(
                    [
                        "Both follow the map's ",
                        html.A("Country role", href="#card-map"),
                        " switch (Setting: where the activity took place).",
                    ]
                ),
            ),
            _labelled(
                "Origin income group",
                dbc.Checklist(id=ID.ORIGIN_INCOME, options=_income_options(), value=[]),
                ID.ORIGIN_INCOME,
                "Income group of the first author's country.",
            ),
            _labelled(
                "Setting income group",
                dbc.Checklist(id=ID.SETTING_INCOME, options=_income_options(), value=[]),
                ID.SETTING_INCOME,
                "Income group of a country where the activity took place.",
            ),
            _labelled(
                "Income classification",
                dbc.RadioItems(
                    id=ID.INCOME,
                    options=[
                        {"label": "At publication year", "value": "year"},
                        {"label": "Latest (FY2026)", "value": "latest"},
                    ],
                    value="year",
                ),
                ID.INCOME,
                "World Bank groups in force when each article appeared, or today's.",
            ),
            _labelled(
                "Formats",
                dcc.Dropdown(
                    id=ID.FORMAT,
                    multi=True,
                    options=_code_options("format"),
                    placeholder="Any format",
                ),
                ID.FORMAT,
            ),
            _labelled(
                "Motivations",
                dcc.Dropdown(
                    id=ID.MOTIVATION,
                    multi=True,
                    options=_code_options("motivation"),
                    placeholder="Any motivation",
                ),
                ID.MOTIVATION,
            ),
            _labelled(
                "Motivation basis",
                dbc.Checklist(
                    id=ID.BASIS,
                    options=[
                        {
                            "label": b.capitalize()
                            + (" by the article" if b == "explicit" else " by the review team"),
                            "value": b,
                        }
                        for b in BASES
                    ],
                    value=[],
                ),
                ID.BASIS,
            ),
            _labelled(
                "Language",
                dcc.Dropdown(
                    id=ID.LANGUAGE,
                    multi=True,
                    placeholder="Any",
                    options=[{"label": language_name(code), "value": code} for code in languages],
                ),
                ID.LANGUAGE,
            ),
            _labelled(
                "Article type",
                dcc.Dropdown(
                    id=ID.TYPE,
                    multi=True,
                    placeholder="Any",
                    options=[{"label": cb.article_types[t], "value": t} for t in types],
                ),
                ID.TYPE,
            ),
            html.P(
                "Counting: within a filter any selected value matches (OR); across filters "
                "all must match (AND). An article coded with two formats counts once in "
                "each, and once in any total.",
                className="small text-muted",
            ),
        ],
        id=ID.FILTER_PANEL,
        className="filter-panel",
    )
