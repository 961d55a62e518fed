"""Benchmark: from saving a chapter to the reloaded page in the browser, with `draftbook preview`.

    .venv/bin/python benchmarks/preview.py [--runs 5] [--lang fr]

On a copy of the sample workbook: one `draftbook build --lang L` (set-up, not timed),
then `draftbook preview` starts, Debian's Chromium (Playwright) opens a chapter, and
RUNS times a paragraph is appended to the chapter's file; the time from the write to the
moment the browser shows the new paragraph (the page reloaded) is measured. Peers in
the same run, after the same edit: `jupyter-book build` of the stage as a new process
(what a writer would run by hand) and `draftbook build --lang L` (the whole pipeline).
Medians are printed as a Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHAPTER = "book/context.md"
sys.path.insert(0, str(REPO))

from benchmarks.loop import copy_sample  # noqa: E402  (one copy of the sample for every benchmark)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def version(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/_draftbook/version", timeout=5) as response:
        return dict(json.load(response))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lang", default="fr")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="draftbook-preview-") as scratch:
        root = Path(scratch) / "workbook"
        env = copy_sample(root)
        print(f"Set-up: draftbook build --lang {args.lang} on a copy of the sample ...", flush=True)
        subprocess.run([str(BIN / "draftbook"), "build", "--lang", args.lang], env=env, check=True, capture_output=True)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = (Path(scratch) / "preview.log").open("w")
        process = subprocess.Popen(
            [str(BIN / "draftbook"), "preview", "--lang", args.lang, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        chapter = root / CHAPTER
        preview_times: list[float] = []
        try:
            deadline = time.monotonic() + 600
            while True:
                try:
                    if int(str(version(url)["version"])) >= 1:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("the preview did not start: " + (Path(scratch) / "preview.log").read_text())
                time.sleep(0.5)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"], headless=True
                )
                page = browser.new_page()
                page.goto(f"{url}/book/context.html")
                page.wait_for_selector("main")
                for run in range(args.runs):
                    marker = f"Paragraphe de mesure {run} {os.urandom(3).hex()}."
                    time.sleep(1.0)  # a writer's pause between saves
                    started = time.perf_counter()
                    with chapter.open("a", encoding="utf-8") as handle:
                        handle.write(f"\n{marker}\n")
                    page.wait_for_function(
                        "(text) => document.body && document.body.innerText.includes(text)", arg=marker, timeout=120_000
                    )
                    preview_times.append(time.perf_counter() - started)
                    print(f"preview {run + 1}: {preview_times[-1]:.2f} s", flush=True)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        stage = root / "_build" / "stage" / args.lang
        output = Path(scratch) / "jb-out"
        shutil.copytree(root / "_build" / "book" / args.lang, output)
        subprocess.run(  # stage the edited chapter as the pipeline would
            [str(BIN / "draftbook"), "build", "--lang", args.lang], env=env, check=True, capture_output=True
        )
        jupyter_book_times, pipeline_times = [], []
        for run in range(args.runs):
            with chapter.open("a", encoding="utf-8") as handle:
                handle.write(f"\nParagraphe de comparaison {run}.\n")
            shutil.copy2(chapter, stage / CHAPTER)
            started = time.perf_counter()
            subprocess.run(
                [str(BIN / "jupyter-book"), "build", str(stage), "--path-output", str(output), "-q"],
                env=env,
                check=True,
                capture_output=True,
            )
            jupyter_book_times.append(time.perf_counter() - started)
            with chapter.open("a", encoding="utf-8") as handle:
                handle.write(f"\nParagraphe de comparaison {run} bis.\n")
            started = time.perf_counter()
            subprocess.run(
                [str(BIN / "draftbook"), "build", "--lang", args.lang], env=env, check=True, capture_output=True
            )
            pipeline_times.append(time.perf_counter() - started)
            print(f"peers {run + 1}: jupyter-book {jupyter_book_times[-1]:.2f} s, draftbook build "
                  f"{pipeline_times[-1]:.2f} s", flush=True)  # fmt: skip
        rebuilds = [
            float(m) for m in re.findall(r"rebuilt in ([0-9.]+) s", (Path(scratch) / "preview.log").read_text())
        ]
    preview = statistics.median(preview_times)
    print()
    print(
        f"the preview's own rebuild (re-stage + in-process jupyter-book), median: {statistics.median(rebuilds):.2f} s"
    )
    print(f"| from saving {CHAPTER} to the page shown ({args.lang}) | median of {args.runs} | × preview |")
    print("|---|---|---|")
    print(f"| `draftbook preview` (save → reloaded page in Chromium) | **{preview:.2f} s** | 1.0× |")
    for name, times in (
        ("`jupyter-book build` of the stage, new process (no browser)", jupyter_book_times),
        (f"`draftbook build --lang {args.lang}` (no browser)", pipeline_times),
    ):
        print(f"| {name} | {statistics.median(times):.2f} s | {statistics.median(times) / preview:.1f}× |")


if __name__ == "__main__":
    main()
