import os
from pathlib import Path

import pytest

from draftbook.errors import BuildLockedError
from draftbook.paths import Workbook
from draftbook.pipeline import plan_runs
from draftbook.publish import (
    book_toc,
    build_lock,
    jupyter_book_command,
    round_page,
    swap_in,
    sync_tree,
    write_if_changed,
)
from draftbook.rounds import load_round, load_rounds
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
        "rounds/2022-05-written-feedback/weighing",
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
        pytest.raises(BuildLockedError, match=f"process {os.getpid()}"),
        build_lock(workbook),
    ):
        pass
    assert not (workbook.build_dir / "build.lock").exists()


def test_lock_left_by_a_dead_build_is_taken_over(workbook: Workbook) -> None:
    write(workbook.build_dir / "build.lock", "999999999")
    with build_lock(workbook):
        assert (workbook.build_dir / "build.lock").read_text() == str(os.getpid())


def test_swap_in_replaces_the_site_whole(tmp_path: Path) -> None:
    write(tmp_path / "html" / "old.html", "old")
    write(tmp_path / "new" / "index.html", "new")
    swap_in(tmp_path / "new", tmp_path / "html")
    assert [p.name for p in (tmp_path / "html").iterdir()] == ["index.html"]
    assert not (tmp_path / "html.outgoing").exists()


def test_strict_command_turns_warnings_into_errors(tmp_path: Path) -> None:
    command = jupyter_book_command(tmp_path, tmp_path / "out", strict=True)
    assert command[1:3] == ["build", str(tmp_path)]
    assert {"-W", "-n", "--keep-going"} <= set(command)
    assert "-W" not in jupyter_book_command(tmp_path, tmp_path / "out", strict=False)


def test_round_page_shows_lineage(workbook: Workbook) -> None:
    page = round_page(load_round(workbook, "2022-04-regional-sessions"))
    assert "- **CTA-14** *(remplace CTA-05, CTA-06)* — " in page


def test_security_policy_hashes_inline_code_and_mends_the_theme(tmp_path: Path) -> None:
    import base64
    import hashlib

    from draftbook.publish import add_security_policy, content_security_policy

    page = (
        "<html><head><script>var a = 1;</script><script src='x.js'></script></head><body>"
        '<button onclick="window.print()">p</button><details><summary><i></i></summary></details>'
        '<button class="btn search-button-field x" title="Recherche" aria-label="Recherche">Recherche Ctrl K</button>'
        '<script>\n    const THEBE_JS_URL = "https://unpkg.com/thebe"\n</script></body></html>'
    )
    write(tmp_path / "site" / "page.html", page)
    write(tmp_path / "site" / "index.html", '<meta http-equiv="Refresh" content="0; url=page.html" />')
    assert add_security_policy(tmp_path / "site") == 2
    result = (tmp_path / "site" / "page.html").read_text()
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(b"var a = 1;").digest()).decode() + "'"
    handler = "'sha256-" + base64.b64encode(hashlib.sha256(b"window.print()").digest()).decode() + "'"
    policy = content_security_policy(result)
    assert digest in policy and handler in policy and "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "https" not in policy  # no third-party host is allowed
    assert "THEBE" not in result and "unpkg" not in result
    assert '<summary aria-label="Afficher ou masquer la sous-partie">' in result
    assert 'aria-label="Recherche"' not in result
    assert result.count("Content-Security-Policy") == 1
    add_security_policy(tmp_path / "site")  # a second pass replaces, never piles up
    assert (tmp_path / "site" / "page.html").read_text().count("Content-Security-Policy") == 1
    redirect = (tmp_path / "site" / "index.html").read_text()
    assert redirect.startswith("<head>") and redirect.count("Content-Security-Policy") == 1


def test_publish_to_a_folder_and_to_a_bare_git_repository(tmp_path: Path) -> None:
    import subprocess

    from draftbook.errors import BookBuildError
    from draftbook.publish import looks_like_git, publish

    site = tmp_path / "html"
    write(site / "index.html", "<p>v1</p>")
    write(site / "book" / "a.html", "<p>a</p>")
    assert publish(site, str(tmp_path / "www")) == f"copied to {tmp_path / 'www'}"
    assert (tmp_path / "www" / "book" / "a.html").is_file() and (tmp_path / "www" / ".nojekyll").is_file()
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    assert looks_like_git(str(bare)) and not looks_like_git(str(tmp_path / "www"))
    assert publish(site, str(bare)) == f"pushed to {bare} (gh-pages)"
    write(site / "index.html", "<p>v2</p>")
    publish(site, str(bare))
    shown = subprocess.run(
        ["git", "--git-dir", str(bare), "show", "gh-pages:index.html"], capture_output=True, text=True, check=True
    )
    assert shown.stdout == "<p>v2</p>"
    log = subprocess.run(
        ["git", "--git-dir", str(bare), "log", "--oneline", "gh-pages"], capture_output=True, text=True
    )
    assert len(log.stdout.splitlines()) == 2  # one commit per publication, history kept
    assert publish(site, str(bare)) == f"{bare} (gh-pages) already holds this book"
    with pytest.raises(BookBuildError, match="no built book"):
        publish(tmp_path / "nothing", str(tmp_path / "www2"))
