"""draftbook ingest end to end, on small exports written byte by byte."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from draftbook.ingest import ingest_source
from draftbook.ingest.core import NothingAcceptedError
from draftbook.ingest.readers import ExportError
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, read_table
from tests.exports import HEADER, MAPPING, PEOPLE, ROUND, csv_export, make_mapping, make_round, rows_to_csv, xlsx_export

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
    """Every file under ``folder`` but the ingest's lock bookkeeping (data/private/locks/)."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and p.parent.name != "locks")
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


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
    original = Path.open

    class Full(io.BufferedWriter):
        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

    def failing(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode != "wb":
            return original(self, mode, *args, **kwargs)
        calls["n"] += 1  # the third file written runs out of space
        return Full(io.FileIO(self, "w")) if calls["n"] == 3 else original(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", failing)
    with pytest.raises(DataFileError, match="No space left on device") as caught:
        run(workbook, csv_export(PEOPLE[:1]).encode())
    monkeypatch.undo()
    assert "nothing was changed" in (caught.value.hint or "")
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


# --- real exports (mapping version 2): each defect found with real tools, reproduced ---

US_DATES = ["12/13/2019 12:02:32", "1/8/2020 09:15:00", "1/9/2020 10:00:00"]


def with_dates(dates: list[str]) -> list[list[str]]:
    return [changed(person, {0: date}) for person, date in zip(PEOPLE, dates, strict=True)]


def test_us_dates_are_read_month_first_never_swapped(workbook: Workbook, round_folder: Path) -> None:
    result = run(workbook, csv_export(with_dates(US_DATES)).encode())
    assert result.accepted == 3 and result.quarantined == 0
    dates = sorted(tables(workbook)["respondents"]["submitted_at"])
    assert dates == ["2019-12-13T12:02:32", "2020-01-08T09:15:00", "2020-01-09T10:00:00"]
    assert any("far outside the round" in warning for warning in result.warnings)  # the round is January 2030


def test_dates_that_cannot_tell_their_order_stop_the_ingest(workbook: Workbook, round_folder: Path) -> None:
    before = snapshot(round_folder)
    data = csv_export(with_dates(["1/8/2020 09:15:00", "2/3/2020 10:00:00", "3/4/2020 11:00:00"])).encode()
    with pytest.raises(DataFileError, match="day or the month") as caught:
        run(workbook, data)
    assert caught.value.key == "dates" and "dates: month-first" in (caught.value.hint or "")
    assert snapshot(round_folder) == before | {"sources/form/mapping.yml": MAPPING.encode()}
    assert not (round_folder / "respondents.csv").exists()
    result = run(workbook, data, mapping=MAPPING + "dates: month-first\n")
    assert sorted(tables(workbook)["respondents"]["submitted_at"])[0] == "2020-01-08T09:15:00"
    assert result.accepted == 3


def test_dates_that_contradict_each_other_stop_the_ingest(workbook: Workbook, round_folder: Path) -> None:
    data = csv_export(with_dates(["13/12/2019 09:15:00", "12/13/2019 10:00:00", "2030-01-02"])).encode()
    with pytest.raises(DataFileError, match="some dates put the day first and others the month first"):
        run(workbook, data)


def test_a_stray_byte_quarantines_its_row_and_the_rest_stays_utf8(workbook: Workbook, round_folder: Path) -> None:
    rows = [changed(PEOPLE[2], {10: "Más financiación directa"}), changed(PEOPLE[0], {11: "REPLACE"})]
    data = csv_export(rows).encode("utf-8").replace(b"REPLACE", b"co\xfbt \xe9lev\xe9")  # cp1252 bytes
    result = run(workbook, data)
    assert (result.accepted, result.quarantined, result.reasons) == (1, 1, {"encoding": 1})
    comments = tables(workbook)["comments"]
    assert comments["text"].tolist() == ["Más financiación directa"]
    quarantine = (workbook.private_dir / "rounds" / ROUND / "form" / "quarantine.csv").read_text(encoding="utf-8")
    assert "co\\xfbt \\xe9lev\\xe9" in quarantine  # the row's own bytes, shown, not mojibake
    assert "Ã" not in (round_folder / "comments.csv").read_text(encoding="utf-8")


def test_a_file_with_no_utf8_at_all_is_windows_1252(workbook: Workbook, round_folder: Path) -> None:
    result = run(workbook, csv_export().encode("cp1252"))
    assert result.accepted == 3 and "cœur" in tables(workbook)["comments"]["text"].str.cat()


def test_an_unparseable_line_after_a_multi_line_field_is_quarantined_with_its_own_text(
    workbook: Workbook, round_folder: Path
) -> None:
    rows = [changed(PEOPLE[0], {10: "Premier paragraphe.\nSecond paragraphe, avec virgule."})]
    bad = [*changed(PEOPLE[1], {1: "bad@x.example"}), "surplus"]
    rows += [bad, list(PEOPLE[2])]
    result = run(workbook, csv_export(rows).encode())
    assert (result.rows_read, result.accepted, result.quarantined) == (3, 2, 1)
    quarantine = pd.read_csv(workbook.private_dir / "rounds" / ROUND / "form" / "quarantine.csv", dtype=str)
    assert quarantine["row"].tolist() == ["3"]  # the second answer: spreadsheet row 3
    assert quarantine["raw_line"].item().startswith("24/02/2022 16:07:10,bad@x.example,Bo Ranite")
    assert quarantine["raw_line"].item().endswith(",surplus")
    regions = set(tables(workbook)["respondents"]["region"])
    assert regions == {"africa", "latin-america"}  # the row after the bad line keeps its own values


QUALTRICS_ROWS = [
    changed(HEADER, {0: "Recorded"}),  # question texts
    ['{"ImportId":"recordedDate"}'] + ['{"ImportId":"QID3_4_TEXT"}'] * (len(HEADER) - 1),
]


def test_skip_rows_and_exclude(workbook: Workbook, round_folder: Path) -> None:
    preview = changed(PEOPLE[0], {1: "preview@x.example", 13: "Survey Preview"})
    rows = [*QUALTRICS_ROWS, *PEOPLE, preview]
    mapping = MAPPING + "skip_rows: 2\nexclude:\n  J'accepte: [Survey Preview, Survey Test]\n"
    result = run(workbook, csv_export(rows).encode(), mapping=mapping)
    assert (result.rows_read, result.accepted, result.excluded, result.quarantined) == (4, 3, 1, 0)
    assert "ImportId" not in (round_folder / "comments.csv").read_text()
    report = json.loads((round_folder / "ingest-report.json").read_text())["form"]
    assert report["excluded"] == 1
    assert report["rows_read"] == report["accepted"] + report["quarantined"] + report["superseded"] + 1
    excluded = (workbook.private_dir / "rounds" / ROUND / "form" / "excluded.csv").read_text()
    assert "preview@x.example" in excluded


def test_the_qualtrics_preset(workbook: Workbook, round_folder: Path) -> None:
    header = ["Status", "RecordedDate", "ResponseId", *HEADER[3:]]
    people = [["IP Address", "2030-01-02 10:00:00", f"R_{i}", *p[3:]] for i, p in enumerate(PEOPLE)]
    tests = [["Survey Test", "2030-01-02 11:00:00", "R_t", *PEOPLE[0][3:]], ["8", "2030-01-02", "R_s", *PEOPLE[0][3:]]]
    texts = [changed(header, {}), ['{"ImportId":"status"}'] * len(header)]
    mapping = "tool: qualtrics\n" + MAPPING.split("respondent:\n")[0] + "respondent:\n  region: Région\n"
    mapping += 'ratings:\n  column: "Soutien à l\'appel [{call}]"\n'
    result = run(workbook, rows_to_csv([header, *texts, *people, *tests]).encode("utf-8-sig"), mapping=mapping)
    assert (result.rows_read, result.accepted, result.excluded) == (5, 3, 2)
    assert sorted(tables(workbook)["respondents"]["submitted_at"])[0] == "2030-01-02T10:00:00"
    explicit = mapping + "exclude:\n  Status: [IP Address]\n"  # an explicit key wins over the preset's
    result = run(workbook, rows_to_csv([header, *texts, *people, *tests]).encode(), mapping=explicit)
    assert (result.accepted, result.excluded) == (2, 3)


def test_the_surveymonkey_preset_names_columns_from_its_two_header_rows(workbook: Workbook, round_folder: Path) -> None:
    first = ["Respondent ID", "End Date", "Region", "How much do you support each call?", "", "", "Comments"]
    second = ["", "", "Response", "CTA-01", "CTA-02", "CTA-03", "Open-Ended Response"]
    rows = [
        ["114", "01/13/2030 10:02:33 AM", "Africa", "Agree", "Strongly agree", "Disagree", "Bien."],
        ["115", "01/14/2030 04:10:00 PM", "Europe", "Neutral", "", "Agree", ""],
    ]
    mapping = (
        "tool: surveymonkey\nlanguage: en\nrespondent:\n  id: Respondent ID\n  submitted_at: End Date\n"
        "  region: Region\nratings:\n  column: How much do you support each call? - {call}\n"
        "comments:\n  general: Comments\n"
    )
    result = run(workbook, rows_to_csv([first, second, *rows]).encode(), mapping=mapping)
    assert (result.rows_read, result.accepted) == (2, 2)
    assert sorted(tables(workbook)["respondents"]["submitted_at"]) == ["2030-01-13T10:02:33", "2030-01-14T16:10:00"]
    assert tables(workbook)["ratings"]["score"].dropna().astype(int).tolist() == [4, 5, 2, 3, 4]


def test_numbers_are_one_label_however_written(workbook: Workbook, round_folder: Path) -> None:
    rows = [changed(PEOPLE[i], {7: label, 8: "", 9: ""}) for i, label in enumerate(["4", "4.0", " 4,0 "])]
    scale = "ratings:\n  scale: {'1': 1, '2': 1, '3': 2, '4': 3, '5': 4, '6': 5, Sans avis: null}\n"
    mapping = MAPPING.replace("ratings:\n  scale: agreement-5\n", scale)
    result = run(
        workbook,
        csv_export([*rows, changed(PEOPLE[0], {1: "z@x.example", 7: "6.0", 8: "", 9: ""})]).encode(),
        mapping=mapping,
    )
    assert result.quarantined == 0
    scores = tables(workbook)["ratings"].query("call == 'CTA-01'")["score"].astype(int).tolist()
    assert sorted(scores) == [3, 3, 3, 5]


def test_the_tool_labels_map_through_values(workbook: Workbook, round_folder: Path) -> None:
    rows = [changed(PEOPLE[0], {5: "Northeast", 4: "Section régionale"}), *PEOPLE[1:]]
    first = run(workbook, csv_export([*rows, changed(PEOPLE[1], {1: "n2@x.example", 5: "Northeast"})]).encode())
    assert first.reasons == {"unknown-label": 2}
    assert 'unknown region "Northeast" (2 rows): add it under values: region: in the mapping' in first.summary()
    mapping = (
        MAPPING
        + "values:\n  region: {Northeast: north-america}\n  constituency: {Section régionale: network-section}\n"
    )
    fixed = run(workbook, csv_export(rows).encode(), mapping=mapping)
    assert fixed.accepted == 3 and fixed.changed_since_last is True and "mapping" in fixed.what_changed
    people = tables(workbook)["respondents"]
    assert "north-america" in set(people["region"]) and "network-section" in set(people["constituency"])
    with pytest.raises(DataFileError, match="which is no region of the vocabulary"):
        run(workbook, csv_export(rows).encode(), mapping=MAPPING + "values:\n  region: {Northeast: nowhere}\n")


def test_a_corrected_mapping_on_the_same_export_is_not_called_unchanged(workbook: Workbook, round_folder: Path) -> None:
    data = csv_export().encode()
    run(workbook, data)
    again = run(workbook, data, mapping=MAPPING.replace("  language: Langue\n", ""))
    assert again.changed_since_last is True and again.what_changed == "mapping"
    assert "same export" not in again.summary()


def test_a_run_that_accepts_no_row_exits_1_and_changes_nothing(workbook: Workbook, round_folder: Path) -> None:
    run(workbook, csv_export().encode())
    before = snapshot(round_folder), snapshot(workbook.private_dir)
    bad = [changed(p, {5: "Atlantide"}) for p in PEOPLE]
    with pytest.raises(NothingAcceptedError, match='unknown region "Atlantide" \\(3 rows\\)'):
        run(workbook, csv_export(bad).encode())
    assert (snapshot(round_folder), snapshot(workbook.private_dir)) == before


def test_names_of_other_respondents_never_reach_the_tables(workbook: Workbook, round_folder: Path) -> None:
    rows = [
        changed(PEOPLE[0], {11: "Merci à Bo Ranite et à CIRA MENDO pour leurs exemples."}),
        changed(PEOPLE[1], {12: "As Ama Kolo said, and as Dede Zanu (from the other session) wrote."}),
        list(PEOPLE[2]),
    ]
    excluded = changed(PEOPLE[0], {1: "t@x.example", 2: "Dede Zanu", 13: "TEST"})  # a name only in an excluded row
    run(workbook, csv_export([*rows, excluded]).encode(), mapping=MAPPING + "exclude:\n  J'accepte: [TEST]\n")
    texts = " ".join(tables(workbook)["comments"]["text"])
    for name in ("Bo Ranite", "Cira Mendo", "Ama Kolo", "Dede Zanu"):
        assert name.casefold() not in texts.casefold(), name
    assert texts.count("[name removed]") == 4
    # A later source names someone of the first one: found in the first source's comments too.
    later = [changed(PEOPLE[0], {0: "2030-01-03", 1: "new@x.example", 2: "Ro Bosa", 11: "Rien."})]
    first = [changed(PEOPLE[2], {11: "Ro Bosa a raison."})]
    run(workbook, csv_export(first).encode(), source="a")
    run(workbook, csv_export(later).encode(), source="b")
    assert "Bosa" not in " ".join(tables(workbook)["comments"]["text"])
    names = workbook.private_dir / "rounds" / ROUND / "b" / "names.txt"
    assert names.read_text(encoding="utf-8") == "Ro Bosa\n" and oct(names.stat().st_mode)[-3:] == "600"


def test_an_excluded_row_with_undecodable_bytes_is_kept_privately_as_escapes(
    workbook: Workbook, round_folder: Path
) -> None:
    """A test row typed on a machine with another encoding: excluded, and its bytes kept readable."""
    preview = changed(PEOPLE[0], {1: "preview@x.example", 2: "Test@@NAME@@", 13: "TEST"})
    data = csv_export([*PEOPLE, preview]).encode().replace(b"@@NAME@@", b"Ren\xe9e")  # Windows-1252 \xe9
    result = run(workbook, data, mapping=MAPPING + "exclude:\n  J'accepte: [TEST]\n")
    assert (result.accepted, result.excluded, result.quarantined) == (3, 1, 0)
    excluded = (workbook.private_dir / "rounds" / ROUND / "form" / "excluded.csv").read_text(encoding="utf-8")
    assert "TestRen\\xe9e" in excluded
