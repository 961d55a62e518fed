"""Small consultation exports for the ingest tests, written byte by byte.

The people are invented; e-mail addresses use the reserved .example domain.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook as Spreadsheet

from draftbook.model.paths import Workbook
from tests.conftest import write

ROUND = "2030-01-test"
CALLS = """calls:
  - {id: CTA-01, addressee: national-governments, theme: recognition, text: {fr: Un, en: One, es: Uno}}
  - {id: CTA-02, addressee: national-governments, theme: financing, text: {fr: Deux, en: Two, es: Dos}}
  - {id: CTA-03, addressee: international-community, theme: climate, text: {fr: Trois, en: Three, es: Tres}}
"""
HEADER = [
    "Horodateur", "Adresse e-mail", "Nom et prénom", "Organisation", "Type d'organisation", "Région", "Langue",
    "Soutien à l'appel [CTA-01]", "Soutien à l'appel [CTA-02]", "Soutien à l'appel [CTA-03]",
    "Commentaire sur l'appel [CTA-01]", "Qu'est-ce qui manque ?", "Autres commentaires", "J'accepte",
]  # fmt: skip
MAPPING = """language: fr
respondent:
  submitted_at: Horodateur
  email: Adresse e-mail
  name: Nom et prénom
  organisation: Organisation
  constituency: Type d'organisation
  region: Région
  language: Langue
ratings:
  scale: agreement-5
  column: "Soutien à l'appel [{call}]"
comments:
  column: "Commentaire sur l'appel [{call}]"
  missing: Qu'est-ce qui manque ?
  general: Autres commentaires
  consent: J'accepte
"""
PEOPLE = [
    ["24/02/2022 16:05:00", "ama.kolo@vesuno.example", "Ama Kolo", "Ville de Vesuno", "Gouvernement local",
     "Afrique", "Français", "Tout à fait d'accord", "Plutôt d'accord", "Sans avis",
     "Très juste.", "Le cœur du sujet : le financement, 5 € par habitant", "", "oui"],
    ["24/02/2022 16:07:10", "bo.ranite@lisa.example", "Bo Ranite", "Province of Lisa", "Regional government",
     "Europe", "English", "Agree", "Disagree", "Strongly agree", "", "", "Thanks", "yes"],
    ["2022-02-24T16:09:00", "cira.mendo@tal.example", "Cira Mendo", "Municipio de Tal", "Gobierno local",
     "América Latina", "Español", "De acuerdo", "En desacuerdo", "Totalmente de acuerdo", "", "", "", "no"],
]  # fmt: skip


def rows_to_csv(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    def cell(value: str) -> str:
        needs_quotes = any(ch in value for ch in (delimiter, '"', "\n", "\r"))
        return '"' + value.replace('"', '""') + '"' if needs_quotes else value

    return "".join(delimiter.join(cell(v) for v in row) + newline for row in rows)


def csv_export(rows: list[list[str]] | None = None, delimiter: str = ",", newline: str = "\n") -> str:
    return rows_to_csv([HEADER, *(PEOPLE if rows is None else rows)], delimiter, newline)


def xlsx_export(rows: list[list[str]] | None = None, sheet: str = "Réponses", title_rows: int = 2) -> bytes:
    book = Spreadsheet()
    active = book.active
    assert active is not None
    active.title = "Lisez-moi"
    active.append(["Export de démonstration"])
    data = book.create_sheet(sheet)
    for _ in range(title_rows):
        data.append(["Session test — notes"])
    data.append(HEADER)
    for row in PEOPLE if rows is None else rows:
        data.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_round(workbook: Workbook) -> Path:
    folder = workbook.round_dir(ROUND)
    write(folder / "calls.yml", CALLS)
    write(
        folder / "round.yml", "title: Test\nkind: survey\nstart: 2030-01-01\nend: 2030-01-31\nlanguages: [fr, en, es]\n"
    )
    return folder


def make_mapping(workbook: Workbook, text: str = MAPPING, source: str = "form") -> Path:
    return write(workbook.round_dir(ROUND) / "sources" / source / "mapping.yml", text)
