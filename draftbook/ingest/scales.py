"""Answer scales: from the label a tool wrote to a score 1-5, or no opinion.

Scales live in a registry (``register_scale``), like papermill's engines; the
built-in ``agreement-5`` knows the labels in French, English and Spanish.
Labels are compared after folding (case, accents, apostrophes, spaces), and
numbers are labels like any other, compared as numbers: ``4``, ``4.0``, ``4,0``
and `` 4 `` are one label, in the built-in scales and in a mapping's own scale.
The digits 1 to 5 are accepted as themselves unless the scale gives them
another score.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from draftbook.model.text import fold

NO_OPINION: None = None
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def label_key(label: str) -> str:
    """The form in which labels are compared: folded, and numbers written one way ("4,0" -> "4")."""
    folded = fold(label)
    if not _NUMBER.fullmatch(folded):
        return folded
    number = float(folded.replace(",", "."))
    return str(int(number)) if number.is_integer() else repr(number)


@dataclass(frozen=True)
class Scale:
    """A named scale: folded label -> score (1-5) or None for no opinion."""

    name: str
    scores: Mapping[str, int | None]

    def lookup(self, label: str) -> int | None:
        """The score of ``label``; KeyError when the label is not on the scale."""
        key = label_key(label)
        if key in self.scores:
            return self.scores[key]
        if key in {"1", "2", "3", "4", "5"}:  # Excel and Kobo write 4 as 4.0: label_key made it "4"
            return int(key)
        raise KeyError(label)

    def score_column(self, labels: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Scores (nullable Int64) and a mask of labels that are not on the scale (looked up once per label)."""
        codes, uniques = pd.factorize(labels)  # a missing label has code -1: the last entry below
        scores = np.zeros(len(uniques) + 1, dtype="int64")
        missing = np.ones(len(uniques) + 1, dtype=bool)
        off = np.zeros(len(uniques) + 1, dtype=bool)
        for index, label in enumerate(np.asarray(uniques, dtype=object)):
            try:
                score = self.lookup(label)
            except KeyError:
                off[index] = True
                continue
            if score is not None:
                scores[index], missing[index] = score, False
        return (
            pd.Series(pd.arrays.IntegerArray(scores[codes], missing[codes]), index=labels.index),
            pd.Series(off[codes], index=labels.index),
        )

    def labels(self) -> list[str]:
        return list(self.scores)


_SCALES: dict[str, Scale] = {}


def register_scale(name: str, labels: Mapping[str, int | None]) -> Scale:
    """Add a scale to the registry (labels are folded); return it."""
    scale = Scale(name, {label_key(label): score for label, score in labels.items()} | {"": NO_OPINION})
    _SCALES[name] = scale
    return scale


def get_scale(name: str) -> Scale:
    """The registered scale ``name``; KeyError if there is none."""
    return _SCALES[name]


def scale_names() -> list[str]:
    return sorted(_SCALES)


def custom_scale(labels: Mapping[str, int | None]) -> Scale:
    """A scale written in a mapping file as ``{label: score}``."""
    return Scale("custom", {label_key(str(label)): score for label, score in labels.items()} | {"": NO_OPINION})


register_scale(
    "agreement-5",
    {
        # French
        "Pas du tout d'accord": 1,
        "Plutôt pas d'accord": 2,
        "Pas d'accord": 2,
        "Ni d'accord ni pas d'accord": 3,
        "Neutre": 3,
        "Plutôt d'accord": 4,
        "D'accord": 4,
        "Tout à fait d'accord": 5,
        "Sans avis": NO_OPINION,
        "Ne sait pas": NO_OPINION,
        # English
        "Strongly disagree": 1,
        "Disagree": 2,
        "Somewhat disagree": 2,
        "Neither agree nor disagree": 3,
        "Neutral": 3,
        "Agree": 4,
        "Somewhat agree": 4,
        "Strongly agree": 5,
        "No opinion": NO_OPINION,
        "Don't know": NO_OPINION,
        # Spanish
        "Totalmente en desacuerdo": 1,
        "En desacuerdo": 2,
        "Ni de acuerdo ni en desacuerdo": 3,
        "De acuerdo": 4,
        "Totalmente de acuerdo": 5,
        "Sin opinión": NO_OPINION,
        "No sabe": NO_OPINION,
    },
)
