"""Text helpers: label folding (ingest, codebook), personal-data redaction (ingest), and
text from data files made inert for the MyST pages the build writes."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_SPACES = re.compile(r"\s+")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/])\+?\d[\d\s().-]{7,}\d(?![\w/])")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){4,7}[0-9a-fA-F]{1,4}\b")
REDACTED = {
    "email": "[e-mail removed]",
    "phone": "[phone removed]",
    "ip": "[address removed]",
    "name": "[name removed]",
}


def fold(value: str) -> str:
    """Trim, case-fold, strip accents, unify apostrophes and spaces: 'Plutôt  D’accord' -> "plutot d'accord"."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def fold_series(values: pd.Series) -> pd.Series:
    """``fold`` of every value, computed once per distinct value (exports repeat their labels)."""
    return values.map({value: fold(str(value)) for value in values.unique()})


def strip_series(values: pd.Series) -> pd.Series:
    """Every value as trimmed text, computed once per distinct value."""
    text = values.astype(str)
    return text.map({value: value.strip() for value in text.unique()})


def redact(text: pd.Series) -> pd.Series:
    """Free text with e-mail addresses, phone numbers and IP addresses replaced by a marker."""
    text = text.str.replace(EMAIL, REDACTED["email"], regex=True)
    text = text.str.replace(IPV6, REDACTED["ip"], regex=True)
    text = text.str.replace(IPV4, REDACTED["ip"], regex=True)
    return text.str.replace(PHONE, REDACTED["phone"], regex=True)


def redact_name(text: str, name: str) -> str:
    """``text`` with the writer's own name (full, or any part of 3+ letters) replaced."""
    lowered = text.casefold()
    parts = sorted({name.strip(), *(p for p in re.split(r"[\s,]+", name) if len(p) >= 3)}, key=len, reverse=True)
    for part in parts:
        if part and part.casefold() in lowered:  # the regex only where the name may be
            text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", REDACTED["name"], text, flags=re.IGNORECASE)
    return text


def inert_myst(text: str) -> str:
    """Text from data files, made inert for MyST: no markup, no roles, no HTML."""
    escaped = text.replace("\\", "\\\\")
    for char in "`*_[]<>{}()#|$!:":
        escaped = escaped.replace(char, "\\" + char)
    return escaped
