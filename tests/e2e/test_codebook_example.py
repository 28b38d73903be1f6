"""Another review's scheme in the browser: the dashboard served with the faculty-
development example codebook (``--codebook``) offers that codebook's labels in the
Formats-role dropdown, a filter picked there gives the count pandas finds in the CSV,
the chip names it in the codebook's words, the flow and partnership views, which the
scheme has nothing for, are not shown, and nothing of the IoME scheme shows."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import ROOT, count_text, open_filter_groups, served, wait_ready

from evidence.codebook import load_codebook

EXAMPLE = ROOT / "data" / "examples" / "faculty_development"
IOME_WORDS = ("North-South", "Student mobility", "Market", "Social transformation",
              "Internationalization at home", "Formats", "Motivations")  # fmt: skip


@pytest.fixture(scope="module")
def example_url(tmp_path_factory):
    args = ("--data", str(EXAMPLE / "articles.csv"), "--codebook", str(EXAMPLE / "codebook.yaml"))
    with served(tmp_path_factory.mktemp("example") / "server.log", *args) as url:
        yield url


def test_the_formats_role_dropdown_offers_the_codebooks_labels_and_filters(page, example_url):
    cb = load_codebook(EXAMPLE / "codebook.yaml")
    raw = pd.read_csv(EXAMPLE / "articles.csv", dtype=str, keep_default_na=False)
    total = len(raw)
    page.goto(example_url + "/")
    wait_ready(page)
    assert count_text(page) == f"{total} of {total} articles"
    open_filter_groups(page)
    assert page.locator("label[for='ctl-format'], #ctl-format").first.is_visible()
    panel = page.inner_text("#filter-panel") if page.locator("#filter-panel").count() else ""
    assert "Programme types" in (panel or page.inner_text("body"))

    page.locator("#ctl-format").click()
    listbox = page.get_by_role("listbox")
    options = [o.strip() for o in listbox.get_by_role("option").all_inner_texts()]
    expected = []
    for group in cb.groups_of("format"):
        g = cb.groups[group]
        expected.append(f"{g.label} (any)")
        expected += [cb.codes[c].label for c in g.codes if not c.endswith(".unspecified")]
    assert options == expected

    listbox.get_by_role("option", name="Mentoring and coaching (any)", exact=True).click()
    page.wait_for_function("() => location.search.includes('format=mentoring')")
    page.keyboard.press("Escape")
    wait_ready(page)
    n = int(raw["programme_types"].str.contains(r"(?:^|;)mentoring(?:\.|;|$)").sum())
    assert 0 < n < total
    assert count_text(page) == f"{n} of {total} articles"
    chips = [t.replace("×", "").strip() for t in page.locator(".chip").all_inner_texts()]
    assert chips == ["Programme type: Mentoring and coaching"]

    # The views the scheme has no group for are not shown (their cards stay hidden; the
    # files say why they are empty).
    assert not page.locator("#card-flows").is_visible()
    assert not page.locator("#card-partnerships").is_visible()
    assert page.locator("#card-alignment").is_visible()
    # The matrix's rows and columns are the codebook's groups.
    matrix = page.inner_text("#card-alignment")
    assert all(cb.groups[g].short in matrix for g in cb.groups)

    body = page.inner_text("body")
    assert [w for w in IOME_WORDS if w in body] == []
    page.locator("#ctl-motivation").click()
    purposes = [o.strip() for o in page.get_by_role("listbox").get_by_role("option")
                .all_inner_texts()]  # fmt: skip
    assert purposes[0] == "Teaching effectiveness (any)"
    assert [w for w in IOME_WORDS if any(w in p for p in purposes)] == []
    assert page.console_errors == []
