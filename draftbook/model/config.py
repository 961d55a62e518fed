"""Reading the YAML files the team edits by hand, with errors that say where.

``read_yaml`` turns a syntax error into the file and line; ``check_keys``
refuses unknown keys (a typo must not be silently ignored) and names the
closest valid one.
"""

from __future__ import annotations

import copy
import difflib
import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from draftbook.model.errors import DataFileError

MAX_YAML_BYTES = 5_000_000  # the team's files are a few KB; a bigger one is a mistake or an attack


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster than pure Python


def _refuse_aliases(text: str) -> None:
    """No hand-written file needs aliases (``*name``), and nested aliases expand a 1 KB file into
    gigabytes ("billion laughs"): refused before anything is built from the text."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            mark: Any = event.start_mark  # libyaml's mark, read like PyYAML's by read_yaml
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in the workbook's files", mark
            )


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> Any:
    """The YAML of ``text``, parsed once per distinct text (the build reads the codebook many times)."""
    _refuse_aliases(text)
    return yaml.load(text, Loader=_LOADER)  # a safe loader, without aliases


def read_yaml(path: Path) -> Any:
    """The parsed content of ``path``; a missing file or bad syntax is a DataFileError."""
    if not path.is_file():
        raise DataFileError("the file does not exist", file=path, hint="create it or check the name")
    if path.stat().st_size > MAX_YAML_BYTES:
        raise DataFileError(
            f"the file is larger than {MAX_YAML_BYTES // 1_000_000} MB", file=path, hint="is it the right file?"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"the file is not UTF-8 text (byte {exc.start})",
            file=path,
            hint="save it as UTF-8 in your editor",
        ) from exc
    except OSError as exc:
        reason = f"the file cannot be read ({exc.strerror})"
        raise DataFileError(reason, file=path, hint="check its permissions") from exc
    try:
        return copy.deepcopy(_parsed(text))  # each caller owns its copy
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise DataFileError(
            f"the YAML cannot be read{line}: {problem}",
            file=path,
            hint="check the indentation and quote text that contains ':', '#' or '*'",
        ) from exc


def require_mapping(value: Any, *, file: Path, key: str | None, what: str) -> Mapping[str, Any]:
    """``value`` as a mapping, or a DataFileError saying what was expected."""
    if not isinstance(value, Mapping):
        raise DataFileError(
            f"expected {what} (a set of 'key: value' lines), found {describe(value)}",
            file=file,
            key=key,
        )
    return value


def require_choice(value: Any, choices: Sequence[str], *, file: Path, key: str, what: str, prefix: str = "") -> str:
    """``value`` as one of ``choices``, or a DataFileError listing them (``unknown <what> "<value>"``)."""
    chosen = str(value)
    if chosen not in choices:
        raise DataFileError(
            f'{prefix}unknown {what} "{chosen}"', file=file, key=key, hint=f"use one of: {', '.join(choices)}"
        )
    return chosen


def check_keys(
    entry: Mapping[str, Any],
    *,
    allowed: Iterable[str],
    required: Iterable[str] = (),
    file: Path,
    where: str | None = None,
) -> None:
    """Refuse unknown keys (naming the closest valid one) and missing required keys."""
    allowed = list(allowed)
    prefix = f"{where}." if where else ""
    for key in entry:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f'did you mean "{close[0]}"?' if close else f"valid keys: {', '.join(allowed)}"
            raise DataFileError("unknown key", file=file, key=f"{prefix}{key}", hint=hint)
    for key in required:
        if entry.get(key) in (None, ""):
            raise DataFileError("this key is required and is missing or empty", file=file, key=f"{prefix}{key}")


def describe(value: Any) -> str:
    """A short plain-language description of a YAML value's type."""
    if value is None:
        return "nothing"
    names = {str: "text", int: "a number", float: "a number", bool: "yes/no", list: "a list"}
    return names.get(type(value), type(value).__name__)
