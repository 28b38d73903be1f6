"""FilterState: the whole view state, and its round trip to a readable URL query string.

Only values that differ from the default go into the URL. Lists are comma-separated
(``format=mobility.outbound,mobility.inbound``; ``country=HTI,UGA``). Parsing never
fails: unknown keys and invalid values are dropped and reported as notices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qsl, quote

from evidence.codebook import load_codebook
from evidence.countries import CONTINENTS, WB_REGIONS, resolve_region
from evidence.model import DIRECTIONS, INCOME_GROUPS

ROLES = ("origin", "author", "setting")
CLASSIFICATIONS = ("year", "latest")
ALIGN_MODES = ("counts", "row_share", "by_income")
STACKS = ("format", "motivation")
BASES = ("explicit", "assigned")
# URL values of the regions: continents ("africa"), then World Bank regions
# ("sub-saharan-africa"); names, codes and old values ("Africa") are read too.
REGIONS = (*CONTINENTS, *WB_REGIONS)
MOBILITY_KINDS = (
    "mobility.outbound", "mobility.inbound", "mobility.bilateral", "mobility.degree",
    "mobility.clinical", "mobility.preclinical", "mobility.unspecified",
)  # fmt: skip
MAX_LIST = 300
MAX_QUERY = 8_000
_SIDE_ALIASES = {
    "hic": ("H",),
    "north": ("H",),
    "lmic": ("UM", "LM", "L"),  # low AND middle income, never lower-middle alone
    "umc": ("UM",),
    "lmc": ("LM",),
    "lic": ("L",),
    "south": ("UM", "LM", "L"),
}


@dataclass(frozen=True)
class FilterState:
    """Every filter and view switch of the dashboard. Empty tuple = no restriction."""

    year: tuple[int, int] | None = None
    country: tuple[str, ...] = ()
    role: str = "origin"
    format: tuple[str, ...] = ()
    motivation: tuple[str, ...] = ()
    origin_income: tuple[str, ...] = ()
    setting_income: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    flow: tuple[str, ...] = ()  # "ORIGIN>DESTINATION" pairs selected on the flow map
    # Flows by income group ("H>L": high-income origin, low-income destination; from the
    # matrix beside the flow map) or by direction class ("N>S").
    direction: tuple[str, ...] = ()
    # Partnerships: "LEAD>PARTNER" country pairs (partner map) or direction classes ("N>S").
    partner: tuple[str, ...] = ()
    # Mobility kinds (the flow map's switch): articles coded with one of these mobility
    # formats, and so the flows they describe.
    kind: tuple[str, ...] = ()
    income: str = "year"  # classification: at publication year, or latest
    align: str = "counts"
    stack: str = "format"

    def is_default(self) -> bool:
        """True when nothing is filtered or switched."""
        return self == FilterState()

    def filter_fields(self) -> dict[str, object]:
        """The fields that restrict the set of articles, with their non-default values."""
        names = ("year", "country", "format", "motivation", "origin_income", "setting_income",
                 "region", "basis", "language", "type", "flow", "direction",
                 "partner", "kind")  # fmt: skip
        return {n: getattr(self, n) for n in names if getattr(self, n) != _DEFAULT_VALUES[n]}

    def without(self, key: str, value: str | None = None) -> FilterState:
        """This state with one filter removed (or one value of a list filter)."""
        current = getattr(self, key)
        if value is not None and isinstance(current, tuple) and key != "year":
            return replace(self, **{key: tuple(v for v in current if v != value)})
        return replace(self, **{key: _DEFAULT_VALUES[key]})

    def with_values(self, **changes) -> FilterState:
        """This state with some fields replaced (values normalised like the URL parser)."""
        state, _ = parse_query(to_query(replace(self, **changes)))
        return state


_DEFAULT_VALUES = {f.name: f.default for f in fields(FilterState)}


# Keys whose values are "A>B" pairs. Browsers percent-encode ">" in a query ("%3E"), so the
# URL writes them "A-B" (flow=USA-KEN, direction=H-L, partner=N-S); both forms are read.
PAIR_KEYS = ("flow", "direction", "partner")
_PAIR_SEP = re.compile(r"\s*(?:>|-|→)\s*")


def _year_text(year: tuple[int, int]) -> str:
    return str(year[0]) if year[0] == year[1] else f"{year[0]}-{year[1]}"


def to_query(state: FilterState) -> str:
    """Serialise the non-default fields as a readable query string (no leading '?')."""
    parts = []
    for f in fields(FilterState):
        value = getattr(state, f.name)
        if value == f.default:
            continue
        if f.name == "year":
            text = _year_text(value)
        elif f.name in PAIR_KEYS:
            text = ",".join(v.replace(">", "-") for v in value)
        elif isinstance(value, tuple):
            text = ",".join(value)
        else:
            text = str(value)
        parts.append(f"{f.name}={quote(text, safe=',>-.')}")
    return "&".join(parts)


def parse_query(query: str | None) -> tuple[FilterState, list[str]]:
    """Parse a query string into a FilterState plus notices about what was ignored."""
    notices: list[str] = []
    query = (query if isinstance(query, str) else "").lstrip("?")  # a callback may send any JSON
    if len(query) > MAX_QUERY:
        notices.append(f"the link is longer than {MAX_QUERY} characters; only its start was read")
        query = query[:MAX_QUERY]
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=100)
    except ValueError:
        return FilterState(), ["the link has too many parameters; showing the default view"]
    values: dict[str, object] = {}
    for key, raw in pairs:
        key = key.strip().lower()
        if key not in _PARSERS:
            notices.append(f"unknown setting '{_clip(key)}' ignored")
            continue
        parsed, bad = _PARSERS[key](raw)
        if bad:
            notices.append(f"{key}: ignored {', '.join(repr(_clip(b)) for b in bad[:5])}"
                           + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""))  # fmt: skip
        if parsed is not None:
            values[key] = parsed
    return FilterState(**values), notices


def _clip(text: str, n: int = 40) -> str:
    text = re.sub(r"[^\w.,+\- ]", "?", text)
    return text if len(text) <= n else text[:n] + "…"


def _items(raw: str) -> list[str]:
    return [x.strip() for x in raw.split(",") if x.strip()][:MAX_LIST]


def _choice(options: tuple[str, ...]):
    def parse(raw: str):
        value = raw.strip().lower()
        for option in options:
            if option.lower() == value:
                return option, []
        return None, [raw]

    return parse


def _multi(normalise):
    def parse(raw: str):
        good, bad = [], []
        for item in _items(raw):
            result = normalise(item)
            if not result:
                bad.append(item)
                continue
            for r in result if isinstance(result, tuple) else (result,):
                if r not in good:
                    good.append(r)
        return (tuple(good) if good else None), bad

    return parse


def _year(raw: str):
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-:–]\s*(\d{4}))?\s*", raw)
    if not m:
        return None, [raw]
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if not (1900 <= a <= 2100 and 1900 <= b <= 2100):
        return None, [raw]
    return (min(a, b), max(a, b)), []


def _code(dimension: str):
    """A code, a code label, or a whole group name (which selects every code of the group)."""

    def norm(item: str):
        cb = load_codebook()
        key = item.strip().lower()
        if key in cb.groups and cb.groups[key].dimension == dimension:
            return key
        return cb.resolve(dimension, item)

    return norm


def _iso3(item: str):
    from evidence.countries import economies

    code = item.strip().upper()
    return code if re.fullmatch(r"[A-Z]{3}", code) and code in economies().index else None


def _income(item: str):
    code = item.strip().upper()
    if code in INCOME_GROUPS:
        return code
    return _SIDE_ALIASES.get(item.strip().lower())


def _region(item: str):
    return resolve_region(item)


def _lang(item: str):
    from evidence.languages import resolve_language

    return resolve_language(item)


def _type(item: str):
    types = load_codebook().article_types
    key = item.strip().lower()
    return key if key in types else None


def _pair(item: str) -> tuple[str, str] | None:
    """The two sides of "A>B" (or "A-B", "A→B"), upper case."""
    parts = _PAIR_SEP.split(item.strip().upper())
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


def _flow(item: str):
    pair = _pair(item)
    if not pair or not all(re.fullmatch(r"[A-Z]{3}", p) for p in pair):
        return None
    a, b = _iso3(pair[0]), _iso3(pair[1])
    return f"{a}>{b}" if a and b else None


def _direction_class(item: str):
    pair = _pair(item)
    key = f"{pair[0]}>{pair[1]}" if pair else item.strip().upper()
    for direction in DIRECTIONS:
        if direction.upper() == key:
            return direction
    return None


def _direction(item: str):
    """An income-group pair "H>L" (origin group > destination group) or a class "N>S"."""
    pair = _pair(item)
    if pair and all(p in INCOME_GROUPS for p in pair):
        return f"{pair[0]}>{pair[1]}"
    return _direction_class(item)


def _partner(item: str):
    """A lead > partner country pair "IRL>BOL", or a direction class "N>S"."""
    return _flow(item) or _direction_class(item)


def _kind(item: str):
    code = load_codebook().resolve("format", item if "." in item else f"mobility.{item}")
    return code if code in MOBILITY_KINDS else None


_PARSERS = {
    "year": _year,
    "country": _multi(_iso3),
    "role": _choice(ROLES),
    "format": _multi(_code("format")),
    "motivation": _multi(_code("motivation")),
    "origin_income": _multi(_income),
    "setting_income": _multi(_income),
    "region": _multi(_region),
    "basis": _multi(lambda s: s.strip().lower() if s.strip().lower() in BASES else None),
    "language": _multi(_lang),
    "type": _multi(_type),
    "flow": _multi(_flow),
    "direction": _multi(_direction),
    "partner": _multi(_partner),
    "kind": _multi(_kind),
    "income": _choice(CLASSIFICATIONS),
    "align": _choice(ALIGN_MODES),
    "stack": _choice(STACKS),
}
