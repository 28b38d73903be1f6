"""Import from the tools review teams use (issue 25, item 5): a mapping file renames
columns, makes ids, merges one-column-per-code coding, finds countries in location text
or coordinates; the encoding is detected and named. The EviAtlas export is read from
../shared/reference/peer-data (GPL-3.0, never copied here); its tests skip without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from evidence import PROJECT_ROOT
from evidence.countries import resolve_country
from evidence.encoding import decode
from evidence.load import load
from evidence.mapping import MappingError, countries_at, read_column_mapping

EVIATLAS = PROJECT_ROOT.parent / "shared" / "reference" / "peer-data" / "eviatlas-pilotdata.csv"
EXAMPLE = PROJECT_ROOT / "data" / "examples" / "eviatlas"
needs_eviatlas = pytest.mark.skipif(
    not EVIATLAS.exists(), reason=f"EviAtlas sample data not found at {EVIATLAS} (GPL-3.0, "
    "not bundled): the import tests on it are skipped"
)  # fmt: skip


# --------------------------------------------------------------------------- encoding
@pytest.mark.parametrize("encoding, name", [("mac_roman", "Mac Roman"), ("cp1252", "Windows-1252")])
def test_a_legacy_encoding_is_told_apart_and_named_as_a_guess(tmp_path, encoding, name):
    text = ("id,title,year,author_countries,formats\n"
            "a1,Uusi-Kämppä: Säätö in Jyväskylä – “field” trials,2010,Finland,mobility.outbound\n"
            "a2,Müller and Ødegaard,2011,Germany,mobility\n")  # fmt: skip
    path = tmp_path / "legacy.csv"
    path.write_bytes(text.encode(encoding))
    eb = load(path)
    assert eb.n_articles == 2
    assert "Uusi-Kämppä" in eb.articles["title"].iloc[0]
    assert eb.report.encoding == name and f"read as {name}" in eb.report.summary()
    assert any("a guess" in p.message for p in eb.report.warnings)


def test_utf8_is_not_a_guess():
    decoded = decode("Uusi-Kämppä".encode())
    assert decoded.name == "UTF-8" and not decoded.guessed


# --------------------------------------------------------------------------- a mapping
MAPPING = """\
id: row_number
columns: {Study: title, Published: year, Kind: formats}
codes:
  motivations:
    columns: {Care: social.transformation, Money: market.student, Minds: liberal.understanding}
countries:
  author_countries: {text: [Place], coordinates: [Lat, Lon]}
"""
DATA = """\
Study,Published,Kind,Care,Money,Minds,Place,Lat,Lon
Same title,2010,mobility.outbound,yes,,x,"Kampala, Uganda",,
Same title,2010,mobility.outbound,no,1,0,Not stated,-1.29,36.82
Other,2012,at_home,Y,TRUE,-,Somewhere,48.85,2.35
"""


def test_a_mapping_file_makes_ids_merges_code_columns_and_finds_countries(tmp_path):
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    eb = load(tmp_path / "data.csv", mapping=read_column_mapping(tmp_path / "map.yaml"))
    assert eb.n_articles == 3, eb.report.to_text()
    assert list(eb.articles["article_id"]) == ["row-2", "row-3", "row-4"]
    codes = eb.article_codes[eb.article_codes["dimension"] == "motivation"]
    got = codes.groupby("article_id")["code"].apply(set).to_dict()
    assert got == {"row-2": {"social.transformation", "liberal.understanding"},
                   "row-3": {"market.student"},
                   "row-4": {"social.transformation", "market.student"}}  # fmt: skip
    origin = eb.article_countries[eb.article_countries["role"] == "origin"]
    # text first (Uganda in "Kampala, Uganda"), else the coordinates (Nairobi, Paris)
    assert origin.set_index("article_id")["iso3"].to_dict() == {
        "row-2": "UGA", "row-3": "KEN", "row-4": "FRA"}  # fmt: skip
    duplicates = [p for p in eb.report.warnings if "possible duplicate of row 2" in p.message]
    assert [p.row for p in duplicates] == [3]


def test_a_bad_mapping_names_the_key_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: row_number\ncolumns:\n  Study: titel\ncountres: {}\n", encoding="utf-8")
    with pytest.raises(MappingError) as err:
        read_column_mapping(path)
    assert "columns.Study (line 3): unknown contract column 'titel'" in str(err.value)
    assert "countres (line 4): unknown section" in str(err.value)


# --------------------------------------------------------------------------- EviAtlas
@needs_eviatlas
def test_coordinates_fall_in_the_country_the_study_names():
    raw = pd.read_csv(EVIATLAS, dtype=str, keep_default_na=False, encoding="mac_roman")
    lat = pd.to_numeric(raw["Latitude"], errors="coerce")
    lon = pd.to_numeric(raw["Longitude"], errors="coerce")
    named = raw["Nation"].map(lambda t: resolve_country(t).iso3)
    both = lat.notna() & lon.notna() & named.notna()
    found = np.array(countries_at(lat[both].to_numpy(), lon[both].to_numpy()), dtype=object)
    agree = (found == named[both].to_numpy()).mean()
    assert both.sum() > 600 and agree > 0.95, agree


@needs_eviatlas
def test_the_eviatlas_export_loads_every_study_under_its_scheme():
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOME_")}
    args = ["summary", str(EVIATLAS), "--columns", str(EXAMPLE / "columns.yaml"),
            "--codebook", str(EXAMPLE / "codebook.yaml"), "--json"]  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["n_articles"] == 1072
    check = subprocess.run([sys.executable, "-m", "cli", "validate", *args[1:-1]],
                           cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                           timeout=180)  # fmt: skip
    first = check.stdout.splitlines()[0]
    assert first.startswith("1072 rows read, 1072 loaded, 0 rejected; 0 errors")
    assert "read as Mac Roman" in first
    assert "possible duplicate of row" in check.stdout


def test_the_browser_mapping_prefills_only_columns_that_mean_the_contract_column():
    from components.upload_panel import NO_COLUMN, _guess
    from evidence.schema import CONTRACT

    headers = ["Short Title", "Title", "Year", "Nation", "Wind", "Pathogens", "Pollination",
               "ES: Aesthetic", "Google Scholar link", "Author Countrys"]  # fmt: skip
    guessed = {c.name: _guess(c.name, headers) for c in CONTRACT}
    guessed = {k: v for k, v in guessed.items() if v != NO_COLUMN}
    assert _guess("title", ["Record", "Paper title"]) == "Paper title"
    assert guessed == {"title": "Title", "year": "Year", "url": "Google Scholar link",
                       "setting_countries": "Nation",
                       "author_countries": "Author Countrys"}  # fmt: skip


def test_one_column_chosen_twice_in_the_browser_fills_both_contract_columns():
    from components.upload_panel import browser_mapping

    mapping = browser_mapping(
        ["id", "title", "year", "author_countries", "setting_countries", "formats"],
        ["Key", "Paper", "Year", "Nation", "Nation", "formats"],
    )
    csv = b"Key,Paper,Year,Nation,formats\nk1,One,2010,Kenya,mobility.outbound\n"
    eb = load(csv, name="x.csv", mapping=mapping)
    assert eb.n_articles == 1 and eb.report.errors == []
    roles = eb.article_countries.groupby("role")["iso3"].first().to_dict()
    assert roles == {"author": "KEN", "origin": "KEN", "setting": "KEN"}


def test_the_browser_mapping_step_has_the_mapping_files_choices_and_saves_them(tmp_path):
    """The mapping step (issue 25, item 1): row-number ids, one-code columns merged (found
    by their names in the chosen scheme; "ES: Pollination" before a bare "Pollination"),
    countries from coordinates; its YAML, read back as a mapping file, loads the same."""
    from components.upload_panel import (
        NO_COLUMN,
        ROW_ID,
        _guess,
        browser_mapping,
        code_columns,
        mapping_yaml,
    )
    from evidence.codebook import using_codebook

    csv = (b"Short Title,Title,Year,Nation,Latitude,Longitude,Vegetation,ES: Food,"
           b"ES: Pollination,Pollination,Wind\n"
           b"Doe 2001,Strips A,2001,Finland,,,Grasses,x,,,x\n"
           b"Doe 2001,Strips B,2003,,52.5,13.4,Hedgerow,no,1,yes,\n")  # fmt: skip
    headers = csv.decode().splitlines()[0].split(",")
    with using_codebook(EXAMPLE / "codebook.yaml"):
        codes = code_columns(headers, "motivation")
        assert codes == {"ES: Food": "provisioning.food",
                         "ES: Pollination": "regulating.pollination"}  # fmt: skip
        assert code_columns(headers, "format") == {}  # "Vegetation" holds values, not a code
        assert _guess("id", headers) == NO_COLUMN  # never "Wind"
        mapping = browser_mapping(
            ["id", "title", "year", "author_countries", "setting_countries", "formats"],
            [ROW_ID, "Title", "Year", "Nation", "Nation", "Vegetation"],
            {"motivations": list(codes)}, ("Latitude", "Longitude"),
        )  # fmt: skip
        eb = load(csv, name="strips.csv", mapping=mapping)
        (tmp_path / "columns.yaml").write_text(mapping_yaml(mapping, "strips.csv"), "utf-8")
        again = load(csv, name="strips.csv", mapping=read_column_mapping(tmp_path / "columns.yaml"))
    assert eb.report.errors == [] and eb.n_articles == 2
    assert list(eb.articles["article_id"]) == ["row-2", "row-3"]
    settings = eb.article_countries.query("role == 'setting'").set_index("article_id")["iso3"]
    assert settings.to_dict() == {"row-2": "FIN", "row-3": "DEU"}  # Berlin's coordinates
    motives = eb.article_codes.query("dimension == 'motivation'").groupby("article_id")["code"]
    assert motives.apply(sorted).to_dict() == {"row-2": ["provisioning.food"],
                                               "row-3": ["regulating.pollination"]}  # fmt: skip
    assert again.articles.equals(eb.articles) and again.report.errors == []
