"""Build the book: stage the sources, run jupyter-book, swap the site in atomically.

The stage (``_build/stage``) holds what jupyter-book reads: ``_config.yml``,
the chapters of ``book/``, the executed notebooks and a ``_toc.yml`` that is
the repository's own plus one part per consultation round. Files are copied
only when their content changed, so Sphinx's incremental build stays useful.
The new site replaces ``_build/html`` only after a successful build.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from draftbook.config import read_yaml, require_mapping
from draftbook.errors import BookBuildError, BuildLockedError, DataFileError
from draftbook.paths import Workbook
from draftbook.pipeline import MANIFEST, Run
from draftbook.rounds import Round
from draftbook.vendor import vendor_scripts

ROUNDS_CAPTION = "Les tours de consultation"
KIND_LABELS = {"session": "session en direct", "survey": "enquête", "written": "commentaires écrits"}


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write ``content`` unless the file already holds it (keeps mtimes for Sphinx)."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_bytes(content)
    scratch.replace(path)
    return True


def sync_tree(source: Path, target: Path) -> None:
    """Make ``target`` a copy of ``source``, touching only what differs."""
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts}
    for relative in wanted:
        write_if_changed(target / relative, (source / relative).read_bytes())
    if target.is_dir():
        for path in target.rglob("*"):
            if path.is_file() and path.relative_to(target) not in wanted:
                path.unlink()


def stage_sources(workbook: Workbook, stage: Path, rounds: Sequence[Round], runs: Sequence[Run]) -> None:
    """Copy config and chapters into ``stage`` and write the round pages and the table of contents."""
    write_if_changed(stage / "_config.yml", (workbook.root / "_config.yml").read_bytes())
    sync_tree(workbook.book_dir, stage / "book")
    for folder in ("_static", "latex"):
        if (workbook.root / folder).is_dir():
            sync_tree(workbook.root / folder, stage / folder)
    vendor_scripts(workbook, stage)
    for round_ in rounds:
        write_if_changed(stage / "rounds" / round_.id / "index.md", round_page(round_).encode("utf-8"))
    toc = book_toc(workbook, rounds, runs)
    write_if_changed(stage / "_toc.yml", yaml.safe_dump(toc, allow_unicode=True, sort_keys=False).encode("utf-8"))


def book_toc(workbook: Workbook, rounds: Sequence[Round], runs: Sequence[Run]) -> dict[str, Any]:
    """The repository's ``_toc.yml`` with one chapter per round (newest first) appended."""
    path = workbook.root / "_toc.yml"
    toc = dict(require_mapping(read_yaml(path), file=path, key=None, what="a table of contents"))
    if "root" not in toc:
        raise DataFileError("the table of contents needs a root page", file=path, key="root")
    parts = list(toc.pop("parts", []) or [])
    if "chapters" in toc:
        parts.insert(0, {"chapters": toc.pop("chapters")})
    chapters = []
    for round_ in sorted(rounds, key=lambda r: r.start, reverse=True):
        pages = [_stem(run.output) for run in runs if run.round_id == round_.id]
        chapter: dict[str, Any] = {"file": f"rounds/{round_.id}/index"}
        if pages:
            chapter["sections"] = [{"file": page} for page in pages]
        chapters.append(chapter)
    if chapters:
        parts.append({"caption": ROUNDS_CAPTION, "chapters": chapters})
    return {**toc, "parts": parts}


def _stem(path: Path) -> str:
    return path.with_suffix("").as_posix()


def round_page(round_: Round) -> str:
    """The landing page of a round: what it was, when, with whom, which calls."""
    dates = round_.start.isoformat() if round_.start == round_.end else f"{round_.start} – {round_.end}"
    lines = [
        f"(round-{round_.id})=",
        f"# {_plain(round_.title)}",
        "",
        f"- **Type** : {KIND_LABELS[round_.kind]}",
        f"- **Dates** : {dates}",
        f"- **Langues** : {', '.join(round_.languages)}",
    ]
    if round_.invited:
        lines.append(f"- **Invité·e·s** : {round_.invited}")
    if round_.sources:
        lines.append(f"- **Sources** : {', '.join(_plain(s) for s in round_.sources)}")
    lines += ["", f"{len(round_.calls)} appels à l'action ont été soumis à ce tour :", ""]
    for call in round_.calls:
        lineage = f" *(remplace {', '.join(call.replaces)})*" if call.replaces else ""
        lines.append(f"- **{call.id}**{lineage} — {_plain(call.text_in('fr'))}")
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    """Text from data files, made inert for MyST: no markup, no roles, no HTML."""
    escaped = text.replace("\\", "\\\\")
    for char in "`*_[]<>{}()#|$!:":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


@contextlib.contextmanager
def build_lock(workbook: Workbook) -> Iterator[None]:
    """Refuse a second build of the same workbook while one runs."""
    workbook.build_dir.mkdir(parents=True, exist_ok=True)
    lock = workbook.build_dir / "build.lock"
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        holder = lock.read_text(encoding="utf-8").strip() if lock.is_file() else "?"
        if holder.isdigit() and not _alive(int(holder)):
            lock.unlink(missing_ok=True)  # left by a build that was killed
            with build_lock(workbook):
                yield
            return
        raise BuildLockedError(
            f"another build is running (process {holder})",
            file=lock,
            hint="wait for it to finish; delete the file only if no build is running",
        ) from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(str(os.getpid()))
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def jupyter_book_command(stage: Path, output: Path, strict: bool) -> list[str]:
    """The jupyter-book command line for the stage (``-W -n --keep-going`` when strict)."""
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage), "--path-output", str(output)]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    return command


STAMP = "stage.sha256"


def stage_digest(stage: Path, strict: bool) -> str:
    """A hash of everything jupyter-book would read from the stage (and of the strictness)."""
    digest = hashlib.sha256(b"strict" if strict else b"lenient")
    for path in sorted(p for p in stage.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest.update(str(path.relative_to(stage)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def book_is_current(workbook: Workbook, stage: Path, strict: bool) -> bool:
    """True when the published site was built from exactly this stage: nothing to rebuild."""
    stamp = workbook.build_dir / "book" / STAMP
    site = workbook.html_dir / "index.html"
    return site.is_file() and stamp.is_file() and stamp.read_text(encoding="ascii") == stage_digest(stage, strict)


def build_html(workbook: Workbook, stage: Path, strict: bool) -> Path:
    """Run jupyter-book on the stage; return the folder of the new site."""
    output = workbook.build_dir / "book"
    result = subprocess.run(jupyter_book_command(stage, output, strict), capture_output=True, text=True, check=False)
    log = workbook.build_dir / "book-build.log"
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        problems = [
            line for line in (result.stdout + result.stderr).splitlines() if "WARNING" in line or "ERROR" in line
        ]
        detail = "\n".join(problems[-10:]) or (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BookBuildError(
            f"jupyter-book failed:\n{detail}",
            file=log.relative_to(workbook.root),
            hint="fix the page named above; the previous book in _build/html is untouched",
        )
    add_security_policy(output / "_build" / "html")
    (output / STAMP).write_text(stage_digest(stage, strict), encoding="ascii")
    return output / "_build" / "html"


def swap_in(new_site: Path, target: Path) -> None:
    """Replace ``target`` with a copy of ``new_site``; the old site stays until the copy is complete."""
    incoming = target.with_name(target.name + ".incoming")
    outgoing = target.with_name(target.name + ".outgoing")
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.rmtree(outgoing, ignore_errors=True)
    shutil.copytree(new_site, incoming)
    if target.exists():
        target.rename(outgoing)
    incoming.rename(target)
    shutil.rmtree(outgoing, ignore_errors=True)


def build_pdf(workbook: Workbook, stage: Path) -> Path:
    """The whole book as one PDF through LaTeX (``_build/book.pdf``); needs Debian's TeX packages."""
    if shutil.which("latexmk") is None:
        raise BookBuildError(
            "LaTeX is not installed, so the PDF cannot be made",
            hint="run `make pdf`, which installs Debian's TeX packages (about 360 MB) first",
        )
    output = workbook.build_dir / "pdf"
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage), "--builder", "pdflatex"]
    result = subprocess.run([*command, "--path-output", str(output)], capture_output=True, text=True, check=False)
    log = workbook.build_dir / "pdf-build.log"
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    produced = output / "_build" / "latex" / "book.pdf"
    if result.returncode != 0 or not produced.is_file():
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        raise BookBuildError(
            "the PDF build failed:\n" + "\n".join(lines[-8:]),
            file=log.relative_to(workbook.root),
            hint="the LaTeX log is in _build/pdf/_build/latex/book.log",
        )
    target = workbook.build_dir / "book.pdf"
    scratch = target.with_name("book.pdf.tmp")
    shutil.copyfile(produced, scratch)
    scratch.replace(target)
    return target


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
INLINE_HANDLER = re.compile(r'\son[a-z]+="([^"]*)"', re.IGNORECASE)
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', re.IGNORECASE)
# Thebe is off, yet Jupyter Book 1 writes its loader twice in every page (a script error) with a
# third-party address in it: the pages drop it.
THEBE = re.compile(
    r'<script[^>]*>\s*const THEBE_JS_URL.*?</script>\s*|<script src="[^"]*sphinx-thebe\.js[^"]*"></script>\s*',
    re.DOTALL,
)


def content_security_policy(page: str) -> str:
    """The policy of one page: scripts from the site itself, plus this page's own inline scripts by hash."""
    bodies = INLINE_SCRIPT.findall(page) + [html.unescape(v) for v in INLINE_HANDLER.findall(page)]
    hashes = sorted(
        {"'sha256-" + base64.b64encode(hashlib.sha256(b.encode("utf-8")).digest()).decode() + "'" for b in bodies}
    )
    return "; ".join(
        [
            "default-src 'self'",
            # 'unsafe-eval': the theme's bundles probe the global object with Function(); every script
            # still has to come from the site itself or be one of this page's own inline scripts.
            "script-src 'self' 'unsafe-eval' 'unsafe-hashes' " + " ".join(hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


# Two accessibility faults of the theme that axe-core reports as serious: the section toggles of the
# navigation have no name, and the search button's label hides its visible shortcut text. The theme
# switch (the book is set to light mode) is dropped for the same reason.
UNNAMED_SUMMARY = re.compile(r"<summary>")
SEARCH_LABEL = re.compile(r'(<button class="btn search-button-field[^>]*?)\s+aria-label="[^"]*"')
THEME_SWITCH = re.compile(r'<button class="[^"]*theme-switch-button[^"]*".*?</button>', re.DOTALL)
TOGGLE_NAME = {
    "fr": "Afficher ou masquer la sous-partie",
    "en": "Show or hide the subsection",
    "es": "Mostrar u ocultar",
}


def accessible(page: str, lang: str = "fr") -> str:
    """The page with the theme's accessibility faults mended."""
    page = UNNAMED_SUMMARY.sub(f'<summary aria-label="{TOGGLE_NAME.get(lang, TOGGLE_NAME["fr"])}">', page)
    return THEME_SWITCH.sub("", SEARCH_LABEL.sub(r"\1", page))


def add_security_policy(site: Path, lang: str = "fr") -> int:
    """Put a Content-Security-Policy in every page of ``site`` (and mend the theme's
    accessibility faults); return how many pages."""
    pages = 0
    for path in site.rglob("*.html"):
        page = accessible(THEBE.sub("", CSP_META.sub("", path.read_text(encoding="utf-8"))), lang)
        meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(content_security_policy(page))}">'
        page, found = re.subn(r"<head>", "<head>\n" + meta, page, count=1, flags=re.IGNORECASE)
        if not found:  # the redirect page at the root has no head of its own
            icon = '<link rel="icon" href="_static/favicon.svg">'
            page = f"<head>{meta}{icon}</head>\n{page}"
        path.write_text(page, encoding="utf-8")
        pages += 1
    return pages


def looks_like_git(target: str) -> bool:
    """A git remote (URL, scp-like address, or a bare repository folder) rather than a plain folder."""
    if target.endswith(".git") or "://" in target or re.match(r"^[\w.-]+@[\w.-]+:", target):
        return True
    folder = Path(target)
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir()


def publish(site: Path, target: str, branch: str = "gh-pages", message: str = "Publish the book") -> str:
    """Copy the built site to a folder, or commit it to ``branch`` of a git remote; say where it went."""
    if not (site / "index.html").is_file():
        raise BookBuildError("there is no built book to publish", file=site, hint="run `make book` first")
    if looks_like_git(target):
        return _publish_git(site, target, branch, message)
    folder = Path(target)
    swap_in(site, folder)
    (folder / ".nojekyll").touch()
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
        shutil.copytree(site, work, dirs_exist_ok=True)
        (work / ".nojekyll").touch()
        git("add", "-A", cwd=work)
        if not git("status", "--porcelain", cwd=work).stdout.strip():
            return f"{remote} ({branch}) already holds this book"
        git("commit", "-q", "-m", message, cwd=work)
        git("push", "-q", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
    return f"pushed to {remote} ({branch})"
