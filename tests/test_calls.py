from pathlib import Path

import pytest

from draftbook.model.calls import ADDRESSEES, calls_table, load_calls
from draftbook.model.codebook import load_codebook
from draftbook.model.errors import DataFileError
from tests.conftest import WORKBOOK_FIXTURE, write

GOOD = """
calls:
  - id: CTA-01
    addressee: national-governments
    theme: recognition
    text: {fr: "Reconnaître", en: "Recognise", es: "Reconocer"}
  - id: CTA-02
    addressee: international-community
    theme: financing
    replaces: [CTA-05, CTA-06]
    text: {fr: "Financer", en: "Fund", es: "Financiar"}
"""
THEMES = {"recognition", "financing"}


def load(tmp_path: Path, text: str) -> list:
    return load_calls(write(tmp_path / "calls.yml", text), THEMES)


def test_loads_calls_in_order_with_lineage(tmp_path: Path) -> None:
    calls = load(tmp_path, GOOD)
    assert [c.id for c in calls] == ["CTA-01", "CTA-02"]
    assert calls[1].replaces == ("CTA-05", "CTA-06")
    assert calls[0].text_in("es") == "Reconocer"


def test_shipped_draft_and_snapshots_are_valid() -> None:
    themes = load_codebook(WORKBOOK_FIXTURE / "data" / "codebook.yml")
    current = load_calls(WORKBOOK_FIXTURE / "data" / "calls.yml", themes)
    assert len(current) >= 12
    assert {c.addressee for c in current} == set(ADDRESSEES)
    for snapshot in (WORKBOOK_FIXTURE / "data" / "rounds").glob("*/calls.yml"):
        assert load_calls(snapshot, themes)


def test_duplicate_id_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("id: CTA-02", "id: CTA-01")
    with pytest.raises(DataFileError, match="CTA-01 is listed twice") as caught:
        load(tmp_path, text)
    assert caught.value.key == "calls[1].id"


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (("addressee: national-governments", "addressee: mayors"), "CTA-01.addressee", "unknown addressee"),
        (("theme: recognition", "theme: music"), "CTA-01.theme", "unknown theme"),
        (("id: CTA-01", "id: call one"), "CTA-01", "not a call id"),
        (('es: "Reconocer"', 'de: "Anerkennen"'), "CTA-01.text.de", "unknown key"),
        (("replaces: [CTA-05, CTA-06]", "replaces: CTA-05"), "CTA-02.replaces", "list of call ids"),
        (("    theme: recognition", "    them: recognition"), "calls[0].them", "unknown key"),
    ],
)
def test_malformed_call_names_the_key(tmp_path: Path, change: tuple[str, str], key: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message) as caught:
        load(tmp_path, GOOD.replace(*change, 1))
    assert key in str(caught.value)
    assert str(tmp_path / "calls.yml") in str(caught.value)


def test_a_translation_not_written_yet_shows_the_papers_own_wording(tmp_path: Path) -> None:
    call = load(tmp_path, GOOD.replace(', es: "Reconocer"', ""))[0]
    assert call.text["es"] == "" and call.text_in("es") == call.text_in("fr") == "Reconnaître"


def test_a_call_with_no_wording_at_all_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no wording") as caught:
        load(tmp_path, GOOD.replace('{fr: "Reconnaître", en: "Recognise", es: "Reconocer"}', '{fr: "", en: " "}'))
    assert caught.value.key == "CTA-01.text"


def test_empty_or_wrong_top_level(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="non-empty list"):
        load(tmp_path, "calls: []\n")
    with pytest.raises(DataFileError, match="expected a calls file"):
        load(tmp_path, "- just a list\n")


def test_calls_table_is_in_the_requested_language(tmp_path: Path) -> None:
    themes = load_codebook(WORKBOOK_FIXTURE / "data" / "codebook.yml")
    table = calls_table(load(tmp_path, GOOD), "en", themes)
    assert list(table.columns) == ["call", "addressee", "theme", "text"]
    assert table.loc[0, "addressee"] == "National governments"
    assert table.loc[1, "theme"] == "Financing"
    assert table.loc[1, "text"] == "Fund"


SHORT = GOOD.replace(
    '    text: {fr: "Reconnaître", en: "Recognise", es: "Reconocer"}',
    '    short: {fr: "Reconnaissance", en: "  Recognition\\n now ", es: ""}\n'
    '    text: {fr: "Reconnaître", en: "Recognise", es: "Reconocer"}',
)


def test_short_titles_are_read_per_language_and_label_the_call(tmp_path: Path) -> None:
    with_short, without = load(tmp_path, SHORT)
    assert with_short.short == {"fr": "Reconnaissance", "en": "Recognition now"}  # spaces folded, empty left out
    assert with_short.short_in("en") == "Recognition now"
    assert with_short.short_in("es") == "Reconnaissance"  # not translated yet: the one there is
    assert with_short.label_in("en") == "CTA-01 · Recognition now"
    assert without.short == {} and without.short_in("fr") == ""
    assert without.label_in("fr") == "CTA-02"  # no short title: the id alone


def test_a_short_title_over_60_characters_is_refused_naming_the_key(tmp_path: Path) -> None:
    long = "x" * 61
    with pytest.raises(DataFileError, match="61 characters, more than 60") as caught:
        load(tmp_path, SHORT.replace('fr: "Reconnaissance"', f'fr: "{long}"'))
    assert caught.value.key == "CTA-01.short.fr"
    assert str(tmp_path / "calls.yml") in str(caught.value)
    assert load(tmp_path, SHORT.replace('fr: "Reconnaissance"', f'fr: "{"x" * 60}"'))[0].short["fr"] == "x" * 60


@pytest.mark.parametrize(
    ("short", "key", "message"),
    [
        ('{fr: "A", de: "B"}', "CTA-01.short.de", "unknown key"),
        ("{fr: 3}", "CTA-01.short.fr", "expected text"),
        ('"Reconnaissance"', "CTA-01.short", "expected the short title per language"),
    ],
)
def test_a_malformed_short_title_names_the_key(tmp_path: Path, short: str, key: str, message: str) -> None:
    text = SHORT.replace('{fr: "Reconnaissance", en: "  Recognition\\n now ", es: ""}', short)
    with pytest.raises(DataFileError, match=message) as caught:
        load(tmp_path, text)
    assert key in str(caught.value)


def test_every_shipped_call_has_a_short_title_in_each_language_that_fits_a_chart() -> None:
    files = [WORKBOOK_FIXTURE / "data" / "calls.yml", *(WORKBOOK_FIXTURE / "data" / "rounds").glob("*/calls.yml")]
    assert len(files) >= 4
    for path in files:
        for call in load_calls(path):
            assert set(call.short) == {"fr", "en", "es"}, (path, call.id)
            assert all(len(title) <= 40 for title in call.short.values()), (path, call.id)
