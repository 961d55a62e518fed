"""Sort the rows of an export: accepted, quarantined with a reason, or superseded.

All work is column-wise (pandas), so a 100,000-row export takes seconds; only
the rows that need a message are looked at one by one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from draftbook.ingest.mapping import SourceMapping
from draftbook.ingest.pseudonyms import identities, pseudonymise
from draftbook.ingest.readers import Export, shown_bytes, undecoded_rows
from draftbook.ingest.redaction import redact, redact_name
from draftbook.ingest.scales import label_key
from draftbook.model.errors import DataFileError
from draftbook.model.rounds import TABLE_COLUMNS
from draftbook.model.text import fold, fold_series, sort_rows, strip_series

UNKNOWN = "unknown"
# Day-first patterns; month-first ones are the same with %d and %m swapped. Tools write
# 24/02/2022 16:05:00, 24.02.2022, 2/24/2022 4:05:00 PM (SurveyMonkey), 2/24/22 16:05 (Excel).
_DAY_FIRST = tuple(
    f"%d{sep}%m{sep}{year}{time}"
    for sep in ("/", ".", "-")
    for year in ("%Y", "%y")
    for time in (" %H:%M:%S", " %H:%M", "", " %I:%M:%S %p", " %I:%M %p")
)
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}(?:[ T]|$)")
SHOWN_VALUES = 5  # offending values shown per reason in the summary
CONSENT_YES = {fold(v) for v in ("yes", "y", "oui", "o", "sí", "si", "true", "vrai", "verdadero", "1", "x", "ok")}
CONSENT_YES |= {fold(v) for v in ("j'accepte", "i agree", "i accept", "acepto", "de acuerdo", "d'accord", "agree")}

# Reason categories of ingest-report.json, and the sentence each row gets in the quarantine file.
REASONS = {
    "unparsed": "the line cannot be parsed (more fields than the header)",
    "off-scale": "an answer is not on the scale",
    "unknown-label": "a region, constituency or language is not one the workbook knows",
    "bad-date": "the submission date cannot be read",
    "empty": "no rating and no comment",
    "encoding": "the row holds bytes that are not valid UTF-8 text",
}
# What the analyst can do about each reason, for the console summary.
FIXES = {
    "unparsed": "the rows are in the quarantine file; fix the export's quoting or delimiter",
    "off-scale": "add the label to ratings: scale: in the mapping (label: score, or null for no opinion)",
    "unknown-label": "add it under values: {dimension}: in the mapping",
    "bad-date": "set dates: in the mapping (day-first, month-first, iso or a pattern)",
    "empty": "nothing to do: these rows hold no answer",
    "encoding": "export the file again as UTF-8, or set encoding: in the mapping",
}


class DateOrderError(DataFileError):
    """The dates of an export do not say whether the day or the month comes first."""


@dataclass
class SortedRows:
    """The outcome of one export: tidy rows of the accepted, and what happened to the others."""

    respondents: pd.DataFrame
    ratings: pd.DataFrame
    comments: pd.DataFrame
    quarantine: pd.DataFrame  # row, reason, and the raw values
    superseded: pd.DataFrame  # row, respondent, submitted_at
    excluded: pd.DataFrame  # row, and the raw values
    reasons: Counter[str] = field(default_factory=Counter)
    offences: Counter[tuple[str, str]] = field(default_factory=Counter)  # (category, what was wrong): rows


def date_formats(order: str) -> tuple[str, ...]:
    """The strptime patterns tried for a date order other than ``iso``."""
    if order == "day-first":
        return _DAY_FIRST
    if order == "month-first":
        return tuple(f.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m") for f in _DAY_FIRST)
    return (order,)  # a pattern of the mapping's own


def date_order(values: pd.Series) -> str | None:
    """``day-first`` or ``month-first`` as the values show it; None when they cannot tell or contradict.

    A first field above 12 means day-first, a second field above 12 means month-first.
    """
    # The pattern reads at most 10 characters after the leading spaces, and its "$" looks one further
    # (a last line break): 12 characters decide, and exports repeat them (the day, not the time).
    heads = pd.Series(values.str.lstrip().str.slice(0, 12).unique(), dtype=object)
    fields = heads.str.extract(_DAY_MONTH).dropna().astype(int)
    if fields.empty:
        return "iso"
    day_first, month_first = bool((fields[0] > 12).any()), bool((fields[1] > 12).any())
    if day_first == month_first:
        return None
    return "day-first" if day_first else "month-first"


def parse_dates(values: pd.Series, order: str = "day-first") -> tuple[pd.Series, pd.Series]:
    """Dates as 'YYYY-MM-DDTHH:MM:SS' (UTC when a zone is given); empty stays empty.

    ISO 8601 is read in every order; other values by ``order`` (``day-first``,
    ``month-first``, ``iso`` or a strptime pattern). Returns the parsed text and
    a mask of values that are not dates.
    """
    text = values.str.strip()
    empty = text == ""
    parsed = pd.to_datetime(text.where(~empty), format="ISO8601", errors="coerce", utc=True)
    for pattern in () if order == "iso" else date_formats(order):
        todo = parsed.isna() & ~empty
        if not todo.any():
            break
        parsed = parsed.fillna(pd.to_datetime(text.where(todo), format=pattern, errors="coerce", utc=True))
    bad = parsed.isna() & ~empty
    seconds = parsed.dt.tz_convert(None).to_numpy().astype("datetime64[s]")
    written = np.datetime_as_string(seconds, unit="s").astype(object)  # 'YYYY-MM-DDTHH:MM:SS', 'NaT'
    written[parsed.isna().to_numpy()] = ""
    return pd.Series(written, index=values.index, dtype=str), bad


def _off_scale_reason(call: str, column: str, labels: pd.Series) -> Callable[[pd.Series], pd.Series]:
    def reason(rows: pd.Series) -> pd.Series:
        return f'{call}: "' + labels[rows] + f'" in column "{column}" is not on the scale'

    return reason


def _quoted(prefix: str, values: pd.Series) -> Callable[[pd.Series], pd.Series]:
    def offence(rows: pd.Series) -> pd.Series:
        return f'{prefix}"' + values[rows].str.slice(0, 80) + '"'

    return offence


class RowSorter:
    """Applies one mapping to one export; ``sort()`` sorts every row (unparsed lines count as quarantined)."""

    def __init__(
        self,
        export: Export,
        mapping: SourceMapping,
        rating_columns: dict[str, str],
        comment_columns: dict[str, str],
        source: str,
        salt: bytes,
        vocabulary: Callable[[str], dict[str, str]],
    ) -> None:
        self.frame = export.frame
        self.vocabulary = vocabulary
        self.export = export
        self.mapping = mapping
        self.rating_columns = rating_columns
        self.comment_columns = comment_columns
        self.source = source
        self.salt = salt
        self.reason = pd.Series("", index=self.frame.index, dtype=object)
        self.category = pd.Series("", index=self.frame.index, dtype=object)
        self.offence = pd.Series("", index=self.frame.index, dtype=object)
        self._stripped: dict[str, pd.Series] = {}
        self.excluded = self._excluded()

    def _excluded(self) -> pd.Series:
        """Rows the mapping's ``exclude`` says are not answers (tests, previews, spam, incomplete)."""
        excluded = pd.Series(False, index=self.frame.index)
        for column, values in self.mapping.exclude.items():
            cells = self.frame[column].astype(str)
            keys = cells.map({cell: label_key(cell) for cell in cells.unique()})
            excluded |= keys.isin(values)
        return excluded

    def column(self, role: str) -> pd.Series | None:
        """The mapped column of ``role``, trimmed (once: the name and date columns are asked for twice)."""
        name = self.mapping.respondent.get(role)
        if name is None:
            return None
        if name not in self._stripped:
            self._stripped[name] = strip_series(self.frame[name])
        return self._stripped[name]

    def flag(
        self,
        mask: pd.Series,
        category: str,
        detail: Callable[[pd.Series], pd.Series] | str,
        offence: Callable[[pd.Series], pd.Series] | str = "",
    ) -> None:
        """Quarantine the rows of ``mask`` that have no reason yet and are not excluded.

        ``detail`` builds each row's reason (quarantine file), ``offence`` the short
        text the console summary counts ('unknown region "Northeast"').
        """
        new = mask & (self.reason == "") & ~self.excluded
        if not new.any():
            return
        self.category[new] = category
        self.reason[new] = detail(new) if callable(detail) else detail
        self.offence[new] = offence(new) if callable(offence) else offence

    def labelled(self, dimension: str, role: str, default: str) -> pd.Series:
        """The vocabulary id of each row's label: the mapping's ``values`` first, then the vocabulary."""
        values = self.column(role)
        if values is None:
            return pd.Series(default, index=self.frame.index, dtype=object)
        index = self.vocabulary(dimension) | self.mapping.values.get(dimension, {})
        keys = values.map({value: label_key(value) for value in values.unique()})
        mapped = keys.map(index)
        bad = mapped.isna() & (keys != "")
        column = self.mapping.respondent[role]

        def reason(rows: pd.Series) -> pd.Series:
            return f'unknown {dimension} "' + values[rows] + f'" in column "{column}"'

        self.flag(bad, "unknown-label", reason, _quoted(f"unknown {dimension} ", values))
        return mapped.where(keys != "", default).fillna(default)

    def scores(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Wide tables (one column per call) of scores and of the labels as written."""
        scores, labels = {}, {}
        assert self.mapping.scale is not None or not self.rating_columns
        for call, column in self.rating_columns.items():
            label = strip_series(self.frame[column])
            assert self.mapping.scale is not None
            score, off_scale = self.mapping.scale.score_column(label)
            self.flag(off_scale, "off-scale", _off_scale_reason(call, column, label), _quoted("off the scale: ", label))
            scores[call], labels[call] = score, label
        return pd.DataFrame(scores, index=self.frame.index), pd.DataFrame(labels, index=self.frame.index)

    def texts(self) -> pd.DataFrame:
        """Wide table of free text: one column per call comment, then 'missing' and 'general'."""
        columns = {("call", call): column for call, column in self.comment_columns.items()}
        for kind in ("missing", "general"):
            column = getattr(self.mapping, kind)
            if column:
                columns[(kind, "")] = column
        return pd.DataFrame(
            {key: strip_series(self.frame[column]) for key, column in columns.items()},
            index=self.frame.index,
            columns=pd.MultiIndex.from_tuples(list(columns), names=["kind", "call"])
            if columns
            else pd.MultiIndex.from_tuples([], names=["kind", "call"]),
        )

    def dates(self) -> pd.Series:
        """The submission dates, read in the order the mapping gives or the values show."""
        submitted = self.column("submitted_at")
        if submitted is None:
            return pd.Series("", index=self.frame.index, dtype=object)
        order = self.mapping.dates
        if order == "auto":
            order = self._date_order(submitted)
        submitted_at, bad_date = parse_dates(submitted, order)
        self.flag(
            bad_date,
            "bad-date",
            lambda rows: 'the date "' + submitted[rows] + '" cannot be read',
            _quoted("date ", submitted),
        )
        return submitted_at

    def _date_order(self, submitted: pd.Series) -> str:
        counted = submitted[~self.excluded & (submitted != "")]
        order = date_order(counted)
        if order is not None:
            return order
        fields = counted.str.extract(_DAY_MONTH).dropna().astype(int)
        both = bool((fields[0] > 12).any()) and bool((fields[1] > 12).any())
        examples = ", ".join(f'"{v}"' for v in counted[counted.str.match(_DAY_MONTH)].unique()[:3])
        column = self.mapping.respondent["submitted_at"]
        reason = (
            f"some dates put the day first and others the month first ({examples})"
            if both
            else f"the dates do not show whether the day or the month comes first ({examples}: no field above 12)"
        )
        raise DateOrderError(
            reason,
            file=self.mapping.path,
            column=column,
            key="dates",
            hint="add dates: day-first or dates: month-first to the mapping "
            '(or a pattern such as "%m/%d/%Y %H:%M:%S"); the ingest never guesses',
        )

    def sort(self) -> SortedRows:
        if self.export.undecoded:
            self.flag(undecoded_rows(self.frame), "encoding", REASONS["encoding"], "bytes that are not UTF-8")
        language = self.labelled("language", "language", self.mapping.language or UNKNOWN)
        region = self.labelled("region", "region", UNKNOWN)
        constituency = self.labelled("constituency", "constituency", UNKNOWN)
        submitted_at = self.dates()
        scores, labels = self.scores()
        texts = self.texts()
        answered = (labels != "").any(axis=1) if len(labels.columns) else pd.Series(False, index=self.frame.index)
        commented = (texts != "").any(axis=1) if len(texts.columns) else pd.Series(False, index=self.frame.index)
        self.flag(~answered & ~commented, "empty", "no rating and no comment", "no rating and no comment")

        rows = self.export.row_numbers()
        roles = ("id", "email", "name", "organisation")
        columns = {role: column for role in roles if (column := self.column(role)) is not None}
        respondent = pseudonymise(identities(columns, self.mapping.identify_by, rows, self.source), self.salt)
        ok = (self.reason == "") & ~self.excluded
        latest = self._latest(respondent, submitted_at, rows, ok)
        superseded = ok & ~latest
        accepted = ok & latest

        people = pd.DataFrame(
            {
                "respondent": respondent,
                "constituency": constituency,
                "region": region,
                "language": language,
                "source": self.source,
                "submitted_at": submitted_at,
            }
        )[accepted]
        return SortedRows(
            respondents=people.reset_index(drop=True),
            ratings=self._ratings(people, scores[accepted], labels[accepted]),
            comments=self._comments(people, texts[accepted]),
            quarantine=self._quarantine((self.reason != "") & ~self.excluded, rows),
            excluded=self._excluded_rows(rows),
            superseded=pd.DataFrame(
                {
                    "row": rows[superseded],
                    "respondent": respondent[superseded],
                    "submitted_at": submitted_at[superseded],
                }
            ).reset_index(drop=True),
            # Counter addition drops zero counts: "unparsed" appears only when a line could not be read.
            reasons=Counter(self.category[self.reason != ""]) + Counter({"unparsed": len(self.export.unparsed)}),
            offences=Counter(zip(self.category[self.reason != ""], self.offence[self.reason != ""], strict=True))
            + Counter({("unparsed", "lines with more fields than the header"): len(self.export.unparsed)}),
        )

    @staticmethod
    def _latest(respondent: pd.Series, submitted_at: pd.Series, rows: pd.Series, ok: pd.Series) -> pd.Series:
        """True for the latest submission of each person (the later row wins a tie)."""
        order = pd.DataFrame({"respondent": respondent, "at": submitted_at, "row": rows})[ok]
        order = sort_rows(order, ["respondent", "at", "row"])
        last = ~order.duplicated("respondent", keep="last")
        return pd.Series(False, index=respondent.index) | last.reindex(respondent.index, fill_value=False)

    def _ratings(self, people: pd.DataFrame, scores: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
        calls = list(scores.columns)
        if not calls:
            return pd.DataFrame(columns=list(TABLE_COLUMNS["ratings"]))
        return pd.DataFrame(
            {
                "respondent": np.repeat(people["respondent"].to_numpy(), len(calls)),
                "call": np.tile(np.array(calls, dtype=object), len(people)),
                "score": _int64(scores.to_numpy(dtype="float64", na_value=np.nan).ravel()),
                "label": labels.to_numpy(dtype=object).ravel(),
            }
        )

    def _comments(self, people: pd.DataFrame, texts: pd.DataFrame) -> pd.DataFrame:
        columns = list(TABLE_COLUMNS["comments"])
        if not len(texts.columns) or people.empty:
            return pd.DataFrame(columns=columns)
        consent = self._consent().loc[people.index].to_numpy()
        cells = texts.to_numpy(dtype=object)
        rows, kinds = np.nonzero(cells != "")  # the written cells, person by person, in the columns' order
        text = redact(pd.Series(cells[rows, kinds], dtype=str))
        names = self.column("name")
        if names is not None:
            owners = names.loc[people.index].to_numpy()[rows]
            written = zip(text.to_numpy(dtype=object), owners, strict=True)
            text = pd.Series([redact_name(t, n) if n else t for t, n in written], dtype=str)
        return pd.DataFrame(
            {
                "respondent": people["respondent"].to_numpy()[rows],
                "call": texts.columns.get_level_values("call").to_numpy()[kinds],
                "kind": texts.columns.get_level_values("kind").to_numpy()[kinds],
                "language": people["language"].to_numpy()[rows],
                "text": text.to_numpy(),
                "publishable": consent[rows],
            },
            columns=columns,
        )

    def _consent(self) -> pd.Series:
        if not self.mapping.consent:
            return pd.Series(False, index=self.frame.index)
        return fold_series(self.frame[self.mapping.consent].astype(str)).isin(CONSENT_YES)

    def _excluded_rows(self, rows: pd.Series) -> pd.DataFrame:
        """The rows ``exclude`` named, as given; undecodable bytes written as ``\\xNN`` (as in the quarantine)."""
        raw = self.frame[self.excluded].astype(str)
        if self.export.undecoded:
            raw = raw.map(shown_bytes)
        return pd.concat([pd.DataFrame({"row": rows[self.excluded]}).astype(str), raw], axis=1).reset_index(drop=True)

    def _quarantine(self, bad: pd.Series, rows: pd.Series) -> pd.DataFrame:
        raw = self.frame[bad].astype(str).map(shown_bytes)
        head = pd.DataFrame({"row": rows[bad], "category": self.category[bad], "reason": self.reason[bad]})
        parsed = pd.concat([head, raw], axis=1)
        unparsed = pd.DataFrame(
            {
                "row": [number for number, _ in self.export.unparsed],
                "category": "unparsed",
                "reason": REASONS["unparsed"],
                "raw_line": [line for _, line in self.export.unparsed],
            }
        )
        return pd.concat([parsed, unparsed], ignore_index=True) if len(unparsed) else parsed.reset_index(drop=True)


def _int64(numbers: np.ndarray) -> pd.arrays.IntegerArray:
    """Scores held as floats (NaN for none) as nullable integers, without a Python object per cell."""
    missing = np.isnan(numbers)
    return pd.arrays.IntegerArray(np.where(missing, 0, numbers).astype("int64"), missing)


def order_calls(calls: Sequence[str], resolved: dict[str, str]) -> dict[str, str]:
    """``resolved`` in the order of the round's calls."""
    return {call: resolved[call] for call in calls if call in resolved}
