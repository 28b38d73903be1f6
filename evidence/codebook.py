"""The coding scheme (formats, motivations, income groups, directions), read once from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from evidence import DATA_DIR

CODEBOOK_PATH = DATA_DIR / "codebook.yaml"
DIMENSIONS = ("format", "motivation")


@dataclass(frozen=True)
class Code:
    """One code, e.g. ``mobility.outbound``."""

    code: str
    dimension: str
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


def _norm(text: str) -> str:
    """Normalise a token for matching: lower case, only letters and digits, dots kept."""
    return re.sub(r"[^a-z0-9.]", "", str(text).strip().lower())


def parse_codebook(raw: dict) -> Codebook:
    """Build a :class:`Codebook` from the YAML mapping."""
    codes: dict[str, Code] = {}
    groups: dict[str, Group] = {}
    aliases: dict[tuple[str, str], str] = {}
    unspecified = raw.get("unspecified_label", "(unspecified)")
    for dimension in DIMENSIONS:
        spec = raw["dimensions"][dimension]
        for group_name, g in spec["groups"].items():
            group_codes = []
            for code_name, c in g["codes"].items():
                full = f"{group_name}.{code_name}"
                codes[full] = Code(
                    full, dimension, group_name, c["label"], c.get("definition", ""), g["colour"]
                )
                group_codes.append(full)
                for alias in (full, c["label"], f"{group_name}_{code_name}"):
                    aliases[(dimension, _norm(alias))] = full
            unspec = f"{group_name}.unspecified"
            codes[unspec] = Code(
                unspec, dimension, group_name, f"{g['label']} {unspecified}", "", g["colour"]
            )
            group_codes.append(unspec)
            groups[group_name] = Group(
                group_name,
                dimension,
                g["label"],
                g.get("short", g["label"]),
                g["colour"],
                tuple(group_codes),
            )
            for alias in (group_name, g["label"], g.get("short", ""), unspec):
                if alias:
                    aliases.setdefault((dimension, _norm(alias)), unspec)
    return Codebook(
        codes=codes,
        groups=groups,
        income_groups=raw["income_groups"],
        sides=raw["sides"],
        directions=raw["directions"],
        roles=raw["roles"],
        article_types=raw["article_types"],
        citation=raw["source"]["citation"],
        doi=raw["source"]["doi"],
        _aliases=aliases,
    )


@cache
def load_codebook(path: Path = CODEBOOK_PATH) -> Codebook:
    """Read and parse the codebook once per process."""
    with open(path, encoding="utf-8") as fh:
        return parse_codebook(yaml.safe_load(fh))
