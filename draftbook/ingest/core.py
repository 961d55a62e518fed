"""One ingest run: export + mapping -> the round's tidy tables, report and private copies."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from draftbook.ingest.mapping import MappingError, SourceMapping, load_mapping, require_columns
from draftbook.ingest.pseudonyms import PUBLIC_KEYS, SALT_FILE, PseudonymKeyError, key_fingerprint, load_salt
from draftbook.ingest.readers import Export, ExportError, read_export
from draftbook.ingest.records import FIXES, REASONS, SHOWN_VALUES, RowSorter, order_calls
from draftbook.ingest.redaction import redact_names
from draftbook.ingest.store import (
    JOURNAL,
    RoundTables,
    check_invariant,
    csv_bytes,
    merge_source,
    recover,
    round_lock,
    write_atomically,
    write_csv,
)
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import REPORT, Round, list_round_ids, load_round, read_report, report_in
from draftbook.model.text import FORMULA_START
from draftbook.model.vocabulary import vocabulary

NAMES = "names.txt"  # per source, private: the names to redact from every comment of the round
FAR_FROM_ROUND = dt.timedelta(days=30)  # submission dates further than this outside start-end are reported


class NothingAcceptedError(DataFileError):
    """An ingest that would accept no row: nothing is written."""


@dataclass
class IngestResult:
    """What one ingest did, for the command line and the tests."""

    round_id: str
    source: str
    rows_read: int
    accepted: int
    quarantined: int
    superseded: int
    reasons: dict[str, int]
    sha256: str
    changed_since_last: bool | None  # None: first ingest of this source
    quarantine_file: Path | None
    written: list[Path] = field(default_factory=list)
    others_superseded: dict[str, int] = field(default_factory=dict)
    excluded: int = 0
    offences: Counter[tuple[str, str]] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    what_changed: str = ""  # "export", "mapping" or "export and mapping" when changed_since_last

    def summary(self) -> str:
        """The result in plain words: counts, then each reason with its most frequent values and the fix."""
        lines = [
            f"{self.source}: {self.rows_read} rows read -> {self.accepted} accepted, "
            f"{self.quarantined} quarantined, {self.superseded} superseded (earlier submissions of the same person), "
            f"{self.excluded} excluded."
        ]
        lines += reason_lines(self.reasons, self.offences)
        if self.quarantine_file:
            lines.append(f"  the quarantined rows, with their reasons, are in {self.quarantine_file} (private)")
        for other, count in self.others_superseded.items():
            lines.append(f"  {count} answer(s) of source {other} were replaced by later ones from this source")
        lines += [f"  warning: {warning}" for warning in self.warnings]
        if self.changed_since_last:
            lines.append(
                f"  the {self.what_changed} changed since the last ingest of this source; its rows were replaced"
            )
        elif self.changed_since_last is False:
            lines.append("  same export and mapping as last time: the tables are unchanged")
        return "\n".join(lines)


def reason_lines(reasons: dict[str, int], offences: Counter[tuple[str, str]]) -> list[str]:
    """Per reason: its count, its most frequent offending values with their counts, and the fix."""
    lines = []
    for category, count in sorted(reasons.items()):
        lines.append(f"  quarantined, {REASONS.get(category, category)}: {count}")
        ranked = sorted(((n, what) for (c, what), n in offences.items() if c == category and what), reverse=True)
        for n, what in ranked[:SHOWN_VALUES]:
            fix = FIXES.get(category, "")
            if category == "unknown-label":
                fix = fix.format(dimension=what.split()[1])
            lines.append(f"    {what} ({n} row{'s' if n != 1 else ''}): {fix}")
        if len(ranked) > SHOWN_VALUES:
            lines.append(f"    ... and {len(ranked) - SHOWN_VALUES} other values (all in the quarantine file)")
    return lines


def source_name(round_: Round, mapping_path: Path) -> str:
    """The source's name: its folder under the round's ``sources/``, else the mapping file's name."""
    resolved = mapping_path.resolve()
    if resolved.parent.parent == (round_.folder / "sources").resolve():
        return resolved.parent.name
    return resolved.stem if resolved.stem != "mapping" else resolved.parent.name


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells that a spreadsheet would run as a formula, prefixed with ' (for files opened in Excel)."""
    text = frame.astype(str)
    return text.where(~text.apply(lambda col: col.str.startswith(FORMULA_START)), "'" + text)


def ingest_source(
    workbook: Workbook,
    round_id: str,
    export_path: Path,
    mapping_path: Path,
    *,
    salt: bytes | None = None,
    new_key: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> IngestResult:
    """Validate, pseudonymise and write one export into a round. Any error changes nothing.

    One ingest of a round runs at a time (a lock across processes); an earlier
    ingest interrupted between its renames is finished first. ``salt`` is the
    pseudonym key (default: the workbook's private one; ``new_key`` allows making
    one when rounds already hold tables made with a key that is not here).
    """
    round_ = load_round(workbook, round_id)
    with round_lock(workbook.private_dir, round_.id, progress):
        folders = [round_.folder, *(p for p in (workbook.private_dir / "rounds" / round_.id).glob("*") if p.is_dir())]
        if recover(round_.folder / JOURNAL, folders):
            progress("finished the writes of an earlier ingest that was interrupted")
        try:
            return _ingest(
                workbook, round_, export_path, mapping_path, lambda: salt or workbook_key(workbook, new_key), progress
            )
        except OSError as exc:
            raise DataFileError(
                f"cannot write {exc.filename or 'the tables'} ({exc.strerror or exc})",
                file=exc.filename,
                hint="free some disk space or fix the permissions, then run the ingest again; nothing was changed",
            ) from exc


def workbook_key(workbook: Workbook, new_key: bool) -> bytes:
    """The private pseudonym key; made only when no round holds tables made with a private key, or when asked."""
    path = workbook.private_dir / SALT_FILE
    if new_key and path.exists():
        raise PseudonymKeyError(
            "there is a pseudonym key already; --new-key is only for a key that is lost for good",
            file=path,
            hint="run the ingest without --new-key",
        )
    private_tables = any(
        entry.get("key") not in PUBLIC_KEYS
        for round_id in list_round_ids(workbook)
        for entry in report_in(workbook.round_dir(round_id)).values()
    )
    return load_salt(workbook.private_dir, create=new_key or not private_tables)


def check_same_key(report: dict[str, Any], source: str, fingerprint: str, round_: Round) -> None:
    """The other sources of the round were pseudonymised with this key, or a public one."""
    for other, entry in report.items():
        if other != source and entry.get("key", fingerprint) not in (fingerprint, *PUBLIC_KEYS):
            raise PseudonymKeyError(
                f"source {other} of this round was pseudonymised with another key than the one here",
                file=round_.folder / REPORT,
                hint="restore the key (data/private/pseudonym-salt) of whoever ingested it, or ingest every "
                "source of this round again with this key",
            )


def _ingest(
    workbook: Workbook,
    round_: Round,
    export_path: Path,
    mapping_path: Path,
    key: Callable[[], bytes],
    progress: Callable[[str], None],
) -> IngestResult:
    mapping = load_mapping(mapping_path)
    source = source_name(round_, mapping_path)
    progress(f"reading {export_path.name} ...")
    export = read_export(export_path, mapping)
    columns = list(export.frame.columns)
    for role, column in mapping.single_columns().items():
        require_columns([column], columns, mapping_path, role)
    known = vocabulary(workbook)
    check_values(mapping, known.index)
    calls = [call.id for call in round_.calls]
    ratings = (
        order_calls(calls, mapping.ratings.resolve(calls, columns, mapping_path, "ratings")) if mapping.ratings else {}
    )
    comments = (
        order_calls(calls, mapping.comments.resolve(calls, columns, mapping_path, "comments"))
        if mapping.comments
        else {}
    )
    check_repeated(export, mapping, [*mapping.single_columns().values(), *ratings.values(), *comments.values()])
    progress(f"checking {export.rows_read} rows ...")
    salt = key()  # once the export and the mapping are known to be right
    rows = RowSorter(export, mapping, ratings, comments, source, salt, known.index).sort()
    existing = RoundTables.read(round_, replacing=source)
    merge = merge_source(existing, RoundTables(rows.respondents, rows.ratings, rows.comments), source)
    private = workbook.private_dir / "rounds" / round_.id / source
    names = export_names(export, mapping)
    if not merge.tables.comments.empty:  # anyone named in the export or another source's is named nowhere
        everyone = names + other_names(workbook.private_dir / "rounds" / round_.id, source)
        merge.tables.comments["text"] = redact_names(merge.tables.comments["text"].astype(str), everyone)

    raw = export_path.read_bytes()
    report = read_report(round_)
    check_same_key(report, source, key_fingerprint(salt), round_)
    before = report.get(source, {})
    entry: dict[str, Any] = {
        "file": export_path.name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "mapping": mapping_path.name,
        "mapping_sha256": hashlib.sha256(mapping_path.read_bytes()).hexdigest(),
        "encoding": export.encoding,
        "delimiter": export.delimiter,
        "rows_read": export.rows_read,
        "accepted": len(rows.respondents) - len(merge.superseded_new),
        "quarantined": len(rows.quarantine),
        "superseded": len(rows.superseded) + len(merge.superseded_new),
        "excluded": len(rows.excluded),
        "reasons": dict(sorted(rows.reasons.items())),
        "key": key_fingerprint(salt),
        "ingested_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    check_invariant(entry, source, export_path)
    if rows.respondents.empty:  # every row quarantined or excluded (superseded by another source is fine)
        raise NothingAcceptedError(
            f"no row of {export_path.name} was accepted ({entry['rows_read']} read, {entry['quarantined']} "
            f"quarantined, {entry['superseded']} superseded, {entry['excluded']} excluded); nothing was written"
            + "".join("\n" + line for line in reason_lines(entry["reasons"], rows.offences)),
            file=export_path,
            hint="fix the mapping as the lines above say, then run the ingest again",
        )
    changes = [name for name in ("sha256", "mapping_sha256") if name in before and before[name] != entry[name]]
    for other, lost in merge.superseded_old.items():
        report[other]["accepted"] -= lost
        report[other]["superseded"] += lost
        check_invariant(report[other], other, export_path)
    if before and not changes:
        entry["ingested_at"] = before.get("ingested_at", entry["ingested_at"])  # idempotent: same bytes
    report[source] = entry

    tables = merge.tables
    files: dict[Path, bytes | Callable[[BinaryIO], None]] = {  # the tables go straight into their files
        round_.table_path("respondents"): functools.partial(write_csv, tables.respondents),
        round_.table_path("ratings"): functools.partial(write_csv, tables.ratings),
        round_.table_path("comments"): functools.partial(write_csv, tables.comments),
        round_.folder / REPORT: (
            json.dumps(dict(sorted(report.items())), indent=2, ensure_ascii=False) + "\n"
        ).encode(),
        private / f"export{export_path.suffix.lower()}": raw,
        private / "quarantine.csv": csv_bytes(neutralise_formulas(rows.quarantine)),
        private / "excluded.csv": csv_bytes(neutralise_formulas(rows.excluded)),
        # a name typed in another encoding keeps its bytes (read back the same way by other_names)
        private / NAMES: "".join(f"{name}\n" for name in names).encode("utf-8", errors="surrogateescape"),
    }
    kept_mapping = round_.folder / "sources" / source / "mapping.yml"
    if kept_mapping.resolve() != mapping_path.resolve():
        files[kept_mapping] = mapping_path.read_bytes()
    progress("writing the tables ...")
    write_atomically(files, journal=round_.folder / JOURNAL, private_root=workbook.private_dir)
    return IngestResult(
        round_id=round_.id,
        source=source,
        rows_read=entry["rows_read"],
        accepted=entry["accepted"],
        quarantined=entry["quarantined"],
        superseded=entry["superseded"],
        reasons=entry["reasons"],
        sha256=entry["sha256"],
        changed_since_last=None if not before else bool(changes),
        what_changed=" and ".join({"sha256": "export", "mapping_sha256": "mapping"}[name] for name in changes),
        quarantine_file=(private / "quarantine.csv").relative_to(workbook.root) if len(rows.quarantine) else None,
        written=list(files),
        others_superseded=merge.superseded_old,
        excluded=entry["excluded"],
        offences=rows.offences,
        warnings=date_warnings(round_, rows.respondents["submitted_at"]),
    )


def export_names(export: Export, mapping: SourceMapping) -> list[str]:
    """Every name of the export's name column (all rows: accepted or not), for redaction across the round."""
    column = mapping.respondent.get("name")
    if column is None:
        return []
    values = export.frame[column].astype(str).str.strip()
    return sorted({value for value in values if value and "\n" not in value})


def other_names(private_round: Path, source: str) -> list[str]:
    """The names kept (privately) by the round's other sources."""
    names: list[str] = []
    for path in sorted(private_round.glob(f"*/{NAMES}")):
        if path.parent.name != source:
            names += path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    return names


def check_values(mapping: SourceMapping, vocabulary: Callable[[str], dict[str, str]]) -> None:
    """Every id a mapping's ``values`` points to is one the workbook's vocabulary knows."""
    for dimension, labels in mapping.values.items():
        ids = sorted(set(vocabulary(dimension).values()))
        for label, target in labels.items():
            if target not in ids:
                raise MappingError(
                    f'"{label}" maps to "{target}", which is no {dimension} of the vocabulary',
                    file=mapping.path,
                    key=f"values.{dimension}",
                    hint=f"use one of: {', '.join(ids)}, or add it to data/vocabulary.yml",
                )


def check_repeated(export: Export, mapping: SourceMapping, used: list[str]) -> None:
    """Stop when a column the mapping uses heads two columns of the export (which one is meant?)."""
    for column in export.repeated_columns:
        if column in used:
            raise ExportError(
                f'two columns of the export are named "{column}"',
                file=mapping.path,
                column=column,
                hint=f'rename one of them in the export, or map the other one by its position\'s name ("{column} (2)")',
            )


def date_warnings(round_: Round, submitted_at: pd.Series) -> list[str]:
    """A warning when accepted submissions are dated far outside the round's start-end."""
    dates = pd.to_datetime(submitted_at[submitted_at != ""], errors="coerce").dropna()
    low = pd.Timestamp(round_.start - FAR_FROM_ROUND)
    high = pd.Timestamp(round_.end + FAR_FROM_ROUND + dt.timedelta(days=1))
    far = dates[(dates < low) | (dates >= high)]
    if far.empty:
        return []
    examples = ", ".join(sorted({d.strftime("%Y-%m-%d") for d in far})[:3])
    return [
        f"{len(far)} submission date(s) fall far outside the round ({round_.start} to {round_.end}), e.g. {examples}: "
        "check dates: in the mapping, or start and end in round.yml"
    ]
