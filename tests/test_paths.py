from pathlib import Path

import pytest

from draftbook.model.paths import ROOT_ENV, Workbook
from tests.conftest import REPO


def test_locate_defaults_to_the_package_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ROOT_ENV, raising=False)
    workbook = Workbook.locate()
    assert workbook.root == REPO
    assert (workbook.root / "_config.yml").is_file()
    assert workbook.calls_file == REPO / "data" / "calls.yml"


def test_locate_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    workbook = Workbook.locate()
    assert workbook.root == tmp_path.resolve()
    assert workbook.round_dir("r1") == tmp_path.resolve() / "data" / "rounds" / "r1"
    assert workbook.private_dir == tmp_path.resolve() / "data" / "private"
    assert workbook.html_dir == tmp_path.resolve() / "_build" / "html"
