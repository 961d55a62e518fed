import stat
from pathlib import Path

import pandas as pd

from draftbook.ingest.pseudonyms import identities, load_salt, pseudonymise


def test_salt_is_created_once_and_private(tmp_path: Path) -> None:
    salt = load_salt(tmp_path / "private")
    assert len(salt) == 64
    assert load_salt(tmp_path / "private") == salt
    mode = (tmp_path / "private" / "pseudonym-salt").stat().st_mode
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)


def test_identity_prefers_email_then_organisation_and_name_then_row() -> None:
    keys = identities(
        email=pd.Series([" Ana@X.example ", "", ""]),
        name=pd.Series(["Ana", "Bó Ranite", ""]),
        organisation=pd.Series(["A", "Ville B", ""]),
        response_id=pd.Series(["1", "2", "3"]),
        source="poll",
    )
    assert keys.tolist() == ["email:ana@x.example", "name:ville b|bo ranite", "row:poll:3"]


def test_pseudonyms_are_stable_keyed_and_unguessable_without_the_salt() -> None:
    keys = pd.Series(["email:ana@x.example", "email:ana@x.example", "email:bo@x.example"])
    first = pseudonymise(keys, b"salt-1")
    assert first[0] == first[1] != first[2]
    assert first[0].startswith("R-") and len(first[0]) == 14
    assert pseudonymise(keys, b"salt-1").equals(first)
    assert pseudonymise(keys, b"salt-2")[0] != first[0]
    assert "ana" not in first[0]
