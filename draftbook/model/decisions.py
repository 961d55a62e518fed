"""The team's decisions after a round (``decisions.yml``), checked.


``data/rounds/<round>/decisions.yml`` records, after a round, what the team
decided for each call and why::

    decisions:
      - call: CTA-05
        decision: merge                  # keep | reword | merge | split | drop | add
        into: [CTA-14]                   # merge and split: the calls it became
        rationale: {fr: "...", en: "...", es: "..."}   # French required
        evidence: [support, consensus, "theme:financing", "C-1a2b3c4d5e"]
        decided_on: 2022-03-10

Lineage between a round and the next text (the next round's snapshot, or
``data/calls.yml`` after the last round): a call keeps its id while it lives;
a new id either ``replaces`` calls of the previous text or is new (an ``add``
decision); a call that disappears has a ``drop``, ``merge`` or ``split`` decision.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draftbook.model.config import check_keys, describe, read_yaml, require_choice, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.languages import LANGUAGES, in_language

DECISIONS = ("keep", "reword", "merge", "split", "drop", "add")
DECISION_KEYS = ("call", "decision", "into", "rationale", "evidence", "decided_on")
FIGURES = ("support", "consensus", "distribution", "groups", "change")
COMMENT_ID = re.compile(r"^C-[0-9a-f]{10}$")


@dataclass(frozen=True)
class Decision:
    """What the team decided for one call after a round, and why."""

    call: str
    decision: str
    rationale: dict[str, str]
    evidence: tuple[str, ...]
    decided_on: dt.date
    into: tuple[str, ...] = ()

    def rationale_in(self, lang: str) -> str:
        return in_language(self.rationale, lang)


def load_decisions(
    path: Path, *, calls: Sequence[str], themes: Sequence[str] = (), comments: Sequence[str] | None = None
) -> list[Decision]:
    """The decisions of ``path``; each problem names the call and the field. Missing file: none yet."""
    if not path.is_file():
        return []
    content = require_mapping(read_yaml(path), file=path, key=None, what="a decisions file")
    check_keys(content, allowed=["decisions"], required=["decisions"], file=path)
    entries = content["decisions"]
    if not isinstance(entries, list):
        raise DataFileError(f"expected a list of decisions, found {describe(entries)}", file=path, key="decisions")
    decisions: list[Decision] = []
    seen: set[str] = set()
    for index, raw in enumerate(entries):
        entry = require_mapping(raw, file=path, key=f"decisions[{index}]", what="a decision")
        call = str(entry.get("call") or f"decisions[{index}]")
        check_keys(
            entry,
            allowed=DECISION_KEYS,
            required=["call", "decision", "rationale", "decided_on"],
            file=path,
            where=call,
        )
        if call in seen:
            raise DataFileError(f"{call} has two decisions", file=path, key=f"{call}.call")
        seen.add(call)
        decisions.append(_decision(entry, call, path, calls, themes, comments))
    return decisions


def _decision(
    entry: Mapping[str, Any],
    call: str,
    path: Path,
    calls: Sequence[str],
    themes: Sequence[str],
    comments: Sequence[str] | None,
) -> Decision:
    decision = require_choice(
        entry["decision"], DECISIONS, file=path, key=f"{call}.decision", what="decision", prefix=f"{call}: "
    )
    if decision != "add" and call not in calls:
        raise DataFileError(
            f"{call} was not tested in this round", file=path, key=f"{call}.call", hint="use 'add' for a new call"
        )
    rationale = require_mapping(
        entry["rationale"], file=path, key=f"{call}.rationale", what="the rationale per language"
    )
    check_keys(rationale, allowed=LANGUAGES, file=path, where=f"{call}.rationale")
    if not any(isinstance(text, str) and text.strip() for text in rationale.values()):
        raise DataFileError(
            f"{call}: the rationale is empty",
            file=path,
            key=f"{call}.rationale",
            hint="write it at least in the paper's language",
        )
    into = entry.get("into") or []
    if not isinstance(into, list) or not all(isinstance(i, str) for i in into):
        raise DataFileError(f"{call}: expected a list of call ids", file=path, key=f"{call}.into")
    if decision in ("merge", "split") and not into:
        raise DataFileError(
            f"{call}: a {decision} names the calls it became", file=path, key=f"{call}.into", hint="into: [CTA-14]"
        )
    evidence = entry.get("evidence") or []
    if not isinstance(evidence, list):
        raise DataFileError(f"{call}: expected a list of references", file=path, key=f"{call}.evidence")
    for reference in evidence:
        _check_reference(str(reference), call, path, themes, comments)
    decided_on = entry["decided_on"]
    if not isinstance(decided_on, dt.date):
        try:
            decided_on = dt.date.fromisoformat(str(decided_on))
        except ValueError:
            raise DataFileError(
                f'{call}: "{decided_on}" is not a date', file=path, key=f"{call}.decided_on", hint="write YYYY-MM-DD"
            ) from None
    return Decision(
        call,
        decision,
        {str(k): str(v) for k, v in rationale.items()},
        tuple(map(str, evidence)),
        decided_on,
        tuple(into),
    )


def _check_reference(
    reference: str, call: str, path: Path, themes: Sequence[str], comments: Sequence[str] | None
) -> None:
    kind, _, value = reference.partition(":")
    if reference in FIGURES or (kind in FIGURES and value):
        return
    if kind == "theme" and value in themes:
        return
    if COMMENT_ID.match(reference) and (comments is None or reference in comments):
        return
    raise DataFileError(
        f'{call}: the evidence "{reference}" refers to nothing in this round',
        file=path,
        key=f"{call}.evidence",
        hint=f"use {', '.join(FIGURES)}, theme:<id> of the codebook, or a comment id C-... of this round",
    )
