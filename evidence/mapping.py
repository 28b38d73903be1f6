"""Import from the tools review teams use: a column-mapping file turns another tool's
export (EviAtlas, EPPI-Reviewer, Covidence, a team's own sheet) into the coding contract.

The mapping is YAML (documented in README "Your own data"; JSON Schema in
``data/mapping.schema.json``; example ``data/examples/eviatlas/columns.yaml``)::

    encoding: mac_roman        # optional; else detected, and the report says so
    id: row_number             # row_number | generated | a column of the file
    columns:                   # the file's header: a contract column
      Title: title
      Year: year
    codes:                     # one column per code, merged into a ';' list
      motivations:
        columns: {"ES: Food": provisioning.food, "ES: Pollination": regulating.pollination}
        # a cell counts when it is not empty and not a "no" (no, n, 0, false, -)
    countries:                 # a country column from location text or coordinates
      setting_countries:
        text: [Nation, Study location]
        coordinates: [Latitude, Longitude]
    values: {synthetic: "false"}   # a fixed value for a contract column

A mapping file that is a plain ``{header: contract column}`` mapping is read as before
(:func:`evidence.load.read_mapping`). Every problem of a mapping names its key and line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from evidence import ASSETS_DIR
from evidence.codebook import line_of, read_yaml
from evidence.countries import resolve_country
from evidence.model import LoadReport
from evidence.schema import COLUMN_NAMES, header_key

SECTIONS = ("encoding", "id", "columns", "codes", "countries", "values")
ID_RULES = ("row_number", "generated")
CODE_COLUMNS = ("formats", "motivations")
COUNTRY_COLUMNS = ("author_countries", "setting_countries")
NO_WORDS = frozenset({"", "no", "n", "0", "false", "f", "-", "none", "na", "n/a"})
WORLD = ASSETS_DIR / "topojson" / "world_50m.json"  # Natural Earth 1:50m, ISO-3 ids
NEAR_COAST_DEGREES = 0.3  # a point this close to a country (a coast, a lake) is in it


class MappingError(ValueError):
    """The mapping file is malformed; the message names the file, key and line."""


@dataclass(frozen=True)
class ColumnMapping:
    """A parsed mapping file (see the module's docstring)."""

    columns: tuple[tuple[str, str], ...] = ()  # (their header, contract column)
    id: str = ""  # "row_number", "generated", a header, or "" (a column mapped to id)
    codes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # target, (header, code)
    countries: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    encoding: str = ""
    source: str = field(default="", compare=False)

    def apply(self, raw: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
        """The file's table turned into contract columns (same spreadsheet-row index)."""
        return _apply(self, raw, report)


def is_rich(data: object) -> bool:
    """True for a mapping file with sections (not a plain header: column mapping)."""
    return isinstance(data, dict) and any(k in SECTIONS for k in data)


def parse_mapping(data: dict, source: str = "mapping") -> ColumnMapping:
    """Check and build a :class:`ColumnMapping` from the YAML mapping ``data``."""
    problems: list[str] = []

    def bad(keys: tuple, message: str, mapping: object = None, key: object = None):
        line = line_of(mapping, key)
        where = ".".join(str(k) for k in keys)
        problems.append(f"{source}: {where}{f' (line {line})' if line else ''}: {message}")

    for key in data:
        if key not in SECTIONS:
            bad((key,), f"unknown section (use {', '.join(SECTIONS)})", data, key)
    columns = _pairs(data.get("columns") or {}, ("columns",), bad, data)
    for header, target in columns:
        if target not in COLUMN_NAMES:
            bad(("columns", header), f"unknown contract column {target!r}", data.get("columns"),
                header)  # fmt: skip
    id_rule = str(data.get("id") or "")
    codes = []
    for target, spec in (data.get("codes") or {}).items():
        if target not in CODE_COLUMNS:
            bad(("codes", target), f"use {' or '.join(CODE_COLUMNS)}", data["codes"], target)
            continue
        spec = spec if isinstance(spec, dict) else {}
        pairs = _pairs(spec.get("columns") or {}, ("codes", target, "columns"), bad, spec)
        if not pairs:
            bad(("codes", target, "columns"), "give {header: code} pairs", spec, "columns")
        codes.append((target, tuple(pairs)))
    countries = []
    for target, spec in (data.get("countries") or {}).items():
        if target not in COUNTRY_COLUMNS:
            bad(("countries", target), f"use {' or '.join(COUNTRY_COLUMNS)}", data["countries"],
                target)  # fmt: skip
            continue
        spec = spec if isinstance(spec, dict) else {}
        text = tuple(str(h) for h in _list(spec.get("text")))
        coords = tuple(str(h) for h in _list(spec.get("coordinates")))
        if coords and len(coords) != 2:
            bad(("countries", target, "coordinates"), "give [latitude, longitude] columns", spec,
                "coordinates")  # fmt: skip
        if not text and not coords:
            bad(("countries", target), "give text: [columns] and/or coordinates: [lat, lon]",
                data["countries"], target)  # fmt: skip
        countries.append((target, text, coords))
    values = _pairs(data.get("values") or {}, ("values",), bad, data)
    encoding = str(data.get("encoding") or "")
    if encoding:
        try:
            "".encode(encoding)
        except LookupError:
            bad(("encoding",), f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, mac_roman)",
                data, "encoding")  # fmt: skip
    if problems:
        raise MappingError("\n".join(problems))
    return ColumnMapping(tuple(columns), id_rule, tuple(codes), tuple(countries), tuple(values),
                         encoding, source)  # fmt: skip


def read_column_mapping(path: str | Path) -> ColumnMapping | dict[str, str]:
    """A mapping file: a :class:`ColumnMapping`, or a plain ``{header: column}`` dict."""
    data = read_yaml(path, MappingError) or {}
    if not isinstance(data, dict):
        raise MappingError(f"{path}: a column mapping must be a YAML mapping")
    if is_rich(data):
        return parse_mapping(data, str(path))
    return {str(k): str(v) for k, v in data.items()}


def _list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _pairs(spec: object, keys: tuple, bad, parent: object) -> list[tuple[str, str]]:
    """``{header: target}`` pairs; a list of targets gives one pair each (one column of
    the file read as two contract columns: Nation as author and setting country)."""
    if not isinstance(spec, dict):
        bad(keys, "expected a mapping", parent, keys[-1])
        return []
    return [(str(k), str(t)) for k, v in spec.items()
            for t in (v if isinstance(v, list) else [v])]  # fmt: skip


# --------------------------------------------------------------------------- applying
def _apply(mapping: ColumnMapping, raw: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    by_key = {header_key(c): c for c in raw.columns}

    def column(header: str, where: str) -> pd.Series | None:
        found = by_key.get(header_key(header))
        if found is None:
            report.add("error", f"the mapping's column {header!r} ({where}) is not in the file",
                       column=header)  # fmt: skip
            return None
        return raw[found].fillna("").astype(str).str.strip()

    out = pd.DataFrame(index=raw.index)
    for header, target in mapping.columns:
        cells = column(header, f"columns: {target}")
        if cells is not None:
            out[target] = cells
    for target, pairs in mapping.codes:
        out[target] = _merge_codes(out.get(target), [(column(h, f"codes: {target}"), code)
                                                      for h, code in pairs])  # fmt: skip
    for target, text, coords in mapping.countries:
        texts = [c for c in (column(h, f"countries: {target}") for h in text) if c is not None]
        points = [column(h, f"countries: {target}") for h in coords]
        out[target] = _countries(texts, points if all(p is not None for p in points) else [],
                                 report, target)  # fmt: skip
    for target, value in mapping.values:
        out[target] = value
    if mapping.id in ID_RULES:
        out["id"] = _ids(mapping.id, out, raw.index)
        _report_duplicates(out, report)
    elif mapping.id:
        cells = column(mapping.id, "id")
        if cells is not None:
            out["id"] = cells
    return out


def _merge_codes(first: pd.Series | None, coded: list[tuple[pd.Series | None, str]]) -> pd.Series:
    """One ';' list per row: the codes whose column holds a yes (any non-empty cell that
    is not a "no"), after the codes of a column already mapped there."""
    n = len(coded[0][0]) if coded and coded[0][0] is not None else 0
    if first is not None:
        n = len(first)
    rows: list[list[str]] = [[] for _ in range(n)]
    if first is not None:
        for i, cell in enumerate(first):
            rows[i] += [t.strip() for t in cell.split(";") if t.strip()]
    for cells, code in coded:
        if cells is None:
            continue
        yes = ~cells.str.lower().isin(NO_WORDS)
        for i in np.flatnonzero(yes.to_numpy()):
            rows[i].append(code)
    index = first.index if first is not None else next(c.index for c, _ in coded if c is not None)
    return pd.Series([";".join(dict.fromkeys(r)) for r in rows], index=index)


def _countries(texts: list[pd.Series], points: list[pd.Series], report: LoadReport,
               target: str) -> pd.Series:  # fmt: skip
    """Per row: the first text naming a country (a whole cell, else one of its comma-
    separated parts), else the country the coordinates fall in, else the first text as
    it is (the loader then reports it)."""
    n = len(texts[0]) if texts else len(points[0])
    index = texts[0].index if texts else points[0].index
    found: list[str | None] = [None] * n
    for cells in texts:
        for i, cell in enumerate(cells):
            if found[i] is None and cell:
                found[i] = _country_in_text(cell)
    if points:
        missing = [i for i in range(n) if found[i] is None]
        lat = pd.to_numeric(points[0].iloc[missing], errors="coerce").to_numpy()
        lon = pd.to_numeric(points[1].iloc[missing], errors="coerce").to_numpy()
        located = countries_at(lat, lon)
        for i, iso3 in zip(missing, located, strict=True):
            found[i] = iso3
        n_located = sum(x is not None for x in located)
        if n_located:
            rows = f"{n_located:,} row's" if n_located == 1 else f"{n_located:,} rows'"
            report.add("warning", f"{rows} {target} taken from the latitude and longitude "
                       "(Natural Earth country borders)", column=target)  # fmt: skip
    first_text = texts[0] if texts else pd.Series([""] * n, index=index)
    return pd.Series([f or t for f, t in zip(found, first_text, strict=True)], index=index)


def _country_in_text(text: str) -> str | None:
    """The ISO-3 code of the country a location text names, or None."""
    for candidate in (text, *reversed([p.strip() for p in text.replace("(", ",").split(",")])):
        hit = resolve_country(candidate)
        if hit.iso3:
            return hit.iso3
    return None


def countries_at(lat: np.ndarray, lon: np.ndarray) -> list[str | None]:
    """The ISO-3 code of the Natural Earth country each point lies in (or within
    NEAR_COAST_DEGREES of), None for an invalid point or open sea. Offline: the map's own
    vendored geometry (assets/topojson/world_50m.json)."""
    import geopandas as gpd

    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out: list[str | None] = [None] * len(lat)
    if not ok.any():
        return out
    at = np.flatnonzero(ok)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[at], lat[at]), crs="EPSG:4326")
    world = _world()
    inside = gpd.sjoin(points, world, how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    ids = inside["id"].reindex(range(len(at)))
    lost = ids.isna().to_numpy()
    if lost.any():
        import warnings

        with warnings.catch_warnings():  # distances in degrees are what is wanted here
            warnings.simplefilter("ignore", UserWarning)
            near = gpd.sjoin_nearest(points[lost], world, how="left",
                                     max_distance=NEAR_COAST_DEGREES)  # fmt: skip
        near = near[~near.index.duplicated(keep="first")]
        ids[near.index] = near["id"]
    for k, value in zip(at, ids.to_numpy(), strict=True):
        out[k] = value if isinstance(value, str) and len(value) == 3 else None
    return out


@cache
def _world():
    import geopandas as gpd

    world = gpd.read_file(WORLD, layer="countries")[["id", "geometry"]]
    return world.set_crs("EPSG:4326", allow_override=True)


def _ids(rule: str, out: pd.DataFrame, rows: pd.Index) -> pd.Series:
    """Each row's id: ``row-<spreadsheet row>``, or a short hash of its title, year and
    authors (stable when rows are added or sorted)."""
    if rule == "row_number":
        return pd.Series([f"row-{r}" for r in rows], index=rows)
    parts = [out[c] if c in out else pd.Series("", index=rows) for c in ("title", "year",
                                                                         "authors")]  # fmt: skip
    keys = parts[0].str.lower() + "|" + parts[1] + "|" + parts[2].str.lower()
    ids = [hashlib.sha1(k.encode()).hexdigest()[:10] for k in keys]
    seen: dict[str, int] = {}
    unique = []
    for i in ids:  # two identical rows get -2, -3, ...: both load, and are reported
        seen[i] = seen.get(i, 0) + 1
        unique.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return pd.Series(unique, index=rows)


def _report_duplicates(out: pd.DataFrame, report: LoadReport) -> None:
    """A warning for each row whose title and year repeat an earlier row's (an id made by
    the mapping cannot tell duplicates apart)."""
    if "title" not in out:
        return
    title = out["title"].str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    key = title + "|" + (out["year"] if "year" in out else "")
    first = {}
    for row, k, t in zip(out.index, key, title, strict=True):
        if not t:
            continue
        if k in first:
            message = f"possible duplicate of row {first[k]} (same title and year); kept"
            value = str(out.at[row, "title"])[:200]
            report.add("warning", message, row=int(row), column="title", value=value)
        else:
            first[k] = row
