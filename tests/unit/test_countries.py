"""Country harmonisation and the World Bank / map reference tables."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from evidence import REFERENCE_DIR
from evidence.countries import (
    LATEST_FY,
    Resolution,
    country_name,
    country_points,
    economies,
    income_at_year,
    income_latest,
    region_of,
    resolve_country,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PEER_FILE = SHARED / "reference" / "peer-data" / "eviatlas-pilotdata.csv"

# Spellings seen in real exports, with the code each must give.
SPELLINGS = {
    "USA": "USA",
    "usa": "USA",
    "United States": "USA",
    "United States of America": "USA",
    "U.S.": "USA",
    "U.S.A.": "USA",
    "US": "USA",
    "UK": "GBR",
    "U.K.": "GBR",
    "United Kingdom": "GBR",
    "Great Britain": "GBR",
    "England": "GBR",
    "Scotland": "GBR",
    "Wales": "GBR",
    "Northern Ireland": "GBR",
    "Ireland": "IRL",
    "Cote d'Ivoire": "CIV",
    "Côte d’Ivoire": "CIV",
    "COTE D IVOIRE": "CIV",
    "Ivory Coast": "CIV",
    "Türkiye": "TUR",
    "Turkiye": "TUR",
    "Turkey": "TUR",
    "DR Congo": "COD",
    "Democratic Republic of the Congo": "COD",
    "Congo, Dem. Rep.": "COD",
    "Republic of Congo": "COG",
    "Congo, Rep.": "COG",
    "South Korea": "KOR",
    "Korea, Rep.": "KOR",
    "Republic of Korea": "KOR",
    "North Korea": "PRK",
    "Kosovo": "XKX",
    "Holland": "NLD",
    "The Netherlands": "NLD",
    "Netherlands": "NLD",
    "Viet Nam": "VNM",
    "Vietnam": "VNM",
    "Lao PDR": "LAO",
    "Laos": "LAO",
    "Czechia": "CZE",
    "Czech Republic": "CZE",
    "Slovakia": "SVK",
    "Slovak Republic": "SVK",
    "Swaziland": "SWZ",
    "Eswatini": "SWZ",
    "Burma": "MMR",
    "Myanmar": "MMR",
    "Palestine": "PSE",
    "West Bank and Gaza": "PSE",
    "Taiwan": "TWN",
    "Hong Kong": "HKG",
    "Hong Kong SAR, China": "HKG",
    "China": "CHN",
    "Russia": "RUS",
    "Russian Federation": "RUS",
    "Iran, Islamic Rep.": "IRN",
    "Egypt, Arab Rep.": "EGY",
    "Gambia, The": "GMB",
    "Namibia": "NAM",
    "NAM": "NAM",
    "Niger": "NER",
    "Nigeria": "NGA",
    "Guinea": "GIN",
    "Guinea-Bissau": "GNB",
    "Papua New Guinea": "PNG",
    "Dominica": "DMA",
    "Dominican Republic": "DOM",
    "Sudan": "SDN",
    "South Sudan": "SSD",
    "São Tomé and Príncipe": "STP",
    "Sao Tome and Principe": "STP",
    "UAE": "ARE",
    "Ecuador": "ECU",
    "Colombia": "COL",
    "Sri Lanka": "LKA",
    "South Africa": "ZAF",
    "New Zealand": "NZL",
    "Serbia": "SRB",
    "Montenegro": "MNE",
    "Serbia and Montenegro": "YUG",
    "Yugoslavia": "YUG",
    "USSR": "SUN",
    "Soviet Union": "SUN",
    "Czechoslovakia": "CSK",
    "Channel Islands": "CHI",
    "Deutschland": "DEU",
    "Germany": "DEU",
    "de": "DEU",
    "FRA": "FRA",
    "  France  ": "FRA",
}

UNSPECIFIED = [
    "Multiple",
    "Not stated",
    "not stated.",
    "Various",
    "Global",
    "International",
    "Not described",
    "Unknown",
    "NA",
    "na",
    "N/A",
    "n.a.",
    "",
    "   ",
    "Europe",
    "Worldwide",
]

TYPOS = {
    "Equador": "ECU",
    "Frnace": "FRA",
    "Phillipines": "PHL",
    "Columbia": "COL",
    "Gemany": "DEU",
    "Venezula": "VEN",
}


@pytest.mark.parametrize(("text", "iso3"), SPELLINGS.items())
def test_spellings_resolve_to_the_exact_code(text: str, iso3: str) -> None:
    result = resolve_country(text)
    assert result == Resolution(text, iso3, "ok", None)


@pytest.mark.parametrize("text", UNSPECIFIED)
def test_no_specific_country_is_unspecified(text: str) -> None:
    result = resolve_country(text)
    assert result.status == "unspecified"
    assert result.iso3 is None


@pytest.mark.parametrize(("text", "iso3"), TYPOS.items())
def test_typos_are_unknown_with_a_suggestion(text: str, iso3: str) -> None:
    result = resolve_country(text)
    assert result.status == "unknown"
    assert result.iso3 is None
    assert result.suggestion == f"did you mean {country_name(iso3)} ({iso3})?"


def test_equador_suggests_ecuador_verbatim() -> None:
    assert resolve_country("Equador").suggestion == "did you mean Ecuador (ECU)?"


def test_nonsense_is_unknown_without_suggestion() -> None:
    assert resolve_country("Atlantis") == Resolution("Atlantis", None, "unknown", None)
    assert resolve_country("ZZZ").status == "unknown"


def test_several_countries_in_one_value_are_not_guessed() -> None:
    result = resolve_country("Germany and France")
    assert result.status == "unknown"
    assert result.iso3 is None
    assert "DEU" in result.suggestion and "FRA" in result.suggestion


def test_namibia_iso2_na_is_read_as_not_available() -> None:
    assert resolve_country("NA").status == "unspecified"
    assert resolve_country("Namibia").iso3 == "NAM"
    assert resolve_country("NAM").iso3 == "NAM"


def test_resolution_is_frozen_and_resolving_prints_nothing(capsys) -> None:
    result = resolve_country("Kingdom of Nowhere")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.iso3 = "GBR"  # type: ignore[misc]
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_country_names_are_readable() -> None:
    assert country_name("CIV") == "Côte d'Ivoire"
    assert country_name("COD") == "DR Congo"
    assert country_name("USA") == "United States"
    assert country_name("KOR") == "South Korea"
    assert country_name("XKX") == "Kosovo"
    assert country_name("ZZZ") == "ZZZ"


def _income(pairs: list[tuple[str, int]]) -> list[str]:
    iso3 = pd.Series([p[0] for p in pairs])
    year = pd.Series([p[1] for p in pairs])
    return income_at_year(iso3, year).tolist()


def test_income_follows_the_world_bank_history() -> None:
    # Romania: UM in FY20 (published 2019), H in FY21, UM again in FY22, H from FY23.
    assert _income([("ROU", 2019), ("ROU", 2020), ("ROU", 2021), ("ROU", 2022)]) == [
        "UM",
        "H",
        "UM",
        "H",
    ]
    # Chile and Uruguay became high income in FY14.
    assert _income([("CHL", 2012), ("CHL", 2013), ("URY", 2012), ("URY", 2013)]) == [
        "UM",
        "H",
        "UM",
        "H",
    ]
    # Panama: H FY19-FY21, UM FY22, H again from FY23.
    assert _income([("PAN", 2017), ("PAN", 2018), ("PAN", 2021), ("PAN", 2022)]) == [
        "UM",
        "H",
        "UM",
        "H",
    ]
    # Romania in the 1990s was lower middle income.
    assert _income([("ROU", 1995)]) == ["LM"]


def test_publication_year_2011_uses_fy12() -> None:
    # China and Ghana changed group between FY11 and FY12.
    assert _income([("CHN", 2010), ("CHN", 2011), ("GHA", 2010), ("GHA", 2011)]) == [
        "LM",
        "UM",
        "L",
        "LM",
    ]


def test_income_year_is_clamped_to_the_table() -> None:
    assert _income([("CHN", 1970), ("ROU", 2040), ("ROU", LATEST_FY - 1)]) == ["L", "H", "H"]


def test_unclassified_years_use_the_nearest_classified_one() -> None:
    # Venezuela is unclassified from FY22: nearest is FY21 (UM).
    # Ethiopia is unclassified in FY26 (CLASS_FY2026): nearest is FY25 (L).
    # South Sudan is classified from FY13 (LM).
    assert _income([("VEN", 2023), ("ETH", 2025), ("SSD", 2000)]) == ["UM", "L", "LM"]


def test_income_at_year_handles_gaps_and_keeps_the_index() -> None:
    iso3 = pd.Series(["USA", "XXX", None, "usa", "IND"], index=[10, 11, 12, 13, 14])
    year = pd.Series([2000, 2000, 2000, None, 2005], index=[0, 1, 2, 3, 4])
    result = income_at_year(iso3, year)
    assert result.index.tolist() == [10, 11, 12, 13, 14]
    assert result.tolist() == ["H", "", "", "", "L"]
    assert income_at_year(pd.Series(["IND"]), 2015).tolist() == ["LM"]


def test_income_latest_is_fy26_without_fallback() -> None:
    iso3 = pd.Series(["ROU", "NAM", "USA", "ETH", "VEN", "XXX", "CSK"])
    assert income_latest(iso3).tolist() == ["H", "LM", "H", "", "", "", ""]


def test_un_m49_regions() -> None:
    iso3 = pd.Series(["USA", "BRA", "NAM", "AUS", "FJI", "JPN", "TUR", "GBR", "XKX", "ATA", "XXX"])
    assert region_of(iso3).tolist() == [
        "Americas",
        "Americas",
        "Africa",
        "Oceania",
        "Oceania",
        "Asia",
        "Asia",
        "Europe",
        "Europe",
        "",
        "",
    ]


def test_economies_table_shape_and_values() -> None:
    table = economies()
    assert table.index.name == "iso3"
    assert table.index.is_unique
    fy = [f"fy{y}" for y in range(1989, LATEST_FY + 1)]
    assert list(table.columns[:6]) == [
        "name",
        "un_region",
        "un_subregion",
        "wb_region",
        "income_latest",
        "former",
    ]
    assert list(table.columns[6:]) == fy
    assert set(table[fy].stack()) <= {"H", "UM", "LM", "L", ""}
    assert (table["income_latest"] == table[f"fy{LATEST_FY}"]).all()
    # 218 economies in CLASS_FY2026, of which Ethiopia and Venezuela are unclassified.
    assert (table["income_latest"] != "").sum() == 216
    assert set(table.index[table["former"]]) == {"CSK", "SUN", "YUG", "ANT"}
    # Every World Bank economy of the current list is there with its region.
    assert table.loc["XKX", "wb_region"] == "Europe & Central Asia"
    assert table.loc["CHI", "income_latest"] == "H"
    # Map-only territories are included with empty income.
    assert table.loc["ESH", "income_latest"] == ""


def test_every_classified_economy_has_a_point() -> None:
    table = economies()
    points = country_points()
    classified = set(table.index[table["income_latest"] != ""])
    assert classified <= set(points.index)
    assert set(points.index) <= set(table.index)


def test_points_file_has_no_duplicates_and_valid_coordinates() -> None:
    raw = pd.read_csv(REFERENCE_DIR / "country_points.csv", keep_default_na=False)
    assert not raw["iso3"].duplicated().any()
    assert raw["lon"].between(-180, 180).all()
    assert raw["lat"].between(-90, 90).all()
    assert list(country_points().columns) == ["lon", "lat"]


@pytest.mark.parametrize(
    ("iso3", "lon", "lat"),
    [
        ("USA", (-125, -67), (25, 49)),  # contiguous states, not Alaska or Hawaii
        ("FRA", (-4.5, 8), (42.5, 51)),  # metropolitan France, not French Guiana
        ("NOR", (5, 31), (58, 71)),  # mainland, not Svalbard
        ("RUS", (30, 180), (45, 75)),
        ("GBR", (-6, 2), (50, 58.6)),
        ("FJI", (177, 180), (-19, -16)),  # not pulled across the antimeridian
        ("SGP", (103.6, 104.1), (1.2, 1.5)),  # from the 50m topology
        ("NAM", (12, 25), (-29, -17)),
    ],
)
def test_points_fall_on_the_mainland(iso3: str, lon: tuple, lat: tuple) -> None:
    point = country_points().loc[iso3]
    assert lon[0] <= point["lon"] <= lon[1]
    assert lat[0] <= point["lat"] <= lat[1]


def test_alias_and_unspecified_tables_are_consistent() -> None:
    aliases = pd.read_csv(REFERENCE_DIR / "aliases.csv", keep_default_na=False)
    unspecified = pd.read_csv(REFERENCE_DIR / "unspecified.csv", keep_default_na=False)
    assert set(aliases["iso3"]) <= set(economies().index)
    for text in aliases["text"]:
        assert resolve_country(text).iso3 in set(aliases.loc[aliases["text"] == text, "iso3"])
    for text in unspecified["text"]:
        assert resolve_country(text).status == "unspecified", text
    assert "Equador" not in set(aliases["text"])


@pytest.mark.skipif(not PEER_FILE.exists(), reason="shared peer data not available")
def test_peer_export_spellings_all_resolve_or_report() -> None:
    nations = pd.read_csv(PEER_FILE, encoding="latin-1", usecols=["Nation"])["Nation"]
    distinct = sorted(nations.dropna().unique())
    assert len(distinct) == 41
    results = {text: resolve_country(text) for text in distinct}
    for text, result in results.items():
        if result.status == "ok":
            assert result.iso3 in economies().index, text
        elif result.status == "unknown":
            assert result.suggestion, text
    assert results["Multiple"].status == "unspecified"
    assert results["Not stated"].status == "unspecified"
    assert results["Equador"].suggestion == "did you mean Ecuador (ECU)?"
    assert results["The Netherlands"].iso3 == "NLD"
    assert results["UK"].iso3 == "GBR"
    unresolved = {t for t, r in results.items() if r.status != "ok"}
    assert unresolved == {"Multiple", "Not stated", "Equador"}


def test_the_browsers_country_table_is_current_and_matches_the_income_history():
    """assets/countries.js is what scripts/build_country_table.py writes now, and a
    country's groups in it are those income_periods reads."""
    from evidence import ASSETS_DIR
    from evidence.countries import BROWSER_CODES, browser_table, browser_table_js, income_periods

    assert (ASSETS_DIR / "countries.js").read_text("utf-8") == browser_table_js(), (
        "assets/countries.js is stale: run scripts/build_country_table.py"
    )
    table = browser_table()
    decode = {v: k for k, v in BROWSER_CODES.items()}
    for iso3 in ("KEN", "ALB", "USA", "VEN"):
        row = table["rows"][iso3]
        (runs,) = income_periods(pd.Series([iso3]), 2000, 2020)
        for group, first, last in runs:
            for year in range(first, last + 1):
                assert decode[row[2][year + 1 - table["first_fy"]]] == group, (iso3, year)
