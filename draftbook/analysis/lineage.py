"""Lineage of the calls between a round and the text that followed it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from draftbook.model.calls import Call, load_calls
from draftbook.model.decisions import Decision
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.rounds import Round


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


def text_after(workbook: Workbook, round_: Round, rounds: Sequence[Round]) -> tuple[list[Call], str]:
    """The calls that followed ``round_``: the next round's snapshot, or the current draft after the last round."""
    ordered = sorted(rounds, key=lambda r: (r.start, r.id))
    position = [r.id for r in ordered].index(round_.id)
    if position + 1 < len(ordered):
        following = ordered[position + 1]
        return following.calls, f"data/rounds/{following.id}/calls.yml"
    return load_calls(workbook.calls_file), "data/calls.yml"
