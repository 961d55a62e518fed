"""Where things are: every folder of the workbook, resolved from one root.

The root is the repository that holds ``_config.yml`` and ``_toc.yml``. It is
found from the ``DRAFTBOOK_ROOT`` environment variable when set (tests and
staged builds use it), otherwise from the package location, so that a notebook
finds its data whatever the kernel's working directory is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "DRAFTBOOK_ROOT"


def _package_root() -> Path:
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Workbook:
    """The folders and files of one workbook checkout."""

    root: Path

    @classmethod
    def locate(cls) -> Workbook:
        """The workbook named by ``DRAFTBOOK_ROOT``, else the package's own checkout."""
        override = os.environ.get(ROOT_ENV)
        return cls(Path(override).resolve() if override else _package_root())

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def calls_file(self) -> Path:
        return self.data / "calls.yml"

    @property
    def codebook_file(self) -> Path:
        return self.data / "codebook.yml"

    @property
    def membership_file(self) -> Path:
        return self.data / "membership.yml"

    @property
    def vocabulary_file(self) -> Path:
        return self.data / "vocabulary.yml"

    @property
    def rounds_dir(self) -> Path:
        return self.data / "rounds"

    @property
    def private_dir(self) -> Path:
        return self.data / "private"

    @property
    def book_dir(self) -> Path:
        return self.root / "book"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def html_dir(self) -> Path:
        return self.build_dir / "html"

    def round_dir(self, round_id: str) -> Path:
        return self.rounds_dir / round_id
