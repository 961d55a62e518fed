from pathlib import Path

import pytest

from draftbook.model.errors import DataFileError
from draftbook.model.membership import load_membership
from tests.conftest import WORKBOOK_FIXTURE, write


def test_shipped_membership_gives_shares() -> None:
    membership = load_membership(WORKBOOK_FIXTURE / "data" / "membership.yml")
    shares = membership.shares("region")
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["europe"] > shares["north-america"]
    assert membership.shares("language") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("members:\n  region: {atlantis: 3}\n", 'unknown region "atlantis"'),
        ("members:\n  region: {africa: -1}\n", "whole number"),
        ("members:\n  region: {africa: many}\n", "whole number"),
        ("members:\n  regions: {africa: 1}\n", 'did you mean "region"'),
        ("member: {}\n", 'did you mean "members"'),
    ],
)
def test_bad_membership_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        load_membership(write(tmp_path / "membership.yml", text))
