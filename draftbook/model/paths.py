"""Where things are: every folder of the workbook, resolved from one root.

The root is the repository that holds ``_config.yml`` and ``_toc.yml``. It is
found from the ``DRAFTBOOK_ROOT`` environment variable when set (tests and
staged builds use it), otherwise from the package location, so that a notebook
finds its data whatever the kernel's working directory is.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from draftbook.model.errors import DataFileError

ROOT_ENV = "DRAFTBOOK_ROOT"
ROUND_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}\Z")


def check_round_id(round_id: str) -> str:
    """``round_id`` if it is a plain folder name (letters, digits, ``-``, ``_``): never a path."""
    if not ROUND_ID.match(round_id):
        raise DataFileError(
            f'"{round_id}" is not a round id',
            hint="a round id is a plain folder name under data/rounds/: letters, digits, - and _ "
            "(e.g. 2022-05-written-feedback), never a path",
        )
    return round_id


def _package_root() -> Path:
    return Path(__file__).resolve().parent.parent.parent  # draftbook/model/paths.py -> the checkout


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
        """The folder of a round; the id is checked, so no round can point outside ``data/rounds/``."""
        return self.rounds_dir / check_round_id(round_id)
