"""Coding that learns from the analyst: suggested theme codes, with a confidence, never published as codes.

The keywords of ``data/codebook.yml`` code every comment (``coding.auto_codes``)
and the analyst corrects them in ``data/rounds/<round>/coding.csv``. This module
learns from both and *suggests* themes for the comments the keywords left
uncoded or coded otherwise:

- one scikit-learn pipeline for the three languages together: character n-grams
  (``char_wb``, 2 to 5 characters, sublinear TF-IDF) of the text folded with
  ``model.text.fold`` (case, accents, apostrophes), then one logistic regression
  per theme (``OneVsRestClassifier``, balanced class weights, liblinear, seeded);
  the confidence of a theme is its regression's probability;
- training labels: the analyst's codes (``coding.csv`` of every round) where
  there are some, the keyword codes (weak labels) for every other comment; a
  theme with fewer than ``MIN_POSITIVES`` examples is not learned (never
  suggested);
- a theme is suggested when its confidence is at least ``THRESHOLD``: the
  threshold with the best out-of-fold macro F1 of ``both`` (keyword codes plus
  suggestions, the analyst's view) on the labelled fixtures, never the held-out
  one (``threshold_table``, ``best_threshold``; ``benchmarks/coding.py``, recorded
  in ``benchmarks/README.md``);
- *reconciled* codes (``reconcile``) keep a keyword code unless the model's
  confidence for that theme on that comment is below a veto ``VETO`` (the model
  disagrees strongly), and add the themes at or above ``THRESHOLD``; the pair is
  chosen the same way, on the labelled fixtures out-of-fold (``reconcile_table``,
  ``best_pair``). There the model's confidence does not tell the keywords' few
  wrong codes from their right ones, so the chosen veto is 0: no keyword code is
  vetoed unless a caller asks for a veto (``write_suggestions(..., veto=...)``).

Suggestions go to a review list, ``data/rounds/<round>/coding-suggestions.csv``
(``write_suggestions``; the command ``draftbook coding suggest --round R``),
one row per comment whose suggestions add a theme to its keyword codes or doubt
one of them, most confident first: ``comment`` (its ``C-…`` id), ``language``,
``text``, ``keyword_codes`` (``;``-separated), ``suggested`` (``theme:confidence,
…``, only the themes the keywords lack), ``doubtful`` (``theme:confidence, …``,
the keyword codes whose confidence is below the veto: a suggestion to *remove*
them) and ``status`` ("suggested"); a text a spreadsheet would run as a formula
is prefixed with ``'``. Nothing reads that file when the book is built: the
published codes are the keywords' and ``coding.csv``'s only
(``coding.round_comments``).

**Accepting a suggestion** means copying it into the round's ``coding.csv``:
add the line ``C-1a2b3c4d5e,financing;decentralisation`` (the ``comment`` id,
then *every* theme the comment should carry, ``;``-separated: the analyst's
codes replace the keyword codes of that comment, so keep the keyword codes that
are right and add the accepted suggestions). To reject one, do nothing, or
write the comment's right themes in ``coding.csv`` too (``C-1a2b3c4d5e,`` for
none): a comment with the analyst's codes is never suggested again, and the next
suggestions learn from the decision. **Accepting a doubt** is the same: write the
comment's line in ``coding.csv`` without the doubted theme; until then the keyword
code stays published.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from draftbook.analysis.coding import coding_quality, has_words, round_comments
from draftbook.model.codebook import load_codebook
from draftbook.model.files import atomic_write
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, load_rounds, read_table
from draftbook.model.text import fold, is_formula_like

SEED = 0
NGRAMS = (2, 5)  # character n-grams within word boundaries: stems, cognates across fr/en/es, typos
C = 10.0  # inverse regularisation of each regression: best out-of-fold F1 of 1, 3, 10, 30, 100 (labelled data)
THRESHOLD = 0.5  # confidence from which a theme is suggested: see best_threshold and benchmarks/README.md
MIN_POSITIVES = 2  # a theme with fewer examples in the training data is not learned
FOLDS = 5  # cross-fitting of the review list: a comment's keyword codes never teach its own suggestion
GRID = tuple(round(0.05 * step, 2) for step in range(1, 20))  # thresholds tried by threshold_table
VETO = 0.0  # a keyword code whose confidence is below it is doubted (0: none): see best_pair, benchmarks/README.md
VETO_GRID = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)  # tried by reconcile_table

SUGGESTIONS_FILE = "coding-suggestions.csv"
COLUMNS = ("comment", "language", "text", "keyword_codes", "suggested", "doubtful", "status")

Suggestion = tuple[str, float]  # (theme id, confidence between 0 and 1)


def _pipeline(c: float) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "ngrams",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, preprocessor=fold, lowercase=False
                ),
            ),
            (
                "themes",
                OneVsRestClassifier(
                    LogisticRegression(C=c, class_weight="balanced", solver="liblinear", random_state=SEED)
                ),
            ),
        ]
    )


@dataclass(frozen=True)
class Suggester:
    """A trained model: ``suggest`` gives each text's themes at or above ``threshold``, most confident first."""

    themes: tuple[str, ...]  # the learned themes, in codebook order (the model's columns)
    threshold: float
    pipeline: Any = None  # the fitted sklearn Pipeline; None when no theme could be learned

    def confidences(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per learned theme: the probability that the theme applies.

        Texts with too few letters to code (``coding.has_words``) get zeros.
        """
        result = np.zeros((len(texts), len(self.themes)))
        rows = [index for index, text in enumerate(texts) if has_words(text)]
        if self.pipeline is not None and rows:
            result[rows] = self.pipeline.predict_proba([texts[index] for index in rows])
        return result

    def suggest(self, texts: Sequence[str]) -> list[list[Suggestion]]:
        """Per text, the ``(theme, confidence)`` pairs at or above the threshold, most confident first."""
        return [
            sorted(
                (
                    (theme, float(value))
                    for theme, value in zip(self.themes, row, strict=True)
                    if value >= self.threshold
                ),
                key=lambda pair: -pair[1],  # stable: equal confidences keep the codebook's order
            )
            for row in self.confidences(texts)
        ]

    def reconcile(
        self, texts: Sequence[str], keyword_codes: Sequence[Sequence[str]], *, veto: float = VETO
    ) -> list[list[str]]:
        """Per text, its keyword codes less those the model vetoes, plus the themes at or above the threshold
        (``reconcile``)."""
        return reconcile(keyword_codes, self.themes, self.confidences(texts), veto=veto, threshold=self.threshold)


def train(
    texts: Sequence[str],
    labels: Sequence[Iterable[str]],
    themes: Iterable[str],
    *,
    threshold: float = THRESHOLD,
    c: float = C,
) -> Suggester:
    """A suggester trained on ``texts`` and their themes (``labels``: the analyst's or the keywords' codes).

    ``themes`` are the codebook's ids (a codebook dict will do), in the order suggestions break ties;
    a code outside them is a ValueError. Deterministic: the same input gives the same model.
    """
    known = list(themes)
    sets = [set(codes) for codes in labels]
    if len(sets) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(sets)} sets of labels")
    unknown = sorted(set().union(*sets) - set(known))
    if unknown:
        raise ValueError(f"unknown theme(s) in the labels: {', '.join(unknown)}")
    learned = tuple(theme for theme in known if MIN_POSITIVES <= sum(theme in codes for codes in sets) < len(sets))
    if not learned:
        return Suggester((), threshold)
    target = np.array([[theme in codes for theme in learned] for codes in sets], dtype=int)
    pipeline = _pipeline(c)
    pipeline.fit(list(texts), target)
    return Suggester(learned, threshold, pipeline)


def both(keyword_codes: Sequence[Sequence[str]], suggestions: Sequence[Sequence[Suggestion]]) -> list[list[str]]:
    """Keyword codes plus suggestions: every keyword code kept, then the suggested themes they lack."""
    return [
        list(codes) + [theme for theme, _ in suggested if theme not in codes]
        for codes, suggested in zip(keyword_codes, suggestions, strict=True)
    ]


def reconcile(
    keyword_codes: Sequence[Sequence[str]],
    themes: Sequence[str],
    confidences: np.ndarray,
    *,
    veto: float,
    threshold: float,
) -> list[list[str]]:
    """Keyword codes the model does not veto, then the themes at or above ``threshold`` they lack.

    ``themes`` and ``confidences`` as ``Suggester.confidences`` gives them (one row per comment). A keyword
    code is dropped when its theme's confidence is below ``veto`` (``doubts``); a theme the model did not
    learn (not in ``themes``) has no confidence and is kept. ``veto`` 0 keeps every keyword code (``both``).
    """
    doubted = doubts(keyword_codes, themes, confidences, veto)
    result = []
    for codes, row, doubt in zip(keyword_codes, confidences, doubted, strict=True):
        vetoed = {theme for theme, _ in doubt}
        kept = [code for code in codes if code not in vetoed]
        added = [theme for theme, value in zip(themes, row, strict=True) if value >= threshold and theme not in kept]
        result.append(kept + added)
    return result


def doubts(
    keyword_codes: Sequence[Sequence[str]], themes: Sequence[str], confidences: np.ndarray, veto: float
) -> list[list[Suggestion]]:
    """Per row, the keyword codes whose confidence is below ``veto``, as ``(theme, confidence)``, least
    confident first (ties in the keywords' order); themes the model did not learn are never doubted."""
    if len(keyword_codes) != len(confidences):
        raise ValueError(f"{len(keyword_codes)} rows of keyword codes but {len(confidences)} of confidences")
    column = {theme: index for index, theme in enumerate(themes)}
    return [
        sorted(
            (
                (code, float(row[column[code]]))
                for code in dict.fromkeys(codes)
                if code in column and row[column[code]] < veto
            ),
            key=lambda pair: pair[1],
        )
        for codes, row in zip(keyword_codes, confidences, strict=True)
    ]


def macro_f1(gold: Sequence[set[str]], predicted: Sequence[Sequence[str]]) -> float:
    """The mean F1 over themes of ``coding.coding_quality`` (0 when there is nothing to score)."""
    quality = coding_quality(gold, predicted)
    return float(quality["f1"].mean()) if len(quality) else 0.0


def out_of_fold(
    texts: Sequence[str],
    labels: Sequence[Iterable[str]],
    groups: Sequence[str],
    themes: Iterable[str],
    *,
    folds: int = FOLDS,
    c: float = C,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Confidences of each text from a model that never saw its group (grouped k-fold, deterministic).

    ``groups`` keeps together texts that must not teach one another (a comment and its translations).
    Returns the themes (columns) and one row per text.
    """
    from sklearn.model_selection import GroupKFold

    known = tuple(themes)
    sets = [set(codes) for codes in labels]
    result = np.zeros((len(texts), len(known)))
    splits = min(folds, len(set(groups)))
    for fit_rows, test_rows in GroupKFold(n_splits=splits).split(np.zeros(len(texts)), groups=list(groups)):
        model = train([texts[i] for i in fit_rows], [sets[i] for i in fit_rows], known, c=c)
        values = model.confidences([texts[i] for i in test_rows])
        for column, theme in enumerate(model.themes):
            result[test_rows, known.index(theme)] = values[:, column]
    return known, result


def above(themes: Sequence[str], confidences: np.ndarray, threshold: float) -> list[list[str]]:
    """Per row, the themes whose confidence is at least ``threshold``."""
    return [[theme for theme, value in zip(themes, row, strict=True) if value >= threshold] for row in confidences]


def threshold_table(
    texts: Sequence[str],
    labels: Sequence[Iterable[str]],
    groups: Sequence[str],
    themes: Iterable[str],
    keyword_codes: Sequence[Sequence[str]],
    *,
    folds: int = FOLDS,
    c: float = C,
    grid: Sequence[float] = GRID,
) -> pd.DataFrame:
    """Out-of-fold macro F1 on labelled data at each threshold of ``grid``: ``threshold, suggestions, both``.

    ``suggestions`` scores the suggestions alone, ``both`` the keyword codes plus the suggestions. Give it
    labelled comments only, never the held-out ones; ``groups`` as for ``out_of_fold``.
    """
    sets = [set(codes) for codes in labels]
    columns, confidences = out_of_fold(texts, sets, groups, themes, folds=folds, c=c)
    rows = []
    for threshold in grid:
        suggested = above(columns, confidences, threshold)
        combined = both(keyword_codes, [[(theme, 1.0) for theme in row] for row in suggested])
        rows.append(
            {"threshold": threshold, "suggestions": macro_f1(sets, suggested), "both": macro_f1(sets, combined)}
        )
    return pd.DataFrame(rows, columns=["threshold", "suggestions", "both"])


def best_threshold(table: pd.DataFrame, method: str = "both") -> float:
    """The threshold of ``threshold_table`` with the highest macro F1 of ``method``; ties to the higher one
    (fewer suggestions for the analyst to review)."""
    best = table[method].max()
    return float(table.loc[table[method] >= best - 1e-12, "threshold"].max())


def reconcile_table(
    texts: Sequence[str],
    labels: Sequence[Iterable[str]],
    groups: Sequence[str],
    themes: Iterable[str],
    keyword_codes: Sequence[Sequence[str]],
    *,
    folds: int = FOLDS,
    c: float = C,
    vetoes: Sequence[float] = VETO_GRID,
    grid: Sequence[float] = GRID,
) -> pd.DataFrame:
    """Out-of-fold macro F1 of ``reconcile`` on labelled data for each veto of ``vetoes`` and threshold of
    ``grid`` with veto <= threshold (above it, a vetoed code would be added back): ``veto, threshold,
    reconciled``. Labelled comments only, never the held-out ones; the arguments as for ``threshold_table``.
    """
    sets = [set(codes) for codes in labels]
    columns, confidences = out_of_fold(texts, sets, groups, themes, folds=folds, c=c)
    rows = [
        {
            "veto": veto,
            "threshold": threshold,
            "reconciled": macro_f1(
                sets, reconcile(keyword_codes, columns, confidences, veto=veto, threshold=threshold)
            ),
        }
        for veto in vetoes
        for threshold in grid
        if veto <= threshold
    ]
    return pd.DataFrame(rows, columns=["veto", "threshold", "reconciled"])


def best_pair(table: pd.DataFrame) -> tuple[float, float]:
    """The ``(veto, threshold)`` of ``reconcile_table`` with the highest macro F1; ties to the lower veto,
    then the higher threshold (fewer doubts and fewer suggestions for the analyst to review)."""
    best = table["reconciled"].max()
    tied = table[table["reconciled"] >= best - 1e-12]
    veto = float(tied["veto"].min())
    return veto, float(tied.loc[tied["veto"] == veto, "threshold"].max())


@dataclass(frozen=True)
class SuggestionReport:
    """What ``write_suggestions`` wrote: print it for the analyst."""

    round: str
    path: Path
    comments: int  # comments of the round the suggestions considered (with words, without the analyst's codes)
    suggested: int  # rows of the review list: comments to which a suggestion adds a theme or that it doubts
    suggestions: int  # themes suggested in all
    trained_on: int  # comments of every round the model learned from
    analyst_coded: int  # of which coded by the analyst (coding.csv)
    threshold: float
    doubtful: int = 0  # keyword codes doubted in all (confidence below the veto)
    veto: float = VETO

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.suggested} of {self.comments} comments of round {self.round} with suggested themes "
            f"({self.suggestions} suggestions at confidence >= {self.threshold:.2f}, {self.doubtful} keyword "
            f"codes doubted at confidence < {self.veto:.2f}; learned from "
            f"{self.trained_on} comments, {self.analyst_coded} coded by the analyst). It is a review list: "
            "copy what you accept into coding.csv."
        )


def _text_fold(text: str, folds: int) -> int:
    """The cross-fitting fold of a text: identical texts (after folding) always share their fold."""
    return int(hashlib.sha256(fold(text).encode("utf-8")).hexdigest()[:8], 16) % folds


def write_suggestions(
    workbook: Workbook, round_id: str, *, threshold: float = THRESHOLD, veto: float = VETO
) -> SuggestionReport:
    """Write the analyst's review list of suggested codes for a round: ``<round>/coding-suggestions.csv``.

    The model learns from the comments of every round: the analyst's codes (``coding.csv``) where
    there are some, the keyword codes elsewhere. Suggestions are cross-fitted: the comments are split
    into ``FOLDS`` folds by text, and a comment is scored by a model trained without the keyword codes
    of its fold (the analyst's codes always stay in), so that a comment's own keyword codes, or their
    absence, never decide its suggestion. Only comments without the analyst's codes are considered, and
    only those to which a suggestion adds a theme, or whose keyword codes it doubts (confidence below
    ``veto``: a suggestion to remove them, ``doubts``), are listed, most confident first (a suggestion's
    confidence, one minus a doubted code's). The file holds no respondent: comment id, language, text,
    keyword codes, suggestions, doubtful codes, status. Written atomically;
    the build never reads it. An unknown round or a damaged data file is a DataFileError.
    """
    target = load_round(workbook, round_id)
    themes = load_codebook(workbook.codebook_file)
    frames = []
    for round_ in load_rounds(workbook):
        coded = round_comments(round_.folder, read_table(round_, "comments"), themes)
        coded = coded[np.array([has_words(str(text)) for text in coded["text"]], dtype=bool)]
        frames.append(coded.assign(round=round_.id))
    pool = pd.concat(frames, ignore_index=True)  # the target round is one of them: never an empty list
    texts = pool["text"].astype(str).tolist()
    labels = [list(codes) for codes in pool["themes"]]
    manual = (pool["coding"] == "manual").to_numpy(dtype=bool)
    fold_of = np.array([_text_fold(text, FOLDS) for text in texts], dtype=int)
    candidates = np.flatnonzero((pool["round"] == target.id).to_numpy(dtype=bool) & ~manual)

    found: dict[int, tuple[list[Suggestion], list[Suggestion]]] = {}
    for part in range(FOLDS):
        scored = [int(i) for i in candidates if fold_of[i] == part]
        if not scored:
            continue
        keep = [i for i in range(len(texts)) if manual[i] or fold_of[i] != part]
        model = train([texts[i] for i in keep], [labels[i] for i in keep], themes, threshold=threshold)
        scored_texts = [texts[i] for i in scored]
        doubted = doubts([labels[i] for i in scored], model.themes, model.confidences(scored_texts), veto)
        for index, suggested, doubt in zip(scored, model.suggest(scored_texts), doubted, strict=True):
            found[index] = ([(theme, value) for theme, value in suggested if theme not in labels[index]], doubt)

    rows = [
        {
            "comment": pool.at[index, "comment"],
            "language": pool.at[index, "language"],
            "text": "'" + texts[index] if is_formula_like(texts[index]) else texts[index],  # opened in a spreadsheet
            "keyword_codes": ";".join(labels[index]),
            "suggested": ", ".join(f"{theme}:{value:.2f}" for theme, value in suggested),
            "doubtful": ", ".join(f"{theme}:{value:.2f}" for theme, value in doubt),
            "status": "suggested",
            "_top": max([value for _, value in suggested] + [1.0 - value for _, value in doubt]),
            "_count": len(suggested),
            "_doubts": len(doubt),
        }
        for index, (suggested, doubt) in found.items()
        if suggested or doubt
    ]
    table = pd.DataFrame(rows, columns=[*COLUMNS, "_top", "_count", "_doubts"])
    table = table.sort_values(["_top", "comment"], ascending=[False, True]).drop_duplicates("comment")
    path = target.folder / SUGGESTIONS_FILE
    atomic_write(path, table[list(COLUMNS)].to_csv(index=False, lineterminator="\n"))
    return SuggestionReport(
        round=target.id,
        path=path,
        comments=len(candidates),
        suggested=len(table),
        suggestions=int(table["_count"].sum()),
        trained_on=len(texts),
        analyst_coded=int(manual.sum()),
        threshold=threshold,
        doubtful=int(table["_doubts"].sum()),
        veto=veto,
    )
