"""The preview's server and watcher, without a build (tests/browser/test_preview.py builds for real)."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from draftbook.book.preview import Preview, PreviewError, inject, snapshot
from draftbook.model.paths import Workbook


@pytest.fixture
def served(workbook: Workbook) -> Iterator[tuple[str, Preview]]:
    preview = Preview(workbook, "fr", log=lambda line: None)
    (preview.html / "book").mkdir(parents=True)
    (preview.html / "index.html").write_text("<html><body><p>Accueil</p></body></html>")
    (preview.html / "book" / "context.html").write_text("<html><body><p>Contexte</p></body></html>")
    (preview.html / "_static").mkdir()
    (preview.html / "_static" / "style.css").write_text("p {}")
    (workbook.root / "secret.txt").write_text("not served")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), preview.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", preview
    server.shutdown()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, "", ""


def test_every_page_gets_the_reload_script_at_its_depth(served: tuple[str, Preview]) -> None:
    url, _ = served
    status, kind, page = get(f"{url}/book/context.html")
    assert status == 200
    assert kind.startswith("text/html")
    assert '<script src="../_draftbook/reload.js"></script></body>' in page
    assert '<script src="_draftbook/reload.js">' in get(f"{url}/")[2]
    assert get(f"{url}/_static/style.css")[2] == "p {}"  # other files as they are


def test_the_version_says_when_to_reload(served: tuple[str, Preview]) -> None:
    url, preview = served
    assert json.loads(get(f"{url}/_draftbook/version")[2]) == {"version": 0, "building": True, "error": ""}
    with preview.state.lock:
        preview.state.version, preview.state.building, preview.state.error = 3, False, "un <b>souci</b>"
    said = json.loads(get(f"{url}/book/_draftbook/version")[2])  # reachable from any depth
    assert said == {"version": 3, "building": False, "error": "un <b>souci</b>"}
    script = get(f"{url}/_draftbook/reload.js")[2]
    assert "location.reload()" in script
    assert "textContent" in script and "innerHTML" not in script  # an error is shown as text


def test_nothing_outside_the_book_is_served(served: tuple[str, Preview]) -> None:
    url, _ = served
    assert get(f"{url}/../../../secret.txt")[0] == 404
    assert get(f"{url}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt")[0] == 404
    assert get(f"{url}/missing.html")[0] == 404


def test_before_the_first_build_a_waiting_page_reloads_by_itself(workbook: Workbook) -> None:
    preview = Preview(workbook, "fr", log=lambda line: None)
    preview.html.mkdir(parents=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), preview.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, _, page = get(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
    assert status == 200
    assert "being built" in page
    assert "_draftbook/reload.js" in page


def test_a_language_the_book_does_not_have_is_refused(workbook: Workbook) -> None:
    with pytest.raises(PreviewError, match="'de' is not a language of this book") as refused:
        Preview(workbook, "de")
    assert "draftbook.languages" in refused.value.hint


def test_the_watcher_sees_a_saved_chapter_and_a_new_one(workbook: Workbook) -> None:
    before = snapshot(workbook)
    assert workbook.root / "book" / "context.md" in before
    chapter = workbook.root / "book" / "context.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nAjout.\n", encoding="utf-8")
    (workbook.root / "book" / "new.md").write_text("# Nouveau\n", encoding="utf-8")
    after = snapshot(workbook)
    assert after[chapter] != before[chapter]
    assert workbook.root / "book" / "new.md" in after
    assert snapshot(workbook) == after  # nothing changed: nothing to rebuild


def test_inject_without_a_body_appends() -> None:
    assert inject(b"<p>x</p>", "a/b/c.html") == b'<p>x</p><script src="../../_draftbook/reload.js"></script>'


@pytest.mark.slow
def test_a_saved_chapter_rewrites_its_page_not_the_whole_book(workbook: Workbook) -> None:
    """Sphinx in one process, build after build: only the saved chapter's page (and the pages that list it)."""
    import shutil

    shutil.rmtree(workbook.root / "data" / "rounds")
    (workbook.root / "data" / "rounds").mkdir()
    preview = Preview(workbook, "fr", log=lambda line: None)
    preview.prepare()
    preview.build()
    assert preview.state.error == "" and preview.state.version == 1
    pages = {path: path.stat().st_mtime_ns for path in preview.html.rglob("*.html")}
    chapter = workbook.root / "book" / "method.md"
    for text in ("Première relecture.", "Deuxième relecture."):
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
        preview.build()
        assert text in (preview.html / "book" / "method.html").read_text(encoding="utf-8")
    rewritten = {path.relative_to(preview.html).as_posix() for path in pages if path.stat().st_mtime_ns != pages[path]}
    assert "book/method.html" in rewritten
    # the page, the front page that lists it, the translation status, the index and search pages
    assert rewritten <= {
        "book/method.html",
        "book/index.html",
        "team/translations.html",
        "genindex.html",
        "search.html",
    }
    assert "book/context.html" in {path.relative_to(preview.html).as_posix() for path in pages}  # not rewritten
