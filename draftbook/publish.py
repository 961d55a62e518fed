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
import errno
import gettext
import hashlib
import html
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from draftbook.config import read_yaml, require_mapping
from draftbook.errors import BookBuildError, BuildLockedError, DataFileError, DraftbookError
from draftbook.paths import Workbook
from draftbook.pipeline import MANIFEST, Run
from draftbook.rounds import Round
from draftbook.text import inert_myst
from draftbook.translate import (
    SOURCE_LANGUAGE,
    STAGED_LOCALES,
    catalog_file,
    stage_config,
    status_page,
    translations,
)
from draftbook.vendor import vendor_scripts

STATUS_PAGE = Path("team") / "translations.md"

# What the build writes itself, in each language of the book.
WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "rounds": "Les tours de consultation",
        "team": "Pour l'équipe de rédaction",
        "session": "session en direct",
        "survey": "enquête",
        "written": "commentaires écrits",
        "kind": "Type",
        "dates": "Dates",
        "languages": "Langues",
        "invited": "Invité·e·s",
        "sources": "Sources",
        "submitted": "{n} appels à l'action ont été soumis à ce tour :",
        "replaces": "remplace",
        "search": "Rechercher dans le livre…",
        "switcher": "Langue du livre",
    },
    "en": {
        "rounds": "Consultation rounds",
        "team": "For the drafting team",
        "session": "live session",
        "survey": "survey",
        "written": "written feedback",
        "kind": "Kind",
        "dates": "Dates",
        "languages": "Languages",
        "invited": "Invited",
        "sources": "Sources",
        "submitted": "{n} calls to action were put to this round:",
        "replaces": "replaces",
        "search": "Search this book…",
        "switcher": "Language of the book",
    },
    "es": {
        "rounds": "Las rondas de consulta",
        "team": "Para el equipo de redacción",
        "session": "sesión en vivo",
        "survey": "encuesta",
        "written": "comentarios escritos",
        "kind": "Tipo",
        "dates": "Fechas",
        "languages": "Idiomas",
        "invited": "Invitados",
        "sources": "Fuentes",
        "submitted": "{n} llamados a la acción se sometieron a esta ronda:",
        "replaces": "sustituye a",
        "search": "Buscar en el libro…",
        "switcher": "Idioma del libro",
    },
}
LANGUAGE_SELF_NAMES = {"fr": "Français", "en": "English", "es": "Español"}


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write ``content`` unless the file already holds it (keeps mtimes for Sphinx)."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_bytes(content)
    scratch.replace(path)
    return True


def sync_tree(source: Path, target: Path, skip: tuple[str, ...] = (".ipynb_checkpoints",)) -> None:
    """Make ``target`` a copy of ``source``, touching only what differs (folders named in ``skip`` left out)."""
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file() and not set(skip) & set(p.parts)}
    for relative in wanted:
        write_if_changed(target / relative, (source / relative).read_bytes())
    if target.is_dir():
        for path in target.rglob("*"):
            if path.is_file() and path.relative_to(target) not in wanted:
                path.unlink()


def stage_sources(
    workbook: Workbook, stage: Path, rounds: Sequence[Round], runs: Sequence[Run], lang: str = SOURCE_LANGUAGE
) -> None:
    """Copy config, chapters and catalogues into ``stage`` (one stage per language), write the
    round pages, the translation status page and the table of contents."""
    write_if_changed(stage / "_config.yml", stage_config(workbook, lang))
    sync_tree(workbook.book_dir, stage / "book", skip=(".ipynb_checkpoints", "locales"))
    for folder in ("_static", "latex"):
        if (workbook.root / folder).is_dir():
            sync_tree(workbook.root / folder, stage / folder)
    vendor_scripts(workbook, stage)
    for round_ in rounds:
        write_if_changed(stage / "rounds" / round_.id / "index.md", round_page(round_, lang).encode("utf-8"))
    write_if_changed(stage / STATUS_PAGE, status_page(workbook, lang).encode("utf-8"))
    pages = {f"book/{p.stem}": f"book/{p.stem}" for p in workbook.book_dir.glob("*.md")}
    pages |= {_stem(run.output): f"notebooks/{run.notebook.stem}" for run in runs}
    stage_catalogs(workbook, stage, lang, pages)
    toc = book_toc(workbook, rounds, runs, lang)
    write_if_changed(stage / "_toc.yml", yaml.safe_dump(toc, allow_unicode=True, sort_keys=False).encode("utf-8"))


def stage_catalogs(workbook: Workbook, stage: Path, lang: str, pages: dict[str, str]) -> None:
    """Copy the catalogues of ``lang`` into the stage under the pages that show them.

    ``pages`` maps a staged page ("rounds/R/support") to its source page
    ("notebooks/support"). Only changed files are written (Sphinx rebuilds what changed).
    """
    root = stage / STAGED_LOCALES / lang / "LC_MESSAGES"
    wanted = set()
    if lang != SOURCE_LANGUAGE:
        for staged, source in pages.items():
            path = catalog_file(workbook, lang, source)
            if path.is_file():
                target = root / f"{staged}.po"
                write_if_changed(target, path.read_bytes())
                wanted.add(target)
    if (stage / STAGED_LOCALES).is_dir():
        for path in (stage / STAGED_LOCALES).rglob("*"):
            if path.is_file() and path.suffix == ".po" and path not in wanted:
                path.unlink()
                path.with_suffix(".mo").unlink(missing_ok=True)


def book_toc(
    workbook: Workbook, rounds: Sequence[Round], runs: Sequence[Run], lang: str = SOURCE_LANGUAGE
) -> dict[str, Any]:
    """The repository's ``_toc.yml`` with one chapter per round (newest first) and the team's page appended."""
    path = workbook.root / "_toc.yml"
    toc = dict(require_mapping(read_yaml(path), file=path, key=None, what="a table of contents"))
    if "root" not in toc:
        raise DataFileError("the table of contents needs a root page", file=path, key="root")
    parts = list(toc.pop("parts", []) or [])
    if "chapters" in toc:
        parts.insert(0, {"chapters": toc.pop("chapters")})
    # The part captions are extracted with the root page; the navigation shows them in the page's language.
    captions = translations(workbook, lang, str(toc["root"]))
    parts = [
        {**part, "caption": captions.get(part["caption"], part["caption"])} if "caption" in part else part
        for part in parts
    ]
    chapters = []
    for round_ in sorted(rounds, key=lambda r: r.start, reverse=True):
        pages = [_stem(run.output) for run in runs if run.round_id == round_.id]
        chapter: dict[str, Any] = {"file": f"rounds/{round_.id}/index"}
        if pages:
            chapter["sections"] = [{"file": page} for page in pages]
        chapters.append(chapter)
    words = WORDS.get(lang, WORDS[SOURCE_LANGUAGE])
    if chapters:
        parts.append({"caption": words["rounds"], "chapters": chapters})
    parts.append({"caption": words["team"], "chapters": [{"file": _stem(STATUS_PAGE)}]})
    return {**toc, "parts": parts}


def _stem(path: Path) -> str:
    return path.with_suffix("").as_posix()


def round_page(round_: Round, lang: str = SOURCE_LANGUAGE) -> str:
    """The landing page of a round: what it was, when, with whom, which calls."""
    words = WORDS.get(lang, WORDS[SOURCE_LANGUAGE])
    dates = round_.start.isoformat() if round_.start == round_.end else f"{round_.start} – {round_.end}"
    colon = " :" if lang == "fr" else ":"
    lines = [
        f"(round-{round_.id})=",
        f"# {inert_myst(round_.title_in(lang))}",
        "",
        f"- **{words['kind']}**{colon} {words[round_.kind]}",
        f"- **{words['dates']}**{colon} {dates}",
        f"- **{words['languages']}**{colon} {', '.join(round_.languages)}",
    ]
    if round_.invited:
        lines.append(f"- **{words['invited']}**{colon} {round_.invited}")
    if round_.sources:
        lines.append(f"- **{words['sources']}**{colon} {', '.join(inert_myst(s) for s in round_.sources)}")
    lines += ["", words["submitted"].format(n=len(round_.calls)), ""]
    for call in round_.calls:
        lineage = f" *({words['replaces']} {', '.join(call.replaces)})*" if call.replaces else ""
        lines.append(f"- **{call.id}**{lineage} — {inert_myst(call.text_in(lang))}")
    return "\n".join(lines) + "\n"


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
    for path in sorted(p for p in stage.rglob("*") if p.is_file() and p.name != MANIFEST and p.suffix != ".mo"):
        digest.update(str(path.relative_to(stage)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def language_output(workbook: Workbook, lang: str) -> Path:
    """Where jupyter-book writes the book in ``lang`` (``_build/book/<lang>``)."""
    return workbook.build_dir / "book" / lang


def book_is_current(workbook: Workbook, stage: Path, strict: bool, lang: str = SOURCE_LANGUAGE) -> bool:
    """True when the published book in ``lang`` was built from exactly this stage: nothing to rebuild."""
    stamp = language_output(workbook, lang) / STAMP
    site = workbook.html_dir / lang / "index.html"
    return site.is_file() and stamp.is_file() and stamp.read_text(encoding="ascii") == stage_digest(stage, strict)


def build_html(workbook: Workbook, stage: Path, strict: bool, lang: str = SOURCE_LANGUAGE) -> Path:
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
    add_security_policy(output / "_build" / "html", lang)
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
    first = SOURCE_LANGUAGE if SOURCE_LANGUAGE in present else present[0]
    (incoming / "index.html").write_text(root_index(first, present), encoding="utf-8")
    add_security_policy_to(incoming / "index.html", first)
    swap_in(incoming, workbook.html_dir)
    shutil.rmtree(incoming, ignore_errors=True)
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
    words = WORDS.get(lang, WORDS[SOURCE_LANGUAGE])
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


# The inline scripts the book's templates and extensions write, as they write them; a page's policy
# lets these run (by hash) and nothing else inline. A script the build does not write itself (markup
# that escaped its escaping, say) gets no hash, so the browser refuses it. A theme or extension upgrade
# that writes a new one shows as a refused script in the browser test of the site.
THEME_MODE_SCRIPT = (  # pydata-sphinx-theme, layout.html, with html_context default_mode "light"
    '\n    document.documentElement.dataset.mode = localStorage.getItem("mode") || "light";'
    '\n    document.documentElement.dataset.theme = localStorage.getItem("theme") || "light";\n  '
)
SEARCH_FOCUS_SCRIPT = (  # pydata-sphinx-theme, search.html
    "\n    // Activate the search field on page load"
    '\n    let searchInput = document.querySelector("form.bd-search input");'
    "\n    if (searchInput) {\n        searchInput.focus();\n        searchInput.select();"
    '\n        console.log("[PST]: Set focus on search field.");\n    }\n  '
)
FIXED_SCRIPTS = (
    THEME_MODE_SCRIPT,
    "DOCUMENTATION_OPTIONS.search_as_you_type = false;",  # pydata-sphinx-theme
    "let toggleOpenOnPrint = 'true';",  # sphinx-togglebutton
    "var togglebuttonSelector = '.toggle, .admonition.dropdown';",  # sphinx-togglebutton
    "kernelName = 'python3'",  # sphinx-thebe, in the notebooks' pages
)
# The buttons of sphinx-book-theme's header (print, full screen) run these as onclick handlers.
OWN_HANDLERS = ("window.print()", "toggleFullScreen()")


def togglebutton_hints(lang: str) -> tuple[str, str]:
    """The "show" and "hide" hints sphinx-togglebutton writes into pages in ``lang``, read from its
    own catalogues as Sphinx reads them (its English words when it has no catalogue for ``lang``)."""
    spec = importlib.util.find_spec("sphinx_togglebutton")
    origin = spec.origin if spec is not None else None
    locales = Path(origin).parent / "translations" / "locales" if origin else Path()
    catalog = gettext.translation("togglebutton", locales, languages=[lang], fallback=True)
    return catalog.gettext("Click to show"), catalog.gettext("Click to hide")


def own_inline_scripts(lang: str, pagename: str) -> frozenset[str]:
    """Every inline script the build writes into the page ``pagename`` (its path in the site of
    ``lang``, without ``.html``), character for character. Charts are checked by ``is_own_chart``."""
    show, hide = togglebutton_hints(lang)
    scripts = {
        *FIXED_SCRIPTS,
        f"DOCUMENTATION_OPTIONS.pagename = '{pagename}';",  # pydata-sphinx-theme
        f"let toggleHintShow = '{show}';",  # sphinx-togglebutton
        f"let toggleHintHide = '{hide}';",
    }
    if pagename == "search":
        scripts.add(SEARCH_FOCUS_SCRIPT)
    return frozenset(scripts)


CHART_ID = re.compile(r"vegaEmbed\('#draftbook-([a-z0-9-]+)', ")


def is_own_chart(body: str) -> bool:
    """True when ``body`` is the script ``display.VegaChart`` writes for a chart: the chart's
    name and specification are read back from it, and VegaChart must write the very same text."""
    from draftbook.display import VegaChart

    name = CHART_ID.match(body)
    if name is None:
        return False
    try:
        spec, _ = json.JSONDecoder().raw_decode(body, name.end())
    except ValueError:
        return False
    if not isinstance(spec, dict):
        return False
    written = INLINE_SCRIPT.findall(VegaChart(spec, "", name=name.group(1)).to_html())
    return written[-1:] == [body]


def trusted_inline_code(page: str, lang: str, pagename: str) -> list[str]:
    """The inline scripts and event handlers of ``page`` that the build itself writes (as listed
    by ``own_inline_scripts``, ``is_own_chart`` and ``OWN_HANDLERS``), in order, each once."""
    own = own_inline_scripts(lang, pagename)
    scripts = [body for body in INLINE_SCRIPT.findall(page) if body in own or is_own_chart(body)]
    handlers = [code for code in map(html.unescape, INLINE_HANDLER.findall(page)) if code in OWN_HANDLERS]
    return list(dict.fromkeys(scripts + handlers))


def script_hash(code: str) -> str:
    """The CSP source that lets exactly ``code`` run inline: ``'sha256-…'``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(trusted: Sequence[str] = ()) -> str:
    """The policy of one page: scripts from the site itself, plus the ``trusted`` inline code by hash
    (give it ``trusted_inline_code``: never a page's inline code unchecked)."""
    hashes = sorted({script_hash(code) for code in trusted})
    return "; ".join(
        [
            "default-src 'self'",
            # 'unsafe-eval': the theme's bundles probe the global object with Function(); every script
            # still has to come from the site itself or be one of the build's own inline scripts.
            " ".join(["script-src 'self' 'unsafe-eval' 'unsafe-hashes'", *hashes]),
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


SEARCH_PLACEHOLDER = re.compile(r'placeholder="Search this book\.\.\."')
UNTRANSLATED = re.compile(r'<([a-z][a-z0-9]*)((?:\s[^>]*)?\sclass="(?:[^"]*\s)?untranslated(?:\s[^"]*)?"[^>]*)>')


def accessible(page: str, lang: str = "fr") -> str:
    """The page with the theme's accessibility faults mended, the search box in the page's language,
    and every paragraph still in French marked ``lang="fr"`` (screen readers switch voice)."""
    page = UNNAMED_SUMMARY.sub(f'<summary aria-label="{TOGGLE_NAME.get(lang, TOGGLE_NAME["fr"])}">', page)
    page = SEARCH_PLACEHOLDER.sub(f'placeholder="{WORDS.get(lang, WORDS["fr"])["search"]}"', page)
    if lang != SOURCE_LANGUAGE:
        page = UNTRANSLATED.sub(
            lambda m: m.group(0) if " lang=" in m.group(2) else f'<{m.group(1)}{m.group(2)} lang="{SOURCE_LANGUAGE}">',
            page,
        )
    return THEME_SWITCH.sub("", SEARCH_LABEL.sub(r"\1", page))


def add_security_policy(site: Path, lang: str = "fr") -> int:
    """Put a Content-Security-Policy in every page of ``site`` (the book in ``lang``) and mend the
    theme's accessibility faults; return how many pages."""
    pages = 0
    for path in site.rglob("*.html"):
        add_security_policy_to(path, lang, path.relative_to(site).with_suffix("").as_posix())
        pages += 1
    return pages


def add_security_policy_to(path: Path, lang: str = "fr", pagename: str | None = None) -> None:
    """Give the page at ``path`` (``pagename`` in the book, by default its file name without
    ``.html``) a policy that lets only the build's own inline code run; replaces an earlier one."""
    page = accessible(THEBE.sub("", CSP_META.sub("", path.read_text(encoding="utf-8"))), lang)
    policy = content_security_policy(trusted_inline_code(page, lang, pagename or path.stem))
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
    page, found = re.subn(r"<head>", "<head>\n" + meta, page, count=1, flags=re.IGNORECASE)
    if not found:  # the redirect page at the root has no head of its own
        icon = '<link rel="icon" href="_static/favicon.svg">'
        page = f"<head>{meta}{icon}</head>\n{page}"
    path.write_text(page, encoding="utf-8")


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
