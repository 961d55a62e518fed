from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from draftbook.book.pipeline import execute_runs, notebook_parameters, plan_runs, prepare_for_book, stale_runs
from draftbook.model.errors import BuildError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, load_rounds


def notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    cells = []
    if parameters is not None:
        cell = new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    cells += [new_code_cell(source) for source in sources]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_round_notebooks_run_once_per_round_others_once(workbook: Workbook) -> None:
    rounds = load_rounds(workbook)
    runs = plan_runs(workbook, rounds)
    per_round = [r for r in runs if r.round_id]
    names = [r.notebook.name for r in per_round if r.round_id == rounds[0].id]
    expected = ["participation", "support", "themes", "groups", "opinions", "weighing", "planning", "trace"]
    assert names == [f"{name}.ipynb" for name in expected]  # metadata.draftbook.order
    assert len(per_round) == 8 * len(rounds)
    calls = next(r for r in runs if r.notebook.name == "calls.ipynb")
    assert calls.round_id is None and calls.parameters == {"lang": "fr"}
    support = next(r for r in per_round if r.notebook.name == "support.ipynb")
    assert support.parameters == {"round": support.round_id, "lang": "fr"}
    assert support.output == Path("rounds") / str(support.round_id) / "support.ipynb"
    assert workbook.round_dir(str(support.round_id)) / "ratings.csv" in support.inputs


def test_notebook_parameters_reads_the_parameters_cell(workbook: Workbook) -> None:
    declared = notebook_parameters(workbook.notebooks_dir / "support.ipynb")
    assert set(declared) == {"round", "lang"}


def test_prepare_for_book_hides_code_and_drops_parameters(tmp_path: Path) -> None:
    path = notebook(tmp_path / "n.ipynb", "x = 1", parameters="round = 'a'")
    prepare_for_book(path)
    cells = nbformat.read(path, as_version=4).cells
    assert "remove-cell" in cells[0].metadata["tags"]
    assert cells[1].metadata["tags"] == ["remove-input"]


def count_notebook(workbook: Workbook) -> None:
    for path in workbook.notebooks_dir.glob("*.ipynb"):
        path.unlink()
    notebook(
        workbook.notebooks_dir / "count.ipynb",
        "from draftbook.model.paths import Workbook\nfrom draftbook.model.rounds import load_round, read_table\n"
        "print(len(read_table(load_round(Workbook.locate(), round), 'respondents')))",
        parameters="round = 'x'",
    )


@pytest.mark.slow
def test_runs_execute_then_are_reused_until_an_input_changes(workbook: Workbook, tmp_path: Path) -> None:
    count_notebook(workbook)
    rounds = [load_round(workbook, "2022-02-gtf-debate")]
    runs = plan_runs(workbook, rounds)
    stage = tmp_path / "stage"
    first = execute_runs(workbook, runs, stage, progress=lambda _: None)
    assert first.ran == ["count.ipynb (round 2022-02-gtf-debate)"]
    executed = nbformat.read(stage / runs[0].output, as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "41"  # read this workbook's data, not the repo's
    assert stale_runs(workbook, runs, stage) == []
    second = execute_runs(workbook, runs, stage, progress=lambda _: None)
    assert second.reused == first.ran and second.ran == []
    respondents = workbook.round_dir("2022-02-gtf-debate") / "respondents.csv"
    respondents.write_text("\n".join(respondents.read_text().splitlines()[:5]) + "\n")
    stale = stale_runs(workbook, runs, stage)
    assert [reason for _, reason in stale] == ["changed: data/rounds/2022-02-gtf-debate/respondents.csv"]
    third = execute_runs(workbook, runs, stage, progress=lambda _: None)
    assert third.ran == first.ran
    executed = nbformat.read(stage / runs[0].output, as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "4"


@pytest.mark.slow
def test_a_failing_cell_is_named_and_its_notebook_kept(workbook: Workbook, tmp_path: Path) -> None:
    for path in workbook.notebooks_dir.glob("*.ipynb"):
        path.unlink()
    notebook(workbook.notebooks_dir / "broken.ipynb", "x = 1", "raise ValueError('no such call CTA-99')")
    runs = plan_runs(workbook, [])
    with pytest.raises(BuildError) as caught:
        execute_runs(workbook, runs, tmp_path / "stage", progress=lambda _: None)
    error = caught.value
    assert error.cell == 2
    assert "ValueError: no such call CTA-99" in str(error)
    assert "notebooks/broken.ipynb" in str(error)
    assert error.output is not None and error.output.is_file()
    assert not (tmp_path / "stage" / "notebooks" / "broken.ipynb").exists()


def test_package_digest_covers_subpackages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from draftbook.book import pipeline

    package = tmp_path / "draftbook"
    (package / "ingest").mkdir(parents=True)
    (package / "pipeline.py").write_text("x = 1\n")
    (package / "ingest" / "core.py").write_text("y = 1\n")
    monkeypatch.setattr(pipeline, "__file__", str(package / "pipeline.py"))
    before = pipeline.package_digest()
    (package / "ingest" / "core.py").write_text("y = 2\n")
    assert pipeline.package_digest() != before


@pytest.mark.slow
def test_cache_hit_and_miss_for_each_kind_of_input(workbook: Workbook, tmp_path: Path) -> None:
    count_notebook(workbook)
    rounds = load_rounds(workbook)
    stage = tmp_path / "stage"
    execute_runs(workbook, plan_runs(workbook, rounds), stage, progress=lambda _: None, jobs=2)

    def stale() -> dict[str | None, str]:
        return {run.round_id: reason for run, reason in stale_runs(workbook, plan_runs(workbook, rounds), stage)}

    assert stale() == {}
    ratings = workbook.round_dir("2022-04-regional-sessions") / "ratings.csv"
    ratings.write_text(ratings.read_text() + "\n")  # one round's data
    assert stale() == {"2022-04-regional-sessions": "changed: data/rounds/2022-04-regional-sessions/ratings.csv"}
    report = execute_runs(workbook, plan_runs(workbook, rounds), stage, progress=lambda _: None, jobs=2)
    assert report.ran == ["count.ipynb (round 2022-04-regional-sessions)"] and len(report.reused) == 2
    workbook.calls_file.write_text(workbook.calls_file.read_text() + "\n")  # the shared draft
    assert set(stale()) == {r.id for r in rounds} and all("data/calls.yml" in v for v in stale().values())
    execute_runs(workbook, plan_runs(workbook, rounds), stage, progress=lambda _: None, jobs=2)
    book = workbook.notebooks_dir / "count.ipynb"
    book.write_text(book.read_text().replace("print(len(", "print( len("))  # the notebook itself
    assert all("notebooks/count.ipynb" in v for v in stale().values()) and len(stale()) == 3


@pytest.mark.slow
def test_parallel_runs_and_a_failure_among_them(workbook: Workbook, tmp_path: Path) -> None:
    count_notebook(workbook)
    notebook(workbook.notebooks_dir / "broken.ipynb", "1/0", parameters="round = 'x'")
    rounds = load_rounds(workbook)[:1]
    lines: list[str] = []
    with pytest.raises(BuildError, match="ZeroDivisionError") as caught:
        execute_runs(workbook, plan_runs(workbook, rounds), tmp_path / "stage", progress=lines.append, jobs=2)
    assert caught.value.round_id == "2022-02-gtf-debate" and "broken.ipynb" in caught.value.notebook
    assert any("FAILED" in line and "broken.ipynb" in line for line in lines)
    assert not list((tmp_path / "stage").rglob("*.running.ipynb"))


@pytest.mark.slow
def test_a_failure_stops_the_queued_runs_and_names_the_failure(workbook: Workbook, tmp_path: Path) -> None:
    """More runs than workers: the runs still queued are not started, and the error is the notebook's."""
    count_notebook(workbook)
    notebook(workbook.notebooks_dir / "broken.ipynb", "1/0", parameters="round = 'x'")
    runs = plan_runs(workbook, load_rounds(workbook))
    assert len(runs) == 6
    lines: list[str] = []
    with pytest.raises(BuildError, match="ZeroDivisionError"):
        execute_runs(workbook, runs, tmp_path / "stage", progress=lines.append, jobs=2)
    finished = [line for line in lines if "done in" in line or "FAILED" in line or "not started" in line]
    assert len(finished) == 6, lines  # every run is accounted for


def test_kernels_talk_over_ipc_so_parallel_runs_cannot_race_for_a_port() -> None:
    from draftbook.book.kernels import IpcKernelManager

    manager = IpcKernelManager()
    assert manager.transport == "ipc" and Path(manager.ip).is_absolute()
    assert manager.ip != IpcKernelManager().ip  # one socket prefix per kernel


@pytest.mark.slow
def test_a_round_without_assessments_builds_its_weighing_page_and_says_so(workbook: Workbook, tmp_path: Path) -> None:
    """The real weighing notebook, through the pipeline, for a round whose assessments.yml is not written yet."""
    round_id = "2022-05-written-feedback"  # it has an agreed profile: only the assessments are missing
    (workbook.round_dir(round_id) / "assessments.yml").unlink()
    runs = [
        r for r in plan_runs(workbook, [load_round(workbook, round_id)], "en") if r.notebook.name == "weighing.ipynb"
    ]
    report = execute_runs(workbook, runs, tmp_path / "stage", progress=lambda _: None)
    assert report.ran == [f"weighing.ipynb (round {round_id})"]
    executed = nbformat.read(tmp_path / "stage" / runs[0].output, as_version=4)
    section = next(cell for cell in executed.cells if "weighing_section" in cell.source)
    shown = [output["data"] for output in section.outputs if "data" in output]
    assert [data["text/plain"] for data in shown] == [
        "The team has not assessed the calls of this round yet (research evidence, feasibility, urgency): no ranking "
        f"is drawn. To draw it, write the file assessments.yml in the round's folder (data/rounds/{round_id}/)."
    ]
    assert not any("<table" in data.get("text/html", "") for data in shown)  # no ranking drawn


WORKER_PARENT = """
import multiprocessing, sys, time
from draftbook.book.pipeline import die_with_parent

def worker(path):
    import os
    die_with_parent()
    open(path, "w").write(str(os.getpid()))
    time.sleep(120)

if __name__ == "__main__":
    multiprocessing.get_context("spawn").Process(target=worker, args=(sys.argv[1],)).start()
    time.sleep(120)
"""


def test_a_worker_ends_when_its_build_is_killed(tmp_path: Path) -> None:
    """kill -9 of a build must not leave its workers running (they would write into the next build's stage)."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(WORKER_PARENT, encoding="utf-8")
    marker = tmp_path / "worker.pid"
    parent = subprocess.Popen([sys.executable, str(script), str(marker)])
    deadline = time.monotonic() + 60
    while not marker.is_file() or not marker.read_text():
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)
    worker = int(marker.read_text())
    parent.send_signal(signal.SIGKILL)
    parent.wait()

    def alive(pid: int) -> bool:
        status = Path(f"/proc/{pid}/status")
        try:
            return "\nState:\tZ" not in status.read_text()
        except OSError:
            return False

    deadline = time.monotonic() + 30
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker)


def test_the_analysts_review_list_re_runs_nothing(workbook: Workbook) -> None:
    from draftbook.analysis.suggest import SUGGESTIONS_FILE
    from draftbook.book.pipeline import input_hashes
    from draftbook.model.rounds import REVIEW_FILES

    assert SUGGESTIONS_FILE in REVIEW_FILES
    rounds = load_rounds(workbook)
    before = [input_hashes(run, workbook) for run in plan_runs(workbook, rounds)]
    (rounds[0].folder / SUGGESTIONS_FILE).write_text("comment,suggested\nC-1,financing:0.9\n", encoding="utf-8")
    assert [input_hashes(run, workbook) for run in plan_runs(workbook, rounds)] == before
    (rounds[0].folder / "coding.csv").write_text("comment,themes\nC-1,financing\n", encoding="utf-8")
    assert [input_hashes(run, workbook) for run in plan_runs(workbook, rounds)] != before
