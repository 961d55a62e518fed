"""The languages of the workbook, in one registry: which there are, which one the paper is drafted in,
what each calls itself, and the few typographic habits the pages follow (French puts a space before
a colon, English and Spanish do not).

The source language is a setting of each workbook: ``sphinx: config: language:`` in ``_config.yml``
(the language Sphinx is told the chapters are written in). The book's other languages are translations:
both others unless ``draftbook: languages:`` in ``_config.yml`` lists fewer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from draftbook.model.errors import DataFileError

if TYPE_CHECKING:
    from draftbook.model.paths import Workbook

LANGUAGES = ("fr", "en", "es")
DEFAULT_SOURCE = "fr"  # a workbook whose _config.yml names no language is drafted in French
# The notebooks' own text (headings, explanations) is tooling, written in French whatever the paper's
# language; its translations ship with the notebooks (notebooks/locales/).
NOTEBOOK_LANGUAGE = "fr"
SELF_NAMES = {"fr": "Français", "en": "English", "es": "Español"}
NAMES = {  # NAMES[page language][language]: how a page in one language names each language
    "fr": {"fr": "français", "en": "anglais", "es": "espagnol"},
    "en": {"fr": "French", "en": "English", "es": "Spanish"},
    "es": {"fr": "francés", "en": "inglés", "es": "español"},
}
AND = {"fr": "et", "en": "and", "es": "y"}
_COLON = {"fr": " :", "en": ":", "es": ":"}


def colon(lang: str) -> str:
    """The colon as ``lang`` writes it after a label: "Nouvelle formulation :" but "New wording:"."""
    return _COLON.get(lang, ":")


def name_in(page_lang: str, *langs: str) -> str:
    """``langs`` named in ``page_lang``, joined with its "and": "anglais et espagnol", "English"."""
    names = [NAMES.get(page_lang, NAMES["en"])[lang] for lang in langs]
    if not names:  # a book in one language: nothing to name
        return ""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {AND.get(page_lang, 'and')} {names[-1]}"


def _settings(workbook: Workbook) -> tuple[Path, dict[str, Any]]:
    from draftbook.model.config import read_yaml

    path = workbook.root / "_config.yml"
    config = read_yaml(path) if path.is_file() else {}
    return path, config if isinstance(config, dict) else {}


def source_language(workbook: Workbook) -> str:
    """The language ``workbook``'s chapters and calls are drafted in (``sphinx.config.language``)."""
    path, config = _settings(workbook)
    sphinx = config.get("sphinx")
    settings = sphinx.get("config") if isinstance(sphinx, dict) else None
    lang = settings.get("language", DEFAULT_SOURCE) if isinstance(settings, dict) else DEFAULT_SOURCE
    if lang not in LANGUAGES:
        raise DataFileError(
            f'the paper\'s language "{lang}" is not one of {", ".join(LANGUAGES)}',
            file=path,
            key="sphinx.config.language",
            hint="write the language the chapters are drafted in: fr, en or es",
        )
    return str(lang)


def translations_of(source: str) -> tuple[str, ...]:
    """The languages a paper drafted in ``source`` can be translated into, in registry order."""
    return tuple(lang for lang in LANGUAGES if lang != source)


def book_languages(workbook: Workbook) -> tuple[str, ...]:
    """The languages of ``workbook``'s book, its source language first: ``draftbook: languages:`` in
    ``_config.yml`` when given, else all three."""
    source = source_language(workbook)
    path, config = _settings(workbook)
    own = config.get("draftbook")
    listed = own.get("languages") if isinstance(own, dict) else None
    if listed is None:
        return (source, *translations_of(source))
    if not isinstance(listed, list) or not listed or not all(lang in LANGUAGES for lang in listed):
        raise DataFileError(
            f"expected a list of languages among {', '.join(LANGUAGES)}",
            file=path,
            key="draftbook.languages",
            hint=f"e.g. `draftbook: {{languages: [{source}, {', '.join(translations_of(source))}]}}`",
        )
    return (source, *(lang for lang in translations_of(source) if lang in listed))


def translations(workbook: Workbook) -> tuple[str, ...]:
    """The languages ``workbook``'s book is translated into."""
    return book_languages(workbook)[1:]


def page_language(workbook: Workbook, page: str) -> str:
    """The language ``page`` ("book/context", "notebooks/support") is written in."""
    return NOTEBOOK_LANGUAGE if page.startswith("notebooks/") else source_language(workbook)


def in_language(texts: Mapping[str, str], lang: str, source: str | None = None) -> str:
    """``texts[lang]``; when that is missing or empty, the ``source`` language's, then any given one."""
    if texts.get(lang):
        return texts[lang]
    if source and texts.get(source):
        return texts[source]
    return next((text for text in texts.values() if text), "")


# Output metadata that says which language a notebook output was drawn in (a build draws every page
# once, in every book language; the stage of each language keeps its own outputs and the shared ones).
LANGUAGE_KEY = "draftbook"


def output_language(output: Mapping[str, Any]) -> str | None:
    """The language a notebook output was drawn in, or None for an output shared by every language."""
    marked = output.get("metadata", {}).get(LANGUAGE_KEY, {})
    return marked.get("lang") if isinstance(marked, Mapping) else None
