"""Country harmonisation and the country reference (income, region, map points).

Reads only the generated tables in ``data/reference/`` (see its README) and the country
table bundled with country_converter; everything is loaded once per process.

Resolution order for free text (:func:`resolve_country`): the project's alias table,
the "no specific country" values, ISO-3 and ISO-2 codes, exact names (World Bank and
country_converter spellings), then country_converter's regular expressions. Matching
ignores case, accents and punctuation. Exactly "NA" (and "N/A", "n.a.") means "not
available", not Namibia's ISO-2 code; Namibia resolves from "NAM" or its name.

Income (:func:`income_at_year`): an article published in year Y gets the World Bank
classification of fiscal year FY = Y + 1 (released on 1 July of Y), clamped to
FY1989..FY2026. When the economy is unclassified in that fiscal year, the nearest
classified fiscal year is used instead (the earlier one on a tie).
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from evidence import REFERENCE_DIR

FIRST_FY: int = 1989
LATEST_FY: int = 2026
FY_COLUMNS = [f"fy{fy}" for fy in range(FIRST_FY, LATEST_FY + 1)]
INCOME_GROUPS = ("H", "UM", "LM", "L")

STATUS_OK = "ok"
STATUS_UNSPECIFIED = "unspecified"
STATUS_UNKNOWN = "unknown"


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one free-text country value."""

    text: str
    iso3: str | None
    status: str  # "ok" | "unspecified" | "unknown"
    suggestion: str | None = None


def _read_csv(name: str) -> pd.DataFrame:
    """Read a reference table with every value as text ("" for empty)."""
    return pd.read_csv(
        REFERENCE_DIR / name, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8"
    )


def _key(text: str) -> str:
    """Normalise text for matching: no accents, case, dots, apostrophes or other punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[.'’‘`´/]", "", text)
    text = re.sub(r"[^\w]+|_", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _plain(text: str) -> str:
    """Accent-free text with straight apostrophes and single spaces (keeps punctuation)."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


@cache
def economies() -> pd.DataFrame:
    """The economies table (see ``data/reference/README.md``), index iso3.

    Columns: name, un_region, un_subregion, wb_region, income_latest, former (bool) and
    fy1989..fy2026 (H/UM/LM/L or "").
    """
    table = _read_csv("economies.csv").set_index("iso3")
    table["former"] = table["former"].eq("True")
    return table


@cache
def _income_matrix() -> pd.DataFrame:
    """Income by economy and fiscal year with gaps filled from the nearest classified year."""
    raw = economies()[FY_COLUMNS].replace("", np.nan)
    values = raw.to_numpy(dtype=object)
    filled = values.copy()
    years = np.arange(len(FY_COLUMNS))
    for i, row in enumerate(values):
        known = np.flatnonzero(pd.notna(row))
        if len(known) == 0:
            filled[i] = ""
            continue
        missing = np.flatnonzero(pd.isna(row))
        if len(missing):
            # nearest classified year; argmin picks the earlier one on a tie
            dist = np.abs(years[missing][:, None] - known[None, :])
            filled[i, missing] = row[known[dist.argmin(axis=1)]]
    return pd.DataFrame(filled, index=raw.index, columns=range(FIRST_FY, LATEST_FY + 1))


@cache
def country_points() -> pd.DataFrame:
    """A representative point per economy (for flow arcs): index iso3, columns lon, lat."""
    points = pd.read_csv(REFERENCE_DIR / "country_points.csv", keep_default_na=False)
    return points.set_index("iso3")[["lon", "lat"]].astype(float)


@cache
def _coco_table() -> pd.DataFrame:
    """country_converter's bundled table, read so that Namibia's "NA" survives."""
    import country_converter

    path = Path(country_converter.__file__).parent / "country_data.tsv"
    return pd.read_csv(path, sep="\t", encoding="utf-8", keep_default_na=False, na_values=[""])


@cache
def _converter():
    """A country_converter instance built from our own read of its table."""
    import country_converter as coco

    return coco.CountryConverter(country_data=_coco_table())


def _coco_iso3(value: object) -> str:
    """First code of a coco ISO-3 cell (cells may hold regex alternatives)."""
    return "".join(ch for ch in str(value).split("|")[0] if ch.isalnum()).upper()


@cache
def _lookup() -> dict[str, object]:
    """All lookup tables for :func:`resolve_country`, built once."""
    table = economies()
    known = set(table.index)
    names: dict[str, str] = {}

    def add(text: object, iso3: str, overwrite: bool = False) -> None:
        if not isinstance(text, str) or iso3 not in known:
            return
        key = _key(text)
        if key and (overwrite or key not in names):
            names[key] = iso3

    for iso3, name in table["name"].items():
        add(name, str(iso3))

    conv = _converter()
    regexes: list[tuple[re.Pattern[str], str]] = []
    iso2: dict[str, str] = {}
    for idx, row in conv.data.iterrows():
        iso3 = _coco_iso3(row["ISO3"])
        if iso3 not in known:
            continue
        add(row["name_short"], iso3)
        add(row["name_official"], iso3)
        regexes.append((conv.regexes[idx], iso3))
        if isinstance(row["ISO2"], str):
            for code in re.findall(r"[A-Za-z]{2}", row["ISO2"]):
                iso2.setdefault(code.upper(), iso3)

    aliases = _read_csv("aliases.csv")
    for text, iso3 in zip(aliases["text"], aliases["iso3"], strict=True):
        add(text, iso3, overwrite=True)
    alias_keys = {_key(t): i for t, i in zip(aliases["text"], aliases["iso3"], strict=True)}

    unspecified = {_key(t) for t in _read_csv("unspecified.csv")["text"]}
    unspecified.discard("")
    return {
        "known": known,
        "names": names,
        "aliases": alias_keys,
        "unspecified": unspecified,
        "iso2": iso2,
        "regexes": regexes,
    }


def _suggest(key: str, names: dict[str, str]) -> str | None:
    """A "did you mean" hint for an unresolved key, or None."""
    if not key:
        return None
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.75)
    if not close:
        return None
    iso3 = names[close[0]]
    return f"did you mean {country_name(iso3)} ({iso3})?"


@lru_cache(maxsize=8192)
def resolve_country(text: str) -> Resolution:
    """Resolve a free-text country (name in any common spelling, ISO-2 or ISO-3).

    Empty text and values such as "Multiple" or "Not stated" are "unspecified"; text
    that matches nothing (or several countries) is "unknown", with a suggestion when a
    close spelling exists.
    """
    if not isinstance(text, str):
        text = "" if text is None or pd.isna(text) else str(text)
    look = _lookup()
    key = _key(text)
    if not key:
        return Resolution(text, None, STATUS_UNSPECIFIED)
    if key in look["aliases"]:
        return Resolution(text, look["aliases"][key], STATUS_OK)
    if key in look["unspecified"]:
        return Resolution(text, None, STATUS_UNSPECIFIED)

    stripped = text.strip()
    if re.fullmatch(r"[A-Za-z]{3}", stripped) and stripped.upper() in look["known"]:
        return Resolution(text, stripped.upper(), STATUS_OK)
    if re.fullmatch(r"[A-Za-z]{2}", stripped) and stripped.upper() in look["iso2"]:
        return Resolution(text, look["iso2"][stripped.upper()], STATUS_OK)
    if key in look["names"]:
        return Resolution(text, look["names"][key], STATUS_OK)

    plain = _plain(text)
    matches: list[str] = []
    for candidate in (plain, key):
        matches = sorted({iso3 for rx, iso3 in look["regexes"] if rx.search(candidate)})
        if matches:
            break
    if len(matches) == 1:
        return Resolution(text, matches[0], STATUS_OK)
    if len(matches) > 1:
        listed = ", ".join(f"{country_name(c)} ({c})" for c in matches)
        return Resolution(text, None, STATUS_UNKNOWN, f"matches several countries: {listed}")
    return Resolution(text, None, STATUS_UNKNOWN, _suggest(key, look["names"]))


def country_name(iso3: str) -> str:
    """Display name of an ISO-3 code; the code itself when it is not in the reference."""
    names = economies()["name"]
    return str(names.get(iso3, iso3)) if isinstance(iso3, str) else str(iso3)


def _codes(iso3: pd.Series) -> pd.Series:
    """ISO-3 codes as stripped upper-case strings ("" for missing values), same index."""
    codes = pd.Series(iso3, copy=False).astype(object)
    codes = codes.where(codes.notna(), "").astype(str).str.strip().str.upper()
    return codes.astype(object)


def _years(year: pd.Series | int, n: int) -> np.ndarray:
    """Publication years as floats (NaN when missing), matched to the codes by position."""
    values = year.to_numpy(dtype=object) if isinstance(year, pd.Series) else np.asarray(year)
    if values.ndim == 0:
        values = np.full(n, values.item(), dtype=object)
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    return numbers.astype("float64").to_numpy()


def income_at_year(iso3: pd.Series, year: pd.Series) -> pd.Series:
    """World Bank income group (H/UM/LM/L or "") in force for publication years.

    FY = year + 1, clamped to [1989, 2026]; an unclassified FY falls back to the nearest
    classified one. ``year`` is matched to ``iso3`` by position (a scalar applies to all).
    Unknown codes and missing years give "".
    """
    codes = _codes(iso3)
    matrix = _income_matrix()
    rows = matrix.index.get_indexer(codes.to_numpy())
    fy = _years(year, len(codes)) + 1
    valid = (rows >= 0) & np.isfinite(fy)
    cols = (np.clip(np.nan_to_num(fy, nan=FIRST_FY), FIRST_FY, LATEST_FY) - FIRST_FY).astype(int)
    values = np.full(len(codes), "", dtype=object)
    values[valid] = matrix.to_numpy()[rows[valid], cols[valid]]
    return pd.Series(values, index=codes.index, dtype=object, name="income")


def income_latest(iso3: pd.Series) -> pd.Series:
    """FY2026 World Bank income group (H/UM/LM/L) or "" (no fallback)."""
    codes = _codes(iso3)
    latest = economies()["income_latest"]
    values = codes.map(latest).fillna("").astype(object)
    return pd.Series(values.to_numpy(), index=codes.index, dtype=object, name="income_latest")


def region_of(iso3: pd.Series) -> pd.Series:
    """UN M49 region (Africa, Americas, Asia, Europe, Oceania) or ""."""
    codes = _codes(iso3)
    regions = economies()["un_region"]
    values = codes.map(regions).fillna("").astype(object)
    return pd.Series(values.to_numpy(), index=codes.index, dtype=object, name="region")


# --------------------------------------------------------------------------- regions
# The regions a filter can select: continents (UN M49 regions, column un_region) and the
# World Bank regions (column wb_region), each under a readable URL value. Names are the
# tables' own; the URL values never change, so links keep working.
CONTINENTS: dict[str, str] = {
    "africa": "Africa",
    "americas": "Americas",
    "asia": "Asia",
    "europe": "Europe",
    "oceania": "Oceania",
}
WB_REGIONS: dict[str, str] = {
    "east-asia-pacific": "East Asia & Pacific",
    "europe-central-asia": "Europe & Central Asia",
    "latin-america-caribbean": "Latin America & Caribbean",
    "middle-east-north-africa": "Middle East, North Africa, Afghanistan & Pakistan",
    "north-america": "North America",
    "south-asia": "South Asia",
    "sub-saharan-africa": "Sub-Saharan Africa",
}
REGION_GROUPS: dict[str, dict[str, str]] = {
    "Continents": CONTINENTS,
    "World Bank regions": WB_REGIONS,
}
# Other spellings accepted in links: the World Bank's region codes and common acronyms.
_REGION_ALIASES = {
    "eas": "east-asia-pacific", "eap": "east-asia-pacific",
    "ecs": "europe-central-asia", "eca": "europe-central-asia",
    "lcn": "latin-america-caribbean", "lac": "latin-america-caribbean",
    "mea": "middle-east-north-africa", "mena": "middle-east-north-africa",
    "menaap": "middle-east-north-africa", "middle east & north africa": "middle-east-north-africa",
    "nac": "north-america", "sas": "south-asia", "sar": "south-asia",
    "ssf": "sub-saharan-africa", "ssa": "sub-saharan-africa",
}  # fmt: skip


@cache
def wb_region_of() -> pd.Series:
    """The World Bank region (its URL value) of each economy, by ISO-3 (NaN: none)."""
    key_of = {name: key for key, name in WB_REGIONS.items()}
    return economies()["wb_region"].map(key_of)


@cache
def wb_region_points() -> pd.DataFrame:
    """A map point per World Bank region: the median of its countries' points (robust
    to far islands), columns lon and lat, by region URL value."""
    points = country_points().join(wb_region_of().rename("region"), how="inner")
    return points.groupby("region")[["lon", "lat"]].median()


def region_label(region: str) -> str:
    """Display name of a region's URL value ("sub-saharan-africa" -> "Sub-Saharan Africa")."""
    return CONTINENTS.get(region) or WB_REGIONS.get(region) or region


@cache
def _region_keys() -> dict[str, str]:
    keys = {_key(a): v for a, v in _REGION_ALIASES.items()}
    for table in REGION_GROUPS.values():
        for value, name in table.items():
            keys[_key(value)] = keys[_key(name)] = value
    return keys


def resolve_region(text: str) -> str | None:
    """A region's URL value from its URL value, name (any case or punctuation: "Africa",
    "Sub-Saharan Africa", "sub_saharan_africa") or World Bank code ("SSF"); else None."""
    return _region_keys().get(_key(text)) if isinstance(text, str) else None


@cache
def region_members(region: str) -> tuple[str, ...]:
    """ISO-3 codes of the economies in a region (its URL value, or anything
    :func:`resolve_region` reads, such as "Africa"); () when unknown."""
    region = resolve_region(region) or region
    table = economies()
    if region in CONTINENTS:
        column, name = "un_region", CONTINENTS[region]
    elif region in WB_REGIONS:
        column, name = "wb_region", WB_REGIONS[region]
    else:
        return ()
    return tuple(table.index[table[column] == name])


# --------------------------------------------------------------------------- income history
def income_periods(iso3: pd.Series, first_year: int, last_year: int) -> pd.Series:
    """The income groups in force for publication years ``first_year..last_year``.

    One tuple of ``(group, from_year, to_year)`` runs per code, in year order, by the
    same rule as :func:`income_at_year` (FY = year + 1, nearest classified FY when a year
    is unclassified): ``(("L", 2000, 2013), ("LM", 2014, 2020))`` for a country that
    moved up in FY2015. A country whose group never changed has one run; unknown codes
    get ``()``. Index as ``iso3``.
    """
    codes = _codes(iso3)
    years = np.arange(int(first_year), int(last_year) + 1)
    matrix = _income_matrix()
    rows = matrix.index.get_indexer(codes.to_numpy())
    cols = np.clip(years + 1, FIRST_FY, LATEST_FY) - FIRST_FY
    # every country's groups over the years at once, then runs on plain lists (numpy per
    # country cost 10 ms for a new year range)
    block = matrix.to_numpy()[:, cols].tolist() if len(years) else []
    year_list = years.tolist()
    out = []
    for row in rows.tolist():
        if row < 0 or not year_list:
            out.append(())
            continue
        out.append(_runs(block[row], year_list))
    return pd.Series(out, index=codes.index, dtype=object, name="income_periods")


def _runs(groups: list, years: list[int]) -> tuple:
    """``(group, from_year, to_year)`` per run of equal groups; () when none is known."""
    runs, start = [], 0
    for i in range(1, len(groups) + 1):
        if i == len(groups) or groups[i] != groups[start]:
            runs.append((str(groups[start]), years[start], years[i - 1]))
            start = i
    return tuple(runs) if any(g for g, _, _ in runs) else ()


# --------------------------------------------------------------------------- browser table
# One character per World Bank income group in the browser's table ("" = unclassified).
BROWSER_CODES = {"H": "H", "UM": "U", "LM": "M", "L": "L", "": "-"}


def browser_table() -> dict:
    """What the dashboard's browser needs to write a country's hover line without asking
    the server (assets/countries.js, written by scripts/build_country_table.py): per
    economy its name, latest income group and its group in every fiscal year
    FIRST_FY..LATEST_FY (gaps filled as :func:`income_periods` fills them), one character
    per year (:data:`BROWSER_CODES`)."""
    table = economies()
    matrix = _income_matrix()
    rows = {}
    for iso3, name, latest in zip(table.index, table["name"], table["income_latest"].fillna(""),
                                  strict=True):  # fmt: skip
        years = "".join(BROWSER_CODES.get(str(g), "-") for g in matrix.loc[iso3].to_numpy())
        rows[str(iso3)] = [str(name), str(latest), years]
    return {"first_fy": FIRST_FY, "latest_fy": LATEST_FY,
            "codes": {v: k for k, v in BROWSER_CODES.items()}, "rows": rows}  # fmt: skip


def browser_table_js() -> str:
    """assets/countries.js: :func:`browser_table` as a script."""
    return (
        "// Generated by scripts/build_country_table.py from data/reference (World Bank\n"
        "// income groups, CC BY 4.0); do not edit. See evidence.countries.browser_table.\n"
        "window.iome_countries = "
        + json.dumps(browser_table(), ensure_ascii=False, separators=(",", ":"))
        + ";\n"
    )
