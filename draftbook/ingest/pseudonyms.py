"""Pseudonymous respondent ids: stable across re-ingests and rounds, never reversible here.

The id is a keyed hash (HMAC-SHA-256) of who the person is (``identities``):
their e-mail when the export has one, otherwise their organisation and name,
otherwise the tool's response id, among the identifiers the mapping's
``identify_by`` allows. The key (the salt) lives in ``data/private/`` and is
created on first use; whoever lacks it cannot test a guessed e-mail.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from draftbook.model.errors import DataFileError
from draftbook.model.text import fold, fold_series, per_distinct, sort_rows

SALT_FILE = "pseudonym-salt"
PREFIX = "R-"
LENGTH = 12
KEY_HEX_DIGITS = 64
SAMPLE_SALT = b"draftbook-sample-salt-not-secret"  # the sample rounds' key: public on purpose
PLACEHOLDER_LENGTH = 12
PLACEHOLDERS = frozenset(
    fold(value) for value in ("", "anonymous", "anonyme", "anónimo", "anónima", "n/a", "na", "-", "none", "null")
)


class PseudonymKeyError(DataFileError):
    """The pseudonym key is missing where it must exist, damaged, or not the one a round was made with."""


def key_fingerprint(salt: bytes) -> str:
    """A short public trace of the key (in ingest-report.json): tells two keys apart, reveals nothing."""
    return hmac.new(salt, b"draftbook pseudonym key", hashlib.sha256).hexdigest()[:12]


PUBLIC_KEYS = {key_fingerprint(SAMPLE_SALT)}  # keys anyone may know: the sample's


def load_salt(private_dir: Path, *, create: bool = True) -> bytes:
    """The workbook's key: read and checked, or (``create``) made once, atomically, readable by the owner only."""
    path = private_dir / SALT_FILE
    if not path.exists():
        if not create:
            raise PseudonymKeyError(
                "the pseudonym key is missing, but rounds already hold pseudonymised tables",
                file=path,
                hint="copy the key from the colleague or machine that ingested them (it is private and never in "
                "git), or run the ingest with --new-key: pseudonyms will then not match earlier rounds",
            )
        _create_key(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PseudonymKeyError(
            f"the pseudonym key cannot be read ({exc})", file=path, hint="check the file's permissions"
        ) from exc
    if not re.fullmatch(f"[0-9a-f]{{{KEY_HEX_DIGITS}}}", text):
        raise PseudonymKeyError(
            "the pseudonym key is damaged (empty, short or not a key)",
            file=path,
            hint="restore it from a backup or a colleague's copy (it is private and never in git); only if it is "
            "lost for good, delete it and run the ingest with --new-key",
        )
    return text.encode("ascii")


def _create_key(path: Path) -> None:
    """Write the key aside, fsync it, then link it into place: a crash or a full disk never leaves half a key,
    and of two processes creating it at once, one key wins and both use it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_HEX_DIGITS // 2))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)


def identities(
    columns: Mapping[str, pd.Series],
    identify_by: Sequence[str],
    rows: pd.Series,
    source: str,
) -> pd.Series:
    """Who each row is, as one key per person.

    Rows that share any identifier of ``identify_by`` (``id``, ``email``,
    ``name+organisation``; each enough alone) are one person. The person's key
    is their e-mail if one of their rows has it, else their organisation and
    name, else the tool's id, else the row: the same forms as before version 2,
    so pseudonyms stay stable across re-ingests. A placeholder (empty,
    "anonymous", "n/a", ...) never identifies anyone. ``columns`` holds the
    mapped respondent columns (``id``, ``email``, ``name``, ``organisation``).
    """
    candidates = {name: _keys(name, columns, source) for name in identify_by}
    person = pd.Series(np.arange(len(rows)), index=rows.index)
    changed = True
    while changed:  # rows linked through any identifier end with the smallest row position of their group
        changed = False
        for keys in candidates.values():
            known = keys.notna()
            if not known.any():
                continue
            codes = pd.factorize(keys[known])[0]
            smallest = np.full(codes.max() + 1, len(person))
            np.minimum.at(smallest, codes, person[known].to_numpy())
            lowest = pd.Series(smallest[codes], index=person[known].index)
            moved = lowest < person[known]
            if moved.any():
                person[lowest.index[moved]] = lowest[moved]
                changed = True
    fallback = columns["id"] if "id" in columns else rows.astype(str)
    chosen = "row:" + source + ":" + fallback.astype(str)
    for name in reversed(PRIORITY):  # the most telling identifier is applied last, so it wins
        if name not in candidates or not candidates[name].notna().any():
            continue
        # per person, one key (the smallest, the same for all their rows); sorting, not a groupby on text
        pairs = pd.DataFrame({"person": person, "key": candidates[name]}).dropna()
        best = sort_rows(pairs, ["person", "key"]).drop_duplicates("person").set_index("person")["key"]
        per_row = person.map(best)
        chosen = chosen.where(per_row.isna(), per_row)
    return chosen


PRIORITY = ("email", "name+organisation", "id")


def is_placeholder(values: pd.Series, folded: pd.Series | None = None) -> pd.Series:
    """True where a value says nobody in particular: empty, "anonymous", "n/a", "-"...

    ``folded``: the values already folded, when the caller has them (they are not folded twice).
    """
    text = values.astype(str)
    short = text.str.len() <= PLACEHOLDER_LENGTH  # only short values can be placeholders: fold those alone
    placeholder = pd.Series(False, index=text.index)
    placeholder[short] = (fold_series(text[short]) if folded is None else folded[short]).isin(PLACEHOLDERS)
    return placeholder


def _keys(identifier: str, columns: Mapping[str, pd.Series], source: str) -> pd.Series:
    """The identity key of each row for one identifier; missing where the row has a placeholder."""
    if identifier == "email":
        email = columns["email"].astype(str)
        return ("email:" + email.str.strip().str.casefold()).where(~is_placeholder(email))
    if identifier == "id":
        ids = columns["id"].astype(str)
        return ("row:" + source + ":" + ids).where(~is_placeholder(ids))
    name, organisation = columns["name"].astype(str), columns["organisation"].astype(str)
    folded_name, folded_organisation = fold_series(name), fold_series(organisation)
    keys = "name:" + folded_organisation + "|" + folded_name
    return keys.where(~is_placeholder(name, folded_name) & ~is_placeholder(organisation, folded_organisation))


def _digest(keyed: hmac.HMAC, key: str) -> bytes:
    one = keyed.copy()
    one.update(key.encode("utf-8"))
    return one.digest()


def pseudonymise(keys: pd.Series, salt: bytes) -> pd.Series:
    """``R-`` and 12 hex digits of the keyed hash of each identity key."""
    keyed = hmac.new(salt, digestmod=hashlib.sha256)  # the key's inner and outer states, copied for each identity
    return per_distinct(keys, lambda key: PREFIX + _digest(keyed, key).hex()[:LENGTH])
