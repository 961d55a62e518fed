"""The mapping file (contract; users' guide in ``docs/mapping.md``): where each piece of an export is.

Every key is checked: an unknown key is an error that names the closest valid
one, so a typo is never silently ignored. Version 2 adds ``tool`` presets,
``skip_rows``, ``dates``, ``exclude``, ``respondent.identify_by`` and ``values``;
every version-1 mapping reads as before.

A preset is a set of defaults for one tool's layout; a key written in the
mapping wins over it (for ``exclude``, column by column).
"""

from __future__ import annotations

import codecs
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftbook.ingest.scales import Scale, custom_scale, get_scale, label_key, scale_names
from draftbook.model.config import check_keys, describe, read_yaml, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.languages import LANGUAGES

TOP_KEYS = (
    "format", "sheet", "encoding", "delimiter", "header_row", "language", "respondent", "ratings", "comments",
    "tool", "skip_rows", "dates", "exclude", "values",
)  # fmt: skip
RESPONDENT_KEYS = (
    "id", "submitted_at", "email", "name", "organisation", "constituency", "region", "language", "identify_by"
)  # fmt: skip
IDENTIFIERS = ("id", "email", "name+organisation")
DATE_ORDERS = ("auto", "day-first", "month-first", "iso")
VALUE_DIMENSIONS = ("region", "constituency", "language")
SHOWN_COLUMNS = 5  # a missing column lists this many close names, not the export's hundreds


@dataclass(frozen=True)
class ToolPreset:
    """Defaults for one tool's export layout; the mapping's own keys win."""

    skip_rows: int = 0
    header_rows: int = 1  # rows that together name the columns (SurveyMonkey: 2)
    exclude: Mapping[str, Sequence[str]] = field(default_factory=dict)
    respondent: Mapping[str, str] = field(default_factory=dict)


TOOLS: dict[str, ToolPreset] = {
    # Two rows under the column names (question texts, then {"ImportId": ...}); Status marks previews,
    # tests and spam, in words or as Qualtrics' numeric codes (1, 2, 8, 9, 12, 17).
    "qualtrics": ToolPreset(
        skip_rows=2,
        exclude={
            "Status": [
                "Survey Preview",
                "Survey Test",
                "Spam",
                "Survey Preview Spam",
                "Imported Spam",
                "Offline Survey Preview",
                "1",
                "2",
                "8",
                "9",
                "12",
                "17",
            ]
        },
        respondent={"id": "ResponseId", "submitted_at": "RecordedDate"},
    ),
    # A second header row: matrix row labels and "Response" / "Open-Ended Response" under each question.
    "surveymonkey": ToolPreset(header_rows=2),
}
RATINGS_KEYS = ("scale", "column", "columns")
COMMENTS_KEYS = ("column", "columns", "missing", "general", "consent")
FORMATS = ("csv", "xlsx")
DELIMITERS = {"auto": None, ",": ",", ";": ";", "\t": "\t", "\\t": "\t", "tab": "\t"}
CALL_PLACEHOLDER = "{call}"


class MappingError(DataFileError):
    """The mapping file is malformed, or does not fit the export or the round."""


@dataclass(frozen=True)
class PerCall:
    """Columns that hold one value per call: a ``{call}`` pattern or an explicit map."""

    pattern: str | None = None
    columns: dict[str, str] = field(default_factory=dict)

    def resolve(self, calls: Sequence[str], export_columns: Sequence[str], mapping: Path, key: str) -> dict[str, str]:
        """call id -> export column. A pattern takes the calls it finds (an export may skip
        some calls); a column naming no call of the round, or a mapped column the export
        lacks, is an error."""
        if self.pattern is None:
            unknown = [call for call in self.columns if call not in calls]
            if unknown:
                raise MappingError(
                    f"{', '.join(unknown)} names no call of this round",
                    file=mapping,
                    key=f"{key}.columns",
                    hint=f"the round's calls are {', '.join(calls)}",
                )
            resolved = dict(self.columns)
        else:
            regex = re.compile(re.escape(self.pattern).replace(re.escape(CALL_PLACEHOLDER), r"(?P<call>.+?)") + r"\Z")
            matches = {m.group("call").strip(): column for column in export_columns if (m := regex.match(column))}
            stray = sorted(set(matches) - set(calls))
            if stray:
                raise MappingError(
                    f'the export column "{matches[stray[0]]}" names {stray[0]}, which is no call of this round',
                    file=mapping,
                    key=f"{key}.column",
                    column=matches[stray[0]],
                    hint=f"the round's calls are {', '.join(calls)}; check the round or the export",
                )
            if not matches:
                raise MappingError(
                    f'no export column matches the pattern "{self.pattern}"',
                    file=mapping,
                    key=f"{key}.column",
                    hint=closest_columns(
                        self.pattern.replace(CALL_PLACEHOLDER, calls[0] if calls else ""), export_columns
                    ),
                )
            resolved = {call: column for call, column in matches.items() if call in calls}
        require_columns(resolved.values(), export_columns, mapping, key)
        return resolved


@dataclass(frozen=True)
class SourceMapping:
    """A validated mapping file."""

    path: Path
    format: str | None
    sheet: str | None
    encoding: str
    delimiter: str | None
    header_row: int
    language: str | None
    respondent: dict[str, str]
    scale: Scale | None
    ratings: PerCall | None
    comments: PerCall | None
    missing: str | None
    general: str | None
    consent: str | None
    tool: str | None = None
    header_rows: int = 1
    skip_rows: int = 0
    dates: str = "auto"
    exclude: dict[str, frozenset[str]] = field(default_factory=dict)  # column -> label keys
    identify_by: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # dimension -> label key -> id

    def single_columns(self) -> dict[str, str]:
        """Every column named directly (respondent fields, missing, general, consent), by role."""
        named = {f"respondent.{role}": column for role, column in self.respondent.items()}
        for role in ("missing", "general", "consent"):
            column = getattr(self, role)
            if column:
                named[f"comments.{role}"] = column
        for column in self.exclude:
            named[f"exclude.{column}"] = column
        return named


def load_mapping(path: Path) -> SourceMapping:
    """The mapping at ``path``, every key checked; any problem is a MappingError."""
    content = require_mapping(read_yaml(path), file=path, key=None, what="a mapping")
    check_keys(content, allowed=TOP_KEYS, file=path)
    tool = _choice(content, "tool", tuple(TOOLS), path)
    preset = TOOLS[tool] if tool else ToolPreset()
    respondent = _section(content, "respondent", RESPONDENT_KEYS, path)
    ratings = _section(content, "ratings", RATINGS_KEYS, path)
    comments = _section(content, "comments", COMMENTS_KEYS, path)
    if not ratings and not comments:
        raise MappingError("the mapping names neither ratings nor comments", file=path, hint="add a ratings: section")
    identify_by = respondent.pop("identify_by", None)
    columns = dict(preset.respondent) | {k: _column(v, path, f"respondent.{k}") for k, v in respondent.items()}
    return SourceMapping(
        path=path,
        format=_choice(content, "format", FORMATS, path),
        sheet=_text(content.get("sheet"), path, "sheet"),
        encoding=_encoding(content, path),
        delimiter=_delimiter(content, path),
        header_row=_header_row(content, path),
        language=_choice(content, "language", LANGUAGES, path),
        respondent=columns,
        scale=_scale(ratings, path) if ratings else None,
        ratings=_per_call(ratings, path, "ratings") if ratings else None,
        comments=_per_call(comments, path, "comments") if "column" in comments or "columns" in comments else None,
        missing=_text(comments.get("missing"), path, "comments.missing"),
        general=_text(comments.get("general"), path, "comments.general"),
        consent=_text(comments.get("consent"), path, "comments.consent"),
        tool=tool,
        header_rows=preset.header_rows,
        skip_rows=_count(content, "skip_rows", preset.skip_rows, path),
        dates=_dates(content, path),
        exclude=_exclude(content, preset, path),
        identify_by=_identify_by(identify_by, columns, path),
        values=_values(content, path),
    )


def default_identifiers(columns: Mapping[str, str]) -> tuple[str, ...]:
    """``[id, email]`` (those mapped), else ``[name+organisation]`` when both are mapped, else none."""
    mapped = tuple(role for role in ("id", "email") if role in columns)
    if mapped:
        return mapped
    return ("name+organisation",) if {"name", "organisation"} <= set(columns) else ()


def _identify_by(value: Any, columns: Mapping[str, str], path: Path) -> tuple[str, ...]:
    if value is None:
        return default_identifiers(columns)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise MappingError(
            f"expected a list of identifiers, found {describe(value)}",
            file=path,
            key="respondent.identify_by",
            hint=f"e.g. [id, email]; each one of: {', '.join(IDENTIFIERS)}",
        )
    chosen = []
    for item in items:
        name = re.sub(r"\s+", "", item.lower())
        if name not in IDENTIFIERS:
            raise MappingError(
                f'unknown identifier "{item}"',
                file=path,
                key="respondent.identify_by",
                hint=f"use any of: {', '.join(IDENTIFIERS)}",
            )
        needed = name.split("+")
        unmapped = [role for role in needed if role not in columns]
        if unmapped:
            raise MappingError(
                f'"{item}" needs respondent.{unmapped[0]}, which the mapping does not name',
                file=path,
                key="respondent.identify_by",
                hint=f"add respondent: {unmapped[0]}: <column>, or remove {item} from identify_by",
            )
        chosen.append(name)
    return tuple(dict.fromkeys(chosen))


def _encoding(content: Mapping[str, Any], path: Path) -> str:
    value = content.get("encoding", "auto")
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"expected an encoding name, found {describe(value)}", file=path, key="encoding")
    if value != "auto":
        try:
            b"a".decode(codecs.lookup(value).name)  # "undefined" exists, and refuses every text
        except (LookupError, UnicodeError):
            raise MappingError(
                f'unknown encoding "{value}"',
                file=path,
                key="encoding",
                hint="use auto, utf-8, utf-8-sig, cp1252, latin-1 or utf-16",
            ) from None
    return value


def _dates(content: Mapping[str, Any], path: Path) -> str:
    value = content.get("dates", "auto")
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"expected a date order, found {describe(value)}", file=path, key="dates")
    if value in DATE_ORDERS:
        return value
    if "%" not in value:
        raise MappingError(
            f'unknown date order "{value}"',
            file=path,
            key="dates",
            hint=f'use one of {", ".join(DATE_ORDERS)}, or a pattern such as "%m/%d/%Y %H:%M:%S"',
        )
    return value


def _exclude(content: Mapping[str, Any], preset: ToolPreset, path: Path) -> dict[str, frozenset[str]]:
    given = require_mapping(content.get("exclude") or {}, file=path, key="exclude", what="column: [values]")
    rules = {column: list(values) for column, values in preset.exclude.items()}
    for column, values in given.items():
        items = values if isinstance(values, list) else [values]
        if not all(isinstance(item, str | int | float) and not isinstance(item, bool) for item in items):
            raise MappingError(
                f"expected a list of values, found {describe(values)}",
                file=path,
                key=f"exclude.{column}",
                hint='e.g. Status: [Survey Preview, Survey Test] or Finished: ["False", "0"]',
            )
        rules[_column(column, path, "exclude")] = [str(item) for item in items]
    return {column: frozenset(label_key(item) for item in items) for column, items in rules.items()}


def _values(content: Mapping[str, Any], path: Path) -> dict[str, dict[str, str]]:
    given = require_mapping(content.get("values") or {}, file=path, key="values", what="dimension: {label: id}")
    check_keys(given, allowed=VALUE_DIMENSIONS, file=path, where="values")
    values: dict[str, dict[str, str]] = {}
    for dimension, labels in given.items():
        pairs = require_mapping(labels, file=path, key=f"values.{dimension}", what="label: id")
        for label, target in pairs.items():
            if not isinstance(target, str) or not target.strip():
                raise MappingError(
                    f'the label "{label}" maps to {describe(target)}; expected a {dimension} id',
                    file=path,
                    key=f"values.{dimension}",
                )
        values[dimension] = {label_key(str(label)): str(target).strip() for label, target in pairs.items()}
    return values


def _count(content: Mapping[str, Any], key: str, default: int, path: Path) -> int:
    value = content.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MappingError(f"expected a whole number from 0, found {value!r}", file=path, key=key)
    return value


def closest_columns(wanted: str, export_columns: Iterable[str]) -> str:
    """The few export columns whose names are closest to ``wanted``, quoted, for a hint."""
    columns = list(export_columns)
    close = difflib.get_close_matches(wanted, columns, n=SHOWN_COLUMNS, cutoff=0.0)
    shown = ", ".join(f'"{c}"' for c in close)
    return f"the closest of its {len(columns)} columns: {shown}" if close else "the export has no columns"


def require_columns(wanted: Any, export_columns: Sequence[str], mapping: Path, key: str) -> None:
    """Stop when a column named by the mapping is not in the export, naming the closest it has."""
    for column in wanted:
        if column not in export_columns:
            raise MappingError(
                f'the export has no column "{column}"',
                file=mapping,
                key=key,
                column=column,
                hint=closest_columns(column, export_columns),
            )


def _section(content: Mapping[str, Any], key: str, allowed: Sequence[str], path: Path) -> dict[str, Any]:
    value = content.get(key)
    if value is None:
        return {}
    section = dict(require_mapping(value, file=path, key=key, what=f"the {key} section"))
    check_keys(section, allowed=allowed, file=path, where=key)
    return section


def _per_call(section: Mapping[str, Any], path: Path, key: str) -> PerCall:
    if "column" in section and "columns" in section:
        raise MappingError("give either column (a pattern) or columns (a map), not both", file=path, key=key)
    if "columns" in section:
        columns = require_mapping(section["columns"], file=path, key=f"{key}.columns", what="call id: column")
        return PerCall(columns={str(k): _column(v, path, f"{key}.columns.{k}") for k, v in columns.items()})
    pattern = _column(section.get("column"), path, f"{key}.column")
    if pattern.count(CALL_PLACEHOLDER) != 1:
        raise MappingError(
            "the column pattern must contain {call} once",
            file=path,
            key=f"{key}.column",
            hint='e.g. "Support [{call}]"',
        )
    return PerCall(pattern=pattern)


def _scale(section: Mapping[str, Any], path: Path) -> Scale:
    value = section.get("scale", "agreement-5")
    if isinstance(value, Mapping):
        for label, score in value.items():
            if score is not None and (isinstance(score, bool) or score not in (1, 2, 3, 4, 5)):
                raise MappingError(
                    f'the label "{label}" has score {score!r}; scores are 1 to 5, or null for no opinion',
                    file=path,
                    key="ratings.scale",
                )
        return custom_scale(value)
    try:
        return get_scale(str(value))
    except KeyError:
        raise MappingError(
            f'unknown scale "{value}"',
            file=path,
            key="ratings.scale",
            hint=f"use one of {', '.join(scale_names())}, or a map of label: score",
        ) from None


def _column(value: Any, path: Path, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"expected a column name, found {describe(value)}", file=path, key=key)
    return value


def _text(value: Any, path: Path, key: str) -> str | None:
    return None if value is None else _column(value, path, key)


def _choice(content: Mapping[str, Any], key: str, choices: Sequence[str], path: Path) -> str | None:
    value = content.get(key)
    if value is None:
        return None
    if str(value).lower() not in choices:
        raise MappingError(f'"{value}" is not allowed', file=path, key=key, hint=f"use one of: {', '.join(choices)}")
    return str(value).lower()


def _delimiter(content: Mapping[str, Any], path: Path) -> str | None:
    value = str(content.get("delimiter", "auto"))
    if value not in DELIMITERS:
        raise MappingError(
            f'unknown delimiter "{value}"', file=path, key="delimiter", hint='use auto, ",", ";" or "\\t"'
        )
    return DELIMITERS[value]


def _header_row(content: Mapping[str, Any], path: Path) -> int:
    value = content.get("header_row", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MappingError(f"expected a row number from 1, found {value!r}", file=path, key="header_row")
    return value
