"""Questionnaires generated from the calls of a round, each beside the mapping that reads its export.

``write_form(workbook, round_id, source, tool)`` writes into
``data/rounds/<round>/sources/<source>/`` the form of one tool (``FORM_TOOLS``)
and ``mapping.yml``, which reads that tool's export of that very form with no
edit. The questions are always the same, in this order: organisation, type of
organisation, region, language, the support for each call (agreement-5, plus
"don't know"), a comment on each call, what is missing, and the consent to
quote. The choices come from the workbook's vocabulary and the agreement-5
scale, in the requested languages (default: the round's).

- ``kobo``: ``form.xlsx``, an XLSForm (sheets ``survey``, ``choices``,
  ``settings``) to upload to KoboToolbox. The choice names are the vocabulary
  ids themselves, so the mapping needs no ``values:``. ``mapping.yml`` reads
  Data > Downloads > CSV with "XML values and headers"; ``mapping-labels.yml``
  reads the same download with the labels of the form's default language (the
  format KoboToolbox preselects). Both need "Include groups in headers" ticked,
  with the separator ``/``.
- ``google-forms``: ``questions.txt`` and ``questions.csv``, the questions and
  their options to paste into a new Google Form. With one language the form is
  in that language; with several, every title and option reads "fr / en / es"
  (to have one form per language, generate one source per language). The
  mapping reads the form's linked Google Sheet downloaded as CSV, from an
  account in English with the sheet's locale United States (``Timestamp``,
  month first): see the comments at the top of the mapping for other locales.
- ``typing-sheet``: ``typing-sheet.xlsx``, for a rapporteur who types the
  answers during a live session: one row per participant, a drop-down list on
  every choice column (fed by a hidden ``lists`` sheet), headers in the first
  language and the lists' labels in every requested language.

The consent answers are words the ingest reads as "yes" in any language: a
single-language form offers "Oui"/"Yes"/"Sí"; a multilingual Google Form offers
"OK", as "Oui / Yes / Sí" would not read as a yes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook as Spreadsheet
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from draftbook.model.calls import Call
from draftbook.model.errors import DataFileError
from draftbook.model.files import atomic_write
from draftbook.model.languages import LANGUAGES
from draftbook.model.paths import Workbook
from draftbook.model.rounds import Round, load_round
from draftbook.model.vocabulary import Vocabulary, vocabulary

SOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
MAPPING = "mapping.yml"
SEPARATOR = " / "  # between the languages of one label in a multilingual Google Form
KOBO_LANGUAGES = {"fr": "French (fr)", "en": "English (en)", "es": "Spanish (es)"}
LONGEST_KEY = 1024  # the longest key YAML writes plainly
TYPING_ROWS = 500  # rows of the typing sheet that get the drop-down lists

Texts = Mapping[str, str]  # language -> text

# The agreement choices: XML name, score (None: no opinion), label per language. Every label is one that
# the built-in agreement-5 scale reads with this score (tests/test_forms.py checks it).
AGREEMENT: tuple[tuple[str, int | None, Texts], ...] = (
    ("strongly_disagree", 1, {"fr": "Pas du tout d'accord", "en": "Strongly disagree",
                              "es": "Totalmente en desacuerdo"}),
    ("disagree", 2, {"fr": "Plutôt pas d'accord", "en": "Disagree", "es": "En desacuerdo"}),
    ("neutral", 3, {"fr": "Ni d'accord ni pas d'accord", "en": "Neither agree nor disagree",
                    "es": "Ni de acuerdo ni en desacuerdo"}),
    ("agree", 4, {"fr": "Plutôt d'accord", "en": "Agree", "es": "De acuerdo"}),
    ("strongly_agree", 5, {"fr": "Tout à fait d'accord", "en": "Strongly agree", "es": "Totalmente de acuerdo"}),
    ("dont_know", None, {"fr": "Ne sait pas", "en": "Don't know", "es": "No sabe"}),
)  # fmt: skip
YES_NO: tuple[tuple[str, Texts], ...] = (
    ("yes", {"fr": "Oui", "en": "Yes", "es": "Sí"}),
    ("no", {"fr": "Non", "en": "No", "es": "No"}),
)
YES_IN_EVERY_LANGUAGE = "OK"  # read as "yes" by the ingest whatever the language

# The wording of the questions; {call} stands for a call id.
WORDING: dict[str, Texts] = {
    "organisation": {
        "fr": "Quelle organisation représentez-vous ?",
        "en": "Which organisation do you represent?",
        "es": "¿Qué organización representa?",
    },
    "constituency": {"fr": "Type d'organisation", "en": "Type of organisation", "es": "Tipo de organización"},
    "region": {"fr": "Région", "en": "Region", "es": "Región"},
    "language": {"fr": "Langue de la réponse", "en": "Language of the answer", "es": "Idioma de la respuesta"},
    "calls": {
        "fr": "Soutenez-vous chacun des appels à l'action ?",
        "en": "Do you support each call to action?",
        "es": "¿Apoya cada una de las llamadas a la acción?",
    },
    "call": {"fr": "{call} : {text}", "en": "{call}: {text}", "es": "{call}: {text}"},
    "comments": {
        "fr": "Vos commentaires sur les appels",
        "en": "Your comments on the calls",
        "es": "Sus comentarios sobre las llamadas",
    },
    "comment": {
        "fr": "Commentaire sur {call} (facultatif)",
        "en": "Comment on {call} (optional)",
        "es": "Comentario sobre {call} (opcional)",
    },
    "missing": {
        "fr": "Qu'est-ce qui manque dans les appels ?",
        "en": "What is missing from the calls?",
        "es": "¿Qué falta en las llamadas a la acción?",
    },
    "consent": {
        "fr": "Acceptez-vous que vos commentaires soient cités anonymement ?",
        "en": "May we quote your comments anonymously?",
        "es": "¿Acepta que sus comentarios se citen de forma anónima?",
    },
}
# The short column headers of the typing sheet.
HEADERS: dict[str, Texts] = {
    "sheet": {"fr": "Réponses", "en": "Answers", "es": "Respuestas"},
    "participant": {"fr": "N° du participant", "en": "Participant no.", "es": "N.º de participante"},
    "organisation": {"fr": "Organisation", "en": "Organisation", "es": "Organización"},
    "constituency": WORDING["constituency"],
    "region": WORDING["region"],
    "language": {"fr": "Langue", "en": "Language", "es": "Idioma"},
    "support": {"fr": "Soutien {call}", "en": "Support {call}", "es": "Apoyo {call}"},
    "comment": {"fr": "Commentaire {call}", "en": "Comment {call}", "es": "Comentario {call}"},
    "missing": {"fr": "Ce qui manque", "en": "What is missing", "es": "Lo que falta"},
    "consent": {"fr": "Citation anonyme acceptée", "en": "Anonymous quote allowed", "es": "Cita anónima aceptada"},
}


@dataclass(frozen=True)
class FormSpec:
    """What every form writer needs: the round, the source's name, the languages, the vocabulary."""

    round: Round
    source: str
    langs: tuple[str, ...]
    vocabulary: Vocabulary

    @property
    def calls(self) -> list[Call]:
        return self.round.calls

    @property
    def first(self) -> str:
        """The first requested language: the default language of the form."""
        return self.langs[0]

    @property
    def title(self) -> str:
        return f"{self.round.title_in(self.first)} ({self.source})"

    def ids(self, dimension: str) -> list[str]:
        return self.vocabulary.ids(dimension)

    def vocabulary_label(self, dimension: str, value: str, lang: str) -> str:
        """The vocabulary's label; a language is named in its own language (français, English, español)."""
        return self.vocabulary.label(dimension, value, value if dimension == "language" else lang)


FormWriter = Callable[[FormSpec], dict[str, bytes]]  # file name -> content, the mapping last


def write_form(
    workbook: Workbook, round_id: str, source: str, tool: str, langs: Sequence[str] | None = None
) -> list[Path]:
    """Write the form of ``tool`` for the calls of ``round_id``, and its mapping, into the source's folder.

    Refuses an unknown tool, a source name that is not a plain name, an unknown
    language and a source that has a ``mapping.yml`` already. Returns the files
    written, the mapping last.
    """
    sources = workbook.round_dir(round_id) / "sources"
    if tool not in FORM_TOOLS:
        raise DataFileError(f'unknown form tool "{tool}"', file=sources, hint=f"use one of: {', '.join(FORM_TOOLS)}")
    if not SOURCE_NAME.fullmatch(source):
        raise DataFileError(
            f'"{source}" is not a source name',
            file=sources,
            hint="a source name is a plain folder name: letters, digits, - and _, starting with a letter or a digit "
            "(e.g. online-form)",
        )
    round_ = load_round(workbook, round_id)
    folder = round_.folder / "sources" / source
    mapping = folder / MAPPING
    if mapping.exists():
        raise DataFileError(
            "the source has a mapping already",
            file=mapping,
            hint="delete it first to generate the form and its mapping again (the two go together)",
        )
    spec = FormSpec(round_, source, _languages(langs or round_.languages, folder), vocabulary(workbook))
    written = []
    for name, content in FORM_TOOLS[tool](spec).items():
        atomic_write(folder / name, content)
        written.append(folder / name)
    return written


def _languages(langs: Sequence[str], folder: Path) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(langs))
    unknown = [lang for lang in chosen if lang not in LANGUAGES]
    if unknown or not chosen:
        raise DataFileError(
            f"unknown language {', '.join(unknown)}" if unknown else "at least one language is needed",
            file=folder,
            hint=f"use some of: {', '.join(LANGUAGES)}",
        )
    return chosen


# ---------------------------------------------------------------- shared helpers


def word(texts: Texts, lang: str, **fields: str) -> str:
    """``texts`` in ``lang``, with its ``{fields}`` filled in."""
    return texts[lang].format(**fields)


def joined(parts: Iterable[str]) -> str:
    """The distinct parts, in order, joined by " / " ("Europe / Europa")."""
    return SEPARATOR.join(dict.fromkeys(parts))


def in_every(spec: FormSpec, texts: Texts, **fields: str) -> str:
    """``texts`` in each language of the form, joined."""
    return joined(word(texts, lang, **fields) for lang in spec.langs)


def distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


class Quoted(str):
    """A string the YAML of a mapping writes in double quotes (a delimiter, a ``{call}`` pattern)."""


class _MappingDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with long labels kept as plain ``label: id`` keys (not ``? label``)."""

    def check_simple_key(self) -> bool:
        if isinstance(self.event, yaml.ScalarEvent):
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            return not self.analysis.multiline and len(self.analysis.scalar) < LONGEST_KEY
        return bool(super().check_simple_key())


def _quoted(dumper: yaml.SafeDumper, value: Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_MappingDumper.add_representer(Quoted, _quoted)


def mapping_yaml(comment: str, sections: Sequence[tuple[str, dict[str, Any]]]) -> bytes:
    """A mapping file: ``comment`` at the top, then each section under its own comment."""
    parts = [_comment_lines(comment)]
    for note, content in sections:
        dumped = yaml.dump(content, Dumper=_MappingDumper, allow_unicode=True, sort_keys=False, width=4096)
        parts.append((_comment_lines(note) if note else "") + dumped)
    return "".join(parts).encode("utf-8")


def _comment_lines(text: str) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in text.strip().splitlines())


def xlsx_bytes(book: Spreadsheet) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Spreadsheet, title: str, rows: Sequence[Sequence[Any]]) -> Worksheet:
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    return sheet


def _new_book() -> Spreadsheet:
    book = Spreadsheet()
    if book.active is not None:
        book.remove(book.active)
    return book


# ---------------------------------------------------------------- KoboToolbox (XLSForm)

KOBO_GROUP_SEPARATOR = "/"
CALLS_GROUP, COMMENTS_GROUP = "calls", "comments"


def comment_name(call: str) -> str:
    """The question name of the comment on ``call`` (``comment_CTA-01``: the ``-`` is valid in an XML name)."""
    return f"comment_{call}"


@dataclass(frozen=True)
class KoboQuestion:
    """One row of the ``survey`` sheet."""

    type: str
    name: str
    labels: Texts = field(default_factory=dict)
    required: bool = False
    appearance: str = ""


def kobo_questions(spec: FormSpec) -> list[KoboQuestion]:
    """The ``survey`` rows, groups included, in the order of the form."""

    def asked(kind: str, name: str, texts: Texts, *, required: bool = False, appearance: str = "") -> KoboQuestion:
        return KoboQuestion(kind, name, {lang: texts[lang] for lang in spec.langs}, required, appearance)

    def per_call(texts: Texts, call: Call) -> dict[str, str]:
        return {lang: word(texts, lang, call=call.id, text=call.text_in(lang)) for lang in spec.langs}

    return [
        KoboQuestion("start", "start"),
        KoboQuestion("end", "end"),
        asked("text", "organisation", WORDING["organisation"]),
        asked("select_one constituency", "constituency", WORDING["constituency"], required=True),
        asked("select_one region", "region", WORDING["region"], required=True),
        asked("select_one language", "language", WORDING["language"], required=True),
        asked("begin_group", CALLS_GROUP, WORDING["calls"]),
        *(KoboQuestion("select_one agreement", call.id, per_call(WORDING["call"], call)) for call in spec.calls),
        KoboQuestion("end_group", ""),
        asked("begin_group", COMMENTS_GROUP, WORDING["comments"]),
        *(
            KoboQuestion("text", comment_name(call.id), per_call(WORDING["comment"], call), appearance="multiline")
            for call in spec.calls
        ),
        KoboQuestion("end_group", ""),
        asked("text", "missing", WORDING["missing"], appearance="multiline"),
        asked("select_one yes_no", "consent", WORDING["consent"], required=True),
    ]


def kobo_choices(spec: FormSpec) -> list[tuple[str, str, dict[str, str]]]:
    """The ``choices`` rows: list name, choice name, label per language.

    The choice names of the vocabulary's lists are its ids (valid choice names), so that the
    "XML values" export holds the workbook's ids and its mapping needs no ``values:``. A language
    is labelled in each language of the form (anglais, English, inglés).
    """
    rows = [
        (dimension, value, {lang: spec.vocabulary.label(dimension, value, lang) for lang in spec.langs})
        for dimension in ("constituency", "region", "language")
        for value in spec.ids(dimension)
    ]
    rows += [("agreement", name, {lang: labels[lang] for lang in spec.langs}) for name, _, labels in AGREEMENT]
    rows += [("yes_no", name, {lang: labels[lang] for lang in spec.langs}) for name, labels in YES_NO]
    return rows


def kobo_form(spec: FormSpec) -> dict[str, bytes]:
    """``form.xlsx``, ``mapping-labels.yml`` and ``mapping.yml``."""
    label_columns = [f"label::{KOBO_LANGUAGES[lang]}" for lang in spec.langs]
    survey = [["type", "name", *label_columns, "required", "appearance"]]
    for question in kobo_questions(spec):
        labels = [question.labels.get(lang, "") for lang in spec.langs]
        survey.append([question.type, question.name, *labels, "yes" if question.required else "", question.appearance])
    choices = [["list_name", "name", *label_columns]]
    choices += [[name, choice, *(labels[lang] for lang in spec.langs)] for name, choice, labels in kobo_choices(spec)]
    form_id = re.sub(r"[^A-Za-z0-9_-]", "_", f"{spec.round.id}_{spec.source}")
    settings = [["form_title", "form_id", "default_language"], [spec.title, form_id, KOBO_LANGUAGES[spec.first]]]
    book = _new_book()
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        _sheet(book, title, rows)
    return {
        "form.xlsx": xlsx_bytes(book),
        "mapping-labels.yml": kobo_mapping(spec, spec.first),
        MAPPING: kobo_mapping(spec),
    }


KOBO_SETTINGS = """\
Upload form.xlsx to KoboToolbox (Deploy), collect, then Data > Downloads > CSV with
"Value and header format": {format};
under "Advanced options", tick "Include groups in headers" with the group separator "/"
(save the settings to reuse them). KoboToolbox writes UTF-8, ";" between the fields and
quotes every field; _submission_time is ISO (2030-01-05T10:12:33, UTC).
"""
KOBO_PROFILE = ("organisation", "constituency", "region", "language")


def kobo_columns(spec: FormSpec, lang: str | None) -> dict[str, str]:
    """Question name -> its export column: ``group/name`` (``lang`` None: XML headers) or
    ``group label/label`` in ``lang``, as KoboToolbox names them with groups in the headers."""
    columns: dict[str, str] = {}
    group: KoboQuestion | None = None
    for question in kobo_questions(spec):
        if question.type in ("begin_group", "end_group"):
            group = question if question.type == "begin_group" else None
            continue
        path = [group, question] if group else [question]
        columns[question.name] = KOBO_GROUP_SEPARATOR.join(q.labels.get(lang, q.name) if lang else q.name for q in path)
    return columns


def kobo_mapping(spec: FormSpec, lang: str | None = None) -> bytes:
    """The mapping of the CSV download: "XML values and headers" (``lang`` None), or the labels of ``lang``."""
    columns = kobo_columns(spec, lang)
    respondent = {"id": "_uuid", "submitted_at": "_submission_time"} | {role: columns[role] for role in KOBO_PROFILE}
    if lang is None:
        shape = '"XML values and headers"'
        ratings: dict[str, Any] = {
            "scale": {name: score for name, score, _ in AGREEMENT},
            "column": Quoted(KOBO_GROUP_SEPARATOR.join((CALLS_GROUP, "{call}"))),
        }
        comment = KOBO_GROUP_SEPARATOR.join((COMMENTS_GROUP, comment_name("{call}")))
        notes = (
            "The columns are the question names (calls/CTA-01), the answers the choice names (agree).\n"
            "The choice names are the vocabulary ids: no values: section is needed.",
            "the choice names of the agreement list; dont_know is no opinion",
        )
    else:
        shape = f'"{KOBO_LANGUAGES[lang]}" (preselected: the default language)'
        ratings = {"scale": "agreement-5", "columns": {call.id: columns[call.id] for call in spec.calls}}
        comment = KOBO_GROUP_SEPARATOR.join(
            (word(WORDING["comments"], lang), word(WORDING["comment"], lang, call="{call}"))
        )
        notes = (
            "The columns are the group and question labels, the answers the choice labels: the\n"
            "vocabulary's and the agreement-5 scale's, so no values: section is needed.\n"
            'For "XML values and headers", use mapping.yml.',
            "the question labels hold the text of the call: one column per call",
        )
    head = f"KoboToolbox form {spec.title}, generated with form.xlsx: do not edit one without the other.\n"
    head += KOBO_SETTINGS.format(format=shape) + notes[0]
    return mapping_yaml(
        head,
        [
            ("", {"delimiter": Quoted(";"), "dates": "iso"}),
            ("_uuid: each submission is one person (no e-mail is asked)", {"respondent": respondent}),
            (notes[1], {"ratings": ratings}),
            (
                "",
                {"comments": {"column": Quoted(comment), "missing": columns["missing"], "consent": columns["consent"]}},
            ),
        ],
    )


# ---------------------------------------------------------------- Google Forms

GOOGLE_TIMESTAMP = "Timestamp"  # the first column, named in the language of the Google account
GOOGLE_DATES = "month-first"  # the sheet's locale United States: 1/5/2030 9:15:04


@dataclass(frozen=True)
class GoogleQuestion:
    """One question to create in Google Forms, with what the linked sheet's columns will be called."""

    kind: str  # the question type as Google Forms names it
    title: str
    description: str = ""
    rows: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    required: bool = False


def google_choices(spec: FormSpec, dimension: str) -> dict[str, str]:
    """Option label (as the form shows it) -> vocabulary id."""
    return {
        joined(spec.vocabulary_label(dimension, value, lang) for lang in spec.langs): value
        for value in spec.ids(dimension)
    }


def google_agreement(spec: FormSpec) -> dict[str, int | None]:
    """Grid column label -> score."""
    return {joined(labels[lang] for lang in spec.langs): score for _, score, labels in AGREEMENT}


def google_consent(spec: FormSpec) -> tuple[str, str]:
    """The "yes" and "no" options: the words of the one language, or "OK" and "Non / No"."""
    yes, no = (labels for _, labels in YES_NO)
    if len(spec.langs) == 1:
        return yes[spec.first], no[spec.first]
    return YES_IN_EVERY_LANGUAGE, joined(no[lang] for lang in spec.langs)


def google_questions(spec: FormSpec) -> dict[str, GoogleQuestion]:
    """The questions by role, in the order of the form (no language question when there is one language)."""
    grid_help = "\n".join(f"{call.id}: {joined(call.text_in(lang) for lang in spec.langs)}" for call in spec.calls)
    questions = {
        "organisation": GoogleQuestion("Short answer", in_every(spec, WORDING["organisation"])),
        "constituency": GoogleQuestion(
            "Dropdown", in_every(spec, WORDING["constituency"]), options=tuple(google_choices(spec, "constituency")),
            required=True,
        ),
        "region": GoogleQuestion(
            "Dropdown", in_every(spec, WORDING["region"]), options=tuple(google_choices(spec, "region")),
            required=True,
        ),
        "language": GoogleQuestion(
            "Multiple choice", in_every(spec, WORDING["language"]), options=tuple(google_choices(spec, "language")),
            required=True,
        ),
        "calls": GoogleQuestion(
            "Multiple choice grid", in_every(spec, WORDING["calls"]), grid_help,
            rows=tuple(call.id for call in spec.calls), options=tuple(google_agreement(spec)),
        ),
        **{
            call.id: GoogleQuestion("Paragraph", in_every(spec, WORDING["comment"], call=call.id))
            for call in spec.calls
        },
        "missing": GoogleQuestion("Paragraph", in_every(spec, WORDING["missing"])),
        "consent": GoogleQuestion(
            "Multiple choice", in_every(spec, WORDING["consent"]), options=google_consent(spec), required=True
        ),
    }  # fmt: skip
    if len(spec.langs) == 1:
        del questions["language"]
    return questions


GOOGLE_STEPS = """\
Questions for a new Google Form: {title}
Languages: {languages}

1. In Google Forms, create a blank form; name it as above. Keep "Collect email addresses" off.
2. Add the questions below in this order, with exactly these titles and options: copy and paste
   them. The mapping reads the columns Google names after the titles. To paste the options of a
   question, paste all its lines into the first option: Google Forms makes one option per line.
   The same goes for the rows and the columns of the grid.
3. After the round: Responses > Link to Sheets; in the sheet, check File > Settings > Locale:
   United States; then File > Download > Comma-separated values (.csv). Ingest that file with
   mapping.yml (it assumes a Google account in English: the first column is "Timestamp").
"""


def google_text(spec: FormSpec, questions: Mapping[str, GoogleQuestion]) -> str:
    """``questions.txt``: the steps, then each question as it is to be typed."""
    lines = [GOOGLE_STEPS.format(title=spec.title, languages=", ".join(spec.langs))]
    for number, question in enumerate(questions.values(), start=1):
        lines.append(f"\n--- Question {number}: {question.kind}{' (required)' if question.required else ''}\n")
        lines.append(f"Title:\n{question.title}\n")
        if question.description:
            lines.append(f"Description:\n{question.description}\n")
        if question.rows:
            lines.append("Rows:\n" + "\n".join(question.rows) + "\n")
        if question.options:
            lines.append(("Columns:\n" if question.rows else "Options:\n") + "\n".join(question.options) + "\n")
    return "".join(lines)


def google_table(questions: Mapping[str, GoogleQuestion]) -> str:
    """``questions.csv``: one question a line; the rows and options one a line within their cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["number", "type", "title", "description", "rows", "options", "required"])
    for number, q in enumerate(questions.values(), start=1):
        writer.writerow(
            [
                number,
                q.kind,
                q.title,
                q.description,
                "\n".join(q.rows),
                "\n".join(q.options),
                "yes" if q.required else "",
            ]
        )
    return buffer.getvalue()


def google_mapping(spec: FormSpec, questions: Mapping[str, GoogleQuestion]) -> bytes:
    """The mapping of the linked sheet's CSV."""
    respondent = {"submitted_at": GOOGLE_TIMESTAMP} | {
        role: questions[role].title
        for role in ("organisation", "constituency", "region", "language")
        if role in questions
    }
    values = {
        dimension: google_choices(spec, dimension)
        for dimension in ("constituency", "region", "language")
        if dimension in questions
    }
    sections: list[tuple[str, dict[str, Any]]] = []
    if len(spec.langs) == 1:
        sections.append(
            ("the form has no language question: every answer is in this language", {"language": spec.first})
        )
    sections += [
        (
            'written for a sheet whose locale is United States ("1/5/2030 9:15:04"); in a sheet set to a\n'
            "European or Latin American locale (File > Settings > Locale), write dates: day-first",
            {"dates": GOOGLE_DATES},
        ),
        (
            f'"{GOOGLE_TIMESTAMP}" is the name Google gives the first column in English; with a French account\n'
            'it is "Horodateur", in Spanish "Marca temporal": copy it from the file into submitted_at',
            {"respondent": respondent},
        ),
        ("the options as the form shows them -> the workbook's ids", {"values": values}),
        (
            "the grid: one column per call, named after its row",
            {
                "ratings": {
                    "scale": google_agreement(spec),
                    "column": Quoted(f"{questions['calls'].title} [{{call}}]"),
                }
            },
        ),
        (
            "",
            {
                "comments": {
                    "columns": {call.id: questions[call.id].title for call in spec.calls},
                    "missing": questions["missing"].title,
                    "consent": questions["consent"].title,
                }
            },
        ),
    ]
    head = f"Google Form {spec.title}, generated with questions.txt and questions.csv: the titles must match.\n"
    head += "This mapping reads the form's linked Google Sheet downloaded as CSV (Responses > Link to Sheets,\n"
    head += "then File > Download > Comma-separated values). Not the file of Responses > Download responses\n"
    head += '(.csv): its Timestamp ("2030/01/05 9:15:04 AM GMT+1") carries the account\'s offset from GMT,\n'
    head += "which changes with daylight saving time, and one dates: pattern cannot read both offsets."
    return mapping_yaml(head, sections)


def google_form(spec: FormSpec) -> dict[str, bytes]:
    """``questions.txt``, ``questions.csv`` and ``mapping.yml``."""
    questions = google_questions(spec)
    return {
        "questions.txt": google_text(spec, questions).encode("utf-8"),
        "questions.csv": google_table(questions).encode("utf-8"),
        MAPPING: google_mapping(spec, questions),
    }


# ---------------------------------------------------------------- typing sheet (XLSX)

LISTS_SHEET = "lists"


def typing_headers(spec: FormSpec) -> dict[str, str]:
    """Role (or call id, or ``comment:<call>``) -> column header, in the first language, in sheet order."""
    lang = spec.first
    profile = ("participant", "organisation", "constituency", "region", "language")
    headers = {role: word(HEADERS[role], lang) for role in profile}
    headers |= {call.id: word(HEADERS["support"], lang, call=call.id) for call in spec.calls}
    headers |= {f"comment:{call.id}": word(HEADERS["comment"], lang, call=call.id) for call in spec.calls}
    headers |= {role: word(HEADERS[role], lang) for role in ("missing", "consent")}
    return headers


def typing_lists(spec: FormSpec) -> dict[str, list[str]]:
    """The drop-down lists by role: the labels of every requested language, each once."""

    def labels(dimension: str) -> list[str]:
        return distinct(spec.vocabulary_label(dimension, v, lang) for v in spec.ids(dimension) for lang in spec.langs)

    return {
        "agreement": distinct(texts[lang] for lang in spec.langs for _, _, texts in AGREEMENT),
        "constituency": labels("constituency"),
        "region": labels("region"),
        "language": distinct(spec.vocabulary_label("language", v, v) for v in spec.ids("language")),
        "consent": distinct(texts[lang] for lang in spec.langs for _, texts in YES_NO),
    }


def _list_validation(sheet: str, column: str, count: int, lang: str) -> DataValidation:
    """A drop-down list of the values in ``sheet`` column ``column``, rows 2 to ``count`` + 1."""
    titles = {"fr": "Valeur hors liste", "en": "Not in the list", "es": "Valor fuera de la lista"}
    messages = {
        "fr": "Choisissez une valeur de la liste.",
        "en": "Choose a value from the list.",
        "es": "Elija un valor de la lista.",
    }
    return DataValidation(
        type="list",
        formula1=f"{sheet}!${column}$2:${column}${count + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=titles[lang],
        error=messages[lang],
    )


def typing_sheet(spec: FormSpec) -> dict[str, bytes]:
    """``typing-sheet.xlsx`` and ``mapping.yml``."""
    headers = typing_headers(spec)
    lists = typing_lists(spec)
    book = _new_book()
    answers = _sheet(book, word(HEADERS["sheet"], spec.first), [list(headers.values())])
    answers.freeze_panes = "B2"
    for cell in answers[1]:
        cell.font = Font(bold=True)
    hidden = _sheet(book, LISTS_SHEET, [list(lists)])
    for index, values in enumerate(lists.values(), start=1):
        for row, value in enumerate(values, start=2):
            hidden.cell(row=row, column=index, value=value)
    hidden.sheet_state = "hidden"
    list_of = {"constituency": "constituency", "region": "region", "language": "language", "consent": "consent"}
    list_of |= {call.id: "agreement" for call in spec.calls}
    letters = {name: get_column_letter(index) for index, name in enumerate(lists, start=1)}
    for position, role in enumerate(headers, start=1):
        answers.column_dimensions[get_column_letter(position)].width = 18 if role in list_of else 28
        if role in list_of:
            name = list_of[role]
            validation = _list_validation(LISTS_SHEET, letters[name], len(lists[name]), spec.first)
            answers.add_data_validation(validation)
            validation.add(f"{get_column_letter(position)}2:{get_column_letter(position)}{TYPING_ROWS + 1}")
    return {"typing-sheet.xlsx": xlsx_bytes(book), MAPPING: typing_mapping(spec, headers, answers.title)}


def typing_mapping(spec: FormSpec, headers: Mapping[str, str], sheet: str) -> bytes:
    """The mapping of the filled-in typing sheet."""
    lang = spec.first
    sections: list[tuple[str, dict[str, Any]]] = [
        ("", {"format": "xlsx", "sheet": sheet}),
        ("a row whose language cell is empty is in the session's language", {"language": lang}),
        (
            "the participant number tells the rows apart; the sheet has no date",
            {
                "respondent": {
                    "id": headers["participant"],
                    "organisation": headers["organisation"],
                    "constituency": headers["constituency"],
                    "region": headers["region"],
                    "language": headers["language"],
                }
            },
        ),
        (
            "the drop-down lists hold the scale's labels and the vocabulary's: no values: section is needed",
            {"ratings": {"scale": "agreement-5", "column": Quoted(word(HEADERS["support"], lang, call="{call}"))}},
        ),
        (
            "",
            {
                "comments": {
                    "column": Quoted(word(HEADERS["comment"], lang, call="{call}")),
                    "missing": headers["missing"],
                    "consent": headers["consent"],
                }
            },
        ),
    ]
    head = f"Typing sheet {spec.title}, generated with typing-sheet.xlsx: keep its column names.\n"
    head += "One row per participant, typed during the session; pick the answers in the drop-down lists."
    return mapping_yaml(head, sections)


FORM_TOOLS: dict[str, FormWriter] = {"kobo": kobo_form, "google-forms": google_form, "typing-sheet": typing_sheet}
