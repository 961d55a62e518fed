"""Two people in one JupyterLab: real-time collaboration, saving, widgets, the token."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.browser.conftest import Lab

pytestmark = pytest.mark.slow
TIMEOUT = 90_000


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return condition()


def open_in_two(browser, lab: Lab, path: str, ready: str):  # type: ignore[no-untyped-def]
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.goto(lab.page_url(path), timeout=TIMEOUT)
        page.wait_for_selector(f"{ready} >> visible=true", timeout=TIMEOUT)
    return contexts, pages


def write_notebook(path: Path, *sources: str) -> None:
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


def test_a_request_without_the_token_is_refused(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{lab.url}/api/contents/book")
    assert refused.value.code == 403
    listing = json.load(urllib.request.urlopen(f"{lab.url}/api/contents/book?token={lab.token}"))
    assert "context.md" in {item["name"] for item in listing["content"]}
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{lab.url}/lab", timeout=TIMEOUT)
    assert "/login" in page.url  # no token: the login page, not the lab
    context.close()


def test_the_token_is_in_neither_the_servers_command_line_nor_its_environment(lab: Lab) -> None:
    proc = Path("/proc") / str(lab.process.pid)
    if not proc.is_dir():
        pytest.skip("no /proc on this system")
    command = (proc / "cmdline").read_bytes().split(b"\0")
    assert any(arg.endswith(b"jupyter-lab") for arg in command)  # draftbook lab became the server
    assert not [arg for arg in command if lab.token.encode() in arg]  # what `ps` shows every user
    assert lab.token.encode() not in (proc / "environ").read_bytes()  # nor inherited by the kernels


def test_two_people_edit_one_notebook_live_and_it_is_saved(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    path = lab.root / "notebooks" / "shared.ipynb"
    write_notebook(path, "")
    contexts, (alice, bob) = open_in_two(browser, lab, "notebooks/shared.ipynb", ".jp-Cell .cm-content")
    try:
        alice.click(".jp-Cell .cm-content >> visible=true")
        alice.keyboard.type("note = 'écrit par Alice'")
        bob.wait_for_function(
            "() => document.querySelector('.jp-Cell .cm-content').textContent.includes('écrit par Alice')",
            timeout=TIMEOUT,
        )
        assert wait_for(lambda: "écrit par Alice" in path.read_text(encoding="utf-8"))
    finally:
        for context in contexts:
            context.close()


def test_two_people_edit_one_chapter_live_and_it_is_saved(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    chapter = lab.root / "book" / "context.md"
    contexts, (alice, bob) = open_in_two(browser, lab, "book/context.md", ".jp-FileEditor .cm-content")
    try:
        alice.click(".jp-FileEditor .cm-content >> visible=true")
        alice.keyboard.press("Control+End")
        alice.keyboard.type("\nParagraphe ajouté par Alice.")
        bob.wait_for_function(
            "() => document.querySelector('.jp-FileEditor .cm-content').textContent"
            ".includes('Paragraphe ajouté par Alice.')",
            timeout=TIMEOUT,
        )
        assert wait_for(lambda: "Paragraphe ajouté par Alice." in chapter.read_text(encoding="utf-8"))
        assert chapter.read_text(encoding="utf-8").startswith("(ch-context)=")  # the rest is intact
        assert not (lab.root / ".jupyter").exists()  # the collaboration's own state stays outside
    finally:
        for context in contexts:
            context.close()


def test_a_translator_edits_a_catalogue_in_the_lab_text_editor(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    import polib

    catalogue = lab.root / "book" / "locales" / "es" / "LC_MESSAGES" / "book" / "calls.po"
    before = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue))}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(lab.page_url("book/locales/es/LC_MESSAGES/book/calls.po"), timeout=TIMEOUT)
        page.wait_for_selector(".jp-FileEditor .cm-content >> visible=true", timeout=TIMEOUT)
        page.wait_for_function(  # the shared document arrives a moment after the editor shows
            "() => document.querySelector('.jp-FileEditor .cm-content').textContent.includes('msgid \"Les appels')",
            timeout=TIMEOUT,
        )
        page.click(".jp-FileEditor .cm-content >> visible=true")
        page.keyboard.press("Control+End")
        page.keyboard.type('\nmsgid "Un ajout"\nmsgstr "Un añadido"\n')
        assert wait_for(lambda: "Un añadido" in catalogue.read_text(encoding="utf-8"))
        after = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue))}
        assert after == {**before, "Un ajout": "Un añadido"}  # still a valid catalogue, nothing else changed
    finally:
        context.close()


def test_the_weighing_widget_renders_and_a_slider_move_updates_the_ranking(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    path = lab.root / "notebooks" / "weigh-check.ipynb"
    write_notebook(
        path,
        "from draftbook.analysis.weighing import RoundData, load_assessments\n"
        "from draftbook.model.rounds import load_round, read_table\n"
        "from draftbook.model.paths import Workbook\n"
        "from draftbook.present.widgets import WeighingPanel\n"
        "workbook = Workbook.locate()\n"
        "r = load_round(workbook, '2022-05-written-feedback')\n"
        "data = RoundData(r.calls, read_table(r, 'respondents'), read_table(r, 'ratings'),\n"
        "                 load_assessments(r.folder / 'assessments.yml', [c.id for c in r.calls]))\n"
        "panel = WeighingPanel(data, workbook.root / 'weights-check.yml', r.id, 'en')\n"
        "panel",
    )
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(lab.page_url("notebooks/weigh-check.ipynb"), timeout=TIMEOUT)
        page.wait_for_selector(".jp-Cell .cm-content >> visible=true", timeout=TIMEOUT)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'] >> visible=true", timeout=TIMEOUT)
        page.click(".jp-Cell .cm-content >> visible=true")
        page.keyboard.press("Shift+Enter")
        table = page.wait_for_selector(".jp-OutputArea .draftbook-table >> visible=true", timeout=TIMEOUT)
        before = table.inner_text()
        sliders = page.locator(".jp-OutputArea .widget-slider .noUi-handle >> visible=true")
        assert sliders.count() >= 6  # one per criterion, then top-k
        urgency = sliders.nth(5)
        urgency.focus()
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(before) => document.querySelector('.jp-OutputArea .draftbook-table').innerText !== before",
            arg=before,
            timeout=TIMEOUT,
        )
        assert page.locator(".jp-OutputArea .draftbook-table").inner_text() != before
    finally:
        context.close()


def git_log(root: Path) -> list[str]:
    import subprocess

    done = subprocess.run(["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def open_git_panel(lab: Lab, page, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(lab.page_url("book"), timeout=TIMEOUT)
    page.wait_for_selector(".jp-DirListing-item >> visible=true", timeout=TIMEOUT)
    page.click(".jp-SideBar .lm-TabBar-tab[data-id='jp-git-sessions']")
    page.locator(f"#jp-git-sessions [title*='{path}']").first.wait_for(timeout=TIMEOUT)


def stage_and_commit(page, name: str, button: str, message: str) -> None:  # type: ignore[no-untyped-def]
    """Stage the file ``name`` with its row's button (title ``button``), then commit with ``message``."""
    row = page.locator("#jp-git-sessions .jp-git-file, #jp-git-sessions [class*='fileItem']").filter(has_text=name)
    row = row.first if row.count() else page.locator(f"#jp-git-sessions [title*='{name}']").first
    row.hover()
    row.locator(f"button[title='{button}']").first.click()
    page.fill("#jp-git-sessions textarea", message)
    commit = page.locator("#jp-git-sessions button", has_text="Commit").first
    page.wait_for_function("(b) => !b.disabled", arg=commit.element_handle(), timeout=TIMEOUT)
    commit.click()


def test_a_writer_commits_a_chapter_change_from_the_lab_git_panel(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    chapter = lab.root / "book" / "method.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUne phrase relue par l'équipe.\n", encoding="utf-8")
    message = "Méthode : une phrase relue"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        open_git_panel(lab, page, "method.md")
        stage_and_commit(page, "method.md", "Stage this change", message)
        assert wait_for(lambda: git_log(lab.root)[0] == message)
        import subprocess

        shown = subprocess.run(
            ["git", "show", "--stat", "--format=%an", "HEAD"], cwd=lab.root, capture_output=True, text=True, check=True
        ).stdout
        assert "book/method.md" in shown
        assert shown.startswith("Ana Writer")
    finally:
        context.close()


def test_the_repositorys_hooks_run_on_a_commit_from_the_lab(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    """nbstripout (a pre-commit hook) refuses a notebook with outputs and strips it: no commit."""
    path = lab.root / "notebooks" / "with-outputs.ipynb"
    notebook = new_notebook(cells=[new_code_cell("1 + 1")])
    notebook.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    nbformat.write(notebook, path)
    before = git_log(lab.root)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        open_git_panel(lab, page, "with-outputs.ipynb")
        stage_and_commit(page, "with-outputs.ipynb", "Track this file", "Un carnet avec ses sorties")
        # the extension offers to clear the outputs itself; keeping them leaves the decision to the hook
        page.get_by_role("button", name="Keep Outputs & Commit").click(timeout=TIMEOUT)
        assert wait_for(lambda: not nbformat.read(path, as_version=4).cells[0].outputs)  # the hook stripped it
        time.sleep(2)
        assert git_log(lab.root) == before  # and the commit did not happen
    finally:
        context.close()


def test_the_book_preview_is_served_through_the_lab(lab: Lab) -> None:
    """The launcher's "Book preview": jupyter-server-proxy starts `draftbook preview` behind the lab's address."""
    url = f"{lab.url}/book-preview/?token={lab.token}"
    with urllib.request.urlopen(url, timeout=120) as response:
        page = response.read().decode()
    assert "_draftbook/reload.js" in page
    with urllib.request.urlopen(f"{lab.url}/book-preview/_draftbook/version?token={lab.token}", timeout=30) as answer:
        assert set(json.load(answer)) == {"version", "building", "error"}
