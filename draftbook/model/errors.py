"""One exception family for everything the workbook refuses.

Every error names where the problem is (file, row, column or key) and what to
do about it, and prints as a sentence a drafting-team member can act on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class DraftbookError(Exception):
    """Base class: a problem the user can fix, with where and why."""

    def __init__(
        self,
        reason: str,
        *,
        file: Path | str | None = None,
        row: int | None = None,
        column: str | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.key = key
        self.hint = hint
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with every field, so the error crosses process boundaries whole (as nbclient's
        ``CellExecutionError`` does): keyword fields cannot go through ``Exception.args``."""
        return (_rebuild, (type(self), self.__dict__.copy()))

    def where(self) -> str:
        """``file, row 3, column "x", key "y"``: the parts that are known."""
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f'column "{self.column}"')
        if self.key is not None:
            parts.append(f'key "{self.key}"')
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.reason}" if where else self.reason
        return f"{text}\n  -> {self.hint}" if self.hint else text


def _rebuild(cls: type[DraftbookError], fields: dict[str, Any]) -> DraftbookError:
    """An error of class ``cls`` with ``fields``, without calling its ``__init__`` (whose signature varies)."""
    error = cls.__new__(cls)
    error.__dict__.update(fields)
    Exception.__init__(error, str(error))
    return error


class DataFileError(DraftbookError):
    """A data file (calls, round, codebook, table) is missing or malformed."""


class BuildError(DraftbookError):
    """A notebook failed while the book was being regenerated (raised in a worker, received whole)."""

    def __init__(
        self,
        reason: str,
        *,
        notebook: str,
        round_id: str | None = None,
        cell: int | None = None,
        output: Path | None = None,
        hint: str | None = None,
    ) -> None:
        self.notebook = notebook
        self.round_id = round_id
        self.cell = cell
        self.output = output
        super().__init__(reason, file=notebook, hint=hint)

    def where(self) -> str:
        parts = [f"notebook {self.notebook}"]
        if self.round_id:
            parts.append(f"round {self.round_id}")
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        return ", ".join(parts)


class BookBuildError(DraftbookError):
    """jupyter-book itself failed (a broken reference, a Sphinx warning in strict mode)."""


class BuildLockedError(DraftbookError):
    """Another build of the same workbook is running."""
