"""Consultation rounds: the round folder contract and its tidy tables.

A round folder ``data/rounds/<round>/`` holds ``round.yml`` (title, kind,
dates, languages, invited count, sources), ``calls.yml`` (the calls exactly as
tested) and, once ingested, ``respondents.csv``, ``ratings.csv`` and
``comments.csv``. A folder with only the two YAML files is a valid empty round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where a table is read: `draftbook status` and `--help` start without pandas
    import pandas as pd

from draftbook.model.calls import Call, load_calls
from draftbook.model.codebook import load_codebook
from draftbook.model.config import check_keys, describe, read_yaml, require_choice, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.languages import LANGUAGES
from draftbook.model.paths import Workbook
from draftbook.model.titles import round_titles

KINDS = ("session", "survey", "written")
KIND_ALIASES = {"live": "session"}  # a live debate or poll is a session
ROUND_KEYS = ("title", "kind", "start", "end", "languages", "invited", "sources")

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondents": ("respondent", "constituency", "region", "language", "source", "submitted_at"),
    "ratings": ("respondent", "call", "score", "label"),
    "comments": ("respondent", "call", "kind", "language", "text", "publishable"),
}


@dataclass(frozen=True)
class Round:
    """One consultation round as described by its ``round.yml``, with its calls."""

    id: str
    folder: Path
    title: str
    kind: str
    start: dt.date
    end: dt.date
    languages: tuple[str, ...]
    calls: list[Call] = field(repr=False)
    invited: int | None = None
    sources: tuple[str, ...] = ()
    titles: dict[str, str] = field(default_factory=dict, repr=False)  # English and Spanish titles, when given

    def title_in(self, lang: str) -> str:
        """The round's title in ``lang``; its title in the paper's language when no translation is given."""
        return self.titles.get(lang) or self.title

    def table_path(self, name: str) -> Path:
        return self.folder / f"{name}.csv"

    @property
    def has_tables(self) -> bool:
        return all(self.table_path(name).is_file() for name in TABLE_COLUMNS)


# Files in a round folder that no page reads: the analyst's review lists. A change to them re-runs nothing.
REVIEW_FILES = ("coding-suggestions.csv",)


def list_round_ids(workbook: Workbook) -> list[str]:
    """The ids of the round folders (those holding a ``round.yml``), by name."""
    if not workbook.rounds_dir.is_dir():
        return []
    return sorted(p.parent.name for p in workbook.rounds_dir.glob("*/round.yml"))


def load_rounds(workbook: Workbook) -> list[Round]:
    """Every round of the workbook, oldest first."""
    rounds = [load_round(workbook, round_id) for round_id in list_round_ids(workbook)]
    return sorted(rounds, key=lambda r: (r.start, r.id))


def load_round(workbook: Workbook, round_id: str) -> Round:
    """The round ``round_id``, validated; any problem is a DataFileError naming file and key."""
    folder = workbook.round_dir(round_id)
    if not folder.is_dir():
        known = ", ".join(list_round_ids(workbook)) or "none"
        raise DataFileError(f'there is no round "{round_id}"', file=folder, hint=f"known rounds: {known}")
    path = folder / "round.yml"
    meta = require_mapping(read_yaml(path), file=path, key=None, what="a round description")
    check_keys(meta, allowed=ROUND_KEYS, required=["title", "kind", "start", "end", "languages"], file=path)
    themes = load_codebook(workbook.codebook_file)
    start, end = _date(meta, "start", path), _date(meta, "end", path)
    if end < start:
        raise DataFileError(f"the round ends ({end}) before it starts ({start})", file=path, key="end")
    return Round(
        id=round_id,
        folder=folder,
        title=str(meta["title"]),
        titles=round_titles(workbook, round_id),
        kind=_kind(meta, path),
        start=start,
        end=end,
        languages=_languages(meta, path),
        calls=load_calls(folder / "calls.yml", themes),
        invited=_invited(meta, path),
        sources=_str_list(meta, "sources", path),
    )


def _kind(meta: Mapping[str, Any], path: Path) -> str:
    return require_choice(meta["kind"], KINDS, file=path, key="kind", what="kind")


def _date(meta: Mapping[str, Any], key: str, path: Path) -> dt.date:
    value = meta[key]
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DataFileError(
            f'"{value}" is not a date', file=path, key=key, hint="write dates as YYYY-MM-DD, e.g. 2022-04-25"
        ) from exc


def _languages(meta: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    languages = _str_list(meta, "languages", path)
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if not languages or unknown:
        raise DataFileError(
            f"unknown language {', '.join(unknown)}" if unknown else "at least one language is required",
            file=path,
            key="languages",
            hint=f"use some of: {', '.join(LANGUAGES)}",
        )
    return languages


def _invited(meta: Mapping[str, Any], path: Path) -> int | None:
    invited = meta.get("invited")
    if invited is None:
        return None
    if isinstance(invited, bool) or not isinstance(invited, int) or invited < 1:
        raise DataFileError(f"expected a positive whole number, found {describe(invited)}", file=path, key="invited")
    return invited


def _str_list(meta: Mapping[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = meta.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataFileError(f"expected a list of names, found {describe(value)}", file=path, key=key)
    return tuple(value)


REPORT = "ingest-report.json"


def read_report(round_: Round) -> dict[str, Any]:
    """What ``draftbook ingest`` reported for each source of the round (empty before the first ingest)."""
    return report_in(round_.folder)


def report_in(folder: Path) -> dict[str, Any]:
    """The ingest report of the round folder ``folder``, without loading the round itself."""
    import json

    path = folder / REPORT
    if not path.is_file():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"the report is not valid JSON ({exc.msg})", file=path, row=exc.lineno) from exc
    return dict(content) if isinstance(content, dict) else {}


def count_rows(round_: Round, name: str) -> int:
    """The number of rows of a round's table (0 when it does not exist), without pandas."""
    import csv

    path = round_.table_path(name)
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8", newline="") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def read_table(round_: Round, name: str) -> pd.DataFrame:
    """The tidy table ``name`` of a round (empty with the right columns if not ingested yet)."""
    import pandas as pd

    columns = TABLE_COLUMNS[name]
    path = round_.table_path(name)
    if not path.is_file():
        return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"the table lacks the column(s) {', '.join(missing)}",
            file=path,
            hint="re-run `draftbook ingest` for this round",
        )
    if name == "ratings":
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype("Int64")
    if name == "comments":
        frame["publishable"] = frame["publishable"].str.lower().isin(["true", "yes", "1"])
    return frame[list(columns)]


ASSESSMENT_CRITERIA = ("evidence", "feasibility", "urgency")


def new_round(
    workbook: Workbook,
    round_id: str,
    *,
    title: str,
    kind: str,
    start: dt.date,
    end: dt.date,
    languages: Sequence[str],
    invited: int | None = None,
) -> Path:
    """Open a round: its folder with ``round.yml``, the calls as they stand now, an assessments template
    and ``sources/``. Refuses an existing round, a round id that is not a plain name, dates in the wrong order."""
    folder = workbook.round_dir(round_id)  # checks the id
    if folder.exists():
        raise DataFileError("this round exists already", file=folder, hint="choose another id, or edit its round.yml")
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise DataFileError(f'unknown kind "{kind}"', hint=f"use one of: {', '.join([*KINDS, *KIND_ALIASES])}")
    if end < start:
        raise DataFileError(f"the round ends ({end}) before it starts ({start})", hint="check --start and --end")
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise DataFileError(f"unknown language {', '.join(unknown)}", hint=f"use some of: {', '.join(LANGUAGES)}")
    calls = load_calls(workbook.calls_file, load_codebook(workbook.codebook_file))  # the draft must be valid
    meta: dict[str, Any] = {"title": title, "kind": kind, "start": start, "end": end, "languages": list(languages)}
    if invited is not None:
        meta["invited"] = invited
    import yaml

    from draftbook.model.files import atomic_write

    class NoAliases(yaml.SafeDumper):  # a one-day round has start == end: one object, never an alias
        def ignore_aliases(self, data: Any) -> bool:
            return True

    atomic_write(folder / "round.yml", yaml.dump(meta, Dumper=NoAliases, allow_unicode=True, sort_keys=False))
    atomic_write(folder / "calls.yml", workbook.calls_file.read_bytes())  # the calls exactly as they stand now
    template = {
        "assessments": [
            {"call": call.id, **{c: {"score": None, "why": ""} for c in ASSESSMENT_CRITERIA}} for call in calls
        ]
    }
    atomic_write(
        folder / "assessments.yml",
        "# The team's assessment of each call, 1 (low) to 5 (high), with why. While every score is empty,\n"
        "# the weighing page of the round says the calls are not assessed yet.\n"
        + yaml.safe_dump(template, allow_unicode=True, sort_keys=False),
    )
    atomic_write(
        folder / "sources" / "README.md",
        "One folder per source of this round (a survey, a session's typing sheet), each with the mapping.yml\n"
        "that reads its export: `draftbook round form` writes both the form and its mapping.\n",
    )
    return folder
