from pathlib import Path

import pytest

from draftbook.model.config import check_keys, describe, read_yaml, require_mapping
from draftbook.model.errors import DataFileError
from tests.conftest import write


def test_read_yaml_reads_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yml", "title: Débat\nlanguages: [fr, en]\n")
    assert read_yaml(path) == {"title": "Débat", "languages": ["fr", "en"]}


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="does not exist") as caught:
        read_yaml(tmp_path / "nope.yml")
    assert caught.value.file == str(tmp_path / "nope.yml")


def test_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yml", "title: ok\nkind: [session\nstart: 2022-01-01\n")
    with pytest.raises(DataFileError, match=r"cannot be read at line \d"):
        read_yaml(path)


def test_wrong_encoding_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "latin.yml"
    path.write_bytes("title: Débat\n".encode("cp1252"))
    with pytest.raises(DataFileError, match="not UTF-8") as caught:
        read_yaml(path)
    assert "UTF-8" in str(caught.value.hint)


def test_unknown_key_names_the_closest_valid_one(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        check_keys({"tittle": "x"}, allowed=["title", "kind"], file=tmp_path / "round.yml")
    assert caught.value.key == "tittle"
    assert 'did you mean "title"' in str(caught.value)


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="required") as caught:
        check_keys({"title": ""}, allowed=["title"], required=["title"], file=tmp_path / "r.yml", where="calls[0]")
    assert caught.value.key == "calls[0].title"


def test_require_mapping_says_what_it_found(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="found a list"):
        require_mapping([1, 2], file=tmp_path / "x.yml", key=None, what="a round description")
    assert describe(None) == "nothing"
    assert describe("x") == "text"
