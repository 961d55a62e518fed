from pathlib import Path

import pandas as pd
import pytest

from draftbook.ingest.store import InvariantError, RoundTables, check_invariant, merge_source, write_atomically


def tables(rows: list[tuple[str, str, str]]) -> RoundTables:
    people = pd.DataFrame(
        [(r, "local-government", "africa", "fr", source, at) for r, source, at in rows],
        columns=["respondent", "constituency", "region", "language", "source", "submitted_at"],
    )
    ratings = pd.DataFrame(
        [(r, "CTA-01", 4, "Agree") for r, _, _ in rows], columns=["respondent", "call", "score", "label"]
    )
    comments = pd.DataFrame(columns=["respondent", "call", "kind", "language", "text", "publishable"])
    return RoundTables(people, ratings, comments)


def test_merge_replaces_the_source_and_keeps_the_latest_of_a_person() -> None:
    existing = tables([("R-a", "poll", "2022-01-01T10:00:00"), ("R-b", "form", "2022-01-01T09:00:00")])
    incoming = tables([("R-a", "form", "2022-01-02T10:00:00"), ("R-c", "form", "")])
    merge = merge_source(existing, incoming, "form")
    assert sorted(merge.tables.respondents["respondent"]) == ["R-a", "R-c"]  # R-b was form's, now replaced
    assert merge.superseded_old == {"poll": 1}
    assert merge.superseded_new == set()
    assert len(merge.tables.ratings) == 2


def test_an_undated_answer_loses_to_a_dated_one() -> None:
    merge = merge_source(tables([("R-a", "poll", "2022-01-01T10:00:00")]), tables([("R-a", "form", "")]), "form")
    assert merge.superseded_new == {"R-a"}
    assert merge.tables.respondents["source"].tolist() == ["poll"]


def test_invariant_violation_stops_everything(tmp_path: Path) -> None:
    with pytest.raises(InvariantError, match="5 rows read but 4 accounted for"):
        check_invariant({"rows_read": 5, "accepted": 2, "quarantined": 1, "superseded": 1}, "form", tmp_path / "e.csv")


def test_write_atomically_writes_all_or_nothing(tmp_path: Path) -> None:
    write_atomically({tmp_path / "a.csv": b"a", tmp_path / "sub" / "b.csv": b"b"})
    assert (tmp_path / "a.csv").read_bytes() == b"a" and (tmp_path / "sub" / "b.csv").read_bytes() == b"b"
    with pytest.raises(OSError):  # the second file cannot be written: its folder is a file
        write_atomically({tmp_path / "a.csv": b"new", tmp_path / "a.csv" / "c.csv": b"x"})
    assert (tmp_path / "a.csv").read_bytes() == b"a"
    assert not list(tmp_path.glob(".*.tmp"))


def test_csv_bytes_match_pandas() -> None:
    from draftbook.ingest.store import csv_bytes

    frame = pd.DataFrame(
        {
            "text": ["a,b", 'say "hi"', "two\nlines", "", "=1+1"],
            "score": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "publishable": [True, False, True, False, True],
        }
    )
    assert csv_bytes(frame) == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def test_a_table_written_by_a_function_goes_straight_to_its_file_and_a_failure_leaves_nothing(
    tmp_path: Path,
) -> None:
    from draftbook.ingest.store import csv_bytes, write_csv

    frame = pd.DataFrame({"respondent": ["R-1", "R-2"], "score": pd.array([4, None], dtype="Int64")})
    private = tmp_path / "private"
    write_atomically(
        {
            tmp_path / "t.csv": lambda file: write_csv(frame, file),
            private / "p.csv": lambda file: write_csv(frame, file),
        },
        private_root=private,
    )
    assert (tmp_path / "t.csv").read_bytes() == csv_bytes(frame) == b"respondent,score\nR-1,4\nR-2,\n"
    assert (private / "p.csv").stat().st_mode & 0o777 == 0o600

    def broken(file: object) -> None:
        raise RuntimeError("disk gone")

    (tmp_path / "t.csv").write_bytes(b"old")
    with pytest.raises(RuntimeError):
        write_atomically({tmp_path / "t.csv": lambda file: write_csv(frame, file), tmp_path / "u.csv": broken})
    assert (tmp_path / "t.csv").read_bytes() == b"old"
    assert not list(tmp_path.glob(".*.tmp")) and not (tmp_path / "u.csv").exists()
