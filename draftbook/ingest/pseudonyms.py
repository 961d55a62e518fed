"""Pseudonymous respondent ids: stable across re-ingests and rounds, never reversible here.

The id is a keyed hash (HMAC-SHA-256) of who the person is: their e-mail when
the export has one, otherwise their organisation and name, otherwise the
tool's response id. The key (the salt) lives in ``data/private/`` and is
created on first use; whoever lacks it cannot test a guessed e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from draftbook.text import fold_series

SALT_FILE = "pseudonym-salt"
PREFIX = "R-"
LENGTH = 12


def load_salt(private_dir: Path) -> bytes:
    """The workbook's salt, created (random, readable by the owner only) on first use."""
    path = private_dir / SALT_FILE
    if not path.is_file():
        private_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")


def identities(
    email: pd.Series | None,
    name: pd.Series | None,
    organisation: pd.Series | None,
    response_id: pd.Series,
    source: str,
) -> pd.Series:
    """Who each row is, as a folded key: e-mail, else organisation and name, else the response id."""
    keys = "row:" + source + ":" + response_id.astype(str)
    has_email = email.str.strip() != "" if email is not None else pd.Series(False, index=keys.index)
    if name is not None:
        named = (name.str.strip() != "") & ~has_email  # only where no e-mail decides
        if named.any():
            org = organisation if organisation is not None else pd.Series("", index=name.index)
            keys[named] = "name:" + fold_series(org[named]) + "|" + fold_series(name[named])
    if email is not None:
        keys = keys.where(~has_email, "email:" + email.str.strip().str.casefold())
    return keys


def pseudonymise(keys: pd.Series, salt: bytes) -> pd.Series:
    """``R-`` and 12 hex digits of the keyed hash of each identity key."""
    cache: dict[str, str] = {}

    def one(key: str) -> str:
        if key not in cache:
            digest = hmac.new(salt, key.encode("utf-8"), hashlib.sha256).hexdigest()
            cache[key] = PREFIX + digest[:LENGTH]
        return cache[key]

    return keys.map(one)
