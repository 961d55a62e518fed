"""`draftbook round new`: the next round opened without copying folders by hand."""

from __future__ import annotations

import pytest

from draftbook.analysis.weighing import load_round_assessments
from draftbook.cli import main
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, load_rounds, new_round, read_table

NEW = [
    "round", "new", "2027-03-regional-survey", "--title", "Enquête régionale", "--kind", "survey",
    "--start", "2027-03-01", "--end", "2027-03-21", "--invited", "400",
]  # fmt: skip


def test_a_new_round_has_its_files_and_the_calls_as_they_stand(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(NEW) == 0
    assert "Opened round 2027-03-regional-survey" in capsys.readouterr().out
    round_ = load_round(workbook, "2027-03-regional-survey")
    assert (round_.title, round_.kind, str(round_.start), round_.invited) == (
        "Enquête régionale",
        "survey",
        "2027-03-01",
        400,
    )
    assert list(round_.languages) == ["fr", "en", "es"]
    assert (round_.folder / "calls.yml").read_bytes() == workbook.calls_file.read_bytes()
    assert (round_.folder / "sources").is_dir()
    assert load_round_assessments(round_.folder, [c.id for c in round_.calls]) is None  # the template: not assessed
    assert "calls:" not in (round_.folder / "assessments.yml").read_text() and len(round_.calls) > 0
    assert read_table(round_, "respondents").empty
    assert "2027-03-regional-survey" in [r.id for r in load_rounds(workbook)]
    assert main(["status"]) == 0
    assert "2027-03-regional-survey  survey" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (NEW, "exists already"),  # the second time
        ([*NEW[:2], "../outside", *NEW[3:]], "is not a round id"),
        (
            [
                "round",
                "new",
                "other",
                "--title",
                "T",
                "--kind",
                "survey",
                "--start",
                "2027-03-21",
                "--end",
                "2027-03-01",
            ],
            "ends (2027-03-01) before it starts",
        ),
    ],
)
def test_round_new_refuses(
    workbook: Workbook, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    if message == "exists already":
        assert main(NEW) == 0
        capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_round_new_usage_errors_exit_2(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in (["--kind", "poll"], ["--start", "1 March"], ["--invited", "-3"]):
        argv = list(NEW)
        argv[argv.index(bad[0]) + 1] = bad[1]
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2


def test_a_live_round_is_a_session(workbook: Workbook) -> None:
    argv = list(NEW)
    argv[argv.index("--kind") + 1] = "live"
    assert main(argv) == 0
    assert load_round(workbook, "2027-03-regional-survey").kind == "session"


@pytest.mark.slow
def test_a_new_round_with_no_answers_yet_runs_every_page(workbook: Workbook, tmp_path: object) -> None:
    """Every notebook of the round, through the real pipeline: pages that say there are no answers yet."""
    from pathlib import Path

    import nbformat

    from draftbook.book.pipeline import execute_runs, plan_runs

    assert main(NEW) == 0
    round_ = load_round(workbook, "2027-03-regional-survey")
    runs = [run for run in plan_runs(workbook, [round_], "fr") if run.round_id == round_.id]
    stage = Path(str(tmp_path)) / "stage"
    report = execute_runs(workbook, runs, stage, progress=lambda _: None)
    assert len(report.ran) == len(runs) >= 5 and not report.failed
    shown = ""
    for run in runs:
        for cell in nbformat.read(stage / run.output, as_version=4).cells:
            for output in cell.get("outputs", []):
                shown += str(output.get("data", {}).get("text/plain", "")) + str(output.get("text", ""))
    assert "Aucune réponse" in shown or "aucune réponse" in shown or "pas encore" in shown, shown[:2000]


@pytest.mark.parametrize("tool", ["kobo", "google-forms", "typing-sheet"])
def test_round_form_through_the_command_line(workbook: Workbook, capsys: pytest.CaptureFixture[str], tool: str) -> None:
    assert main(NEW) == 0
    form = ["round", "form", "2027-03-regional-survey", "--source", "online", "--tool", tool, "--lang", "en"]
    assert main(form) == 0
    out = capsys.readouterr().out
    assert "mapping.yml" in out and "When the answers are in: draftbook ingest 2027-03-regional-survey" in out
    assert (workbook.round_dir("2027-03-regional-survey") / "sources" / "online" / "mapping.yml").is_file()
    assert main(form) == 1  # never overwrites a mapping
    assert "has a mapping already" in capsys.readouterr().err


@pytest.mark.slow
def test_the_book_builds_with_zero_rounds_then_with_a_new_round(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team's own paper starts with no round; the book builds strictly, then again after `round new`."""
    import shutil

    for folder in workbook.rounds_dir.iterdir():
        shutil.rmtree(folder)
    assert main(["build", "--strict", "--lang", "fr"]) == 0
    assert "0 round(s)" in capsys.readouterr().out
    assert main(NEW) == 0
    assert main(["build", "--strict", "--lang", "fr"]) == 0
    page = workbook.html_dir / "fr" / "rounds" / "2027-03-regional-survey" / "participation.html"
    assert page.is_file() and "Enquête régionale" in page.read_text(encoding="utf-8")


def test_a_one_day_round_is_written_without_a_yaml_alias(workbook: Workbook) -> None:
    import datetime as dt

    day = dt.date(2031, 5, 4)
    folder = new_round(workbook, "2031-05-debate", title="Débat", kind="session", start=day, end=day, languages=["fr"])
    assert "&id" not in (folder / "round.yml").read_text(encoding="utf-8")
    assert load_round(workbook, "2031-05-debate").start == load_round(workbook, "2031-05-debate").end == day
