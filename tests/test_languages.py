from pathlib import Path

import pytest

from draftbook.book.translate import status_page
from draftbook.model.errors import DataFileError
from draftbook.model.languages import (
    DEFAULT_SOURCE,
    LANGUAGES,
    SELF_NAMES,
    book_languages,
    colon,
    in_language,
    name_in,
    source_language,
    translations,
)
from draftbook.model.paths import Workbook
from draftbook.present.diff import diff_html, word_diff
from draftbook.present.report import _labelled


def _config(root: Path, text: str) -> Workbook:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(text, encoding="utf-8")
    return Workbook(root)


def test_one_registry_of_languages() -> None:
    assert DEFAULT_SOURCE == "fr" and set(LANGUAGES) == set(SELF_NAMES)


def test_each_language_writes_its_own_colon() -> None:
    assert (colon("fr"), colon("en"), colon("es")) == (" :", ":", ":")
    assert _labelled("New wording", "x", "en") == "<p><strong>New wording:</strong> x</p>"
    assert _labelled("Nueva redacción", "x", "es") == "<p><strong>Nueva redacción:</strong> x</p>"
    assert _labelled("Nouvelle formulation", "x", "fr") == "<p><strong>Nouvelle formulation :</strong> x</p>"
    assert "[añadido: " in diff_html(word_diff("a", "b"), "es")


def test_the_source_language_is_the_workbooks_setting(tmp_path: Path) -> None:
    english = _config(tmp_path / "en", "title: A paper\nsphinx:\n  config:\n    language: en\n")
    assert source_language(english) == "en"
    assert book_languages(english) == ("en", "fr", "es") and translations(english) == ("fr", "es")
    unset = _config(tmp_path / "unset", "title: Un document\n")
    assert source_language(unset) == "fr" and book_languages(unset) == ("fr", "en", "es")


def test_the_book_may_have_fewer_languages(tmp_path: Path) -> None:
    two = _config(tmp_path / "two", "sphinx: {config: {language: es}}\ndraftbook: {languages: [en, es]}\n")
    assert book_languages(two) == ("es", "en") and translations(two) == ("en",)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("sphinx: {config: {language: de}}\n", "sphinx.config.language"),
        ("draftbook: {languages: [fr, de]}\n", "draftbook.languages"),
        ("draftbook: {languages: en}\n", "draftbook.languages"),
    ],
)
def test_an_unknown_language_is_refused_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(DataFileError) as caught:
        book_languages(_config(tmp_path / "bad", text))
    assert caught.value.key == key and "_config.yml" in str(caught.value.file)


def test_a_missing_translation_shows_the_text_that_is_there() -> None:
    assert in_language({"fr": "", "en": "Act now", "es": ""}, "es") == "Act now"
    assert in_language({"fr": "Agir", "en": "Act", "es": ""}, "es", source="en") == "Act"
    assert in_language({"fr": "Agir", "en": "Act", "es": "Actuar"}, "es", source="en") == "Actuar"


def test_languages_are_named_in_the_pages_language() -> None:
    assert name_in("fr", "en", "es") == "anglais et espagnol"
    assert name_in("en", "fr") == "French"
    assert name_in("es", "fr", "en") == "francés y inglés"


def test_the_translation_status_page_names_the_workbooks_own_languages(tmp_path: Path) -> None:
    english = _config(tmp_path / "en", "sphinx: {config: {language: en}}\n")
    (english.root / "book").mkdir()
    (english.root / "book" / "index.md").write_text("# A paper\n\nText.\n", encoding="utf-8")
    page = status_page(english, "en")
    assert "English is the source language" in page and "into French and Spanish" in page
    assert "Le anglais" not in status_page(english, "fr") and "L'anglais" not in status_page(english, "fr")


def test_a_book_in_one_language_names_no_translation() -> None:
    from draftbook.model.languages import name_in

    assert name_in("fr") == ""
    assert name_in("fr", "en", "es") == "anglais et espagnol"
