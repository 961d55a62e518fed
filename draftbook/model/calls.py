"""The calls to action: load, validate and present them.

``data/calls.yml`` holds the current draft; each round keeps a snapshot of the
calls exactly as tested. Both follow the same contract::

    calls:
      - id: CTA-01
        addressee: national-governments
        theme: recognition
        replaces: [CTA-03]        # optional
        short: {fr: "...", en: "...", es: "..."}   # optional: a short title, at most 60 characters
        text: {fr: "...", en: "...", es: "..."}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from draftbook.model.codebook import Theme
from draftbook.model.config import check_keys, read_yaml, require_choice, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.languages import LANGUAGES, in_language

ADDRESSEES = ("local-regional-governments", "national-governments", "international-community")
ADDRESSEE_LABELS = {
    "local-regional-governments": {
        "fr": "Gouvernements locaux et régionaux",
        "en": "Local and regional governments",
        "es": "Gobiernos locales y regionales",
    },
    "national-governments": {
        "fr": "Gouvernements nationaux",
        "en": "National governments",
        "es": "Gobiernos nacionales",
    },
    "international-community": {
        "fr": "Communauté internationale",
        "en": "International community",
        "es": "Comunidad internacional",
    },
}
CALL_ID = re.compile(r"^CTA-\d{2,3}$")
CALL_KEYS = ("id", "addressee", "theme", "replaces", "short", "text")
SHORT_MAX = 60  # characters of a short title: it must fit a chart's axis at print width
LABEL_SEPARATOR = " · "


@dataclass(frozen=True)
class Call:
    """One call to action, in the three languages."""

    id: str
    addressee: str
    theme: str
    text: dict[str, str]
    replaces: tuple[str, ...] = ()
    short: dict[str, str] = field(default_factory=dict)  # short title per language; may be empty

    def text_in(self, lang: str) -> str:
        """The wording in ``lang``; the wording that is there (the paper's own language) when that
        translation is missing."""
        return in_language(self.text, lang)

    def short_in(self, lang: str) -> str:
        """The short title in ``lang`` (the one there is when not translated); "" when the call has none."""
        return in_language(self.short, lang) if self.short else ""

    def label_in(self, lang: str) -> str:
        """How charts, tables and lists name the call: "CTA-07 · Professionalise cooperation", or the id alone."""
        short = self.short_in(lang)
        return f"{self.id}{LABEL_SEPARATOR}{short}" if short else self.id


def load_calls(path: Path, themes: Iterable[str] | None = None) -> list[Call]:
    """The calls of ``path`` in file order.

    Every problem (unknown key, bad id, id listed twice, unknown addressee or
    theme, no wording at all) is a DataFileError naming the call and the key.
    """
    content = require_mapping(read_yaml(path), file=path, key=None, what="a calls file")
    check_keys(content, allowed=["calls"], required=["calls"], file=path)
    entries = content["calls"]
    if not isinstance(entries, list) or not entries:
        raise DataFileError("expected a non-empty list of calls", file=path, key="calls")
    known_themes = set(themes) if themes is not None else None
    calls: list[Call] = []
    seen: set[str] = set()
    for index, raw in enumerate(entries):
        call = _parse_call(raw, index, path, known_themes)
        if call.id in seen:
            raise DataFileError(
                f"the call {call.id} is listed twice",
                file=path,
                key=f"calls[{index}].id",
                hint="each call needs its own id; use 'replaces' to record a merge or split",
            )
        seen.add(call.id)
        calls.append(call)
    return calls


def _parse_call(raw: object, index: int, path: Path, themes: set[str] | None) -> Call:
    where = f"calls[{index}]"
    entry = require_mapping(raw, file=path, key=where, what="a call")
    check_keys(entry, allowed=CALL_KEYS, required=["id", "addressee", "theme", "text"], file=path, where=where)
    call_id = str(entry["id"])
    where = f"{call_id}"
    if not CALL_ID.match(call_id):
        raise DataFileError(f'"{call_id}" is not a call id', file=path, key=f"{where}.id", hint="write ids like CTA-01")
    addressee = require_choice(entry["addressee"], ADDRESSEES, file=path, key=f"{where}.addressee", what="addressee")
    theme = str(entry["theme"])
    if themes is not None and theme not in themes:
        raise DataFileError(
            f'unknown theme "{theme}"',
            file=path,
            key=f"{where}.theme",
            hint="use a theme id of data/codebook.yml, or add the theme there",
        )
    short = _parse_short(entry.get("short"), path, where)
    return Call(
        call_id, addressee, theme, _parse_text(entry["text"], path, where), _parse_replaces(entry, path, where), short
    )


def _parse_short(raw: object, path: Path, where: str) -> dict[str, str]:
    """The optional short titles: text per language, each at most SHORT_MAX characters on one line."""
    if raw is None:
        return {}
    short = require_mapping(raw, file=path, key=f"{where}.short", what="the short title per language")
    check_keys(short, allowed=LANGUAGES, file=path, where=f"{where}.short")
    titles = {}
    for lang, value in short.items():
        if not isinstance(value, str):
            raise DataFileError("expected text", file=path, key=f"{where}.short.{lang}")
        title = " ".join(value.split())
        if len(title) > SHORT_MAX:
            raise DataFileError(
                f"the short title has {len(title)} characters, more than {SHORT_MAX}",
                file=path,
                key=f"{where}.short.{lang}",
                hint="a few words that readers recognise the call by; the full text stays in text:",
            )
        if title:
            titles[str(lang)] = title
    return titles


def _parse_text(raw: object, path: Path, where: str) -> dict[str, str]:
    text = require_mapping(raw, file=path, key=f"{where}.text", what="the text per language")
    check_keys(text, allowed=LANGUAGES, file=path, where=f"{where}.text")
    for lang in LANGUAGES:
        if not isinstance(text.get(lang, ""), str):
            raise DataFileError("expected text", file=path, key=f"{where}.text.{lang}")
    # A translation not written yet (absent or empty) shows the paper's own wording.
    words = {lang: " ".join(str(text.get(lang, "")).split()) for lang in LANGUAGES}
    if not any(words.values()):
        raise DataFileError(
            "the call has no wording", file=path, key=f"{where}.text", hint="write it at least in the paper's language"
        )
    return words


def _parse_replaces(entry: dict[str, object] | object, path: Path, where: str) -> tuple[str, ...]:
    assert isinstance(entry, dict)
    replaces = entry.get("replaces") or []
    if not isinstance(replaces, list) or not all(isinstance(r, str) and CALL_ID.match(r) for r in replaces):
        raise DataFileError(
            "expected a list of call ids", file=path, key=f"{where}.replaces", hint="write replaces: [CTA-03, CTA-04]"
        )
    return tuple(replaces)


def calls_table(calls: Iterable[Call], lang: str, themes: dict[str, Theme] | None = None) -> pd.DataFrame:
    """One row per call with its addressee, theme and wording in ``lang`` (for display)."""
    rows = [
        {
            "call": call.id,
            "addressee": ADDRESSEE_LABELS[call.addressee].get(lang, call.addressee),
            "theme": themes[call.theme].label_in(lang) if themes and call.theme in themes else call.theme,
            "text": call.text_in(lang),
        }
        for call in calls
    ]
    import pandas as pd  # only here: loading the calls must not cost the command line a pandas import

    return pd.DataFrame(rows, columns=["call", "addressee", "theme", "text"])
