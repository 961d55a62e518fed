"""One ingest run: export + mapping -> the round's tidy tables, report and private copies."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from draftbook.ingest.mapping import load_mapping, require_columns
from draftbook.ingest.pseudonyms import load_salt
from draftbook.ingest.readers import read_export
from draftbook.ingest.records import REASONS, RowSorter, order_calls
from draftbook.ingest.store import (
    REPORT,
    RoundTables,
    check_invariant,
    csv_bytes,
    merge_source,
    read_report,
    write_atomically,
)
from draftbook.paths import Workbook
from draftbook.rounds import Round, load_round

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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

    def summary(self) -> str:
        """The result in plain words."""
        lines = [
            f"{self.source}: {self.rows_read} rows read -> {self.accepted} accepted, "
            f"{self.quarantined} quarantined, {self.superseded} superseded (earlier submissions of the same person)."
        ]
        for category, count in sorted(self.reasons.items()):
            lines.append(f"  quarantined, {REASONS.get(category, category)}: {count}")
        if self.quarantine_file:
            lines.append(f"  the quarantined rows, with their reasons, are in {self.quarantine_file} (private)")
        for other, count in self.others_superseded.items():
            lines.append(f"  {count} answer(s) of source {other} were replaced by later ones from this source")
        if self.changed_since_last:
            lines.append(
                "  this export differs from the one ingested last time for this source; its rows were replaced"
            )
        elif self.changed_since_last is False:
            lines.append("  same export as last time: the tables are unchanged")
        return "\n".join(lines)


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
    progress: Callable[[str], None] = lambda _: None,
) -> IngestResult:
    """Validate, pseudonymise and write one export into a round. Any error changes nothing."""
    round_ = load_round(workbook, round_id)
    mapping = load_mapping(mapping_path)
    source = source_name(round_, mapping_path)
    progress(f"reading {export_path.name} ...")
    export = read_export(export_path, mapping)
    columns = list(export.frame.columns)
    for role, column in mapping.single_columns().items():
        require_columns([column], columns, mapping_path, role)
    calls = [call.id for call in round_.calls]
    ratings = (
        order_calls(calls, mapping.ratings.resolve(calls, columns, mapping_path, "ratings")) if mapping.ratings else {}
    )
    comments = (
        order_calls(calls, mapping.comments.resolve(calls, columns, mapping_path, "comments"))
        if mapping.comments
        else {}
    )
    progress(f"checking {export.rows_read} rows ...")
    rows = RowSorter(export, mapping, ratings, comments, source, salt or load_salt(workbook.private_dir)).sort()
    existing = RoundTables.read(round_, replacing=source)
    merge = merge_source(existing, RoundTables(rows.respondents, rows.ratings, rows.comments), source)

    raw = export_path.read_bytes()
    report = read_report(round_)
    previous = report.get(source, {}).get("sha256")
    entry: dict[str, Any] = {
        "file": export_path.name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "mapping": mapping_path.name,
        "encoding": export.encoding,
        "delimiter": export.delimiter,
        "rows_read": export.rows_read,
        "accepted": len(rows.respondents) - len(merge.superseded_new),
        "quarantined": len(rows.quarantine),
        "superseded": len(rows.superseded) + len(merge.superseded_new),
        "reasons": dict(sorted(rows.reasons.items())),
        "ingested_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    check_invariant(entry, source, export_path)
    for other, lost in merge.superseded_old.items():
        report[other]["accepted"] -= lost
        report[other]["superseded"] += lost
        check_invariant(report[other], other, export_path)
    if previous == entry["sha256"]:
        entry["ingested_at"] = report[source].get("ingested_at", entry["ingested_at"])  # idempotent: same bytes
    report[source] = entry

    private = workbook.private_dir / "rounds" / round_.id / source
    files: dict[Path, bytes] = {
        round_.table_path("respondents"): csv_bytes(merge.tables.respondents),
        round_.table_path("ratings"): csv_bytes(merge.tables.ratings),
        round_.table_path("comments"): csv_bytes(merge.tables.comments),
        round_.folder / REPORT: (
            json.dumps(dict(sorted(report.items())), indent=2, ensure_ascii=False) + "\n"
        ).encode(),
        private / f"export{export_path.suffix.lower()}": raw,
        private / "quarantine.csv": csv_bytes(neutralise_formulas(rows.quarantine)),
    }
    kept_mapping = round_.folder / "sources" / source / "mapping.yml"
    if kept_mapping.resolve() != mapping_path.resolve():
        files[kept_mapping] = mapping_path.read_bytes()
    progress("writing the tables ...")
    write_atomically(files)
    return IngestResult(
        round_id=round_.id,
        source=source,
        rows_read=entry["rows_read"],
        accepted=entry["accepted"],
        quarantined=entry["quarantined"],
        superseded=entry["superseded"],
        reasons=entry["reasons"],
        sha256=entry["sha256"],
        changed_since_last=None if previous is None else previous != entry["sha256"],
        quarantine_file=(private / "quarantine.csv").relative_to(workbook.root) if len(rows.quarantine) else None,
        written=list(files),
        others_superseded=merge.superseded_old,
    )
