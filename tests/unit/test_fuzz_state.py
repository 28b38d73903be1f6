"""URL-state fuzzing: any query string parses to a valid FilterState (or the default) plus
notices, never an exception, and the canonical query of the result parses back to itself.

10,000 seeded query strings (unknown keys, bad years, injected markup, very long lists,
unicode, percent-encoding junk) plus hypothesis properties over arbitrary text and over
valid states. ``IOME_FUZZ_SCALE`` multiplies the case counts; ``IOME_FUZZ_REPORT`` appends
the figures of the run to a JSON-lines file.
"""

from __future__ import annotations

import random
import string
import time
from dataclasses import fields
from urllib.parse import quote

import pytest
from fuzzreport import SCALE, write_figures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.codebook import load_codebook
from evidence.countries import economies
from evidence.languages import LANGUAGES
from evidence.model import DIRECTIONS, INCOME_GROUPS
from evidence.state import (
    ALIGN_MODES,
    BASES,
    CLASSIFICATIONS,
    MAX_LIST,
    MAX_QUERY,
    MOBILITY_KINDS,
    REGIONS,
    ROLES,
    STACKS,
    FilterState,
    parse_query,
    to_query,
)

N_QUERIES = 10_000 * SCALE
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CB = load_codebook()
CODES = sorted(CB.codes)
GROUPS = sorted(CB.groups)
ISO3 = sorted(economies().index)
KEYS = [f.name for f in fields(FilterState)]
VALUES = [
    "2001", "2001-2010", "2010-2001", "2001:2005", "2001–2005", " 2001 ", "1899", "2101",
    "99999", "२०२०", "２０２０", "-2001", "2001-", "abc", "USA", "usa", "HTI,UGA", "XXX",
    "USA>KEN", "usa>ken", "USA>>KEN", "H", "hic", "lmic", "north", "south", "Africa",
    "explicit", "en", "English", "research", "outbound", "mobility.outbound", "mobility",
    "origin", "latest", "by_income", "motivation", "<script>window.__xss=1</script>",
    '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "%", "%zz", "%ff%fe", "%00",
    "%E2%80%AE", "%uD800", "\x00", "é", "😀", "\u202e", "\ud800", ",,,", ";", "&", "=", "==",
    "+", "a" * 9000, ",".join(["USA"] * 400), ",".join(f"X{i}" for i in range(400)),
]  # fmt: skip
JUNK_KEYS = ["YEAR", " country ", "Format", "foo", "<script>", "", "%00", "year[]", "__proto__",
             "constructor", "q", "é", "a" * 100]  # fmt: skip
STATS: dict[str, dict] = {}


def _record(check: str, query: str, state: FilterState, notices: list[str]) -> None:
    entry = STATS.setdefault(check, {"cases": 0, "bytes": 0, "max_bytes": 0, "with_notices": 0,
                                     "default_state": 0})  # fmt: skip
    entry["cases"] += 1
    entry["bytes"] += len(query.encode("utf-8", "surrogatepass"))
    entry["max_bytes"] = max(entry["max_bytes"], len(query.encode("utf-8", "surrogatepass")))
    entry["with_notices"] += bool(notices)
    entry["default_state"] += state.is_default()


@pytest.fixture(scope="module", autouse=True)
def _report_figures():
    yield
    write_figures("url_state", STATS)


def assert_valid_round_trip(query, check: str) -> FilterState:
    """parse never raises; the result is a well-typed state; its query is a fixed point."""
    t0 = time.perf_counter()
    state, notices = parse_query(query)
    _record(check, str(query), state, notices)
    assert isinstance(state, FilterState)
    assert isinstance(notices, list) and all(isinstance(n, str) for n in notices)
    assert all("<" not in n and ">" not in n for n in notices), "notices echo markup"
    assert state.role in ROLES and state.income in CLASSIFICATIONS
    assert state.align in ALIGN_MODES and state.stack in STACKS
    if state.year is not None:
        a, b = state.year
        assert 1900 <= a <= b <= 2100
    for name in ("country", "format", "motivation", "origin_income", "setting_income", "region",
                 "basis", "language", "type", "flow", "direction", "partner", "kind"):  # fmt: skip
        value = getattr(state, name)
        assert isinstance(value, tuple) and len(value) == len(set(value))
    assert set(state.country) <= set(ISO3) and set(state.region) <= set(REGIONS)
    assert set(state.origin_income) | set(state.setting_income) <= set(INCOME_GROUPS)
    assert set(state.format) | set(state.motivation) <= set(CODES) | set(GROUPS)
    assert set(state.kind) <= set(MOBILITY_KINDS) and set(state.basis) <= set(BASES)
    assert set(state.language) <= set(LANGUAGES)
    groups = {f"{a}>{b}" for a in INCOME_GROUPS for b in INCOME_GROUPS}
    assert set(state.direction) <= groups | set(DIRECTIONS)
    countries = [p.split(">") for p in (*state.flow, *set(state.partner) - set(DIRECTIONS))]
    assert all(len(p) == 2 and set(p) <= set(ISO3) for p in countries)
    canonical = to_query(state)
    again, notices_again = parse_query(canonical)
    assert again == state, (query, canonical)
    assert notices_again == []
    assert to_query(again) == canonical
    STATS[check]["seconds"] = STATS[check].get("seconds", 0.0) + time.perf_counter() - t0
    return state


VALID = {
    "year": [f"{a}-{b}" for a, b in ((1990, 2000), (2010, 2020), (2021, 2021))] + ["2005"],
    "country": ISO3,
    "role": list(ROLES),
    "format": CODES + GROUPS + ["Outbound mobility", "MOBILITY.INBOUND"],
    "motivation": CODES + GROUPS,
    "origin_income": [*INCOME_GROUPS, "hic", "lmic", "north", "south", "h", "l"],
    "setting_income": list(INCOME_GROUPS),
    "region": [*REGIONS, "africa", "ASIA"],
    "basis": list(BASES),
    "language": [*LANGUAGES, "English", "german", "Farsi"],
    "type": sorted(CB.article_types),
    "flow": ["USA>KEN", "gbr>uga", "DEU>IND", "USA-KEN", "usa%3Eken"],
    "direction": ["H>L", "h-lm", "UM>H", "N>S", "s-s", "unclassified"],
    "partner": ["IRL>BOL", "irl-bol", "N>S", "N-N", "unclassified"],
    "kind": ["outbound", "clinical", *MOBILITY_KINDS],
    "income": list(CLASSIFICATIONS),
    "align": list(ALIGN_MODES),
    "stack": list(STACKS),
}


def _seeded_query(rng: random.Random) -> str:
    def value(key: str) -> str:
        kind = rng.randrange(10)
        if kind >= 6 and key in VALID:  # mostly valid values for the key, some junk mixed in
            items = [rng.choice(VALID[key]) for _ in range(rng.randrange(1, 6))]
            if rng.random() < 0.3:
                items.insert(rng.randrange(len(items) + 1), rng.choice(VALUES))
            return ",".join(items)
        if kind == 0:
            return "".join(rng.choice(string.printable) for _ in range(rng.randrange(40)))
        if kind == 1:  # any code points, lone surrogates included
            return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(12)))
        if kind == 2:
            return rng.choice(VALUES)
        if kind == 3:  # a list mixing good and bad items
            pool = CODES + GROUPS + ISO3[:40] + VALUES[:30]
            return ",".join(rng.choice(pool) for _ in range(rng.randrange(1, 12)))
        if kind == 4:  # very long list
            return ",".join(rng.choice(ISO3) for _ in range(rng.randrange(200, 1200)))
        return "".join(
            rng.choice("%0123456789abcdefABCDEFzZ+&=;,") for _ in range(rng.randrange(30))
        )

    parts = []
    for _ in range(rng.randrange(8)):
        key = rng.choice(KEYS + JUNK_KEYS)
        text = value(key)
        encode = rng.randrange(3)
        if encode == 0:
            text = quote(text, safe="", errors="surrogatepass")
        elif encode == 1:
            text = quote(text, safe=",>-", errors="surrogatepass")
        parts.append(f"{key}={text}" if rng.random() > 0.1 else key)
    return rng.choice(["", "?", "??"]) + rng.choice(["&", ";", "&&", "&amp;"]).join(parts)


def test_ten_thousand_seeded_queries_give_valid_round_tripping_states():
    rng = random.Random(1729)
    for _ in range(N_QUERIES):
        assert_valid_round_trip(_seeded_query(rng), "seeded_10k")


@settings(FUZZ, max_examples=1_500 * SCALE)
@given(st.text(max_size=300))
def test_any_text_is_a_valid_query(text):
    assert_valid_round_trip(text, "any_text")


@settings(FUZZ, max_examples=500 * SCALE)
@given(st.lists(st.tuples(st.sampled_from(KEYS + JUNK_KEYS), st.text(max_size=40)), max_size=8))
def test_any_key_value_pairs_percent_encoded_are_a_valid_query(pairs):
    query = "&".join(f"{quote(k)}={quote(v, errors='surrogatepass')}" for k, v in pairs)
    assert_valid_round_trip(query, "key_value_pairs")


def _unique(values, max_size=6):
    return st.lists(st.sampled_from(values), unique=True, max_size=max_size).map(tuple)


@st.composite
def states(draw):
    """Arbitrary valid states (every field at a legal value)."""
    years = draw(st.none() | st.tuples(st.integers(1900, 2100), st.integers(1900, 2100)))
    flows = draw(st.lists(st.tuples(st.sampled_from(ISO3), st.sampled_from(ISO3)), unique=True,
                          max_size=4))  # fmt: skip
    return FilterState(
        year=tuple(sorted(years)) if years else None,
        country=draw(_unique(ISO3)),
        role=draw(st.sampled_from(ROLES)),
        format=draw(_unique([c for c in CODES if CB.codes[c].dimension == "format"])),
        motivation=draw(_unique([c for c in CODES if CB.codes[c].dimension == "motivation"])),
        origin_income=draw(_unique(INCOME_GROUPS)),
        setting_income=draw(_unique(INCOME_GROUPS)),
        region=draw(_unique(REGIONS)),
        basis=draw(_unique(BASES)),
        language=draw(_unique(sorted(LANGUAGES))),
        type=draw(_unique(sorted(CB.article_types))),
        flow=tuple(f"{a}>{b}" for a, b in flows),
        direction=draw(
            _unique([f"{a}>{b}" for a in INCOME_GROUPS for b in INCOME_GROUPS] + list(DIRECTIONS))
        ),
        partner=tuple(f"{b}>{a}" for a, b in flows) + draw(_unique(DIRECTIONS)),
        kind=draw(_unique(MOBILITY_KINDS)),
        income=draw(st.sampled_from(CLASSIFICATIONS)),
        align=draw(st.sampled_from(ALIGN_MODES)),
        stack=draw(st.sampled_from(STACKS)),
    )


@settings(FUZZ, max_examples=400 * SCALE)
@given(states())
def test_every_valid_state_survives_its_url(state):
    query = to_query(state)
    parsed, notices = parse_query(query)
    assert (parsed, notices) == (state, [])
    assert_valid_round_trip(query, "valid_states")


def test_limits_long_queries_and_lists_with_a_notice():
    state, notices = parse_query("country=" + ",".join(["USA", "KEN"] * 2000))
    assert state.country == ("USA", "KEN") and notices
    state, notices = parse_query("x=" + "a" * (MAX_QUERY + 10))
    assert state.is_default() and any("longer than" in n for n in notices)
    long_list = ",".join(ISO3[: MAX_LIST + 50])
    assert len(parse_query(f"country={long_list}")[0].country) <= MAX_LIST


@pytest.mark.parametrize("junk", [5, 1.5, ["year=2001"], {"year": "2001"}, True, b"year=2001"])
def test_regression_non_string_search_is_the_default_view(junk):
    """A callback request can carry any JSON as the URL's ``search``; parse_query did
    ``(query or "").lstrip`` and raised AttributeError (HTTP 500) on lists, numbers, objects."""
    assert parse_query(junk) == (FilterState(), [])
