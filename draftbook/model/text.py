"""Text helpers of every layer: labels folded for comparison (ingest, codebook), the Unicode form a reader
sees (``unhidden``), and text from data files made inert for the MyST pages the build writes."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by whoever passes a Series: the command line starts without it
    import pandas as pd

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Trim, case-fold, strip accents, unify apostrophes and spaces: 'Plutôt  D’accord' -> "plutot d'accord"."""
    if value.isascii():  # most labels, e-mails and names: nothing to decompose
        return " ".join(value.replace("`", "'").split()).casefold()
    decomposed = unicodedata.normalize("NFKD", value.translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split()).casefold()


def fold_series(values: pd.Series) -> pd.Series:
    """``fold`` of every value, computed once per distinct value (exports repeat their labels)."""
    return values.map({value: fold(str(value)) for value in values.unique()})


def strip_series(values: pd.Series) -> pd.Series:
    """Every value as trimmed text, computed once per distinct value."""
    text = values.astype(str)
    return text.map({value: value.strip() for value in text.unique()})


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"))


def unhidden(text: str) -> str:
    """``text`` in NFKC without zero-width characters: how a reader sees it, and how e-mails and names
    written with a full-width ``＠`` or split by a zero-width space are found."""
    if text.isascii():  # NFKC leaves ASCII as it is, and zero-width characters are not ASCII
        return text
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)


def inert_myst(text: str) -> str:
    """Text from data files, made inert for MyST: no markup, no roles, no HTML."""
    escaped = text.replace("\\", "\\\\")
    for char in "`*_[]<>{}()#|$!:":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula (OWASP's list)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula if it were typed into a cell."""
    return text.startswith(FORMULA_START)
