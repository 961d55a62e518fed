"""Every path the documentation names exists in the repository, and no doc points outside it.

A path of the workbook's content (a chapter, a data file, a catalogue) may exist in the tests' workbook
instead: the docs describe a workbook with rounds, and a new workbook has none yet."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO, WORKBOOK_FIXTURE

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "benchmarks" / "README.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
TOP = {p.name for p in REPO.iterdir() if not p.name.startswith((".git", ".venv", "_build"))} | {".ci"}
GENERATED = ("data/private/", "_build/")  # made at run time, never in the repository
PLACEHOLDER = re.compile(r"[<>{}*…$|]|\.\.\.")


def named_paths(doc: Path) -> list[str]:
    """Relative paths a document names: its links, and code spans that look like a file or folder of the repository."""
    text = doc.read_text(encoding="utf-8")
    found = [link for link in LINK.findall(text) if not re.match(r"[a-z]+:", link) and not link.startswith("#")]
    for span in CODE.findall(text):
        looks_like_path = span.split("/")[0] in TOP or (span in TOP and "." in span)  # a path from the root
        if looks_like_path and not PLACEHOLDER.search(span) and not span.startswith(GENERATED):
            found.append(span)
    return found


def exists(doc: Path, path: str) -> bool:
    path = path.split("#")[0].rstrip("/")
    return any((base / path).exists() for base in (REPO, WORKBOOK_FIXTURE, doc.parent))


def test_every_path_the_docs_name_exists() -> None:
    missing = [f"{doc.relative_to(REPO)}: {path}" for doc in DOCS for path in named_paths(doc) if not exists(doc, path)]
    assert not missing, "\n".join(missing)


def test_the_docs_name_many_paths_and_the_check_catches_a_wrong_one(tmp_path: Path) -> None:
    assert sum(len(named_paths(doc)) for doc in DOCS) > 40
    doc = tmp_path / "doc.md"
    doc.write_text("See `draftbook/nowhere.py`, `round.yml` and [the guide](docs/team-guide.md).", encoding="utf-8")
    assert named_paths(doc) == ["docs/team-guide.md", "draftbook/nowhere.py"]
    assert not exists(doc, "draftbook/nowhere.py") and exists(doc, "docs/team-guide.md")


def test_no_doc_points_outside_the_repository() -> None:
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/design" not in text, doc
