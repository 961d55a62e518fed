"""Comment coding: themes of each comment (keywords, analyst's codes), vetoed quotes, languages,
"what is missing" grouped, coverage, per-call digests, coding quality."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from draftbook.model.codebook import Theme
from draftbook.model.config import check_keys, read_yaml, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.text import fold, unhidden

MIN_LETTERS = 3  # fewer letters than this: nothing to code or quote (punctuation, emoji)
DETECT_CHARS = 2000  # language detection reads the start of very long comments


def comment_ids(comments: pd.DataFrame) -> pd.Series:
    """A stable id per comment (``C-`` + hash of respondent, call, kind and text)."""
    keys = (
        comments["respondent"].astype(str) + "\x1f" + comments["call"].astype(str) + "\x1f"
        + comments["kind"].astype(str) + "\x1f" + comments["text"].astype(str)
    )  # fmt: skip
    return keys.map(lambda key: "C-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10])


def has_words(text: str) -> bool:
    """True when the text has at least a few letters (not only punctuation or emoji)."""
    return sum(ch.isalpha() for ch in text[:DETECT_CHARS]) >= MIN_LETTERS


def auto_codes(texts: Iterable[str], themes: dict[str, Theme]) -> list[list[str]]:
    """The themes found in each text, in codebook order."""
    coded = []
    for text in texts:
        folded = fold(text) if has_words(text) else ""
        coded.append([theme.id for theme in themes.values() if folded and theme.matches(folded)])
    return coded


def load_coding(path: Path, themes: dict[str, Theme]) -> dict[str, list[str]]:
    """The analyst's codes: comment id -> themes. Missing file: no manual codes."""
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("comment", "themes"):
        if column not in frame.columns:
            raise DataFileError(f'the coding file needs a "{column}" column', file=path, hint="columns: comment,themes")
    manual: dict[str, list[str]] = {}
    for index, (comment, codes) in enumerate(zip(frame["comment"], frame["themes"], strict=True), start=2):
        if comment in manual:
            raise DataFileError(f"the comment {comment} is coded twice", file=path, row=index, column="comment")
        chosen = [code.strip() for code in codes.split(";") if code.strip()]
        unknown = [code for code in chosen if code not in themes]
        if unknown:
            raise DataFileError(
                f'unknown theme "{unknown[0]}"',
                file=path,
                row=index,
                column="themes",
                hint="use ids of data/codebook.yml",
            )
        manual[comment] = chosen
    return manual


VETO_FILE = "quotes-vetoed.yml"


def load_vetoed_quotes(path: Path) -> list[str]:
    """The quotes the team keeps out of the book (``quotes-vetoed.yml`` of a round; none when absent).

    Each entry is a comment id (``C-…``) or the beginning of the comment as the book shows it.
    """
    if not path.is_file():
        return []
    content = require_mapping(read_yaml(path), file=path, key=None, what="a list of vetoed quotes")
    check_keys(content, allowed=["vetoed"], file=path)
    entries = content.get("vetoed") or []
    if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
        raise DataFileError(
            "expected a list of comment ids or beginnings of comments",
            file=path,
            key="vetoed",
            hint='e.g. vetoed: ["C-1a2b3c4d5e", "Merci à toute l\'équipe"]',
        )
    return [str(entry) for entry in entries]


def vetoed_mask(coded: pd.DataFrame, vetoed: Sequence[str]) -> pd.Series:
    """True for the comments a veto names: by id, or by their beginning (spaces, case and Unicode forms aside)."""
    if not vetoed:
        return pd.Series(False, index=coded.index)

    def key(text: str) -> str:
        return " ".join(unhidden(text).split()).casefold()

    starts = tuple(key(entry) for entry in vetoed if not entry.startswith("C-"))
    ids = {entry for entry in vetoed if entry.startswith("C-")}
    by_text = coded["text"].astype(str).map(lambda text: bool(starts) and key(text).startswith(starts))
    return coded["comment"].isin(ids) | by_text.astype(bool)


def round_comments(folder: Path, comments: pd.DataFrame, themes: dict[str, Theme]) -> pd.DataFrame:
    """A round's comments coded, with the analyst's codes (``coding.csv``) and vetoes (``quotes-vetoed.yml``)."""
    return code_comments(
        comments, themes, load_coding(folder / "coding.csv", themes), load_vetoed_quotes(folder / VETO_FILE)
    )


def code_comments(
    comments: pd.DataFrame,
    themes: dict[str, Theme],
    manual: dict[str, list[str]] | None = None,
    vetoed: Sequence[str] = (),
) -> pd.DataFrame:
    """Comments with their id, their themes (a list) and where the codes come from (auto or manual).

    A comment the team vetoed is never quoted (``publishable`` false), whatever its writer said.
    """
    coded = comments.copy()
    coded["comment"] = comment_ids(comments)
    if vetoed and "publishable" in coded:
        coded["publishable"] = coded["publishable"].astype(bool) & ~vetoed_mask(coded, vetoed)
    automatic = auto_codes(coded["text"].astype(str), themes)
    manual = manual or {}
    coded["themes"] = [manual.get(cid, auto) for cid, auto in zip(coded["comment"], automatic, strict=True)]
    coded["coding"] = ["manual" if cid in manual else "auto" for cid in coded["comment"]]
    return coded


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH, Language.SPANISH).build()


def detect_languages(texts: Sequence[str]) -> list[str]:
    """fr, en or es for each text, or "" when it has too few letters to tell."""
    codes = {"FRENCH": "fr", "ENGLISH": "en", "SPANISH": "es"}
    detector = _detector()
    detected = []
    for text in texts:
        if not has_words(text):
            detected.append("")
            continue
        language = detector.detect_language_of(text[:DETECT_CHARS])
        detected.append(codes.get(language.name, "") if language is not None else "")
    return detected


SIMILAR = 70  # rapidfuzz token-set ratio (0-100) above which two uncoded suggestions are grouped


def group_missing(
    coded: pd.DataFrame, themes: dict[str, Theme], respondents: pd.DataFrame, lang: str = "fr"
) -> pd.DataFrame:
    """The "what is missing" suggestions, grouped: by theme across languages, else by similar wording.

    One row per group: ``group`` (a theme label, or the first suggestion of a
    wording group), ``kind`` (theme | similar), ``suggestions``, ``languages``
    and ``regions`` (where the suggestions come from; regions with fewer than 5
    suggestions are merged as "other").
    """
    from rapidfuzz import fuzz

    missing = coded[(coded["kind"] == "missing") & coded["text"].map(has_words)].copy()
    missing["key"] = [f"theme:{codes[0]}" if codes else "" for codes in missing["themes"]]
    uncoded = missing[missing["key"] == ""]
    for language, part in uncoded.groupby("language"):
        leaders: list[tuple[str, str]] = []  # (folded text, key)
        for index, text in part["text"].items():
            folded = fold(str(text))
            key = next((k for leader, k in leaders if fuzz.token_set_ratio(folded, leader) >= SIMILAR), None)
            if key is None:
                key = f"similar:{language}:{text}"
                leaders.append((folded, key))
            missing.loc[index, "key"] = key
    regions = dict(zip(respondents["respondent"], respondents["region"], strict=False))
    rows = []
    for group_key, part in missing.groupby("key", sort=False):
        kind, _, rest = str(group_key).partition(":")
        name = themes[rest].label_in(lang) if kind == "theme" else rest.partition(":")[2]
        rows.append(
            {
                "group": name,
                "kind": kind,
                "suggestions": len(part),
                "languages": ", ".join(sorted(set(part["language"]))),
                "regions": _region_summary(part["respondent"].map(lambda r: regions.get(r, "unknown")), lang),
            }
        )
    table = pd.DataFrame(rows, columns=["group", "kind", "suggestions", "languages", "regions"])
    return table.sort_values(["suggestions", "group"], ascending=[False, True]).reset_index(drop=True)


def _region_summary(regions: pd.Series, lang: str) -> str:
    from draftbook.analysis.measures import MIN_GROUP
    from draftbook.model.vocabulary import label

    counts = regions.value_counts()
    shown = [f"{label('region', str(r), lang)} ({n})" for r, n in counts.items() if n >= MIN_GROUP]
    other = int(counts[counts < MIN_GROUP].sum())
    word = {"fr": "autres", "en": "other", "es": "otras"}.get(lang, "autres")
    return ", ".join(
        shown + ([f"{word} ({other})" if other >= MIN_GROUP else f"{word} (< {MIN_GROUP})"] if other else [])
    )


def coverage(coded: pd.DataFrame, calls: Sequence[Any], themes: dict[str, Theme], lang: str = "fr") -> pd.DataFrame:
    """Themes raised by members against themes the calls cover; the gaps (raised, not covered) first."""
    mentions: dict[str, int] = dict.fromkeys(themes, 0)
    for codes in coded["themes"]:
        for code in codes:
            mentions[code] = mentions.get(code, 0) + 1
    covering: dict[str, list[str]] = {}
    for call in calls:
        covering.setdefault(call.theme, []).append(call.id)
    rows = [
        {
            "theme": themes[theme_id].label_in(lang),
            "mentions": count,
            "calls": ", ".join(covering.get(theme_id, [])),
            "gap": count > 0 and theme_id not in covering,
        }
        for theme_id, count in mentions.items()
        if theme_id in themes
    ]
    table = pd.DataFrame(rows, columns=["theme", "mentions", "calls", "gap"])
    return table.sort_values(["gap", "mentions", "theme"], ascending=[False, False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class Digest:
    """What members said about one call: theme counts and up to three quotes."""

    call: str
    comments: int
    themes: list[tuple[str, int]]
    quotes: list[tuple[str, str]]  # (language, text)


def call_digest(coded: pd.DataFrame, call: str, themes: dict[str, Theme], lang: str = "fr", quotes: int = 3) -> Digest:
    """Theme counts of the comments on ``call`` and representative quotes from those who consented.

    Quotes are chosen among consenting comments with words: first those coded
    with the call's most frequent themes, then by length closest to 200
    characters (long enough to say something, short enough to read); ties by id.
    """
    own = coded[(coded["call"] == call) & (coded["kind"] == "call")]
    counts: dict[str, int] = {}
    for codes in own["themes"]:
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    top = {theme for theme, _ in ranked[:2]}
    candidates = own[own["publishable"].astype(bool) & own["text"].map(has_words).astype(bool)].copy()
    candidates["on_theme"] = [bool(top & set(codes)) for codes in candidates["themes"]]
    candidates["distance"] = (candidates["text"].str.len() - 200).abs()
    candidates = candidates.sort_values(["on_theme", "distance", "comment"], ascending=[False, True, True])
    chosen = candidates.drop_duplicates("text").head(quotes)
    return Digest(
        call=call,
        comments=len(own),
        themes=[(themes[t].label_in(lang) if t in themes else t, n) for t, n in ranked],
        quotes=list(zip(chosen["language"], chosen["text"], strict=True)),
    )


def language_check(coded: pd.DataFrame) -> pd.DataFrame:
    """Comments whose detected language differs from the declared one (undetectable ones left out)."""
    detected = detect_languages(coded["text"].astype(str).tolist())
    checked = coded.assign(detected=detected)
    return checked[(checked["detected"] != "") & (checked["detected"] != checked["language"])][
        ["comment", "language", "detected"]
    ].reset_index(drop=True)


def coding_quality(gold: Sequence[set[str]], predicted: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Precision, recall and F1 per theme (themes present in the gold codes or the predictions).

    The macro F1 is the mean of the ``f1`` column.
    """
    present = sorted(set().union(*gold, *(set(p) for p in predicted)))
    rows = []
    for theme in present:
        tp = sum(theme in g and theme in p for g, p in zip(gold, predicted, strict=True))
        fp = sum(theme not in g and theme in p for g, p in zip(gold, predicted, strict=True))
        fn = sum(theme in g and theme not in p for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"theme": theme, "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows, columns=["theme", "tp", "fp", "fn", "precision", "recall", "f1"])
