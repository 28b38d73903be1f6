"""Tiny evidence bases built from literal data, independent of the loader and of
evidence.countries (names, points, economies and income groups are literals here)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence.model import (
    ARTICLE_CODE_COLUMNS,
    ARTICLE_COLUMNS,
    ARTICLE_COUNTRY_COLUMNS,
    FLOW_COLUMNS,
    PARTNERSHIP_COLUMNS,
    EvidenceBase,
    add_directions,
)

NAMES = {
    "CAN": "Canada",
    "USA": "United States",
    "GBR": "United Kingdom",
    "DEU": "Germany",
    "UGA": "Uganda",
    "KEN": "Kenya",
    "IND": "India",
    "BRA": "Brazil",
    "CHL": "Chile",
    "HTI": "Haiti",
}
REGIONS = {
    "CAN": "Americas",
    "USA": "Americas",
    "GBR": "Europe",
    "DEU": "Europe",
    "UGA": "Africa",
    "KEN": "Africa",
    "IND": "Asia",
    "BRA": "Americas",
    "CHL": "Americas",
    "HTI": "Americas",
}
LATEST = {
    "CAN": "H",
    "USA": "H",
    "GBR": "H",
    "DEU": "H",
    "UGA": "L",
    "KEN": "LM",
    "IND": "LM",
    "BRA": "UM",
    "CHL": "H",
    "HTI": "LM",
}
POINTS = pd.DataFrame(
    {
        "lon": [-106.0, -98.0, -2.0, 10.0, 32.0, 38.0, 79.0, -52.0, -71.0, -72.5],
        "lat": [56.0, 39.0, 54.0, 51.0, 1.5, 0.5, 22.0, -10.0, -33.0, 19.0],
    },
    index=pd.Index(list(NAMES), name="iso3"),
)
# HTI deliberately has a point; "XKX" (not in any table) has none.


def income_at(iso3: str, year: int) -> str:
    """Income group in force in ``year`` (Chile became high income in 2013)."""
    if iso3 == "CHL" and year < 2013:
        return "UM"
    return LATEST.get(iso3, "")


def economies() -> pd.DataFrame:
    """Reference table shaped like evidence.countries.economies()."""
    return pd.DataFrame(
        {
            "name": list(NAMES.values()),
            "un_region": [REGIONS[c] for c in NAMES],
            "income_latest": [LATEST[c] for c in NAMES],
        },
        index=pd.Index(list(NAMES), name="iso3"),
    )


def article(
    aid: str,
    *,
    year: int = 2015,
    origin: str = "CAN",
    authors: tuple[str, ...] = (),
    settings: tuple[str, ...] = (),
    formats: tuple[str, ...] = (),
    motivations: tuple[str, ...] = (),
    flows: tuple[tuple[str, str], ...] = (),
    partnerships: tuple[tuple[str, ...], ...] = (),
    synthetic: bool = True,
) -> dict:
    """One article spec; codes are full codebook codes (``group.code``)."""
    return {
        "article_id": aid,
        "year": year,
        "origin": origin,
        "authors": tuple(dict.fromkeys((origin, *authors))) if origin else tuple(authors),
        "settings": settings,
        "formats": formats,
        "motivations": motivations,
        "flows": flows,
        "partnerships": partnerships,
        "synthetic": synthetic,
    }


def _classify(frame: pd.DataFrame, a: str, b: str, years: dict) -> pd.DataFrame:
    yr = frame["article_id"].map(years)
    frame[f"{a}_income"] = [income_at(c, y) for c, y in zip(frame[a], yr, strict=True)]
    frame[f"{b}_income"] = [income_at(c, y) for c, y in zip(frame[b], yr, strict=True)]
    frame[f"{a}_income_latest"] = frame[a].map(LATEST).fillna("")
    frame[f"{b}_income_latest"] = frame[b].map(LATEST).fillna("")
    return add_directions(frame, a, b)


def make_evidence(specs: list[dict]) -> EvidenceBase:
    """Build every tidy table of the model from article specs (see :func:`article`)."""
    if not specs:
        return EvidenceBase.empty()
    years = {s["article_id"]: s["year"] for s in specs}

    country_rows = []
    for s in specs:
        aid, y = s["article_id"], s["year"]
        roles = [("origin", (s["origin"],) if s["origin"] else ())]
        roles += [("author", s["authors"]), ("setting", s["settings"])]
        for role, isos in roles:
            country_rows += [
                (aid, c, role, income_at(c, y), LATEST.get(c, ""), REGIONS.get(c, "")) for c in isos
            ]
    countries = pd.DataFrame(country_rows, columns=ARTICLE_COUNTRY_COLUMNS)

    code_rows = []
    for s in specs:
        code_rows += [(s["article_id"], "format", c.split(".")[0], c, False) for c in s["formats"]]
        code_rows += [
            (s["article_id"], "motivation", c.split(".")[0], c, i == 0)
            for i, c in enumerate(s["motivations"])
        ]
    codes = pd.DataFrame(code_rows, columns=ARTICLE_CODE_COLUMNS)

    flows = pd.DataFrame(
        [(s["article_id"], i, a, b) for s in specs for i, (a, b) in enumerate(s["flows"])],
        columns=["article_id", "flow_index", "origin", "destination"],
    )
    flows = _classify(flows, "origin", "destination", years)
    kinds = {s["article_id"]: ";".join(c for c in s["formats"] if c.startswith("mobility."))
             for s in specs}  # fmt: skip
    flows["kinds"] = flows["article_id"].map(kinds).fillna("")
    flows = flows[FLOW_COLUMNS]

    partners = pd.DataFrame(
        [
            (s["article_id"], i, members[0], other, len(members))
            for s in specs
            for i, members in enumerate(s["partnerships"])
            for other in members[1:]
        ],
        columns=["article_id", "partnership_index", "lead", "partner", "n_partners"],
    )
    partners = _classify(partners, "lead", "partner", years)[PARTNERSHIP_COLUMNS]

    arts = pd.DataFrame(
        {
            "article_id": [s["article_id"] for s in specs],
            "row": np.arange(1, len(specs) + 1),
            "title": [f"Article {s['article_id']}" for s in specs],
            "year": np.array([s["year"] for s in specs], dtype=int),
            "authors": "A. Author",
            "journal": "Journal of Tests",
            "url": [f"https://example.org/{s['article_id']}" for s in specs],
            "doi": [f"10.0000/{s['article_id']}" for s in specs],
            "notes": "",
            "language": "en",
            "languages": "en",
            "article_type": "research",
            "motivation_basis": "explicit",
            "synthetic": np.array([s["synthetic"] for s in specs], dtype=bool),
            "origin": [s["origin"] for s in specs],
            "origin_income": [income_at(s["origin"], s["year"]) for s in specs],
            "origin_income_latest": [LATEST.get(s["origin"], "") for s in specs],
            "origin_region": [REGIONS.get(s["origin"], "") for s in specs],
            "primary_motivation": [s["motivations"][0] if s["motivations"] else "" for s in specs],
            "formats": [";".join(s["formats"]) for s in specs],
            "motivations": [";".join(s["motivations"]) for s in specs],
            "author_countries": [";".join(s["authors"]) for s in specs],
            "setting_countries": [";".join(s["settings"]) for s in specs],
        }
    )[ARTICLE_COLUMNS]
    return EvidenceBase(arts, countries, codes, flows, partners, source="factory", version="t")


def sample_evidence() -> EvidenceBase:
    """Six articles covering the cases the tests need."""
    return make_evidence(
        [
            # Two formats and two motivations: counts once in each of the four cells.
            article(
                "a1",
                year=2010,
                origin="CAN",
                authors=("UGA",),
                settings=("UGA",),
                formats=("mobility.outbound", "mobility.clinical"),
                motivations=("social.transformation", "enrichment.curricular"),
                flows=(("CAN", "UGA"),),
            ),
            # Same pair as a1, plus a second flow to the same place: still one article.
            article(
                "a2",
                year=2012,
                origin="CAN",
                settings=("UGA", "KEN"),
                formats=("mobility.outbound",),
                motivations=("social.transformation",),
                flows=(("CAN", "UGA"), ("CAN", "UGA"), ("CAN", "KEN")),
            ),
            # Chile is UM in 2011 (S>S to Brazil), H latest (N>S).
            article(
                "a3",
                year=2011,
                origin="CHL",
                formats=("mobility.bilateral", "partnership.south_south"),
                motivations=("market.student",),
                flows=(("CHL", "BRA"),),
                partnerships=(("CHL", "BRA"),),
            ),
            # South -> North flow, and a flow to a country without a map point.
            article(
                "a4",
                year=2018,
                origin="IND",
                authors=("GBR",),
                formats=("mobility.degree",),
                motivations=("market.institution",),
                flows=(("IND", "GBR"), ("IND", "XKX")),
            ),
            # Partnership North-South with two partners; at-home format; no flows.
            article(
                "a5",
                year=2018,
                origin="USA",
                settings=("HTI",),
                formats=("partnership.north_south", "at_home.gh_course"),
                motivations=("social.transformation",),
                partnerships=(("USA", "HTI", "KEN"),),
            ),
            # No motivation coded, unknown origin.
            article("a6", year=2020, origin="", formats=("standards.global",)),
        ]
    )


def random_evidence(n: int, seed: int = 0) -> EvidenceBase:
    """A synthetic evidence base of ``n`` articles for timing (vectorised construction)."""
    rng = np.random.default_rng(seed)
    isos = list(NAMES)
    fmt_codes = [
        "partnership.north_south", "partnership.south_south", "partnership.consortium",
        "mobility.outbound", "mobility.inbound", "mobility.bilateral", "mobility.clinical",
        "mobility.degree", "at_home.gh_course", "at_home.virtual", "standards.global",
    ]  # fmt: skip
    mot_codes = [
        "market.student", "market.institution", "liberal.understanding",
        "social.transformation", "enrichment.curricular",
    ]  # fmt: skip
    specs = []
    for i in range(n):
        o = isos[rng.integers(len(isos))]
        d = isos[rng.integers(len(isos))]
        f = tuple(rng.choice(fmt_codes, size=rng.integers(1, 4), replace=False))
        m = tuple(rng.choice(mot_codes, size=rng.integers(0, 3), replace=False))
        specs.append(
            article(
                f"r{i}",
                year=int(rng.integers(2000, 2021)),
                origin=o,
                authors=(d,),
                settings=(d,),
                formats=f,
                motivations=m,
                flows=((o, d),) if o != d else (),
                partnerships=((o, d),) if any(c.startswith("partnership") for c in f) else (),
            )
        )
    return make_evidence(specs)
