"""jupyter-book builds: the build lock, one build per language, the site assembled with its
language switcher and swapped in atomically, the PDF."""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from draftbook.book.pipeline import MANIFEST
from draftbook.book.site import add_security_policy, add_security_policy_to
from draftbook.book.stage import LANGUAGE_SELF_NAMES, WORDS
from draftbook.model.errors import BookBuildError, BuildLockedError
from draftbook.model.files import atomic_path, exclusive
from draftbook.model.languages import DEFAULT_SOURCE, source_language
from draftbook.model.paths import Workbook


@contextlib.contextmanager
def build_lock(workbook: Workbook) -> Iterator[None]:
    """Refuse a second build of the same workbook while one runs (the lock dies with its process)."""
    with exclusive(workbook.build_dir / "build.lock", what="build", error=BuildLockedError):
        yield


def jupyter_book_command(stage: Path, output: Path, strict: bool) -> list[str]:
    """The jupyter-book command line for the stage (``-W -n --keep-going`` when strict)."""
    command = [
        sys.executable,
        "-m",
        "draftbook.book.jupyter_book_cli",
        "build",
        str(stage),
        "--path-output",
        str(output),
    ]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    return command


STAMP = "stage.sha256"


def stage_digest(stage: Path, strict: bool) -> str:
    """A hash of everything jupyter-book would read from the stage (and of the strictness)."""
    digest = hashlib.sha256(b"strict" if strict else b"lenient")
    for path in sorted(p for p in stage.rglob("*") if p.is_file() and p.name != MANIFEST and p.suffix != ".mo"):
        digest.update(str(path.relative_to(stage)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def language_output(workbook: Workbook, lang: str) -> Path:
    """Where jupyter-book writes the book in ``lang`` (``_build/book/<lang>``)."""
    return workbook.build_dir / "book" / lang


def book_is_current(workbook: Workbook, stage: Path, strict: bool, lang: str) -> bool:
    """True when the published book in ``lang`` was built from exactly this stage: nothing to rebuild."""
    stamp = language_output(workbook, lang) / STAMP
    site = workbook.html_dir / lang / "index.html"
    return site.is_file() and stamp.is_file() and stamp.read_text(encoding="ascii") == stage_digest(stage, strict)


def build_html(workbook: Workbook, stage: Path, strict: bool, lang: str) -> Path:
    """Run jupyter-book on the stage of ``lang``; return the folder of the new site in that language."""
    output = language_output(workbook, lang)
    output.mkdir(parents=True, exist_ok=True)
    (output / STAMP).unlink(missing_ok=True)  # no stamp = this language's output is not a finished book
    result = subprocess.run(jupyter_book_command(stage, output, strict), capture_output=True, text=True, check=False)
    log = workbook.build_dir / f"book-build-{lang}.log"
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        problems = [
            line for line in (result.stdout + result.stderr).splitlines() if "WARNING" in line or "ERROR" in line
        ]
        detail = "\n".join(problems[-10:]) or (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BookBuildError(
            f"jupyter-book failed ({LANGUAGE_SELF_NAMES.get(lang, lang)} book):\n{detail}",
            file=log.relative_to(workbook.root),
            hint="fix the page named above; the previous book in _build/html is untouched",
        )
    add_security_policy(output / "_build" / "html", lang, source_language(workbook))
    (output / STAMP).write_text(stage_digest(stage, strict), encoding="ascii")
    return output / "_build" / "html"


def assemble_site(workbook: Workbook, langs: Sequence[str]) -> list[str]:
    """Put the finished book of each language side by side (``fr/``, ``en/``, ``es/``), add the
    language switcher to every page, and swap the whole into ``_build/html``; return the languages.

    A language not rebuilt this time keeps its last finished build, or the published copy.
    """
    incoming = workbook.build_dir / "html.assembling"
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    present = []
    for lang in langs:
        built = language_output(workbook, lang)
        if (built / STAMP).is_file() and (built / "_build" / "html" / "index.html").is_file():
            shutil.copytree(built / "_build" / "html", incoming / lang)
        elif (workbook.html_dir / lang / "index.html").is_file():
            shutil.copytree(workbook.html_dir / lang, incoming / lang)
        else:
            continue
        present.append(lang)
    for lang in present:
        for page in (incoming / lang).rglob("*.html"):
            relative = page.relative_to(incoming / lang)
            others = [other for other in present if (incoming / other / relative).is_file()]
            text = page.read_text(encoding="utf-8")
            page.write_text(with_switcher(text, lang, relative, others), encoding="utf-8")
    source = source_language(workbook)
    first = source if source in present else present[0]
    (incoming / "index.html").write_text(root_index(first, present), encoding="utf-8")
    add_security_policy_to(incoming / "index.html", first, source=source)
    swap_in(incoming, workbook.html_dir, move=True)  # html.assembling sits beside html: a rename
    return present


def root_index(lang: str, present: Sequence[str]) -> str:
    """The site's front door: straight to the book in ``lang``, with a plain link to each language."""
    links = " · ".join(
        f'<a href="{other}/index.html" hreflang="{other}" lang="{other}">{LANGUAGE_SELF_NAMES[other]}</a>'
        for other in present
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={lang}/index.html">'
        f"<title>{LANGUAGE_SELF_NAMES[lang]}</title></head>"
        f"<body><main><p>{links}</p></main></body></html>\n"
    )


SWITCHER = re.compile(r'<nav class="draftbook-languages".*?</nav>\s*', re.DOTALL)
ARTICLE_HEADER = re.compile(r'(<div class="bd-header-article[^"]*"[^>]*>)')


def with_switcher(page: str, lang: str, relative: Path, present: Sequence[str]) -> str:
    """``page`` with links to the same page in the other languages (and ``hreflang`` alternates)."""
    if len(present) < 2 or "</head>" not in page:
        return page
    up = "../" * len(relative.parts)
    target = relative.as_posix()
    words = WORDS.get(lang, WORDS[DEFAULT_SOURCE])
    items = []
    alternates = []
    for other in present:
        name = LANGUAGE_SELF_NAMES[other]
        if other == lang:
            items.append(f'<li><span aria-current="page" lang="{other}">{name}</span></li>')
        else:
            href = f"{up}{other}/{target}"
            items.append(f'<li><a href="{href}" hreflang="{other}" lang="{other}">{name}</a></li>')
            alternates.append(f'<link rel="alternate" hreflang="{other}" href="{href}">')
    nav = (
        f'<nav class="draftbook-languages" aria-label="{html.escape(words["switcher"])}">'
        f"<ul>{''.join(items)}</ul></nav>\n"
    )
    page = SWITCHER.sub("", page)
    page = page.replace("</head>", "\n".join(alternates) + "\n</head>", 1)
    page, found = ARTICLE_HEADER.subn(lambda m: m.group(1) + nav, page, count=1)
    if not found:
        page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, page, count=1)
    return page


def swap_in(new_site: Path, target: Path, move: bool = False) -> None:
    """Replace ``target`` with a copy of ``new_site`` (or ``new_site`` itself, moved, when ``move``:
    a scratch folder on the same disk); the old site stays until the new one is complete."""
    incoming = target.with_name(target.name + ".incoming")
    outgoing = target.with_name(target.name + ".outgoing")
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.rmtree(outgoing, ignore_errors=True)
    if move:
        new_site.rename(incoming)
    else:
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
    command = [sys.executable, "-m", "draftbook.book.jupyter_book_cli", "build", str(stage), "--builder", "pdflatex"]
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
    with atomic_path(target) as scratch:
        shutil.copyfile(produced, scratch)
    return target
