"""Benchmark: regenerating the book, against Jupyter Book's own execution.

    .venv/bin/python benchmarks/build.py [--runs 3] [--sizes 1000 10000 100000]

On a temporary copy of the workbook (the shipped sample rounds), in one run and
on the same notebooks and data, median of RUNS; the French book only
(``--lang fr``), as the peer builds one language:

1. cold ``draftbook build`` (no ``_build``);
2. no-change rebuild;
3. rebuild after one round's data changed (only that round's notebooks run);
4. the peer: a plain ``jupyter-book build`` of the same notebooks (parameters
   injected by Papermill without executing) with ``execute_notebooks: force``;
5. the peer with ``execute_notebooks: cache`` after a no-change touch of every file;
6. the three books (fr, en, es): cold, and no-change.

Then the cold build of a workbook with one synthetic round of each SIZE
respondents x 15 calls (one run each), for the growth per tenfold.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import papermill as pm
import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO))

from benchmarks.analysis import make_round  # noqa: E402
from draftbook.book.pipeline import plan_runs  # noqa: E402
from draftbook.model.paths import Workbook  # noqa: E402
from draftbook.model.rounds import load_rounds  # noqa: E402


def copy_workbook(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml", "requirements.txt"):
        shutil.copy2(REPO / name, target / name)
    for name in ("book", "notebooks", "data", "_static", "latex"):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("private", ".ipynb_checkpoints"))
    return target


def draftbook_build(root: Path, langs: tuple[str, ...] = ("fr",)) -> None:
    env = {**os.environ, "DRAFTBOOK_ROOT": str(root)}
    command = [str(BIN / "draftbook"), "build", *(f"--lang={lang}" for lang in langs)]
    subprocess.run(command, env=env, check=True, capture_output=True)


def peer_project(root: Path, mode: str) -> Path:
    """The same book as a plain Jupyter Book project that executes the notebooks itself."""
    workbook = Workbook(root)
    peer = root / f"peer-{mode}"
    shutil.rmtree(peer, ignore_errors=True)
    shutil.copytree(root / "book", peer / "book")
    shutil.copytree(root / "_static", peer / "_static")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["execute"] = {"execute_notebooks": mode, "timeout": 600}
    (peer / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    rounds = load_rounds(workbook)
    runs = plan_runs(workbook, rounds)
    for run in runs:  # parameters injected, nothing executed
        (peer / run.output).parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(run.notebook), str(peer / run.output), parameters=run.parameters, prepare_only=True)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    chapters = [{"file": f"rounds/{r.id}/{run.notebook.stem}"} for r in rounds for run in runs if run.round_id == r.id]
    toc["parts"].append({"caption": "Rounds", "chapters": chapters})
    (peer / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True), encoding="utf-8")
    return peer


def jupyter_book(peer: Path, root: Path) -> None:
    env = {**os.environ, "DRAFTBOOK_ROOT": str(root)}
    subprocess.run([str(BIN / "jupyter-book"), "build", str(peer)], env=env, check=True, capture_output=True, cwd=peer)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def touch_all(folder: Path) -> None:
    now = time.time()
    for path in folder.rglob("*"):
        if path.is_file() and "_build" not in path.parts:
            os.utime(path, (now, now))


def scenarios(runs: int) -> dict[str, list[float]]:
    names = ("cold", "no-change", "one-round", "peer-force", "peer-cache", "3-lang-cold", "3-lang-no-change")
    results: dict[str, list[float]] = {k: [] for k in names}
    with tempfile.TemporaryDirectory() as folder:
        root = copy_workbook(Path(folder) / "workbook")
        force, cache = peer_project(root, "force"), peer_project(root, "cache")
        jupyter_book(cache, root)  # fill the peer's cache once
        ratings = root / "data" / "rounds" / "2022-04-regional-sessions" / "ratings.csv"
        for run in range(runs):
            shutil.rmtree(root / "_build", ignore_errors=True)
            results["cold"].append(timed(lambda: draftbook_build(root)))
            results["no-change"].append(timed(lambda: draftbook_build(root)))
            ratings.write_text(ratings.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            results["one-round"].append(timed(lambda: draftbook_build(root)))
            shutil.rmtree(force / "_build", ignore_errors=True)
            results["peer-force"].append(timed(lambda: jupyter_book(force, root)))
            touch_all(cache)
            results["peer-cache"].append(timed(lambda: jupyter_book(cache, root)))
            shutil.rmtree(root / "_build", ignore_errors=True)
            all_three = ("fr", "en", "es")
            results["3-lang-cold"].append(timed(lambda: draftbook_build(root, all_three)))  # noqa: B023 (used at once)
            results["3-lang-no-change"].append(timed(lambda: draftbook_build(root, all_three)))  # noqa: B023
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in results.items()), flush=True)
    return results


def growth(sizes: list[int]) -> list[tuple[int, float]]:
    measured = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = copy_workbook(Path(folder) / "workbook")
            shutil.rmtree(root / "data" / "rounds")
            make_round(Path(folder) / "synthetic", size)
            shutil.copytree(Path(folder) / "synthetic" / "data" / "rounds", root / "data" / "rounds")
            seconds = timed(lambda: draftbook_build(root))  # noqa: B023 (used at once)
        measured.append((size, seconds))
        print(f"cold build, one round of {size:,} respondents: {seconds:.1f} s", flush=True)
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    results = scenarios(args.runs)
    medians = {name: statistics.median(values) for name, values in results.items()}
    print(f"medians of {args.runs}: " + ", ".join(f"{k} {v:.1f} s" for k, v in medians.items()))
    print(f"no-change / cold: {medians['no-change'] / medians['cold']:.0%} (target <= 15%)")
    print(f"cold / peer-force: {medians['cold'] / medians['peer-force']:.2f} (target <= 1)")
    print(f"no-change / peer-cache: {medians['no-change'] / medians['peer-cache']:.2f} (target < 1)")
    print(f"three books / French book, cold: {medians['3-lang-cold'] / medians['cold']:.2f}")
    sized = growth(args.sizes)
    for (small, a), (large, b) in itertools.pairwise(sized):
        print(f"growth {small:,} -> {large:,} respondents: x{b / a:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
