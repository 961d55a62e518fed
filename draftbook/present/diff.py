"""Word-level differences between two wordings, as HTML that screen readers and print can follow."""

from __future__ import annotations

import difflib
import html
from collections.abc import Sequence

from draftbook.model.languages import colon


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences: a list of (op, text), op in equal | delete | insert."""
    old_words, new_words = old.split(), new.split()
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", " ".join(old_words[a1:a2])))
        if op in ("delete", "replace"):
            parts.append(("delete", " ".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(("insert", " ".join(new_words[b1:b2])))
    return parts


DIFF_WORDS = {"fr": ("supprimé", "ajouté"), "en": ("deleted", "added"), "es": ("suprimido", "añadido")}


def diff_html(parts: Sequence[tuple[str, str]], lang: str = "fr") -> str:
    """The diff as HTML: <del>/<ins>, with words a screen reader reads and print shows (escaped)."""
    deleted, inserted = (f"{word}{colon(lang)} " for word in DIFF_WORDS.get(lang, DIFF_WORDS["fr"]))
    out = []
    for op, text in parts:
        escaped = html.escape(text)
        if op == "equal":
            out.append(escaped)
        elif op == "delete":
            out.append(f"<del>{_spoken(deleted)}{escaped}{_spoken_end()}</del>")
        else:
            out.append(f"<ins>{_spoken(inserted)}{escaped}{_spoken_end()}</ins>")
    return '<p class="draftbook-diff">' + " ".join(out) + "</p>"


def _spoken(word: str) -> str:
    return f'<span class="draftbook-sr">[{word}</span>'


def _spoken_end() -> str:
    return '<span class="draftbook-sr">]</span>'
