"""One source, three languages: gettext catalogues for the chapters and notebook texts.

The paper's own language is the source (French for the sample: ``sphinx: config: language:`` in
``_config.yml`` says which). ``draftbook translate update`` extracts every paragraph,
heading and list item of ``book/*.md`` and of the notebooks' markdown cells with
Sphinx's gettext builder, and merges them into one ``.po`` file per page and
language under ``book/locales/<lang>/LC_MESSAGES/`` (sphinx-intl). A source
paragraph that changed keeps its old translation marked ``#, fuzzy``: Sphinx
ignores fuzzy entries, so the page shows the source text, marked, until a
translator confirms or rewrites the translation.

The build stages the catalogues per language: a chapter's catalogue under its
own page name, and a notebook's catalogue under every page the notebook renders
(one per round), so translators translate a notebook's text once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib
import yaml
from babel.messages import pofile
from sphinx_intl import catalog as intl

from draftbook.model.config import read_yaml
from draftbook.model.errors import BookBuildError, DataFileError
from draftbook.model.files import atomic_path, atomic_write
from draftbook.model.languages import (
    LANGUAGES,
    NOTEBOOK_LANGUAGE,
    book_languages,
    name_in,
    page_language,
    source_language,
)
from draftbook.model.languages import translations as book_translations
from draftbook.model.paths import Workbook
from draftbook.model.text import inert_myst
from draftbook.model.titles import book_titles

STAGED_LOCALES = "_locales"
SOURCES_FILE = "sources.json"  # sha256 of each French source at the last update


@dataclass(frozen=True)
class CatalogStatus:
    """How much of one page is translated into one language."""

    page: str  # "book/context", "notebooks/support"
    lang: str
    total: int
    translated: int
    stale: int  # fuzzy: the French changed since the translation was written
    untranslated: int

    @property
    def percent(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 100


@dataclass
class UpdateReport:
    pages: int
    created: list[str]
    updated: list[str]
    unchanged: int
    stale: dict[str, int]  # "en/book/context" -> fuzzy entries after the update


def locale_dir(workbook: Workbook) -> Path:
    return workbook.book_dir / "locales"


def source_files(workbook: Workbook) -> dict[str, Path]:
    """The French sources by page name: the chapters and the notebooks."""
    pages = {f"book/{p.stem}": p for p in sorted(workbook.book_dir.glob("*.md"))}
    pages |= {f"notebooks/{p.stem}": p for p in sorted(workbook.notebooks_dir.glob("*.ipynb"))}
    return pages


def _digest(path: Path) -> str:
    """A hash of the text that gets translated: a chapter whole, a notebook's text cells only
    (a change of code is not a change for translators)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        text = "\n\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def changed_since_update(workbook: Workbook) -> list[str]:
    """Pages whose French text changed (or appeared) since the last ``translate update``."""
    recorded_file = locale_dir(workbook) / SOURCES_FILE
    recorded: dict[str, str] = {}
    if recorded_file.is_file():
        try:
            loaded = json.loads(recorded_file.read_text(encoding="utf-8"))
            recorded = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            recorded = {}
    return [page for page, path in source_files(workbook).items() if recorded.get(page) != _digest(path)]


def extraction_toc(workbook: Workbook) -> dict[str, Any]:
    """The repository's table of contents plus every notebook it does not list (each is a page of the book)."""
    toc = read_yaml(workbook.root / "_toc.yml")
    if not isinstance(toc, dict) or "root" not in toc:
        raise DataFileError("the table of contents needs a root page", file=workbook.root / "_toc.yml", key="root")
    listed = json.dumps(toc)
    extra = [{"file": page} for page in source_files(workbook) if page.startswith("notebooks/") and page not in listed]
    parts = list(toc.get("parts", []) or [])
    if extra:
        parts.append({"chapters": extra})
    return {**toc, "parts": parts}


def extract(workbook: Workbook, progress: Callable[[str], None] = print) -> Path:
    """Run Sphinx's gettext builder over the French sources; return the folder of ``.pot`` files."""
    work = workbook.build_dir / "gettext"
    source = work / "src"
    shutil.rmtree(work, ignore_errors=True)
    source.mkdir(parents=True)
    shutil.copyfile(workbook.root / "_config.yml", source / "_config.yml")
    shutil.copytree(workbook.book_dir, source / "book", ignore=shutil.ignore_patterns("locales"))
    shutil.copytree(workbook.notebooks_dir, source / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (source / "_toc.yml").write_text(yaml.safe_dump(extraction_toc(workbook), allow_unicode=True), encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    progress("Reading the chapters and notebooks in the source language (Sphinx gettext) ...")
    _run([str(bin_dir / "jupyter-book"), "config", "sphinx", str(source)], workbook, "gettext-config.log")
    pots = work / "pot"
    command = [str(bin_dir / "sphinx-build"), "-E", "-q", "-b", "gettext", "-D", "nb_execution_mode=off"]
    command += ["-D", "gettext_compact=0", "-D", "gettext_uuid=0", "-D", "gettext_location=0"]
    _run([*command, str(source), str(pots), "-d", str(work / "doctrees")], workbook, "gettext.log")
    pages = source_files(workbook)
    for pot in pots.rglob("*.pot"):
        page = pot.relative_to(pots).with_suffix("").as_posix()
        if page not in pages:
            pot.unlink()  # Sphinx's own template strings, not the team's text
            continue
        catalog = polib.pofile(str(pot))
        for entry in [e for e in catalog if not e.msgid]:  # sphinx-external-toc writes an empty msgid
            catalog.remove(entry)
        catalog.save(str(pot))
    return pots


def update(
    workbook: Workbook, langs: Sequence[str] | None = None, progress: Callable[[str], None] = print
) -> UpdateReport:
    """Extract the text of the chapters and notebooks and merge it into each of their translations'
    catalogues (``langs``: only these languages)."""
    pots = extract(workbook, progress)
    target = locale_dir(workbook)
    target.mkdir(parents=True, exist_ok=True)
    progress(f"Merging into {target.relative_to(workbook.root)} (chapters) and notebooks/locales (notebooks) ...")
    report = UpdateReport(pages=0, created=[], updated=[], unchanged=0, stale={})
    for pot in sorted(pots.rglob("*.pot")):
        report.pages += 1
        page = pot.relative_to(pots).with_suffix("").as_posix()
        template = intl.load_po(str(pot))
        for lang in catalog_languages(workbook, page):
            if langs is not None and lang not in langs:
                continue
            path = catalog_file(workbook, lang, page)
            if path.is_file():
                catalog = intl.load_po(str(path))
                before = _entries(catalog)
                # babel's merge: a changed msgid is matched to its old entry, kept, and marked fuzzy.
                intl.update_with_fuzzy(catalog, template)
                if _entries(catalog) == before:
                    report.unchanged += 1
                    continue
                report.updated.append(f"{lang}/{page}")
            else:
                catalog = template
                catalog.locale = lang
                report.created.append(f"{lang}/{page}")
            _write_catalog(path, catalog)
    for row in catalog_status(workbook, LANGUAGES if langs is None else langs):
        if row.stale:
            report.stale[f"{row.lang}/{row.page}"] = row.stale
    sources = {page: _digest(path) for page, path in source_files(workbook).items()}
    atomic_write(target / SOURCES_FILE, json.dumps(sources, indent=1, sort_keys=True) + "\n")
    return report


def _entries(catalog: Any) -> list[tuple[str, str, bool]]:
    return [(str(m.id), str(m.string), bool(m.fuzzy)) for m in catalog if m.id]


def _write_catalog(path: Path, catalog: Any) -> None:
    """Write a catalogue atomically, without obsolete entries, keeping the old French of a fuzzy entry
    (``#| msgid``) so that the translator sees what changed. (babel folds long ``#|`` lines into
    a file no reader accepts, so polib writes the final file.)"""
    previous = {str(m.id): str(m.previous_id[0]) for m in catalog if m.id and m.fuzzy and m.previous_id}
    with atomic_path(path) as scratch:
        with scratch.open("wb") as handle:
            pofile.write_po(handle, catalog, width=76, ignore_obsolete=True)
        written = polib.pofile(str(scratch), wrapwidth=76)
        for entry in written:
            if entry.msgid in previous:
                entry.previous_msgid = previous[entry.msgid]
        written.save(str(scratch))


def _run(command: list[str], workbook: Workbook, log_name: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    log = workbook.build_dir / log_name
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        raise BookBuildError(
            "extracting the source text failed:\n" + "\n".join(lines[-8:]),
            file=log.relative_to(workbook.root),
            hint="the page named above has a MyST error; `make book` shows it too",
        )


def catalog_file(workbook: Workbook, lang: str, page: str) -> Path:
    """Where ``page``'s catalogue for ``lang`` is: a chapter's in ``book/locales/``, a notebook's with
    the notebooks (``notebooks/locales/``: tooling, shared by every workbook made from this one)."""
    if page.startswith("notebooks/"):
        return workbook.notebooks_dir / "locales" / lang / "LC_MESSAGES" / f"{page.removeprefix('notebooks/')}.po"
    return locale_dir(workbook) / lang / "LC_MESSAGES" / f"{page}.po"


def catalog_languages(workbook: Workbook, page: str) -> tuple[str, ...]:
    """The languages ``page`` is translated into: a chapter into the book's translations, a notebook
    into every language but its own (the tooling's catalogues stay complete for any workbook)."""
    if page.startswith("notebooks/"):
        return tuple(lang for lang in LANGUAGES if lang != NOTEBOOK_LANGUAGE)
    return book_translations(workbook)


def catalog_status(workbook: Workbook, langs: Sequence[str] | None = None) -> list[CatalogStatus]:
    """Per page and language of the book: entries, translated (fuzzy not counted), stale (fuzzy), untranslated."""
    langs = book_languages(workbook) if langs is None else langs
    rows = []
    for lang in langs:
        for page in source_files(workbook):
            if lang == page_language(workbook, page):
                continue
            path = catalog_file(workbook, lang, page)
            if not path.is_file():
                continue
            try:
                catalog = polib.pofile(str(path))
            except UnicodeDecodeError as exc:
                raise DataFileError(
                    "the translation file cannot be read: it is not UTF-8 text",
                    file=path,
                    hint="save it as UTF-8 (PO editors and JupyterLab do; some Windows editors need to be told)",
                ) from exc
            except (OSError, ValueError) as exc:
                raise DataFileError(f"the translation file cannot be read: {exc}", file=path) from exc
            entries = [e for e in catalog if not e.obsolete and e.msgid]
            stale = sum(1 for e in entries if e.fuzzy)
            translated = sum(1 for e in entries if e.translated())
            rows.append(CatalogStatus(page, lang, len(entries), translated, stale, len(entries) - translated - stale))
    return rows


def translations(workbook: Workbook, lang: str, page: str) -> dict[str, str]:
    """The confirmed translations of a page (fuzzy and empty ones left out, as Sphinx does)."""
    path = catalog_file(workbook, lang, page)
    if lang == page_language(workbook, page) or not path.is_file():
        return {}
    return {e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.translated() and not e.obsolete}


def stage_config(workbook: Workbook, lang: str) -> bytes:
    """The root ``_config.yml`` set for one language: its title, Sphinx language and catalogues."""
    config = read_yaml(workbook.root / "_config.yml")
    if not isinstance(config, dict):
        raise DataFileError("expected the Jupyter Book settings", file=workbook.root / "_config.yml")
    title = book_titles(workbook).get(lang)
    if title:
        config["title"] = title
    author = book_titles(workbook, "author").get(lang)
    if author:
        config["author"] = author
    source = source_language(workbook)
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx |= {
        "language": lang,
        "locale_dirs": [f"{STAGED_LOCALES}/"],
        "gettext_compact": False,
        # A paragraph not translated yet is marked (class "untranslated"; the stylesheet shows it) in any
        # book with catalogues: one not in the paper's language, or whose notebooks are not in their own.
        "translation_progress_classes": "untranslated" if {lang} != {source, NOTEBOOK_LANGUAGE} else False,
        # A list of its own at each build: the themes append their folders to Sphinx's default list, which
        # lives as long as the process; the preview's second build in one process then saw a changed
        # configuration and rewrote every page (34 instead of the 2 a chapter edit needs).
        "templates_path": sphinx.get("templates_path", []),
    }
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False).encode("utf-8")


STATUS_WORDS: dict[str, dict[str, str]] = {  # {source}, {targets}: the languages, named in the page's language
    "fr": {
        "title": "État des traductions",
        "intro": (
            "Les pages sont rédigées en {source}, la langue source. Pour chaque page, la part des paragraphes "
            "traduits en {targets} ; "
            "« à revoir » compte les traductions dont le texte source a changé depuis : la page montre alors le "
            "texte en {source}, signalé, jusqu'à ce qu'une traductrice ou un traducteur confirme la traduction "
            "dans le fichier `.po` indiqué."
        ),
        "page": "Page",
        "file": "Fichier",
        "stale": "à revoir",
        "missing": "à traduire",
        "changed": (
            "Le texte en {source} de ces pages a changé depuis la dernière extraction "
            "(`draftbook translate update`) : {pages}."
        ),
        "current": "Les catalogues sont à jour avec le texte en {source}.",
        "none": "Aucun catalogue de traduction pour l'instant : lancez `draftbook translate update`.",
    },
    "en": {
        "title": "Translation status",
        "intro": (
            "{Source} is the source language. For each page, the share of paragraphs translated into {targets}; "
            "“to review” counts translations whose source text changed since: the page then shows the {source} "
            "text, marked, until a translator confirms the translation in the `.po` file named."
        ),
        "page": "Page",
        "file": "File",
        "stale": "to review",
        "missing": "to translate",
        "changed": (
            "The {source} text of these pages changed since the last extraction (`draftbook translate update`): "
            "{pages}."
        ),
        "current": "The catalogues are up to date with the {source} text.",
        "none": "No translation catalogue yet: run `draftbook translate update`.",
    },
    "es": {
        "title": "Estado de las traducciones",
        "intro": (
            "El {source} es el idioma de origen. Para cada página, la parte de los párrafos traducidos al "
            "{targets}; «por revisar» cuenta las traducciones cuyo texto de origen cambió desde entonces: la "
            "página muestra entonces el texto en {source}, señalado, hasta que una traductora o un traductor "
            "confirme la traducción en el archivo `.po` indicado."
        ),
        "page": "Página",
        "file": "Archivo",
        "stale": "por revisar",
        "missing": "por traducir",
        "changed": (
            "El texto en {source} de estas páginas cambió desde la última extracción "
            "(`draftbook translate update`): {pages}."
        ),
        "current": "Los catálogos están al día con el texto en {source}.",
        "none": "Todavía no hay catálogos de traducción: ejecute `draftbook translate update`.",
    },
}


def page_title(path: Path) -> str:
    """The first heading of a chapter or notebook (what the reader sees in the navigation)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        text = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def status_page(workbook: Workbook, lang: str) -> str:
    """A page of the book for the team: per page and language, translated / to review / to translate."""
    source = source_language(workbook)
    targets = book_translations(workbook)
    names = {"source": name_in(lang, source), "targets": name_in(lang, *targets)}
    names["Source"] = names["source"][:1].upper() + names["source"][1:]
    words = {}
    for key, text in STATUS_WORDS.get(lang, STATUS_WORDS["en"]).items():
        for name, value in names.items():
            text = text.replace(f"{{{name}}}", value)
        words[key] = text
    rows = catalog_status(workbook)
    lines = ["(translation-status)=", f"# {words['title']}", "", words["intro"], ""]
    if not rows:
        return "\n".join([*lines, words["none"], ""])
    by_page: dict[str, dict[str, CatalogStatus]] = {}
    for row in rows:
        by_page.setdefault(row.page, {})[row.lang] = row
    langs = [lang_ for lang_ in book_languages(workbook) if any(lang_ in entry for entry in by_page.values())]
    header = [words["page"], words["file"], *(lang_.upper() for lang_ in langs)]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    sources = source_files(workbook)
    for page, entry in by_page.items():
        title = page_title(sources[page])
        cells = [inert_myst(translations(workbook, lang, page).get(title, title)), f"`{page}.po`"]
        for lang_ in langs:
            found = entry.get(lang_)
            if found is None:
                cells.append("—")
                continue
            row = found
            extra = [f"{row.stale} {words['stale']}"] if row.stale else []
            extra += [f"{row.untranslated} {words['missing']}"] if row.untranslated else []
            cells.append(f"{row.percent} %" + (f" ({', '.join(extra)})" if extra else ""))
        lines.append("| " + " | ".join(cells) + " |")
    changed = changed_since_update(workbook)
    lines += ["", words["changed"].format(pages=", ".join(f"`{p}`" for p in changed)) if changed else words["current"]]
    return "\n".join(lines) + "\n"
