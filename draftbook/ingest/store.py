"""Write a round's tables atomically, merge sources, keep the report.

Every file is first written next to its target under a temporary name; the
renames happen only once every file is ready, so a failure leaves the round as
it was. Re-ingesting a source replaces its rows. A person found in two sources
of the round counts once: the latest submission wins, the other is superseded
(and the report of its source says so).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from draftbook.model.errors import DataFileError
from draftbook.model.files import exclusive, scratch_path
from draftbook.model.rounds import TABLE_COLUMNS, Round, read_table
from draftbook.model.text import sort_rows


class InvariantError(DataFileError):
    """rows_read != accepted + quarantined + superseded + excluded: a bug, and nothing was written."""


@dataclass
class RoundTables:
    """The three tidy tables of a round."""

    respondents: pd.DataFrame
    ratings: pd.DataFrame
    comments: pd.DataFrame

    @classmethod
    def read(cls, round_: Round, replacing: str | None = None) -> RoundTables:
        """The round's tables; when every row comes from ``replacing``, only the (empty) rest is read."""
        respondents = read_table(round_, "respondents")
        if replacing is not None and set(respondents["source"]) <= {replacing}:
            return cls(respondents.iloc[0:0], _empty("ratings"), _empty("comments"))
        return cls(respondents, read_table(round_, "ratings"), read_table(round_, "comments"))

    def without_source(self, source: str) -> RoundTables:
        """The tables less every row that came from ``source``."""
        gone = set(self.respondents.loc[self.respondents["source"] == source, "respondent"])
        return self.without(gone)

    def without(self, respondents: set[str]) -> RoundTables:
        if not respondents:
            return self
        return RoundTables(
            self.respondents[~self.respondents["respondent"].isin(respondents)],
            self.ratings[~self.ratings["respondent"].isin(respondents)],
            self.comments[~self.comments["respondent"].isin(respondents)],
        )


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="object") for column in TABLE_COLUMNS[name]})


@dataclass
class Merge:
    """What merging a source into the round did to the other sources."""

    tables: RoundTables
    superseded_new: set[str] = field(default_factory=set)  # respondents of the new source that lost
    superseded_old: dict[str, int] = field(default_factory=dict)  # other source -> rows it lost


def merge_source(existing: RoundTables, incoming: RoundTables, source: str) -> Merge:
    """Add ``incoming`` (one source) to the round; the latest submission of a person wins."""
    base = existing.without_source(source)
    old = base.respondents.set_index("respondent")
    new = incoming.respondents.set_index("respondent")
    both = old.index.intersection(new.index)
    # An empty date sorts first: a dated submission beats an undated one.
    newer = new.loc[both, "submitted_at"].fillna("") >= old.loc[both, "submitted_at"].fillna("")
    lose_new = set(both[~newer.to_numpy()])
    lose_old = set(both[newer.to_numpy()])
    lost_by_source = old.loc[list(lose_old), "source"].value_counts().to_dict() if lose_old else {}
    kept_old = base.without(lose_old)
    kept_new = incoming.without(lose_new)
    tables = RoundTables(*(_joined(getattr(kept_old, name), getattr(kept_new, name)) for name in TABLE_COLUMNS))
    tables.respondents = sort_rows(tables.respondents, ["source", "submitted_at", "respondent"])
    return Merge(tables, lose_new, {str(k): int(v) for k, v in lost_by_source.items()})


def _joined(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` then ``new``; an empty side is left out, so the other keeps its column types."""
    parts = [table for table in (old, new) if len(table)] or [new]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


def check_invariant(entry: Mapping[str, Any], source: str, export: Path) -> None:
    """rows_read must equal accepted + quarantined + superseded + excluded, or nothing is written."""
    total = entry["accepted"] + entry["quarantined"] + entry["superseded"] + entry.get("excluded", 0)
    if entry["rows_read"] != total:
        raise InvariantError(
            f"source {source}: {entry['rows_read']} rows read but {total} accounted for",
            file=export,
            hint="this is a bug in draftbook; nothing was written. Please report it with the mapping.",
        )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV: what ``write_csv`` writes, as bytes."""
    out = io.BytesIO()
    write_csv(frame, out)
    return out.getvalue()


def write_csv(frame: pd.DataFrame, file: BinaryIO) -> None:
    """Write the table to ``file`` as UTF-8 CSV (LF, minimal quoting; missing values empty).

    The bytes of Python's ``csv.writer`` (and of ``DataFrame.to_csv``), but for a field
    holding a carriage return without a line feed, which is quoted here (the ``csv``
    module left it bare, and every reader took it for the end of the row). polars
    writes the rows: about a sixth of the time of the ``csv`` module on the
    1.5-million-row ratings table (benchmarks/ingest.py), straight into the file;
    ``tests/test_ingest_fast.py`` proves the bytes equal on hostile text.
    """
    import polars as pl

    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([str(name) for name in frame.columns])
    if len(frame.columns) == 1:  # the csv module writes a row of one empty field as "": polars does not
        csv.writer(header, lineterminator="\n").writerows([["" if pd.isna(v) else v] for v in frame.iloc[:, 0]])
    file.write(header.getvalue().encode("utf-8"))
    if frame.empty or len(frame.columns) == 1:
        return
    for start in range(0, len(frame), WRITE_ROWS):  # a block at a time: polars' copy of the text stays small
        block = frame.iloc[start : start + WRITE_ROWS]
        body = pl.DataFrame({f"c{i}": _text(block.iloc[:, i]) for i in range(len(block.columns))})
        body.write_csv(file, include_header=False, quote_style="necessary", line_terminator="\n")


WRITE_ROWS = 200_000


def _text(column: pd.Series) -> Any:
    """One column as polars text, each cell as the ``csv`` module writes it; empty and missing are null.

    (polars writes an empty string as ``""`` and a null as nothing: the ``csv`` module writes both as nothing.)
    """
    import polars as pl
    from pandas.api.types import infer_dtype, is_bool_dtype, is_integer_dtype, is_object_dtype, is_string_dtype

    kind = infer_dtype(column, skipna=True)
    if kind in ("integer", "boolean") or is_integer_dtype(column.dtype) or is_bool_dtype(column.dtype):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)  # few distinct values: str() of each once
        shown = np.array([*(str(v) for v in np.asarray(uniques, dtype=object)), None], dtype=object)
        values = shown[codes]  # the code of a missing value is -1: the last entry
    elif kind in ("string", "empty") and (is_string_dtype(column.dtype) or is_object_dtype(column.dtype)):
        values = column.to_numpy(dtype=object)
        if infer_dtype(values, skipna=False) != "string":  # missing values among the text
            values = column.astype(object).where(column.notna(), None).to_numpy()
    else:  # anything else (mixed objects, floats): str() of each, as the csv module does
        values = np.array([None if pd.isna(v) else str(v) for v in column.astype(object)], dtype=object)
    text = pl.Series(values=values.tolist(), dtype=pl.String)  # from a list: an array opening with None is not text
    return pl.select(pl.when(text != "").then(text)).to_series()


JOURNAL = ".ingest-journal.json"
LOCK_WAIT = 600.0  # seconds a second ingest of the same round waits before giving up


class RoundLockedError(DataFileError):
    """Another ingest holds the round for longer than we wait."""


@contextmanager
def round_lock(private_dir: Path, round_id: str, progress: Callable[[str], None]) -> Iterator[None]:
    """One ingest of a round at a time (across processes): the next waits, then is refused naming the holder."""
    with exclusive(
        private_dir / "locks" / f"{round_id}.lock",
        what=f"ingest of round {round_id}",
        wait=LOCK_WAIT,
        error=RoundLockedError,
        progress=progress,
    ):
        yield


def write_atomically(
    files: Mapping[Path, bytes | Callable[[BinaryIO], None]],
    journal: Path | None = None,
    private_root: Path | None = None,
) -> None:
    """Write every file under a temporary name, then rename them all into place.

    A file's content may be a function that writes it into the open file: the large
    tables then go straight to disk, never whole in memory.

    With a ``journal``, the list of renames is written (atomically) before the
    first one: a crash between renames is finished by ``recover`` on the next run,
    so the tables and the report never disagree. Files under ``private_root`` are
    readable by their owner only (0600).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            scratch = scratch_path(target)
            staged.append((scratch, target))
            with scratch.open("wb") as file:
                if private_root is not None and private_root in target.parents:
                    scratch.chmod(0o600)  # before a byte of it is written
                if callable(content):
                    content(file)
                else:
                    file.write(content)
        if journal is not None:
            plan = json.dumps([[str(a), str(b)] for a, b in staged]).encode()
            scratch = journal.with_name(f".{journal.name}.{os.getpid()}.tmp")
            scratch.write_bytes(plan)
            scratch.replace(journal)
    except BaseException:
        for scratch, _ in staged:
            scratch.unlink(missing_ok=True)
        raise
    for scratch, target in staged:
        scratch.replace(target)
    if journal is not None:
        journal.unlink()


def recover(journal: Path, folders: Sequence[Path]) -> bool:
    """Finish the renames of an interrupted write, then remove leftover temporary files; True if it repaired."""
    repaired = False
    if journal.is_file():
        try:
            plan = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            plan = []  # the journal itself was not complete: no rename had started
        for scratch, target in plan:
            if Path(scratch).is_file():
                Path(scratch).replace(target)
                repaired = True
        journal.unlink()
    for folder in folders:
        for leftover in folder.glob(".*.tmp") if folder.is_dir() else ():
            leftover.unlink(missing_ok=True)
    return repaired
