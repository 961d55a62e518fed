"""Shared fixtures: the tests' own workbook (tests/fixtures/workbook), never the repository's.

The repository's ``_config.yml``, ``_toc.yml``, ``book/`` and ``data/`` are the team's paper (the
sample paper in this repository, another paper in a workbook made from it): no test reads them.
The tests read ``WORKBOOK_FIXTURE``, a frozen copy of the sample paper, and write only to copies
of it. The tooling (notebooks, theme, LaTeX, requirements) is taken from the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from draftbook.model.paths import ROOT_ENV, Workbook

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
WORKBOOK_FIXTURE = FIXTURES / "workbook"  # the tests' own workbook: read it, never write to it

CONTENT_FILES = ("_config.yml", "_toc.yml")
CONTENT_FOLDERS = ("book", "data")
TOOLING_FILES = ("requirements.txt",)
TOOLING_FOLDERS = ("notebooks", "_static", "latex")


def copy_workbook(root: Path) -> Workbook:
    """A workbook at ``root``: the fixture's content (config, table of contents, chapters, data, no
    private data) with the repository's tooling (notebooks, theme, LaTeX, requirements)."""
    root.mkdir(parents=True)
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "private")
    for source, names in ((WORKBOOK_FIXTURE, CONTENT_FILES), (REPO, TOOLING_FILES)):
        for name in names:
            if (source / name).is_file():
                shutil.copy2(source / name, root / name)
    for source, names in ((WORKBOOK_FIXTURE, CONTENT_FOLDERS), (REPO, TOOLING_FOLDERS)):
        for name in names:
            shutil.copytree(source / name, root / name, ignore=skip)
    return Workbook(root)


@pytest.fixture(autouse=True)
def _default_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code that finds its workbook itself (``Workbook.locate()``, ``label()``, a subprocess) reads
    the fixture, not the repository's own data; a test that writes asks for ``workbook``."""
    monkeypatch.setenv(ROOT_ENV, str(WORKBOOK_FIXTURE))


@pytest.fixture
def workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workbook:
    """A copy of the fixture workbook (with the repository's tooling) in a temporary folder."""
    copied = copy_workbook(tmp_path / "workbook")
    monkeypatch.setenv(ROOT_ENV, str(copied.root))
    return copied


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (UTF-8), creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
