"""Text helpers of every layer: labels folded for comparison (ingest, codebook), the Unicode form a reader
sees (``unhidden``), and text from data files made inert for the MyST pages the build writes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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
    return per_distinct(values, lambda value: fold(str(value)))


def strip_series(values: pd.Series) -> pd.Series:
    """Every value as trimmed text, computed once per distinct value."""
    return per_distinct(values.astype(str), str.strip)


def per_distinct(values: pd.Series, function: Callable[[Any], str]) -> pd.Series:
    """``function`` of every value, called once per distinct value (a missing value counts as one)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    done = np.array([function(value) for value in np.asarray(uniques, dtype=object)], dtype=object)
    return pd.Series(done[codes], index=values.index, dtype=str)


def sort_rows(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``frame.sort_values(by, kind="stable")``, with numpy's string sort instead of Python's comparisons.

    Text is compared as fixed-width arrays (code point by code point, as Python compares
    ``str``); a column numpy cannot hold that way (missing values, text ending in NUL
    characters, which fixed-width arrays drop, or anything but text) leaves the sort to pandas.
    """
    import numpy as np
    import pandas as pd

    keys = []
    for name in reversed(by):
        column = frame[name]
        if column.isna().any():
            return frame.sort_values(by, kind="stable")
        if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
            values = column.to_numpy(dtype=object)
            if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):  # numbers among them
                return frame.sort_values(by, kind="stable")
            fixed = values.astype(str)
            if len(values) and (np.char.str_len(fixed) != np.fromiter(map(len, values), int, len(values))).any():
                return frame.sort_values(by, kind="stable")
            keys.append(fixed)
        else:
            keys.append(column.to_numpy())
    return frame.iloc[np.lexsort(keys)] if keys else frame


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
