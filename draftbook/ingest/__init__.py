"""Ingest a consultation export: validated, pseudonymised, nothing lost.

``ingest_source`` reads one export (CSV or XLSX) with its mapping file, sorts
every row into accepted, quarantined (with a reason) or superseded, and writes
the round's tidy tables and ``ingest-report.json``. The raw export and the
quarantined rows go to ``data/private/``, never to the tidy tables.

Modules: ``mapping`` (the mapping file contract), ``readers`` (CSV and XLSX,
encodings, delimiters), ``scales`` (answer labels to scores), ``pseudonyms`` (salted respondent ids), ``records``
(row validation and duplicates), ``store`` (atomic writes and reports),
``core`` (the whole run), ``forms`` (questionnaires written from a round's calls, each with the mapping
that reads its export), ``sample`` (the seeded sample rounds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from draftbook.ingest.core import IngestResult, ingest_source

__all__ = ["IngestResult", "ingest_source"]


def __getattr__(name: str) -> Any:
    """``ingest_source`` and ``IngestResult`` load pandas only when used (the command line starts without)."""
    if name in __all__:
        from draftbook.ingest import core

        return getattr(core, name)
    raise AttributeError(name)
