"""The editable alignment rubric: which motivation x format combinations the review calls
aligned, in tension or misaligned (``data/alignment_rubric.yaml``).

A rule names a motivation and a format, each either a group ("social") or a code
("mobility.outbound"). The most specific matching rule wins: code x code, then
motivation group x format code, then motivation code x format group, then group x group,
then the file's default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from evidence import DATA_DIR
from evidence.codebook import (
    Codebook,
    CodebookError,
    codebook_path,
    line_of,
    load_codebook,
    read_yaml,
    scoped_codebook,
)

RUBRIC_PATH = DATA_DIR / "alignment_rubric.yaml"
RUBRIC_ENV = "IOME_RUBRIC"

#: Status -> (label, symbol). The symbol repeats the status in text so colour is never
#: the only cue.
STATUSES: dict[str, tuple[str, str]] = {
    "aligned": ("Aligned", "✓"),
    "tension": ("Tension", "!"),
    "misaligned": ("Misaligned", "✕"),
    "not_assessed": ("Not assessed", "·"),
}
NOT_ASSESSED = "not_assessed"
DEFAULT_RATIONALE = "The review draws no conclusion about this combination."


class RubricError(CodebookError):
    """The rubric file is malformed; the message names the file, the entry and its line."""


@dataclass(frozen=True)
class Rule:
    """One rubric entry."""

    motivation: str
    format: str
    status: str
    rationale: str


@dataclass(frozen=True)
class Rubric:
    """Parsed rubric with lookups by motivation and format (code or group)."""

    rules: tuple[Rule, ...]
    default: str = NOT_ASSESSED
    default_rationale: str = DEFAULT_RATIONALE
    codebook: Codebook = field(default_factory=load_codebook, repr=False, compare=False)
    _index: dict[tuple[str, str], Rule] = field(default_factory=dict, repr=False, compare=False)
    # The tables of :meth:`table`, kept on the rubric (hashing the rules to find them in
    # ``_table``'s cache costs more than the chart that reads them)
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({(r.motivation, r.format): r for r in self.rules})

    def _group(self, key: str) -> str:
        code = self.codebook.codes.get(key)
        return code.group if code else key

    def status(self, motivation_code: str, format_code: str) -> tuple[str, str]:
        """(status, rationale) for a motivation and a format, each a code or a group name.

        Asked with a group name, only group-level rules (and the default) apply.
        """
        m, f = motivation_code, format_code
        mg, fg = self._group(m), self._group(f)
        for key in ((m, f), (mg, f), (m, fg), (mg, fg)):
            rule = self._index.get(key)
            if rule is not None:
                return rule.status, rule.rationale
        return self.default, self.default_rationale

    def table(self, level: str = "group") -> pd.DataFrame:
        """Every motivation x format pair of the codebook at ``level`` ("group" or "code")
        with its status and rationale, in codebook order."""
        found = self._tables.get(level)
        if found is None:
            found = self._tables[level] = _table(self, level)
        return found


@cache
def _table(rubric: Rubric, level: str) -> pd.DataFrame:
    cb = rubric.codebook
    pick = cb.groups_of if level == "group" else cb.codes_of
    if level not in ("group", "code"):
        raise ValueError(f"level must be 'group' or 'code', not {level!r}")
    rows = [(m, f, *rubric.status(m, f)) for m in pick("motivation") for f in pick("format")]
    return pd.DataFrame(rows, columns=["motivation", "format", "status", "rationale"])


def _check_key(cb: Codebook, value: object, dimension: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise RubricError(f"{where}: '{dimension}' is missing or not a string")
    if value in cb.codes and cb.codes[value].dimension == dimension:
        return value
    if value in cb.groups and cb.groups[value].dimension == dimension:
        return value
    known = ", ".join(cb.groups_of(dimension))
    raise RubricError(
        f"{where}: unknown {dimension} {value!r} (use a group such as {known}, "
        f"or a code such as '<group>.<code>' from the codebook)"
    )


def _check_status(value: object, where: str) -> str:
    if value not in STATUSES:
        allowed = ", ".join(STATUSES)
        raise RubricError(f"{where}: unknown status {value!r} (allowed: {allowed})")
    return str(value)


def parse_rubric(raw: dict, codebook: Codebook | None = None) -> Rubric:
    """Validate the YAML mapping and build a :class:`Rubric`.

    Raises:
        RubricError: on an unknown motivation, format or status, a missing rationale or
            a duplicated motivation x format pair; the message names the entry.
    """
    cb = codebook or load_codebook()
    if not isinstance(raw, dict):
        raise RubricError("rubric: expected a mapping with 'default' and 'rules'")
    default = _check_status(raw.get("default", NOT_ASSESSED), "default")
    entries = raw.get("rules") or []
    if not isinstance(entries, list):
        raise RubricError("rules: expected a list of entries")
    rules: list[Rule] = []
    seen: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise RubricError(f"rule {i}: expected a mapping, got {entry!r}")
        line = line_of(entry)
        where = f"rule {i} ({entry.get('motivation')} x {entry.get('format')})" + (
            f" (line {line})" if line else ""
        )
        m = _check_key(cb, entry.get("motivation"), "motivation", where)
        f = _check_key(cb, entry.get("format"), "format", where)
        status = _check_status(entry.get("status"), where)
        rationale = entry.get("rationale")
        if not isinstance(rationale, str) or not rationale.strip():
            raise RubricError(f"{where}: a one-line 'rationale' is required")
        if (m, f) in seen:
            raise RubricError(f"{where}: duplicates rule {seen[(m, f)]}")
        seen[(m, f)] = i
        rules.append(Rule(m, f, status, " ".join(rationale.split())))
    return Rubric(tuple(rules), default=default, codebook=cb)


def rubric_path() -> Path:
    """The rubric in use: ``IOME_RUBRIC`` when set; else the codebook's ``rubric:`` key
    (relative to the codebook); else ``alignment_rubric.yaml`` beside the codebook; else
    ``data/alignment_rubric.yaml``."""
    chosen = "" if scoped_codebook() else os.environ.get(RUBRIC_ENV, "").strip()
    if chosen:  # (an upload's own scheme brings its own rubric, not the process's)
        return Path(chosen)
    book = codebook_path()
    named = load_codebook().rubric
    if named:
        return (book.parent / named) if not Path(named).is_absolute() else Path(named)
    beside = book.parent / "alignment_rubric.yaml"
    return beside if beside.exists() else RUBRIC_PATH


def load_rubric(path: Path | str | None = None, codebook: Path | str | None = None) -> Rubric:
    """Read, validate and cache the rubric file (default: :func:`rubric_path`), checked
    against the codebook at ``codebook`` (default: the one in use); a problem raises
    :class:`RubricError` naming the file, the rule and its line."""
    return _load(_resolved(str(path or rubric_path()), os.getcwd()), load_codebook(codebook).path)


@lru_cache(maxsize=64)
def _resolved(path: str, cwd: str) -> str:
    """``path`` (relative to ``cwd``) made absolute, looked up once per name: the
    alignment chart and its sentence read the rubric on every click."""
    return str((Path(cwd) / path).resolve())


@cache
def _load(path: str, book: str) -> Rubric:
    raw = read_yaml(path, RubricError)
    try:
        return parse_rubric(raw, load_codebook(book))
    except RubricError as exc:
        raise RubricError(f"{path}: {exc}") from None


load_rubric.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
