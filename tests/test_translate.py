"""Translations: catalogues per page, stale marking, status, staging, the three books and their switcher."""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest

from draftbook.book.build import with_switcher
from draftbook.book.stage import book_toc, stage_catalogs
from draftbook.book.translate import (
    book_titles,
    catalog_file,
    catalog_status,
    changed_since_update,
    source_files,
    stage_config,
    status_page,
    update,
)
from draftbook.cli import main
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_rounds
from tests.conftest import write

ROUND = "2022-02-gtf-debate"


def entries(path: Path) -> dict[str, tuple[str, bool]]:
    return {e.msgid: (e.msgstr, e.fuzzy) for e in polib.pofile(str(path)) if e.msgid}


def all_catalogues(workbook: Workbook) -> dict[str, dict[str, tuple[str, bool]]]:
    root = workbook.book_dir / "locales"
    return {str(p.relative_to(root)): entries(p) for p in sorted(root.rglob("*.po"))}


def a_paragraph(workbook: Workbook) -> str:
    """A long translated paragraph of the context chapter, as its catalogue holds it."""
    return next(m for m in entries(catalog_file(workbook, "en", "book/context")) if len(m) > 150)


def test_the_shipped_catalogues_cover_every_page_in_both_languages(workbook: Workbook) -> None:
    rows = catalog_status(workbook)
    pages = {(page, lang) for page in source_files(workbook) for lang in ("en", "es")}
    assert {(row.page, row.lang) for row in rows} == pages
    assert all(row.total > 0 and row.percent == 100 and row.stale == 0 for row in rows)
    assert changed_since_update(workbook) == []  # sources.json matches the French text


def test_a_changed_french_paragraph_marks_exactly_its_translations_stale(workbook: Workbook) -> None:
    before = all_catalogues(workbook)
    old = a_paragraph(workbook)
    chapter = workbook.book_dir / "context.md"
    text = chapter.read_text(encoding="utf-8")
    source_line = old.split(" ")[:6]
    start = text.index(" ".join(source_line))
    new_text = text[:start] + "Depuis 2013, " + text[start:]
    chapter.write_text(new_text, encoding="utf-8")
    assert changed_since_update(workbook) == ["book/context"]

    report = update(workbook, progress=lambda _: None)

    after = all_catalogues(workbook)
    assert report.stale == {"en/book/context": 1, "es/book/context": 1}
    for name, catalogue in after.items():
        changed = {m: v for m, v in catalogue.items() if before[name].get(m) != v}
        if name.endswith("book/context.po"):
            assert len(changed) == 1, name
            ((msgid, (msgstr, fuzzy)),) = changed.items()
            assert msgid.startswith("Depuis 2013, ") and fuzzy
            assert msgstr == before[name][old][0]  # the old translation is kept for the translator to review
            assert old not in catalogue
        else:
            assert changed == {}, name
    fuzzy = next(e for e in polib.pofile(str(catalog_file(workbook, "en", "book/context"))) if e.fuzzy and e.msgid)
    assert fuzzy.previous_msgid == old  # the translator sees the French as it was (#| msgid)
    stale = {(row.page, row.lang): row for row in catalog_status(workbook) if row.stale}
    assert set(stale) == {("book/context", "en"), ("book/context", "es")}
    assert stale[("book/context", "en")].translated == stale[("book/context", "en")].total - 1
    assert changed_since_update(workbook) == []


def test_new_text_arrives_untranslated_and_a_new_page_gets_catalogues(workbook: Workbook) -> None:
    write(workbook.book_dir / "annex.md", "# Annexe\n\nUn paragraphe tout neuf.\n")
    toc = workbook.root / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8") + "  - caption: Annexes\n    chapters:\n    - file: book/annex\n")
    report = update(workbook, progress=lambda _: None)
    assert {"en/book/annex", "es/book/annex"} <= set(report.created)
    annex = entries(catalog_file(workbook, "es", "book/annex"))
    assert annex == {"Annexe": ("", False), "Un paragraphe tout neuf.": ("", False)}
    row = next(r for r in catalog_status(workbook, ["es"]) if r.page == "book/annex")
    assert (row.total, row.translated, row.untranslated, row.percent) == (2, 0, 2, 0)
    assert "Annexes" in entries(catalog_file(workbook, "en", "book/index"))  # part captions go with the root page


def test_counts_of_a_hand_made_catalogue(workbook: Workbook) -> None:
    path = catalog_file(workbook, "en", "book/calls")
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="Un", msgstr="One"))
    catalogue.append(polib.POEntry(msgid="Deux", msgstr="Two", flags=["fuzzy"]))
    catalogue.append(polib.POEntry(msgid="Trois", msgstr=""))
    catalogue.save(str(path))
    row = next(r for r in catalog_status(workbook, ["en"]) if r.page == "book/calls")
    assert (row.total, row.translated, row.stale, row.untranslated, row.percent) == (3, 1, 1, 1, 33)


def test_a_damaged_catalogue_is_named(workbook: Workbook) -> None:
    path = catalog_file(workbook, "es", "book/method")
    path.write_text('msgid "Un"\nmsgstr "Uno"\n\nbroken words here\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"book/method\.po: the translation file cannot be read"):
        catalog_status(workbook)
    path.write_bytes(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Été"\nmsgstr "Verano"\n'.encode(
            "cp1252"
        )
    )
    with pytest.raises(DataFileError, match=r"book/method\.po: the translation file cannot be read: it is not UTF-8"):
        catalog_status(workbook)  # saved from a Windows editor in cp1252 while it says UTF-8


def test_a_damaged_catalogue_stops_the_build_before_any_run(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog_file(workbook, "en", "notebooks/support").write_text('msgid "a"\nmsgstr "b"\n\nnot po\n')
    assert main(["build", "--lang", "fr"]) == 1
    captured = capsys.readouterr()
    assert "notebooks/locales/en/LC_MESSAGES/support.po: the translation file cannot be read" in captured.err
    assert "(line 4)" in captured.err and "Papermill" not in captured.out
    assert not (workbook.build_dir / "stage").exists()


def test_status_page_for_the_team(workbook: Workbook) -> None:
    path = catalog_file(workbook, "en", "book/calls")
    catalogue = polib.pofile(str(path))
    catalogue[1].flags.append("fuzzy")  # not the title
    catalogue.save(str(path))
    page = status_page(workbook, "en")
    assert page.startswith("(translation-status)=\n# Translation status")
    line = next(row for row in page.splitlines() if "`book/calls.po`" in row)
    assert "| 83 % (1 to review) | 100 % |" in line  # 5 of 6 in English, all 6 in Spanish
    assert "The calls to action" in line  # the page's title, in the page's language
    assert "catalogues are up to date" in page
    write(workbook.book_dir / "method.md", "# Méthode\n\nNouveau texte.\n")
    assert "| Les appels à l'action | `book/calls.po` |" in status_page(workbook, "fr")
    assert "`book/method`" in status_page(workbook, "es").splitlines()[-1]


def test_titles_and_config_per_language(workbook: Workbook) -> None:
    titles = book_titles(workbook)
    assert titles["en"].startswith("Development cooperation") and titles["fr"].startswith("La coopération")
    assert load_rounds(workbook)[0].title_in("es") == "Debate político con el Global Taskforce"
    assert load_rounds(workbook)[0].title_in("fr") == "Débat politique avec la Global Taskforce"
    config = stage_config(workbook, "es").decode("utf-8")
    assert "language: es" in config and "locale_dirs:\n    - _locales/" in config
    assert "translation_progress_classes: untranslated" in config and "title: La cooperación" in config
    assert "author: Equipo de redacción" in config
    write(workbook.book_dir / "locales" / "titles.yml", "en: just a string\n")
    with pytest.raises(DataFileError, match=r"titles\.yml"):
        book_titles(workbook)


def test_part_captions_are_translated_in_the_navigation(workbook: Workbook) -> None:
    rounds = load_rounds(workbook)
    captions = [part.get("caption") for part in book_toc(workbook, rounds, [], "en")["parts"]]
    assert captions == ["The policy paper", "The consultation", "Consultation rounds", "For the drafting team"]
    captions = [part.get("caption") for part in book_toc(workbook, rounds, [], "fr")["parts"]]
    assert captions[0] == "Le document d'orientation" and captions[-1] == "Pour l'équipe de rédaction"


def test_a_notebook_catalogue_serves_every_round_page(workbook: Workbook, tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    pages = {"book/context": "book/context", f"rounds/{ROUND}/support": "notebooks/support"}
    write(stage / "_locales" / "en" / "LC_MESSAGES" / "book" / "gone.po", "")
    stage_catalogs(workbook, stage, "en", pages)
    staged = stage / "_locales" / "en" / "LC_MESSAGES"
    assert sorted(str(p.relative_to(staged)) for p in staged.rglob("*.po")) == [
        "book/context.po",
        f"rounds/{ROUND}/support.po",
    ]
    assert (staged / f"rounds/{ROUND}/support.po").read_bytes() == catalog_file(
        workbook, "en", "notebooks/support"
    ).read_bytes()
    stage_catalogs(workbook, stage, "fr", pages)  # the source language needs none
    assert not list(staged.rglob("*.po"))


def test_switcher_links_the_same_page_in_the_other_languages() -> None:
    page = '<html lang="en"><head></head><body><div class="bd-header-article d-print-none">x</div></body></html>'
    out = with_switcher(page, "en", Path("rounds/R/support.html"), ["fr", "en", "es"])
    assert '<a href="../../../fr/rounds/R/support.html" hreflang="fr" lang="fr">Français</a>' in out
    assert '<span aria-current="page" lang="en">English</span>' in out
    assert '<link rel="alternate" hreflang="es" href="../../../es/rounds/R/support.html">' in out
    assert 'aria-label="Language of the book"' in out
    again = with_switcher(out, "en", Path("rounds/R/support.html"), ["fr", "en", "es"])
    assert again.count("draftbook-languages") == 1  # applied twice, shown once
    assert with_switcher(page, "en", Path("index.html"), ["en"]) == page  # one language: no switcher


def test_build_help_and_translate_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["translate", "update", "--help"])
    out = capsys.readouterr().out
    assert "book/locales/<lang>/LC_MESSAGES/" in out and "fuzzy" in out
    with pytest.raises(SystemExit) as caught:
        main(["build", "--lang", "de"])
    assert caught.value.code == 2


@pytest.mark.slow
def test_three_books_with_switchers_stale_text_marked_and_charts_in_each_language(
    workbook: Workbook, capsys: pytest.CaptureFixture[str]
) -> None:
    old = a_paragraph(workbook)
    english = entries(catalog_file(workbook, "en", "book/context"))[old][0]
    chapter = workbook.book_dir / "context.md"
    words = old.split(" ")
    changed = " ".join([*words[:3], "aussi", *words[3:]])
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace(" ".join(words[:6]), " ".join([*words[:3], "aussi", *words[3:6]]), 1))
    assert main(["translate", "update"]) == 0
    assert "en/book/context: 1 translation(s) to review" in capsys.readouterr().out

    assert main(["build", "--round", ROUND, "--strict"]) == 0
    out = capsys.readouterr().out
    assert "The book is ready in Français, English, Español" in out
    assert "Some translations need attention" in out
    site = workbook.html_dir
    assert 'url=fr/index.html"' in (site / "index.html").read_text(encoding="utf-8")

    # Every switcher link of every page leads to the same page in another language.
    checked = 0
    for lang in ("fr", "en", "es"):
        for page in (site / lang).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            nav = re.search(r'<nav class="draftbook-languages".*?</nav>', text, re.DOTALL)
            if "<body" not in text or "bd-header-article" not in text:
                continue
            assert nav is not None, page
            links = re.findall(r'href="([^"]+)" hreflang="([a-z]+)"', nav.group(0))
            assert sorted(other for _, other in links) == sorted({"fr", "en", "es"} - {lang}), page
            for href, other in links:
                target = (page.parent / href).resolve()
                assert target == (site / other / page.relative_to(site / lang)).resolve() and target.is_file()
                checked += 1
    assert checked > 60

    context = (site / "en" / "book" / "context.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in context and "The context since 2013" in context
    marked = re.findall(r'<p class="untranslated" lang="fr">(.*?)</p>', context, re.DOTALL)
    assert len(marked) == 1 and marked[0].split()[:4] == changed.split()[:4]  # the changed paragraph, in French
    assert english.split()[0] not in marked[0]
    assert context.count("untranslated") == 1
    assert 'placeholder="Search this book…"' in context or "Search this book" in context

    for lang, label, title in (
        ("fr", "Répartition des réponses par appel", "Soutien aux appels à l’action"),
        ("en", "Distribution of answers per call to action", "Support for the calls to action"),
        ("es", "Distribución de las respuestas por llamado a la acción", "Apoyo a los llamados a la acción"),
    ):
        page = html.unescape((site / lang / "rounds" / ROUND / "support.html").read_text(encoding="utf-8"))
        assert f'<html lang="{lang}"' in page and label in page and title in page
        nav_page = (site / lang / "rounds" / ROUND / "index.html").read_text(encoding="utf-8")
        assert load_rounds(workbook)[0].title_in(lang) in nav_page
    status = (site / "en" / "team" / "translations.html").read_text(encoding="utf-8")
    assert "Translation status" in status and "1 to review" in status
