"""Writing files so that nobody ever reads half of one, and locks that hold across processes.

``atomic_write`` is the one way the workbook writes a file it owns: the content
goes to a uniquely named file beside the target, is flushed to disk, then
renamed over it (a rename within a folder is atomic), so a crash, a kill or a
full disk leaves the old file or the new one, never a mix. ``atomic_path`` is
the same for libraries that insist on writing a path themselves (python-docx,
polib). ``exclusive`` is an operating-system lock (filelock: released by the
kernel when its process dies, so a killed build never leaves a stale lock) that
names the process holding it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from draftbook.model.errors import DraftbookError


def scratch_path(path: Path) -> Path:
    """A temporary name beside ``path``, unique to this process (never the target's own)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def atomic_write(path: Path, content: bytes | str, *, mode: int | None = None) -> None:
    """Write ``path`` whole or not at all; ``mode`` (e.g. 0o600) is set before the file appears."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with atomic_path(path, mode=mode) as scratch, scratch.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_path(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """A scratch path to write; renamed over ``path`` when the block ends well, removed when it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = scratch_path(path)
    scratch.unlink(missing_ok=True)
    if mode is not None:
        os.close(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    try:
        yield scratch
        scratch.replace(path)
    finally:
        scratch.unlink(missing_ok=True)


class LockedError(DraftbookError):
    """Another process holds the lock."""


@contextlib.contextmanager
def exclusive(
    lock: Path,
    *,
    what: str,
    wait: float = 0.0,
    error: type[DraftbookError] = LockedError,
    progress: Callable[[str], None] = lambda _: None,
) -> Iterator[None]:
    """Hold ``lock`` for the block: one process at a time. Waits up to ``wait`` seconds (saying so),
    then raises ``error`` naming the process that holds it."""
    from filelock import FileLock, Timeout

    lock.parent.mkdir(parents=True, exist_ok=True)
    owner = lock.with_name(lock.name + ".owner")
    handle = FileLock(str(lock))
    try:
        handle.acquire(timeout=0)
    except Timeout:
        if wait <= 0:
            raise error(
                f"another {what} is running ({_holder(owner)})", file=lock, hint=f"wait for the other {what} to finish"
            ) from None
        progress(f"waiting for another {what} ({_holder(owner)}) ...")
        try:
            handle.acquire(timeout=wait)
        except Timeout:
            raise error(
                f"another {what} is still running ({_holder(owner)})",
                file=lock,
                hint=f"wait for the other {what} to finish, then run this one again",
            ) from None
    try:
        owner.write_text(f"process {os.getpid()}, since {time.strftime('%H:%M:%S')}", encoding="utf-8")
        yield
    finally:
        owner.unlink(missing_ok=True)
        handle.release()


def _holder(owner: Path) -> str:
    try:
        return owner.read_text(encoding="utf-8").strip() or "process unknown"
    except OSError:
        return "process unknown"
