"""Coding schemes and column mappings a browser upload can choose: the bundled ones by
name, or a team's own YAML sent with the file (size-bounded, safe YAML, validated with
messages naming the key and line).

An uploaded codebook is written once to a private folder named by its content's hash
(with an empty rubric beside it unless it names none), so the rest of the code reads it
like any codebook file: :func:`evidence.codebook.using_codebook` with that path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from evidence import DATA_DIR
from evidence.codebook import CodebookError, parse_codebook, read_yaml
from evidence.mapping import MappingError, is_rich, parse_mapping

MAX_YAML_BYTES = 256 * 1024  # a codebook or mapping file; checked before parsing
EXAMPLES = DATA_DIR / "examples"
# name: (what the page calls it, codebook file, its column mapping or None, what the page
# calls that mapping)
BUNDLED = {
    "iome": ("IoME (this site's scheme)", DATA_DIR / "codebook.yaml", None, ""),
    "faculty_development": (
        "Faculty development (example)",
        EXAMPLES / "faculty_development" / "codebook.yaml",
        None,
        "",
    ),
    "eviatlas": (
        "Vegetated strips (EviAtlas example)",
        EXAMPLES / "eviatlas" / "codebook.yaml",
        EXAMPLES / "eviatlas" / "columns.yaml",
        "EviAtlas export (example mapping)",
    ),
}
OWN_PREFIX = "own:"  # a scheme sent with the file: own:<sha256 of its YAML>


class SchemeError(ValueError):
    """A codebook or mapping sent with a file cannot be used; the message says why."""


def bundled_codebook(name: str) -> Path | None:
    """The codebook file of a bundled scheme (None for an unknown name)."""
    entry = BUNDLED.get(name)
    return entry[1] if entry else None


def bundled_mapping(name: str) -> dict | None:
    """The column mapping shipped with a bundled scheme, as a JSON-able dict (None when
    the scheme ships none)."""
    entry = BUNDLED.get(name)
    if not entry or entry[2] is None:
        return None
    return _plain(read_yaml(entry[2], MappingError))


def _plain(value: object) -> object:
    """A YAML value as plain JSON-able dicts, lists and strings (for the session store)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, int | float | bool) or value is None else str(value)


def _yaml_text(content: bytes, what: str) -> str:
    if len(content) > MAX_YAML_BYTES:
        raise SchemeError(f"the {what} is larger than {MAX_YAML_BYTES // 1024} KB")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemeError(f"the {what} is not UTF-8 text (save it as UTF-8 YAML)") from None


def _read(text: str, name: str, error: type[Exception]) -> object:
    """Safe YAML with lines (through a private temporary file: read_yaml reads files).
    Anchors and aliases are refused before parsing: a small file of nested aliases could
    otherwise expand to gigabytes."""
    try:
        if any(isinstance(t, yaml.AliasToken | yaml.AnchorToken) for t in yaml.scan(text)):
            raise SchemeError(f"{name}: anchors and aliases (& and *) are not accepted here; "
                              "write the values out")  # fmt: skip
    except yaml.YAMLError:
        pass  # read_yaml names the line
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        try:
            return read_yaml(fh.name, error)
        except error as exc:
            raise error(str(exc).replace(fh.name, name)) from None


def read_mapping_upload(content: bytes, name: str = "mapping.yaml") -> dict:
    """A mapping file sent from the browser, checked, as a JSON-able dict (either form)."""
    text = _yaml_text(content, f"mapping file {name}")
    data = _read(text, name, MappingError)
    if not isinstance(data, dict) or not data:
        raise SchemeError(f"{name}: a column mapping must be a YAML mapping (see the example)")
    if is_rich(data):
        try:
            parse_mapping(data, name)  # raises MappingError naming key and line
        except (TypeError, AttributeError, KeyError) as exc:
            raise SchemeError(f"{name}: not a column mapping ({type(exc).__name__})") from None
    return _plain(data)


def own_codebook_folder() -> Path:
    """Where sent codebooks are kept (this user's private temp folder)."""
    folder = Path(tempfile.gettempdir()) / f"iome-codebooks-{os.getuid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def keep_codebook_upload(content: bytes, name: str = "codebook.yaml") -> tuple[str, str]:
    """Check a codebook sent from the browser; returns its scheme key (``own:<hash>``)
    and its text. Raises CodebookError / SchemeError with a clear message."""
    text = _yaml_text(content, f"codebook {name}")
    raw = _read(text, name, CodebookError)
    if not isinstance(raw, dict):
        raise SchemeError(f"{name}: a codebook must be a YAML mapping (see the examples)")
    raw.pop("rubric", None)  # a file path named by a sent codebook is not read
    try:
        parse_codebook(raw, source=name)  # raises CodebookError naming key and line
    except (TypeError, AttributeError, KeyError, IndexError) as exc:
        raise SchemeError(f"{name}: not a codebook this dashboard can read "
                          f"({type(exc).__name__}: {str(exc)[:200]})") from None  # fmt: skip
    key = OWN_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:32]
    return key, text


def scheme_codebook(key: str, text: str = "") -> Path | None:
    """The codebook file of a scheme key: a bundled one, or a sent one (``text``) written
    to the private folder on first use. None for an unknown key (the process's scheme)."""
    if key in BUNDLED:
        return bundled_codebook(key)
    if not key.startswith(OWN_PREFIX):
        return None
    if not text:  # kept already (its upload was read under it), else unknown
        digest = key[len(OWN_PREFIX) :]
        book = own_codebook_folder() / digest / "codebook.yaml"
        return book if digest.isalnum() and book.is_file() else None
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    if key != OWN_PREFIX + digest:
        return None
    folder = own_codebook_folder() / digest
    book = folder / "codebook.yaml"
    if not book.is_file():
        _prune(folder.parent)
        folder.mkdir(mode=0o700, exist_ok=True)
        lines = [ln for ln in text.splitlines() if not ln.startswith("rubric:")]
        (folder / "alignment_rubric.yaml").write_text("rules: []\n", encoding="utf-8")
        book.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return book


MAX_KEPT_CODEBOOKS = 200  # sent codebooks kept on disk; the oldest go (rewritten on use)


def _prune(root: Path) -> None:
    """Keep at most MAX_KEPT_CODEBOOKS sent codebooks: an upload whose codebook went is
    written again from the text its session keeps."""
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in folders[: max(0, len(folders) - MAX_KEPT_CODEBOOKS + 1)]:
        shutil.rmtree(old, ignore_errors=True)
