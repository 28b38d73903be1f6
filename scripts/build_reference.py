"""Build the committed country reference tables in ``data/reference/``.

Inputs (read-only, never committed):

* ``../shared/reference/world-bank/OGHIST.xlsx``, sheet "Country Analytical History":
  the World Bank income group of every economy for fiscal years FY89..FY26.
* ``../shared/reference/world-bank/CLASS_FY2026.xlsx``, sheet "List of economies":
  the current (FY26) group and World Bank region.
* country_converter's bundled ``country_data.tsv``: short names and UN M49 sub-regions.
* ``assets/topojson/world_110m.json`` and ``world_50m.json`` (see ``vendor_assets.py``).

Outputs: ``economies.csv``, ``country_points.csv``, ``aliases.csv``, ``unspecified.csv``
and ``README.md``. Source: "World Bank country classifications by income level
(CC BY 4.0)". Run with ``make reference`` (or this script with the project venv).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "reference"
SHARED = ROOT.parent / "shared" / "reference" / "world-bank"
OGHIST = SHARED / "OGHIST.xlsx"
CLASS_FY = SHARED / "CLASS_FY2026.xlsx"
TOPO_110M = ROOT / "assets" / "topojson" / "world_110m.json"
TOPO_50M = ROOT / "assets" / "topojson" / "world_50m.json"

FIRST_FY, LATEST_FY = 1989, 2026
FY_COLUMNS = [f"fy{fy}" for fy in range(FIRST_FY, LATEST_FY + 1)]
GROUPS = {"H", "UM", "LM", "L"}
WB_INCOME = {
    "High income": "H",
    "Upper middle income": "UM",
    "Lower middle income": "LM",
    "Low income": "L",
}

# UN M49 regions from the sub-regions country_converter uses.
SUBREGION_TO_REGION = {
    "Northern Africa": "Africa",
    "Eastern Africa": "Africa",
    "Middle Africa": "Africa",
    "Southern Africa": "Africa",
    "Western Africa": "Africa",
    "Caribbean": "Americas",
    "Central America": "Americas",
    "South America": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}

# Economies that no longer exist, as listed at the foot of OGHIST. The World Bank's
# "YUGf" (Socialist Federal Republic of Yugoslavia, FY89-FY93) and "YUG" (Serbia and
# Montenegro, FY94-FY07) never overlap, so both become ISO 3166-3 code YUG.
FORMER = {
    "CSK": ("Czechoslovakia", "Eastern Europe"),
    "SUN": ("USSR", "Eastern Europe"),
    "YUG": ("Yugoslavia", "Southern Europe"),
    "ANT": ("Netherlands Antilles", "Caribbean"),
}
MERGE_CODES = {"YUGf": "YUG"}

# Display names where country_converter's short name is not the friendliest one.
NAME_OVERRIDES = {
    "COG": "Congo Republic",
    "FSM": "Micronesia",
    "MAC": "Macao",
    "BLM": "St. Barthélemy",
    "MAF": "St. Martin",
    "SGS": "South Georgia and South Sandwich Islands",
    "UMI": "US Minor Outlying Islands",
    "VIR": "US Virgin Islands",
    "HMD": "Heard and McDonald Islands",
    "WLF": "Wallis and Futuna",
    **{code: name for code, (name, _) in FORMER.items()},
}

# Places with no polygon of their own in the Natural Earth topology: their point is
# taken from the union of the listed members (largest polygon), ...
COMPOSITE_POINTS = {
    "CHI": ["JEY", "GGY"],
    "CSK": ["CZE", "SVK"],
    "YUG": ["SRB", "MNE"],
    "ANT": ["CUW", "SXM"],
    "SUN": ["RUS"],
}
# ... or is the approximate position of the capital (lon, lat).
MANUAL_POINTS = {
    "XKX": (21.17, 42.67),  # Pristina
    "GIB": (-5.35, 36.14),  # Gibraltar
    "TUV": (179.19, -8.52),  # Funafuti
    "MYT": (45.23, -12.78),  # Mamoudzou
    "BES": (-68.27, 12.15),  # Kralendijk, Bonaire
    "TKL": (-171.83, -9.17),  # Fakaofo
    "CXR": (105.68, -10.48),  # Flying Fish Cove
    "CCK": (96.83, -12.19),  # West Island
    "GLP": (-61.55, 16.25),  # Guadeloupe
    "MTQ": (-61.02, 14.64),  # Martinique
    "GUF": (-53.0, 4.0),  # French Guiana
    "REU": (55.53, -21.13),  # Réunion
    "SJM": (15.63, 78.22),  # Longyearbyen
}

# Free-text spellings country_converter misses or gets wrong (matched case- and
# accent-insensitively, ignoring punctuation).
ALIASES = {
    "GBR": [
        "England", "Scotland", "Wales", "Northern Ireland", "Great Britain", "Britain",
        "UK", "U.K.", "United Kingdom of Great Britain and Northern Ireland",
        "Großbritannien", "Vereinigtes Königreich", "Royaume-Uni", "Reino Unido",
    ],
    "NLD": ["Holland", "The Netherlands", "Netherlands, The", "Niederlande", "Nederland",
            "Pays-Bas", "Países Bajos"],
    "USA": ["USA", "U.S.", "U.S.A.", "US", "United States of America", "Vereinigte Staaten",
            "Estados Unidos", "États-Unis"],
    "XKX": ["Kosovo", "Kosova", "Republic of Kosovo"],
    "MKD": ["Macedonia", "FYROM", "Former Yugoslav Republic of Macedonia",
            "Macedonia, FYR", "North Macedonia"],
    "CZE": ["Czech Republic", "Czechia", "Tschechien"],
    "TUR": ["Turkey", "Türkiye", "Turkiye", "Türkei"],
    "SWZ": ["Swaziland", "Eswatini"],
    "MMR": ["Burma", "Myanmar"],
    "CPV": ["Cape Verde", "Cabo Verde"],
    "TLS": ["East Timor", "Timor-Leste"],
    "PSE": ["Palestine", "West Bank and Gaza", "Palestinian Territories", "Gaza"],
    "COD": ["DR Congo", "DRC", "Congo-Kinshasa", "Congo, Dem. Rep.", "Zaire"],
    "COG": ["Republic of Congo", "Congo-Brazzaville", "Congo, Rep.", "Congo"],
    "KOR": ["South Korea", "Korea, South", "Republic of Korea", "Korea, Rep.", "Südkorea"],
    "PRK": ["North Korea", "Korea, North", "DPRK"],
    "ARE": ["UAE", "U.A.E.", "Emirates"],
    "TZA": ["Zanzibar", "Tanganyika"],
    "CHI": ["Channel Islands"],
    "CSK": ["Czechoslovakia"],
    "SUN": ["USSR", "U.S.S.R.", "Soviet Union", "Former Soviet Union", "Former USSR",
            "Union of Soviet Socialist Republics"],
    "YUG": ["Yugoslavia", "Serbia and Montenegro", "Federal Republic of Yugoslavia"],
    "ANT": ["Netherlands Antilles"],
    "DEU": ["Deutschland", "Alemania", "Allemagne", "West Germany", "East Germany"],
    "AUT": ["Österreich", "Austria"],
    "CHE": ["Schweiz", "Suisse", "Svizzera", "Suiza"],
    "FRA": ["Frankreich"],
    "ITA": ["Italia", "Italien"],
    "ESP": ["España", "Spanien", "Espagne"],
    "BRA": ["Brasil", "Brasilien"],
    "MEX": ["México", "Mexiko"],
    "SWE": ["Sverige", "Schweden"],
    "NOR": ["Norge", "Norwegen"],
    "DNK": ["Danmark", "Dänemark"],
    "FIN": ["Suomi", "Finnland"],
    "POL": ["Polska", "Polen"],
    "HUN": ["Ungarn", "Magyarország"],
    "RUS": ["Russland", "Russia", "Russian Federation"],
    "BEL": ["Belgien", "Belgique", "België"],
    "GRC": ["Griechenland", "Hellas"],
    "JPN": ["Japan", "Nippon"],
    "CHN": ["China", "PR China", "P.R. China", "Mainland China", "People's Republic of China"],
    "TWN": ["Taiwan", "Taiwan, China", "Chinese Taipei"],
    "HKG": ["Hong Kong", "Hong Kong SAR", "Hong Kong SAR, China"],
    "MAC": ["Macau", "Macao", "Macao SAR, China"],
    "IRN": ["Iran", "Persia"],
    "LAO": ["Lao PDR", "Laos"],
    "VNM": ["Viet Nam", "Vietnam"],
    "CIV": ["Ivory Coast", "Cote d'Ivoire", "Côte d'Ivoire"],
    "IND": ["Indien"],
    "CAN": ["Kanada"],
    "AUS": ["Australien"],
    "ZAF": ["Südafrika", "RSA"],
    "EGY": ["Ägypten"],
    "SAU": ["KSA", "Saudi"],
}  # fmt: skip

# Values meaning "no specific country", with what they mean.
UNSPECIFIED = {
    "not reported": [
        "Not stated", "Not described", "Not reported", "Not specified", "Unspecified",
        "Unknown", "Unclear", "NA", "N/A", "n.a.", "None", "Not applicable", "Missing",
        "-", "--", "?", "nk", "Not known",
    ],
    "several or global": [
        "Multiple", "Multiple countries", "Various", "Various countries", "Several",
        "Several countries", "Many", "Mixed", "Global", "Worldwide", "International",
        "Multinational", "Multi-national", "Multi-country", "Multicountry",
        "Cross-national", "Other", "Others",
    ],
    "region": [
        "Europe", "Africa", "Asia", "Americas", "Oceania", "Latin America",
        "Sub-Saharan Africa", "Middle East", "Scandinavia", "Nordic countries",
        "European Union", "EU", "Caribbean", "South-East Asia", "Southeast Asia",
    ],
}  # fmt: skip


def fiscal_year(label: object) -> int | None:
    """Return 1989 for "FY89", 2026 for "FY26", else None."""
    match = re.fullmatch(r"FY(\d\d)", str(label).strip())
    if not match:
        return None
    yy = int(match.group(1))
    return (1900 if yy >= 50 else 2000) + yy


def income_code(value: object) -> str:
    """Normalise one OGHIST cell to H/UM/LM/L or "" (".." and blanks are unclassified)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    code = str(value).strip().rstrip("*")
    if code in ("", ".."):
        return ""
    if code not in GROUPS:
        raise ValueError(f"unexpected income value {value!r} in OGHIST")
    return code


def read_oghist(path: Path) -> pd.DataFrame:
    """Read the income history: one row per World Bank code, columns name + fy1989..."""
    raw = pd.read_excel(path, sheet_name="Country Analytical History", header=None, dtype=object)
    header_row = next(
        i for i in range(len(raw)) if sum(fiscal_year(v) is not None for v in raw.iloc[i]) > 10
    )
    fy_cols = {j: fiscal_year(v) for j, v in enumerate(raw.iloc[header_row])}
    fy_cols = {j: fy for j, fy in fy_cols.items() if fy is not None}
    if sorted(fy_cols.values()) != list(range(FIRST_FY, LATEST_FY + 1)):
        raise ValueError(f"OGHIST fiscal years are not FY89..FY26: {sorted(fy_cols.values())}")

    rows = []
    for i in range(header_row + 1, len(raw)):
        code = raw.iat[i, 0]
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}f?", code.strip()):
            continue  # blank lines, threshold rows, footnotes
        row = {"wb_code": code.strip(), "wb_name": str(raw.iat[i, 1]).strip()}
        row.update({f"fy{fy}": income_code(raw.iat[i, j]) for j, fy in fy_cols.items()})
        rows.append(row)
    hist = pd.DataFrame(rows)

    # Merge split histories (YUGf -> YUG): fill the target's blanks from the source.
    for source, target in MERGE_CODES.items():
        src = hist.loc[hist.wb_code == source, FY_COLUMNS].iloc[0]
        tgt_idx = hist.index[hist.wb_code == target][0]
        for col in FY_COLUMNS:
            if hist.at[tgt_idx, col] == "" and src[col] != "":
                hist.at[tgt_idx, col] = src[col]
        hist = hist[hist.wb_code != source]
    return hist.rename(columns={"wb_code": "iso3"}).set_index("iso3")


def read_class(path: Path) -> pd.DataFrame:
    """Read the current list of economies: index iso3, columns wb_name, wb_region, income."""
    raw = pd.read_excel(path, sheet_name="List of economies", dtype=object)
    raw = raw[raw["Region"].notna() & raw["Code"].notna()]  # aggregates have no region
    return pd.DataFrame(
        {
            "wb_name": raw["Economy"].str.strip().to_numpy(),
            "wb_region": raw["Region"].str.strip().to_numpy(),
            "income": raw["Income group"].map(WB_INCOME).fillna("").to_numpy(),
        },
        index=pd.Index(raw["Code"].str.strip(), name="iso3"),
    )


def read_coco() -> pd.DataFrame:
    """Read country_converter's table (keeping Namibia's ISO-2 "NA"): index iso3."""
    import country_converter

    path = Path(country_converter.__file__).parent / "country_data.tsv"
    data = pd.read_csv(path, sep="\t", encoding="utf-8", keep_default_na=False, na_values=[""])
    data = data[["ISO3", "name_short", "UNregion", "obsolete"]].copy()
    data["ISO3"] = data["ISO3"].str.split("|").str[0].str.strip()
    return data.set_index("ISO3")


def read_topology(path: Path) -> gpd.GeoDataFrame:
    """Read the countries layer of a TopoJSON file, one (dissolved) row per ISO-3 id."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL notes about the missing CRS
        gdf = gpd.read_file(path, layer="countries")
    gdf = gdf[gdf["id"].notna() & gdf["id"].astype(str).str.fullmatch(r"[A-Z]{3}")]
    gdf = gdf.set_crs("EPSG:4326", allow_override=True)[["id", "geometry"]]
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf.dissolve(by="id", as_index=True)


def main_point(geometry) -> tuple[float, float]:
    """A point inside the largest polygon of a geometry (by equal-area size).

    The polygon's centroid is used when it falls inside the polygon; otherwise its
    representative point, which is always inside.
    """
    parts = gpd.GeoSeries([geometry], crs="EPSG:4326").explode(index_parts=False)
    parts = parts[parts.geom_type == "Polygon"]
    # Thin rings cut by the antimeridian decode as bands around the globe (parts of Fiji
    # and Russia): never pick those (Antarctica's ring is wide but not thin).
    box = parts.bounds
    parts = parts[(box["maxx"] - box["minx"] <= 180) | (box["maxy"] - box["miny"] > 10)]
    if parts.empty:  # a shape collapsed to a point or line at this scale (Vatican)
        point = geometry.representative_point()
        return round(point.x, 3), round(point.y, 3)
    areas = parts.to_crs("EPSG:6933").area
    largest = parts.iloc[int(areas.to_numpy().argmax())]
    point = largest.centroid
    if not largest.contains(point):
        point = largest.representative_point()
    return round(point.x, 3), round(point.y, 3)


def build_points(economies: pd.DataFrame) -> pd.DataFrame:
    """One point per economy that has any geometry (110m first, then 50m, then fallbacks)."""
    topo110 = read_topology(TOPO_110M)
    topo50 = read_topology(TOPO_50M)
    rows = []
    for iso3 in economies.index:
        if iso3 in topo110.index:
            lon, lat = main_point(topo110.geometry[iso3])
            source = "110m"
        elif iso3 in topo50.index:
            lon, lat = main_point(topo50.geometry[iso3])
            source = "50m"
        elif iso3 in COMPOSITE_POINTS:
            members = [m for m in COMPOSITE_POINTS[iso3] if m in topo50.index]
            lon, lat = main_point(topo50.loc[members].geometry.union_all())
            source = "composite:" + "+".join(members)
        elif iso3 in MANUAL_POINTS:
            lon, lat = MANUAL_POINTS[iso3]
            source = "manual"
        else:
            continue
        rows.append({"iso3": iso3, "lon": lon, "lat": lat, "source": source})
    return pd.DataFrame(rows)


def build_economies() -> pd.DataFrame:
    """Join the World Bank history, the current list, topology ids and coco's table."""
    hist = read_oghist(OGHIST)
    current = read_class(CLASS_FY)
    coco = read_coco()
    topo_ids = set(read_topology(TOPO_110M).index) | set(read_topology(TOPO_50M).index)

    # The current list is authoritative for FY26 (e.g. it leaves Ethiopia unclassified).
    for iso3 in current.index.intersection(hist.index):
        old, new = hist.at[iso3, "fy2026"], current.at[iso3, "income"]
        if old != new:
            print(f"note: {iso3} FY26 is {old or '..'} in OGHIST, {new or '..'} in CLASS_FY2026")
            hist.at[iso3, "fy2026"] = new

    current_coco = coco[coco["obsolete"].isna()]
    extra = sorted((topo_ids | set(current_coco.index)) - set(hist.index))
    codes = list(hist.index) + extra
    table = pd.DataFrame(index=pd.Index(codes, name="iso3"))
    table = table.join(hist).join(current[["wb_region"]])

    names, subregions = [], []
    for iso3 in table.index:
        if iso3 in NAME_OVERRIDES:
            name = NAME_OVERRIDES[iso3]
        elif iso3 in coco.index:
            name = coco.at[iso3, "name_short"]
        else:
            name = table.at[iso3, "wb_name"]
        sub = FORMER[iso3][1] if iso3 in FORMER else coco["UNregion"].get(iso3, "")
        names.append(name)
        subregions.append("" if pd.isna(sub) else sub)
    table["name"] = names
    table["un_subregion"] = subregions
    table["un_region"] = table["un_subregion"].map(SUBREGION_TO_REGION).fillna("")
    table["former"] = [iso3 in FORMER for iso3 in table.index]
    table[FY_COLUMNS] = table[FY_COLUMNS].fillna("")
    table["wb_region"] = table["wb_region"].fillna("")
    table["income_latest"] = table[f"fy{LATEST_FY}"]
    table = table.sort_values("name", key=lambda s: s.str.casefold())
    columns = ["name", "un_region", "un_subregion", "wb_region", "income_latest", "former"]
    return table[columns + FY_COLUMNS]


def alias_table(economies: pd.DataFrame) -> pd.DataFrame:
    """The alias overrides as (text, iso3) rows, checked against the economies."""
    rows = [(text, iso3) for iso3, texts in ALIASES.items() for text in texts]
    missing = {iso3 for _, iso3 in rows} - set(economies.index)
    if missing:
        raise ValueError(f"aliases point to unknown codes: {sorted(missing)}")
    return pd.DataFrame(rows, columns=["text", "iso3"])


def unspecified_table() -> pd.DataFrame:
    """The "no specific country" values as (text, meaning) rows."""
    rows = [(text, meaning) for meaning, texts in UNSPECIFIED.items() for text in texts]
    return pd.DataFrame(rows, columns=["text", "meaning"])


README = """\
# Country reference tables

Generated by `scripts/build_reference.py`; do not edit. Rebuild with `make reference`.

Source: World Bank country classifications by income level (CC BY 4.0): the historical
table OGHIST.xlsx (FY89..FY26) and CLASS_FY2026.xlsx. Names and UN M49 sub-regions come
from the country table bundled with country_converter (a dependency); points are computed
from the vendored Natural Earth TopoJSON (public domain).

## economies.csv ({n_economies} rows)

`iso3, name, un_region, un_subregion, wb_region, income_latest, former, fy1989..fy2026`.

- Every economy in OGHIST ({n_wb} World Bank codes; their `YUGf` "Yugoslavia (former)",
  FY89-FY93, is merged into `YUG`, used by the Bank for Serbia and Montenegro from FY94),
  plus every ISO-3 of the map topology and of country_converter the Bank does not
  classify (their income is empty). `former` marks CSK, SUN, YUG and ANT.
- Income values are `H`, `UM`, `LM`, `L`, or empty (OGHIST `..` or blank). The Yemen
  `LM*` footnote of FY89-FY90 is read as `LM`.
- `fy2026` and `income_latest` follow CLASS_FY2026 where it differs from OGHIST
  ({fy26_notes}).
- `un_region` is the UN M49 region (Africa, Americas, Asia, Europe, Oceania), derived
  from the sub-region; empty for Antarctica.

### Which fiscal year applies to an article

The World Bank's FYnn classification is published on 1 July of year nn-1 (from GNI per
capita of year nn-2) and holds until 30 June of year nn. This project classifies an
article published in year Y with FY = Y + 1, the classification released in Y,
clamped to FY89..FY26. When that fiscal year is unclassified for the economy,
`evidence.countries.income_at_year` uses the nearest classified fiscal year (the
earlier one on a tie). `income_latest` is FY26 with no fallback.

## country_points.csv ({n_points} rows)

`iso3, lon, lat, source`: one point inside the main landmass of each economy, used to
draw flow arcs: the centroid of its largest polygon (by equal-area size), or that
polygon's representative point when the centroid falls outside it. `source` is the
topology used (`110m`, else `50m`), `composite:...` (largest polygon of the union of
successor or member territories), or `manual` (approximate capital, for places with no
polygon of their own).

## aliases.csv

`text, iso3`: spellings that override country_converter's matching (regional names such
as England or Holland, former states, common non-English names). Matching ignores case,
accents and punctuation.

## unspecified.csv

`text, meaning`: values that mean "no specific country" (not reported, several or
global, or a world region). Exactly `NA` is read as "not available", not as Namibia's
ISO-2 code; Namibia resolves from `NAM` or its name.
"""


def main() -> None:
    """Build and write all reference tables."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    economies = build_economies()
    points = build_points(economies)
    aliases = alias_table(economies)
    unspecified = unspecified_table()

    economies.to_csv(OUT_DIR / "economies.csv", index=True, lineterminator="\n")
    points.to_csv(OUT_DIR / "country_points.csv", index=False, lineterminator="\n")
    aliases.to_csv(OUT_DIR / "aliases.csv", index=False, lineterminator="\n")
    unspecified.to_csv(OUT_DIR / "unspecified.csv", index=False, lineterminator="\n")

    hist = read_oghist(OGHIST)
    current = read_class(CLASS_FY)
    diffs = [
        f"{iso3}: OGHIST {hist.at[iso3, 'fy2026'] or '..'}, "
        f"CLASS_FY2026 {current.at[iso3, 'income'] or 'unclassified'}"
        for iso3 in current.index.intersection(hist.index)
        if hist.at[iso3, "fy2026"] != current.at[iso3, "income"]
    ]
    (OUT_DIR / "README.md").write_text(
        README.format(
            n_economies=len(economies),
            n_wb=len(hist) + len(MERGE_CODES),
            n_points=len(points),
            fy26_notes="; ".join(diffs) or "no differences",
        ),
        encoding="utf-8",
    )
    no_point = economies.index[
        (economies["income_latest"] != "") & ~economies.index.isin(points["iso3"])
    ]
    print(f"economies: {len(economies)}, points: {len(points)}, aliases: {len(aliases)}")
    if len(no_point):
        print(f"warning: classified economies without a point: {list(no_point)}")


if __name__ == "__main__":
    main()
