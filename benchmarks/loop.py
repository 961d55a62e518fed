"""Benchmark: the regeneration loop, from a new export to three republished books.

    .venv/bin/python benchmarks/loop.py [--runs 3] [--respondents 600] [--scaling 1000 10000]

On a copy of the sample workbook, in one process, timing each step as the team runs it:

- cold: `draftbook build` of the three books from nothing, against the French book alone
  (the same sources with `draftbook: languages: [fr]`), both from an empty `_build`;
- no change: `draftbook build` again;
- new export: a new export of the last round's online form arrives as a second source of the
  round ("late answers": the sample's headers, RESPONDENTS invented people, a different draw each
  run, replacing the previous draw), then `draftbook ingest` and `draftbook build` (three languages);
- chapter edit: one paragraph appended to a chapter, then `draftbook build`;
- peers, same run, French stage only: `jupyter-book build` executing the notebooks itself
  (`execute_notebooks: force`, and `cache` after a first run), after the same chapter edit;
- scaling: the new-export loop with each size given to --scaling.

Prints Markdown tables for benchmarks/README.md (medians of RUNS).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent
ROUND = "2022-05-written-feedback"
MAPPING = f"data/rounds/{ROUND}/sources/online-form/mapping.yml"

from benchmarks.ingest import make_export  # noqa: E402


def copy_sample(root: Path, languages: list[str] | None = None) -> dict[str, str]:
    root.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml", "requirements.txt"):
        shutil.copy2(REPO / name, root / name)
    for name in ("book", "data", "notebooks", "_static", "latex"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "private"))
    if languages:
        with (root / "_config.yml").open("a", encoding="utf-8") as config:
            config.write(f"\ndraftbook:\n  languages: [{', '.join(languages)}]\n")
    return {**os.environ, "DRAFTBOOK_ROOT": str(root), "MPLBACKEND": "Agg"}


def run(env: dict[str, str], *command: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def draftbook(env: dict[str, str], *args: str) -> float:
    return run(env, str(BIN / "draftbook"), *args)


def median(times: list[float]) -> float:
    return statistics.median(times)


def new_export(root: Path, env: dict[str, str], respondents: int, seed: int) -> tuple[float, float]:
    """A new export of the last round's online form, ingested, then the three books: (ingest s, build s)."""
    calls = [
        entry["id"] for entry in yaml.safe_load((root / "data" / "rounds" / ROUND / "calls.yml").read_text())["calls"]
    ]
    export = root / "export.csv"
    make_export(export, respondents, seed=seed, calls=calls)
    # a second source of the round (late answers to the same online form): the first source, and the
    # comments its decisions cite, stay; each run replaces this source with a new draw
    late = root / "data" / "rounds" / ROUND / "sources" / "late-answers" / "mapping.yml"
    late.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / MAPPING, late)
    ingest = draftbook(env, "ingest", ROUND, str(export), "--mapping", str(late))
    return ingest, draftbook(env, "build")


def edit_chapter(root: Path, index: int) -> None:
    chapter = root / "book" / "context.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nParagraphe ajouté pour la mesure {index}.\n")


def peers(scratch: Path, stage: Path, runs: int) -> dict[str, float]:
    """jupyter-book executing the French stage's notebooks itself: force, then cache (after a warm-up)."""
    results = {}
    for mode in ("force", "cache"):
        source = scratch / f"peer-{mode}"
        shutil.copytree(stage, source)
        for notebook in source.rglob("*.ipynb"):  # the sources as written: no outputs
            content = json.loads(notebook.read_text(encoding="utf-8"))
            for cell in content.get("cells", []):
                if cell.get("cell_type") == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            notebook.write_text(json.dumps(content), encoding="utf-8")
        config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
        config.setdefault("execute", {})["execute_notebooks"] = mode
        config["execute"]["timeout"] = 600
        (source / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "DRAFTBOOK_ROOT": str(scratch / "workbook"), "MPLBACKEND": "Agg"}
        command = [str(BIN / "jupyter-book"), "build", str(source), "--path-output", str(scratch / f"out-{mode}")]
        results[f"{mode}, cold (executes every notebook, French only)"] = run(env, *command)
        times = []
        for index in range(runs):
            chapter = source / "book" / "context.md"
            chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nParagraphe du pair {index}.\n")
            times.append(run(env, *command))
        results[f"{mode}, one chapter paragraph edited"] = median(times)
    return results


def timed_steps(label: str, steps: list[Callable[[], float]]) -> float:
    times = [step() for step in steps]
    print(f"{label}: " + ", ".join(f"{t:.1f} s" for t in times), flush=True)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--respondents", type=int, default=600, help="the new export's size (sample: 312)")
    parser.add_argument("--scaling", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--peer-runs", type=int, default=1, help="chapter edits timed per peer (0: no peers)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="draftbook-loop-") as folder:
        scratch = Path(folder)
        french_env = copy_sample(scratch / "french", ["fr"])
        env = copy_sample(scratch / "workbook")
        root = scratch / "workbook"
        french = draftbook(french_env, "build")
        print(f"cold, the French book alone: {french:.1f} s", flush=True)
        cold = draftbook(env, "build")
        print(f"cold, three books: {cold:.1f} s", flush=True)
        unchanged = timed_steps("no change", [lambda: draftbook(env, "build") for _ in range(args.runs)])
        ingests, builds = [], []
        for index in range(args.runs):
            ingest, build = new_export(root, env, args.respondents, seed=100 + index)
            ingests.append(ingest)
            builds.append(build)
            print(f"new export {index + 1}: ingest {ingest:.1f} s, build {build:.1f} s", flush=True)
        edits = []
        for index in range(args.runs):
            edit_chapter(root, index)
            edits.append(draftbook(env, "build"))
            print(f"chapter edit {index + 1}: build {edits[-1]:.1f} s", flush=True)
        peer = peers(scratch, root / "_build" / "stage" / "fr", args.peer_runs) if args.peer_runs else {}
        scaling = {}
        for size in args.scaling:
            ingest, build = new_export(root, env, size, seed=size)
            scaling[size] = (ingest, build)
            print(f"scaling {size:,}: ingest {ingest:.1f} s, build {build:.1f} s", flush=True)
    loop = [i + b for i, b in zip(ingests, builds, strict=True)]
    print()
    print("| step (three books: fr, en, es) | median | target |")
    print("|---|---|---|")
    print(f"| cold build, three books | {cold:.1f} s ({cold / french:.2f}× the French book alone, {french:.1f} s) "
          "| ≤ 1.5× |")  # fmt: skip
    print(f"| no change | {unchanged:.1f} s ({unchanged / cold:.1%} of cold) | < 15 % |")
    print(f"| new export ({args.respondents} respondents): ingest + build | {median(loop):.1f} s "
          f"(ingest {median(ingests):.1f} s, build {median(builds):.1f} s) | ≤ 20 s |")  # fmt: skip
    print(f"| one chapter paragraph edited | {median(edits):.1f} s | ≤ 8 s |")
    for what, seconds in peer.items():
        print(f"| peer, French book only: `jupyter-book build`, `execute_notebooks: {what}` | {seconds:.1f} s | |")
    if scaling:
        print()
        print("| respondents | ingest | build (three books) | ingest + build |")
        print("|---|---|---|---|")
        for size, (ingest, build) in scaling.items():
            print(f"| {size:,} | {ingest:.1f} s | {build:.1f} s | {ingest + build:.1f} s |")


if __name__ == "__main__":
    main()
