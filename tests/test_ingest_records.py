"""Property tests: whatever mix of good, bad and repeated rows, nothing is lost or counted twice."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftbook.ingest import ingest_source
from draftbook.ingest.core import NothingAcceptedError
from draftbook.ingest.records import date_order, parse_dates
from draftbook.model.paths import Workbook
from draftbook.model.vocabulary import vocabulary
from tests.conftest import WORKBOOK_FIXTURE
from tests.exports import HEADER, MAPPING, PEOPLE, ROUND, csv_export, make_mapping, make_round

KINDS = st.sampled_from(["good", "repeat", "off-scale", "empty", "bad-date", "unknown-region", "test"])


def build_rows(kinds: list[str]) -> tuple[list[list[str]], dict[str, int]]:
    rows: list[list[str]] = []
    emails: list[str] = []
    expected = {"quarantined": 0, "people": 0, "excluded": 0}
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
        elif kind == "test":
            row[13] = "TEST"  # excluded by the mapping, even when it would also be quarantined
            row[8] = "Bof"
        if kind in {"good", "repeat"}:
            emails.append(row[1])
        elif kind == "test":
            expected["excluded"] += 1
        else:
            expected["quarantined"] += 1
        rows.append(row)
    expected["people"] = len(set(emails))
    return rows, expected


def minimal_workbook(root: Path) -> Workbook:
    (root / "data").mkdir(parents=True)
    shutil.copy(WORKBOOK_FIXTURE / "data" / "codebook.yml", root / "data" / "codebook.yml")
    shutil.copy(WORKBOOK_FIXTURE / "data" / "vocabulary.yml", root / "data" / "vocabulary.yml")
    workbook = Workbook(root)
    make_round(workbook)
    return workbook


MAPPING_V2 = MAPPING + "exclude:\n  J'accepte: [TEST]\n"
TITLE_ROWS = st.integers(min_value=0, max_value=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(KINDS, min_size=1, max_size=25), TITLE_ROWS)
def test_invariant_and_idempotence_for_any_mix_of_rows(kinds: list[str], skipped: int) -> None:
    """Any mix of rows, under any number of rows skipped by skip_rows (not counted as read)."""
    rows, expected = build_rows(kinds)
    with tempfile.TemporaryDirectory() as folder:
        workbook = minimal_workbook(Path(folder))
        export = Path(folder) / "export.csv"
        notes = [["(question text)", "Bof", "=1+1"] + [""] * (len(HEADER) - 3)] * skipped
        export.write_text(csv_export(notes + rows), encoding="utf-8")
        mapping = make_mapping(workbook, MAPPING_V2 + f"skip_rows: {skipped}\n")
        if expected["people"] == 0:
            with pytest.raises(NothingAcceptedError):
                ingest_source(workbook, ROUND, export, mapping, salt=b"s")
            assert not list(workbook.round_dir(ROUND).glob("*.csv"))
            return
        result = ingest_source(workbook, ROUND, export, mapping, salt=b"s")
        assert result.rows_read == len(rows)
        assert result.rows_read == result.accepted + result.quarantined + result.superseded + result.excluded
        assert result.excluded == expected["excluded"]
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


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["12/13/2019 12:02:32", "1/8/2020 09:00:00"], "month-first"),  # Google Forms, US locale
        (["13/12/2019 12:02:32", "1/8/2020 09:00:00"], "day-first"),
        (["2019-12-13 12:02:32", "2020-01-08T09:00:00"], "iso"),
        (["1/8/2020 09:00:00", "2/3/2020"], None),  # cannot tell
        (["13/12/2019", "12/13/2019"], None),  # contradict each other
    ],
)
def test_auto_date_order_decides_from_all_values_or_not_at_all(values: list[str], order: str | None) -> None:
    assert date_order(pd.Series(values)) == order


def test_month_first_dates_are_never_swapped() -> None:
    shown, bad = parse_dates(
        pd.Series(["1/8/2020 9:05:00", "12/13/2019 12:02:32", "4/30/2022 4:05:10 PM"]), "month-first"
    )
    assert shown.tolist() == ["2020-01-08T09:05:00", "2019-12-13T12:02:32", "2022-04-30T16:05:10"]
    assert not bad.any()
    shown, bad = parse_dates(pd.Series(["08.01.2020", "13.12.2019 12:02"]), "day-first")
    assert shown.tolist() == ["2020-01-08T00:00:00", "2019-12-13T12:02:00"]
    shown, bad = parse_dates(pd.Series(["2020|01|08", "x"]), "%Y|%m|%d")
    assert shown.tolist() == ["2020-01-08T00:00:00", ""] and bad.tolist() == [False, True]


def test_vocabulary_accepts_ids_labels_and_aliases_in_three_languages() -> None:
    vocabulary_index = vocabulary(Workbook(WORKBOOK_FIXTURE)).index
    regions = vocabulary_index("region")
    assert regions["afrique"] == regions["africa"] == regions["africa"] == "africa"
    assert regions["america latina"] == "latin-america"
    constituencies = vocabulary_index("constituency")
    assert constituencies["partenaire"] == constituencies["donor"] == "partner"
    assert vocabulary_index("language")["espanol"] == "es"
