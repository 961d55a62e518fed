"""The controlled vocabulary of respondents: regions, constituencies, languages.

Tidy tables hold the ids; pages show the label in the page's language; an
import accepts the id, any label or any alias. The vocabulary is the
workbook's ``data/vocabulary.yml``, so that another network sets up its own
regions and member types without touching Python::

    regions:
      africa: {fr: Afrique, en: Africa, es: África}
      world: {fr: Mondial, en: Global, es: Mundial, aliases: [global, international]}
    constituencies:
      local-government: {fr: Gouvernement local, en: Local government, aliases: [municipality, city]}
    languages:
      fr: {fr: français, en: French, es: francés, aliases: [francais, french]}

- ids: lowercase letters, digits and hyphens (``latin-america``);
- labels: ``fr`` is required, ``en`` and ``es`` are optional (French is shown
  in their place);
- ``aliases``: optional list of other words the tools and typists use for the
  same thing;
- a label or alias may point to one id only: two ids whose ids, labels or
  aliases read the same after folding (``draftbook.model.text.fold``: case, accents,
  apostrophes, spaces) are refused, as are unknown keys.

In Python the dimensions are singular: ``region``, ``constituency``,
``language``. ``vocabulary()`` gives the (cached) vocabulary of a workbook;
nothing is read when the module is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from draftbook.model.config import check_keys, describe, read_yaml, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook

# Dimension (as in the tidy tables and the API) -> its key in data/vocabulary.yml.
DIMENSIONS = {"region": "regions", "constituency": "constituencies", "language": "languages"}
LABEL_LANGUAGES = ("fr", "en", "es")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


def _fold(text: str) -> str:
    from draftbook.model.text import fold  # pandas comes with draftbook.model.text: only when a vocabulary is used

    return fold(text)


def _check_dimension(dimension: str) -> str:
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown vocabulary dimension {dimension!r}: use {', '.join(DIMENSIONS)}")
    return dimension


@dataclass(frozen=True)
class Vocabulary:
    """The ids, labels and aliases of each dimension (``region``, ``constituency``, ``language``).

    ``labels``: dimension -> id -> language -> label, ids in file order.
    ``aliases``: dimension -> alias (as written) -> id.
    A cached vocabulary is shared: do not modify it.
    """

    labels: dict[str, dict[str, dict[str, str]]]
    aliases: dict[str, dict[str, str]]

    def ids(self, dimension: str) -> list[str]:
        """The ids of ``dimension``, in the order of the file."""
        return list(self.labels[_check_dimension(dimension)])

    def label(self, dimension: str, value: str, lang: str) -> str:
        """The label of ``value`` in ``lang``, French when there is none in ``lang``.

        A value outside the vocabulary (a source name, say) is shown as it is.
        """
        labels = self.labels.get(dimension, {}).get(value)
        if not labels:
            return value
        return labels.get(lang) or labels["fr"]

    def index(self, dimension: str) -> dict[str, str]:
        """Folded id, labels (in every language) and aliases -> id: what an import accepts."""
        index: dict[str, str] = {}
        for value, labels in self.labels[_check_dimension(dimension)].items():
            index[_fold(value)] = value
            for text in labels.values():
                index[_fold(text)] = value
        for alias, value in self.aliases.get(dimension, {}).items():
            index[_fold(alias)] = value
        return index


def load_vocabulary(path: Path) -> Vocabulary:
    """The vocabulary file, checked (see the module docstring); a malformed file is a DataFileError."""
    content = require_mapping(read_yaml(path), file=path, key=None, what="a vocabulary file")
    check_keys(content, allowed=DIMENSIONS.values(), required=DIMENSIONS.values(), file=path)
    labels: dict[str, dict[str, dict[str, str]]] = {}
    aliases: dict[str, dict[str, str]] = {}
    for dimension, section in DIMENSIONS.items():
        labels[dimension], aliases[dimension] = _load_dimension(content[section], path, section)
    return Vocabulary(labels, aliases)


def _load_dimension(raw: Any, path: Path, section: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    entries = require_mapping(raw, file=path, key=section, what="entries by id")
    if not entries:
        raise DataFileError("expected at least one entry", file=path, key=section)
    labels: dict[str, dict[str, str]] = {}
    aliases: dict[str, str] = {}
    seen: dict[str, tuple[str, str, str]] = {}  # folded text -> (id, key, text as written)

    def claim(text: str, value: str, key: str) -> None:
        folded = _fold(text)
        other = seen.setdefault(folded, (value, key, text))
        if other[0] != value:
            raise DataFileError(
                f'"{text}" reads the same as "{other[2]}" of {other[0]} ({other[1]})',
                file=path,
                key=key,
                hint=f"a label or alias may name one id only: change or remove one of them ({key} or {other[1]})",
            )

    for value, raw_entry in entries.items():
        where = f"{section}.{value}"
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            shown = f'"{value}"' if isinstance(value, str) else f"{value!r} ({describe(value)})"
            raise DataFileError(
                f"the id {shown} is not an id",
                file=path,
                key=where,
                hint='use lowercase letters, digits and hyphens (latin-america); quote ids such as "no" or "on"',
            )
        entry = require_mapping(raw_entry, file=path, key=where, what="labels per language and aliases")
        check_keys(entry, allowed=[*LABEL_LANGUAGES, "aliases"], file=path, where=where)
        if entry.get("fr") in (None, ""):
            raise DataFileError("a French label is required", file=path, key=f"{where}.fr")
        claim(value, value, where)
        labels[value] = {}
        for lang in LABEL_LANGUAGES:
            if lang not in entry:
                continue
            text = entry[lang]
            if not isinstance(text, str):
                raise DataFileError(
                    f"expected a label (text), found {describe(text)}", file=path, key=f"{where}.{lang}"
                )
            if not text.strip():
                raise DataFileError(
                    "the label is empty", file=path, key=f"{where}.{lang}", hint="write it or remove the line"
                )
            claim(text, value, f"{where}.{lang}")
            labels[value][lang] = text
        listed = entry.get("aliases")
        if listed is None:
            continue
        if not isinstance(listed, list):
            raise DataFileError(
                f"expected a list of aliases, found {describe(listed)}",
                file=path,
                key=f"{where}.aliases",
                hint="write them as [word, other word]",
            )
        for position, alias in enumerate(listed):
            if not isinstance(alias, str):
                raise DataFileError(
                    f"expected an alias (text), found {describe(alias)}",
                    file=path,
                    key=f"{where}.aliases[{position}]",
                    hint='quote words that YAML reads otherwise ("yes", "no", numbers)',
                )
            if not alias.strip():
                raise DataFileError("the alias is empty", file=path, key=f"{where}.aliases[{position}]")
            claim(alias, value, f"{where}.aliases[{position}]")
            aliases[alias] = value
    return labels, aliases


@lru_cache(maxsize=8)
def _load_cached(path: Path, modified_ns: int, size: int) -> Vocabulary:
    return load_vocabulary(path)


def vocabulary(workbook: Workbook | None = None) -> Vocabulary:
    """The vocabulary of ``workbook`` (default: ``Workbook.locate()``), read again only when the file changes."""
    path = (workbook or Workbook.locate()).vocabulary_file.resolve()
    try:
        stat = path.stat()
    except OSError:
        return load_vocabulary(path)  # the DataFileError that names the missing file
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


def label(dimension: str, value: str, lang: str) -> str:
    """The label of ``value`` (a region, constituency or language id) in ``lang``, in the default workbook.

    A value outside the vocabulary (a source name, say) is shown as it is.
    """
    return vocabulary().label(dimension, value, lang)
