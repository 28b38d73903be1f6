"""Write synthetic demo records in the coded-article contract.

The records are invented: every id starts with ``demo-``, every title with "Synthetic
record", DOIs live in the unused ``10.0000/demo.*`` namespace and ``synthetic`` is true.
Their *structure* follows the scoping review (Wu et al., Med Sci Educ 2022,
doi:10.1007/s40670-022-01553-6): at the default 350 rows every exact figure listed in
``data/reference/published_figures.csv`` comes out exactly, the approximate ones within a
percentage point. Other sizes scale the same proportions (used for benchmarks).

How it works: each article belongs to one *story* (an archetype such as "North-South
consortium with outbound electives" or "inbound students hosted by a HIC school") with a
fixed count at 350 rows, its origin side and its core format codes. Layers that do not
change which story an article tells (internationalization-at-home codes, global
standards, clinical/pre-clinical tags, motivations, language, journal, year, type) are
then allotted with exact counts and random placement. Countries are drawn only from
economies that stayed on one side of the World Bank HIC/LMIC line from FY01 to FY26, so
the published figures do not depend on the year of publication.

Usage: ``python scripts/make_demo_data.py [--n 350] [--seed 20220427] [--out PATH]``
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from evidence import DEMO_PATH

REFERENCE_N = 350
DEFAULT_SEED = 20220427
COLUMNS = [
    "id", "title", "year", "authors", "journal", "url", "doi", "language", "article_type",
    "author_countries", "setting_countries", "formats", "motivations", "motivation_basis",
    "mobility_flows", "partnerships", "notes", "synthetic",
]  # fmt: skip

# --- countries --------------------------------------------------------------------------
# Every economy below kept one side of the HIC/LMIC line in every fiscal year FY01-FY26
# (World Bank "Country Analytical History"), so North/South never depends on the year.
NAMES = {
    "USA": "the United States", "GBR": "the United Kingdom", "CAN": "Canada",
    "AUS": "Australia", "NZL": "New Zealand", "IRL": "Ireland", "DEU": "Germany",
    "NLD": "the Netherlands", "SWE": "Sweden", "NOR": "Norway", "DNK": "Denmark",
    "FIN": "Finland", "CHE": "Switzerland", "AUT": "Austria", "BEL": "Belgium",
    "FRA": "France", "ESP": "Spain", "ITA": "Italy", "JPN": "Japan", "ISR": "Israel",
    "SGP": "Singapore", "UGA": "Uganda", "KEN": "Kenya", "HTI": "Haiti", "MWI": "Malawi",
    "TZA": "Tanzania", "NGA": "Nigeria", "IND": "India", "GHA": "Ghana", "NPL": "Nepal",
    "RWA": "Rwanda", "ETH": "Ethiopia", "ZMB": "Zambia", "MOZ": "Mozambique", "PER": "Peru",
    "GTM": "Guatemala", "BRA": "Brazil", "ZAF": "South Africa", "CHN": "China",
    "MEX": "Mexico", "BGD": "Bangladesh", "PAK": "Pakistan", "VNM": "Vietnam",
    "BOL": "Bolivia", "HND": "Honduras", "NIC": "Nicaragua", "KHM": "Cambodia",
    "LAO": "Laos", "PHL": "the Philippines", "EGY": "Egypt", "ZWE": "Zimbabwe",
    "CMR": "Cameroon", "SEN": "Senegal", "BWA": "Botswana", "MYS": "Malaysia",
    "ECU": "Ecuador",
}  # fmt: skip
# Plain names a coder might type instead of ISO-3 (a little realistic variety).
TYPED_NAMES = {
    "UGA": "Uganda", "KEN": "Kenya", "GBR": "United Kingdom", "USA": "United States",
    "MWI": "Malawi", "PER": "Peru", "CAN": "Canada", "GHA": "Ghana",
}  # fmt: skip
ANGLO = ("USA", "GBR", "CAN", "AUS", "NZL", "IRL")
# Origins of English-language articles: mostly the Anglo-Saxon countries.
NORTH_ORIGIN = {
    "USA": 46, "GBR": 15, "CAN": 12, "AUS": 8, "NZL": 2, "IRL": 3, "DEU": 2, "NLD": 2,
    "SWE": 2, "NOR": 2, "DNK": 1, "CHE": 1, "JPN": 1, "ISR": 1, "SGP": 1, "FIN": 1,
}  # fmt: skip
SOUTH_ORIGIN = {
    "UGA": 8, "KEN": 8, "NGA": 8, "GHA": 5, "IND": 10, "NPL": 4, "BGD": 3, "PAK": 5,
    "ZAF": 8, "BRA": 5, "CHN": 8, "MYS": 4, "EGY": 3, "ETH": 4, "TZA": 4, "RWA": 3,
    "PER": 2, "MEX": 3, "VNM": 2, "PHL": 3,
}  # fmt: skip
# Destinations and partners in the South (electives, partnerships).
SOUTH_HOST = {
    "UGA": 10, "KEN": 10, "HTI": 6, "MWI": 6, "TZA": 7, "GHA": 6, "IND": 7, "NPL": 4,
    "RWA": 5, "ETH": 5, "ZMB": 3, "MOZ": 3, "PER": 5, "GTM": 5, "BOL": 2, "HND": 3,
    "NIC": 2, "VNM": 3, "KHM": 2, "ZAF": 5, "BRA": 3, "CHN": 3, "BWA": 3, "NGA": 3,
    "MEX": 2, "LAO": 1, "ZWE": 2, "CMR": 1, "ECU": 2,
}  # fmt: skip
# Destinations in the North (degree and inbound students, exchange partners).
NORTH_HOST = {
    "USA": 20, "GBR": 18, "CAN": 8, "AUS": 10, "IRL": 5, "DEU": 8, "FRA": 5, "NLD": 5,
    "SWE": 4, "NOR": 3, "JPN": 3, "SGP": 3, "NZL": 2, "CHE": 3, "BEL": 2, "ESP": 2,
}  # fmt: skip
# Where students from the South take whole degrees in the South.
SOUTH_DEGREE_HOST = {"CHN": 6, "PHL": 3, "NPL": 2, "BGD": 2, "MYS": 2}
# Favourite partners of some origins (colonial, linguistic and regional ties).
AFFINITY = {
    "USA": ("HTI", "GTM", "HND", "NIC", "PER", "UGA", "KEN"),
    "GBR": ("MWI", "UGA", "KEN", "GHA", "ZMB", "TZA", "IND"),
    "CAN": ("UGA", "KEN", "RWA", "ETH", "HTI", "PER"),
    "AUS": ("VNM", "KHM", "LAO", "PHL", "NPL"),
    "NZL": ("VNM", "KHM", "LAO", "PHL"),
    "IRL": ("MWI", "ZMB", "UGA", "TZA"),
    "DEU": ("TZA", "RWA", "ETH", "GHA"),
    "NLD": ("TZA", "ZMB", "ETH", "GHA"),
    "SWE": ("UGA", "TZA", "ETH", "MOZ"),
    "NOR": ("MWI", "TZA", "NPL", "ETH"),
}  # fmt: skip
# South-South ties stay mostly within a region.
_REGIONS = (
    ("UGA", "KEN", "TZA", "RWA", "ETH", "MWI", "ZMB", "MOZ", "ZAF", "BWA", "ZWE", "NGA", "GHA",
     "CMR", "EGY"),
    ("IND", "NPL", "BGD", "PAK", "CHN", "VNM", "KHM", "LAO", "PHL", "MYS"),
    ("PER", "GTM", "BOL", "HND", "NIC", "BRA", "MEX", "ECU", "HTI"),
)  # fmt: skip
AFFINITY |= {c: region for region in _REGIONS for c in region}

# --- languages and journals ---------------------------------------------------------------
# Origins for articles whose main text is not in English, by side and language.
NON_ENGLISH_ORIGIN = {
    "north": {
        "de": {"DEU": 5, "AUT": 2, "CHE": 2},
        "fr": {"FRA": 4, "BEL": 1, "CHE": 1},
        "nl": {"NLD": 3, "BEL": 1},
        "es": {"ESP": 1},
        "it": {"ITA": 1},
        "sv": {"SWE": 1},
    },
    "south": {
        "es": {"MEX": 3, "PER": 2, "GTM": 1, "BOL": 1, "ECU": 1},
        "pt": {"BRA": 4, "MOZ": 1},
        "fr": {"SEN": 1, "CMR": 1},
    },
}
LANGUAGE_WEIGHT = {
    "north": {"de": 5, "fr": 3, "nl": 2, "es": 1, "it": 1, "sv": 1},
    "south": {"es": 4, "pt": 3, "fr": 1},
}
LANGUAGE_NAMES = {
    "de": "German", "fr": "French", "nl": "Dutch", "es": "Spanish", "it": "Italian",
    "sv": "Swedish", "pt": "Portuguese", "en": "English",
}  # fmt: skip
NON_ENGLISH_JOURNALS = {
    "de": ("GMS Zeitschrift für Medizinische Ausbildung", "Das Gesundheitswesen"),
    "fr": ("Pédagogie Médicale", "Revue Médicale Suisse"),
    "nl": ("Nederlands Tijdschrift voor Geneeskunde", "Tijdschrift voor Medisch Onderwijs"),
    "es": ("Educación Médica", "FEM: Revista de la Fundación Educación Médica"),
    "it": ("Recenti Progressi in Medicina",),
    "sv": ("Läkartidningen",),
    "pt": ("Revista Brasileira de Educação Médica",),
}
# Counts at 350 rows for the three journals the review names; the rest share the remainder.
NAMED_JOURNALS = {"Academic Medicine": 33, "BMC Medical Education": 22, "Medical Teacher": 30}
OTHER_JOURNALS = {
    "Medical Education": 14, "Global Health Action": 10, "Annals of Global Health": 12,
    "BMJ Global Health": 8, "Medical Education Online": 10, "The Clinical Teacher": 8,
    "Education for Health": 9, "Canadian Medical Education Journal": 6,
    "Advances in Medical Education and Practice": 10,
    "Journal of Medical Education and Curricular Development": 6,
    "Medical Science Educator": 8, "International Journal of Medical Education": 7,
    "Tropical Medicine & International Health": 6, "Pan African Medical Journal": 7,
    "African Journal of Health Professions Education": 6, "BMJ Open": 6, "PLOS ONE": 7,
    "Globalization and Health": 7, "Journal of Global Health": 5,
    "The American Journal of Tropical Medicine and Hygiene": 5,
    "Perspectives on Medical Education": 5, "Teaching and Learning in Medicine": 6,
    "Journal of Surgical Education": 4, "Family Medicine": 5, "Postgraduate Medical Journal": 3,
    "Medical Journal of Australia": 4, "The Lancet": 2, "Journal of General Internal Medicine": 3,
    "Journal of Community Health": 3, "Journal of Travel Medicine": 3,
    "South African Medical Journal": 4, "Malawi Medical Journal": 3,
    "East African Medical Journal": 2, "Indian Journal of Medical Ethics": 3,
    "Korean Journal of Medical Education": 2,
}  # fmt: skip

# --- years, types, languages (counts at 350 rows) -----------------------------------------
YEARS = {
    2000: 5, 2001: 6, 2002: 7, 2003: 7, 2004: 8, 2005: 10,  # 43 in 2000-2005
    2006: 10, 2007: 11, 2008: 12, 2009: 13, 2010: 16,
    2011: 16, 2012: 17, 2013: 19, 2014: 20, 2015: 23,
    2016: 25, 2017: 28, 2018: 30, 2019: 32, 2020: 35,  # the spike of the last five years
}  # fmt: skip
ARTICLE_TYPES = {
    "research": 112, "learning_objectives": 105, "program_description": 55, "review": 42,
    "commentary": 26, "other": 6, "": 4,
}  # fmt: skip
# English only / non-English text with an English abstract / no English at all.
LANGUAGE_GROUPS = {"english": 308, "abstract": 14, "other": 28}


class Story(NamedTuple):
    """One kind of article: how many at 350 rows, its origin side and core format codes."""

    count: int
    side: str  # "north" or "south": the side of the first author's country
    formats: tuple[str, ...]
    non_english: float = 0.0  # relative chance of a non-English main text


NS, SS, NN, CONS = (
    "partnership.north_south",
    "partnership.south_south",
    "partnership.north_north",
    "partnership.consortium",
)
OUT, INB, BIL, DEG = (
    "mobility.outbound",
    "mobility.inbound",
    "mobility.bilateral",
    "mobility.degree",
)
STORIES = {
    # partnerships: 132 articles; NS 91, SS 22, NN 19, consortium 115
    "ns_consortium_electives": Story(28, "north", (NS, CONS, OUT)),
    "ns_consortium": Story(55, "north", (NS, CONS), 0.4),
    "ns_consortium_exchange": Story(4, "north", (NS, CONS, BIL)),
    "ns_twinning": Story(4, "north", (NS,)),
    "ss_consortium": Story(20, "south", (SS, CONS), 0.8),
    "ss_twinning": Story(2, "south", (SS,)),
    "nn_consortium": Story(8, "north", (NN, CONS)),
    "nn_twinning": Story(11, "north", (NN,)),
    # mobility: outbound 94, bilateral 21 (16 LMIC-HIC), inbound 34 (26 HIC authors)
    "electives_north": Story(60, "north", (OUT,), 0.3),
    "electives_south": Story(6, "south", (OUT,)),
    "exchange_north_south": Story(7, "north", (BIL,)),
    "exchange_south_north": Story(5, "south", (BIL,)),
    "exchange_north_north": Story(3, "north", (BIL,)),
    "exchange_south_south": Story(2, "south", (BIL,)),
    "inbound_north": Story(26, "north", (INB,)),
    "inbound_south": Story(8, "south", (INB,)),
    "degree_south_north": Story(6, "south", (DEG,), 0.5),
    "degree_south_south": Story(3, "south", (DEG,)),
    "degree_north_host": Story(4, "north", (DEG,)),
    # at home and standards (codes added by the layers below), coarse mobility coding
    "home_north": Story(60, "north", (), 1.0),
    "home_south": Story(20, "south", (), 1.5),
    "mobility_coarse_north": Story(5, "north", ("mobility",), 2.0),
    "mobility_coarse_south": Story(3, "south", ("mobility",), 2.0),
}
PARTNERSHIP_STORIES = {k for k in STORIES if k.startswith(("ns_", "ss_", "nn_"))}
OUTBOUND_STORIES = ("ns_consortium_electives", "electives_north", "electives_south")
INBOUND_STORIES = ("inbound_north", "inbound_south")
BILATERAL_STORIES = (
    "ns_consortium_exchange", "exchange_north_south", "exchange_south_north",
    "exchange_north_north", "exchange_south_south",
)  # fmt: skip

# Internationalization-at-home code combinations (104 articles; credit 46, GH course 53,
# GH curriculum 49, extracurricular 21; "at_home" alone = group-level coding).
AT_HOME_COMBOS = {
    ("at_home.gh_course", "at_home.credit_course"): 30,
    ("at_home.gh_course", "at_home.credit_course", "at_home.gh_curriculum"): 8,
    ("at_home.credit_course",): 8,
    ("at_home.gh_course",): 4,
    ("at_home.gh_course", "at_home.gh_curriculum"): 11,
    ("at_home.gh_curriculum",): 16,
    ("at_home.gh_curriculum", "at_home.extracurricular"): 10,
    ("at_home.gh_curriculum", "at_home.virtual"): 4,
    ("at_home.extracurricular",): 8,
    ("at_home.extracurricular", "at_home.virtual"): 3,
    ("at_home.virtual",): 1,
    ("at_home",): 1,
}
# Home stories: how many carry at-home codes vs only global standards.
HOME_SPLIT = {"home_north": (50, 10), "home_south": (4, 16)}
AT_HOME_TOTAL, STANDARDS_TOTAL = 104, 37
# Where the remaining at-home and standards codes go (relative weights per article).
AT_HOME_EXTRA = {
    "electives_north": 3, "ns_consortium": 2, "inbound_north": 2, "ns_consortium_electives": 2,
    "nn_twinning": 3, "nn_consortium": 3,
}  # fmt: skip
STANDARDS_EXTRA = {"home_north": 1, "nn_consortium": 4, "ss_consortium": 3, "nn_twinning": 2}
# Clinical / pre-clinical tags on mobility articles: 77 and 4 articles.
CLINICAL = {"outbound": 62, "inbound": 9, "bilateral": 6}
PRECLINICAL = {"outbound": 1, "inbound": 1, "bilateral": 2}
# Motivations: social transformation on 174 articles, 169 of them from the North.
SOCIAL_NORTH, SOCIAL_SOUTH = 169, 5
SOCIAL_WEIGHT = {
    "ns_consortium_electives": 5, "ns_consortium": 5, "ns_consortium_exchange": 3,
    "ns_twinning": 5, "electives_north": 5, "exchange_north_south": 3, "home_north": 3,
    "inbound_north": 1, "mobility_coarse_north": 1, "nn_consortium": 0.3, "nn_twinning": 0.3,
    "exchange_north_north": 0.3, "degree_north_host": 0.3, "ss_consortium": 5,
    "exchange_south_north": 1, "electives_south": 0.5, "inbound_south": 1, "home_south": 0.5,
}  # fmt: skip
NORTH_MOTIVES = {
    "enrichment.curricular": 45, "market.student": 22, "market.institution": 15,
    "market.ranking": 6, "market": 4,
}  # fmt: skip
SOUTH_MOTIVES = {
    "market.student": 35, "market.institution": 28, "market.ranking": 15, "market": 5,
    "enrichment.curricular": 12,
}  # fmt: skip
# Second motives (never social transformation, whose count is exact; liberal only here).
SECONDARY_MOTIVES = {"liberal.understanding": 4, "enrichment.curricular": 3, "market.student": 2}

SURNAMES = (
    "Example", "Sample", "Placeholder", "Demo", "Mock", "Fictive", "Testfall", "Dummy",
    "Specimen", "Prototype", "Modelo", "Exemplo", "Muster", "Probe",
)  # fmt: skip
TYPE_PREFIX = {
    "research": ("an evaluation of", "a survey on", "outcomes of", "a qualitative study of"),
    "learning_objectives": ("learning objectives for", "competencies gained through"),
    "program_description": ("description of", "setting up"),
    "review": ("a review of", "what the literature says about"),
    "commentary": ("a commentary on", "rethinking"),
    "other": ("notes on",),
    "": ("",),
}  # fmt: skip


# --- helpers ------------------------------------------------------------------------------
def allot(total: int, weights: Mapping) -> dict:
    """Split ``total`` into whole parts proportional to ``weights`` (largest remainder)."""
    keys = list(weights)
    w = np.array([float(weights[k]) for k in keys])
    if total <= 0 or w.sum() <= 0:
        return dict.fromkeys(keys, 0)
    raw = total * w / w.sum()  # whole weights summing to ``total`` give whole numbers here
    parts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[: max(total - int(parts.sum()), 0)]] += 1
    return dict(zip(keys, parts.tolist(), strict=True))


def scaled(count: int, n: int) -> int:
    """``count`` at 350 rows scaled to ``n`` rows, rounded half up."""
    return int(np.floor(count * n / REFERENCE_N + 0.5))


def exact_labels(rng: np.random.Generator, n: int, weights: Mapping) -> np.ndarray:
    """``n`` labels in the proportions of ``weights`` (exact counts), in random order."""
    parts = allot(n, weights)
    labels = np.empty(n, dtype=object)
    labels[:] = [k for k, c in parts.items() for _ in range(c)]
    return rng.permutation(labels)


def pick(rng: np.random.Generator, candidates: np.ndarray, k: int, weights=None) -> np.ndarray:
    """``k`` distinct candidates (at most all of them), optionally weighted."""
    k = min(k, len(candidates))
    if k <= 0:
        return candidates[:0]
    p = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        p = w / w.sum() if w.sum() > 0 else None
        k = min(k, int((w > 0).sum())) if p is not None else k
    return rng.choice(candidates, size=k, replace=False, p=p)


def draw(rng: np.random.Generator, pool: Mapping[str, float], size: int) -> np.ndarray:
    """``size`` countries drawn with replacement from a weighted pool."""
    keys = np.array(list(pool), dtype=object)
    w = np.array(list(pool.values()), dtype=float)
    return rng.choice(keys, size=size, p=w / w.sum())


def draw_distinct(
    rng: np.random.Generator,
    pool: Mapping[str, float],
    sizes: np.ndarray,
    exclude: np.ndarray | None = None,
    favour: np.ndarray | None = None,
) -> list[list[str]]:
    """For each row, ``sizes[i]`` distinct countries from ``pool`` (Gumbel top-k).

    ``exclude`` holds one country per row that may not be drawn (the origin); ``favour``
    an origin whose AFFINITY countries get a fourfold weight.
    """
    sizes = np.asarray(sizes, dtype=int)
    keys = np.array(list(pool), dtype=object)
    logw = np.tile(np.log(np.array(list(pool.values()), dtype=float)), (len(sizes), 1))
    if favour is not None:
        for origin, liked in AFFINITY.items():
            rows = np.flatnonzero(favour == origin)
            cols = np.flatnonzero(np.isin(keys, liked))
            logw[np.ix_(rows, cols)] += np.log(4.0)
    if exclude is not None:
        logw[keys[None, :] == np.asarray(exclude, dtype=object)[:, None]] = -np.inf
    order = np.argsort(-(logw + rng.gumbel(size=logw.shape)), axis=1)
    return [keys[order[i, : sizes[i]]].tolist() for i in range(len(sizes))]


def listing(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def cap(text: str) -> str:
    """Capitalise the first letter only."""
    return text[:1].upper() + text[1:]


# --- the generator ------------------------------------------------------------------------
class _Builder:
    """Collects per-article columns while the layers are applied."""

    def __init__(self, n: int, seed: int):
        self.n = n
        self.rng = np.random.default_rng(seed)
        counts = allot(n, {k: s.count for k, s in STORIES.items()})
        self.story = np.array([k for k, c in counts.items() for _ in range(c)], dtype=object)
        self.side = np.array([STORIES[k].side for k in self.story], dtype=object)
        self.formats = [list(STORIES[k].formats) for k in self.story]
        self.origin = np.empty(n, dtype=object)
        self.coauthors = [[] for _ in range(n)]
        self.settings = [[] for _ in range(n)]
        self.flows = [[] for _ in range(n)]
        self.partnerships = [[] for _ in range(n)]
        self.topic = np.empty(n, dtype=object)
        self.motivations = [[] for _ in range(n)]
        self.basis = np.full(n, "", dtype=object)
        self.lang_group = np.full(n, "english", dtype=object)
        self.language = np.full(n, "en", dtype=object)

    def rows(self, *stories: str) -> np.ndarray:
        """Indices of the articles telling one of the given stories."""
        return np.flatnonzero(np.isin(self.story, stories))

    def scaled(self, count: int) -> int:
        return scaled(count, self.n)

    # language first: it decides where non-English articles come from
    def languages(self) -> None:
        rng = self.rng
        groups = allot(self.n, LANGUAGE_GROUPS)
        weight = np.array([STORIES[k].non_english for k in self.story])
        chosen = pick(rng, np.arange(self.n), groups["abstract"] + groups["other"], weight)
        self.lang_group[chosen[: groups["abstract"]]] = "abstract"
        self.lang_group[chosen[groups["abstract"] :]] = "other"
        for side in ("north", "south"):
            idx = chosen[self.side[chosen] == side]
            self.language[idx] = draw(rng, LANGUAGE_WEIGHT[side], len(idx))
            for lang, pool in NON_ENGLISH_ORIGIN[side].items():
                sub = idx[self.language[idx] == lang]
                self.origin[sub] = draw(rng, pool, len(sub))
        rest = np.flatnonzero(self.lang_group == "english")
        for side, pool in (("north", NORTH_ORIGIN), ("south", SOUTH_ORIGIN)):
            sub = rest[self.side[rest] == side]
            self.origin[sub] = exact_labels(rng, len(sub), pool)

    def partnerships_layer(self) -> None:
        rng = self.rng
        for story in sorted(PARTNERSHIP_STORIES):
            idx = self.rows(story)
            if not len(idx):
                continue
            origin = self.origin[idx]
            consortium = CONS in STORIES[story].formats
            n_partners = rng.integers(2, 5, len(idx)) if consortium else np.ones(len(idx), int)
            if story.startswith("nn_"):
                partners = draw_distinct(rng, NORTH_HOST, n_partners, exclude=origin)
            elif story.startswith("ss_"):
                partners = draw_distinct(rng, SOUTH_HOST, n_partners, exclude=origin, favour=origin)
            else:
                partners = draw_distinct(rng, SOUTH_HOST, n_partners, favour=origin)
            coauthor = rng.random(len(idx)) < (0.5 if story.startswith("ns_") else 0.35)
            for i, lead, mates, co in zip(idx, origin, partners, coauthor, strict=True):
                self.partnerships[i].append([lead, *mates])
                # North-South: the activity happens at the partners; otherwise everywhere
                self.settings[i] = list(mates) if story.startswith("ns_") else [lead, *mates]
                if co:
                    self.coauthors[i].append(mates[0])
                names = listing([NAMES[c] for c in mates])
                self.topic[i] = self._partnership_topic(story, NAMES[lead], names)
                if story == "ns_consortium_electives":
                    self.flows[i].append((lead, mates[0]))
                    self.topic[i] += f", with student electives in {NAMES[mates[0]]}"
                elif story == "ns_consortium_exchange":
                    self.flows[i] += [(lead, mates[0]), (mates[0], lead)]
                    self.topic[i] += f", with a two-way student exchange with {NAMES[mates[0]]}"

    @staticmethod
    def _partnership_topic(story: str, lead: str, partners: str) -> str:
        if story.startswith("ns_consortium"):
            return f"a global-health consortium led from {lead} with partners in {partners}"
        if story == "ns_twinning":
            return f"a twinning partnership between medical schools in {lead} and {partners}"
        if story == "ss_consortium":
            return f"a South-South network of medical schools in {lead}, {partners}"
        if story == "ss_twinning":
            return f"a South-South partnership between {lead} and {partners}"
        if story == "nn_consortium":
            return f"a consortium of medical schools in {lead}, {partners}"
        return f"a North-North partnership between medical schools in {lead} and {partners}"

    def mobility_layer(self) -> None:
        rng = self.rng
        # outbound electives from the North to the South (one or two host countries)
        idx = self.rows("electives_north")
        hosts = draw_distinct(
            rng, SOUTH_HOST, 1 + (rng.random(len(idx)) < 0.2), favour=self.origin[idx]
        )
        for i, dest in zip(idx, hosts, strict=True):
            o = self.origin[i]
            self.flows[i] += [(o, d) for d in dest]
            self.settings[i] = list(dest)
            if rng.random() < 0.25:
                self.coauthors[i].append(dest[0])
            where = listing([NAMES[d] for d in dest])
            self.topic[i] = f"outbound clinical electives from {NAMES[o]} to {where}"
        # outbound from the South, mostly to the North
        idx = self.rows("electives_south")
        for i, d in zip(idx, draw_distinct(rng, NORTH_HOST, np.ones(len(idx))), strict=True):
            o = self.origin[i]
            self.flows[i].append((o, d[0]))
            self.settings[i] = [d[0]]
            self.topic[i] = f"medical students from {NAMES[o]} on electives in {NAMES[d[0]]}"
        # bilateral exchanges: flows both ways
        pools = {
            "exchange_north_south": (SOUTH_HOST, 0.6),
            "exchange_south_north": (NORTH_HOST, 0.6),
            "exchange_north_north": (NORTH_HOST, 0.5),
            "exchange_south_south": (SOUTH_HOST, 0.5),
        }
        for story, (pool, p_co) in pools.items():
            idx = self.rows(story)
            mates = draw_distinct(rng, pool, np.ones(len(idx)), exclude=self.origin[idx])
            for i, m in zip(idx, mates, strict=True):
                o, b = self.origin[i], m[0]
                self.flows[i] += [(o, b), (b, o)]
                self.settings[i] = [o, b]
                if rng.random() < p_co:
                    self.coauthors[i].append(b)
                self.topic[i] = f"a bilateral student exchange between {NAMES[o]} and {NAMES[b]}"
        # inbound: a HIC school hosts students from the South
        idx = self.rows("inbound_north")
        senders = draw_distinct(rng, SOUTH_HOST, 1 + (rng.random(len(idx)) < 0.3))
        for i, src in zip(idx, senders, strict=True):
            o = self.origin[i]
            self.flows[i] += [(s, o) for s in src]
            self.settings[i] = [o]
            where = listing([NAMES[s] for s in src])
            self.topic[i] = f"hosting visiting medical students from {where} in {NAMES[o]}"
        # inbound: a LMIC school hosts students, mostly from the North
        idx = self.rows("inbound_south")
        from_north = rng.random(len(idx)) < 0.65
        north = draw(rng, NORTH_HOST, len(idx))
        south = draw_distinct(rng, SOUTH_HOST, np.ones(len(idx)), exclude=self.origin[idx])
        for i, fn, a, b in zip(idx, from_north, north, south, strict=True):
            o = self.origin[i]
            src = a if fn else b[0]
            self.flows[i].append((src, o))
            self.settings[i] = [o]
            self.topic[i] = f"receiving elective students from {NAMES[src]} in {NAMES[o]}"
        # degree mobility: mostly South to North
        self._degree("degree_south_north", NORTH_HOST, outward=True)
        self._degree("degree_south_south", SOUTH_DEGREE_HOST, outward=True)
        self._degree("degree_north_host", {"MYS": 3, "IND": 2, "NGA": 2, "CHN": 2, "PAK": 1})
        # coarse, group-level mobility coding; half of them name one movement
        coarse = {"mobility_coarse_north": SOUTH_HOST, "mobility_coarse_south": NORTH_HOST}
        for story, pool in coarse.items():
            idx = self.rows(story)
            for i, d in zip(idx, draw(rng, pool, len(idx)), strict=True):
                o = self.origin[i]
                if rng.random() < 0.5:
                    self.flows[i].append((o, d))
                self.topic[i] = f"international student mobility at a medical school in {NAMES[o]}"

    def _degree(self, story: str, pool: Mapping[str, float], outward: bool = False) -> None:
        idx = self.rows(story)
        others = draw_distinct(self.rng, pool, np.ones(len(idx)), exclude=self.origin[idx])
        for i, other in zip(idx, others, strict=True):
            o, x = self.origin[i], other[0]
            src, dst = (o, x) if outward else (x, o)
            self.flows[i].append((src, dst))
            self.settings[i] = [dst]
            self.topic[i] = (
                f"students from {NAMES[src]} taking a full medical degree in {NAMES[dst]}"
            )

    def home_layer(self) -> None:
        rng = self.rng
        combos = list(AT_HOME_COMBOS)
        targets, standards_only = [], []
        for story, (at_home, standards) in HOME_SPLIT.items():
            idx = rng.permutation(self.rows(story))
            parts = allot(len(idx), {"at_home": at_home, "standards": standards})
            targets.append(idx[: parts["at_home"]])
            standards_only.append(idx[parts["at_home"] :])
        home_targets = np.concatenate(targets)
        standards_only = np.concatenate(standards_only)
        n_at_home = self.scaled(AT_HOME_TOTAL)
        extra_pool = self.rows(*AT_HOME_EXTRA)
        weights = [AT_HOME_EXTRA[self.story[i]] for i in extra_pool]
        extra = pick(rng, extra_pool, n_at_home - len(home_targets), weights)
        at_home_rows = np.concatenate([home_targets, extra])
        labels = exact_labels(rng, len(at_home_rows), dict(enumerate(AT_HOME_COMBOS.values())))
        for i, label in zip(at_home_rows, labels, strict=True):
            self.formats[i] += combos[label]
        n_extra = self.scaled(STANDARDS_TOTAL) - len(standards_only)
        extra_pool = np.setdiff1d(self.rows(*STANDARDS_EXTRA), standards_only)
        weights = [STANDARDS_EXTRA[self.story[i]] for i in extra_pool]
        for i in np.concatenate([standards_only, pick(rng, extra_pool, n_extra, weights)]):
            self.formats[i].append("standards.global")
        for i in self.rows("home_north", "home_south"):
            self.topic[i] = self._home_topic(self.formats[i], NAMES[self.origin[i]])
            if rng.random() < 0.88:  # the rest name no setting country
                self.settings[i] = [self.origin[i]]

    @staticmethod
    def _home_topic(formats: list[str], where: str) -> str:
        if "at_home.gh_curriculum" in formats:
            return f"building global health into the medical curriculum in {where}"
        if "at_home.gh_course" in formats:
            return f"a global-health course for medical students in {where}"
        if "at_home.credit_course" in formats:
            return f"an elective course with international content in {where}"
        if "at_home.extracurricular" in formats:
            return f"extracurricular international activities of medical students in {where}"
        if "at_home.virtual" in formats:
            return f"a virtual exchange linking medical students in {where} with peers abroad"
        if "at_home" in formats:
            return f"internationalizing the home campus of a medical school in {where}"
        return f"aligning the medical curriculum in {where} with global standards"

    def clinical_layer(self) -> None:
        rng = self.rng
        pools = {
            "outbound": self.rows(*OUTBOUND_STORIES),
            "inbound": self.rows(*INBOUND_STORIES),
            "bilateral": self.rows(*BILATERAL_STORIES),
        }
        for kind, pool in pools.items():
            order = rng.permutation(pool)
            n_clin = min(self.scaled(CLINICAL[kind]), len(order))
            n_pre = min(self.scaled(PRECLINICAL[kind]), len(order) - n_clin)
            for i in order[:n_clin]:
                self.formats[i].append("mobility.clinical")
            for i in order[n_clin : n_clin + n_pre]:
                self.formats[i].append("mobility.preclinical")

    def motivation_layer(self) -> None:
        rng = self.rng
        coded = self.lang_group != "other"  # no-English full texts were not coded for motives
        social = np.zeros(self.n, dtype=bool)
        for side, total in (("north", SOCIAL_NORTH), ("south", SOCIAL_SOUTH)):
            pool = np.flatnonzero(coded & (self.side == side))
            weights = [SOCIAL_WEIGHT.get(self.story[i], 0.2) for i in pool]
            social[pick(rng, pool, self.scaled(total), weights)] = True
        north_motive = draw(rng, NORTH_MOTIVES, self.n)
        south_motive = draw(rng, SOUTH_MOTIVES, self.n)
        extra = draw(rng, SECONDARY_MOTIVES, self.n)
        u = rng.random((self.n, 3))
        for i in np.flatnonzero(coded):
            if social[i]:
                motives = ["social.transformation"]
                if u[i, 0] < 0.1:  # a few put curricular enrichment first
                    motives.insert(0, "enrichment.curricular")
            else:
                motives = [north_motive[i] if self.side[i] == "north" else south_motive[i]]
            if u[i, 1] < 0.35 and extra[i] not in motives:
                motives.append(extra[i])
            self.motivations[i] = motives
            self.basis[i] = "explicit" if u[i, 2] < 0.55 else "assigned"

    def coauthor_layer(self) -> None:
        """Some articles from the South have a co-author in the North, and vice versa."""
        rng = self.rng
        u = rng.random(self.n)
        north = draw(rng, NORTH_ORIGIN, self.n)
        for i in range(self.n):
            if self.coauthors[i] or u[i] > 0.3:
                continue
            if north[i] != self.origin[i]:
                self.coauthors[i].append(north[i])

    def frame(self) -> pd.DataFrame:
        """Assemble the contract table, sorted by year, with ids numbered in that order."""
        rng, n = self.rng, self.n
        years = exact_labels(rng, n, YEARS).astype(int)
        types = exact_labels(rng, n, ARTICLE_TYPES)
        order = np.lexsort((rng.random(n), years))
        width = max(4, len(str(n)))
        ids = np.empty(n, dtype=object)
        ids[order] = [f"{k:0{width}d}" for k in range(1, n + 1)]
        journals = self._journals()
        n_authors = rng.integers(1, 9, n)
        surnames = rng.integers(0, len(SURNAMES), (n, 8))
        initials = rng.integers(0, 26, (n, 8))
        u = rng.random((n, 4))
        prefixes = [TYPE_PREFIX[t][rng.integers(len(TYPE_PREFIX[t]))] for t in types]
        records = []
        for i in range(n):
            key = ids[i]
            authors = ", ".join(
                f"{SURNAMES[surnames[i, j]]} {chr(65 + initials[i, j])}"
                for j in range(n_authors[i])
            )
            topic = cap(f"{prefixes[i]} {self.topic[i]}".strip())
            if self.lang_group[i] != "english":
                topic += f" ({LANGUAGE_NAMES[self.language[i]]}-language article)"
            doi = f"10.0000/demo.{key}"
            records.append(
                {
                    "id": f"demo-{key}",
                    "title": f"Synthetic record: {topic}",
                    "year": int(years[i]),
                    "authors": authors,
                    "journal": journals[i],
                    "url": f"https://example.org/iome-demo/demo-{key}",
                    "doi": f"https://doi.org/{doi}" if u[i, 0] < 0.1 else doi,
                    "language": self._language_cell(i, u[i, 1]),
                    "article_type": types[i],
                    "author_countries": self._countries([self.origin[i], *self.coauthors[i]]),
                    "setting_countries": self._countries(self.settings[i], u[i, 2]),
                    "formats": ";".join(self.formats[i]),
                    "motivations": ";".join(self.motivations[i]),
                    "motivation_basis": self.basis[i],
                    "mobility_flows": "; ".join(f"{a}>{b}" for a, b in self.flows[i]),
                    "partnerships": "; ".join("+".join(p) for p in self.partnerships[i]),
                    "notes": self._note(i),
                    "synthetic": "true",
                }
            )
        out = pd.DataFrame.from_records(records, columns=COLUMNS)
        return out.iloc[order].reset_index(drop=True)

    def _journals(self) -> np.ndarray:
        rng = self.rng
        journals = np.empty(self.n, dtype=object)
        english = np.flatnonzero(self.lang_group == "english")
        counts = {k: self.scaled(v) for k, v in NAMED_JOURNALS.items()}
        counts |= allot(max(len(english) - sum(counts.values()), 0), OTHER_JOURNALS)
        labels = [k for k, c in counts.items() for _ in range(c)][: len(english)]
        journals[english] = rng.permutation(np.array(labels, dtype=object))
        for i in np.flatnonzero(self.lang_group != "english"):
            options = NON_ENGLISH_JOURNALS[self.language[i]]
            journals[i] = options[rng.integers(len(options))]
        return journals

    def _language_cell(self, i: int, u: float) -> str:
        lang = self.language[i]
        if self.lang_group[i] == "abstract":
            return f"{lang};en" if u < 0.7 else f"{LANGUAGE_NAMES[lang]}; English"
        if self.lang_group[i] == "other":
            return lang if u < 0.7 else LANGUAGE_NAMES[lang]
        return "en" if u < 0.9 else ("English" if u < 0.96 else "")

    @staticmethod
    def _countries(codes: list[str], u: float = 1.0) -> str:
        if u < 0.04:  # now and then a coder types a name instead of the code
            return "; ".join(TYPED_NAMES.get(c, c) for c in codes)
        return ";".join(codes)

    def _note(self, i: int) -> str:
        if self.lang_group[i] == "other":
            return (
                "Synthetic demo record. Main text not in English: formats coded from the "
                "title, motivations not coded."
            )
        if self.lang_group[i] == "abstract":
            return "Synthetic demo record. Coded from the English abstract."
        return "Synthetic demo record; not a real publication."


def make_demo(n: int = REFERENCE_N, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Build ``n`` synthetic records in the input contract (one row per article)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    builder = _Builder(n, seed)
    builder.languages()
    builder.partnerships_layer()
    builder.mobility_layer()
    builder.home_layer()
    builder.clinical_layer()
    builder.motivation_layer()
    builder.coauthor_layer()
    return builder.frame()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: write the demo CSV."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=REFERENCE_N, help="number of records")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, default=DEMO_PATH, help="output CSV path")
    args = parser.parse_args(argv)
    frame = make_demo(args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, encoding="utf-8")
    print(f"wrote {len(frame)} synthetic records to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
