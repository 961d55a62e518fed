"""draftbook ingest on the exports of real tools (mapping version 2).

One folder per tool under tests/fixtures/exports/: an export written in the tool's own layout
(header rows, date format, value encoding, delimiter, BOM, quoting), the mapping an analyst would
write for it, and EXPECTED.md, which says what happens to each row and why. The XLSX fixtures are
written by tests/fixtures/exports/make_xlsx.py and committed.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from draftbook.ingest import IngestResult, ingest_source
from draftbook.ingest.redaction import REDACTED
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, read_table
from tests.conftest import FIXTURES, write
from tests.exports import CALLS, ROUND

EXPORTS = FIXTURES / "exports"
SALT = b"test-salt"
TABLES = ("respondents", "ratings", "comments")
COUNTS = ("rows_read", "accepted", "quarantined", "superseded", "excluded")
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")

Scores = dict[str, int | None]


@dataclass(frozen=True)
class Case:
    """One export of a tool, and what its ingest must give."""

    folder: str  # under tests/fixtures/exports/
    export: str
    mapping: str
    start: str  # the round's start and end, around the export's dates
    end: str
    counts: tuple[int, int, int, int, int]  # rows_read, accepted, quarantined, superseded, excluded
    submitted: tuple[str, ...]  # submitted_at of the accepted rows, sorted
    scores: dict[str, Scores]  # submitted_at of an accepted row -> its score for each call
    names: tuple[str, ...]  # people's names in the export: none may reach the round's folder
    quote: str  # one comment, exactly as the comments table must hold it

    @property
    def source(self) -> str:
        return self.export.rsplit(".", 1)[0]

    def __str__(self) -> str:
        return self.export


US = Case(
    "google-forms-us",
    "google-forms-us.csv",
    "mapping.yml",
    "2019-11-25",
    "2019-12-20",
    (10, 7, 2, 1, 0),
    (
        "2019-12-03T09:15:04",
        "2019-12-05T14:22:50",
        "2019-12-09T10:01:37",
        "2019-12-10T13:48:05",
        "2019-12-13T12:02:32",  # 12/13/2019: month first
        "2019-12-18T11:11:45",
        "2019-12-19T15:05:58",
    ),
    {
        "2019-12-13T12:02:32": {"CTA-01": 5, "CTA-02": 5, "CTA-03": 4},
        "2019-12-19T15:05:58": {"CTA-01": 1, "CTA-02": 3, "CTA-03": 4},
    },
    (
        "Dana Whitfield",
        "Kofi Asante",
        "Priya Raman",
        "Ellen Novak",
        "Marcus Bell",
        "Jide Okafor",
        "Rami Haddad",
        "Lena Fischer",
        "Ana Morales",
    ),
    "Counties, not only cities: say local and regional governments every time.",
)
AMBIGUOUS = Case(
    "google-forms-us-ambiguous",
    "google-forms-us-ambiguous.csv",
    "mapping.yml",
    "2019-11-01",
    "2019-12-20",
    (6, 6, 0, 0, 0),
    (
        "2019-11-04T10:22:05",  # 11/4/2019: 4 November, not 11 April
        "2019-11-08T15:40:51",
        "2019-11-12T09:03:17",
        "2019-12-02T14:11:38",
        "2019-12-06T11:58:02",
        "2019-12-10T16:25:44",
    ),
    {
        "2019-11-04T10:22:05": {"CTA-01": 5, "CTA-02": 4, "CTA-03": 4},
        "2019-12-06T11:58:02": {"CTA-01": 4, "CTA-02": 2, "CTA-03": 5},
    },
    ("Nkechi Adeyemi", "Tom Ashby", "Maria Santos", "David Mbeki", "Sophie Laurent", "Hiro Tanaka"),
    "Provinces need to be eligible for the same windows as cities.",
)
EU_SUBMITTED = (
    "2019-12-02T10:15:22",  # 02/12/2019: 2 December, read day first like the days above 12
    "2019-12-04T16:03:40",
    "2019-12-05T09:27:13",
    "2019-12-09T14:50:08",
    "2019-12-11T11:32:57",
    "2019-12-13T12:02:32",  # 13/12/2019
    "2019-12-16T17:05:19",
    "2019-12-18T08:44:36",
)
EU_SCORES: dict[str, Scores] = {
    "2019-12-13T12:02:32": {"CTA-01": 2, "CTA-02": 5, "CTA-03": 4},
    "2019-12-02T10:15:22": {"CTA-01": 5, "CTA-02": 4, "CTA-03": None},  # "Sans avis"
}
EU_NAMES = ("Claire Dubois", "Hugo Lefebvre", "Aïssatou Ndiaye", "Amadou Sow", "Marie-Ève Tremblay", "Karim Haddad",
            "Louise Girard", "Olivier Mbarga")  # fmt: skip
EU_QUOTE = "Un fonds dédié, même modeste (1 € par habitant), changerait la donne pour la coopération décentralisée."
EU_CSV = Case(
    "google-forms-eu", "google-forms-eu.csv", "mapping.yml", "2019-12-01", "2019-12-20", (8, 8, 0, 0, 0),
    EU_SUBMITTED, EU_SCORES, EU_NAMES, EU_QUOTE,
)  # fmt: skip
EU_XLSX = Case(
    "google-forms-eu", "google-forms-eu.xlsx", "mapping.yml", "2019-12-01", "2019-12-20", (8, 8, 0, 0, 0),
    EU_SUBMITTED, EU_SCORES, EU_NAMES, EU_QUOTE,
)  # fmt: skip
SURVEYMONKEY = Case(
    "surveymonkey",
    "surveymonkey.csv",
    "mapping.yml",
    "2022-04-04",
    "2022-04-29",
    (8, 7, 1, 0, 0),
    (
        "2022-04-05T09:31:47",
        "2022-04-06T14:19:02",  # 02:19:02 PM
        "2022-04-08T11:58:26",
        "2022-04-11T16:33:08",
        "2022-04-19T15:22:41",  # 04/19/2022 03:22:41 PM
        "2022-04-21T11:01:50",
        "2022-04-26T18:07:29",
    ),
    {
        "2022-04-19T15:22:41": {"CTA-01": 5, "CTA-02": 5, "CTA-03": 4},
        "2022-04-06T14:19:02": {"CTA-01": 4, "CTA-02": 5, "CTA-03": None},  # "Don't know"
    },
    ("Grace", "Otieno", "Takeshi", "Nakamura", "Samira", "Al-Rashid", "Marta", "Kowalczyk"),
    "Sin acceso directo a la financiación, la cooperación descentralizada depende de la buena voluntad del ministerio.",
)
QUALTRICS = Case(
    "qualtrics",
    "qualtrics.csv",
    "mapping.yml",
    "2022-04-19",
    "2022-05-06",
    (10, 6, 0, 0, 4),
    (
        "2022-04-20T09:14:41",
        "2022-04-21T14:10:06",
        "2022-04-25T10:05:49",
        "2022-04-27T08:55:31",
        "2022-04-28T17:40:13",
        "2022-05-02T12:00:01",
    ),
    {
        "2022-04-28T17:40:13": {"CTA-01": 3, "CTA-02": 5, "CTA-03": 4},
        "2022-05-02T12:00:01": {"CTA-01": 4, "CTA-02": 2, "CTA-03": 4},
    },
    ("Mwangi", "Joseph", "Diop", "Aminata", "Te Rangi", "Aroha"),
    "Sans accès direct au financement, nos municipalités dépendent entièrement des bailleurs.",
)
KOBO = Case(
    "kobo",
    "kobo.csv",
    "mapping.yml",
    "2022-04-29",
    "2022-05-01",
    (9, 9, 0, 0, 0),
    (
        "2022-04-29T17:22:10",
        "2022-04-30T10:12:33",
        "2022-04-30T10:41:09",
        "2022-04-30T11:20:45",
        "2022-04-30T12:03:18",
        "2022-04-30T14:35:52",
        "2022-04-30T15:10:04",
        "2022-04-30T15:48:27",
        "2022-05-01T09:30:00",
    ),
    {
        "2022-04-29T17:22:10": {"CTA-01": 5, "CTA-02": 4, "CTA-03": 4},  # 5.0, 4.0, 4.0: numbers fold
        "2022-04-30T12:03:18": {"CTA-01": 4, "CTA-02": 4, "CTA-03": None},  # dont_know: null
    },
    ("Moussa Diallo", "Moussa", "Diallo"),  # the interviewer
    "Le climat sans les collectivités, c'est un plan sans maître d'œuvre.",
)
LS_SUBMITTED = (
    "2022-05-10T09:12:44",
    "2022-05-11T14:30:09",
    "2022-05-13T10:05:37",
    "2022-05-13T18:47:02",
    "2022-05-16T11:52:40",
    "2022-05-17T15:26:03",
    "2022-05-19T09:03:58",
)
LS_SCORES: dict[str, Scores] = {
    "2022-05-13T18:47:02": {"CTA-01": 4, "CTA-02": 2, "CTA-03": 5},
    "2022-05-19T09:03:58": {"CTA-01": None, "CTA-02": 4, "CTA-03": 5},  # A6, "Sans avis"
}
LS_QUOTE = "Un accès direct, oui, mais les régions n'ont pas toutes les capacités de gestion requises."
LS_CODES = Case(
    "limesurvey", "limesurvey-codes.csv", "mapping-codes.yml", "2022-05-09", "2022-05-20", (9, 7, 0, 0, 2),
    LS_SUBMITTED, LS_SCORES, (), LS_QUOTE,
)  # fmt: skip
LS_FULL = Case(
    "limesurvey", "limesurvey-full.csv", "mapping-full.yml", "2022-05-09", "2022-05-20", (9, 7, 0, 0, 2),
    LS_SUBMITTED, LS_SCORES, (), LS_QUOTE,
)  # fmt: skip
MICROSOFT = Case(
    "microsoft-forms",
    "microsoft-forms.xlsx",
    "mapping.yml",
    "2022-05-02",
    "2022-05-13",
    (8, 8, 0, 0, 0),
    (
        "2022-05-02T10:09:45",
        "2022-05-03T16:34:52",
        "2022-05-04T09:18:02",
        "2022-05-06T18:51:27",
        "2022-05-09T11:22:16",
        "2022-05-10T15:03:27",
        "2022-05-11T08:44:50",
        "2022-05-12T20:09:38",
    ),
    {
        "2022-05-11T08:44:50": {"CTA-01": 2, "CTA-02": 4, "CTA-03": 5},
        "2022-05-04T09:18:02": {"CTA-01": 4, "CTA-02": 5, "CTA-03": 3},
    },
    ("Lucía Fernández", "Mateo Rojas", "Camila Oliveira", "Rosa Quispe", "Javier Ortega"),
    "¿Financiación climática para quién? Los municipios pequeños nunca llegan a esos fondos.",
)
CASES = [US, AMBIGUOUS, EU_CSV, EU_XLSX, SURVEYMONKEY, QUALTRICS, KOBO, LS_CODES, LS_FULL, MICROSOFT]


def make_round(workbook: Workbook, case: Case) -> Path:
    """The test round (calls CTA-01 to CTA-03), dated around the case's export."""
    folder = workbook.round_dir(ROUND)
    write(folder / "calls.yml", CALLS)
    write(
        folder / "round.yml",
        f"title: Test\nkind: survey\nstart: {case.start}\nend: {case.end}\nlanguages: [fr, en, es]\n",
    )
    return folder


def incoming(workbook: Workbook, case: Case) -> Path:
    """A copy of the case's export, where an analyst would have downloaded it."""
    path = workbook.root / "incoming" / case.export
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXPORTS / case.folder / case.export, path)
    return path


def mapping_text(case: Case) -> str:
    return (EXPORTS / case.folder / case.mapping).read_text(encoding="utf-8")


def ingest(workbook: Workbook, case: Case, mapping: str | None = None) -> IngestResult:
    """Ingest the case's export with its mapping (or ``mapping``), kept as the round's source."""
    make_round(workbook, case)
    text = mapping_text(case) if mapping is None else mapping
    kept = write(workbook.round_dir(ROUND) / "sources" / case.source / "mapping.yml", text)
    return ingest_source(workbook, ROUND, incoming(workbook, case), kept, salt=SALT)


def tables(workbook: Workbook) -> dict[str, pd.DataFrame]:
    round_ = load_round(workbook, ROUND)
    return {name: read_table(round_, name) for name in TABLES}


def scores_of(t: dict[str, pd.DataFrame], submitted_at: str) -> Scores:
    """The scores of the one accepted row submitted at ``submitted_at``, by call."""
    people = t["respondents"]
    who = people.loc[people["submitted_at"] == submitted_at, "respondent"]
    assert len(who) == 1, f"one accepted row submitted at {submitted_at}, found {len(who)}"
    rows = t["ratings"][t["ratings"]["respondent"] == who.item()]
    return {
        call: None if pd.isna(score) else int(score) for call, score in zip(rows["call"], rows["score"], strict=True)
    }


def profile(t: dict[str, pd.DataFrame]) -> dict[str, dict[str, int]]:
    """Respondents per constituency, region and language, and comments per kind and consent."""
    people = t["respondents"]
    counts = {
        dimension: people[dimension].value_counts().to_dict() for dimension in ("constituency", "region", "language")
    }
    comments = t["comments"]
    counts["comments"] = comments["kind"].value_counts().to_dict()
    counts["publishable"] = {"yes": int(comments["publishable"].sum()), "no": int((~comments["publishable"]).sum())}
    return counts


def export_text(case: Case) -> str:
    """Every cell of the export as text (the whole file for a CSV)."""
    path = EXPORTS / case.folder / case.export
    if path.suffix != ".xlsx":
        return path.read_text(encoding="utf-8-sig")
    book = load_workbook(path)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    return "\n".join(cells)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def report_of(workbook: Workbook) -> dict[str, dict[str, object]]:
    return json.loads((workbook.round_dir(ROUND) / "ingest-report.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- every tool


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_row_is_accepted_quarantined_superseded_or_excluded(workbook: Workbook, case: Case) -> None:
    result = ingest(workbook, case)
    assert tuple(getattr(result, name) for name in COUNTS) == case.counts
    assert result.rows_read == result.accepted + result.quarantined + result.superseded + result.excluded
    report = report_of(workbook)[case.source]
    assert tuple(report[name] for name in COUNTS) == case.counts
    people = tables(workbook)["respondents"]
    assert len(people) == people["respondent"].nunique() == result.accepted
    assert set(people["source"]) == {case.source}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_dates_are_read_in_the_order_the_tool_writes_them(workbook: Workbook, case: Case) -> None:
    ingest(workbook, case)
    submitted = sorted(tables(workbook)["respondents"]["submitted_at"])
    assert all(STAMP.fullmatch(value) for value in submitted), submitted
    # Exact values: a day above 12 lands on its own month, and the days up to 12 of the same
    # export are read in the same order (02/12/2019 in a French export is 2 December).
    assert submitted == list(case.submitted)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_scores_of_chosen_rows(workbook: Workbook, case: Case) -> None:
    ingest(workbook, case)
    t = tables(workbook)
    for submitted_at, expected in case.scores.items():
        assert scores_of(t, submitted_at) == expected, submitted_at


@pytest.mark.parametrize("case", CASES, ids=str)
def test_no_personal_data_reaches_the_round_folder(workbook: Workbook, case: Case) -> None:
    ingest(workbook, case)
    text = export_text(case)
    secrets = set(EMAIL.findall(text)) | set(IPV4.findall(text)) | set(case.names)
    assert secrets, "the fixture holds personal data to look for"
    written = [p for p in workbook.round_dir(ROUND).rglob("*") if p.is_file()]
    assert workbook.round_dir(ROUND) / "comments.csv" in written
    for path in written:
        content = path.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            assert secret not in content, (secret, path.name)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_text_arrives_as_the_respondent_wrote_it(workbook: Workbook, case: Case) -> None:
    ingest(workbook, case)
    round_ = load_round(workbook, ROUND)
    for name in TABLES:
        content = round_.table_path(name).read_text(encoding="utf-8")
        assert "Ã" not in content, name  # UTF-8 read as Windows-1252
        assert "\ufffd" not in content, name  # bytes that could not be decoded
    assert case.quote in set(tables(workbook)["comments"]["text"])


# ---------------------------------------------------------------- Google Forms


def test_google_forms_us_the_latest_answer_of_a_person_wins(workbook: Workbook) -> None:
    result = ingest(workbook, US)
    assert result.reasons == {"empty": 1, "off-scale": 1}  # "Not sure"; a row with no answer at all
    t = tables(workbook)
    submitted = set(t["respondents"]["submitted_at"])
    assert "2019-11-29T16:40:11" not in submitted  # Dana Whitfield's first answer, superseded
    assert scores_of(t, "2019-12-13T12:02:32")["CTA-02"] == 5  # her second answer, not "Agree" (4)
    assert "2019-12-16T08:47:19" not in submitted  # "Not sure" is not on the scale: quarantined
    # "Northeast" (twice, through values:) and "North America" are one region.
    assert (t["respondents"]["region"] == "north-america").sum() == 3


def test_google_forms_us_contact_details_in_a_comment_are_removed(workbook: Workbook) -> None:
    ingest(workbook, US)
    general = tables(workbook)["comments"].query("kind == 'general'")["text"]
    expected = f"Call me on {REDACTED['phone']} or write to {REDACTED['email']} if you need our figures."
    assert expected in set(general)


def test_an_unknown_label_is_named_in_the_summary_with_its_count_and_the_key_to_use(workbook: Workbook) -> None:
    text = mapping_text(US)
    without_values = re.sub(r"^values:\n(?:  .*\n)+", "", text, flags=re.MULTILINE)
    assert "values:" in text and "values:" not in without_values
    result = ingest(workbook, US, without_values)
    assert tuple(getattr(result, name) for name in COUNTS) == (10, 5, 4, 1, 0)
    assert result.reasons == {"empty": 1, "off-scale": 1, "unknown-label": 2}
    summary = result.summary()
    line = next((line for line in summary.splitlines() if "Northeast" in line), "")
    assert re.search(r"\b2\b", line), summary  # the label with its count: two rows
    assert "values:" in summary


@pytest.mark.parametrize("dates", ["dates: auto\n", ""], ids=["auto", "default"])
def test_ambiguous_dates_stop_the_ingest_until_the_mapping_gives_the_order(workbook: Workbook, dates: str) -> None:
    folder = make_round(workbook, AMBIGUOUS)
    text = mapping_text(AMBIGUOUS)
    assert "dates: month-first\n" in text
    draft = write(
        workbook.root / "incoming" / AMBIGUOUS.source / "mapping.yml", text.replace("dates: month-first\n", dates)
    )
    before = snapshot(folder)
    with pytest.raises(DataFileError) as caught:
        ingest_source(workbook, ROUND, incoming(workbook, AMBIGUOUS), draft, salt=SALT)
    assert "dates" in str(caught.value)
    assert snapshot(folder) == before  # nothing written: no table, no report, no kept mapping
    assert sorted(before) == ["calls.yml", "round.yml"]
    assert not (workbook.private_dir / "rounds" / ROUND).exists()
    result = ingest(workbook, AMBIGUOUS)  # the fixture's mapping says dates: month-first
    assert (result.accepted, result.quarantined) == (6, 0)
    assert min(tables(workbook)["respondents"]["submitted_at"]) == "2019-11-04T10:22:05"


@pytest.mark.parametrize("case", [EU_CSV, EU_XLSX], ids=str)
def test_google_forms_french_locale_csv_and_xlsx_read_the_same(workbook: Workbook, case: Case) -> None:
    result = ingest(workbook, case)
    assert result.reasons == {}
    assert profile(tables(workbook)) == {
        # "Section régionale" is a network section through values:
        "constituency": {"local-government": 5, "regional-government": 1, "network-section": 1, "partner": 1},
        "region": {"europe": 3, "africa": 3, "north-america": 1, "middle-east-west-asia": 1},
        "language": {"fr": 8},
        "comments": {"call": 5, "missing": 2, "general": 1},
        "publishable": {"yes": 7, "no": 1},  # Marie-Ève Tremblay said "Non"
    }


# ---------------------------------------------------------------- SurveyMonkey, Qualtrics


def test_surveymonkey_two_header_rows_make_one_column_name(workbook: Workbook) -> None:
    result = ingest(workbook, SURVEYMONKEY)
    assert result.reasons == {"empty": 1}  # a partial response: only the organisation's profile
    t = tables(workbook)
    ratings = t["ratings"]
    assert set(ratings["call"]) == {"CTA-01", "CTA-02", "CTA-03"}  # "How much do you support each call? - CTA-01"
    dont_know = ratings[ratings["label"] == "Don't know"]
    assert len(dont_know) == 1 and dont_know["score"].isna().all()
    texts = set(t["comments"]["text"])
    assert not texts & {"Response", "Open-Ended Response", "CTA-01", "CTA-02", "CTA-03"}  # row 2 is no answer
    assert set(t["comments"]["kind"]) == {"call", "missing"}


def test_qualtrics_previews_tests_spam_and_unfinished_answers_are_excluded(workbook: Workbook) -> None:
    result = ingest(workbook, QUALTRICS)
    assert result.excluded == 4 and result.reasons == {}
    assert report_of(workbook)["qualtrics"]["excluded"] == 4
    t = tables(workbook)
    texts = " ".join(t["comments"]["text"])
    for leftover in ("Preview", "Lorem ipsum", "cheap-followers", "Which organisation", "Your comment on each call"):
        assert leftover not in texts  # previews, tests, spam, and the question texts of row 2
    round_ = load_round(workbook, ROUND)
    for name in TABLES:
        assert "ImportId" not in round_.table_path(name).read_text(encoding="utf-8")  # row 3
    assert "2022-05-03T11:24:35" not in set(t["respondents"]["submitted_at"])  # Finished = False
    assert t["respondents"]["language"].value_counts().to_dict() == {"en": 3, "fr": 2, "es": 1}  # ES-ES by values:


# ---------------------------------------------------------------- KoboToolbox


def test_kobo_interviews_by_one_interviewer_stay_separate_people(workbook: Workbook) -> None:
    ingest(workbook, KOBO)
    t = tables(workbook)
    people = t["respondents"]
    assert people["respondent"].nunique() == 9  # one interviewer name on every row merges nobody
    # Two officials of the same commune, interviewed by the same person: two respondents.
    assert {"2022-04-30T10:12:33", "2022-04-30T10:41:09"} <= set(people["submitted_at"])
    assert people["constituency"].value_counts().to_dict() == {
        "local-government": 5,
        "network-section": 1,
        "regional-government": 1,
        "lg-association": 1,
        "partner": 1,
    }
    ratings = t["ratings"]
    assert set(ratings.loc[ratings["label"] == "4.0", "score"]) == {4}  # the first version's range widget
    thanks = f"Merci à {REDACTED['name']} pour l'entretien. Le budget communal ne permet aucun cofinancement."
    assert thanks in set(t["comments"]["text"])  # the interviewer's name is taken out


# ---------------------------------------------------------------- LimeSurvey, Microsoft Forms


@pytest.mark.parametrize("case", [LS_CODES, LS_FULL], ids=str)
def test_limesurvey_codes_and_full_texts_read_the_same(workbook: Workbook, case: Case) -> None:
    result = ingest(workbook, case)
    assert result.reasons == {}  # the two incomplete responses are excluded, not quarantined as empty
    assert profile(tables(workbook)) == {
        "constituency": {"local-government": 3, "regional-government": 2, "lg-association": 1, "network-section": 1},
        "region": {"latin-america": 3, "africa": 2, "europe": 1, "asia-pacific": 1},
        "language": {"fr": 3, "en": 2, "es": 2},
        "comments": {"call": 5, "missing": 2},
        "publishable": {"yes": 6, "no": 1},
    }


@pytest.mark.parametrize("identify_by", ["", "  identify_by: [email]\n"], ids=["default", "email"])
def test_microsoft_forms_anonymous_answers_are_different_people(workbook: Workbook, identify_by: str) -> None:
    result = ingest(
        workbook, MICROSOFT, mapping_text(MICROSOFT).replace("respondent:\n", "respondent:\n" + identify_by)
    )
    assert (result.accepted, result.superseded) == (8, 0)
    people = tables(workbook)["respondents"]
    anonymous = people[
        people["submitted_at"].isin(["2022-05-02T10:09:45", "2022-05-04T09:18:02", "2022-05-06T18:51:27"])
    ]
    assert len(anonymous) == 3 and anonymous["respondent"].nunique() == 3  # "anonymous" identifies nobody
