import os
from pathlib import Path

import pytest

from draftbook.book.build import build_lock, jupyter_book_command, swap_in
from draftbook.book.pipeline import plan_runs
from draftbook.book.stage import book_toc, round_page, sync_tree, write_if_changed
from draftbook.model.errors import BuildLockedError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, load_rounds
from tests.conftest import write


def test_toc_appends_one_chapter_per_round_newest_first(workbook: Workbook) -> None:
    rounds = load_rounds(workbook)
    toc = book_toc(workbook, rounds, plan_runs(workbook, rounds))
    assert toc["root"] == "book/index"
    assert toc["parts"][-1] == {"caption": "Pour l'équipe de rédaction", "chapters": [{"file": "team/translations"}]}
    last = toc["parts"][-2]
    assert last["caption"] == "Les tours de consultation"
    assert [c["file"] for c in last["chapters"]] == [
        "rounds/2022-05-written-feedback/index",
        "rounds/2022-04-regional-sessions/index",
        "rounds/2022-02-gtf-debate/index",
    ]
    sections = [s["file"] for s in last["chapters"][0]["sections"]]
    assert sections == [
        "rounds/2022-05-written-feedback/participation",
        "rounds/2022-05-written-feedback/support",
        "rounds/2022-05-written-feedback/themes",
        "rounds/2022-05-written-feedback/groups",
        "rounds/2022-05-written-feedback/opinions",
        "rounds/2022-05-written-feedback/weighing",
        "rounds/2022-05-written-feedback/planning",
        "rounds/2022-05-written-feedback/trace",
    ]
    assert toc["parts"][0]["caption"] == "Le document d'orientation"


def test_toc_without_parts_keeps_its_chapters(workbook: Workbook) -> None:
    write(workbook.root / "_toc.yml", "format: jb-book\nroot: book/index\nchapters:\n  - file: book/context\n")
    toc = book_toc(workbook, [], [])
    assert toc["parts"][0] == {"chapters": [{"file": "book/context"}]}
    assert [part.get("caption") for part in toc["parts"][1:]] == ["Pour l'équipe de rédaction"]


def test_round_page_lists_calls_and_makes_markup_inert(workbook: Workbook) -> None:
    round_ = load_round(workbook, "2022-02-gtf-debate")
    object.__setattr__(round_, "title", "Débat <script>alert(1)</script> {ref}`x`")
    page = round_page(round_)
    assert page.startswith("(round-2022-02-gtf-debate)=\n# Débat \\<script\\>")
    assert "\\{ref\\}\\`x\\`" in page
    assert page.count("- **CTA-") == 13


def test_round_page_in_each_language(workbook: Workbook) -> None:
    round_ = load_round(workbook, "2022-04-regional-sessions")
    english, spanish = round_page(round_, "en"), round_page(round_, "es")
    assert "# Regional sessions and dialogue with donors" in english and "- **Kind**: live session" in english
    assert "calls to action were put to this round:" in english and "*(replaces CTA-05, CTA-06)*" in english
    assert "# Sesiones regionales y diálogo con los donantes" in spanish and "- **Fechas**: 2022-04-25" in spanish
    call = round_.calls[0]
    assert call.text_in("es") in spanish.replace("\\", "") and call.text_in("fr") not in spanish.replace("\\", "")


def test_write_if_changed_keeps_the_mtime_of_unchanged_files(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    assert write_if_changed(path, b"one")
    os.utime(path, (1, 1))
    assert not write_if_changed(path, b"one")
    assert path.stat().st_mtime == 1
    assert write_if_changed(path, b"two")
    assert path.read_bytes() == b"two"


def test_sync_tree_copies_and_removes(tmp_path: Path) -> None:
    write(tmp_path / "src" / "a.md", "a")
    write(tmp_path / "src" / "sub" / "b.md", "b")
    write(tmp_path / "dst" / "old.md", "old")
    sync_tree(tmp_path / "src", tmp_path / "dst")
    assert sorted(p.relative_to(tmp_path / "dst").as_posix() for p in (tmp_path / "dst").rglob("*.md")) == [
        "a.md",
        "sub/b.md",
    ]


def test_lock_refuses_a_second_build_and_names_the_first(workbook: Workbook) -> None:
    with (
        build_lock(workbook),
        pytest.raises(BuildLockedError, match=f"another build is running \\(process {os.getpid()},"),
        build_lock(workbook),
    ):
        pass
    with build_lock(workbook):  # released: the next build goes ahead
        pass


def test_lock_left_by_a_dead_build_is_taken_over(workbook: Workbook) -> None:
    write(workbook.build_dir / "build.lock", "999999999")  # an old lock file, held by nobody
    write(workbook.build_dir / "build.lock.owner", "process 999999999")
    with build_lock(workbook):
        assert (workbook.build_dir / "build.lock.owner").read_text().startswith(f"process {os.getpid()},")


def _hold_build_lock(root: str, ready: str, seconds: float) -> None:
    import time

    with build_lock(Workbook(Path(root))):
        Path(ready).write_text("held", encoding="utf-8")
        time.sleep(seconds)


def test_two_builds_at_once_one_is_refused(workbook: Workbook, tmp_path: Path) -> None:
    import multiprocessing
    import time

    ready = tmp_path / "ready"
    other = multiprocessing.get_context("spawn").Process(
        target=_hold_build_lock, args=(str(workbook.root), str(ready), 10.0)
    )
    other.start()
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert time.monotonic() < deadline and other.is_alive()
            time.sleep(0.05)
        with pytest.raises(BuildLockedError, match=f"process {other.pid},"), build_lock(workbook):
            pass
    finally:
        other.kill()  # kill -9: the kernel releases its lock
        other.join()
    with build_lock(workbook):
        pass


def test_swap_in_replaces_the_site_whole(tmp_path: Path) -> None:
    write(tmp_path / "html" / "old.html", "old")
    write(tmp_path / "new" / "index.html", "new")
    swap_in(tmp_path / "new", tmp_path / "html")
    assert [p.name for p in (tmp_path / "html").iterdir()] == ["index.html"]
    assert not (tmp_path / "html.outgoing").exists()


def test_strict_command_turns_warnings_into_errors(tmp_path: Path) -> None:
    command = jupyter_book_command(tmp_path, tmp_path / "out", strict=True)
    assert command[1:5] == ["-m", "draftbook.book.jupyter_book_cli", "build", str(tmp_path)]
    assert {"-W", "-n", "--keep-going"} <= set(command)
    assert "-W" not in jupyter_book_command(tmp_path, tmp_path / "out", strict=False)


def test_round_page_shows_lineage(workbook: Workbook) -> None:
    page = round_page(load_round(workbook, "2022-04-regional-sessions"))
    assert "- **CTA-14** *(remplace CTA-05, CTA-06)* — " in page


def test_security_policy_hashes_only_the_builds_own_inline_code_and_mends_the_theme(tmp_path: Path) -> None:
    from draftbook.book.site import add_security_policy, script_hash

    page = (
        "<html><head><script>let toggleOpenOnPrint = 'true';</script>"
        "<script>DOCUMENTATION_OPTIONS.pagename = 'book/page';</script>"
        "<script>let toggleHintShow = 'Cliquez pour afficher';</script>"
        "<script>var a = 1;</script><script src='x.js'></script></head><body>"
        '<button onclick="window.print()">p</button><details><summary><i></i></summary></details>'
        '<button class="btn search-button-field x" title="Recherche" aria-label="Recherche">Recherche Ctrl K</button>'
        '<img src=x onerror="alert(1)">'
        '<script>\n    const THEBE_JS_URL = "https://unpkg.com/thebe"\n</script></body></html>'
    )
    write(tmp_path / "site" / "book" / "page.html", page)
    write(tmp_path / "site" / "index.html", '<meta http-equiv="Refresh" content="0; url=book/page.html" />')
    assert add_security_policy(tmp_path / "site") == 2
    result = (tmp_path / "site" / "book" / "page.html").read_text()
    policy = policy_of(result)
    for own in ("let toggleOpenOnPrint = 'true';", "DOCUMENTATION_OPTIONS.pagename = 'book/page';", "window.print()"):
        assert script_hash(own) in policy
    assert script_hash("let toggleHintShow = 'Cliquez pour afficher';") in policy  # the French book's hint
    for foreign in ("var a = 1;", "alert(1)"):
        assert script_hash(foreign) not in policy  # in the page, yet not written by the build
    assert policy.count("'sha256-") == 4
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "https" not in policy  # no third-party host is allowed
    assert "THEBE" not in result and "unpkg" not in result
    assert '<summary aria-label="Afficher ou masquer la sous-partie">' in result
    assert 'aria-label="Recherche"' not in result
    assert result.count("Content-Security-Policy") == 1
    add_security_policy(tmp_path / "site")  # a second pass replaces, never piles up
    assert (tmp_path / "site" / "book" / "page.html").read_text().count("Content-Security-Policy") == 1
    redirect = (tmp_path / "site" / "index.html").read_text()
    assert redirect.startswith("<head>") and redirect.count("Content-Security-Policy") == 1


def policy_of(page: str) -> str:
    """The Content-Security-Policy of a page, unescaped."""
    import html
    import re

    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert found, "the page has no policy"
    return html.unescape(found.group(1))


def test_the_pagename_and_hints_must_match_the_page_and_its_language(tmp_path: Path) -> None:
    from draftbook.book.site import own_inline_scripts

    french, spanish = own_inline_scripts("fr", "book/calls"), own_inline_scripts("es", "book/calls")
    assert "DOCUMENTATION_OPTIONS.pagename = 'book/calls';" in french
    assert "DOCUMENTATION_OPTIONS.pagename = 'book/other';" not in french  # another page's script
    assert (
        "let toggleHintShow = 'Haz clic para mostrar';" in spanish
        and "let toggleHintShow = 'Haz clic para mostrar';" not in french
    )
    assert not any("Set focus on search field" in script for script in french)
    assert any("Set focus on search field" in script for script in own_inline_scripts("fr", "search"))


def test_a_chart_script_is_trusted_only_as_display_writes_it() -> None:
    from draftbook.book.site import INLINE_SCRIPT, is_own_chart
    from draftbook.present.display import VegaChart

    spec = {"mark": "bar", "title": {"text": "Classement </script><script>alert(1)</script>"}}
    chart = INLINE_SCRIPT.findall(VegaChart(spec, "alt", name="ranking-2022").to_html())[-1]
    assert is_own_chart(chart)
    assert not is_own_chart(chart.replace("result.view; });", "result.view; }); alert(1);"))
    assert not is_own_chart(chart.replace("ast: true", "ast: false"))
    assert not is_own_chart(chart.replace('"bar"', '"bar" + alert(1)'))
    assert not is_own_chart("vegaEmbed('#draftbook-x', alert(1), {})")
    assert not is_own_chart("alert(1)")


def test_publish_to_a_folder_and_to_a_bare_git_repository(tmp_path: Path) -> None:
    import subprocess

    from draftbook.book.publish import looks_like_git, publish
    from draftbook.model.errors import BookBuildError

    site = tmp_path / "html"
    write(site / "index.html", "<p>v1</p>")
    write(site / "book" / "a.html", "<p>a</p>")
    root = tmp_path / "workbook"
    assert publish(site, str(tmp_path / "www"), root=root) == f"copied to {tmp_path / 'www'}"
    assert (tmp_path / "www" / "book" / "a.html").is_file() and (tmp_path / "www" / ".nojekyll").is_file()
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    assert looks_like_git(str(bare)) and not looks_like_git(str(tmp_path / "www"))
    assert publish(site, str(bare), root=root) == f"pushed to {bare} (gh-pages)"
    write(site / "index.html", "<p>v2</p>")
    publish(site, str(bare), root=root)
    shown = subprocess.run(
        ["git", "--git-dir", str(bare), "show", "gh-pages:index.html"], capture_output=True, text=True, check=True
    )
    assert shown.stdout == "<p>v2</p>"
    log = subprocess.run(
        ["git", "--git-dir", str(bare), "log", "--oneline", "gh-pages"], capture_output=True, text=True
    )
    assert len(log.stdout.splitlines()) == 2  # one commit per publication, history kept
    assert publish(site, str(bare), root=root) == f"{bare} (gh-pages) already holds this book"
    with pytest.raises(BookBuildError, match="no built book"):
        publish(tmp_path / "nothing", str(tmp_path / "www2"), root=root)


def built_site(workbook: Workbook) -> Path:
    """A small stand-in for the built book in the workbook's _build/html."""
    write(workbook.html_dir / "index.html", "<p>the book</p>")
    write(workbook.html_dir / "fr" / "book" / "a.html", "<p>a</p>")
    return workbook.html_dir


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("target", ["data", ".", "..", "_build/html", "data/private", "book/../notebooks"])
def test_publish_refuses_the_workbook_what_it_holds_and_what_holds_it(
    workbook: Workbook,
    target: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from draftbook.cli import main

    built_site(workbook)
    write(workbook.private_dir / "names.csv", "name\nAda\n")
    before = listing(workbook.root)
    monkeypatch.chdir(workbook.root)
    assert main(["publish", "--to", target]) == 1
    assert main(["publish", "--to", target, "--force"]) == 1  # --force never lets the workbook go
    error = capsys.readouterr().err
    assert "refusing to publish here" in error and str(workbook.root) in error and "Traceback" not in error
    assert "->" in error  # and what to do
    assert listing(workbook.root) == before and (workbook.private_dir / "names.csv").is_file()


def test_publish_refuses_a_symlink_into_the_workbook(workbook: Workbook, tmp_path: Path) -> None:
    from draftbook.book.publish import PublishError, publish

    (tmp_path / "looks-harmless").symlink_to(workbook.data)
    with pytest.raises(PublishError, match="is inside the workbook"):
        publish(built_site(workbook), str(tmp_path / "looks-harmless"), root=workbook.root)
    assert workbook.calls_file.is_file()


def test_a_foreign_folder_needs_force_and_a_publication_is_replaced_without(
    workbook: Workbook, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from draftbook.book.publish import PUBLICATION_MARKER
    from draftbook.cli import main

    built_site(workbook)
    www = tmp_path / "www"
    write(www / "notes.txt", "someone's work")
    assert main(["publish", "--to", str(www)]) == 1
    error = capsys.readouterr().err
    assert f"draftbook: {www}: this folder is not empty and was not written by `draftbook publish`" in error
    assert PUBLICATION_MARKER in error and "--force" in error
    assert listing(www) == ["notes.txt"]  # untouched
    assert main(["publish", "--to", str(www), "--force"]) == 0
    assert capsys.readouterr().out == f"The book was copied to {www}.\n"
    assert listing(www) == [".draftbook-publication", ".nojekyll", "fr", "fr/book", "fr/book/a.html", "index.html"]
    write(workbook.html_dir / "index.html", "<p>v2</p>")
    assert main(["publish", "--to", str(www)]) == 0  # its own publication: replaced without --force
    assert (www / "index.html").read_text() == "<p>v2</p>"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".www.")]  # no scratch folder left
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["publish", "--to", str(empty)]) == 0 and (empty / PUBLICATION_MARKER).is_file()
    assert main(["publish", "--to", str(www / "index.html")]) == 1
    assert "a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (OSError(28, "No space left on device"), "the disk is full"),
        (PermissionError(13, "Permission denied"), "not allowed to write there"),
        (OSError(30, "Read-only file system"), "the disk is read-only"),
        (OSError(5, "Input/output error"), "Input/output error"),
    ],
)
def test_a_failed_copy_is_a_clear_error_and_the_previous_publication_stays(
    workbook: Workbook,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: OSError,
    said: str,
) -> None:
    import shutil

    from draftbook.cli import main

    built_site(workbook)
    www = tmp_path / "out" / "www"
    assert main(["publish", "--to", str(www)]) == 0
    before = {path: path.read_bytes() for path in www.rglob("*") if path.is_file()}
    write(workbook.html_dir / "index.html", "<p>v2</p>")
    copied: list[Path] = []

    def fail_on_the_second_file(source: Path, target: Path) -> None:
        if copied:
            raise fault
        shutil.copy2(source, target)
        copied.append(target)

    monkeypatch.setattr("draftbook.book.publish.copy_file", fail_on_the_second_file)
    capsys.readouterr()
    assert main(["publish", "--to", str(www)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"draftbook: {www}: ") and said in error and "Traceback" not in error
    assert "previous publication, if any, is unchanged" in error
    assert {path: path.read_bytes() for path in www.rglob("*") if path.is_file()} == before
    assert sorted(p.name for p in www.parent.iterdir()) == ["www"]  # the partial copy is gone


def test_a_failed_copy_for_git_is_a_clear_error(
    workbook: Workbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from draftbook.book.publish import PublishError, publish

    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)

    def disk_full(source: Path, target: Path) -> None:
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr("draftbook.book.publish.copy_file", disk_full)
    with pytest.raises(PublishError, match="the disk is full"):
        publish(built_site(workbook), str(bare), root=workbook.root)


def test_the_books_build_without_compiling_the_unused_uri_grammars() -> None:
    """jupyter-book runs through draftbook.book.jupyter_book_cli: jsonschema is imported without
    rfc3987_syntax (1.1 s of grammar compilation per book), and jupyter-book still answers."""
    import subprocess
    import sys

    probe = (
        "from draftbook.book.jupyter_book_cli import skip_unused_grammars; skip_unused_grammars(); "
        "import sys, jsonschema, jupyter_book.config; "
        "print(sys.modules.get('rfc3987_syntax') is None, 'lark' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]
    helped = subprocess.run(
        [sys.executable, "-m", "draftbook.book.jupyter_book_cli", "build", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--path-output" in helped.stdout


def test_swap_in_can_move_a_scratch_site_instead_of_copying_it(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "old.html").write_text("old")
    (tmp_path / "scratch").mkdir()
    (tmp_path / "scratch" / "index.html").write_text("new")
    swap_in(tmp_path / "scratch", tmp_path / "html", move=True)
    assert [p.name for p in (tmp_path / "html").iterdir()] == ["index.html"]
    assert not (tmp_path / "scratch").exists() and not (tmp_path / "html.outgoing").exists()
