"""draftbook.ingest.forms: every generated form, answered and exported as its tool does, ingests with its mapping.

The exports are written here in the shape each tool gives for the generated form, read from the
form itself (not from the module's own tables):

- KoboToolbox, as kpi/formpack write a CSV export: UTF-8, ";" between the fields, every field in
  double quotes, CRLF; with "Include groups in headers" the columns are ``group/question``; the
  values are the choice names ("XML values and headers") or the choice labels of the language
  chosen (headers the group and question labels). KoboToolbox writes no BOM; a BOM (the file
  saved again by Excel) must change nothing.
- Google Forms: the linked Google Sheet downloaded as CSV (commas, quotes only where needed, CRLF,
  ``Timestamp`` month first without zero padding, a grid as ``Title [row]``).
- The typing sheet: the generated workbook, filled in with openpyxl from its drop-down lists.

Each person's "what is missing" text is unique: it finds their pseudonym in the comments table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from draftbook.ingest import IngestResult, ingest_source
from draftbook.ingest.forms import AGREEMENT, FORM_TOOLS, write_form
from draftbook.ingest.scales import get_scale
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, read_table
from draftbook.model.vocabulary import vocabulary
from tests.exports import ROUND, make_round

SALT = b"s" * 64
CALLS = ("CTA-01", "CTA-02", "CTA-03")
SCORES = {name: score for name, score, _ in AGREEMENT}
KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "__version__", "_tags", "_index")  # fmt: skip


@dataclass(frozen=True)
class Person:
    """One participant's answers: vocabulary ids, agreement choice names ("" when skipped)."""

    organisation: str
    constituency: str
    region: str
    language: str
    ratings: tuple[str, str, str]  # CTA-01..03
    missing: str  # unique: finds the person's pseudonym
    consent: bool
    submitted: dt.datetime
    comments: dict[str, str] = field(default_factory=dict)


PEOPLE = (
    Person("Ville de Vesuno", "local-government", "africa", "fr", ("strongly_agree", "agree", "dont_know"),
           "Le financement direct des villes.", True, dt.datetime(2030, 1, 5, 9, 15, 4),
           {"CTA-01": "Très juste; et « concret ».", "CTA-03": "Trop vague."}),
    Person("Province of Lisa", "regional-government", "europe", "en", ("agree", "disagree", "strongly_agree"),
           'The "regions", not only cities.', False, dt.datetime(2030, 1, 6, 14, 2, 50),
           {"CTA-02": "Needs a timeline,\nand a budget."}),
    Person("Municipio de Tal", "local-government", "latin-america", "es", ("neutral", "strongly_disagree", "agree"),
           "La cooperación sur-sur.", True, dt.datetime(2030, 1, 7, 10, 1, 37)),
    Person("Asociación de Municipios", "lg-association", "latin-america", "es", ("agree", "agree", ""),
           "Un fondo dedicado.", True, dt.datetime(2030, 1, 9, 16, 48, 5), {"CTA-01": "De acuerdo."}),
    Person("Fondation Territoires", "partner", "world", "fr", ("dont_know", "strongly_agree", "neutral"),
           "Les indicateurs de suivi.", False, dt.datetime(2030, 1, 10, 8, 47, 19)),
    Person("Network section Asia", "network-section", "asia-pacific", "en", ("strongly_agree", "neutral", "agree"),
           "Peer learning between members.", True, dt.datetime(2030, 1, 12, 11, 11, 45),
           {"CTA-03": "Climate finance must reach us."}),
)  # fmt: skip


@pytest.fixture
def round_folder(workbook: Workbook) -> Path:
    """The test round (CTA-01..03, French, English and Spanish, January 2030)."""
    return make_round(workbook)


def ingest(workbook: Workbook, export: Path, mapping: Path) -> IngestResult:
    return ingest_source(workbook, ROUND, export, mapping, salt=SALT)


def check_tables(workbook: Workbook, result: IngestResult, people: Sequence[Person], dated: bool = True) -> None:
    """Every row accepted; each person's profile, scores, comments and consent where they belong."""
    assert result.rows_read == result.accepted == len(people), result.summary()
    round_ = load_round(workbook, ROUND)
    respondents = read_table(round_, "respondents").set_index("respondent")
    ratings = read_table(round_, "ratings")
    comments = read_table(round_, "comments")
    for person in people:
        found = comments[(comments["kind"] == "missing") & (comments["text"] == person.missing)]
        assert len(found) == 1, person.missing
        who = found["respondent"].iloc[0]
        profile = respondents.loc[who]
        assert (profile["constituency"], profile["region"], profile["language"]) == (
            person.constituency,
            person.region,
            person.language,
        )
        expected_date = person.submitted.isoformat() if dated else ""
        assert profile["submitted_at"] == expected_date
        theirs = ratings[ratings["respondent"] == who].set_index("call")["score"]
        for call, choice in zip(CALLS, person.ratings, strict=True):
            score = SCORES[choice] if choice else None
            got = theirs.get(call, pd.NA)
            assert (None if pd.isna(got) else int(got)) == score, (person.missing, call)
        said = comments[(comments["respondent"] == who) & (comments["kind"] == "call")]
        assert dict(zip(said["call"], said["text"], strict=True)) == person.comments
        assert set(comments.loc[comments["respondent"] == who, "publishable"]) == {person.consent}


def test_the_form_labels_are_read_by_the_agreement_scale_with_their_score() -> None:
    scale = get_scale("agreement-5")
    for _, score, labels in AGREEMENT:
        for label in labels.values():
            assert scale.lookup(label) == score, label


# ---------------------------------------------------------------- refusals


def test_an_unknown_tool_is_refused_with_the_tools_there_are(workbook: Workbook, round_folder: Path) -> None:
    with pytest.raises(DataFileError, match='unknown form tool "surveymonkey"') as caught:
        write_form(workbook, ROUND, "online", "surveymonkey")
    assert caught.value.hint is not None and all(tool in caught.value.hint for tool in FORM_TOOLS)
    assert not (round_folder / "sources").exists()


@pytest.mark.parametrize("source", ["../online", "-online", "online form", "", "online/x", ".hidden", "é"])
def test_a_source_name_that_is_not_a_plain_name_is_refused(workbook: Workbook, round_folder: Path, source: str) -> None:
    with pytest.raises(DataFileError, match="is not a source name"):
        write_form(workbook, ROUND, source, "kobo")
    assert not (round_folder / "sources").exists()


def test_an_existing_mapping_is_never_overwritten(workbook: Workbook, round_folder: Path) -> None:
    written = write_form(workbook, ROUND, "online", "google-forms")
    mapping = round_folder / "sources" / "online" / "mapping.yml"
    assert written[-1] == mapping
    mapping.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="has a mapping already") as caught:
        write_form(workbook, ROUND, "online", "kobo")
    assert caught.value.file == str(mapping)
    assert caught.value.hint is not None and "delete it first" in caught.value.hint
    assert mapping.read_text(encoding="utf-8") == "# mine\n"
    assert not (mapping.parent / "form.xlsx").exists()


def test_an_unknown_language_is_refused(workbook: Workbook, round_folder: Path) -> None:
    with pytest.raises(DataFileError, match="unknown language de"):
        write_form(workbook, ROUND, "online", "kobo", ["fr", "de"])


def test_an_unknown_round_is_refused(workbook: Workbook) -> None:
    with pytest.raises(DataFileError, match='there is no round "2031-01-none"'):
        write_form(workbook, "2031-01-none", "online", "kobo")


def test_the_languages_default_to_the_rounds(workbook: Workbook, round_folder: Path) -> None:
    write_form(workbook, ROUND, "online", "kobo")
    header = next(load_workbook(round_folder / "sources" / "online" / "form.xlsx")["survey"].values)
    assert [c for c in header if str(c).startswith("label::")] == [
        "label::French (fr)",
        "label::English (en)",
        "label::Spanish (es)",
    ]


# ---------------------------------------------------------------- KoboToolbox


@dataclass(frozen=True)
class KoboField:
    """One column of a KoboToolbox export of the form."""

    name: str
    xml: str  # "XML values and headers": group/name
    labels: str  # labels of the export's language: group label/question label
    list_name: str | None  # select_one list


def sheet_dicts(path: Path, sheet: str) -> list[dict[str, str]]:
    rows = list(load_workbook(path)[sheet].values)
    header = [str(h) for h in rows[0]]
    return [{h: "" if v is None else str(v) for h, v in zip(header, row, strict=False)} for row in rows[1:]]


def kobo_fields(form: Path, label_column: str) -> list[KoboField]:
    """The form's data columns, named as formpack names them with groups in the headers."""
    fields: list[KoboField] = []
    groups: list[dict[str, str]] = []
    for row in sheet_dicts(form, "survey"):
        kind = row["type"].split()
        if kind[0] == "begin_group":
            groups.append(row)
        elif kind[0] == "end_group":
            groups.pop()
        else:
            path = [*groups, row]
            fields.append(
                KoboField(
                    row["name"],
                    "/".join(level["name"] for level in path),
                    "/".join(level.get(label_column) or level["name"] for level in path),
                    kind[1] if kind[0] == "select_one" else None,
                )
            )
    return fields


def kobo_value(person: Person, name: str) -> str:
    """The person's answer to the question ``name``, as a choice name when it is a choice."""
    if name in CALLS:
        return person.ratings[CALLS.index(name)]
    if name.startswith("comment_"):
        return person.comments.get(name.removeprefix("comment_"), "")
    if name in ("start", "end"):
        moment = person.submitted - dt.timedelta(minutes=20 if name == "start" else 2)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000+01:00")
    if name == "consent":
        return "yes" if person.consent else "no"
    return str(getattr(person, name))


def kobo_export(form: Path, people: Sequence[Person], language: str | None, *, bom: bool) -> bytes:
    """A KoboToolbox CSV export: XML values and headers (``language`` None) or the labels of ``language``."""
    label_column = f"label::{language}" if language else ""
    fields = kobo_fields(form, label_column)
    choices = {(row["list_name"], row["name"]): row for row in sheet_dicts(form, "choices")}

    def shown(f: KoboField, value: str) -> str:
        return choices[(f.list_name, value)][label_column] if language and f.list_name and value else value

    lines = [[f.labels if language else f.xml for f in fields] + list(KOBO_META)]
    for index, person in enumerate(people, start=1):
        meta = [str(241_000 + index), f"5f2c8a4e-9b1d-4c7e-8a3f-{index:012d}", person.submitted.isoformat(), "", "",
                "submitted_via_web", "", "vX7kq3FbP9sLmN2aRtY6cZ", "", str(index)]  # fmt: skip
        lines.append([shown(f, kobo_value(person, f.name)) for f in fields] + meta)
    text = "".join('"' + '";"'.join(v.replace('"', '""') for v in line) + '"\r\n' for line in lines)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@pytest.mark.parametrize("bom", [False, True], ids=["as-kobo-writes", "with-bom"])
@pytest.mark.parametrize("shape", ["xml", "labels"])
def test_kobo_exports_ingest_with_the_generated_mappings(
    workbook: Workbook, round_folder: Path, tmp_path: Path, shape: str, bom: bool
) -> None:
    write_form(workbook, ROUND, "forum", "kobo")
    folder = round_folder / "sources" / "forum"
    language = None if shape == "xml" else "French (fr)"  # the labels KoboToolbox preselects: the default language
    export = tmp_path / "kobo.csv"
    export.write_bytes(kobo_export(folder / "form.xlsx", PEOPLE, language, bom=bom))
    mapping = folder / ("mapping.yml" if shape == "xml" else "mapping-labels.yml")
    check_tables(workbook, ingest(workbook, export, mapping), PEOPLE)


def test_the_kobo_xml_export_has_the_headers_the_brief_names(workbook: Workbook, round_folder: Path) -> None:
    write_form(workbook, ROUND, "forum", "kobo")
    fields = kobo_fields(round_folder / "sources" / "forum" / "form.xlsx", "")
    xml = [f.xml for f in fields]
    assert {"calls/CTA-01", "calls/CTA-03", "comments/comment_CTA-01", "comments/comment_CTA-03"} <= set(xml)
    assert {"organisation", "constituency", "region", "language", "missing", "consent"} <= set(xml)


def test_the_kobo_choices_are_the_vocabulary_ids_with_labels_in_each_language(
    workbook: Workbook, round_folder: Path
) -> None:
    write_form(workbook, ROUND, "forum", "kobo", ["fr", "es"])
    form = round_folder / "sources" / "forum" / "form.xlsx"
    known = vocabulary(workbook)
    choices = sheet_dicts(form, "choices")
    for dimension in ("constituency", "region", "language"):
        assert [row["name"] for row in choices if row["list_name"] == dimension] == known.ids(dimension)
    africa = next(row for row in choices if row["name"] == "africa")
    assert (africa["label::French (fr)"], africa["label::Spanish (es)"]) == ("Afrique", "África")
    agreement = [row["name"] for row in choices if row["list_name"] == "agreement"]
    assert agreement == ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree", "dont_know"]
    settings = sheet_dicts(form, "settings")[0]
    assert settings["default_language"] == "French (fr)"
    assert settings["form_id"] == f"{ROUND}_forum"
    mapping = (form.parent / "mapping.yml").read_text(encoding="utf-8")
    assert "\nvalues:" not in mapping  # the choice names are the vocabulary ids


@pytest.mark.parametrize("langs", [["fr"], ["en", "es"], ["fr", "en", "es"]])
def test_pyxform_converts_the_kobo_form_without_error_or_warning(
    workbook: Workbook, round_folder: Path, langs: list[str]
) -> None:
    from pyxform.xls2xform import convert

    write_form(workbook, ROUND, "forum", "kobo", langs)
    result = convert(xlsform=str(round_folder / "sources" / "forum" / "form.xlsx"))
    assert result.warnings == []
    names = {"fr": "French (fr)", "en": "English (en)", "es": "Spanish (es)"}
    for lang in langs:
        assert f'lang="{names[lang]}"' in result.xform
    assert f'<translation lang="{names[langs[0]]}" default="true()">' in result.xform
    for call in CALLS:
        assert f"<{call}/>" in result.xform and f"<comment_{call}/>" in result.xform


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_the_trilingual_kobo_form(workbook: Workbook, round_folder: Path) -> None:
    from pyxform.xls2xform import convert

    write_form(workbook, ROUND, "forum", "kobo")
    result = convert(xlsform=str(round_folder / "sources" / "forum" / "form.xlsx"), validate=True)
    assert result.warnings == []


# ---------------------------------------------------------------- Google Forms


def google_questions(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def google_export(questions: list[dict[str, str]], people: Sequence[Person], langs: Sequence[str]) -> str:
    """The linked sheet's CSV: ``Timestamp``, then one column per question (per row of the grid)."""
    ids = vocabulary().ids
    roles = ["organisation", "constituency", "region", *(["language"] if len(langs) > 1 else []), "calls",
             *CALLS, "missing", "consent"]  # fmt: skip
    assert len(roles) == len(questions)
    header = ["Timestamp"]
    for question in questions:
        rows = question["rows"].splitlines()
        header += [f"{question['title']} [{row}]" for row in rows] if rows else [question["title"]]
    body = []
    for person in people:
        s = person.submitted
        line = [f"{s.month}/{s.day}/{s.year} {s.hour}:{s.minute:02d}:{s.second:02d}"]
        for role, question in zip(roles, questions, strict=True):
            options = question["options"].splitlines()
            if role in ("constituency", "region", "language"):
                line.append(options[ids(role).index(getattr(person, role))])
            elif role == "calls":
                names = [name for name, _, _ in AGREEMENT]
                line += [options[names.index(choice)] if choice else "" for choice in person.ratings]
            elif role == "consent":
                line.append(options[0] if person.consent else options[1])
            elif role in CALLS:
                line.append(person.comments.get(role, ""))
            else:
                line.append(str(getattr(person, role)))
        body.append(line)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *body])
    return buffer.getvalue()


@pytest.mark.parametrize("langs", [None, ["en"]], ids=["trilingual", "english"])
def test_the_google_sheet_csv_ingests_with_the_generated_mapping(
    workbook: Workbook, round_folder: Path, tmp_path: Path, langs: list[str] | None
) -> None:
    write_form(workbook, ROUND, "online", "google-forms", langs)
    folder = round_folder / "sources" / "online"
    questions = google_questions(folder / "questions.csv")
    people = PEOPLE if langs is None else tuple(p for p in PEOPLE if p.language == "en")
    export = tmp_path / "responses.csv"
    export.write_text(google_export(questions, people, langs or ["fr", "en", "es"]), encoding="utf-8", newline="")
    check_tables(workbook, ingest(workbook, export, folder / "mapping.yml"), people)


def test_the_google_mapping_declares_the_date_order(workbook: Workbook, round_folder: Path) -> None:
    """Every date of January 5 to 12 has both fields at 12 or below: auto would stop and ask."""
    write_form(workbook, ROUND, "online", "google-forms")
    mapping = (round_folder / "sources" / "online" / "mapping.yml").read_text(encoding="utf-8")
    assert "\ndates: month-first\n" in mapping
    assert "submitted_at: Timestamp" in mapping


def test_the_google_questions_text_lists_every_question_with_its_options(
    workbook: Workbook, round_folder: Path
) -> None:
    write_form(workbook, ROUND, "online", "google-forms", ["fr", "es"])
    folder = round_folder / "sources" / "online"
    text = (folder / "questions.txt").read_text(encoding="utf-8")
    questions = google_questions(folder / "questions.csv")
    assert len(questions) == 10  # organisation, constituency, region, language, grid, 3 comments, missing, consent
    for question in questions:
        assert question["title"] in text
        for option in question["options"].splitlines():
            assert f"\n{option}\n" in text
    grid = next(q for q in questions if q["type"] == "Multiple choice grid")
    assert grid["rows"].splitlines() == list(CALLS)
    assert grid["options"].splitlines()[0] == "Pas du tout d'accord / Totalmente en desacuerdo"
    assert "CTA-02: Deux / Dos" in grid["description"].splitlines()


# ---------------------------------------------------------------- typing sheet


def test_the_typing_sheet_filled_in_ingests_with_the_generated_mapping(
    workbook: Workbook, round_folder: Path, tmp_path: Path
) -> None:
    write_form(workbook, ROUND, "session", "typing-sheet", ["fr", "en"])
    folder = round_folder / "sources" / "session"
    book = load_workbook(folder / "typing-sheet.xlsx")
    answers, lists = book.worksheets[0], book["lists"]
    assert lists.sheet_state == "hidden"
    header = [cell.value for cell in answers[1]]
    listed = {str(col[0].value): [str(c.value) for c in col[1:] if c.value is not None] for col in lists.columns}
    known = vocabulary(workbook)
    people = [p for p in PEOPLE if p.language in ("fr", "en")]
    agreement = {name: labels for name, _, labels in AGREEMENT}
    list_of = {"Type d'organisation": "constituency", "Région": "region", "Langue": "language",
               "Citation anonyme acceptée": "consent"} | {f"Soutien {call}": "agreement" for call in CALLS}  # fmt: skip
    for number, person in enumerate(people, start=1):
        lang = person.language
        row: list[object] = [
            number,
            person.organisation,
            known.label("constituency", person.constituency, lang),
            known.label("region", person.region, lang),
            known.label("language", person.language, person.language),
            *(agreement[choice][lang] if choice else None for choice in person.ratings),
            *(person.comments.get(call) for call in CALLS),
            person.missing,
            {"fr": "Oui", "en": "Yes"}[lang] if person.consent else {"fr": "Non", "en": "No"}[lang],
        ]
        assert len(row) == len(header)
        for value, column in zip(row, header, strict=True):  # every choice is one of its drop-down list's
            if column in list_of and value is not None:
                assert value in listed[list_of[column]], (column, value)
        answers.append(row)
    export = tmp_path / "session.xlsx"
    book.save(export)
    check_tables(workbook, ingest(workbook, export, folder / "mapping.yml"), people, dated=False)


def test_every_choice_column_of_the_typing_sheet_has_a_drop_down_list(workbook: Workbook, round_folder: Path) -> None:
    write_form(workbook, ROUND, "session", "typing-sheet", ["es"])
    book = load_workbook(round_folder / "sources" / "session" / "typing-sheet.xlsx")
    answers = book.worksheets[0]
    assert answers.title == "Respuestas"
    header = {cell.value: cell.column_letter for cell in answers[1]}
    validated = {
        str(cells).split(":")[0].rstrip("0123456789"): rule.formula1
        for rule in answers.data_validations.dataValidation
        for cells in rule.sqref.ranges
    }
    choice_columns = ["Tipo de organización", "Región", "Idioma", "Apoyo CTA-01", "Apoyo CTA-02", "Apoyo CTA-03",
                      "Cita anónima aceptada"]  # fmt: skip
    assert {header[c] for c in choice_columns} == set(validated)
    assert all(formula.startswith("lists!$") for formula in validated.values())
    lists = {str(col[0].value): [c.value for c in col[1:] if c.value is not None] for col in book["lists"].columns}
    assert lists["agreement"] == [labels["es"] for _, _, labels in AGREEMENT]
    assert lists["consent"] == ["Sí", "No"]
