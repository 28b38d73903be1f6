"""FilterState: the whole view state, and its round trip to a readable URL query string.

The state's fields, their defaults and their URL codec are generated from the
declarations in :mod:`evidence.fields`. Only values that differ from the default go into
the URL. Lists are comma-separated (``format=mobility.outbound,mobility.inbound``;
``country=HTI,UGA``). Parsing never fails: unknown keys and invalid values are dropped
and reported as notices.

Links written before the filter role existed said the role of the Countries and Regions
filters with ``role`` (the map's role, then the only one): ``country=KEN&role=setting``
kept the articles set in Kenya. Such a link still does: when a link names a country or a
region and ``role`` but no ``country_role``, the filter role is taken from ``role``. A
link without either role now matches a country in any role (author, setting, flow end or
partner). So that a new link is never read the old way, a link with ``role`` and a
country or region always writes its ``country_role``, even the default ``any``.
"""

from __future__ import annotations

from dataclasses import field, fields, make_dataclass, replace
from functools import lru_cache
from urllib.parse import parse_qsl, quote

from evidence.codebook import load_codebook
from evidence.fields import (  # noqa: F401  (names other modules import from here)
    ALIGN_MODES,
    BASES,
    CHIP_KEYS,
    CLASSIFICATIONS,
    FIELD,
    FIELDS,
    FILTER_KEYS,
    MAX_LIST,
    MOBILITY_KINDS,
    REGIONS,
    ROLES,
    STACKS,
    clip,
)

MAX_QUERY = 8_000


def _is_default(self) -> bool:
    """True when nothing is filtered or switched (whichever dataset the link names)."""
    return self == type(self)(dataset=self.dataset)


# The filters' and chips' defaults (the same in every scheme), read once.
_FILTER_DEFAULTS = tuple((k, FIELD[k].default) for k in FILTER_KEYS)
_CHIP_DEFAULTS = tuple((k, FIELD[k].default) for k in CHIP_KEYS)


def _filter_fields(self) -> dict[str, object]:
    """The fields that restrict the set of articles, with their non-default values."""
    values = self.__dict__
    return {k: values[k] for k, default in _FILTER_DEFAULTS if values[k] != default}


def _chip_fields(self) -> dict[str, object]:
    """The fields shown as removable chips (the filters, and the arc maps' focus), with
    their non-default values."""
    values = self.__dict__
    return {k: values[k] for k, default in _CHIP_DEFAULTS if values[k] != default}


def _without(self, key: str, value: str | None = None):
    """This state with one filter removed (or one value of a list filter)."""
    current = getattr(self, key)
    if value is not None and FIELD[key].listed:
        return replace(self, **{key: tuple(v for v in current if v != value)})
    return replace(self, **{key: FIELD[key].default})


def _with_values(self, **changes):
    """This state with some fields replaced (values normalised like the URL parser): the
    state :func:`parse_query` reads from :func:`to_query` of it, each field's part of the
    query written and read back once per value (a click's chart marks each ask for the
    state their press would make)."""
    new = FilterState(**{**self.__dict__, **changes})  # dataclasses.replace, quicker
    try:
        parts = _query_parts(new)
    except TypeError:  # a value no parser made (a list): the whole round trip
        parts = None
    query = "&".join(part for part, _ in parts) if parts is not None else ""
    if parts is None or len(query) > MAX_QUERY:
        state, _ = parse_query(to_query(new))
        return state
    values = {k: v for (_, v), k in zip(parts, _keys(parts), strict=True) if v is not None}
    return FilterState(**_old_link_role(values))


FilterState = make_dataclass(
    "FilterState",
    [(f.key, object, field(default=f.default)) for f in FIELDS],
    frozen=True,
    namespace={
        "__doc__": "Every filter and view switch of the dashboard (declared in "
        "evidence.fields). Empty tuple = no restriction.",
        "is_default": _is_default,
        "filter_fields": _filter_fields,
        "chip_fields": _chip_fields,
        "without": _without,
        "with_values": _with_values,
    },
)
FilterState.__module__ = __name__
_FIELD_DEFAULTS = tuple((f.name, f.default) for f in fields(FilterState))


def _old_role_link(state) -> bool:
    """True when a link of ``state`` without ``country_role`` would be read as an old
    link, its filter role taken from ``role`` (see the module's docstring)."""
    return state.role != FIELD["role"].default and bool(state.country or state.region)


def to_query(state) -> str:
    """Serialise the non-default fields as a readable query string (no leading '?')."""
    parts = []
    for f in fields(state):
        value = getattr(state, f.name)
        if value != f.default or (f.name == "country_role" and _old_role_link(state)):
            parts.append(f"{f.name}={quote(FIELD[f.name].text(value), safe=',>-.')}")
    return "&".join(parts)


def _query_parts(state) -> list[tuple[str, object]]:
    """:func:`to_query`'s parts of ``state``, each with the value :func:`parse_query`
    reads back from it (None: dropped). Raises TypeError for an unhashable value."""
    values = state.__dict__
    return [
        _field_part(k, values[k])
        for k, default in _FIELD_DEFAULTS
        if values[k] != default or (k == "country_role" and _old_role_link(state))
    ]


def _keys(parts: list[tuple[str, object]]) -> list[str]:
    return [part.partition("=")[0] for part, _ in parts]


@lru_cache(maxsize=4096)
def _field_part(key: str, value) -> tuple[str, object]:
    """One field's ``key=text`` part of a query, and the value the parser reads from it."""
    part = f"{key}={quote(FIELD[key].text(value), safe=',>-.')}"
    (name, raw), *_ = parse_qsl(part, keep_blank_values=True)
    return part, FIELD[name].parse(raw)[0]


def _old_link_role(values: dict) -> dict:
    """An old link's filter role: ``role`` when the link names a country or a region and
    no ``country_role`` (see the module's docstring)."""
    if (
        "country_role" not in values
        and "role" in values
        and ("country" in values or "region" in values)
    ):
        values["country_role"] = values["role"]
    return values


def parse_query(query: str | None) -> tuple[FilterState, list[str]]:
    """Parse a query string into a FilterState plus notices about what was ignored."""
    query = query if isinstance(query, str) else ""  # a callback may send any JSON
    state, notices = _parse(query, load_codebook().path)
    return state, list(notices)


@lru_cache(maxsize=512)
def _parse(query: str, _codebook: str = "") -> tuple[FilterState, tuple[str, ...]]:
    """:func:`parse_query` of a string, remembered: one click parses the same query for
    the views, the takeaways, the list and the filter panel (states are frozen)."""
    notices: list[str] = []
    query = query.lstrip("?")
    if len(query) > MAX_QUERY:
        notices.append(f"the link is longer than {MAX_QUERY} characters; only its start was read")
        query = query[:MAX_QUERY]
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=100)
    except ValueError:
        return FilterState(), ("the link has too many parameters; showing the default view",)
    values: dict[str, object] = {}
    for key, raw in pairs:
        key = key.strip().lower()
        if key not in FIELD:
            notices.append(f"unknown setting '{clip(key)}' ignored")
            continue
        parsed, bad = FIELD[key].parse(raw)
        if bad:
            notices.append(f"{key}: ignored {', '.join(repr(clip(b)) for b in bad[:5])}"
                           + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""))  # fmt: skip
        if parsed is not None:
            values[key] = parsed
    return FilterState(**_old_link_role(values)), tuple(notices)
