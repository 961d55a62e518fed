import datetime as dt
from pathlib import Path

import pytest

from draftbook.analysis.lineage import check_lineage, text_after
from draftbook.book.statement import write_statement
from draftbook.model.calls import Call, load_calls
from draftbook.model.decisions import load_decisions
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.present.diff import diff_html, word_diff
from tests.conftest import WORKBOOK_FIXTURE, write

CALLS = ["CTA-01", "CTA-02", "CTA-05", "CTA-06"]
GOOD = """decisions:
  - call: CTA-05
    decision: merge
    into: [CTA-14]
    rationale: {fr: "Fusion.", en: "Merged."}
    evidence: [support, "theme:financing", C-0123456789]
    decided_on: 2022-03-10
  - call: CTA-06
    decision: drop
    rationale: {fr: "Retiré."}
    decided_on: 2022-03-10
  - call: CTA-15
    decision: add
    rationale: {fr: "Ajouté."}
    decided_on: 2022-03-10
"""


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return load_decisions(
        write(tmp_path / "decisions.yml", text), calls=CALLS, themes=["financing"], comments=["C-0123456789"]
    )


def test_good_decisions(tmp_path: Path) -> None:
    decisions = load(tmp_path, GOOD)
    assert [d.decision for d in decisions] == ["merge", "drop", "add"]
    assert decisions[0].into == ("CTA-14",) and decisions[0].decided_on == dt.date(2022, 3, 10)
    assert decisions[1].rationale_in("es") == "Retiré."  # falls back to French
    assert load_decisions(tmp_path / "none.yml", calls=CALLS) == []


@pytest.mark.parametrize(
    ("change", "message", "key"),
    [
        (("decision: drop", "decision: bury"), 'CTA-06: unknown decision "bury"', "CTA-06.decision"),
        (('    rationale: {fr: "Retiré."}\n', ""), "required", "CTA-06.rationale"),
        (('{fr: "Retiré."}', '{fr: " ", en: ""}'), "the rationale is empty", "CTA-06.rationale"),
        (
            ("    decided_on: 2022-03-10\n  - call: CTA-15", "    decided_on: soon\n  - call: CTA-15"),
            "not a date",
            "CTA-06.decided_on",
        ),
        (("    into: [CTA-14]\n", ""), "a merge names the calls it became", "CTA-05.into"),
        (("C-0123456789", "C-ffffffffff"), "refers to nothing in this round", "CTA-05.evidence"),
        (('"theme:financing"', '"theme:music"'), "refers to nothing", "CTA-05.evidence"),
        (("call: CTA-06", "call: CTA-99"), "CTA-99 was not tested in this round", "CTA-99.call"),
        (("call: CTA-06", "call: CTA-05"), "CTA-05 has two decisions", "CTA-05.call"),
        (
            ("    decided_on: 2022-03-10\n  - call: CTA-06", "    decidedon: 2022-03-10\n  - call: CTA-06"),
            'did you mean "decided_on"',
            "CTA-05.decidedon",
        ),
    ],
)  # fmt: skip
def test_bad_decisions_name_the_call_and_the_field(
    tmp_path: Path, change: tuple[str, str], message: str, key: str
) -> None:
    with pytest.raises(DataFileError, match=message) as caught:
        load(tmp_path, GOOD.replace(*change, 1))
    assert caught.value.key == key


def call(call_id: str, text: str = "t", replaces: tuple[str, ...] = ()) -> Call:
    return Call(call_id, "national-governments", "x", {"fr": text, "en": text, "es": text}, replaces)


def test_lineage_carried_replacing_new_gone(tmp_path: Path) -> None:
    decisions = load(tmp_path, GOOD)
    before = [call("CTA-01"), call("CTA-02"), call("CTA-05"), call("CTA-06")]
    after = [call("CTA-01"), call("CTA-02"), call("CTA-14", replaces=("CTA-05",)), call("CTA-15")]
    report = check_lineage(before, after, decisions, before_name="r1", after_name="r2")
    assert report.carried == ["CTA-01", "CTA-02"]
    assert report.replacing == {"CTA-14": ("CTA-05",)}
    assert report.new == ["CTA-15"] and report.gone == ["CTA-05", "CTA-06"]


def test_lineage_breaks_are_named(tmp_path: Path) -> None:
    decisions = load(tmp_path, GOOD)
    before = [call("CTA-01"), call("CTA-05"), call("CTA-06")]
    with pytest.raises(DataFileError, match="CTA-01 disappears from r2 but there is no decision"):
        check_lineage(before, [call("CTA-14", replaces=("CTA-05",))], decisions, before_name="r1", after_name="r2")
    with pytest.raises(DataFileError, match="CTA-14 replaces CTA-77"):
        check_lineage(before, [call("CTA-14", replaces=("CTA-77",))], decisions, before_name="r1", after_name="r2")
    with pytest.raises(DataFileError, match="none of those calls declares replaces: \\[CTA-05\\]"):
        check_lineage(before, [call("CTA-01"), call("CTA-14")], decisions, before_name="r1", after_name="r2")


def test_shipped_rounds_have_a_consistent_lineage(workbook: Workbook) -> None:
    from draftbook.analysis.coding import comment_ids
    from draftbook.model.codebook import load_codebook
    from draftbook.model.rounds import load_rounds, read_table

    rounds = load_rounds(workbook)
    codebook = load_codebook(workbook.codebook_file)
    for round_ in rounds:
        after, name = text_after(workbook, round_, rounds)
        decisions = load_decisions(
            round_.folder / "decisions.yml",
            calls=[c.id for c in round_.calls],
            themes=list(codebook),
            comments=comment_ids(read_table(round_, "comments")).tolist(),
        )
        assert decisions, round_.id
        check_lineage(round_.calls, after, decisions, before_name=round_.id, after_name=name)


def test_word_diff_of_known_texts() -> None:
    parts = word_diff("Give regional governments the means", "Give regional governments the real means now")
    assert parts == [
        ("equal", "Give regional governments the"),
        ("insert", "real"),
        ("equal", "means"),
        ("insert", "now"),
    ]
    parts = word_diff("a b c", "a x c")
    assert parts == [("equal", "a"), ("delete", "b"), ("insert", "x"), ("equal", "c")]
    html = diff_html(word_diff("les <b>anciens</b> mots", "les nouveaux mots"), "fr")
    assert "<del>" in html and "<ins>" in html and "&lt;b&gt;anciens&lt;/b&gt;" in html
    assert "[supprimé : " in html and "[ajouté : " in html  # read out by screen readers, visible in print
    english = diff_html(word_diff("old words", "new words"), "en")
    assert "[deleted: " in english and " : " not in english  # each language its own punctuation


def test_statement_in_three_languages(tmp_path: Path) -> None:
    from docx import Document

    calls = load_calls(WORKBOOK_FIXTURE / "data" / "calls.yml")
    for lang, heading in (("fr", "Appels à l'action"), ("en", "Calls to action"), ("es", "Llamados a la acción")):
        path = write_statement(
            calls, "Round", dt.date(2022, 6, 15), lang, tmp_path / f"s-{lang}.docx", title="A paper", author="Team X"
        )
        document = Document(str(path))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
        assert heading in headings and "A paper" in headings and document.core_properties.author == "Team X"
        assert len([h for h in headings if h]) == 2 + 3  # title, subtitle, three addressees
        body = "\n".join(p.text for p in document.paragraphs)
        for item in calls:
            assert f"{item.id} — {item.text_in(lang)}" in body
        assert "2022-06-15" in body and "Team X" in body
        assert "ample" not in body and "xemple" not in body  # no sample line unless the workbook's author says so
