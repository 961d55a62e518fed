"""Regenerate the executed notebooks: one Papermill run per notebook and round.

A notebook with a ``round`` parameter runs once per round; the others run
once. Each run is content-addressed: its key hashes the notebook, its
parameters, the data it reads and the package's source, and an unchanged key
reuses the executed notebook from the previous build.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftbook.model.errors import BuildError
from draftbook.model.files import atomic_write
from draftbook.model.languages import book_languages
from draftbook.model.paths import ROOT_ENV, Workbook
from draftbook.model.rounds import REVIEW_FILES, Round
from draftbook.model.titles import titles_path

KERNEL = "python3"


MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Run:
    """One execution of one notebook with its parameters."""

    notebook: Path
    output: Path  # relative to the stage folder
    parameters: dict[str, Any]
    inputs: tuple[Path, ...]
    round_id: str | None = None

    @property
    def label(self) -> str:
        where = f" (round {self.round_id})" if self.round_id else ""
        return f"{self.notebook.name}{where}"


@dataclass
class RunReport:
    """What the runs did: ran, reused, seconds per run."""

    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    left_out: list[Run] = field(default_factory=list)
    seconds: float = 0.0


def notebook_parameters(path: Path) -> dict[str, str]:
    """The parameters a notebook declares in its cell tagged ``parameters``: name -> default, as written.

    Read from the notebook's JSON (no nbformat, no papermill): ``draftbook status`` stays fast.
    """
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell.get("source", []))
            return {
                target.id: ast.get_source_segment(source, node.value) or ""
                for node in ast.parse(source).body
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name)
            }
    return {}


def plan_runs(workbook: Workbook, rounds: Sequence[Round], lang: str = "fr") -> list[Run]:
    """Every run the book needs: per-round notebooks once per round, the others once."""
    runs: list[Run] = []
    titles = titles_path(workbook)  # round titles in English and Spanish
    inputs = (workbook.calls_file, workbook.codebook_file, workbook.vocabulary_file, workbook.membership_file, titles)
    shared = tuple(p for p in inputs if p.is_file())
    for notebook in sorted(workbook.notebooks_dir.glob("*.ipynb"), key=notebook_order):
        declared = notebook_parameters(notebook)
        if "round" in declared:
            for round_ in rounds:
                runs.append(
                    Run(
                        notebook,
                        Path("rounds") / round_.id / notebook.name,
                        _with_lang({"round": round_.id}, declared, lang),
                        shared + _round_inputs(round_.folder),
                        round_.id,
                    )
                )
        else:
            runs.append(Run(notebook, Path("notebooks") / notebook.name, _with_lang({}, declared, lang), shared))
    return runs


def runs_folder(workbook: Workbook) -> Path:
    """Where the executed notebooks live, one per run, drawn in every book language (``_build/runs``)."""
    return workbook.build_dir / "runs"


def plan_book_runs(workbook: Workbook, rounds: Sequence[Round]) -> list[Run]:
    """The runs of the whole book: each notebook runs once (per round) and draws every book language,
    so the analysis is computed once and each language's stage keeps its own drawings."""
    return plan_runs(workbook, rounds, lang=" ".join(book_languages(workbook)))


def _round_inputs(folder: Path) -> tuple[Path, ...]:
    """The files of a round folder its pages read: all but the analyst's review lists."""
    return tuple(sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in REVIEW_FILES))


def notebook_order(path: Path) -> tuple[int, str]:
    """Pages of a round appear by ``metadata.draftbook.order`` (default 100), then by name."""
    metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    order = metadata.get("draftbook", {}).get("order", 100)
    return (int(order) if isinstance(order, int) else 100, path.name)


def _with_lang(parameters: dict[str, Any], declared: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**parameters, "lang": lang} if "lang" in declared else parameters


def package_digest() -> str:
    """A hash of the package's own source: a change of logic re-runs every notebook."""
    digest = hashlib.sha256()
    package = Path(__file__).parent.parent  # the whole draftbook package, every layer
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hashes(run: Run, workbook: Workbook) -> dict[str, str]:
    """sha256 of every file the run depends on, by path relative to the workbook."""
    files = [run.notebook, *run.inputs]
    requirements = workbook.root / "requirements.txt"
    if requirements.is_file():
        files.append(requirements)
    return {str(path.relative_to(workbook.root)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def run_key(run: Run, workbook: Workbook, package: str, hashes: dict[str, str] | None = None) -> str:
    """The content hash that decides whether ``run`` must execute again."""
    digest = hashlib.sha256(package.encode())
    digest.update(json.dumps(run.parameters, sort_keys=True).encode())
    digest.update(json.dumps(hashes or input_hashes(run, workbook), sort_keys=True).encode())
    return digest.hexdigest()


def load_manifest(stage: Path) -> dict[str, dict[str, Any]]:
    """What each executed notebook of the stage was built from (empty when damaged: a re-run is the cost)."""
    path = stage / MANIFEST
    if not path.is_file():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    if not isinstance(content, dict):
        return {}
    return {str(k): v for k, v in content.items() if isinstance(v, dict) and "key" in v}


def stale_reason(run: Run, entry: dict[str, Any] | None, workbook: Workbook, package: str, stage: Path) -> str | None:
    """Why ``run`` must execute again, in plain words; None when its output is up to date."""
    if entry is None or not (stage / run.output).is_file():
        return "never built"
    hashes = input_hashes(run, workbook)
    if entry["key"] == run_key(run, workbook, package, hashes):
        return None
    reasons = []
    before = entry.get("inputs", {})
    changed = sorted(path for path in hashes.keys() | before.keys() if hashes.get(path) != before.get(path))
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        reasons.append(f"changed: {shown}")
    if entry.get("package") != package:
        reasons.append("the draftbook package changed")
    if entry.get("parameters") != run.parameters:
        reasons.append("its parameters changed")
    return "; ".join(reasons) or "its inputs changed"


def stale_runs(workbook: Workbook, runs: Sequence[Run], stage: Path) -> list[tuple[Run, str]]:
    """The runs that would execute now, each with the reason in plain words."""
    manifest, package = load_manifest(stage), package_digest()
    found = ((run, stale_reason(run, manifest.get(str(run.output)), workbook, package, stage)) for run in runs)
    return [(run, reason) for run, reason in found if reason is not None]


@contextlib.contextmanager
def _workbook_env(workbook: Workbook) -> Iterator[None]:
    """Kernels (and worker processes) inherit the environment: point them at this workbook's data."""
    previous = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(workbook.root)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ROOT_ENV, None)
        else:
            os.environ[ROOT_ENV] = previous


def default_jobs() -> int:
    """One notebook run per core (each run is a kernel process)."""
    return max(1, os.cpu_count() or 1)


def execute_runs(
    workbook: Workbook,
    runs: Sequence[Run],
    stage: Path,
    progress: Callable[[str], None] = print,
    only_rounds: Collection[str] | None = None,
    jobs: int = 1,
) -> RunReport:
    """Execute the stale runs into ``stage`` (``jobs`` at a time), reuse the others.

    With ``only_rounds``, runs of other rounds are not executed: their previous
    output is kept when there is one, otherwise they are left out of the book.
    After a failure no new run starts; the runs already going finish and are
    kept; then the first failure is raised as a BuildError.
    """
    manifest, package = load_manifest(stage), package_digest()
    report = RunReport()
    started = time.perf_counter()
    _clean_scratch(stage)
    todo: list[tuple[str, Run, dict[str, str]]] = []
    for index, run in enumerate(runs, start=1):
        prefix = f"[{index}/{len(runs)}]"
        target = stage / run.output
        if only_rounds is not None and run.round_id is not None and run.round_id not in only_rounds:
            if target.is_file():
                report.kept.append(run.label)
                progress(f"{prefix} not selected, kept {run.label}")
            else:
                report.left_out.append(run)
                progress(f"{prefix} not selected, never built: left out  {run.label}")
            continue
        hashes = input_hashes(run, workbook)
        entry = manifest.get(str(run.output))
        if entry is not None and entry["key"] == run_key(run, workbook, package, hashes) and target.is_file():
            report.reused.append(run.label)
            progress(f"{prefix} unchanged, reused  {run.label}")
            continue
        todo.append((prefix, run, hashes))
    failures: list[BuildError] = []

    def finished(prefix: str, run: Run, hashes: dict[str, str], outcome: float | BuildError) -> None:
        if not isinstance(outcome, BuildError):
            manifest[str(run.output)] = {
                "key": run_key(run, workbook, package, hashes),
                "inputs": hashes,
                "package": package,
                "parameters": run.parameters,
            }
            _write_manifest(stage, manifest)
            report.ran.append(run.label)
            progress(f"{prefix} done in {outcome:5.1f} s  {run.label}")
        else:
            report.failed.append(run.label)
            progress(f"{prefix} FAILED             {run.label}")
            failures.append(outcome)

    with _workbook_env(workbook):
        if jobs <= 1 or len(todo) <= 1:
            for prefix, run, hashes in todo:
                progress(f"{prefix} running          {run.label} ...")
                finished(prefix, run, hashes, _outcome(execute_one, str(workbook.root), run, str(stage / run.output)))
                if failures:
                    break
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=die_with_parent) as pool:
                futures = {}
                for prefix, run, hashes in todo:
                    progress(f"{prefix} queued           {run.label}")
                    job = pool.submit(execute_one, str(workbook.root), run, str(stage / run.output))
                    futures[job] = (prefix, run, hashes)
                for job in as_completed(futures):
                    if job.cancelled():
                        prefix, run, _ = futures[job]
                        progress(f"{prefix} not started      {run.label} (an earlier run failed)")
                        continue
                    finished(*futures[job], _outcome(job.result))
                    if failures:
                        for pending in futures:
                            pending.cancel()
    report.seconds = time.perf_counter() - started
    if failures:
        raise failures[0]
    return report


def die_with_parent() -> None:
    """In a worker: ask Linux to end this process when the build that started it dies (even by kill -9),
    so no worker outlives a killed build and writes into the next build's stage. Also skips the
    grammars jsonschema would compile for nothing (``jupyter_book_cli``)."""
    from draftbook.book.jupyter_book_cli import skip_unused_grammars

    skip_unused_grammars()
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def execute_one(root: str, run: Run, target: str) -> float:
    """Run one notebook with Papermill (in a worker process or in-process); return the seconds it took.

    A failure raises a BuildError naming notebook, round and cell; it pickles with
    all its fields, so it reaches the parent whole from a worker process.
    """
    workbook = Workbook(Path(root))
    output = Path(target)
    output.parent.mkdir(parents=True, exist_ok=True)
    scratch = output.with_suffix(".running.ipynb")
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from draftbook.book.kernels import IpcKernelManager

    started = time.perf_counter()
    try:
        pm.execute_notebook(
            str(run.notebook),
            str(scratch),
            parameters=run.parameters,
            kernel_name=KERNEL,
            cwd=str(workbook.notebooks_dir),
            progress_bar=False,
            log_output=False,
            kernel_manager_class=IpcKernelManager,
            # The kernel talks to us over loopback only; its TCP-encryption notice is noise for the team.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as exc:
        raise _build_error(workbook, run, f"{exc.ename}: {exc.evalue}", exc.exec_count, scratch) from None
    except Exception as exc:  # a kernel that dies or cannot start: still a named failure
        raise _build_error(workbook, run, f"{type(exc).__name__}: {exc}", None, scratch) from None
    prepare_for_book(scratch)
    scratch.replace(output)
    return time.perf_counter() - started


def _build_error(workbook: Workbook, run: Run, reason: str, cell: int | None, scratch: Path) -> BuildError:
    kept = _keep_failed(workbook, run, scratch)
    return BuildError(
        reason,
        notebook=str(run.notebook.relative_to(workbook.root)),
        round_id=run.round_id,
        cell=cell,
        output=kept,
        hint=f"open {kept.relative_to(workbook.root)} to see the failed cell; the previous book is untouched",
    )


def _outcome(result: Callable[..., float], *args: Any) -> float | BuildError:
    """The seconds of a run, or the BuildError it raised (received whole from a worker)."""
    try:
        return result(*args)
    except BuildError as error:
        return error


def _clean_scratch(stage: Path) -> None:
    """Remove half-written notebooks left by a build that was killed."""
    if stage.is_dir():
        for leftover in stage.rglob("*.running.ipynb"):
            leftover.unlink()


def _keep_failed(workbook: Workbook, run: Run, scratch: Path) -> Path:
    failed = workbook.build_dir / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    kept = failed / (f"{run.round_id}-{run.notebook.name}" if run.round_id else run.notebook.name)
    if scratch.is_file():
        scratch.replace(kept)
    return kept


def prepare_for_book(path: Path) -> None:
    """Readers see results, not code: hide code cells, drop the parameter cells."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    # Widget state would make the page load require.js and the widget manager: the book
    # shows kernel-free charts instead, and the widgets stay in JupyterLab.
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in cell.outputs):
            tags.add("remove-cell")
        if tags & {"parameters", "injected-parameters"}:
            tags.add("remove-cell")
        else:
            tags.add("remove-input")
        cell.metadata["tags"] = sorted(tags)
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]


def _write_manifest(stage: Path, manifest: dict[str, dict[str, Any]]) -> None:
    path = stage / MANIFEST
    atomic_write(path, json.dumps(manifest, indent=1, sort_keys=True))
