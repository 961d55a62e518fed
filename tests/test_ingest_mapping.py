from pathlib import Path

import pytest

from draftbook.ingest.mapping import MappingError, PerCall, load_mapping
from tests.conftest import write
from tests.exports import MAPPING

CALLS = ["CTA-01", "CTA-02", "CTA-03"]


def mapping(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "mapping.yml", text)


def test_contract_example_loads(tmp_path: Path) -> None:
    loaded = load_mapping(mapping(tmp_path, MAPPING))
    assert loaded.language == "fr"
    assert loaded.encoding == "auto" and loaded.delimiter is None and loaded.header_row == 1
    assert loaded.respondent["email"] == "Adresse e-mail"
    assert loaded.scale is not None and loaded.scale.lookup("Plutôt d'accord") == 4
    assert loaded.ratings == PerCall(pattern="Soutien à l'appel [{call}]")
    assert loaded.consent == "J'accepte"


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        ("encodng: utf-8\n" + MAPPING, "encodng", 'did you mean "encoding"'),
        (MAPPING.replace("  email:", "  e-mail:"), "respondent.e-mail", 'did you mean "email"'),
        (MAPPING.replace("  scale:", "  scales:"), "ratings.scales", 'did you mean "scale"'),
        (MAPPING.replace("  consent:", "  consentement:"), "comments.consentement", 'did you mean "consent"'),
    ],
)
def test_unknown_key_names_the_closest_valid_key(tmp_path: Path, text: str, key: str, hint: str) -> None:
    with pytest.raises(Exception, match="unknown key") as caught:
        load_mapping(mapping(tmp_path, text))
    assert f'key "{key}"' in str(caught.value)
    assert hint in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("scale: agreement-5", "scale: stars-10"), 'unknown scale "stars-10"'),
        (("scale: agreement-5", "scale: {Oui: 5, Non: 0}"), "scores are 1 to 5"),
        (('column: "Soutien à l\'appel [{call}]"', 'column: "Soutien"'), "must contain {call}"),
        (("language: fr", "language: de"), '"de" is not allowed'),
        (("comments:", "delimiter: pipe\ncomments:"), 'unknown delimiter "pipe"'),
        (("comments:", "header_row: 0\ncomments:"), "row number from 1"),
        (("comments:", "format: ods\ncomments:"), '"ods" is not allowed'),
    ],
)
def test_bad_values_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        load_mapping(mapping(tmp_path, MAPPING.replace(*change)))


def test_column_and_columns_together_is_an_error(tmp_path: Path) -> None:
    text = MAPPING.replace("  scale: agreement-5", "  scale: agreement-5\n  columns: {CTA-01: Q1}")
    with pytest.raises(MappingError, match="not both"):
        load_mapping(mapping(tmp_path, text))


def test_pattern_resolves_the_calls_it_finds(tmp_path: Path) -> None:
    columns = ["Soutien à l'appel [CTA-01]", "Soutien à l'appel [CTA-03]", "Autre"]
    resolved = PerCall(pattern="Soutien à l'appel [{call}]").resolve(CALLS, columns, tmp_path / "m.yml", "ratings")
    assert resolved == {"CTA-01": "Soutien à l'appel [CTA-01]", "CTA-03": "Soutien à l'appel [CTA-03]"}


def test_a_column_naming_no_call_is_an_error(tmp_path: Path) -> None:
    columns = ["Soutien à l'appel [CTA-01]", "Soutien à l'appel [CTA-99]"]
    with pytest.raises(MappingError, match="CTA-99, which is no call of this round") as caught:
        PerCall(pattern="Soutien à l'appel [{call}]").resolve(CALLS, columns, tmp_path / "m.yml", "ratings")
    assert caught.value.column == "Soutien à l'appel [CTA-99]"
    with pytest.raises(MappingError, match="CTA-09 names no call"):
        PerCall(columns={"CTA-09": "Q9"}).resolve(CALLS, ["Q9"], tmp_path / "m.yml", "ratings")


def test_a_mapped_column_the_export_lacks_names_the_closest_columns_it_has(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match='no column "Q2"') as caught:
        PerCall(columns={"CTA-01": "Q1", "CTA-02": "Q2"}).resolve(CALLS, ["Q1", "Nom"], tmp_path / "m.yml", "ratings")
    assert caught.value.hint == 'the closest of its 2 columns: "Q1", "Nom"'


def test_a_typo_on_a_644_column_export_names_five_columns_not_all(tmp_path: Path) -> None:
    columns = [
        "id",
        "submitdate",
        *(f"G{g:02d}Q{q:02d}[SQ{s:03d}]" for g in range(20) for q in range(8) for s in range(4)),
    ]
    columns += ["SUPPORT[CTA01]", "SUPPORT[CTA02]"]
    assert len(columns) == 644
    with pytest.raises(MappingError) as caught:
        PerCall(columns={"CTA-01": "SUPORT[CTA01]"}).resolve(CALLS, columns, tmp_path / "m.yml", "ratings")
    hint = caught.value.hint or ""
    assert hint.startswith("the closest of its 644 columns: ") and hint.count('"') == 10
    assert '"SUPPORT[CTA01]"' in hint and len(str(caught.value)) < 400
    with pytest.raises(MappingError, match="no export column matches"):
        PerCall(pattern="Support {call}").resolve(CALLS, ["Q1"], tmp_path / "m.yml", "ratings")
