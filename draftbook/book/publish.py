"""Publishing the built site: to a folder (refusing the workbook and foreign folders) or a git branch."""

from __future__ import annotations

import contextlib
import errno
import re
import secrets
import shutil
import subprocess
from pathlib import Path

from draftbook.model.errors import BookBuildError, DraftbookError


def looks_like_git(target: str) -> bool:
    """A git remote (URL, scp-like address, or a bare repository folder) rather than a plain folder."""
    if target.endswith(".git") or "://" in target or re.match(r"^[\w.-]+@[\w.-]+:", target):
        return True
    folder = Path(target)
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir()


PUBLICATION_MARKER = ".draftbook-publication"
MARKER_TEXT = (
    "This folder is a publication of the book, written by `draftbook publish`.\n"
    "The next publication replaces everything in it.\n"
)


class PublishError(DraftbookError):
    """The book cannot be published where asked (a folder that must not be replaced, a write that failed)."""


def _relation(folder: Path, guarded: Path) -> str | None:
    """How ``folder`` stands to ``guarded`` (both resolved): "is", "is inside", "holds", or None."""
    if folder == guarded:
        return "is"
    if guarded in folder.parents:
        return "is inside"
    if folder in guarded.parents:
        return "holds"
    return None


def publication_folder(target: str, root: Path, site: Path, force: bool = False) -> Path:
    """The folder ``target`` names, resolved, once it is safe to replace whole; else a ``PublishError``
    naming it and what to do.

    Never the workbook at ``root``, the built ``site``, the home folder or the filesystem root, nor a
    folder inside or holding one of them (``force`` does not change that). A folder that exists, is
    not empty and holds no ``PUBLICATION_MARKER`` (so was not made by a publication) only with ``force``.
    """
    folder = Path(target).expanduser().resolve()
    everywhere: tuple[str, ...] = ("is", "is inside", "holds")
    guarded = [(root.resolve(), "the workbook", everywhere), (site.resolve(), "the built book", everywhere)]
    with contextlib.suppress(RuntimeError):  # no home folder known; a folder inside it is fine
        guarded.append((Path.home().resolve(), "your home folder", ("is", "holds")))
    for place, name, refused in guarded:
        relation = _relation(folder, place)
        if relation in refused:
            raise PublishError(
                f"refusing to publish here: this folder {relation} {name} ({place}), "
                "and publishing replaces the folder whole",
                file=folder,
                hint="publish to a folder of its own outside the workbook, e.g. /srv/www/policy-paper",
            )
    if folder.parent == folder:
        raise PublishError(
            "refusing to publish to the root of the file system",
            file=folder,
            hint="publish to a folder of its own, e.g. /srv/www/policy-paper",
        )
    if folder.exists() and not folder.is_dir():
        raise PublishError("this is a file, not a folder", file=folder, hint="name a folder for the book")
    try:
        foreign = folder.is_dir() and any(folder.iterdir()) and not (folder / PUBLICATION_MARKER).is_file()
    except OSError as error:
        raise write_failure(error, folder) from None
    if foreign and not force:
        raise PublishError(
            f"this folder is not empty and was not written by `draftbook publish` (it has no "
            f"{PUBLICATION_MARKER} file): publishing would delete everything in it",
            file=folder,
            hint="publish to a new or empty folder; or, if everything in it may go, add --force",
        )
    return folder


def write_failure(error: OSError, folder: Path, scratch: Path | None = None) -> PublishError:
    """``error``, met while writing the publication to ``folder`` (through the copy ``scratch``
    beside it, named as ``folder`` in the message), as a sentence saying what to do."""
    unchanged = "the previous publication, if any, is unchanged"
    if scratch is not None and isinstance(error.filename, str):
        error.filename = error.filename.replace(str(scratch), str(folder), 1)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return PublishError(
            "the disk is full (or your quota is used up): the book could not be written",
            file=folder,
            hint=f"free some space on that disk, or publish to another one; {unchanged}",
        )
    if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM):
        return PublishError(
            f"not allowed to write there ({error.filename or folder})",
            file=folder,
            hint=f"publish to a folder you can write to, in a folder you can write to, or ask its owner; {unchanged}",
        )
    if error.errno == errno.EROFS:
        return PublishError("the disk is read-only", file=folder, hint=f"publish to another disk; {unchanged}")
    return PublishError(
        f"the book could not be written: {error.strerror or error} ({error.filename or folder})",
        file=folder,
        hint=f"fix the cause and publish again; {unchanged}",
    )


def copy_file(source: Path, target: Path) -> None:
    """Copy one file of the site, with its times."""
    shutil.copy2(source, target)


def copy_site(site: Path, folder: Path) -> None:
    """Copy every file of ``site`` into ``folder`` (created), each through ``copy_file``; an
    ``OSError`` (a full disk, a refused write) is raised as the system reported it."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(site.rglob("*")):
        target = folder / source.relative_to(site)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_file(source, target)


def replace_folder(site: Path, folder: Path) -> None:
    """Make ``folder`` a copy of ``site`` plus ``.nojekyll`` and the ``PUBLICATION_MARKER``.

    The copy is made beside it first; the previous content is swapped out only once the copy is
    complete, so a failure (a ``PublishError`` saying what happened) leaves ``folder`` as it was.
    """
    incoming = folder.with_name(f".{folder.name}.publishing-{secrets.token_hex(4)}")
    outgoing = folder.with_name(f".{folder.name}.previous-{secrets.token_hex(4)}")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        copy_site(site, incoming)
        (incoming / ".nojekyll").touch()
        (incoming / PUBLICATION_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        if folder.exists():
            folder.rename(outgoing)
        try:
            incoming.rename(folder)
        except OSError:
            if outgoing.exists():
                outgoing.rename(folder)
            raise
    except OSError as error:
        shutil.rmtree(incoming, ignore_errors=True)
        raise write_failure(error, folder, incoming) from None
    shutil.rmtree(outgoing, ignore_errors=True)


def publish(
    site: Path,
    target: str,
    branch: str = "gh-pages",
    message: str = "Publish the book",
    *,
    root: Path,
    force: bool = False,
) -> str:
    """Copy the built site to a folder, or commit it to ``branch`` of a git remote; say where it went.

    A folder is replaced whole, so ``publication_folder`` first refuses the workbook at ``root``
    (and what holds it or is inside it) and, unless ``force``, a non-empty folder that is not a
    previous publication. Every refusal and failed write is a ``PublishError`` naming the folder.
    """
    if not (site / "index.html").is_file():
        raise BookBuildError("there is no built book to publish", file=site, hint="run `make book` first")
    if looks_like_git(target):
        return _publish_git(site, target, branch, message)
    folder = publication_folder(target, root, site, force)
    replace_folder(site, folder)
    return f"copied to {folder}"


def _publish_git(site: Path, remote: str, branch: str, message: str) -> str:
    import tempfile

    identity = ["-c", "user.name=draftbook", "-c", "user.email=draftbook@localhost"]

    def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BookBuildError(
                f"git {args[0]} failed: {(result.stderr.strip() or result.stdout.strip()).splitlines()[-1:]}",
                hint=f"check that {remote} is a git remote you can push to",
            )
        return result

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "site"
        work.mkdir()
        git("init", "-q", cwd=work)
        git("remote", "add", "origin", remote, cwd=work)
        fetched = subprocess.run(["git", "fetch", "-q", "origin", branch], cwd=work, capture_output=True, check=False)
        if fetched.returncode == 0:
            git("checkout", "-q", "-b", branch, "FETCH_HEAD", cwd=work)
        else:
            git("checkout", "-q", "--orphan", branch, cwd=work)
        for entry in work.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        try:
            copy_site(site, work)
            (work / ".nojekyll").touch()
        except OSError as error:
            raise write_failure(error, work) from None
        git("add", "-A", cwd=work)
        if not git("status", "--porcelain", cwd=work).stdout.strip():
            return f"{remote} ({branch}) already holds this book"
        git("commit", "-q", "-m", message, cwd=work)
        git("push", "-q", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
    return f"pushed to {remote} ({branch})"
