"""Hostile inputs and faults fed through the real command: exit 1 or 2, a short message, never a traceback.

Each case writes one bad file (or injects one fault), runs ``draftbook ingest`` as a
user would, and checks that nothing was written to the round.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import stat
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook as Spreadsheet

from draftbook.cli import main
from draftbook.ingest import ingest_source
from draftbook.ingest.pseudonyms import SALT_FILE, load_salt
from draftbook.ingest.store import JOURNAL, recover, write_atomically
from draftbook.model.errors import DataFileError
from draftbook.model.paths import ROOT_ENV, Workbook
from draftbook.model.rounds import load_round, read_table
from tests.conftest import copy_workbook
from tests.exports import HEADER, MAPPING, PEOPLE, ROUND, csv_export, make_mapping, make_round, xlsx_export


@pytest.fixture
def round_folder(workbook: Workbook) -> Path:
    return make_round(workbook)


def snapshot(folder: Path) -> dict[str, bytes]:
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and p.parent.name != "locks")
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def ingest(workbook: Workbook, export: Path, mapping: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """Run the real command; assert it refused cleanly and changed nothing; return its message."""
    before = snapshot(workbook.round_dir(ROUND)) if workbook.round_dir(ROUND).is_dir() else {}
    try:
        code = main(["ingest", ROUND, str(export), "--mapping", str(mapping), *extra])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert "Traceback" not in err and len(err) < 2000, err
    if workbook.round_dir(ROUND).is_dir():
        after = snapshot(workbook.round_dir(ROUND))
        assert {k: v for k, v in after.items() if not k.startswith("sources/")} == {
            k: v for k, v in before.items() if not k.startswith("sources/")
        }
    return err


def xlsx_bytes(build: Callable[[Spreadsheet], None]) -> bytes:
    book = Spreadsheet()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, member: str, content: bytes | None, raw_deflate: bool = False) -> bytes:
    """The workbook with one member replaced (or its compressed bytes damaged)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, content if item.filename == member and content is not None else body)
    result = out.getvalue()
    if raw_deflate:  # flip bytes inside the compressed data of the member
        index = result.find(member.encode()) + len(member) + 20
        result = result[:index] + bytes(b ^ 0xFF for b in result[index : index + 40]) + result[index + 40 :]
    return result


def far_cell(book: Spreadsheet) -> None:
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "Horodateur"
    sheet["XFD1048576"] = "x"


def formula_without_value(book: Spreadsheet) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([*PEOPLE[0][:7], "=A1&B1", *PEOPLE[0][8:]])  # openpyxl saves no cached value


def plain() -> bytes:
    return csv_export().encode()


HOSTILE_EXPORTS: dict[str, tuple[str, Callable[[], bytes], str, str]] = {
    # name: (file name, bytes, extra mapping text, expected words)
    "cell at XFD1048576": ("bomb.xlsx", lambda: xlsx_bytes(far_cell), "format: xlsx\n", "more than 200,000 rows"),
    "formula without a saved value": (
        "f.xlsx",
        lambda: xlsx_bytes(formula_without_value),
        "format: xlsx\n",
        "formula",
    ),
    "broken sheet XML": (
        "x.xlsx",
        lambda: rewrite_zip(xlsx_export(), "xl/worksheets/sheet2.xml", b"<worksheet><sheetData><row"),
        "format: xlsx\nsheet: Réponses\nheader_row: 3\n",
        "damaged",
    ),
    "broken styles.xml": (
        "s.xlsx",
        lambda: rewrite_zip(xlsx_export(), "xl/styles.xml", b"<styleSheet><numFmts count='1'><numFmt"),
        "format: xlsx\nsheet: Réponses\nheader_row: 3\n",
        "damaged",
    ),
    "bad compressed data": (
        "z.xlsx",
        lambda: rewrite_zip(xlsx_export(), "xl/worksheets/sheet2.xml", None, raw_deflate=True),
        "format: xlsx\nsheet: Réponses\nheader_row: 3\n",
        "damaged",
    ),
    "old .xls or password-protected": (
        "old.xlsx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "",
        "password",
    ),
    "zip that is no workbook": (
        "n.xlsx",
        lambda: rewrite_zip(xlsx_export(), "[Content_Types].xml", b"<x/>"),
        "",
        "damaged",
    ),
    "BOM then an invalid byte, every row": (
        "b.csv",
        lambda: b"\xef\xbb\xbf" + csv_export().encode().replace(b"\n2", b"\n\xff2"),
        "",
        "no row of b.csv was accepted",
    ),
    "empty file": ("e.csv", lambda: b"", "", "empty"),
    "header only": ("h.csv", lambda: csv_export([]).encode(), "", "no answers"),
    "undefined encoding": (
        "u.csv",
        lambda: csv_export().encode(),
        "encoding: undefined\n",
        'unknown encoding "undefined"',
    ),
    "encoding as a list": ("l.csv", plain, "encoding: [utf-8]\n", "expected an encoding name"),
    "a key as a list": ("k.csv", plain, "sheet: [a, b]\n", "expected a column name"),
    "unknown key": ("t.csv", plain, "skiprows: 2\n", 'did you mean "skip_rows"'),
    "skip_rows negative": ("n.csv", plain, "skip_rows: -1\n", "whole number from 0"),
    "a date order that is no order": (
        "d.csv",
        lambda: csv_export().encode(),
        "dates: sometimes\n",
        "unknown date order",
    ),
    "identify_by unknown": ("i.csv", plain, "", "unknown identifier"),
    "two columns with the mapped name": (
        "dup.csv",
        lambda: csv_export().replace("Région,Langue", "Région,Région", 1).encode(),
        "",
        "two columns of the export",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_EXPORTS))
def test_hostile_export_is_refused_cleanly(
    workbook: Workbook, round_folder: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    name, data, extra, expected = HOSTILE_EXPORTS[case]
    export = workbook.root / "incoming" / name
    export.parent.mkdir(exist_ok=True)
    export.write_bytes(data())
    text = MAPPING
    if case == "identify_by unknown":
        text = MAPPING.replace("  email: Adresse e-mail\n", "  email: Adresse e-mail\n  identify_by: [passport]\n")
    if case == "two columns with the mapped name":
        text = MAPPING.replace("  language: Langue\n", "")
    started = time.monotonic()
    err = ingest(workbook, export, make_mapping(workbook, extra + text), capsys)
    assert expected in err, err
    assert time.monotonic() - started < 120  # a guard against a hang, not a performance check


def test_billion_laughs_mapping_is_refused(
    workbook: Workbook, round_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        laughs += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    export = workbook.root / "e.csv"
    export.write_text(csv_export(), encoding="utf-8")
    err = ingest(workbook, export, make_mapping(workbook, laughs + MAPPING), capsys)
    assert "aliases (*name) are not allowed" in err


def test_a_pattern_with_call_twice_is_refused(
    workbook: Workbook, round_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = workbook.root / "e.csv"
    export.write_text(csv_export(), encoding="utf-8")
    mapping = MAPPING.replace('column: "Soutien à l\'appel [{call}]"', 'column: "{call} [{call}]"')
    assert "{call} once" in ingest(workbook, export, make_mapping(workbook, mapping), capsys)


@pytest.mark.parametrize("round_id", ["../../outside", "/tmp/abs", "a/b", "..", "", "round one"])
def test_round_ids_are_plain_names(
    workbook: Workbook, capsys: pytest.CaptureFixture[str], round_id: str, tmp_path: Path
) -> None:
    export = tmp_path / "e.csv"
    export.write_text(csv_export(), encoding="utf-8")
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING, encoding="utf-8")
    assert main(["ingest", round_id, str(export), "--mapping", str(mapping)]) == 1
    err = capsys.readouterr().err
    assert "is not a round id" in err and "Traceback" not in err
    assert main(["export", "statement", "--round", round_id, "--lang", "fr"]) == 1
    assert "is not a round id" in capsys.readouterr().err
    assert not list(workbook.root.parent.glob("outside*")) and not Path("/tmp/abs").exists()


# --- the pseudonym key ---


def test_the_key_is_made_once_atomically_and_private(tmp_path: Path) -> None:
    key = load_salt(tmp_path / "private")
    path = tmp_path / "private" / SALT_FILE
    assert len(key) == 64 and load_salt(tmp_path / "private") == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".*.tmp"))


@pytest.mark.parametrize("content", [b"", b"abc", b"\n", b"z" * 64, "é".encode() * 40])
def test_a_damaged_key_stops_the_ingest(
    workbook: Workbook, round_folder: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    (workbook.private_dir).mkdir(parents=True, exist_ok=True)
    (workbook.private_dir / SALT_FILE).write_bytes(content)
    export = workbook.root / "e.csv"
    export.write_text(csv_export(), encoding="utf-8")
    err = ingest(workbook, export, make_mapping(workbook), capsys)
    assert "the pseudonym key is damaged" in err or "cannot be read" in err


def test_a_lost_key_is_not_silently_replaced(
    workbook: Workbook, round_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = workbook.root / "e.csv"
    export.write_text(csv_export(), encoding="utf-8")
    mapping = make_mapping(workbook)
    assert main(["ingest", ROUND, str(export), "--mapping", str(mapping)]) == 0  # the first key is made
    first = read_table(load_round(workbook, ROUND), "respondents")["respondent"].tolist()
    (workbook.private_dir / SALT_FILE).unlink()  # a colleague on a fresh clone
    capsys.readouterr()
    err = ingest(workbook, export, mapping, capsys)
    assert "the pseudonym key is missing" in err and "--new-key" in err
    assert main(["ingest", ROUND, str(export), "--mapping", str(mapping), "--new-key"]) == 0
    assert "pseudonyms of earlier rounds" in capsys.readouterr().err
    again = read_table(load_round(workbook, ROUND), "respondents")["respondent"].tolist()
    assert set(again).isdisjoint(first)  # a new key: new pseudonyms, as the warning said
    err = ingest(workbook, export, mapping, capsys, "--new-key")
    assert "there is a pseudonym key already" in err


def test_another_key_in_the_same_round_is_refused(workbook: Workbook, round_folder: Path) -> None:
    export = workbook.root / "e.csv"
    export.write_text(csv_export(), encoding="utf-8")
    ingest_source(workbook, ROUND, export, make_mapping(workbook, source="a"), salt=b"k" * 64)
    with pytest.raises(DataFileError, match="source a of this round was pseudonymised with another key"):
        ingest_source(workbook, ROUND, export, make_mapping(workbook, source="b"), salt=b"j" * 64)


# --- concurrent ingests and interrupted writes ---


def _ingest_one(root: str, source: str, rows: list[list[str]]) -> int:
    os.environ[ROOT_ENV] = root
    workbook = Workbook(Path(root))
    export = workbook.root / f"{source}.csv"
    export.write_text(csv_export(rows), encoding="utf-8")
    mapping = make_mapping(workbook, source=source)
    return ingest_source(workbook, ROUND, export, mapping, salt=b"s" * 64).accepted


def test_four_concurrent_ingests_into_one_round_lose_nobody(tmp_path: Path) -> None:
    workbook = copy_workbook(tmp_path / "wb")
    make_round(workbook)
    sources = {}
    for number in range(4):
        rows = []
        for index in range(60):
            row = list(PEOPLE[index % 3])
            row[1] = f"s{number}p{index}@x.example"
            rows.append(row)
        sources[f"region-{number}"] = rows
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        accepted = pool.starmap(_ingest_one, [(str(workbook.root), s, r) for s, r in sources.items()])
    assert accepted == [60, 60, 60, 60]
    people = read_table(load_round(workbook, ROUND), "respondents")
    assert len(people) == 240 and people["respondent"].is_unique
    assert people.groupby("source").size().to_dict() == dict.fromkeys(sources, 60)
    ratings = read_table(load_round(workbook, ROUND), "ratings")
    assert len(ratings) == 240 * 3


def test_a_crash_between_renames_is_finished_by_the_next_run(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    files = {folder / "respondents.csv": b"new people", folder / "ingest-report.json": b"new report"}
    for target in files:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"old")
    journal = folder / JOURNAL
    original = Path.replace
    calls = {"n": 0}

    def crash_after_first(self: Path, target: Path) -> Path:  # type: ignore[override]
        if self.name.endswith(".tmp") and not self.name.startswith(f".{JOURNAL}"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt  # the process dies between two renames
        return original(self, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "replace", crash_after_first)
        with pytest.raises(KeyboardInterrupt):
            write_atomically(files, journal=journal)
    assert journal.is_file()
    assert {p.read_bytes() for p in files} == {b"new people", b"old"}  # half done
    (folder / ".stray.123.tmp").write_bytes(b"left by a kill")
    assert recover(journal, [folder]) is True
    assert [p.read_bytes() for p in files] == [b"new people", b"new report"]
    assert not journal.exists() and not list(folder.glob(".*.tmp"))


def test_private_copies_are_readable_by_the_owner_only(workbook: Workbook, round_folder: Path) -> None:
    export = workbook.root / "e.csv"
    export.write_text(csv_export(), encoding="utf-8")
    ingest_source(workbook, ROUND, export, make_mapping(workbook), salt=b"s" * 64)
    private = workbook.private_dir / "rounds" / ROUND / "form"
    for name in ("export.csv", "quarantine.csv", "excluded.csv"):
        assert stat.S_IMODE((private / name).stat().st_mode) == 0o600, name
    assert not pd.read_csv(round_folder / "respondents.csv").empty


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (OSError(28, "No space left on device", "/work/_build/html/index.html"), "free some disk space"),
        (PermissionError(13, "Permission denied", "/work/statement.docx"), "check the permissions"),
        (
            __import__("shutil").Error([(f"/a/{i}.html", f"/b/{i}.html", "[Errno 28] No space") for i in range(500)]),
            "500 file(s) could not be copied",
        ),
    ],
)
def test_faults_of_the_machine_are_one_paragraph(
    workbook: Workbook,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: OSError,
    expected: str,
) -> None:
    import draftbook.cli

    def failing(*_: object, **__: object) -> int:
        raise fault

    monkeypatch.setattr(draftbook.cli, "command_status", failing)
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err) < 400
