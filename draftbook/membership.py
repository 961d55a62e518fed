"""The network's membership: how many members per region and constituency.

``data/membership.yml`` (SAMPLE numbers in this repository) is what the sample
of respondents is compared with, and what "membership shares" weighting uses::

    members:
      region: {africa: 320, europe: 410, ...}
      constituency: {local-government: 950, ...}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from draftbook.config import check_keys, read_yaml, require_mapping
from draftbook.errors import DataFileError
from draftbook.vocabulary import VOCABULARIES

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


def load_membership(path: Path) -> Membership:
    """The membership file, checked: known dimensions, known groups, whole non-negative counts."""
    content = require_mapping(read_yaml(path), file=path, key=None, what="a membership file")
    check_keys(content, allowed=["members"], required=["members"], file=path)
    members = require_mapping(content["members"], file=path, key="members", what="members per dimension")
    check_keys(members, allowed=DIMENSIONS, file=path, where="members")
    counts: dict[str, dict[str, int]] = {}
    for dimension, raw in members.items():
        groups = require_mapping(raw, file=path, key=f"members.{dimension}", what="members per group")
        for group, count in groups.items():
            if group not in VOCABULARIES[dimension]:
                known = ", ".join(VOCABULARIES[dimension])
                raise DataFileError(
                    f'unknown {dimension} "{group}"', file=path, key=f"members.{dimension}", hint=f"use: {known}"
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise DataFileError(
                    f"expected a whole number of members, found {count!r}",
                    file=path,
                    key=f"members.{dimension}.{group}",
                )
        counts[str(dimension)] = {str(g): int(c) for g, c in groups.items()}
    return Membership(counts)
