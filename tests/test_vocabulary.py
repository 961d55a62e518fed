import os
import subprocess
import sys
from pathlib import Path

import pytest

from draftbook.model.errors import DataFileError
from draftbook.model.membership import load_membership
from draftbook.model.paths import ROOT_ENV, Workbook
from draftbook.model.vocabulary import label, load_vocabulary, vocabulary
from tests.conftest import REPO, WORKBOOK_FIXTURE, write

# What draftbook/vocabulary.py held in Python before the vocabulary moved to data/vocabulary.yml.
OLD_REGIONS = {
    "africa": {"fr": "Afrique", "en": "Africa", "es": "África"},
    "latin-america": {"fr": "Amérique latine", "en": "Latin America", "es": "América Latina"},
    "middle-east-west-asia": {
        "fr": "Moyen-Orient et Asie de l'Ouest",
        "en": "Middle East and West Asia",
        "es": "Oriente Medio y Asia Occidental",
    },
    "world": {"fr": "Mondial", "en": "Global", "es": "Mundial"},
}
OLD_CONSTITUENCIES = {
    "lg-association": {
        "fr": "Association nationale de GLR",
        "en": "National LRG association",
        "es": "Asociación nacional de GLR",
    },
    "partner": {
        "fr": "Partenaire (bailleur, recherche, société civile)",
        "en": "Partner (donor, academia, civil society)",
        "es": "Socio (donante, academia, sociedad civil)",
    },
}
OLD_LANGUAGE_NAMES = {
    "fr": {"fr": "français", "en": "French", "es": "francés"},
    "en": {"fr": "anglais", "en": "English", "es": "inglés"},
    "es": {"fr": "espagnol", "en": "Spanish", "es": "español"},
}
OLD_ALIASES = {
    "language": {"francais": "fr", "french": "fr", "anglais": "en", "ingles": "en", "espanol": "es", "spanish": "es"},
    "region": {"global": "world", "mondial": "world", "international": "world", "mena": "middle-east-west-asia"},
}

SMALL = """\
regions:
  africa: {fr: Afrique, en: Africa}
  europe: {fr: Europe, aliases: [europa]}
constituencies:
  partner: {fr: Partenaire}
languages:
  fr: {fr: français}
"""


def test_labels_in_three_languages_with_fallbacks() -> None:
    assert label("region", "latin-america", "es") == "América Latina"
    assert label("constituency", "partner", "en").startswith("Partner")
    assert label("language", "es", "fr") == "espagnol"
    assert label("region", "africa", "de") == "Afrique"
    assert label("source", "online-form", "fr") == "online-form"


def test_the_shipped_vocabulary_is_the_one_that_was_in_python() -> None:
    shipped = load_vocabulary(WORKBOOK_FIXTURE / "data" / "vocabulary.yml")
    assert shipped.ids("region") == [
        "africa", "asia-pacific", "eurasia", "europe",
        "latin-america", "middle-east-west-asia", "north-america", "world",
    ]  # fmt: skip
    assert shipped.ids("constituency") == [
        "local-government", "regional-government", "lg-association", "network-section", "partner",
    ]  # fmt: skip
    assert shipped.labels["language"] == OLD_LANGUAGE_NAMES
    for value, labels in OLD_REGIONS.items():
        assert shipped.labels["region"][value] == labels
    for value, labels in OLD_CONSTITUENCIES.items():
        assert shipped.labels["constituency"][value] == labels
    assert shipped.aliases["language"] == OLD_ALIASES["language"]
    assert shipped.aliases["region"] == OLD_ALIASES["region"]
    assert len(shipped.aliases["constituency"]) == 29
    assert shipped.aliases["constituency"]["collectivité locale"] == "local-government"
    assert shipped.aliases["constituency"]["région"] == "regional-government"


def test_index_accepts_ids_labels_and_aliases_folded() -> None:
    shipped = vocabulary(Workbook(WORKBOOK_FIXTURE))
    regions = shipped.index("region")
    assert regions["amerique latine"] == regions["latin america"] == regions["latin-america"] == "latin-america"
    assert regions["moyen-orient et asie de l'ouest"] == regions["mena"] == "middle-east-west-asia"
    constituencies = shipped.index("constituency")
    assert constituencies["societe civile"] == constituencies["partner"] == "partner"
    assert shipped.index("language")["espanol"] == "es"
    with pytest.raises(ValueError, match="unknown vocabulary dimension"):
        shipped.index("regions")


@pytest.mark.parametrize(
    ("old", "new", "message", "key"),
    [
        ("regions:", "region:", 'did you mean "regions"', "region"),
        ("languages:\n  fr: {fr: français}\n", "", "required", "languages"),
        ("{fr: Partenaire}", "{fr: Partenaire, en: Partner, de: Partner}", "unknown key", "constituencies.partner.de"),
        ("{fr: Partenaire}", "{fr: Partenaire, alias: [donor]}", 'did you mean "aliases"', "partner.alias"),
        ("  africa:", "  Africa:", 'the id "Africa" is not an id', "regions.Africa"),
        ("  africa:", "  north_africa:", "lowercase letters, digits and hyphens", "regions.north_africa"),
        ("  fr: {fr: français}", "  no: {fr: norvégien}", "the id False", "languages.False"),
        ("{fr: Afrique, en: Africa}", "{en: Africa}", "a French label is required", "regions.africa.fr"),
        ("{fr: Afrique, en: Africa}", "{fr: Afrique, en: 3}", "found a number", "regions.africa.en"),
        ("{fr: Europe, aliases: [europa]}", "{fr: Europe, en: AFRIQUE}", 'reads the same as "Afrique"', "europe.en"),
        ("{fr: Europe, aliases: [europa]}", "{fr: Europe, aliases: [Africa]}", "of africa", "europe.aliases"),
        (
            "{fr: Europe, aliases: [europa]}",
            "{fr: Europe, aliases: [eu, 27]}",
            r"alias \(text\), found a number",
            "[1]",
        ),
        ("{fr: Europe, aliases: [europa]}", "{fr: Europe, aliases: europa}", "list of aliases", "europe.aliases"),
        ("  europe: {fr: Europe, aliases: [europa]}\n", "", None, None),
    ],
)
def test_bad_vocabulary_files(tmp_path: Path, old: str, new: str, message: str | None, key: str | None) -> None:
    assert old in SMALL
    path = write(tmp_path / "vocabulary.yml", SMALL.replace(old, new))
    if message is None:  # the replacement is a valid vocabulary
        assert load_vocabulary(path).ids("region") == ["africa"]
        return
    with pytest.raises(DataFileError, match=message) as caught:
        load_vocabulary(path)
    assert caught.value.file == str(path)
    assert key in (caught.value.key or "")


def test_a_duplicate_names_both_entries(tmp_path: Path) -> None:
    path = write(tmp_path / "vocabulary.yml", SMALL.replace("[europa]", "[europa, 'AFRICA ']"))
    with pytest.raises(DataFileError) as caught:
        load_vocabulary(path)
    message = str(caught.value)
    assert 'key "regions.europe.aliases[1]"' in message
    assert '"africa" of africa (regions.africa)' in message


def test_the_same_word_may_serve_one_id_twice_and_other_dimensions(tmp_path: Path) -> None:
    text = SMALL.replace("{fr: Partenaire}", "{fr: Partenaire, en: Partner, aliases: [partner, europe]}")
    loaded = load_vocabulary(write(tmp_path / "vocabulary.yml", text))
    assert loaded.index("constituency")["europe"] == "partner"
    assert loaded.index("region")["europe"] == "europe"


def test_a_workbook_with_its_own_regions(workbook: Workbook) -> None:
    text = workbook.vocabulary_file.read_text(encoding="utf-8")
    write(workbook.vocabulary_file, text.replace("\nregions:\n", "\nregions:\n  oceania: {fr: Océanie, en: Oceania}\n"))
    assert label("region", "oceania", "en") == "Oceania"
    assert label("region", "oceania", "es") == "Océanie"
    assert vocabulary().ids("region")[0] == "oceania"
    assert vocabulary().labels["region"]["oceania"]["fr"] == "Océanie"
    assert load_vocabulary(WORKBOOK_FIXTURE / "data" / "vocabulary.yml").label("region", "oceania", "en") == "oceania"

    write(workbook.membership_file, "members:\n  region: {oceania: 12, africa: 30}\n")
    assert load_membership(workbook.membership_file).counts["region"] == {"oceania": 12, "africa": 30}
    with pytest.raises(DataFileError, match='unknown region "oceania"'):
        load_membership(workbook.membership_file, vocabulary(Workbook(WORKBOOK_FIXTURE)))


def test_an_edited_file_is_read_again(workbook: Workbook) -> None:
    assert "atlantis" not in vocabulary().ids("region")
    text = workbook.vocabulary_file.read_text(encoding="utf-8")
    write(workbook.vocabulary_file, text.replace("\nregions:\n", "\nregions:\n  atlantis: {fr: Atlantide}\n"))
    assert "atlantis" in vocabulary().ids("region")
    assert vocabulary().aliases["region"]["mena"] == "middle-east-west-asia"


def test_a_missing_file_is_named_when_used_not_when_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    with pytest.raises(DataFileError, match="does not exist") as caught:
        label("region", "africa", "fr")
    assert caught.value.file == str(tmp_path.resolve() / "data" / "vocabulary.yml")
    code = (
        "import draftbook.model.vocabulary, draftbook.model.membership, draftbook.analysis.measures, "
        "draftbook.analysis.coding; print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, ROOT_ENV: str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "ok", done.stderr
