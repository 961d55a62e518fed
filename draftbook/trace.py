"""From feedback to text: call lineage, the team's decisions, wording diffs, the statement.

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
import difflib
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftbook.calls import ADDRESSEE_LABELS, ADDRESSEES, Call, load_calls
from draftbook.config import check_keys, describe, read_yaml, require_choice, require_mapping
from draftbook.errors import DataFileError
from draftbook.paths import Workbook
from draftbook.rounds import Round
from draftbook.themes import LANGUAGES

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
        return self.rationale.get(lang) or self.rationale["fr"]


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
    check_keys(rationale, allowed=LANGUAGES, required=["fr"], file=path, where=f"{call}.rationale")
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


@dataclass
class LineageReport:
    """How the calls of one text became the calls of the next."""

    carried: list[str] = field(default_factory=list)
    replacing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


def check_lineage(
    before: Sequence[Call], after: Sequence[Call], decisions: Sequence[Decision], *, before_name: str, after_name: str
) -> LineageReport:
    """Every call after is carried over, new, or replaces calls before; every call that disappears was
    dropped, merged or split. Any break is a DataFileError naming the call."""
    ids_before = {call.id for call in before}
    decided = {d.call: d for d in decisions}
    report = LineageReport()
    for call in after:
        if call.id in ids_before:  # carried over: its replaces, if any, tell an older story
            report.carried.append(call.id)
            continue
        unknown = [r for r in call.replaces if r not in ids_before]
        if unknown:
            raise DataFileError(
                f"{call.id} replaces {', '.join(unknown)}, which {after_name} does not follow from",
                file=after_name,
                key=f"{call.id}.replaces",
                hint=f"the calls of {before_name} are {', '.join(sorted(ids_before))}",
            )
        if call.replaces:
            report.replacing[call.id] = call.replaces
        else:
            report.new.append(call.id)
    replaced = {r for replaces in report.replacing.values() for r in replaces}
    ids_after = {call.id for call in after}
    for call_id in sorted(ids_before - ids_after):
        decision = decided.get(call_id)
        if decision is None or decision.decision not in ("drop", "merge", "split"):
            said = f"the decision is {decision.decision}" if decision else "there is no decision"
            raise DataFileError(
                f"{call_id} disappears from {after_name} but {said}",
                file=before_name,
                key=call_id,
                hint="record a drop, merge or split decision for it in the round's decisions.yml",
            )
        report.gone.append(call_id)
        if decision.decision in ("merge", "split") and call_id not in replaced:
            raise DataFileError(
                f"{call_id} is {decision.decision}d into {', '.join(decision.into)}, but none of those calls "
                f"declares replaces: [{call_id}]",
                file=after_name,
                key=", ".join(decision.into),
            )
    return report


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences: a list of (op, text), op in equal | delete | insert."""
    old_words, new_words = old.split(), new.split()
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", " ".join(old_words[a1:a2])))
        if op in ("delete", "replace"):
            parts.append(("delete", " ".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(("insert", " ".join(new_words[b1:b2])))
    return parts


DIFF_WORDS = {
    "fr": ("supprimé", "ajouté"),
    "en": ("deleted", "added"),
    "es": ("suprimido", "añadido"),
}


def diff_html(parts: Sequence[tuple[str, str]], lang: str = "fr") -> str:
    """The diff as HTML: <del>/<ins>, with words a screen reader reads and print shows (escaped)."""
    deleted, inserted = DIFF_WORDS.get(lang, DIFF_WORDS["fr"])
    out = []
    for op, text in parts:
        escaped = html.escape(text)
        if op == "equal":
            out.append(escaped)
        elif op == "delete":
            out.append(f"<del>{_spoken(deleted)}{escaped}{_spoken_end()}</del>")
        else:
            out.append(f"<ins>{_spoken(inserted)}{escaped}{_spoken_end()}</ins>")
    return '<p class="draftbook-diff">' + " ".join(out) + "</p>"


def _spoken(word: str) -> str:
    return f'<span class="draftbook-sr">[{word} : </span>'


def _spoken_end() -> str:
    return '<span class="draftbook-sr">]</span>'


def calls_by_addressee(calls: Sequence[Call]) -> dict[str, list[Call]]:
    """The calls grouped by addressee, in the contract's order of addressees."""
    grouped: dict[str, list[Call]] = {addressee: [] for addressee in ADDRESSEES}
    for call in calls:
        grouped[call.addressee].append(call)
    return {addressee: group for addressee, group in grouped.items() if group}


STATEMENT_TEXT = {
    "fr": {
        "title": "La coopération au développement des gouvernements locaux et régionaux",
        "subtitle": "Appels à l'action",
        "version": "Version issue du tour « {round} » — {date}",
        "sample": "Contenu d'exemple : ce document est produit à partir des données de démonstration de draftbook.",
    },
    "en": {
        "title": "Development cooperation by and for local and regional governments",
        "subtitle": "Calls to action",
        "version": "Version following the round “{round}” — {date}",
        "sample": "Sample content: this document is produced from draftbook's demonstration data.",
    },
    "es": {
        "title": "La cooperación al desarrollo de los gobiernos locales y regionales",
        "subtitle": "Llamados a la acción",
        "version": "Versión resultante de la ronda «{round}» — {date}",
        "sample": "Contenido de ejemplo: este documento se produce a partir de los datos de demostración de draftbook.",
    },
}


def write_statement(calls: Sequence[Call], round_title: str, date: dt.date, lang: str, path: Path) -> Path:
    """A Word document of the calls as they stand: title, version, date, one section per addressee."""
    from docx import Document

    words = STATEMENT_TEXT[lang]
    document = Document()
    document.core_properties.title = f"{words['title']} — {words['subtitle']}"
    document.core_properties.language = lang
    document.add_heading(words["title"], level=0)
    document.add_heading(words["subtitle"], level=1)
    document.add_paragraph(words["version"].format(round=round_title, date=date.isoformat()))
    document.add_paragraph().add_run(words["sample"]).italic = True
    for addressee, group in calls_by_addressee(calls).items():
        document.add_heading(ADDRESSEE_LABELS[addressee][lang], level=2)
        for call in group:
            paragraph = document.add_paragraph(style="List Number")
            paragraph.add_run(f"{call.id} — ").bold = True
            paragraph.add_run(call.text_in(lang))
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    document.save(str(scratch))
    scratch.replace(path)
    return path


def text_after(workbook: Workbook, round_: Round, rounds: Sequence[Round]) -> tuple[list[Call], str]:
    """The calls that followed ``round_``: the next round's snapshot, or the current draft after the last round."""
    ordered = sorted(rounds, key=lambda r: (r.start, r.id))
    position = [r.id for r in ordered].index(round_.id)
    if position + 1 < len(ordered):
        following = ordered[position + 1]
        return following.calls, f"data/rounds/{following.id}/calls.yml"
    return load_calls(workbook.calls_file), "data/calls.yml"
