"""Regenerate the executed notebooks: one Papermill run per notebook and round.

A notebook with a ``round`` parameter runs once per round; the others run
once. Each run is content-addressed: its key hashes the notebook, its
parameters, the data it reads and the package's source, and an unchanged key
reuses the executed notebook from the previous build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from papermill.exceptions import PapermillExecutionError

from draftbook.errors import BuildError
from draftbook.paths import ROOT_ENV, Workbook
from draftbook.rounds import Round

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
    kept: list[str] = field(default_factory=list)
    left_out: list[Run] = field(default_factory=list)
    seconds: float = 0.0


def notebook_parameters(path: Path) -> dict[str, Any]:
    """The parameters a notebook declares in its cell tagged ``parameters``."""
    return dict(pm.inspect_notebook(str(path)))


def plan_runs(workbook: Workbook, rounds: Sequence[Round], lang: str = "fr") -> list[Run]:
    """Every run the book needs: per-round notebooks once per round, the others once."""
    runs: list[Run] = []
    shared = (workbook.calls_file, workbook.codebook_file)
    for notebook in sorted(workbook.notebooks_dir.glob("*.ipynb"), key=notebook_order):
        declared = notebook_parameters(notebook)
        if "round" in declared:
            for round_ in rounds:
                runs.append(
                    Run(
                        notebook,
                        Path("rounds") / round_.id / notebook.name,
                        _with_lang({"round": round_.id}, declared, lang),
                        shared + tuple(sorted(p for p in round_.folder.rglob("*") if p.is_file())),
                        round_.id,
                    )
                )
        else:
            runs.append(Run(notebook, Path("notebooks") / notebook.name, _with_lang({}, declared, lang), shared))
    return runs


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
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_key(run: Run, workbook: Workbook, package: str) -> str:
    """The content hash that decides whether ``run`` must execute again."""
    digest = hashlib.sha256(package.encode())
    digest.update(json.dumps(run.parameters, sort_keys=True).encode())
    for path in (run.notebook, *run.inputs):
        digest.update(str(path.relative_to(workbook.root)).encode())
        digest.update(path.read_bytes())
    requirements = workbook.root / "requirements.txt"
    if requirements.is_file():
        digest.update(requirements.read_bytes())
    return digest.hexdigest()


def load_manifest(stage: Path) -> dict[str, str]:
    path = stage / MANIFEST
    if not path.is_file():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}  # a damaged cache only costs a re-run
    return {str(k): str(v) for k, v in content.items()} if isinstance(content, dict) else {}


def stale_runs(workbook: Workbook, runs: Sequence[Run], stage: Path) -> list[tuple[Run, str]]:
    """The runs that would execute now, each with the reason in plain words."""
    manifest, package = load_manifest(stage), package_digest()
    stale = []
    for run in runs:
        key = manifest.get(str(run.output))
        if key is None or not (stage / run.output).is_file():
            stale.append((run, "never built"))
        elif key != run_key(run, workbook, package):
            stale.append((run, "its notebook, data or the package changed"))
    return stale


@contextlib.contextmanager
def _workbook_env(workbook: Workbook) -> Iterator[None]:
    """Kernels inherit the environment: point them at this workbook's data."""
    previous = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(workbook.root)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ROOT_ENV, None)
        else:
            os.environ[ROOT_ENV] = previous


def execute_runs(
    workbook: Workbook,
    runs: Sequence[Run],
    stage: Path,
    progress: Callable[[str], None] = print,
    only_rounds: Collection[str] | None = None,
) -> RunReport:
    """Execute the stale runs into ``stage``, reuse the others; stop at the first failure.

    With ``only_rounds``, runs of other rounds are not executed: their previous
    output is kept when there is one, otherwise they are left out of the book.
    """
    manifest, package = load_manifest(stage), package_digest()
    report = RunReport()
    started = time.perf_counter()
    with _workbook_env(workbook):
        for index, run in enumerate(runs, start=1):
            key = run_key(run, workbook, package)
            target = stage / run.output
            prefix = f"[{index}/{len(runs)}]"
            if only_rounds is not None and run.round_id is not None and run.round_id not in only_rounds:
                if target.is_file():
                    report.kept.append(run.label)
                    progress(f"{prefix} not selected, kept {run.label}")
                else:
                    report.left_out.append(run)
                    progress(f"{prefix} not selected, never built: left out  {run.label}")
                continue
            if manifest.get(str(run.output)) == key and target.is_file():
                report.reused.append(run.label)
                progress(f"{prefix} unchanged, reused  {run.label}")
                continue
            progress(f"{prefix} running          {run.label} ...")
            seconds = _execute(workbook, run, target)
            manifest[str(run.output)] = key
            _write_manifest(stage, manifest)
            report.ran.append(run.label)
            progress(f"{prefix} done in {seconds:5.1f} s  {run.label}")
    report.seconds = time.perf_counter() - started
    return report


def _execute(workbook: Workbook, run: Run, target: Path) -> float:
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_suffix(".running.ipynb")
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
            # The kernel talks to us over loopback only; its TCP-encryption notice is noise for the team.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as exc:
        kept = _keep_failed(workbook, run, scratch)
        raise BuildError(
            f"{exc.ename}: {exc.evalue}",
            notebook=str(run.notebook.relative_to(workbook.root)),
            round_id=run.round_id,
            cell=exc.exec_count,
            output=kept,
            hint=f"open {kept.relative_to(workbook.root)} to see the failed cell; the previous book is untouched",
        ) from exc
    prepare_for_book(scratch)
    scratch.replace(target)
    return time.perf_counter() - started


def _keep_failed(workbook: Workbook, run: Run, scratch: Path) -> Path:
    failed = workbook.build_dir / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    kept = failed / (f"{run.round_id}-{run.notebook.name}" if run.round_id else run.notebook.name)
    if scratch.is_file():
        scratch.replace(kept)
    return kept


def prepare_for_book(path: Path) -> None:
    """Readers see results, not code: hide code cells, drop the parameter cells."""
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if tags & {"parameters", "injected-parameters"}:
            tags.add("remove-cell")
        else:
            tags.add("remove-input")
        cell.metadata["tags"] = sorted(tags)
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]


def _write_manifest(stage: Path, manifest: dict[str, str]) -> None:
    path = stage / MANIFEST
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    scratch.replace(path)
