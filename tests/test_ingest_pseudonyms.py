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


def people(**columns: list[str]) -> dict[str, pd.Series]:
    return {role: pd.Series(values) for role, values in columns.items()}


ROWS = pd.Series([2, 3, 4, 5])


def test_identity_prefers_email_then_organisation_and_name_then_id() -> None:
    columns = people(
        email=[" Ana@X.example ", "", "", ""],
        name=["Ana", "Bó Ranite", "", "Cira"],
        organisation=["A", "Ville B", "", "C"],
        id=["1", "2", "3", "4"],
    )
    keys = identities(columns, ["id", "email", "name+organisation"], ROWS, "poll")
    assert keys.tolist() == ["email:ana@x.example", "name:ville b|bo ranite", "row:poll:3", "name:c|cira"]
    assert identities(columns, [], ROWS, "poll").tolist() == [f"row:poll:{i}" for i in "1234"]


def test_a_shared_name_never_merges_people_identified_by_their_id() -> None:
    """KoboToolbox: the interviewer's name on every interview, one _uuid each."""
    columns = people(name=["Ivo Kant"] * 4, id=["u1", "u2", "u3", "u4"])
    keys = identities(columns, ["id"], ROWS, "kobo")
    assert keys.nunique() == 4


def test_placeholders_never_identify_anyone() -> None:
    """Microsoft Forms writes "anonymous" as the e-mail of every anonymous answer."""
    columns = people(email=["anonymous", "Anonymous", "n/a", "-"], id=["1", "2", "3", "4"])
    assert identities(columns, ["id", "email"], ROWS, "forms").nunique() == 4
    columns = people(name=["anónimo", "Ana", "Ana", ""], organisation=["X", "X", "X", "X"])
    keys = identities(columns, ["name+organisation"], ROWS, "notes")
    assert keys.tolist()[1] == keys.tolist()[2] == "name:x|ana"
    assert keys.nunique() == 3


def test_any_shared_identifier_makes_one_person_across_chains() -> None:
    """Row 1 and 2 share an id, row 2 and 3 an e-mail: all three are one person, keyed by the e-mail."""
    columns = people(id=["a", "a", "b", "c"], email=["", "p@x.example", "P@x.example ", "q@x.example"])
    keys = identities(columns, ["id", "email"], ROWS, "s")
    assert keys.tolist() == ["email:p@x.example"] * 3 + ["email:q@x.example"]
    assert identities(columns, ["id"], ROWS, "s").tolist() == ["row:s:a", "row:s:a", "row:s:b", "row:s:c"]


def test_pseudonyms_are_stable_keyed_and_unguessable_without_the_salt() -> None:
    keys = pd.Series(["email:ana@x.example", "email:ana@x.example", "email:bo@x.example"])
    first = pseudonymise(keys, b"salt-1")
    assert first[0] == first[1] != first[2]
    assert first[0].startswith("R-") and len(first[0]) == 14
    assert pseudonymise(keys, b"salt-1").equals(first)
    assert pseudonymise(keys, b"salt-2")[0] != first[0]
    assert "ana" not in first[0]
