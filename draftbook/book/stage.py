"""The per-language stage (``_build/stage/<lang>``): the sources jupyter-book reads, the table of
contents with one part per round, the round pages; files copied only when their content changed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from draftbook.book.pipeline import Run
from draftbook.book.translate import (
    STAGED_LOCALES,
    catalog_file,
    stage_config,
    status_page,
    translations,
)
from draftbook.book.vendor import vendor_scripts
from draftbook.model.config import read_yaml, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.files import atomic_write
from draftbook.model.languages import DEFAULT_SOURCE, SELF_NAMES, colon, output_language, page_language
from draftbook.model.paths import Workbook
from draftbook.model.rounds import Round
from draftbook.model.text import inert_myst

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
LANGUAGE_SELF_NAMES = SELF_NAMES


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write ``content`` unless the file already holds it (keeps mtimes for Sphinx)."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, content)
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


def stage_runs(runs_dir: Path, stage: Path, runs: Sequence[Run], lang: str) -> int:
    """Copy each executed notebook from ``runs_dir`` into the stage of ``lang``, keeping the outputs
    drawn in ``lang`` and the shared ones (a run draws every book language); only changed notebooks
    are written, so Sphinx reads only those again. Executed notebooks of runs no longer planned are
    removed. Returns how many notebooks were written."""
    written = 0
    wanted = {stage / run.output for run in runs}
    for run in runs:
        notebook = json.loads((runs_dir / run.output).read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") == "code":
                cell["outputs"] = [out for out in cell.get("outputs", []) if output_language(out) in (None, lang)]
        text = json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        written += write_if_changed(stage / run.output, text.encode("utf-8"))
    for folder in ("rounds", "notebooks"):
        if (stage / folder).is_dir():
            for path in (stage / folder).rglob("*.ipynb"):
                if path not in wanted:
                    path.unlink()
    return written


def stage_sources(workbook: Workbook, stage: Path, rounds: Sequence[Round], runs: Sequence[Run], lang: str) -> None:
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
    for staged, source in pages.items():
        path = catalog_file(workbook, lang, source)
        if lang != page_language(workbook, source) and path.is_file():
            target = root / f"{staged}.po"
            write_if_changed(target, path.read_bytes())
            wanted.add(target)
    if (stage / STAGED_LOCALES).is_dir():
        for path in (stage / STAGED_LOCALES).rglob("*"):
            if path.is_file() and path.suffix == ".po" and path not in wanted:
                path.unlink()
                path.with_suffix(".mo").unlink(missing_ok=True)


def book_toc(
    workbook: Workbook, rounds: Sequence[Round], runs: Sequence[Run], lang: str = DEFAULT_SOURCE
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
    words = WORDS.get(lang, WORDS[DEFAULT_SOURCE])
    if chapters:
        parts.append({"caption": words["rounds"], "chapters": chapters})
    parts.append({"caption": words["team"], "chapters": [{"file": _stem(STATUS_PAGE)}]})
    return {**toc, "parts": parts}


def _stem(path: Path) -> str:
    return path.with_suffix("").as_posix()


def round_page(round_: Round, lang: str = DEFAULT_SOURCE) -> str:
    """The landing page of a round: what it was, when, with whom, which calls."""
    words = WORDS.get(lang, WORDS[DEFAULT_SOURCE])
    dates = round_.start.isoformat() if round_.start == round_.end else f"{round_.start} – {round_.end}"
    lines = [
        f"(round-{round_.id})=",
        f"# {inert_myst(round_.title_in(lang))}",
        "",
        f"- **{words['kind']}**{colon(lang)} {words[round_.kind]}",
        f"- **{words['dates']}**{colon(lang)} {dates}",
        f"- **{words['languages']}**{colon(lang)} {', '.join(round_.languages)}",
    ]
    if round_.invited:
        lines.append(f"- **{words['invited']}**{colon(lang)} {round_.invited}")
    if round_.sources:
        lines.append(f"- **{words['sources']}**{colon(lang)} {', '.join(inert_myst(s) for s in round_.sources)}")
    lines += ["", words["submitted"].format(n=len(round_.calls)), ""]
    for call in round_.calls:
        lineage = f" *({words['replaces']} {', '.join(call.replaces)})*" if call.replaces else ""
        lines.append(f"- **{call.id}**{lineage} — {inert_myst(call.text_in(lang))}")
    return "\n".join(lines) + "\n"
