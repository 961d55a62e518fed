"""The languages of the workbook, in one registry: which there are, which one the paper is drafted in,
what each calls itself, and the few typographic habits the pages follow (French puts a space before
a colon, English and Spanish do not)."""

from __future__ import annotations

LANGUAGES = ("fr", "en", "es")
SOURCE_LANGUAGE = "fr"  # the language the chapters and calls are drafted in; the others are translations
TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
SELF_NAMES = {"fr": "Français", "en": "English", "es": "Español"}
_COLON = {"fr": " :", "en": ":", "es": ":"}


def colon(lang: str) -> str:
    """The colon as ``lang`` writes it after a label: "Nouvelle formulation :" but "New wording:"."""
    return _COLON.get(lang, ":")
