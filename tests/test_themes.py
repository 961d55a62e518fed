from pathlib import Path

import pytest

from draftbook.errors import DataFileError
from draftbook.themes import load_codebook
from tests.conftest import REPO, write


def test_shipped_codebook_covers_the_brief() -> None:
    themes = load_codebook(REPO / "data" / "codebook.yml")
    for theme in ("recognition", "financing", "decentralisation", "basic-services", "covid-recovery"):
        assert theme in themes
    assert themes["financing"].label_in("es") == "Financiación"
    assert themes["financing"].label_in("de") == "Financement"  # falls back to French


def test_duplicate_theme(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yml", "themes:\n  - {id: a, label: {fr: A}}\n  - {id: a, label: {fr: B}}\n")
    with pytest.raises(DataFileError, match='"a" is listed twice'):
        load_codebook(path)


def test_french_label_required(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yml", "themes:\n  - {id: a, label: {en: A}}\n")
    with pytest.raises(DataFileError, match="French label") as caught:
        load_codebook(path)
    assert caught.value.key == "themes[0].label.fr"
