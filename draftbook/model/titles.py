"""``book/locales/titles.yml``: the titles that live outside the chapters, in the translations.

The paper's own language stays where it is written (the book's title and author in ``_config.yml``,
each round's title in its ``round.yml``); a missing translation shows that language.
Kept apart from ``draftbook.book.translate`` so that reading a round (in every
notebook kernel) does not load the gettext tooling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from draftbook.model.config import read_yaml
from draftbook.model.errors import DataFileError
from draftbook.model.languages import source_language, translations
from draftbook.model.paths import Workbook

TITLES_FILE = "titles.yml"


def titles_path(workbook: Workbook) -> Path:
    return workbook.book_dir / "locales" / TITLES_FILE


def load_titles(workbook: Workbook) -> dict[str, dict[str, Any]]:
    """Per translated language: ``{"book": …, "author": …, "rounds": {round id: …}}``, as written."""
    path = titles_path(workbook)
    if not path.is_file():
        return {}
    loaded = read_yaml(path)
    if not isinstance(loaded, dict) or not all(isinstance(v, dict) for v in loaded.values()):
        raise DataFileError("expected, per language, `book:` and `rounds:`, e.g. `en: {book: The title}`", file=path)
    translated = translations(workbook)
    return {str(lang): entry for lang, entry in loaded.items() if lang in translated}


def translated(workbook: Workbook, what: str) -> dict[str, str]:
    """``what`` ("book" or "author") per translated language, where given."""
    return {lang: entry[what] for lang, entry in load_titles(workbook).items() if isinstance(entry.get(what), str)}


def round_titles(workbook: Workbook, round_id: str) -> dict[str, str]:
    """The round's title per translated language, where given."""
    titles = {}
    for lang, entry in load_titles(workbook).items():
        rounds = entry.get("rounds")
        title = rounds.get(round_id) if isinstance(rounds, dict) else None
        if isinstance(title, str) and title.strip():
            titles[lang] = title.strip()
    return titles


def book_titles(workbook: Workbook, what: str = "book") -> dict[str, str]:
    """The book's title (or ``author``) per language, the one place every output reads it from:
    the paper's own language from ``_config.yml``, the others from ``book/locales/titles.yml``."""
    config = read_yaml(workbook.root / "_config.yml")
    key = "title" if what == "book" else what
    source = str(config.get(key, "")) if isinstance(config, dict) else ""
    return {source_language(workbook): source} | translated(workbook, what)
