"""Property tests: whatever mix of good, bad and repeated rows, nothing is lost or counted twice."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftbook.ingest import ingest_source
from draftbook.ingest.records import parse_dates, vocabulary_index
from draftbook.paths import Workbook
from tests.conftest import REPO
from tests.exports import PEOPLE, ROUND, csv_export, make_mapping, make_round

KINDS = st.sampled_from(["good", "repeat", "off-scale", "empty", "bad-date", "unknown-region"])


def build_rows(kinds: list[str]) -> tuple[list[list[str]], dict[str, int]]:
    rows: list[list[str]] = []
    emails: list[str] = []
    expected = {"quarantined": 0, "people": 0}
    for index, kind in enumerate(kinds):
        row = list(PEOPLE[index % 3])
        row[0] = f"2022-02-24T{10 + index // 60:02d}:{index % 60:02d}:00"
        if kind == "repeat" and emails:
            row[1] = emails[index % len(emails)]
        else:
            row[1] = f"p{index}@x.example"
        if kind == "off-scale":
            row[8] = "Bof"
        elif kind == "empty":
            row[3:] = [""] * (len(row) - 3)
        elif kind == "bad-date":
            row[0] = "jeudi"
        elif kind == "unknown-region":
            row[5] = "Lune"
        if kind in {"good", "repeat"}:
            emails.append(row[1])
        else:
            expected["quarantined"] += 1
        rows.append(row)
    expected["people"] = len(set(emails))
    return rows, expected


def minimal_workbook(root: Path) -> Workbook:
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "data" / "codebook.yml", root / "data" / "codebook.yml")
    workbook = Workbook(root)
    make_round(workbook)
    return workbook


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(KINDS, min_size=1, max_size=25))
def test_invariant_and_idempotence_for_any_mix_of_rows(kinds: list[str]) -> None:
    rows, expected = build_rows(kinds)
    with tempfile.TemporaryDirectory() as folder:
        workbook = minimal_workbook(Path(folder))
        export = Path(folder) / "export.csv"
        export.write_text(csv_export(rows), encoding="utf-8")
        mapping = make_mapping(workbook)
        result = ingest_source(workbook, ROUND, export, mapping, salt=b"s")
        assert result.rows_read == len(rows)
        assert result.rows_read == result.accepted + result.quarantined + result.superseded
        assert result.quarantined == expected["quarantined"]
        assert result.accepted == expected["people"]
        folder_files = {p: p.read_bytes() for p in workbook.round_dir(ROUND).glob("*.csv")}
        people = pd.read_csv(workbook.round_dir(ROUND) / "respondents.csv", dtype=str, keep_default_na=False)
        assert people["respondent"].is_unique
        again = ingest_source(workbook, ROUND, export, mapping, salt=b"s")
        assert (again.accepted, again.quarantined, again.superseded) == (
            result.accepted,
            result.quarantined,
            result.superseded,
        )
        assert {p: p.read_bytes() for p in workbook.round_dir(ROUND).glob("*.csv")} == folder_files


def test_dates_iso_and_day_first() -> None:
    shown, bad = parse_dates(
        pd.Series(["2022-05-01T10:00:00", "2022-05-01 10:00:00+02:00", "03/05/2022 14:30:00", "03/05/2022", "", "x"])
    )
    assert shown.tolist() == [
        "2022-05-01T10:00:00",
        "2022-05-01T08:00:00",
        "2022-05-03T14:30:00",
        "2022-05-03T00:00:00",
        "",
        "",
    ]
    assert bad.tolist() == [False, False, False, False, False, True]


def test_vocabulary_accepts_ids_labels_and_aliases_in_three_languages() -> None:
    regions = vocabulary_index("region")
    assert regions["afrique"] == regions["africa"] == regions["africa"] == "africa"
    assert regions["america latina"] == "latin-america"
    constituencies = vocabulary_index("constituency")
    assert constituencies["partenaire"] == constituencies["donor"] == "partner"
    assert vocabulary_index("language")["espanol"] == "es"
