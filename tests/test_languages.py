from draftbook.model.languages import LANGUAGES, SELF_NAMES, SOURCE_LANGUAGE, TRANSLATIONS, colon
from draftbook.present.diff import diff_html, word_diff
from draftbook.present.report import _labelled


def test_one_registry_of_languages() -> None:
    assert (SOURCE_LANGUAGE, TRANSLATIONS) == ("fr", ("en", "es")) and set(LANGUAGES) == set(SELF_NAMES)


def test_each_language_writes_its_own_colon() -> None:
    assert (colon("fr"), colon("en"), colon("es")) == (" :", ":", ":")
    assert _labelled("New wording", "x", "en") == "<p><strong>New wording:</strong> x</p>"
    assert _labelled("Nueva redacción", "x", "es") == "<p><strong>Nueva redacción:</strong> x</p>"
    assert _labelled("Nouvelle formulation", "x", "fr") == "<p><strong>Nouvelle formulation :</strong> x</p>"
    assert "[añadido: " in diff_html(word_diff("a", "b"), "es")
