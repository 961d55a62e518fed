"""The codebook: the themes that calls and comments are coded with.

``data/codebook.yml`` lists each theme with an id and a label per language.
Comment coding (keywords per language) builds on this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from draftbook.config import check_keys, read_yaml, require_mapping
from draftbook.errors import DataFileError

LANGUAGES = ("fr", "en", "es")


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook."""

    id: str
    label: dict[str, str]

    def label_in(self, lang: str) -> str:
        """The label in ``lang``, falling back to French."""
        return self.label.get(lang) or self.label["fr"]


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
        if not label.get("fr"):
            raise DataFileError("a French label is required", file=path, key=f"{where}.label.fr")
        themes[theme_id] = Theme(theme_id, {str(k): str(v) for k, v in label.items()})
    return themes
