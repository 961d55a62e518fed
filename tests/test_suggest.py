"""Suggested theme codes: learned from the analyst's codes and the keywords, shown for review, never published."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from draftbook.analysis.coding import auto_codes, coding_quality, comment_ids, round_comments
from draftbook.analysis.suggest import (
    COLUMNS,
    MIN_POSITIVES,
    SUGGESTIONS_FILE,
    THRESHOLD,
    VETO,
    Suggester,
    SuggestionReport,
    best_pair,
    best_threshold,
    both,
    doubts,
    reconcile,
    train,
    write_suggestions,
)
from draftbook.model.codebook import load_codebook
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, load_rounds, new_round, read_table
from tests.conftest import FIXTURES, REPO, WORKBOOK_FIXTURE, copy_workbook

THEMES = load_codebook(WORKBOOK_FIXTURE / "data" / "codebook.yml")
TARGET = "2022-05-written-feedback"
TEACHER = "2022-04-regional-sessions"
# The French wording has no keyword (the English and Spanish ones say "resources" / "recursos"):
UNCODED = "La formulation est trop générale : qui fait quoi, et avec quels moyens ?"


def fixture(name: str) -> tuple[list[str], list[set[str]]]:
    frame = pd.read_csv(FIXTURES / name, dtype=str, keep_default_na=False)
    return frame["text"].tolist(), [set(codes.split(";")) - {""} for codes in frame["themes"]]


LABELLED = fixture("comments-labelled.csv")


@pytest.fixture(scope="module")
def development() -> tuple[list[str], list[set[str]]]:
    """The labelled comments the suggestions may learn from: the labelled fixture and the training one."""
    texts, labels = LABELLED
    more_texts, more_labels = fixture("comments-training.csv")
    return texts + more_texts, labels + more_labels


@pytest.fixture(scope="module")
def model(development: tuple[list[str], list[set[str]]]) -> Suggester:
    return train(*development, THEMES)


def test_same_input_gives_the_same_suggestions() -> None:
    texts, labels = LABELLED
    heldout, _ = fixture("comments-heldout.csv")
    first, second = train(texts, labels, THEMES), train(list(texts), [set(x) for x in labels], THEMES)
    assert first.themes == second.themes
    assert np.array_equal(first.confidences(heldout), second.confidences(heldout))
    low = replace(first, threshold=0.1)
    assert low.suggest(heldout) == replace(second, threshold=0.1).suggest(heldout)
    assert any(low.suggest(heldout))


def test_a_word_the_analyst_taught_is_suggested() -> None:
    """Tontines (rotating savings groups) are financing; no keyword knows the word, the analyst's codes do."""
    taught = [
        "Les tontines du marché font vivre nos commerçants.",
        "Nous comptons sur les tontines pour les petits projets.",
        "Our traders get started thanks to tontines.",
        "Our town relies on tontines for small projects.",
        "Las tontinas sostienen a nuestros comerciantes.",
        "Dependemos de las tontinas para los pequeños proyectos.",
    ]
    new = "Sans les tontines, rien ne se ferait ici."
    assert auto_codes([*taught, new], THEMES) == [[]] * 7  # the keywords code none of them
    texts, labels = LABELLED
    model = train([*texts, *taught], [*labels, *[{"financing"}] * len(taught)], THEMES)
    suggested = dict(model.suggest([new])[0])
    assert suggested.get("financing", 0) >= THRESHOLD
    assert "financing" not in dict(model.suggest(["Les écoles manquent de professeurs."])[0])


@pytest.mark.parametrize("threshold", [0.05, 0.2, 0.5, 0.9])
def test_suggestions_are_never_below_the_threshold(model: Suggester, threshold: float) -> None:
    texts = fixture("comments-heldout.csv")[0] + LABELLED[0] + ["", "?!", "👍👍"]
    sized = replace(model, threshold=threshold)
    confidences = sized.confidences(texts)
    for row, suggested in zip(confidences, sized.suggest(texts), strict=True):
        assert all(value >= threshold for _, value in suggested)
        assert [value for _, value in suggested] == sorted((value for _, value in suggested), reverse=True)
        expected = {theme for theme, value in zip(sized.themes, row, strict=True) if value >= threshold}
        assert {theme for theme, _ in suggested} == expected  # every theme at or above it, none below
    assert sized.suggest(["", "?!", "👍👍"]) == [[], [], []]  # nothing to code, nothing suggested


def test_both_never_drops_a_keyword_code(model: Suggester) -> None:
    texts = fixture("comments-heldout.csv")[0] + LABELLED[0]
    keywords = auto_codes(texts, THEMES)
    suggested = replace(model, threshold=0.05).suggest(texts)
    combined = both(keywords, suggested)
    for codes, extra, result in zip(keywords, suggested, combined, strict=True):
        assert result[: len(codes)] == codes  # every keyword code kept, first, in order
        assert set(result) == set(codes) | {theme for theme, _ in extra}
        assert len(result) == len(set(result))
    assert both([["a", "b"]], [[("b", 0.9), ("c", 0.6)]]) == [["a", "b", "c"]]
    assert both([["a"]], [[]]) == [["a"]]


@pytest.mark.parametrize(("veto", "threshold"), [(0.0, 0.5), (0.05, 0.2), (0.2, 0.5), (0.3, 0.3), (0.5, 0.9)])
def test_reconciled_drops_only_vetoed_keyword_codes_and_adds_only_confident_themes(
    model: Suggester, veto: float, threshold: float
) -> None:
    texts = fixture("comments-heldout.csv")[0] + LABELLED[0] + ["", "?!"]
    keywords = auto_codes(texts, THEMES)
    sized = replace(model, threshold=threshold)
    result = sized.reconcile(texts, keywords, veto=veto)
    assert result == sized.reconcile(list(texts), [list(codes) for codes in keywords], veto=veto)  # deterministic
    dropped = added = 0
    for codes, row, reconciled in zip(keywords, sized.confidences(texts), result, strict=True):
        confidence = dict(zip(sized.themes, row, strict=True))
        assert len(reconciled) == len(set(reconciled))
        for theme in reconciled:  # a keyword code the model does not veto, or a theme at or above t
            if theme in codes:
                assert confidence.get(theme, 1.0) >= veto or confidence[theme] >= threshold
            else:
                assert confidence[theme] >= threshold
                added += 1
        for theme in codes:  # a keyword code at or above v (or of a theme not learned) is never dropped
            if theme not in confidence or confidence[theme] >= veto:
                assert theme in reconciled
            else:
                dropped += theme not in reconciled
        assert {theme for theme, value in confidence.items() if value >= threshold} <= set(reconciled)
    assert added > 0 and (dropped > 0) == (veto > 0)  # both ways exercised on the fixtures
    assert result[-2:] == [[], []]  # nothing to code
    if veto == 0:  # no veto: keyword codes plus suggestions
        assert result == both(keywords, sized.suggest(texts))


def test_reconcile_by_hand() -> None:
    themes, confidences = ("a", "b", "c"), np.array([[0.1, 0.9, 0.3], [0.2, 0.6, 0.05], [0.0, 0.0, 0.0]])
    keywords = [["a", "b"], ["c", "z"], []]  # "z" is a theme the model did not learn: never vetoed
    assert reconcile(keywords, themes, confidences, veto=0.25, threshold=0.5) == [["b"], ["z", "b"], []]
    assert reconcile(keywords, themes, confidences, veto=0.0, threshold=0.5) == [["a", "b"], ["c", "z", "b"], []]
    assert reconcile(keywords, themes, confidences, veto=0.1, threshold=0.95) == [["a", "b"], ["z"], []]
    assert doubts(keywords, themes, confidences, 0.25) == [[("a", 0.1)], [("c", 0.05)], []]
    assert doubts(keywords, themes, confidences, VETO) == [[], [], []]
    with pytest.raises(ValueError, match="rows of keyword codes"):
        doubts(keywords[:2], themes, confidences, 0.5)


def test_the_pair_with_the_best_score_wins_and_ties_go_to_the_lower_veto() -> None:
    table = pd.DataFrame(
        {
            "veto": [0.0, 0.0, 0.02, 0.1, 0.1],
            "threshold": [0.3, 0.5, 0.5, 0.5, 0.9],
            "reconciled": [0.7, 0.7, 0.7, 0.6, 0.1],
        }
    )
    assert best_pair(table) == (0.0, 0.5)
    assert best_pair(table.assign(reconciled=[0.1, 0.2, 0.3, 0.9, 0.9])) == (0.1, 0.9)


def test_training_checks_its_labels() -> None:
    with pytest.raises(ValueError, match="unknown theme"):
        train(["Des fonds pour les villes.", "Rien."], [{"financing"}, {"nonsense"}], THEMES)
    with pytest.raises(ValueError, match="2 texts but 1"):
        train(["a text", "another"], [set()], THEMES)
    rare = train(LABELLED[0] + ["Le football des enfants."], [*LABELLED[1], {"sport"}], [*THEMES, "sport"])
    assert "sport" not in rare.themes and MIN_POSITIVES > 1  # one example is not enough to learn from
    assert set(rare.themes) == {theme for labels in LABELLED[1] for theme in labels}
    nothing = train(["Merci.", "Bravo."], [set(), set()], THEMES)
    assert nothing.themes == () and nothing.suggest(["Des fonds pour les villes."]) == [[]]


def test_the_threshold_with_the_best_score_wins_and_ties_go_higher() -> None:
    table = pd.DataFrame({"threshold": [0.2, 0.4, 0.6], "suggestions": [0.5, 0.7, 0.7], "both": [0.9, 0.8, 0.1]})
    assert best_threshold(table, "suggestions") == 0.6
    assert best_threshold(table, "both") == 0.2


def test_on_the_fixtures_the_better_method_is_no_worse_than_the_keywords(model: Suggester) -> None:
    """The held-out check of the benchmark (the figures and the target are in benchmarks/README.md)."""
    texts, gold = fixture("comments-heldout.csv")
    keywords = auto_codes(texts, THEMES)
    suggested = model.suggest(texts)

    def macro(predicted: list[list[str]]) -> float:
        return float(coding_quality(gold, predicted)["f1"].mean())

    alone = macro([[theme for theme, _ in row] for row in suggested])
    combined = macro(both(keywords, suggested))
    assert max(alone, combined) >= macro(keywords) - 1e-9
    assert macro(keywords) >= 0.719  # the recorded 0.720 of the keywords alone


# The analyst's review list


def published(workbook: Workbook) -> dict[str, pd.DataFrame]:
    """Every round's coded comments, as the book's pages get them."""
    return {
        round_.id: round_comments(round_.folder, read_table(round_, "comments"), THEMES)
        for round_ in load_rounds(workbook)
    }


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbook, SuggestionReport, dict[str, pd.DataFrame]]:
    """A workbook whose analyst coded the French comment the keywords miss as financing, in one round; the
    review list of the next round; and the published codes from before the list was written."""
    workbook = copy_workbook(tmp_path_factory.mktemp("suggest") / "workbook")
    folder = workbook.round_dir(TEACHER)
    comments = pd.read_csv(folder / "comments.csv", dtype=str, keep_default_na=False)
    ids = comment_ids(comments)[comments["text"] == UNCODED]
    assert len(ids) >= 1
    (folder / "coding.csv").write_text("comment,themes\n" + "".join(f"{cid},financing\n" for cid in ids))
    before = published(workbook)
    return workbook, write_suggestions(workbook, TARGET), before


def test_the_review_list(reviewed: tuple[Workbook, SuggestionReport, dict[str, pd.DataFrame]]) -> None:
    workbook, report, _ = reviewed
    assert report.path == workbook.round_dir(TARGET) / SUGGESTIONS_FILE and report.round == TARGET
    assert report.analyst_coded >= 1 and report.trained_on > report.comments > 0
    assert str(report).startswith(str(report.path)) and "coding.csv" in str(report)
    table = pd.read_csv(report.path, dtype=str, keep_default_na=False)
    assert tuple(table.columns) == COLUMNS
    private = {"respondent", "name", "email", "e-mail", "mail", "phone", "ip", "constituency", "region"}
    assert not private & {column.lower() for column in table.columns}
    assert len(table) == report.suggested > 0 and (table["status"] == "suggested").all()
    assert report.suggestions == sum(len(cell.split(", ")) for cell in table["suggested"] if cell)
    assert report.veto == VETO == 0 and report.doubtful == 0 and (table["doubtful"] == "").all()  # no veto by default

    coded = round_comments(workbook.round_dir(TARGET), read_table(load_round(workbook, TARGET), "comments"), THEMES)
    keyword_codes = dict(zip(coded["comment"], coded["themes"], strict=True))
    assert set(table["comment"]) <= set(keyword_codes) and table["comment"].is_unique
    top = []
    for comment, codes, cell in zip(table["comment"], table["keyword_codes"], table["suggested"], strict=True):
        assert codes == ";".join(keyword_codes[comment])
        assert cell  # without a veto, a row is there for what it adds
        pairs = [part.split(":") for part in cell.split(", ")]
        assert all(theme in THEMES and theme not in keyword_codes[comment] for theme, _ in pairs)  # adds something
        assert all(float(value) >= THRESHOLD for _, value in pairs)
        top.append(max(float(value) for _, value in pairs))
    assert top == sorted(top, reverse=True)  # most confident first
    taught = table[table["text"] == UNCODED]  # what the analyst coded in the other round is suggested here
    assert len(taught) == (coded["text"] == UNCODED).sum() > 0
    assert all(cell.startswith("financing:") for cell in taught["suggested"])


def test_suggestions_are_not_published(
    reviewed: tuple[Workbook, SuggestionReport, dict[str, pd.DataFrame]],
) -> None:
    workbook, report, before = reviewed
    assert report.path.is_file() and report.suggested > 0
    # a review list that looks like a coding file does not count either
    lookalike = workbook.round_dir(TEACHER) / SUGGESTIONS_FILE
    lookalike.write_text("comment,themes\n" + "".join(f"{cid},gender-equality\n" for cid in before[TEACHER]["comment"]))
    after = published(workbook)
    assert before.keys() == after.keys()
    for round_id, table in before.items():
        pd.testing.assert_frame_equal(table, after[round_id])
    assert not any("gender-equality" in codes for codes in after[TEACHER]["themes"])


@pytest.fixture(scope="module")
def doubted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbook, SuggestionReport, dict[str, pd.DataFrame]]:
    """The review list of a round written with a veto, and the published codes from before it was written."""
    workbook = copy_workbook(tmp_path_factory.mktemp("doubt") / "workbook")
    before = published(workbook)
    return workbook, write_suggestions(workbook, TARGET, veto=0.3), before


def test_the_review_list_lists_doubtful_keyword_codes(
    doubted: tuple[Workbook, SuggestionReport, dict[str, pd.DataFrame]],
) -> None:
    workbook, report, before = doubted
    assert report.veto == 0.3 and "doubted at confidence < 0.30" in str(report)
    table = pd.read_csv(report.path, dtype=str, keep_default_na=False)
    assert tuple(table.columns) == COLUMNS and table["comment"].is_unique
    assert len(table) == report.suggested and ((table["suggested"] != "") | (table["doubtful"] != "")).all()
    assert report.doubtful == sum(len(cell.split(", ")) for cell in table["doubtful"] if cell) > 0
    assert report.suggestions == sum(len(cell.split(", ")) for cell in table["suggested"] if cell)
    keyword_codes = dict(zip(before[TARGET]["comment"], before[TARGET]["themes"], strict=True))
    top = []
    for comment, codes, suggested, doubtful in table[["comment", "keyword_codes", "suggested", "doubtful"]].itertuples(
        index=False
    ):
        assert codes == ";".join(keyword_codes[comment])
        added = [part.split(":") for part in suggested.split(", ") if suggested]
        removed = [part.split(":") for part in doubtful.split(", ") if doubtful]
        assert all(theme not in keyword_codes[comment] and float(value) >= THRESHOLD for theme, value in added)
        assert all(theme in keyword_codes[comment] and float(value) < 0.3 for theme, value in removed)  # remove?
        assert [float(value) for _, value in removed] == sorted(float(value) for _, value in removed)
        top.append(max([float(value) for _, value in added] + [1 - float(value) for _, value in removed]))
    assert top == sorted(top, reverse=True)
    # still only a suggestion: the doubted keyword codes stay published
    after = published(workbook)
    for round_id, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[round_id])


def test_no_page_reads_the_review_list() -> None:
    """Only the module that writes it names the review list (and the command line, which calls it)."""
    readers = []
    ignored = f'REVIEW_FILES = ("{SUGGESTIONS_FILE}",)'  # model/rounds.py: the files the build ignores
    for path in sorted((REPO / "draftbook").rglob("*.py")):
        text = path.read_text(encoding="utf-8").replace(ignored, "")
        if path.name not in ("suggest.py", "cli.py") and ("SUGGESTIONS_FILE" in text or SUGGESTIONS_FILE in text):
            readers.append(str(path.relative_to(REPO)))
        if path.name not in ("suggest.py", "cli.py") and "analysis.suggest" in text:
            readers.append(str(path.relative_to(REPO)))
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "".join("".join(cell["source"]) for cell in cells)
        if SUGGESTIONS_FILE in source or "analysis.suggest" in source:
            readers.append(str(path.relative_to(REPO)))
    assert not readers


def test_an_empty_round_gets_an_empty_list(workbook: Workbook) -> None:
    start, end = dt.date(2023, 1, 10), dt.date(2023, 1, 20)
    new_round(workbook, "2023-01-empty", title="Empty", kind="survey", start=start, end=end, languages=["fr"])
    report = write_suggestions(workbook, "2023-01-empty")
    assert (report.comments, report.suggested, report.suggestions) == (0, 0, 0)
    assert report.path.read_text(encoding="utf-8") == ",".join(COLUMNS) + "\n"


def test_an_unknown_round_is_a_data_error(workbook: Workbook) -> None:
    with pytest.raises(DataFileError, match="no round"):
        write_suggestions(workbook, "2099-01-nowhere")
    with pytest.raises(DataFileError, match="not a round id"):
        write_suggestions(workbook, "../outside")
    assert not list(Path(workbook.rounds_dir).rglob(SUGGESTIONS_FILE))
