"""The codebook (``data/codebook.yml``): themes with labels and keywords in three languages, checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftbook.model.config import check_keys, read_yaml, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.languages import LANGUAGES, in_language
from draftbook.model.text import fold


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook."""

    id: str
    label: dict[str, str]
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def label_in(self, lang: str) -> str:
        """The label in ``lang``, falling back to French."""
        return in_language(self.label, lang)

    def matches(self, folded_text: str) -> bool:
        return bool(self.pattern and self.pattern.search(folded_text))


def keyword_regex(keyword: str) -> str:
    """The regular expression of one keyword (see the module docstring)."""
    if keyword.startswith("re:"):
        return keyword[3:]
    words = [word for word in re.split(r"[\s\-]+", fold(keyword)) if word]
    parts = [_word(word, last=index == len(words) - 1) for index, word in enumerate(words)]
    return r"\b" + r"[\s\-]+".join(parts)


def _word(word: str, last: bool) -> str:
    """A word of a keyword: ``word*`` takes any ending; the last word may take a plural."""
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"\w*"
    return re.escape(word) + (r"(?:s|es|x)?\b" if last else "")


def load_codebook(path: Path) -> dict[str, Theme]:
    """The themes of ``path`` by id; a malformed codebook is a DataFileError."""
    content = require_mapping(read_yaml(path), file=path, key=None, what="a codebook")
    check_keys(content, allowed=["themes"], required=["themes"], file=path)
    entries = content["themes"]
    if not isinstance(entries, list):
        raise DataFileError("expected a list of themes", file=path, key="themes")
    themes: dict[str, Theme] = {}
    for index, raw in enumerate(entries):
        where = f"themes[{index}]"
        entry = require_mapping(raw, file=path, key=where, what="a theme")
        check_keys(entry, allowed=["id", "label", "keywords"], required=["id", "label"], file=path, where=where)
        theme_id = str(entry["id"])
        if theme_id in themes:
            raise DataFileError(f'the theme "{theme_id}" is listed twice', file=path, key=where)
        label = require_mapping(entry["label"], file=path, key=f"{where}.label", what="labels per language")
        if not any(isinstance(text, str) and text.strip() for text in label.values()):
            raise DataFileError(
                "the theme has no label",
                file=path,
                key=f"{where}.label",
                hint="write it at least in the paper's language",
            )
        keywords = _keywords(entry.get("keywords"), path, theme_id)
        themes[theme_id] = Theme(
            theme_id, {str(k): str(v) for k, v in label.items()}, keywords, _compile(keywords, path, theme_id)
        )
    return themes


def _keywords(raw: Any, path: Path, theme_id: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    by_language = require_mapping(raw, file=path, key=f"{theme_id}.keywords", what="keywords per language")
    check_keys(by_language, allowed=LANGUAGES, file=path, where=f"{theme_id}.keywords")
    keywords: dict[str, tuple[str, ...]] = {}
    for lang, words in by_language.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise DataFileError("expected a list of words", file=path, key=f"{theme_id}.keywords.{lang}")
        keywords[str(lang)] = tuple(words)
    return keywords


def _compile(keywords: dict[str, tuple[str, ...]], path: Path, theme_id: str) -> re.Pattern[str] | None:
    parts = []
    for lang, words in keywords.items():
        for word in words:
            regex = keyword_regex(word)
            try:
                re.compile(regex)
            except re.error as exc:
                raise DataFileError(
                    f'the keyword "{word}" is not a valid pattern ({exc.msg})',
                    file=path,
                    key=f"{theme_id}.keywords.{lang}",
                    hint="check brackets and backslashes, or drop the re: prefix",
                ) from exc
            parts.append(f"(?:{regex})")
    return re.compile("|".join(parts)) if parts else None
