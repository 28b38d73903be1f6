"""Which text encoding a CSV file is in: UTF-8 (with or without BOM) or UTF-16 when it
decodes as such, else the legacy encoding whose letters read most like words.

Exports of older tools and of Excel on a Mac are often Mac Roman, on Windows
Windows-1252: the same bytes, different letters ("Uusi-Kämppä" in Mac Roman is
"Uusi-KŠmppŠ" read as Windows-1252). charset-normalizer proposes candidates, but on
short European text it often picks a DOS code page; so the legacy candidates are scored
here by what their letters look like (lower-case accented letters and typographic
quotes inside words count for, capitals inside words and symbols against). A legacy
encoding is always a guess, and the load report says so.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

# Legacy encodings tried, most common first (a tie goes to the first).
LEGACY = ("cp1252", "mac_roman", "iso8859_15", "cp850")
NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252",
         "mac_roman": "Mac Roman", "iso8859_15": "Latin-9 (ISO 8859-15)",
         "cp850": "DOS Latin-1 (code page 850)"}  # fmt: skip
_TYPOGRAPHIC = set("‘’“”–—…•°±×·€£")
_SAMPLE = 2_000_000  # bytes scored: enough to tell, bounded for big files


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read with, and whether that was a guess."""

    text: str
    encoding: str  # a Python codec name
    guessed: bool

    @property
    def name(self) -> str:
        """The encoding as people call it ("Mac Roman")."""
        known = {codecs.lookup(k).name: v for k, v in NAMES.items()}
        return known.get(codecs.lookup(self.encoding).name, self.encoding)


def decode(content: bytes, encoding: str | None = None) -> Decoded:
    """The text of ``content``: in ``encoding`` when given (undecodable bytes replaced),
    else UTF-8 / UTF-16 when it decodes as such, else the best-scoring legacy encoding."""
    if encoding:
        codec = codecs.lookup(encoding).name
        return Decoded(content.decode(codec, errors="replace"), codec, False)
    try:
        return Decoded(content.decode("utf-8-sig"), "utf-8", False)
    except UnicodeDecodeError:
        pass
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(content.decode("utf-16"), "utf-16", False)
        except UnicodeDecodeError:
            pass
    best = max(LEGACY, key=lambda enc: (_score(content[:_SAMPLE], enc), -LEGACY.index(enc)))
    return Decoded(content.decode(best, errors="replace"), best, True)


def _score(sample: bytes, encoding: str) -> float:
    """How much the non-ASCII letters of ``sample`` read like text in ``encoding``."""
    text = sample.decode(encoding, errors="replace")
    score = 0.0
    for i, ch in enumerate(text):
        if ord(ch) < 128:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        inside = before.isalpha() and after.isalpha()
        category = unicodedata.category(ch)
        if ch == "\ufffd" or category in ("Cc", "Co", "Cn"):
            score -= 3  # a byte the encoding does not define
        elif ch.isalpha() and ch.islower():
            score += 1
        elif ch.isalpha() and inside:
            score -= 2  # a capital inside a word: "KŠmppŠ"
        elif ch in _TYPOGRAPHIC:
            score += 0.5
        elif category.startswith("S") or category == "Lm":
            score -= 1
    return score
