"""Another review's file through the browser, under its own scheme, on the IoME site
(issue 25, "done when"): the EviAtlas export with the EviAtlas mapping and codebook gives
the CLI's map; a review team's template, filled and uploaded as XLSX under the faculty-
development scheme, gives its report at spreadsheet rows and its map. The site's own page
keeps IoME. The EviAtlas export is GPL-3.0 and never copied here: read from
../shared/reference/peer-data, skipped where absent."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import close_report, count_text, loaded_report, wait_ready

from evidence import PROJECT_ROOT
from evidence.codebook import load_codebook

EXAMPLES = PROJECT_ROOT / "data" / "examples"
EVIATLAS = PROJECT_ROOT.parent / "shared" / "reference" / "peer-data" / "eviatlas-pilotdata.csv"
# The export's Nation names of its twelve most studied countries, by hand.
NATION_ISO3 = {"USA": "USA", "UK": "GBR", "France": "FRA", "Canada": "CAN", "Finland": "FIN",
               "Switzerland": "CHE", "Germany": "DEU", "Poland": "POL", "Italy": "ITA",
               "The Netherlands": "NLD", "New Zealand": "NZL", "Australia": "AUS"}  # fmt: skip


def open_panel(page):
    page.get_by_role("button", name="Your data").click()
    page.wait_for_selector("#upload-pick", state="visible")


def choose(page, path):
    with page.expect_file_chooser() as chooser:
        page.click("#upload-pick")
    chooser.value.set_files(str(path))


def map_counts(page, server_url) -> pd.Series:
    """The map's articles per country (origin) of the dataset the page's URL names."""
    search = page.evaluate("window.location.search")
    assert "dataset=" in search
    text = page.request.get(f"{server_url}/data/map.csv{search}").text().lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text), keep_default_na=False).set_index("iso3")["n_articles"]


def test_the_eviatlas_export_uploaded_with_its_mapping_and_codebook_gives_the_clis_map(
    page, server_url
):
    if not EVIATLAS.exists():
        pytest.skip(f"EviAtlas sample data not found at {EVIATLAS} (GPL-3.0, not bundled)")
    page.goto(server_url)
    wait_ready(page)
    open_panel(page)
    page.select_option("#upload-scheme", "eviatlas")
    page.wait_for_function("() => document.getElementById('upload-columns').value === 'eviatlas'")
    choose(page, EVIATLAS)
    result = loaded_report(page, timeout=60_000)
    assert "1072 rows read, 1072 loaded, 0 rejected; 0 errors" in result
    assert "read as Mac Roman" in result and "possible duplicate of row" in result
    close_report(page)
    assert count_text(page) == "1,072 of 1,072 articles"
    title = load_codebook(EXAMPLES / "eviatlas" / "codebook.yaml").title
    assert page.title() == title and page.inner_text("h1").strip() == title
    counts = map_counts(page, server_url)
    # The CLI's map (serve --data ... --columns ... --codebook ...): the same counts.
    cli = _cli_counts()
    assert counts[counts > 0].sort_index().to_dict() == cli.to_dict()
    # Independently of the app: the export's own Nation column, counted with pandas. A row
    # whose Nation is not a country ("Multiple", "Not stated") takes its country from its
    # location or coordinates, so a country may gain at most that many.
    nation = pd.read_csv(EVIATLAS, encoding="mac_roman", dtype=str)["Nation"].fillna("")
    fallback = int(nation.isin(["Multiple", "Not stated", ""]).sum())
    for name, iso3 in NATION_ISO3.items():
        expected = int((nation == name).sum())
        assert expected <= counts[iso3] <= expected + fallback, (name, counts[iso3], expected)
    assert page.console_errors == []
    page.goto(server_url)  # the site's own page keeps its scheme
    wait_ready(page)
    assert page.title() == load_codebook().title and count_text(page) == "350 of 350 articles"


def _cli_counts() -> pd.Series:
    """Per-country origin counts of the file as the CLI loads it (its mapping file and
    codebook), read from the loaded articles' countries."""
    from evidence.codebook import using_codebook
    from evidence.load import load, read_mapping

    folder = EXAMPLES / "eviatlas"
    with using_codebook(folder / "codebook.yaml"):
        eb = load(EVIATLAS, mapping=read_mapping(folder / "columns.yaml"))
    origin = eb.article_countries.query("role == 'origin'")
    return origin.groupby("iso3")["article_id"].nunique().sort_index()


def test_a_review_team_fills_the_template_of_its_scheme_and_uploads_it_as_xlsx(
    page, server_url, tmp_path
):
    """Template -> fill -> upload as XLSX -> report at spreadsheet rows -> map, under the
    faculty-development scheme chosen in the dialog."""
    page.goto(server_url)
    wait_ready(page)
    open_panel(page)
    page.select_option("#upload-scheme", "faculty_development")
    page.wait_for_function(
        "() => document.getElementById('upload-template').href"
        ".endsWith('?scheme=faculty_development')"
    )
    with page.expect_download() as download:
        page.click("#upload-template")
    assert download.value.suggested_filename == "faculty-development-template.csv"
    template = Path(download.value.path()).read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(template)))
    assert "programme_types" in header and "purposes" in header
    assert "mobility_flows" not in header  # the scheme has no flows
    # Fill it as a team would: five coded articles, the fourth (spreadsheet row 5) with a
    # code the scheme does not have.
    rows = pd.read_csv(EXAMPLES / "faculty_development" / "articles.csv", dtype=str,
                       keep_default_na=False).head(5)  # fmt: skip
    rows.loc[3, "programme_types"] = "workshop.not_a_code"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for _, row in rows.iterrows():
        sheet.append([row.get(c, "") for c in header])
    path = tmp_path / "our-review.xlsx"
    book.save(path)
    choose(page, path)
    result = loaded_report(page, timeout=60_000)
    assert "5 rows read, 4 loaded, 1 rejected" in result
    table = page.locator("#upload-result-view table").first
    bad = table.locator("tr", has_text="not_a_code")
    assert bad.count() >= 1 and bad.first.locator("td").nth(1).inner_text().strip() == "5"
    close_report(page)
    assert count_text(page) == "4 of 4 articles"
    title = load_codebook(EXAMPLES / "faculty_development" / "codebook.yaml").title
    assert page.title() == title
    counts = map_counts(page, server_url)
    kept = rows.drop(index=3)
    expected = kept["author_countries"].str.split(";").str[0].value_counts().sort_index()
    assert counts[counts > 0].sort_index().to_dict() == expected.to_dict()
    assert page.console_errors == []


def test_the_mapping_step_merges_code_columns_finds_countries_and_saves_its_yaml(
    page, server_url, tmp_path
):
    """Issue 25, item 1 in the browser: a one-column-per-code export read by name under its
    scheme asks for a mapping, pre-filled where names match (row-number id, latitude and
    longitude, the "ES: ..." code columns; nothing from "Wind"); saved as YAML it is a
    mapping file the CLI reads; applied, every row loads."""
    import yaml

    path = tmp_path / "strips.csv"
    path.write_text(
        "Short Title,Title,Year,Nation,Latitude,Longitude,Vegetation,ES: Food,"
        "ES: Pollination,Wind\n"
        "Doe 2001,Strips A,2001,Finland,,,Grasses,x,,x\n"
        "Doe 2001,Strips B,2003,Multiple,52.5,13.4,Hedgerow,no,1,\n",
        encoding="utf-8",
    )
    page.goto(server_url)
    wait_ready(page)
    open_panel(page)
    page.select_option("#upload-scheme", "eviatlas")
    page.select_option("#upload-columns", "names")
    choose(page, path)
    apply = page.get_by_role("button", name="Apply the mapping")
    apply.wait_for(timeout=30_000)

    def field(kind: str, key: str, value: str):
        return page.locator(f'[id=\'{{"{key}":"{value}","type":"{kind}"}}\']')

    assert field("map-field", "column", "id").input_value() == "__row_number__"
    assert field("map-point", "axis", "latitude").input_value() == "Latitude"
    assert "ES: Food" in field("map-codes", "column", "motivations").inner_text()
    field("map-field", "column", "author_countries").select_option("Nation")
    field("map-field", "column", "formats").select_option("Vegetation")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save this mapping (YAML)").click()
    saved = yaml.safe_load(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["id"] == "row_number" and "Wind" not in str(saved)
    assert saved["codes"]["motivations"]["columns"] == {
        "ES: Food": "provisioning.food", "ES: Pollination": "regulating.pollination"}  # fmt: skip
    assert saved["countries"]["setting_countries"]["coordinates"] == ["Latitude", "Longitude"]
    apply.click()
    result = loaded_report(page)
    assert "2 rows read, 2 loaded, 0 rejected" in result
    close_report(page)
    assert count_text(page) == "2 of 2 articles"
    counts = map_counts(page, server_url)
    assert counts[counts > 0].to_dict() == {"DEU": 1, "FIN": 1}  # Berlin's coordinates
    assert page.console_errors == []
