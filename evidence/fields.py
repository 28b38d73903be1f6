"""Every filter and switch of the dashboard, each declared once.

A :class:`Field` holds everything about one setting: its URL key (also its
``FilterState`` field), its labels, how its URL text is read and written, how it
restricts the articles (its mask; switches have none), how a value reads in a chip or a
caption, and the control that shows it. The state and its URL codec
(:mod:`evidence.state`), the filtering pipeline (:mod:`evidence.filters`), the chips and
captions, and the dashboard's filter panel and view switches are all generated from
:data:`FIELDS`: adding a filter is one declaration here.

No Dash here: a control is described as data and drawn by ``components.controls``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from evidence import timeline
from evidence.codebook import CODEBOOK_PATH, load_codebook
from evidence.countries import (
    CONTINENTS,
    REGION_GROUPS,
    WB_REGIONS,
    country_name,
    economies,
    region_label,
    region_members,
    resolve_region,
)
from evidence.languages import language_name, resolve_language
from evidence.model import DIRECTIONS, INCOME_GROUPS
from evidence.per_scheme import SchemeMapping, SchemeTuple

if TYPE_CHECKING:  # only for annotations: the mask helper lives in evidence.filters
    import numpy as np

    from evidence.filters import Masker
    from evidence.model import EvidenceBase

# The map's colouring roles, each a role of the article_countries table.
ROLES = ("origin", "author", "setting")
# What the Countries and Regions filters match: "any" (the default) = any author, any
# setting, either end of a flow or any member of a partnership; or one of ROLES.
ANY_ROLE = "any"
FILTER_ROLES = (ANY_ROLE, *ROLES)
FILTER_ROLE_KEY = "country_role"  # the field that holds it (its button beside the chips)
TIMELINE_MODES, TIMELINE_DEFAULT, TIMELINE_WORDS = (
    timeline.MODES,
    timeline.DEFAULT_MODE,
    timeline.WORDS,
)
CLASSIFICATIONS = ("year", "latest")
ALIGN_MODES = ("counts", "row_share", "by_income")
STACKS = ("format", "motivation")
# What an evidence gap map can cross (evidence.aggregate.gapmap.dimensions) and show.
GAP_DIMENSIONS = ("format", "format_code", "motivation", "motivation_code", "origin_income",
                  "region", "type", "period", "language", "basis")  # fmt: skip
GAP_VALUES = ("counts", "row_share", "column_share")
BASES = ("explicit", "assigned")
TOP_ARCS = 30  # arcs an arc map draws by default: the largest pairs a reader can follow
ARC_MODES = ("top", "all")
ARC_WORDS = {"top": f"{TOP_ARCS} largest", "all": "All pairs"}
LEVELS = ("country", "region")
LEVEL_WORDS = {"country": "Countries", "region": "World Bank regions"}
NET_MODES = ("both", "net")
NET_WORDS = {"both": "Both directions", "net": "Net flows"}
# URL values of the regions: continents ("africa"), then World Bank regions
# ("sub-saharan-africa"); names, codes and old values ("Africa") are read too.
REGIONS = (*CONTINENTS, *WB_REGIONS)
# The codebook in use names everything below: its dimensions' labels (the "format" and
# "motivation" roles), and the group whose codes are the flow map's kinds of movement
# (none: the kind switch has no options). Chosen before import (IOME_CODEBOOK).
_CB = load_codebook()
_FMT, _MOT = _CB.dim("format"), _CB.dim("motivation")
_KIND_GROUP = _CB.flow_group("mobility")
MOBILITY_KINDS = _CB.flow_codes("mobility")
MAX_LIST = 300
_SIDE_ALIASES = {
    "hic": ("H",),
    "north": ("H",),
    "lmic": ("UM", "LM", "L"),  # low AND middle income, never lower-middle alone
    "umc": ("UM",),
    "lmc": ("LM",),
    "lic": ("L",),
    "south": ("UM", "LM", "L"),
}

Parsed = tuple[Any, list[str]]  # (value or None, the items that were not understood)


# --------------------------------------------------------------------------- controls
@dataclass(frozen=True)
class Option:
    """One choice of a control; a heading groups the options after it and is not a choice;
    a ``group`` choice is a heading that can be chosen (every code of the group)."""

    value: str
    label: str
    heading: bool = False
    group: bool = False


@dataclass(frozen=True)
class Control:
    """How a field is shown: a description the dashboard draws (no Dash here).

    ``widget``: "years" (a range slider), "dropdown" (searchable, many values), "select"
    (searchable, one value, clearable unless ``clearable`` is False),
    "checklist", "radio" (one value) or "switch" (a compact inline radio; "inline" for an
    inline checklist). ``where`` is "panel" (the filter panel, in declaration order) or
    the name of the view whose card header shows it. A ``hint`` may hold one markdown
    link, ``[text](#anchor)``.
    """

    widget: str
    label: str
    options: Callable[[EvidenceBase], list[Option]] | None = None
    where: str = "panel"
    placeholder: str = ""
    hint: str = ""
    max_height: int | None = None
    show_label: bool = False  # a card switch's label shown, not only read out
    group: str = ""  # the filter panel's group (PANEL_GROUPS) of a panel control
    clearable: bool = True  # a "select" that can be emptied (back to the default)


# --------------------------------------------------------------------------- parsers
def clip(text: str, n: int = 40) -> str:
    """A value from a URL made safe to quote back in a notice."""
    text = re.sub(r"[^\w.,+\- ]", "?", text)
    return text if len(text) <= n else text[:n] + "…"


def _items(raw: str) -> list[str]:
    return [x.strip() for x in raw.split(",") if x.strip()][:MAX_LIST]


def choice(options: tuple[str, ...]) -> Callable[[str], Parsed]:
    def parse(raw: str) -> Parsed:
        value = raw.strip().lower()
        for option in options:
            if option.lower() == value:
                return option, []
        return None, [raw]

    return parse


def many(normalise: Callable[[str], Any]) -> Callable[[str], Parsed]:
    """A comma-separated list; each item normalised (a value, a tuple of them, or None)."""

    def parse(raw: str) -> Parsed:
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


def _year(raw: str) -> Parsed:
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-:–]\s*(\d{4}))?\s*", raw)
    if not m:
        return None, [raw]
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if not (1900 <= a <= 2100 and 1900 <= b <= 2100):
        return None, [raw]
    return (min(a, b), max(a, b)), []


def year_text(year: tuple[int, int]) -> str:
    """'2012' for one year, '2010-2014' for a range."""
    return str(year[0]) if year[0] == year[1] else f"{year[0]}-{year[1]}"


def _code(dimension: str) -> Callable[[str], str | None]:
    """A code, a code label, or a whole group name (which selects every code of the group)."""

    def norm(item: str) -> str | None:
        cb = load_codebook()
        key = item.strip().lower()
        if key in cb.groups and cb.groups[key].dimension == dimension:
            return key
        return cb.resolve(dimension, item)

    return norm


def _iso3(item: str) -> str | None:
    code = item.strip().upper()
    return code if re.fullmatch(r"[A-Z]{3}", code) and code in economies().index else None


def _income(item: str):
    code = item.strip().upper()
    if code in INCOME_GROUPS:
        return code
    return _SIDE_ALIASES.get(item.strip().lower())


def _type(item: str) -> str | None:
    key = item.strip().lower()
    return key if key in load_codebook().article_types else None


def _basis(item: str) -> str | None:
    key = item.strip().lower()
    return key if key in BASES else None


# "A>B" pairs. Browsers percent-encode ">" in a query ("%3E"), so the URL writes them
# "A-B" (flow=USA-KEN, direction=H-L, partner=N-S); both forms are read.
_PAIR_SEP = re.compile(r"\s*(?:>|-|→)\s*")


def _pair(item: str) -> tuple[str, str] | None:
    parts = _PAIR_SEP.split(item.strip().upper())
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


def _country_pair(item: str) -> str | None:
    pair = _pair(item)
    if not pair or not all(re.fullmatch(r"[A-Z]{3}", p) for p in pair):
        return None
    a, b = _iso3(pair[0]), _iso3(pair[1])
    return f"{a}>{b}" if a and b else None


def _direction_class(item: str) -> str | None:
    pair = _pair(item)
    key = f"{pair[0]}>{pair[1]}" if pair else item.strip().upper()
    return next((d for d in DIRECTIONS if d.upper() == key), None)


def _direction(item: str) -> str | None:
    """An income-group pair "H>L" (origin group > destination group) or a class "N>S"."""
    pair = _pair(item)
    if pair and all(p in INCOME_GROUPS for p in pair):
        return f"{pair[0]}>{pair[1]}"
    return _direction_class(item)


def _partner(item: str) -> str | None:
    """A lead > partner country pair "IRL>BOL", or a direction class "N>S"."""
    return _country_pair(item) or _direction_class(item)


def _region_pair(item: str) -> str | None:
    """Two World Bank regions "north-america~sub-saharan-africa" (also with ">")."""
    parts = re.split(r"\s*[~>→]\s*", item.strip())
    if len(parts) != 2:
        return None
    a, b = (resolve_region(p) for p in parts)
    return f"{a}>{b}" if a in WB_REGIONS and b in WB_REGIONS else None


def _join_region_pairs(value) -> str:
    return ",".join(v.replace(">", "~") for v in value)


def _region_pair_label(value: str) -> str:
    a, b = value.split(">")
    return f"{region_label(a)} → {region_label(b)}"


def _kind(item: str) -> str | None:
    cb = load_codebook()
    group = cb.flow_group("mobility")
    if group is None:
        return None
    code = cb.resolve("format", item if "." in item else f"{group}.{item}")
    return code if code in cb.flow_codes("mobility") else None


MAX_SEARCH = 100  # characters of a list search kept


DATASET_KEY = "dataset"  # the URL key naming an upload (``?dataset=<key>``)
_UPLOAD_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _upload_key(raw: str) -> Parsed:
    """An upload's URL key (random, URL-safe): kept as written, or dropped."""
    raw = raw.strip()
    return (raw, []) if _UPLOAD_KEY.fullmatch(raw) else (None, [raw] if raw else [])


def _search_text(raw: str) -> Parsed:
    """The article list's search words: letters, digits and a little punctuation, spaces
    collapsed, at most MAX_SEARCH characters ("" for none)."""
    text = " ".join(re.sub(r"[^\w\s.,'’&+-]", " ", raw).split())[:MAX_SEARCH].strip()
    return (text or None), []


def _one_country(raw: str) -> Parsed:
    code = _iso3(raw)
    return (code, []) if code else (None, [raw])


def _join_pairs(value) -> str:
    return ",".join(v.replace(">", "-") for v in value)


# --------------------------------------------------------------------------- labels
def _code_label(value: str) -> str:
    return load_codebook().label(value)


def _income_label(value: str) -> str:
    return load_codebook().income_groups.get(value, {}).get("short", value)


def _type_label(value: str) -> str:
    return load_codebook().article_types.get(value, value)


def _direction_label(value: str) -> str:
    cb = load_codebook()
    if value in cb.directions:
        return cb.directions[value]["label"]  # a direction class, "HIC → LMIC"
    a, b = value.split(">")
    return " → ".join(cb.income_groups.get(g, {}).get("label", g) for g in (a, b))


def _pair_label(value: str) -> str:
    cb = load_codebook()
    if value in cb.directions:
        return cb.directions[value]["label"]
    a, b = value.split(">")
    return f"{country_name(a)} → {country_name(b)}"


# --------------------------------------------------------------------------- masks
# Each mask gets the evidence's Masker (evidence.filters), the field's value and the
# whole state, and returns a boolean array over the articles.
def _mask_year(m: Masker, value, state) -> np.ndarray:
    return m.years(*value)


def _mask_country(m: Masker, value, state) -> np.ndarray:
    return m.involving(value, role=state.country_role)


def _mask_region(m: Masker, value, state) -> np.ndarray:
    members = {c for region in value for c in region_members(region)}
    return m.involving(members, role=state.country_role)


def _mask_origin_income(m: Masker, value, state) -> np.ndarray:
    return m.articles("origin_income" + m.suffix(state), value)


def _mask_setting_income(m: Masker, value, state) -> np.ndarray:
    return m.countries("income" + m.suffix(state), value, role="setting")


def _mask_codes(m: Masker, value, state) -> np.ndarray:
    return m.codes(value)


def _mask_column(column: str):
    def mask(m: Masker, value, state) -> np.ndarray:
        return m.articles(column, value)

    return mask


def _mask_focus(m: Masker, value, state) -> np.ndarray:
    return m.arc_ends((value,))


def _mask_search(m: Masker, value, state) -> np.ndarray:
    return m.search(value, classification=state.income)


def _mask_flow(m: Masker, value, state) -> np.ndarray:
    return m.flow_pairs(value)


def _mask_direction(m: Masker, value, state) -> np.ndarray:
    sfx = m.suffix(state)
    return m.pairs("flows", (f"origin_income{sfx}", f"destination_income{sfx}"),
                   f"direction{sfx}", value)  # fmt: skip


def _mask_region_flow(m: Masker, value, state) -> np.ndarray:
    pairs = [tuple(region_members(r) for r in v.split(">")) for v in value]
    return m.member_pairs("flows", ("origin", "destination"), pairs)


def _mask_partner(m: Masker, value, state) -> np.ndarray:
    return m.pairs("partnerships", ("lead", "partner"), f"direction{m.suffix(state)}", value)


# --------------------------------------------------------------------------- options
def _country_list(codes) -> list[Option]:
    """Countries by name, "Kenya (KEN)"."""
    return [Option(c, f"{country_name(c)} ({c})") for c in sorted(codes, key=country_name)]


def _country_options(eb) -> list[Option]:
    # Every economy is an option, so a deep link to a country without articles is kept.
    return _country_list(economies().index)


def _region_options(eb) -> list[Option]:
    """Continents, then World Bank regions, each under a heading."""
    options = []
    for heading, regions in REGION_GROUPS.items():
        options.append(Option(f"heading:{heading}", heading, heading=True))
        options += [Option(value, name) for value, name in regions.items()]
    return options


def _income_options(eb) -> list[Option]:
    groups = load_codebook().income_groups
    return [Option(g, groups[g]["label"]) for g in INCOME_GROUPS]


def _code_options(dimension: str):
    def options(eb) -> list[Option]:
        cb = load_codebook()
        out = []
        for group in cb.groups_of(dimension):
            g = cb.groups[group]
            out.append(Option(group, f"{g.label} (any)", group=True))
            out += [Option(c, f"   {cb.codes[c].label}") for c in g.codes
                    if not c.endswith(".unspecified")]  # fmt: skip
        return out

    return options


def _basis_options(eb) -> list[Option]:
    who = {"explicit": "by the article", "assigned": "by the review team"}
    return [Option(b, f"{b.capitalize()} {who[b]}") for b in BASES]


def _language_options(eb) -> list[Option]:
    return [Option(c, language_name(c)) for c in sorted(set(eb.articles["language"]))]


def _type_options(eb) -> list[Option]:
    types = load_codebook().article_types
    present = set(eb.articles["article_type"])
    return [Option(t, label) for t, label in types.items() if t in present]


def _role_options(eb) -> list[Option]:
    roles = load_codebook().roles
    return [Option(r, roles[r]["short"]) for r in ROLES]


def _filter_role_options(eb) -> list[Option]:
    return [Option(r, filter_role_short(r)) for r in FILTER_ROLES]


def _kind_options(eb) -> list[Option]:
    cb = load_codebook()
    return [Option(k, cb.kind_label(k)) for k in cb.flow_codes("mobility")
            if not k.endswith("unspecified")]  # fmt: skip


def _arc_countries(eb) -> list[Option]:
    """Countries at an end of a flow or a partnership in the data, by name."""
    codes = set(eb.flows["origin"].dropna()) | set(eb.flows["destination"].dropna())
    codes |= set(eb.partnerships["lead"].dropna()) | set(eb.partnerships["partner"].dropna())
    return _country_list(codes & set(economies().index))


def _gap_options(eb) -> list[Option]:
    """The dimensions a gap map can cross (evidence.aggregate.gapmap)."""
    from evidence.aggregate.gapmap import dimensions

    return [Option(d.key, d.label) for d in dimensions().values()]


def _gap_label(value: str) -> str:
    from evidence.aggregate.gapmap import dimensions

    found = dimensions().get(value)
    return found.label if found else value


def _fixed(*pairs: tuple[str, str]):
    return lambda eb: [Option(v, label) for v, label in pairs]


# --------------------------------------------------------------------------- fields
@dataclass(frozen=True)
class Field:
    """One filter or switch: URL key, labels, codec, mask, words and control.

    ``label`` prefixes its chips ("Format: Outbound mobility"); ``caption`` prefixes its
    words in a chart's subtitle ("motivation: Market", "" for none) and ``caption_rank``
    orders them there. ``role_matched`` fields match the country role on screen, which
    their chips and captions name. A field without ``mask`` is a switch: it changes how
    views are drawn, not which articles count.
    """

    key: str
    label: str
    parse: Callable[[str], Parsed]
    default: Any = ()
    write: Callable[[Any], str] | None = None  # default: comma-separated, or str()
    mask: Callable[[Masker, Any, Any], np.ndarray] | None = None
    value_label: Callable[[str], str] = str
    caption: str | None = None
    caption_rank: int = 99
    joiner: str = ", "
    role_matched: bool = False
    control: Control | None = None
    chip: bool | None = None  # a removable chip when set (default: filters have one)

    @property
    def is_filter(self) -> bool:
        return self.mask is not None

    @property
    def has_chip(self) -> bool:
        return self.is_filter if self.chip is None else self.chip

    @property
    def listed(self) -> bool:
        """True when the value is a list of items (one chip each), not one value (a year
        range, a choice)."""
        return isinstance(self.default, tuple)

    def text(self, value) -> str:
        """The value as the URL writes it (no escaping). Any item is written as text, so
        a junk value (a number from a hostile click, say) reaches the URL parser, which
        drops it, instead of failing here."""
        if self.write is not None:
            return self.write(value)
        return ",".join(str(v) for v in value) if self.listed else str(value)

    def words(self, value) -> str:
        """The value in words: "Outbound mobility or Inbound mobility", "2010-2014"."""
        if not self.listed:
            return self.value_label(value)
        return self.joiner.join(self.value_label(v) for v in value)


# The filter panel's collapsible groups, most used first: (key, title, open at first).
PANEL_GROUPS: tuple[tuple[str, str, bool], ...] = (
    ("place", "Years and places", True),
    ("coding", f"{_FMT.plural} and {_MOT.nouns}", True),
    ("income", "Income groups", False),
    ("more", "Basis, language and type", False),
)


def _filter_role_hint(cb) -> str:
    """The country-role switch's hint: what "any role" covers under the scheme ``cb``."""
    flows_too = cb.flow_group("mobility") is not None or cb.flow_group("partnership") is not None
    if cb.roles == load_codebook(CODEBOOK_PATH).roles:  # the IoME roles' words
        any_words = ("an author, a setting, a flow or a partnership" if flows_too
                     else "an author or a setting")  # fmt: skip
        return (f"Any role: the country is {any_words} of the article. Setting: where the "
                "activity took place. The map's colours have their own switch, [Map colours "
                "countries by](#card-map).")  # fmt: skip
    # A scheme with its own role words (roles: in its codebook) is told in them.
    shorts = [str(spec.get("short", role)).lower() for role, spec in cb.roles.items()]
    shorts += ["a flow", "a partnership"] if flows_too else []
    return (
        f"Any role: the country is one of the article's countries ({', '.join(shorts)}). "
        "The map's colours have their own switch, [Map colours countries by](#card-map)."
    )


def _kind_word(cb) -> str:
    """The name of the flow map's kinds: "<mobility group> kind", or "Kind"."""
    group = cb.flow_group("mobility")
    return f"{cb.groups[group].short} kind" if group else "Kind"


_FILTER_ROLE_HINT = _filter_role_hint(_CB)
_KIND_WORD = _kind_word(_CB)
_FOCUS_LABEL = "Flows and partnerships of"  # the focus's chip: "... of: Kenya"

# Declaration order is the URL's order and the filter panel's order.
FIELDS: tuple[Field, ...] = (
    Field("year", "Years", _year, default=None, write=year_text, mask=_mask_year,
          value_label=year_text, caption="", caption_rank=2,
          control=Control("years", "Publication years", group="place")),
    Field("country", "Country", many(_iso3), mask=_mask_country, value_label=country_name,
          caption="country", caption_rank=4, role_matched=True,
          control=Control("dropdown", "Countries", _country_options,
                          placeholder="Search by name…", group="place")),
    Field("region", "Region", many(resolve_region), mask=_mask_region,
          value_label=region_label, caption="region", caption_rank=5, role_matched=True,
          control=Control("dropdown", "Regions", _region_options, placeholder="Any region",
                          max_height=440, group="place")),
    # Which role a country of the Countries and Regions filters plays: any (the default)
    # or one; the map's colouring role (below) is its own switch.
    Field("country_role", "Countries match", choice(FILTER_ROLES), default=ANY_ROLE,
          value_label=lambda v: filter_role_word(v),
          control=Control("switch", "Countries and regions match", _filter_role_options,
                          hint=_FILTER_ROLE_HINT, group="place", show_label=False)),
    Field("role", "Map colours by", choice(ROLES), default="origin",
          control=Control("switch", "Map colours countries by", _role_options, where="map")),
    Field("origin_income", "Origin income", many(_income), mask=_mask_origin_income,
          value_label=_income_label, caption="origin income", caption_rank=6,
          control=Control("checklist", "Origin income group", _income_options,
                          hint="Income group of the first author's country.",
                          group="income")),
    Field("setting_income", "Setting income", many(_income), mask=_mask_setting_income,
          value_label=_income_label, caption="setting income", caption_rank=7,
          control=Control("checklist", "Setting income group", _income_options,
                          hint="Income group of a country where the activity took place.",
                          group="income")),
    Field("income", "Income classification", choice(CLASSIFICATIONS), default="year",
          control=Control("radio", "Income classification",
                          _fixed(("year", "At publication year"), ("latest", "Latest (FY2026)")),
                          hint="World Bank groups in force when each article appeared, "
                               "or today's.", group="income")),
    Field("format", _FMT.label, many(_code("format")), mask=_mask_codes,
          value_label=_code_label, caption="", caption_rank=0, joiner=" or ",
          control=Control("dropdown", _FMT.plural, _code_options("format"),
                          placeholder=f"Any {_FMT.noun}", max_height=440, group="coding")),
    Field("motivation", _MOT.label, many(_code("motivation")), mask=_mask_codes,
          value_label=_code_label, caption=_MOT.noun, caption_rank=1, joiner=" or ",
          control=Control("dropdown", _MOT.plural, _code_options("motivation"),
                          placeholder=f"Any {_MOT.noun}", max_height=440, group="coding")),
    Field("basis", "Basis", many(_basis), mask=_mask_column("motivation_basis"),
          value_label=str.capitalize, caption="basis", caption_rank=8,
          control=Control("checklist", f"{_MOT.label} basis", _basis_options, group="more")),
    Field("language", "Language", many(resolve_language), mask=_mask_column("language"),
          value_label=language_name, caption="language", caption_rank=9,
          control=Control("dropdown", "Language", _language_options, placeholder="Any",
                          group="more")),
    Field("type", "Type", many(_type), mask=_mask_column("article_type"),
          value_label=_type_label, caption="type", caption_rank=10,
          control=Control("dropdown", "Article type", _type_options, placeholder="Any",
                          group="more")),
    Field("kind", _KIND_WORD, many(_kind), mask=_mask_codes, value_label=_code_label,
          caption=_KIND_WORD.lower(), caption_rank=3, joiner=" or ",
          control=Control("inline", f"{_KIND_WORD} (filters every view)", _kind_options,
                          where="flows")),
    # The article list's search box (drawn with the list, components/views.py): every
    # word in a title, journal, author, origin, code label, DOI or year.
    Field("q", "Search", _search_text, default="", write=str, mask=_mask_search,
          value_label=lambda v: f"“{v}”", caption="search", caption_rank=14),
    # Marks only (no control): a pair of countries on the flow map, an income-group pair
    # or direction class from the matrix beside it, a lead > partner pair or class.
    Field("flow", "Flow", many(_country_pair), write=_join_pairs, mask=_mask_flow,
          value_label=_pair_label, caption="flow", caption_rank=11),
    Field("region_flow", "Region flow", many(_region_pair), write=_join_region_pairs,
          mask=_mask_region_flow, value_label=_region_pair_label, caption="region flow",
          caption_rank=11),
    Field("direction", "Flow direction", many(_direction), write=_join_pairs,
          mask=_mask_direction, value_label=_direction_label, caption="flow direction",
          caption_rank=12),
    Field("partner", "Partnership", many(_partner), write=_join_pairs, mask=_mask_partner,
          value_label=_pair_label, caption="partnership", caption_rank=13),
    # The arc maps' focus: one country's flows in and out and its partnerships, drawn
    # and ranked on both maps; a filter too (its chip), so the count, the list and every
    # download hold the articles behind what the maps and their sentences show.
    Field("focus", _FOCUS_LABEL, _one_country, default="", mask=_mask_focus,
          value_label=country_name, caption=_FOCUS_LABEL.lower(), caption_rank=15,
          control=Control("select", "Focus a country", _arc_countries, where="flows",
                          placeholder="Focus a country…")),
    Field("arcs", "Flows drawn", choice(ARC_MODES), default="top",
          value_label=lambda v: ARC_WORDS[v], caption="",
          control=Control("switch", "Pairs drawn", _fixed(*ARC_WORDS.items()), where="flows",
                          show_label=True)),
    Field("net", "Arcs", choice(NET_MODES), default="both", value_label=lambda v: NET_WORDS[v],
          caption="", control=Control("switch", "Two-way pairs", _fixed(*NET_WORDS.items()),
                                      where="flows", show_label=True)),
    Field("level", "Flow map level", choice(LEVELS), default="country",
          value_label=lambda v: LEVEL_WORDS[v], caption="",
          control=Control("switch", "Level", _fixed(*LEVEL_WORDS.items()), where="flows",
                          show_label=True)),
    Field("partner_arcs", "Pairs drawn", choice(ARC_MODES), default="top",
          value_label=lambda v: ARC_WORDS[v], caption="",
          control=Control("switch", "Pairs drawn", _fixed(*ARC_WORDS.items()),
                          where="partnerships", show_label=True)),
    Field("align", "Matrix values", choice(ALIGN_MODES), default="counts",
          control=Control("switch", "Matrix values",
                          _fixed(("counts", "Counts"), ("row_share", "Row shares"),
                                 ("by_income", "HIC vs LMIC (Global South)")),
                          where="alignment")),
    # The evidence gap map's two dimensions and what its cells show
    # (evidence.aggregate.gapmap): any two, so links, files and the deck reproduce it.
    Field("gap_rows", "Gap map rows", choice(GAP_DIMENSIONS), default="format",
          value_label=_gap_label, caption="rows",
          control=Control("select", "Rows", _gap_options, where="gapmap", show_label=True,
                          clearable=False)),
    Field("gap_cols", "Gap map columns", choice(GAP_DIMENSIONS), default="region",
          value_label=_gap_label, caption="columns",
          control=Control("select", "Columns", _gap_options, where="gapmap",
                          show_label=True, clearable=False)),
    Field("gap_values", "Gap map cells", choice(GAP_VALUES), default="counts",
          control=Control("switch", "Cells show",
                          _fixed(("counts", "Counts"), ("row_share", "Share of the row"),
                                 ("column_share", "Share of the column")),
                          where="gapmap", show_label=True)),
    # The timeline's way of playing (evidence.timeline); its years are the year filter.
    Field("timeline", "Timeline", choice(TIMELINE_MODES), default=TIMELINE_DEFAULT,
          value_label=lambda v: TIMELINE_WORDS[v], caption="",
          control=Control("select", "Timeline shows", _fixed(*TIMELINE_WORDS.items()),
                          where=timeline.PLACE, clearable=False)),
    Field("stack", "Stack by", choice(STACKS), default="format",
          control=Control("switch", "Stack by",
                          _fixed(("format", _FMT.plural), ("motivation", _MOT.plural)),
                          where="trends")),
    # Which dataset the link shows (``dataset=``): an upload's key (components.uploads),
    # none for the site's dataset. Not a filter, never reset: it travels in every link.
    Field(DATASET_KEY, "Dataset", _upload_key, default="", write=str, chip=False),
)  # fmt: skip


def _in_scheme(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """The fields in the words of the codebook in use (its dimensions' names, its kind of
    movement): what an upload read under its own scheme shows (evidence.per_scheme)."""
    cb = load_codebook()
    fmt, mot, kind = cb.dim("format"), cb.dim("motivation"), _kind_word(cb)
    origin = cb.roles["origin"]

    def control(f: Field, **changes) -> Field:
        return replace(f, control=replace(f.control, **changes))

    changed = {
        "format": lambda f: replace(control(f, label=fmt.plural, placeholder=f"Any {fmt.noun}"),
                                    label=fmt.label),
        "motivation": lambda f: replace(control(f, label=mot.plural,
                                                placeholder=f"Any {mot.noun}"),
                                        label=mot.label, caption=mot.noun),
        "basis": lambda f: control(f, label=f"{mot.label} basis"),
        "kind": lambda f: replace(control(f, label=f"{kind} (filters every view)"), label=kind,
                                  caption=kind.lower()),
        "country_role": lambda f: control(f, hint=_filter_role_hint(cb)),
        "origin_income": lambda f: replace(
            control(f, label=f"{origin['short']} income group",
                    hint=f"Income group of the {origin['country']}."),
            label=f"{origin['short']} income", caption=f"{origin['short'].lower()} income"),
        "stack": lambda f: control(f, options=_fixed(("format", fmt.plural),
                                                     ("motivation", mot.plural))),
    }  # fmt: skip
    return tuple(changed[f.key](f) if f.key in changed else f for f in fields)


def _panel_groups(groups: tuple) -> tuple:
    fmt, mot = load_codebook().dim("format"), load_codebook().dim("motivation")
    return tuple((k, f"{fmt.plural} and {mot.nouns}" if k == "coding" else t, o)
                 for k, t, o in groups)  # fmt: skip


FIELDS = SchemeTuple(_in_scheme(FIELDS), _in_scheme)  # type: ignore[assignment]
FIELD: Mapping[str, Field] = SchemeMapping(
    {f.key: f for f in FIELDS}, lambda _: {f.key: f for f in FIELDS}
)
PANEL_GROUPS = SchemeTuple(PANEL_GROUPS, _panel_groups)  # type: ignore[assignment]
FILTER_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.is_filter)
CHIP_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.has_chip)
CONTROLLED: tuple[str, ...] = tuple(f.key for f in FIELDS if f.control is not None)


def controls_in(where: str) -> tuple[Field, ...]:
    """The fields whose control sits in ``where`` ("panel" or a view's name), in order."""
    return tuple(f for f in FIELDS if f.control is not None and f.control.where == where)


def group_counts(state) -> dict[str, str]:
    """Per filter-panel group (PANEL_GROUPS), what its heading says is set: "2 set" (a
    list counts its items, a year range one), or "" when nothing is."""
    counts = dict.fromkeys((key for key, _, _ in PANEL_GROUPS), 0)
    for key, value in state.filter_fields().items():
        spec = FIELD[key].control
        if spec is not None and spec.where == "panel" and spec.group in counts:
            counts[spec.group] += len(value) if FIELD[key].listed else 1
    return {g: (f"{n} set" if n else "") for g, n in counts.items()}


def value_label(key: str, value: str) -> str:
    """Readable label of one value of a field (a code, ISO-3, income group, pair...)."""
    field = FIELD.get(key)
    return field.value_label(value) if field is not None else value


def role_word(role: str) -> str:
    """The role's name as the map's switch says it, in lower case: "origin", "any author",
    "setting" (the role the map colours by)."""
    spec = load_codebook().roles.get(role)
    return spec["short"].lower() if spec else role


def filter_role_short(role: str) -> str:
    """The filter role as its switch says it: "Any role", "Origin", "Any author",
    "Setting"."""
    return "Any role" if role == ANY_ROLE else role_word(role).capitalize()


def filter_role_word(role: str) -> str:
    """The filter role on a chip or in a caption: "any role", "origin", "any author",
    "setting"."""
    return filter_role_short(role).lower()


def filter_role_country(role: str) -> str:
    """The country of a filter role in a sentence: "country (any role)", "first author's
    country", "setting country"."""
    if role == ANY_ROLE:
        return "country (any role)"
    spec = load_codebook().roles.get(role)
    return spec["country"] if spec else f"country ({role})"
