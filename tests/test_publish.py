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
    last = toc["parts"][-1]
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
    assert toc["parts"] == [{"chapters": [{"file": "book/context"}]}]


def test_round_page_lists_calls_and_makes_markup_inert(workbook: Workbook) -> None:
    round_ = load_round(workbook, "2022-02-gtf-debate")
    object.__setattr__(round_, "title", "Débat <script>alert(1)</script> {ref}`x`")
    page = round_page(round_)
    assert page.startswith("(round-2022-02-gtf-debate)=\n# Débat \\<script\\>")
    assert "\\{ref\\}\\`x\\`" in page
    assert page.count("- **CTA-") == 13


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
