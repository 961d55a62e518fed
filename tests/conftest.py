"""Shared fixtures: a private copy of the workbook, so tests never touch the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from draftbook.model.paths import ROOT_ENV, Workbook

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_workbook(root: Path) -> Workbook:
    """A copy of the repository's book sources and sample data (no private data) at ``root``."""
    root.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml", "requirements.txt"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, root / name)
    for name in ("book", "notebooks", "data", "_static", "latex"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "private"))
    return Workbook(root)


@pytest.fixture
def workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workbook:
    """A copy of the repository's book sources and sample data in a temporary folder."""
    copied = copy_workbook(tmp_path / "workbook")
    monkeypatch.setenv(ROOT_ENV, str(copied.root))
    return copied


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (UTF-8), creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
