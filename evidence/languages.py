"""ISO 639-1 language codes and their English names, for the ``language`` column."""

from __future__ import annotations

import re

LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "sv": "Swedish", "no": "Norwegian", "da": "Danish",
    "fi": "Finnish", "pl": "Polish", "cs": "Czech", "sk": "Slovak", "hu": "Hungarian",
    "ro": "Romanian", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "el": "Greek",
    "he": "Hebrew", "ar": "Arabic", "fa": "Persian", "zh": "Chinese", "ja": "Japanese",
    "ko": "Korean", "th": "Thai", "vi": "Vietnamese", "id": "Indonesian", "ms": "Malay",
    "hi": "Hindi", "bn": "Bengali", "ur": "Urdu", "sw": "Swahili", "hr": "Croatian",
    "sr": "Serbian", "sl": "Slovenian", "bg": "Bulgarian", "lt": "Lithuanian",
    "lv": "Latvian", "et": "Estonian", "is": "Icelandic", "ca": "Catalan", "af": "Afrikaans",
}  # fmt: skip
_BY_NAME = {name.lower(): code for code, name in LANGUAGES.items()}
_BY_NAME.update({"farsi": "fa", "mandarin": "zh", "brazilian portuguese": "pt", "castilian": "es"})


def resolve_language(text: str) -> str | None:
    """ISO 639-1 code for a code or English name (any case), or None if not recognised."""
    t = re.sub(r"\s+", " ", str(text).strip().lower())
    if t in LANGUAGES:
        return t
    return _BY_NAME.get(t)


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code (the code itself when unknown)."""
    return LANGUAGES.get(code, code)
