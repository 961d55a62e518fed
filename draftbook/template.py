"""``draftbook new PATH``: a workbook for another paper, made from this one with copier.

The template is this repository: ``copier.yml`` at its root and ``template/``, where the tooling
(package, notebooks, tests, Makefile, CI, docs) is linked in and the team's starting content is
written from the answers (title, author, the paper's language, the book's languages). The new
workbook records where it came from in ``.copier-answers.yml``; ``make update`` (``copier update``)
later merges the tooling's changes and leaves the team's text, calls and rounds alone.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from draftbook.model.errors import DraftbookError
from draftbook.model.languages import LANGUAGES
from draftbook.model.paths import _package_root

ANSWERS_FILE = ".copier-answers.yml"
# Used for the first commit only when git knows nobody on this machine.
FALLBACK_IDENTITY = {"GIT_AUTHOR_NAME": "draftbook", "GIT_AUTHOR_EMAIL": "draftbook@localhost"}


class NewWorkbookError(DraftbookError):
    """A new workbook cannot be made where or how it was asked."""


def tooling_source() -> Path:
    """The checkout this package runs from: the template of every new workbook."""
    return _package_root()


def new_workbook(
    path: Path,
    *,
    title: str,
    author: str = "Drafting team",
    language: str = "fr",
    languages: Sequence[str] = LANGUAGES,
    source: Path | None = None,
) -> Path:
    """Make a new workbook at ``path`` (absent or empty) and commit it; return its root."""
    from copier import run_copy

    src = (source or tooling_source()).resolve()
    path = path.resolve()
    if not title.strip():
        raise NewWorkbookError("the paper needs a title", hint='give it with --title "…"')
    if language not in LANGUAGES or not set(languages) <= set(LANGUAGES):
        raise NewWorkbookError(f"languages are among {', '.join(LANGUAGES)}", hint="e.g. --language en")
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise NewWorkbookError(f"{path} already exists and is not empty", hint="choose a new folder")
    if not (src / "copier.yml").is_file() or not (src / ".git").exists():
        raise NewWorkbookError(
            f"{src} is not a git checkout of draftbook with its template (copier.yml)",
            hint="run draftbook new from a clone of the draftbook repository",
        )
    answers = {
        "title": title.strip(),
        "author": author.strip() or "Drafting team",
        "language": language,
        "languages": [language, *(lang for lang in LANGUAGES if lang in languages and lang != language)],
    }
    # The committed tooling (never uncommitted edits of the checkout): the recorded commit is what
    # `make update` later merges from.
    head = _git(src, "rev-parse", "HEAD").strip()
    run_copy(str(src), path, data=answers, defaults=True, quiet=True, vcs_ref=head, unsafe=False)
    _first_commit(path)
    return path


def _git(root: Path, *args: str) -> str:
    environment = os.environ.copy()
    known = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True, text=True)
    if not known.stdout.strip():
        environment |= FALLBACK_IDENTITY | {
            "GIT_COMMITTER_NAME": FALLBACK_IDENTITY["GIT_AUTHOR_NAME"],
            "GIT_COMMITTER_EMAIL": FALLBACK_IDENTITY["GIT_AUTHOR_EMAIL"],
        }
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=environment)
    if done.returncode:
        raise NewWorkbookError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _first_commit(root: Path) -> None:
    """A git repository with everything committed: ``copier update`` merges into a clean checkout."""
    if not (root / ".git").exists():
        _git(root, "init", "--quiet", "--initial-branch=main")
    _git(root, "add", "--all")
    _git(root, "commit", "--quiet", "--no-verify", "-m", "New workbook made with draftbook new")
