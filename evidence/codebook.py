"""The coding scheme (its two dimensions, income groups, directions), read once from YAML.

Which codebook: ``IOME_CODEBOOK`` (set by the CLI's ``--codebook``), else
``data/codebook.yaml``. A review team adapts the whole dashboard to its own scheme by
editing that file: the two dimensions (one plays the *format* role, the other the
*motivation* role), their groups and codes, labels, definitions, colours and order, and
which format groups (if any) carry mobility flows and partnerships. A bad codebook
raises :class:`CodebookError`, whose message names the file, the key and the line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from evidence import DATA_DIR

CODEBOOK_PATH = DATA_DIR / "codebook.yaml"
CODEBOOK_ENV = "IOME_CODEBOOK"
_DEFAULT_PATH = str(CODEBOOK_PATH.resolve())
DIMENSIONS = ("format", "motivation")  # the two roles a codebook's dimensions play
FLOW_ROLES = ("mobility", "partnership")  # format groups the flow and partnership views use
#: Most categories a dimension may have: the Okabe-Ito palette's colours, the largest set
#: that stays distinguishable under the common colour-vision deficiencies.
MAX_GROUPS = 8
_HEX = re.compile(r"^#(?:[0-9A-Fa-f]{3}){1,2}$")
# Sections a codebook may leave out: they describe countries, not the coding scheme, and
# are then taken from the IoME codebook.
_INHERITED = ("income_groups", "sides", "directions", "roles", "article_types")


# The IoME scheme's words, as the page, files, embeds and deck say them; another scheme
# says its own (codebook ``words:``, else words made from its labels; Codebook.word).
IOME_WORDS: dict[str, object] = {
    "subtitle": "Internationalization of medical education: formats, motivations and directions",
    "movers": "students",  # who moves along a flow
    "flows_title": "Who sends students where",  # the flow map's title
    "flow_noun": "student flows",  # "articles with student flows"
    "keywords": ["internationalization of medical education", "IoME", "evidence map",
                 "scoping review", "Wu et al. 2022"],  # the deck's keywords
}  # fmt: skip
WORDS = tuple(IOME_WORDS)


class CodebookError(ValueError):
    """The codebook (or a file checked against it) is malformed; the message names the
    file, the key and the line."""


@dataclass(frozen=True)
class Code:
    """One code, e.g. ``mobility.outbound``."""

    code: str
    dimension: str  # the role: "format" or "motivation"
    group: str
    label: str
    definition: str
    colour: str


@dataclass(frozen=True)
class Group:
    """A group of codes, e.g. ``mobility``."""

    name: str
    dimension: str
    label: str
    short: str
    colour: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Dimension:
    """One dimension of the scheme and the role it plays ("format" or "motivation")."""

    name: str  # its key in the codebook ("format", "programme")
    role: str
    label: str  # "Format", "Programme type"
    plural: str  # "Formats", "Programme types"

    @property
    def noun(self) -> str:
        """The label as running text uses it: "format", "programme type"."""
        return self.label[:1].lower() + self.label[1:]

    @property
    def nouns(self) -> str:
        return self.plural[:1].lower() + self.plural[1:]


@dataclass(frozen=True)
class Codebook:
    """The parsed codebook: codes and groups in display order, plus lookup tables."""

    codes: dict[str, Code]
    groups: dict[str, Group]
    income_groups: dict[str, dict]
    sides: dict[str, dict]
    directions: dict[str, dict]
    roles: dict[str, dict]
    article_types: dict[str, str]
    citation: str
    doi: str
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    # role ("mobility", "partnership") -> the format group that plays it, or None
    flow_groups: dict[str, str | None] = field(default_factory=dict)
    # a partnership code -> the direction classes ("N>S") it allows
    partnership_directions: dict[str, frozenset[str]] = field(default_factory=dict)
    name: str = ""  # the scheme's title
    title: str = "IoME Evidence Map"  # the product's title (page, header, files, deck)
    # The scheme's own words where the app would otherwise speak of the IoME review (see
    # WORDS): the codebook's ``words:`` section over the defaults of :meth:`word`.
    words: dict[str, object] = field(default_factory=dict)
    source_note: str = ""  # a chart's source line, "Coding after ..."
    path: str = ""
    rubric: str = ""  # the rubric file named by the codebook, if any
    _aliases: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def codes_of(self, dimension: str) -> list[str]:
        """All codes of a dimension in display order, ``<group>.unspecified`` last in each group."""
        return [c.code for c in self.codes.values() if c.dimension == dimension]

    def groups_of(self, dimension: str) -> list[str]:
        """Group names of a dimension in display order."""
        return [g.name for g in self.groups.values() if g.dimension == dimension]

    def label(self, code: str) -> str:
        """Display label of a code or group name."""
        if code in self.codes:
            return self.codes[code].label
        if code in self.groups:
            return self.groups[code].label
        return code

    def kind_label(self, code: str) -> str:
        """A mobility format's label without the word "mobility" ("Outbound"), as the
        flow map's kind switch and hover say it."""
        return self.label(code).replace(" mobility", "")

    def resolve(self, dimension: str, text: str) -> str | None:
        """Map a code, a label or a group name (any case/spacing) to a canonical code, or None."""
        return self._aliases.get((dimension, _norm(text)))

    def dimension_of(self, code: str) -> str | None:
        """The dimension a code or group belongs to."""
        if code in self.codes:
            return self.codes[code].dimension
        if code in self.groups:
            return self.groups[code].dimension
        return None

    def dim(self, role: str) -> Dimension:
        """The dimension playing ``role`` ("format" or "motivation")."""
        return self.dimensions.get(role) or Dimension(role, role, role.capitalize(),
                                                      role.capitalize() + "s")  # fmt: skip

    def flow_group(self, role: str) -> str | None:
        """The format group carrying ``role`` ("mobility" or "partnership"), or None when
        this scheme has none (the flow or partnership views then say so)."""
        return self.flow_groups.get(role)

    def flow_codes(self, role: str) -> tuple[str, ...]:
        """Codes of the group carrying ``role``, ``<group>.unspecified`` last; () if none."""
        group = self.flow_group(role)
        return self.groups[group].codes if group else ()

    def word(self, key: str):
        """One of the scheme's own words (:data:`WORDS`): the codebook's ``words:`` entry,
        else the IoME wording for the IoME scheme, else words made from the scheme's own
        labels (never the IoME review's)."""
        if key in self.words:
            return self.words[key]
        if self.is_default:
            return IOME_WORDS[key]
        mobility = self.flow_group("mobility")
        moving = self.groups[mobility].label.lower() if mobility else "movement"
        generic = {
            "subtitle": f"{self.name}: {self.dim('format').nouns} and "
            f"{self.dim('motivation').nouns}".lstrip(": "),
            "movers": "people",
            "flows_title": f"Who goes where: {moving}",
            "flow_noun": f"{moving} flows",
            "keywords": [k for k in (self.name, "evidence map") if k],
        }
        return generic[key]

    @property
    def is_default(self) -> bool:
        """True for the IoME scheme of ``data/codebook.yaml``."""
        return not self.path or self.path == _DEFAULT_PATH  # (load_codebook resolves it)


def _norm(text: str) -> str:
    """Normalise a token for matching: lower case, only letters and digits, dots kept."""
    return re.sub(r"[^a-z0-9.]", "", str(text).strip().lower())


# --------------------------------------------------------------------------- YAML with lines
class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based) and repeated keys."""

    line: int = 0
    lines: dict
    repeated: list


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line, out.lines, out.repeated = node.start_mark.line + 1, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            out.repeated.append((key, line, out.lines[key]))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def read_yaml(path: Path | str, error: type[Exception] | None = None) -> object:
    """Read a YAML file whose mappings know their keys' lines (see :func:`line_of`)."""
    error = error or CodebookError
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f", line {mark.line + 1}" if mark is not None else ""
        raise error(f"{path}{at}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None


def line_of(mapping: object, key: object = None) -> int | None:
    """The line of ``key`` in a mapping read by :func:`read_yaml` (of the mapping itself
    without a key), or None for a plain dict."""
    if not isinstance(mapping, _Map):
        return None
    return mapping.line if key is None else mapping.lines.get(key, mapping.line)


class _Checker:
    """Collects the codebook's problems, each as "file: key (line N): message"."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def add(self, keys: tuple, message: str, mapping: object = None, key: object = None):
        line = line_of(mapping, key)
        where = ".".join(str(k) for k in keys) or "(top level)"
        at = f" (line {line})" if line else ""
        self.problems.append(f"{self.source}: {where}{at}: {message}")

    def repeated(self, mapping: object, keys: tuple):
        for key, line, first in getattr(mapping, "repeated", ()):
            self.problems.append(
                f"{self.source}: {'.'.join(str(k) for k in (*keys, key))} (line {line}): "
                f"duplicate key (first at line {first})"
            )

    def mapping(self, value: object, keys: tuple, parent: object, key: object) -> dict:
        if isinstance(value, dict):
            self.repeated(value, keys)
            return value
        self.add(keys, "expected a mapping" if value is not None else "is missing", parent, key)
        return {}

    def text(self, spec: dict, key: str, keys: tuple, default: str | None = None) -> str:
        value = spec.get(key, default)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add((*keys, key), "is missing" if value is None else "must be text", spec, key)
        return str(value or "")

    def colour(self, spec: dict, keys: tuple) -> str:
        value = spec.get("colour")
        if isinstance(value, str) and _HEX.match(value.strip()):
            return value.strip()
        what = "is missing" if value is None else f"unknown colour {value!r}"
        self.add((*keys, "colour"), f"{what} (use a hex colour such as '#0072B2')", spec,
                 "colour" if "colour" in spec else None)  # fmt: skip
        return "#999999"

    def raise_any(self):
        if self.problems:
            n = len(self.problems)
            head = f"{n} problem{'s' if n > 1 else ''} in the codebook:\n  " if n > 1 else ""
            raise CodebookError(head + "\n  ".join(self.problems))


def _defaults() -> dict:
    return read_yaml(CODEBOOK_PATH) or {}


def parse_codebook(raw: dict, source: str = "codebook", path: str = "") -> Codebook:
    """Build a :class:`Codebook` from the YAML mapping.

    Raises:
        CodebookError: naming the key and, for a file, its line, of every problem found
            (a dimension missing, duplicate codes or labels, a colour that is not a hex
            colour, more groups than the colour-blind-safe palette has, ...).
    """
    check = _Checker(source)
    if not isinstance(raw, dict):
        raise CodebookError(f"{source}: expected a mapping with 'dimensions'")
    check.repeated(raw, ())
    codes: dict[str, Code] = {}
    groups: dict[str, Group] = {}
    aliases: dict[tuple[str, str], str] = {}
    dims: dict[str, Dimension] = {}
    unspecified = raw.get("unspecified_label", "(unspecified)")
    spec_all = check.mapping(raw.get("dimensions"), ("dimensions",), raw, "dimensions")
    by_role: dict[str, tuple[str, dict]] = {}
    for name, spec in spec_all.items():
        spec = check.mapping(spec, ("dimensions", name), spec_all, name)
        role = spec.get("role", name)
        if role not in DIMENSIONS:
            check.add(("dimensions", name, "role"), f"unknown role {role!r} (use one of "
                      f"{', '.join(DIMENSIONS)})", spec, "role")  # fmt: skip
        elif role in by_role:
            check.add(("dimensions", name, "role"), f"role {role!r} is already played by "
                      f"dimension {by_role[role][0]!r}", spec, "role")  # fmt: skip
        else:
            by_role[role] = (name, spec)
    for role in DIMENSIONS:
        if role not in by_role:
            check.add(("dimensions",), f"no dimension plays the {role!r} role (give one "
                      f"dimension 'role: {role}')", spec_all)  # fmt: skip
    check.raise_any()
    for role in DIMENSIONS:
        name, spec = by_role[role]
        keys = ("dimensions", name)
        label = check.text(spec, "label", keys, name.replace("_", " ").capitalize())
        dims[role] = Dimension(name, role, label, check.text(spec, "plural", keys, label + "s"))
        spec_groups = check.mapping(spec.get("groups"), (*keys, "groups"), spec, "groups")
        if len(spec_groups) > MAX_GROUPS:
            check.add((*keys, "groups"), f"{len(spec_groups)} groups, more than the "
                      f"{MAX_GROUPS} colours a colour-blind-safe palette (Okabe-Ito) tells "
                      f"apart; merge some", spec, "groups")  # fmt: skip
        colours: dict[str, str] = {}
        labels: dict[str, str] = {}
        for group_name, g in spec_groups.items():
            gkeys = (*keys, "groups", group_name)
            g = check.mapping(g, gkeys, spec_groups, group_name)
            if not re.fullmatch(r"[a-z][a-z0-9_]*", str(group_name)):
                check.add(gkeys, "a group name must be lower-case letters, digits and _",
                          spec_groups, group_name)  # fmt: skip
            if group_name in groups:
                check.add(gkeys, f"group {group_name!r} is already in dimension "
                          f"{dims[groups[group_name].dimension].name!r}", spec_groups,
                          group_name)  # fmt: skip
                continue
            glabel = check.text(g, "label", gkeys)
            colour = check.colour(g, gkeys)
            if colour.lower() in colours:
                check.add((*gkeys, "colour"), f"colour {colour} is also group "
                          f"{colours[colour.lower()]!r}'s; a chart could not tell them apart",
                          g, "colour")  # fmt: skip
            colours.setdefault(colour.lower(), group_name)
            group_codes = []
            spec_codes = check.mapping(g.get("codes"), (*gkeys, "codes"), g, "codes")
            for code_name, c in spec_codes.items():
                ckeys = (*gkeys, "codes", code_name)
                c = check.mapping(c, ckeys, spec_codes, code_name)
                full = f"{group_name}.{code_name}"
                if code_name == "unspecified" or not re.fullmatch(r"[a-z][a-z0-9_]*",
                                                                  str(code_name)):  # fmt: skip
                    check.add(ckeys, "a code must be lower-case letters, digits and _, and "
                              "not 'unspecified'", spec_codes, code_name)  # fmt: skip
                clabel = check.text(c, "label", ckeys)
                if _norm(clabel) in labels:
                    check.add((*ckeys, "label"), f"duplicate label {clabel!r} (also "
                              f"{labels[_norm(clabel)]})", c, "label")  # fmt: skip
                labels.setdefault(_norm(clabel), full)
                definition = c.get("definition", "")
                codes[full] = Code(full, role, group_name, clabel, str(definition or ""), colour)
                group_codes.append(full)
                for alias in (full, clabel, f"{group_name}_{code_name}"):
                    aliases[(role, _norm(alias))] = full
            if not group_codes:
                check.add((*gkeys, "codes"), "a group needs at least one code", g,
                          "codes" if "codes" in g else None)  # fmt: skip
            unspec = f"{group_name}.unspecified"
            codes[unspec] = Code(unspec, role, group_name, f"{glabel} {unspecified}", "", colour)
            group_codes.append(unspec)
            groups[group_name] = Group(group_name, role, glabel, str(g.get("short") or glabel),
                                       colour, tuple(group_codes))  # fmt: skip
            for alias in (group_name, glabel, g.get("short", ""), unspec):
                if alias:
                    aliases.setdefault((role, _norm(alias)), unspec)
    flow_spec = raw.get("flow_groups") or {}
    flow_groups: dict[str, str | None] = dict.fromkeys(FLOW_ROLES)
    if not isinstance(flow_spec, dict):
        check.add(("flow_groups",), "expected a mapping (mobility: GROUP, partnership: GROUP)",
                  raw, "flow_groups")  # fmt: skip
        flow_spec = {}
    for role, group in flow_spec.items():
        if role not in FLOW_ROLES:
            check.add(("flow_groups", role), f"unknown role (use {', '.join(FLOW_ROLES)})",
                      flow_spec, role)  # fmt: skip
        elif group is not None and (group not in groups or groups[group].dimension != "format"):
            check.add(("flow_groups", role), f"unknown group {group!r} (use a group of the "
                      f"{dims['format'].noun if dims else 'format'} dimension: "
                      f"{', '.join(g for g in groups if groups[g].dimension == 'format')})",
                      flow_spec, role)  # fmt: skip
        else:
            flow_groups[role] = group
    words = _words(raw, check)
    partnership_directions: dict[str, frozenset[str]] = {}
    base = {k: raw[k] for k in _INHERITED if k in raw}
    if len(base) < len(_INHERITED):
        base = {k: v for k, v in _defaults().items() if k in _INHERITED} | base
    if flow_groups["partnership"]:
        group = flow_groups["partnership"]
        spec = by_role["format"][1]["groups"][group]["codes"]
        for code_name, c in spec.items():
            allowed = (c or {}).get("directions")
            if allowed is None:
                continue
            unknown = [d for d in allowed or () if d not in base.get("directions", {})]
            if not isinstance(allowed, list) or unknown:
                check.add((*("dimensions", by_role["format"][0], "groups", group, "codes"),
                           code_name, "directions"), f"unknown direction(s) {unknown or allowed}"
                          f" (use {', '.join(base.get('directions', {}))})", c,
                          "directions")  # fmt: skip
                continue
            partnership_directions[f"{group}.{code_name}"] = frozenset(allowed)
    check.raise_any()
    source_spec = raw.get("source") or {}
    citation = str(source_spec.get("citation", ""))
    doi = str(source_spec.get("doi", ""))
    note = source_spec.get("note") or (f"Coding: {citation}" if citation else "")
    return Codebook(
        codes=codes,
        groups=groups,
        income_groups=base["income_groups"],
        sides=base["sides"],
        directions=base["directions"],
        roles=base["roles"],
        article_types=base["article_types"],
        citation=citation,
        doi=doi,
        dimensions=dims,
        flow_groups=flow_groups,
        partnership_directions=partnership_directions,
        name=str(raw.get("name") or ""),
        title=str(
            raw.get("title")
            or (f"{raw['name']} Evidence Map" if raw.get("name") else "IoME Evidence Map")
        ),
        source_note=str(note),
        path=path,
        rubric=str(raw.get("rubric") or ""),
        words=words,
        _aliases=aliases,
    )


def _words(raw: dict, check: _Checker) -> dict[str, object]:
    """The codebook's ``words:`` section (and a top-level ``subtitle``), checked."""
    spec = raw.get("words") or {}
    if not isinstance(spec, dict):
        check.add(("words",), f"expected a mapping of {', '.join(WORDS)}", raw, "words")
        return {}
    words: dict[str, object] = {}
    if isinstance(raw.get("subtitle"), str):
        words["subtitle"] = raw["subtitle"]
    for key, value in spec.items():
        if key not in WORDS:
            check.add(("words", key), f"unknown key (use {', '.join(WORDS)})", spec, key)
        elif key == "keywords" and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            check.add(("words", key), "expected a list of words", spec, key)
        elif key != "keywords" and not (isinstance(value, str) and value.strip()):
            check.add(("words", key), "must be text", spec, key)
        else:
            words[key] = value if key == "keywords" else value.strip()
    return words


# The codebook of one request or one load (an upload read under its own scheme while
# the site's data keeps the process's): set by :func:`using_codebook`, else the process's.
_IN_USE: ContextVar[str] = ContextVar("codebook_in_use", default="")


@contextmanager
def using_codebook(path: Path | str | None) -> Iterator[Codebook]:
    """Within the block, :func:`load_codebook` (and the rubric beside it) is the codebook
    at ``path`` (None or "": the process's). Per thread and per task: a request reading
    an upload under its scheme does not change what another request sees."""
    token = _IN_USE.set(str(path) if path else "")
    try:
        yield load_codebook()
    finally:
        _IN_USE.reset(token)


def enter_codebook(path: Path | str) -> object:
    """Make ``path`` the codebook in use until :func:`leave_codebook` with the returned
    token (for a web request: set before it, reset after it)."""
    return _IN_USE.set(str(path))


def leave_codebook(token: object) -> None:
    """Undo an :func:`enter_codebook`."""
    _IN_USE.reset(token)  # type: ignore[arg-type]


def site_codebook() -> Codebook:
    """The process's codebook (``IOME_CODEBOOK`` or IoME's), whatever the request's."""
    return _by_name(os.environ.get(CODEBOOK_ENV, "").strip())


def scoped_codebook() -> str:
    """The path :func:`using_codebook` set for this request or load ("" when none)."""
    return _IN_USE.get()


def codebook_path() -> Path:
    """The codebook in use: the one of :func:`using_codebook`, else ``IOME_CODEBOOK`` when
    set, else ``data/codebook.yaml``."""
    chosen = _IN_USE.get() or os.environ.get(CODEBOOK_ENV, "").strip()
    return Path(chosen) if chosen else CODEBOOK_PATH


DATA_NAMES = ("articles.csv", "articles.xlsx")  # a scheme folder's own example data


def default_data_path() -> Path | None:
    """The data a command reads when none is given: the synthetic IoME demo under the IoME
    scheme; under another scheme, the ``articles.csv`` / ``.xlsx`` in its codebook's folder,
    or None (the IoME demo read under another scheme would only be rejected row by row)."""
    from evidence import DEMO_PATH

    cb = load_codebook()
    if cb.is_default:
        return DEMO_PATH
    folder = Path(cb.path).parent
    return next((folder / n for n in DATA_NAMES if (folder / n).is_file()), None)


def no_data(cb: Codebook):
    """An evidence base with no article whose report says that no data file was given."""
    from evidence.model import EvidenceBase, LoadReport

    report = LoadReport(source="")
    report.add("error", f"no data file: the coding scheme {cb.name or Path(cb.path).name!r} "
               "ships none beside its codebook; give one with --data FILE")  # fmt: skip
    eb = EvidenceBase.empty()
    return EvidenceBase(eb.articles, eb.article_countries, eb.article_codes, eb.flows,
                        eb.partnerships, report, "", "")  # fmt: skip


def load_codebook(path: Path | str | None = None) -> Codebook:
    """The codebook at ``path`` (default: :func:`codebook_path`), read once per process.
    (Called on every chart of every click: the name as given is looked up first, without
    touching the file system.)"""
    given = str(path) if path else (_IN_USE.get() or os.environ.get(CODEBOOK_ENV, "").strip())
    return _by_name(given)


@lru_cache(maxsize=64)  # bounded: uploads may bring codebooks of their own
def _by_name(given: str) -> Codebook:
    return _load(str(Path(given or CODEBOOK_PATH).resolve()))


@lru_cache(maxsize=64)
def _load(path: str) -> Codebook:
    return parse_codebook(read_yaml(path), source=path, path=path)


def _clear() -> None:
    _by_name.cache_clear()
    _load.cache_clear()


load_codebook.cache_clear = _clear  # type: ignore[attr-defined]
