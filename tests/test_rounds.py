import datetime as dt
import shutil

import pytest

from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import list_round_ids, load_round, load_rounds, read_table
from tests.conftest import write

ROUND = "2022-02-gtf-debate"


def test_sample_rounds_load_oldest_first(workbook: Workbook) -> None:
    rounds = load_rounds(workbook)
    assert [r.id for r in rounds] == ["2022-02-gtf-debate", "2022-04-regional-sessions", "2022-05-written-feedback"]
    first = rounds[0]
    assert first.kind == "session"
    assert first.start == dt.date(2022, 2, 24)
    assert first.languages == ("fr", "en", "es")
    assert first.has_tables


def test_an_empty_round_is_valid(workbook: Workbook) -> None:
    folder = workbook.round_dir("2023-01-empty")
    folder.mkdir()
    shutil.copy(workbook.round_dir(ROUND) / "calls.yml", folder / "calls.yml")
    write(folder / "round.yml", "title: Vide\nkind: survey\nstart: 2023-01-01\nend: 2023-01-31\nlanguages: [fr]\n")
    round_ = load_round(workbook, "2023-01-empty")
    assert not round_.has_tables
    assert read_table(round_, "ratings").empty
    assert next(iter(read_table(round_, "respondents").columns)) == "respondent"


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("kind: session", "kind: webinar", "kind", "unknown kind"),
        ("start: 2022-02-24", "start: 24/02/2022", "start", "not a date"),
        ("end: 2022-02-24", "end: 2022-02-01", "end", "ends"),
        ("languages: [fr, en, es]", "languages: [fr, de]", "languages", "unknown language de"),
        ("invited: 60", "invited: many", "invited", "positive whole number"),
        ("sources: [live-poll]", "sources: live-poll", "sources", "list of names"),
        ("title:", "titel:", "titel", 'did you mean "title"'),
    ],
)
def test_malformed_round_yml(workbook: Workbook, old: str, new: str, key: str, message: str) -> None:
    path = workbook.round_dir(ROUND) / "round.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as caught:
        load_round(workbook, ROUND)
    assert caught.value.key == key
    assert caught.value.file == str(path)


def test_snapshot_naming_a_call_twice_is_an_error(workbook: Workbook) -> None:
    path = workbook.round_dir(ROUND) / "calls.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: CTA-02", "id: CTA-01"), encoding="utf-8")
    with pytest.raises(DataFileError, match="CTA-01 is listed twice"):
        load_round(workbook, ROUND)


def test_unknown_round_lists_the_known_ones(workbook: Workbook) -> None:
    with pytest.raises(DataFileError, match='no round "2099"') as caught:
        load_round(workbook, "2099")
    assert ROUND in str(caught.value.hint)
    assert ROUND in list_round_ids(workbook)


def test_table_missing_a_column(workbook: Workbook) -> None:
    write(workbook.round_dir(ROUND) / "ratings.csv", "respondent,call\nR-1,CTA-01\n")
    with pytest.raises(DataFileError, match="lacks the column"):
        read_table(load_round(workbook, ROUND), "ratings")


def test_tables_have_typed_scores_and_consent(workbook: Workbook) -> None:
    round_ = load_round(workbook, ROUND)
    ratings = read_table(round_, "ratings")
    assert str(ratings["score"].dtype) == "Int64"
    assert set(ratings["score"].dropna().unique()) <= {1, 2, 3, 4, 5}
    assert ratings["score"].isna().any()  # no-opinion answers are kept as empty scores
    assert read_table(round_, "comments")["publishable"].dtype == bool
