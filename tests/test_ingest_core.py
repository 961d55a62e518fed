"""draftbook ingest end to end, on small exports written byte by byte."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from draftbook.errors import DataFileError
from draftbook.ingest import ingest_source
from draftbook.ingest.readers import ExportError
from draftbook.paths import Workbook
from draftbook.rounds import load_round, read_table
from tests.exports import MAPPING, PEOPLE, ROUND, csv_export, make_mapping, make_round, xlsx_export

SALT = b"test-salt"


@pytest.fixture
def round_folder(workbook: Workbook) -> Path:
    return make_round(workbook)


def run(workbook: Workbook, data: bytes, name: str = "export.csv", mapping: str = MAPPING, source: str = "form"):  # type: ignore[no-untyped-def]
    path = workbook.root / "incoming" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return ingest_source(workbook, ROUND, path, make_mapping(workbook, mapping, source), salt=SALT)


def tables(workbook: Workbook) -> dict[str, pd.DataFrame]:
    round_ = load_round(workbook, ROUND)
    return {name: read_table(round_, name) for name in ("respondents", "ratings", "comments")}


def changed(row: list[str], values: dict[int, str]) -> list[str]:
    return [values.get(index, value) for index, value in enumerate(row)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_accepted_rows_become_tidy_tables(workbook: Workbook, round_folder: Path) -> None:
    result = run(workbook, csv_export().encode("cp1252"))
    assert (result.rows_read, result.accepted, result.quarantined, result.superseded) == (3, 3, 0, 0)
    t = tables(workbook)
    people = t["respondents"].set_index("source")
    assert set(t["respondents"]["region"]) == {"africa", "europe", "latin-america"}
    assert set(t["respondents"]["constituency"]) == {"local-government", "regional-government"}
    assert set(t["respondents"]["language"]) == {"fr", "en", "es"}
    assert people.index.unique().tolist() == ["form"]
    assert sorted(t["respondents"]["submitted_at"]) == [
        "2022-02-24T16:05:00",
        "2022-02-24T16:07:10",
        "2022-02-24T16:09:00",
    ]
    assert len(t["ratings"]) == 9
    ratings = t["ratings"].set_index(["call"]).sort_index()
    assert ratings["score"].isna().sum() == 1  # "Sans avis"
    kinds = t["comments"].groupby("kind").size().to_dict()
    assert kinds == {"call": 1, "general": 1, "missing": 1}
    quoted = t["comments"].set_index("kind")
    assert bool(quoted.loc["call", "publishable"]) is True  # "oui"
    assert bool(quoted.loc["general", "publishable"]) is True  # "yes"
    assert quoted.loc["missing", "text"] == "Le cœur du sujet : le financement, 5 € par habitant"


def test_every_outcome_has_a_reason_and_the_invariant_holds(workbook: Workbook, round_folder: Path) -> None:
    rows = [list(p) for p in PEOPLE]
    off = changed(PEOPLE[0], {1: "z@x.example", 7: "Peut-être"})
    unknown = changed(PEOPLE[0], {1: "y@x.example", 5: "Atlantide"})
    bad_date = changed(PEOPLE[0], {1: "w@x.example", 0: "mardi"})
    empty = ["24/02/2022 17:00:00", "v@x.example", "Vide", "", "", "", ""] + [""] * 7
    earlier = changed(PEOPLE[1], {0: "24/02/2022 15:00:00", 8: "Strongly agree"})
    result = run(workbook, csv_export([*rows, off, unknown, bad_date, empty, earlier]).encode())
    assert (result.rows_read, result.accepted, result.quarantined, result.superseded) == (8, 3, 4, 1)
    assert result.reasons == {"bad-date": 1, "empty": 1, "off-scale": 1, "unknown-label": 1}
    report = json.loads((round_folder / "ingest-report.json").read_text())["form"]
    assert report["rows_read"] == report["accepted"] + report["quarantined"] + report["superseded"]
    quarantine = pd.read_csv(workbook.private_dir / "rounds" / ROUND / "form" / "quarantine.csv", dtype=str)
    reasons = dict(zip(quarantine["row"], quarantine["reason"], strict=True))
    assert reasons["5"] == 'CTA-01: "Peut-être" in column "Soutien à l\'appel [CTA-01]" is not on the scale'
    assert reasons["6"] == 'unknown region "Atlantide" in column "Région"'
    assert reasons["7"] == 'the date "mardi" cannot be read'
    assert reasons["8"] == "no rating and no comment"
    # The later answer of Bo Ranite wins over the earlier one of the same e-mail.
    t = tables(workbook)
    bo = t["respondents"].loc[t["respondents"]["region"] == "europe", "respondent"].item()
    bo_ratings = t["ratings"][t["ratings"]["respondent"] == bo].set_index("call")["score"]
    assert bo_ratings["CTA-02"] == 2  # "Disagree" at 16:07, not "Strongly agree" at 15:00
    assert (workbook.private_dir / "rounds" / ROUND / "form" / "export.csv").is_file()


def test_same_person_in_two_sources_counts_once_latest_wins(workbook: Workbook, round_folder: Path) -> None:
    run(workbook, csv_export().encode(), source="session")
    later = [list(PEOPLE[0])]
    later[0][0] = "25/02/2022 09:00:00"
    later[0][2] = "AMA KOLO"  # the e-mail decides, not the spelling of the name
    result = run(workbook, csv_export(later).encode(), source="form")
    assert result.others_superseded == {"session": 1}
    people = tables(workbook)["respondents"]
    assert len(people) == 3
    assert people.set_index("source").index.tolist().count("form") == 1
    report = json.loads((round_folder / "ingest-report.json").read_text())
    assert (report["session"]["accepted"], report["session"]["superseded"]) == (2, 1)
    # An older answer from a third source loses.
    older = [list(PEOPLE[0])]
    older[0][0] = "20/02/2022 09:00:00"
    third = run(workbook, csv_export(older).encode(), source="mail")
    assert (third.accepted, third.superseded) == (0, 1)
    assert len(tables(workbook)["respondents"]) == 3


def test_reingest_replaces_and_is_idempotent(workbook: Workbook, round_folder: Path) -> None:
    first = run(workbook, csv_export().encode())
    before = snapshot(round_folder)
    again = run(workbook, csv_export().encode())
    assert again.changed_since_last is False and first.changed_since_last is None
    assert snapshot(round_folder) == before
    changed = run(workbook, csv_export(PEOPLE[:2]).encode())
    assert changed.changed_since_last is True
    assert len(tables(workbook)["respondents"]) == 2


def test_xlsx_source(workbook: Workbook, round_folder: Path) -> None:
    mapping = "format: xlsx\nsheet: Réponses\nheader_row: 3\n" + MAPPING
    result = run(workbook, xlsx_export(), "notes.xlsx", mapping)
    assert result.accepted == 3
    assert (workbook.private_dir / "rounds" / ROUND / "form" / "export.xlsx").is_file()


@pytest.mark.parametrize(
    ("data", "mapping", "error", "message"),
    [
        (b"", MAPPING, ExportError, "empty"),
        (
            csv_export().encode(),
            MAPPING.replace("  region: Région", "  region: Pays"),
            DataFileError,
            'no column "Pays"',
        ),
        (csv_export().encode(), MAPPING.replace("comments:", "coments:"), DataFileError, 'did you mean "comments"'),
        (
            csv_export().replace("[CTA-03]", "[CTA-33]", 1).encode(),
            MAPPING,
            DataFileError,
            "CTA-33, which is no call",
        ),
    ],
)
def test_bad_input_changes_nothing(
    workbook: Workbook, round_folder: Path, data: bytes, mapping: str, error: type[Exception], message: str
) -> None:
    run(workbook, csv_export().encode())
    before = snapshot(round_folder), snapshot(workbook.private_dir)
    export = workbook.root / "incoming" / "export.csv"
    export.write_bytes(data)
    outside = workbook.root / "incoming" / "form" / "mapping.yml"  # the team's draft, not yet in the round
    outside.parent.mkdir(exist_ok=True)
    outside.write_text(mapping, encoding="utf-8")
    with pytest.raises(error, match=message):
        ingest_source(workbook, ROUND, export, outside, salt=SALT)
    assert (snapshot(round_folder), snapshot(workbook.private_dir)) == before
    assert not list(round_folder.rglob("*.tmp"))


def test_a_failed_write_leaves_the_round_as_it_was(
    workbook: Workbook, round_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(workbook, csv_export().encode())
    before = snapshot(round_folder)
    calls = {"n": 0}
    original = Path.write_bytes

    def failing(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(OSError, match="No space"):
        run(workbook, csv_export(PEOPLE[:1]).encode())
    monkeypatch.undo()
    after = snapshot(round_folder)
    after.pop("sources/form/mapping.yml", None)
    before.pop("sources/form/mapping.yml", None)
    assert after == before
    assert not [p for p in round_folder.rglob("*") if p.name.endswith(".tmp")]


HOSTILE = [
    "<script>alert('x')</script>",
    '=HYPERLINK("http://evil.example","clic")',
    "+SUM(A1:A9)",
    "@cmd|' /C calc'!A0",
]


def test_hostile_text_is_stored_as_given_and_defused_in_the_quarantine_file(
    workbook: Workbook, round_folder: Path
) -> None:
    rows = [list(p) for p in PEOPLE]
    for row, text in zip(rows, HOSTILE, strict=False):
        row[10] = text
    off = list(PEOPLE[0])
    off[1], off[7], off[11] = "q@x.example", "=1+1", '=HYPERLINK("http://evil.example")'
    run(workbook, csv_export([*rows, off]).encode())
    texts = set(tables(workbook)["comments"]["text"])
    assert {HOSTILE[0], HOSTILE[1], HOSTILE[2]} <= texts
    quarantine = (workbook.private_dir / "rounds" / ROUND / "form" / "quarantine.csv").read_text()
    assert ",'=1+1," in quarantine and "'=HYPERLINK" in quarantine
    assert not re.search(r",=", quarantine)


def test_no_personal_data_outside_private(workbook: Workbook, round_folder: Path) -> None:
    rows = [list(p) for p in PEOPLE]
    rows[0][11] = "Appelez Ama Kolo au +221 77 123 45 67 ou ama.kolo@vesuno.example (IP 10.1.2.3)"
    run(workbook, csv_export(rows).encode())
    secrets = [p[1] for p in PEOPLE] + [p[2] for p in PEOPLE] + ["+221 77 123 45 67", "10.1.2.3"]
    written = [p for p in workbook.data.rglob("*") if p.is_file() and workbook.private_dir not in p.parents]
    assert round_folder / "comments.csv" in written
    for path in written:
        if path.suffix in {".csv", ".json", ".yml"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            for secret in secrets:
                assert secret not in text, (secret, path)
    comment = tables(workbook)["comments"].set_index("kind").loc["missing", "text"]
    assert comment == "Appelez [name removed] au [phone removed] ou [e-mail removed] (IP [address removed])"
