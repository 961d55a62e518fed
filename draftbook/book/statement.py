"""The Word statement of the calls for the governing body (python-docx)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from draftbook.model.calls import ADDRESSEE_LABELS, ADDRESSEES, Call
from draftbook.model.files import atomic_path


def calls_by_addressee(calls: Sequence[Call]) -> dict[str, list[Call]]:
    """The calls grouped by addressee, in the contract's order of addressees."""
    grouped: dict[str, list[Call]] = {addressee: [] for addressee in ADDRESSEES}
    for call in calls:
        grouped[call.addressee].append(call)
    return {addressee: group for addressee, group in grouped.items() if group}


STATEMENT_TEXT = {  # interface words only: the paper's title and author come from the workbook
    "fr": {"subtitle": "Appels à l'action", "version": "Version issue du tour « {round} » — {date}"},
    "en": {"subtitle": "Calls to action", "version": "Version following the round “{round}” — {date}"},
    "es": {"subtitle": "Llamados a la acción", "version": "Versión resultante de la ronda «{round}» — {date}"},
}


def write_statement(
    calls: Sequence[Call], round_title: str, date: dt.date, lang: str, path: Path, *, title: str, author: str
) -> Path:
    """A Word document of the calls as they stand: the paper's title and author (the workbook's settings,
    as the book shows them: ``model.titles.book_titles``), version, date, one section per addressee."""
    from docx import Document

    words = STATEMENT_TEXT[lang]
    document = Document()
    document.core_properties.title = f"{title} — {words['subtitle']}"
    document.core_properties.author = author
    document.core_properties.language = lang
    document.add_heading(title, level=0)
    document.add_heading(words["subtitle"], level=1)
    document.add_paragraph(words["version"].format(round=round_title, date=date.isoformat()))
    if author:
        document.add_paragraph().add_run(author).italic = True
    for addressee, group in calls_by_addressee(calls).items():
        document.add_heading(ADDRESSEE_LABELS[addressee][lang], level=2)
        for call in group:
            paragraph = document.add_paragraph(style="List Number")
            paragraph.add_run(f"{call.id} — ").bold = True
            paragraph.add_run(call.text_in(lang))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as scratch:
        document.save(str(scratch))
    return path
