"""The command line as a user meets it: help, exit codes, messages, real builds."""

from pathlib import Path

import pytest

from draftbook.cli import main
from draftbook.model.paths import Workbook
from tests.conftest import write


def test_help_explains_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["build", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "Papermill" in out and "--round" in out and "_build/html" in out
    with pytest.raises(SystemExit):
        main(["status", "--help"])
    assert "stale" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["publish-everything"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["build", "--lang", "de"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_malformed_calls_stop_the_build_before_any_work(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook.calls_file
    path.write_text(path.read_text(encoding="utf-8").replace("addressee: national-governments", "adressee: x", 1))
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "data/calls.yml" in err and "adressee" in err and 'did you mean "addressee"' in err
    assert not (workbook.build_dir / "stage").exists()


def test_malformed_round_stops_the_build(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    write(workbook.round_dir("2022-02-gtf-debate") / "round.yml", "title: x\nkind: session\n")
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "2022-02-gtf-debate/round.yml" in err and 'key "start"' in err


def test_unknown_round_is_a_data_error(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--round", "2030-01-none"]) == 1
    assert "known rounds: 2022-02-gtf-debate" in capsys.readouterr().err


def test_status_lists_rounds_and_what_is_stale(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "2022-02-gtf-debate  session" in out and "41 respondents" in out
    # 8 pages per round and the calls page, each run once for the three languages
    assert "Stale: never built (25 notebook runs, each drawing every language of the book)." in out
    assert "not built yet" in out


@pytest.mark.slow
def test_build_then_a_failing_notebook_leaves_the_previous_book(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--round", "2022-02-gtf-debate", "--strict", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "[1/25]" in out and "The book is ready" in out
    assert "never built: left out  support.ipynb (round 2022-05-written-feedback)" in out
    assert not (workbook.html_dir / "fr" / "rounds" / "2022-05-written-feedback").exists()
    site = workbook.html_dir / "fr"
    page = (site / "rounds" / "2022-02-gtf-debate" / "support.html").read_text(encoding="utf-8")
    assert "CTA-13" in page and 'alt="Répartition des réponses' in page
    assert "round = " not in page  # the parameters cell is not shown to readers
    assert (site / "notebooks" / "calls.html").is_file()
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert "  support.ipynb (round 2022-05-written-feedback): never built" in status
    assert "support.ipynb (round 2022-02-gtf-debate)" not in status  # built: up to date
    assert "English" not in status  # the runs drew every language: the English book needs no run of its own
    before = {p: p.read_bytes() for p in site.rglob("*.html")}

    assert main(["build", "--round", "2022-02-gtf-debate", "--strict", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "9 reused" in out and "Français: nothing changed since the last build" in out
    # lenient after strict: the book is rebuilt
    assert main(["build", "--round", "2022-02-gtf-debate", "--lang", "fr"]) == 0
    assert "Building the book with jupyter-book (Français, 1 at a time)" in capsys.readouterr().out

    assert main(["build", "--round", "2022-04-regional-sessions", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "8 notebook run(s) executed, 1 reused, 8 of other rounds kept as they were" in out
    assert (site / "rounds" / "2022-02-gtf-debate" / "support.html").is_file()  # still in the book
    before = {p: p.read_bytes() for p in site.rglob("*.html")}

    broken = workbook.notebooks_dir / "support.ipynb"
    broken.write_text(broken.read_text(encoding="utf-8").replace("report.support_section(", "report.support_sektion("))
    assert main(["build", "--round", "2022-02-gtf-debate", "--lang", "fr"]) == 1
    err = capsys.readouterr().err
    assert "notebooks/support.ipynb" in err and "round 2022-02-gtf-debate" in err and "AttributeError" in err
    assert "cell " in err
    assert (workbook.build_dir / "failed" / "2022-02-gtf-debate-support.ipynb").is_file()
    assert {p: p.read_bytes() for p in site.rglob("*.html")} == before


@pytest.mark.slow
def test_a_broken_reference_fails_the_strict_build(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    chapter = workbook.book_dir / "context.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nVoir {ref}`ch-nowhere`.\n", encoding="utf-8")
    assert main(["build", "--round", "2022-02-gtf-debate", "--strict", "--lang", "fr"]) == 1
    err = capsys.readouterr().err
    assert "jupyter-book failed" in err and "ch-nowhere" in err
    assert not Path(workbook.html_dir).exists()


def test_missing_calls_file_is_named(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    workbook.calls_file.unlink()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "data/calls.yml: the file does not exist" in err


def test_ingest_prints_what_happened_to_every_row(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.exports import PEOPLE, ROUND, csv_export, make_mapping, make_round

    make_round(workbook)
    mapping = make_mapping(workbook)
    export = workbook.root / "export.csv"
    off = list(PEOPLE[0])
    off[1], off[7] = "o@x.example", "Bof"
    export.write_text(csv_export([*PEOPLE, off]), encoding="utf-8")
    assert main(["ingest", ROUND, str(export), "--mapping", str(mapping)]) == 0
    captured = capsys.readouterr()
    assert "form: 4 rows read -> 3 accepted, 1 quarantined, 0 superseded" in captured.out
    assert "an answer is not on the scale: 1" in captured.out
    assert "reading export.csv" in captured.err  # progress goes to stderr
    assert main(["status"]) == 0
    assert "form (3 accepted, 1 quarantined, 0 superseded)" in capsys.readouterr().out


def test_ingest_that_accepts_no_row_exits_1_and_says_why(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.exports import PEOPLE, ROUND, csv_export, make_mapping, make_round

    make_round(workbook)
    mapping = make_mapping(workbook)
    export = workbook.root / "export.csv"
    export.write_text(csv_export([[*p[:5], "Northeast", *p[6:]] for p in PEOPLE]), encoding="utf-8")
    assert main(["ingest", ROUND, str(export), "--mapping", str(mapping)]) == 1
    err = capsys.readouterr().err
    assert "no row of export.csv was accepted" in err and "Traceback" not in err
    assert 'unknown region "Northeast" (3 rows): add it under values: region: in the mapping' in err
    assert not (workbook.round_dir(ROUND) / "respondents.csv").exists()


def test_ingest_errors_exit_1_and_usage_errors_2(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.exports import ROUND, make_mapping, make_round

    make_round(workbook)
    mapping = make_mapping(workbook)
    empty = workbook.root / "empty.csv"
    empty.write_bytes(b"")
    assert main(["ingest", ROUND, str(empty), "--mapping", str(mapping)]) == 1
    assert "empty.csv: the file is empty" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["ingest", ROUND, str(empty)])
    assert caught.value.code == 2
    assert "--mapping" in capsys.readouterr().err


@pytest.mark.slow
def test_concurrent_build_refused_and_killed_build_recovers(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import signal
    import subprocess
    import sys

    assert main(["build", "--round", "2022-02-gtf-debate", "--lang", "fr"]) == 0
    capsys.readouterr()
    index = workbook.html_dir / "index.html"
    assert index.is_file()
    ratings = workbook.round_dir("2022-02-gtf-debate") / "ratings.csv"
    ratings.write_text(ratings.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    env = {**os.environ, "DRAFTBOOK_ROOT": str(workbook.root)}
    running = subprocess.Popen(
        [sys.executable, "-m", "draftbook.cli", "build", "--round", "2022-02-gtf-debate", "--jobs=1", "--lang=fr"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert running.stdout is not None
    for line in running.stdout:
        if "running" in line:
            break
    assert main(["build"]) == 1  # a second build at the same time is refused
    assert f"another build is running (process {running.pid}," in capsys.readouterr().err
    os.killpg(running.pid, signal.SIGKILL)  # the build and its kernel, mid-way
    running.wait()
    assert index.is_file()  # the previous site is still there
    assert main(["build", "--round", "2022-02-gtf-debate", "--lang", "fr"]) == 0  # the next build recovers
    out = capsys.readouterr().out
    assert "The book is ready" in out
    assert not list((workbook.build_dir / "stage").rglob("*.running.ipynb"))


def test_a_call_that_disappears_without_a_decision_stops_the_build(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook.round_dir("2022-05-written-feedback") / "decisions.yml"
    path.write_text("decisions: []\n", encoding="utf-8")
    calls = workbook.calls_file
    text = calls.read_text(encoding="utf-8")
    start = text.index("- id: CTA-13")
    end = text.index("- id: CTA-15")
    calls.write_text(text[:start] + text[end:], encoding="utf-8")  # CTA-13 vanishes from the draft
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "CTA-13 disappears from data/calls.yml but there is no decision" in err
    assert "record a drop, merge or split decision" in err


def test_export_statement_writes_a_word_document(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    from docx import Document

    target = workbook.root / "out" / "statement.docx"
    assert main(["export", "statement", "--round", "2022-02-gtf-debate", "--lang", "es", "--output", str(target)]) == 0
    assert "14 calls" not in capsys.readouterr().out  # after round 1 the text is round 2's snapshot: 13 calls
    body = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "Llamados a la acción" in body and "CTA-14 — Reconocer la cooperación descentralizada" in body
    assert "2022-03-10" in body  # the date of the decisions
    # title and author as the workbook sets them for the book (here the sample's, which says it is sample content)
    assert "La cooperación al desarrollo de los gobiernos locales y regionales" in body
    assert "Equipo de redacción — contenido de ejemplo" in body
    titles = workbook.root / "book" / "locales" / "titles.yml"
    titles.write_text(
        titles.read_text(encoding="utf-8").replace("Equipo de redacción — contenido de ejemplo", "Equipo CIB"),
        encoding="utf-8",
    )
    assert main(["export", "statement", "--round", "2022-02-gtf-debate", "--lang", "es", "--output", str(target)]) == 0
    body = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "Equipo CIB" in body and "ejemplo" not in body  # nothing sample-specific in the code


@pytest.mark.slow
def test_pdf_of_the_whole_book(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil
    import subprocess

    assert shutil.which("latexmk") and shutil.which("pdftotext"), "make tex installs LaTeX and poppler"
    assert main(["build", "--round", "2022-02-gtf-debate", "--pdf", "--lang", "fr"]) == 0
    pdf = workbook.build_dir / "book.pdf"
    assert f"The PDF is ready: {pdf}" in capsys.readouterr().out
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 10
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    first = next(line for line in text.splitlines() if line.strip())
    assert first.startswith("La coopération au développement des")
    assert "Le contexte depuis 2013" in text and "CTA-13" in text


def test_coding_suggest_writes_the_review_list(workbook: Workbook, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    assert main(["coding", "suggest", "--round", "2022-05-written-feedback"]) == 0
    out = capsys.readouterr().out
    path = workbook.rounds_dir / "2022-05-written-feedback" / "coding-suggestions.csv"
    assert path.is_file() and "review list" in out and "coding.csv" in out
    listed = pd.read_csv(path)
    assert {"comment", "suggested", "status"} <= set(listed.columns) and "respondent" not in listed.columns
    assert main(["coding", "suggest", "--round", "2031-01-none"]) == 1
