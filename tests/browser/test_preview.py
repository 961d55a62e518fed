"""`draftbook preview` for real: a writer saves a chapter and the open page reloads with the new text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from draftbook.lab import free_port
from tests.conftest import copy_workbook

pytestmark = pytest.mark.slow
TIMEOUT = 120_000


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The preview of a workbook without rounds (one notebook run: it starts in seconds)."""
    base = tmp_path_factory.mktemp("preview")
    root = copy_workbook(base / "workbook").root
    shutil.rmtree(root / "data" / "rounds")
    (root / "data" / "rounds").mkdir()
    port = free_port()
    env = {**os.environ, "DRAFTBOOK_ROOT": str(root), "MPLBACKEND": "Agg"}
    log = base / "preview.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "draftbook"), "preview", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_draftbook/version", timeout=2) as response:
                if json.load(response)["version"] >= 1:
                    break
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError(f"the preview did not start: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    yield url, root
    process.terminate()
    process.wait(timeout=30)
    assert "rebuilt in" in log.read_text()  # the terminal says what was rebuilt, and how fast


def test_a_saved_chapter_reloads_the_open_page(preview: tuple[str, Path], browser) -> None:  # type: ignore[no-untyped-def]
    url, root = preview
    page = browser.new_page()
    try:
        page.goto(f"{url}/book/context.html", timeout=TIMEOUT)
        page.wait_for_selector("main", timeout=TIMEOUT)
        assert "Une phrase ajoutée pendant la relecture." not in page.inner_text("main")
        page.evaluate("window.draftbookMark = 'before reload'")
        chapter = root / "book" / "context.md"
        chapter.write_text(
            chapter.read_text(encoding="utf-8") + "\nUne phrase ajoutée pendant la relecture.\n", encoding="utf-8"
        )
        page.wait_for_function(
            '() => document.body.innerText.includes("Une phrase ajoutée pendant la relecture.")', timeout=TIMEOUT
        )
        assert page.evaluate("window.draftbookMark === undefined")  # a real reload, not a patched page
        # a page deeper in the book reloads too (its script finds the version one folder up)
        page.goto(f"{url}/notebooks/calls.html", timeout=TIMEOUT)
        assert page.evaluate("Array.from(document.scripts).some(s => s.src.endsWith('/_draftbook/reload.js'))")
    finally:
        page.close()


def test_hostile_text_saved_in_a_chapter_stays_text(preview: tuple[str, Path], browser) -> None:  # type: ignore[no-untyped-def]
    url, root = preview
    page = browser.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"{url}/book/method.html", timeout=TIMEOUT)
        page.wait_for_selector("main", timeout=TIMEOUT)
        chapter = root / "book" / "method.md"
        hostile = 'Texte `<img src=x onerror=alert(1)>` et =HYPERLINK("http://x") fin.'
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{hostile}\n", encoding="utf-8")
        page.wait_for_function("() => document.body.innerText.includes('fin.')", timeout=TIMEOUT)
        assert "<img src=x onerror=alert(1)>" in page.inner_text("main")
        assert not alerts
    finally:
        page.close()
