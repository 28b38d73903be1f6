"""Issue 11, requirements 2 and 3: country roles said everywhere, World Bank regions,
one meaning per word ("LMIC" = low and middle income), income periods in the map's
hover, and the Mobility kind as a filter with a chip and a count."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from components.controls import _options, filter_panel
from components.ids import ID, control_id
from components.render import chips, render_views
from evidence import ASSETS_DIR, DEMO_PATH, PROJECT_ROOT, aggregate
from evidence.codebook import load_codebook
from evidence.countries import (
    CONTINENTS,
    WB_REGIONS,
    economies,
    income_periods,
    region_label,
    region_members,
    resolve_region,
)
from evidence.export import export_table
from evidence.fields import FIELD, FILTER_ROLES
from evidence.filters import apply
from evidence.load import load, load_cached
from evidence.rubric import load_rubric
from evidence.state import REGIONS, FilterState, parse_query, to_query
from evidence.views import VIEWS, describe_filters, value_label, view_figure

# a: Tanzanian students' electives in Belgium (the issue's example: an African origin
# but a European setting); b: US electives in Uganda; c: a British-Kenyan course in
# Kenya; d: Egypt (Africa, but the World Bank puts it in the Middle East & North Africa).
CSV = """id,title,year,author_countries,setting_countries,formats,motivations,mobility_flows
a,A,2012,TZA,BEL,mobility.clinical;mobility.inbound,social,TZA>BEL
b,B,2014,USA,UGA,mobility.clinical;mobility.outbound,social,USA>UGA
c,C,2016,GBR;KEN,KEN,at_home.gh_course,social,
d,D,2018,EGY,EGY,mobility.clinical,social,
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("roles") / "a.csv"
    path.write_text(CSV, encoding="utf-8")
    result = load(path)
    assert result.report.errors == []
    return result


@pytest.fixture(scope="module")
def demo():
    return load_cached(DEMO_PATH)


def ids(eb, query: str) -> list[str]:
    state, notices = parse_query(query)
    assert notices == []
    return sorted(apply(eb, state).articles["article_id"])


# --------------------------------------------------------------------------- regions
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a country of the region in any role (the default): author, setting, flow end
        ("region=africa", ["a", "b", "c", "d"]),
        ("region=sub-saharan-africa", ["a", "b", "c"]),
        ("region=africa&country_role=origin", ["a", "d"]),
        ("region=sub-saharan-africa&country_role=origin", ["a"]),
        ("region=sub-saharan-africa&country_role=setting", ["b", "c"]),
        ("region=europe&country_role=any&role=setting", ["a", "c"]),  # BEL, GBR
        # links from before the filter role: their role is the filters' role
        ("region=sub-saharan-africa&role=setting", ["b", "c"]),
        ("region=sub-saharan-africa&role=author", ["a", "c"]),
        ("region=africa&role=setting", ["b", "c", "d"]),
        ("region=middle-east-north-africa&role=setting", ["d"]),
        ("region=europe&role=setting", ["a"]),
        ("region=africa&format=mobility.clinical&role=setting", ["b", "d"]),
    ],
)
def test_regions_match_in_the_role_on_screen(small, query, expected):
    assert ids(small, query) == expected


def test_world_bank_regions_are_every_wb_region_of_the_reference():
    table = economies()
    assert set(WB_REGIONS.values()) == set(table["wb_region"]) - {""}
    assert set(CONTINENTS.values()) == set(table["un_region"]) - {""}
    assert REGIONS == (*CONTINENTS, *WB_REGIONS)
    ssa = region_members("sub-saharan-africa")
    assert {"KEN", "UGA", "TZA", "NGA", "ZAF"} <= set(ssa)
    assert not {"EGY", "MAR", "BEL"} & set(ssa)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Africa", "africa"),  # the old links
        ("ASIA", "asia"),
        ("sub-saharan-africa", "sub-saharan-africa"),
        ("Sub-Saharan Africa", "sub-saharan-africa"),
        ("sub_saharan_africa", "sub-saharan-africa"),
        ("SSF", "sub-saharan-africa"),  # the World Bank's code
        ("SSA", "sub-saharan-africa"),
        ("Latin America & Caribbean", "latin-america-caribbean"),
        ("MENA", "middle-east-north-africa"),
    ],
)
def test_region_links_are_readable_and_old_ones_still_work(text, value):
    state, notices = parse_query("region=" + text.replace("&", "%26"))
    assert (state.region, notices) == ((value,), [])
    assert to_query(state) == f"region={value}"
    assert resolve_region(text) == value


def test_every_region_name_reads_as_its_value():
    for table in (CONTINENTS, WB_REGIONS):
        for value, name in table.items():
            assert resolve_region(name) == resolve_region(value) == value  # "MENA, ... & ..."
            assert region_label(value) == name


def test_old_region_link_selects_the_same_articles(demo):
    # as the old parser made it: the one role of the map and the filters
    old = FilterState(region=("Africa",), role="setting", country_role="setting")
    new = parse_query("region=Africa&role=setting")[0]
    assert (new.region, new.role, new.country_role) == (("africa",), "setting", "setting")
    assert apply(demo, old).n_articles == apply(demo, new).n_articles > 0
    # an old link with role=origin keeps its first authors; without a role: any role
    assert parse_query("country=KEN&role=origin")[0].country_role == "origin"
    assert parse_query("country=KEN")[0].country_role == "any"
    # a new link is never read as an old one: the default role is written beside role
    state = FilterState(country=("KEN",), role="setting")
    assert to_query(state) == "country=KEN&country_role=any&role=setting"
    assert parse_query(to_query(state))[0] == state
    assert to_query(FilterState(role="setting")) == "role=setting"


def test_region_control_groups_continents_and_world_bank_regions():
    options = _options(FIELD["region"], None)
    headings = [o for o in options if o.get("disabled")]
    assert [o["label"].children for o in headings] == ["Continents", "World Bank regions"]
    values = [o["value"] for o in options if not o.get("disabled")]
    assert tuple(values) == REGIONS
    assert options[0] is headings[0] and options[1 + len(CONTINENTS)] is headings[1]
    labels = {o["value"]: o["label"] for o in options if not o.get("disabled")}
    assert labels["sub-saharan-africa"] == "Sub-Saharan Africa"
    # A heading's value is no region: a panel that sent one changes nothing.
    assert parse_query("region=" + headings[1]["value"])[0].region == ()


# --------------------------------------------------------------------------- roles
def _texts(component) -> list[str]:
    """Every string in a Dash component tree (or its JSON form, as a response holds it)."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, dict):
        children = component.get("props", {}).get("children")
    else:
        children = getattr(component, "children", None)
    if children is None:
        return []
    items = children if isinstance(children, list | tuple) else [children]
    return [t for c in items for t in _texts(c)]


def _find(component, predicate):
    if predicate(component):
        yield component
    children = getattr(component, "children", None)
    items = children if isinstance(children, list | tuple) else [children]
    for c in items:
        if c is not None and not isinstance(c, str):
            yield from _find(c, predicate)


def test_countries_and_regions_controls_carry_the_role_tag(demo):
    panel = filter_panel(demo)
    labels = list(
        _find(
            panel,
            lambda c: getattr(c, "html_for", None) in (control_id("country"), control_id("region")),
        )
    )
    assert len(labels) == 2
    for label in labels:
        tags = list(
            _find(label, lambda c: "role-tag" in (getattr(c, "className", "") or "").split())
        )
        assert {t.className.split()[-1] for t in tags} == {f"role-is-{r}" for r in FILTER_ROLES}
        assert {t.children for t in tags} == {
            "in any role", "as origin", "as any author", "as setting"
        }  # fmt: skip
    # The stylesheet shows the tag of the role checked on the filters' own role switch
    # (#ctl-country-role), which is in the panel beside them, not the map's.
    css = (ASSETS_DIR / "style.css").read_text()
    for role in FILTER_ROLES:
        selector = f'body:has(#{control_id("country_role")} input[value="{role}"]:checked)'
        assert f"{selector} .role-is-{role}" in css, role
    switch = list(_find(panel, lambda c: getattr(c, "id", None) == control_id("country_role")))
    assert [o["value"] for o in switch[0].options] == list(FILTER_ROLES)


@pytest.mark.parametrize(
    ("role", "tag", "words"),
    [
        ("any", "any role", "region (any role): Sub-Saharan Africa"),
        ("origin", "origin", "first author's region: Sub-Saharan Africa"),
        ("author", "any author", "any author's region: Sub-Saharan Africa"),
        ("setting", "setting", "setting region: Sub-Saharan Africa"),
    ],
)
def test_chip_and_words_name_the_role(role, tag, words):
    # the map's colouring role (role=author) is not the filters' (country_role)
    state = parse_query(f"region=sub-saharan-africa&country_role={role}&role=author")[0]
    chip, button = chips(state)  # the region's chip, then the role's button beside it
    assert "".join(_texts(chip)).startswith(f"Region: Sub-Saharan Africa ({tag})")
    assert "".join(_texts(button)).startswith(f"Countries match: {tag.capitalize()}")
    after = button["props"]["id"]["index"]  # a click matches in the next role
    assert after.startswith("country_role|") and after != f"country_role|{role}"
    assert describe_filters(state) == words
    state = parse_query(f"country=KEN&country_role={role}")[0]
    assert "".join(_texts(chips(state)[0])).startswith(f"Country: Kenya ({tag})")


def test_switching_the_role_with_a_country_filter_redraws_count_and_chips(demo):
    out = render_views("?country=UGA&country_role=setting", demo, previous="?country=UGA")
    n = apply(demo, parse_query("country=UGA&country_role=setting")[0]).n_articles
    assert out[ID.COUNT] == f"{n} of 350 articles"
    assert "".join(_texts(out[ID.CHIPS][0])).startswith("Country: Uganda (setting)")
    assert n != apply(demo, parse_query("country=UGA")[0]).n_articles
    # the map's colouring role alone changes neither the count nor the chips
    out = render_views("?country=UGA&country_role=any&role=setting", demo,
                       previous="?country=UGA")  # fmt: skip
    assert ID.COUNT not in out and ID.CHIPS not in out


def _setting_share_high(eb) -> tuple[int, float]:
    ac = eb.article_countries
    setting = ac[ac["role"] == "setting"]
    n = setting["article_id"].nunique()
    return n, setting.loc[setting["income"] == "H", "article_id"].nunique() / n


def test_map_takeaway_with_role_setting_speaks_only_of_settings(demo):
    state = FilterState(role="setting")
    text = VIEWS["map"].takeaway(demo, state)
    n, share = _setting_share_high(demo)
    top = aggregate.top_countries(aggregate.counts_by_country(demo, role="setting"), n=3)
    assert text.startswith(f"By setting country: {100 * share:.0f}% of the {n:,} articles")
    assert all(f"{name} ({k})" in text for name, k in top)
    for origin_words in ("come from", "first author", "origin"):
        assert origin_words not in text
    origin_share = aggregate.share_from_side(demo, "north")
    assert f"{100 * origin_share:.0f}%" != f"{100 * share:.0f}%"  # the mix-up showed


def test_map_takeaway_names_each_role(demo):
    assert VIEWS["map"].takeaway(demo, FilterState()).startswith("By first author's country: ")
    author = VIEWS["map"].takeaway(demo, FilterState(role="author"))
    assert author.startswith("By any author's country: ") and "come from" not in author


# --------------------------------------------------------------------------- LMIC
def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


# "LMIC" in the review's sense (low and middle income, the Global South).
_SOUTH = [r"(?:HIC|LMIC) → (?:HIC|LMIC)", r"HIC to LMIC", r"LMIC \(Global South\)",
          r"LMIC: low and middle income", r"Origin in <b>LMIC</b>"]  # fmt: skip
STATES = [
    FilterState(),
    FilterState(align="by_income"),
    FilterState(align="row_share", stack="motivation"),
    FilterState(role="setting", income="latest"),
    FilterState(kind=("mobility.outbound",)),
]


def test_no_label_says_lmic_for_lower_middle_income(demo):
    # The rubric's rationales (shown on hover) quote the review, in its sense of LMIC.
    rationales = [r.rationale for r in load_rubric().rules]
    seen = 0
    for state in STATES:
        for view in VIEWS:
            _, fig = view_figure(demo, state, view, captioned=True)
            for text in _strings(json.loads(fig.to_json())):
                for rationale in rationales:
                    text = text.replace(rationale, "")
                seen += text.count("LMIC")
                rest = re.sub("|".join(_SOUTH), "", text)
                assert "LMIC" not in rest, (view, text[:200])
                assert not re.search(r"[Ll]ower-middle[^\n]{0,20}LMIC", text), (view, text)
    assert seen > 0  # the legend still uses LMIC, in its own sense
    matrix = view_figure(demo, FilterState(), "flow-matrix")[1]
    ticks = [*matrix.data[0].x, *matrix.data[0].y, *matrix.layout.xaxis.ticktext]
    assert "Lower-middle" in matrix.data[0].x and not any("LMIC" in t for t in ticks)
    assert (
        "LMIC: low and middle income"
        in view_figure(demo, FilterState(), "flows")[1].layout.legend.title.text
    )


def test_income_words_in_chips_captions_and_exports():
    cb = load_codebook()
    assert {g: cb.income_groups[g]["short"] for g in cb.income_groups} == {
        "H": "High", "UM": "Upper-middle", "LM": "Lower-middle", "L": "Low"
    }  # fmt: skip
    assert not any("LMIC" in str(v) for spec in cb.income_groups.values() for v in spec.values())
    state = parse_query("origin_income=LM&setting_income=LMC")[0]
    assert (state.origin_income, state.setting_income) == (("LM",), ("LM",))
    assert parse_query("origin_income=LMIC")[0].origin_income == ("UM", "LM", "L")
    assert value_label("origin_income", "LM") == "Lower-middle"
    assert describe_filters(state) == "origin income: Lower-middle, setting income: Lower-middle"
    texts = ["".join(_texts(c)) for c in chips(state)]
    assert texts[0].startswith("Origin income: Lower-middle")
    assert not any("LMIC" in t for t in texts)


def test_export_about_sheet_words_lower_middle(demo, tmp_path):
    import openpyxl

    state = parse_query("origin_income=LM")[0]
    path = tmp_path / "a.xlsx"
    path.write_bytes(export_table(demo, state, "map", "xlsx"))
    about = openpyxl.load_workbook(path)["About"]
    cells = {r[0]: r[1] for r in about.iter_rows(values_only=True)}
    assert cells["Filters"] == "origin income: Lower-middle"


# --------------------------------------------------------------------------- income history
def test_income_periods_follow_the_fiscal_year_rule():
    periods = income_periods(pd.Series(["KEN", "CHL", "USA", "XXX"]), 2000, 2020)
    # Kenya: low income to FY2015, lower-middle from FY2016 (publication year 2015).
    assert periods[0] == (("L", 2000, 2014), ("LM", 2015, 2020))
    assert periods[1][-1] == ("H", 2013, 2020)  # Chile: high income from FY2014
    assert periods[2] == (("H", 2000, 2020),)
    assert periods[3] == ()
    assert income_periods(pd.Series(["KEN"]), 2016, 2020)[0] == (("LM", 2016, 2020),)


def _hover_income(fig, iso3: str) -> str:
    for trace in fig.data:
        if trace.type == "choropleth" and trace.customdata is not None:
            for row in trace.customdata:
                if row[0] == iso3:
                    return row[2]
    raise AssertionError(iso3)


def test_map_hover_says_when_a_countrys_income_group_changed(demo):
    _, fig = view_figure(demo, FilterState(), "map")
    assert _hover_income(fig, "KEN") == "Low income 2000-2014, lower-middle 2015-2020"
    assert "%{customdata[2]}" in fig.data[0].hovertemplate
    assert _hover_income(fig, "USA") == "High income"
    # Within the selected years only.
    _, fig = view_figure(demo, FilterState(year=(2016, 2020)), "map")
    assert _hover_income(fig, "KEN") == "Lower-middle income"
    _, fig = view_figure(demo, FilterState(year=(2010, 2020)), "map")
    assert _hover_income(fig, "KEN") == "Low income 2010-2014, lower-middle 2015-2020"
    # With the latest classification there is one group.
    _, fig = view_figure(demo, FilterState(income="latest"), "map")
    assert (
        _hover_income(fig, "KEN")
        == load_codebook().income_groups[economies().loc["KEN", "income_latest"]]["label"]
    )


# --------------------------------------------------------------------------- kind
def test_kind_gives_a_chip_and_changes_the_count(demo):
    query = "?kind=mobility.clinical"
    out = render_views(query, demo)
    n = apply(demo, FilterState(format=("mobility.clinical",))).n_articles
    assert 0 < n < demo.n_articles
    assert out[ID.COUNT] == f"{n} of 350 articles"
    (chip,) = out[ID.CHIPS]
    assert "".join(_texts(chip)).startswith("Mobility kind: Clinical mobility")
    assert chip["props"]["id"]["index"] == "kind|mobility.clinical"
    assert describe_filters(parse_query(query)[0]) == "mobility kind: Clinical mobility"
    # Its chip removes it.
    assert parse_query(query)[0].without("kind", "mobility.clinical") == FilterState()


def test_kind_keeps_articles_with_a_flow_of_that_kind(small):
    assert ids(small, "kind=clinical") == ["a", "b", "d"]
    assert ids(small, "kind=inbound") == ["a"]
    flows = apply(small, parse_query("kind=inbound")[0]).flows
    assert flows[["origin", "destination"]].values.tolist() == [["TZA", "BEL"]]


def test_readme_documents_the_filter_keys():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for text in ("region=sub-saharan-africa", "World Bank regions", "role=setting", "`kind`"):
        assert text in readme, text
