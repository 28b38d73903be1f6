"""Country roles in the real panel (issue 23, item 1): a country picked in the Countries
box means the articles that involve it, in any role, unless the person narrows the role
with the filters' own role switch; the map's colouring role is a switch of its own."""

import re

import pandas as pd
import pytest
from helpers import count_text, wait_ready

from evidence import DEMO_PATH
from evidence.countries import economies

pytestmark = pytest.mark.e2e

ROLE_TAG = "label[for='{}'] .role-tag"
DEMO = pd.read_csv(DEMO_PATH, dtype=str).fillna("")


def _iso3(token: str) -> str:
    """A country as the demo file writes it (ISO-3, or now and then a name) as ISO-3."""
    token = token.strip()
    if re.fullmatch(r"[A-Z]{3}", token):
        return token
    names = economies()["name"]
    return names.index[names.str.lower() == token.lower()][0]


def _countries(cell: str) -> set[str]:
    return {_iso3(t) for t in re.split(r"[;>+]", cell) if t.strip()}


def involving(iso3: str, columns=("author_countries", "setting_countries", "mobility_flows",
                                   "partnerships")) -> int:  # fmt: skip
    """The oracle: demo articles naming the country in any of ``columns``."""
    return int(DEMO.apply(lambda r: any(iso3 in _countries(r[c]) for c in columns), axis=1).sum())


def role_tags(page) -> list[str]:
    """The visible role tag of the Countries and of the Regions control."""
    return [
        page.locator(ROLE_TAG.format(control) + ":visible").inner_text()
        for control in ("ctl-country", "ctl-region")
    ]


def chip_texts(page) -> list[str]:
    return [t.replace("×", "").strip() for t in page.locator(".chip").all_inner_texts()]


def test_kenya_typed_in_countries_counts_every_role_and_the_role_is_one_click_away(
    page, server_url
):
    page.goto(server_url + "/")
    wait_ready(page)
    assert role_tags(page) == ["in any role"] * 2
    page.locator("#ctl-country").click()
    page.keyboard.type("Kenya")
    page.get_by_role("listbox").get_by_role("option", name="Kenya (KEN)").click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('country=KEN')")
    wait_ready(page)
    n = involving("KEN")
    assert n == 47  # author 20-odd, setting 44, flows and partnerships: the question asked
    assert count_text(page) == f"{n} of 350 articles"
    assert chip_texts(page) == ["Country: Kenya (any role)"]

    # The role, one click away beside the filters: Setting narrows it.
    page.locator("#ctl-country-role label", has_text="Setting").click()
    page.wait_for_function("() => location.search.includes('country_role=setting')")
    wait_ready(page)
    assert count_text(page) == f"{involving('KEN', ('setting_countries',))} of 350 articles"
    assert chip_texts(page) == ["Country: Kenya (setting)"]
    assert role_tags(page) == ["as setting"] * 2

    # The map's colouring role is its own: it changes the map, not N or the chip.
    before = count_text(page)
    page.locator("#ctl-role label", has_text="Any author").click()
    page.wait_for_function("() => location.search.includes('role=author')")
    wait_ready(page)
    assert count_text(page) == before and chip_texts(page) == ["Country: Kenya (setting)"]
    summary = page.locator("#card-map .view-summary").inner_text()
    assert summary.startswith("By any author's country:")
    # ... and the role beside the chips, one click from the next: Setting -> Any role
    role = page.locator(".chip-role")
    assert role.inner_text().startswith("Countries match: Setting")
    role.click()
    page.wait_for_function("() => location.search.includes('country_role=any')")
    wait_ready(page)
    assert count_text(page) == f"{n} of 350 articles"
    assert chip_texts(page) == ["Country: Kenya (any role)"]
    assert page.console_errors == []


def test_sub_saharan_africa_picked_with_the_mouse_in_any_role(page, server_url):
    page.goto(server_url + "/?role=setting")
    wait_ready(page)
    # Regions: open the list, the World Bank region sits under its own heading.
    page.locator("#ctl-region").click()
    listbox = page.get_by_role("listbox")
    headings = listbox.locator(".option-heading").all_inner_texts()
    assert [h.strip().lower() for h in headings] == ["continents", "world bank regions"]
    listbox.get_by_role("option", name="Sub-Saharan Africa", exact=True).click()
    page.wait_for_function("() => location.search.includes('region=sub-saharan-africa')")
    page.keyboard.press("Escape")
    wait_ready(page)
    # the map colours by setting; the region still matches in any role (the link says so)
    assert "country_role=any" in page.url
    assert chip_texts(page) == ["Region: Sub-Saharan Africa (any role)"]
    assert role_tags(page) == ["in any role"] * 2
    page.locator("#ctl-country-role label", has_text="Origin").click()
    page.wait_for_function("() => location.search.includes('country_role=origin')")
    wait_ready(page)
    assert chip_texts(page) == ["Region: Sub-Saharan Africa (origin)"]
    assert role_tags(page) == ["as origin"] * 2
    assert page.console_errors == []


def _flows_with(iso3: str) -> tuple[dict, dict]:
    """The oracle: per other country, the demo articles with a flow into ``iso3`` from
    it, and out of ``iso3`` to it (read from the file's mobility_flows)."""
    into: dict[str, set] = {}
    out: dict[str, set] = {}
    for aid, cell in zip(DEMO["id"], DEMO["mobility_flows"], strict=True):
        for flow in filter(None, (f.strip() for f in cell.split(";"))):
            a, b = (_iso3(x) for x in flow.split(">"))
            if b == iso3 and a != iso3:
                into.setdefault(a, set()).add(aid)
            if a == iso3 and b != iso3:
                out.setdefault(b, set()).add(aid)
    return ({k: len(v) for k, v in into.items()}, {k: len(v) for k, v in out.items()})


def test_focus_kenya_lists_every_sender_and_receiver_and_the_list_follows(page, server_url):
    from marks import node

    page.goto(server_url + "/")
    wait_ready(page)
    page.mouse.click(*node(page, "fig-flows", "KEN")["xy"])  # Kenya's dot
    page.wait_for_function("() => location.search.includes('focus=KEN')")
    wait_ready(page)
    # the count and the list hold the articles of Kenya's flows and partnerships
    n = involving("KEN", ("mobility_flows", "partnerships"))
    assert count_text(page) == f"{n} of 350 articles"
    total = int(page.locator(".article-range").inner_text().rsplit(" of ", 1)[1])
    assert total == n
    assert chip_texts(page) == ["Flows and partnerships of: Kenya"]
    # every sender and receiver, each with its count, in the sentence (none on hover only)
    sentence = page.locator("#summary-flows").inner_text()
    head, tail = sentence.removeprefix("Into Kenya: ").split("Out of Kenya: ")
    names = economies()["name"]
    into, out = _flows_with("KEN")
    for part, expected in ((head, into), (tail, out)):
        named = dict(re.findall(r"([A-Z][A-Za-z .'-]+?) (\d+)(?=[,;])", part))
        assert {k: int(v) for k, v in named.items()} == {names[c]: m for c, m in expected.items()}
    assert " more" not in sentence
    # their sums agree with the flow map's CSV for the focus
    csv = page.request.get(server_url + "/data/flows.csv?focus=KEN").text()
    table = pd.read_csv(pd.io.common.StringIO(csv))
    assert table.loc[table["destination"] == "KEN", "n_articles"].sum() == sum(into.values())
    assert table.loc[table["origin"] == "KEN", "n_articles"].sum() == sum(out.values())
    assert page.console_errors == []
