"""The network's membership: how many members per region and constituency.

``data/membership.yml`` (SAMPLE numbers in this repository) is what the sample
of respondents is compared with, and what "membership shares" weighting uses::

    members:
      region: {africa: 320, europe: 410, ...}
      constituency: {local-government: 950, ...}

The groups are ids of the vocabulary (``data/vocabulary.yml``) of the workbook
the membership file belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from draftbook.model.config import check_keys, read_yaml, require_mapping
from draftbook.model.errors import DataFileError
from draftbook.model.paths import Workbook
from draftbook.model.vocabulary import Vocabulary, vocabulary

DIMENSIONS = ("region", "constituency")


@dataclass(frozen=True)
class Membership:
    """Member counts per group, for each dimension."""

    counts: dict[str, dict[str, int]]

    def shares(self, dimension: str) -> dict[str, float]:
        """Each group's share of the members (0-1); empty when the dimension is not given."""
        counts = self.counts.get(dimension, {})
        total = sum(counts.values())
        return {group: count / total for group, count in counts.items()} if total else {}


def load_membership(path: Path, groups_of: Vocabulary | None = None) -> Membership:
    """The membership file, checked: known dimensions, known groups, whole non-negative counts.

    Groups are checked against ``groups_of``, by default the vocabulary of the workbook
    whose data folder holds ``path`` (the default workbook's for a file elsewhere).
    """
    content = require_mapping(read_yaml(path), file=path, key=None, what="a membership file")
    check_keys(content, allowed=["members"], required=["members"], file=path)
    members = require_mapping(content["members"], file=path, key="members", what="members per dimension")
    check_keys(members, allowed=DIMENSIONS, file=path, where="members")
    known = groups_of if groups_of is not None else vocabulary(_workbook_of(path))
    counts: dict[str, dict[str, int]] = {}
    for dimension, raw in members.items():
        groups = require_mapping(raw, file=path, key=f"members.{dimension}", what="members per group")
        ids = known.ids(dimension)
        for group, count in groups.items():
            if group not in ids:
                raise DataFileError(
                    f'unknown {dimension} "{group}"',
                    file=path,
                    key=f"members.{dimension}",
                    hint=f"use: {', '.join(ids)} (or add it to data/vocabulary.yml)",
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise DataFileError(
                    f"expected a whole number of members, found {count!r}",
                    file=path,
                    key=f"members.{dimension}.{group}",
                )
        counts[str(dimension)] = {str(g): int(c) for g, c in groups.items()}
    return Membership(counts)


def _workbook_of(path: Path) -> Workbook:
    """The workbook whose data folder holds ``path``; the default workbook for a file elsewhere."""
    folder = path.resolve().parent
    candidate = Workbook(folder.parent)
    return candidate if candidate.data == folder else Workbook.locate()
