"""Planning the next round: how many respondents each group needs for a given precision of support.

The question: for the next round, how many people of each region (or each type of member) must
answer so that the 95 % Wilson interval of the support of **every** call in that group is at most
``± T`` (``T``, the target half-width, a share: 0.10 for ± 10 points)? And how far is that from the
number who answered this round?

For a group ``g`` (a region, a constituency) and a call ``c``:

- ``p``, the support the plan assumes: the share of 4-5 among the group's opinions on the call
  (``measures.support_of``). When the group gave fewer than ``MIN_GROUP`` opinions on the call (or
  none), the round's overall support for the call is used instead, and ``basis`` says which:
  ``"group"`` or ``"overall"``.
- ``q``, the share of the group's respondents without an opinion on the call (an empty score, or no
  answer at all), from the same basis: the group's, or the whole round's when the group's basis is
  ``"overall"``. (With a full ratings table, one row per respondent and call, it is the share of
  no-opinion answers.)
- ``n_c``, the opinions needed: the smallest whole ``n`` such that the half-width
  ``(high - low) / 2`` of ``measures.wilson_interval`` at share ``p`` over ``n`` opinions is at most
  ``T``. The half-width decreases as ``n`` grows, whatever ``p``, so ``n_c`` is found exactly by
  doubling then bisection. At ``p = 0`` or ``1`` the interval is one-sided and narrow
  (``[0, z²/(n + z²)]`` at ``p = 0``): fewer opinions are needed, and that is still correct.
- the respondents needed for the call: ``ceil(n_c / (1 - q))``, in exact fractions (``q`` is a ratio
  of counts). When ``q = 1`` (nobody in the round gave an opinion on the call) the need cannot be
  told: ``None`` (NaN, ``<NA>`` in the tables), never infinity.
- the group's need: the largest of its calls' needs (the call that sets it is named, first in the
  calls' order on a tie). Calls whose need cannot be told are left out of the maximum (a call nobody
  rated in the round cannot be told for any group; the page says so); when no call can be told, the
  group's need cannot be told either.
- the gap: needed minus answered now, never below 0.

The groups are those that answered this round (``unknown``, the value the ingest writes when a
source did not say, is not a group one can recruit: it is left out of the plan but counted in the
overall figures). Privacy: a group with fewer than ``MIN_GROUP`` respondents always uses the overall
basis, so its need says nothing about it; its number of respondents and its gap stay in these tables
(``shown`` is False) and the pages show "fewer than 5" instead. Shown groups come first, largest first;
the small ones follow by label, so that their order says nothing of their sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import cast

import numpy as np
import pandas as pd

from draftbook.analysis.measures import MIN_GROUP, SCORES, support_of, wilson_interval
from draftbook.model.calls import Call
from draftbook.model.vocabulary import label

DEFAULT_TARGET = 0.10  # ± 10 points
GROUP, OVERALL = "group", "overall"  # the basis of a need: the group's own answers, or the whole round's
UNKNOWN = "unknown"  # what the ingest writes when a source gives no region or constituency


def half_width(p: float, n: int) -> float:
    """Half the width of the 95 % Wilson interval (``measures.wilson_interval``) of a share ``p`` over ``n``."""
    if n < 1:
        raise ValueError(f"the number of opinions must be at least 1, not {n}")
    # wilson_interval uses its successes only through the share successes / n: a count of p * n (not
    # always whole) gives the interval at the share p itself, which is what a plan assumes.
    low, high = wilson_interval(cast(int, p * n), n)
    return (high - low) / 2


def _check_target(target: float) -> None:
    if not 0 < target < 1:
        raise ValueError(f"the target half-width is a share between 0 and 1 (0.10 for ± 10 points), not {target!r}")


def opinions_needed(p: float, target: float = DEFAULT_TARGET) -> int:
    """The smallest number of opinions ``n`` for which the Wilson half-width at share ``p`` is at most ``target``."""
    _check_target(target)
    if math.isnan(p) or not 0 <= p <= 1:
        raise ValueError(f"the support is a share between 0 and 1, not {p!r}")
    low, high = 1, 1
    while half_width(p, high) > target:  # double until wide enough: half_width(low - 1) > target >= ...(high)
        low, high = high + 1, high * 2
    while low < high:  # bisection on whole numbers: the half-width decreases with n
        middle = (low + high) // 2
        if half_width(p, middle) <= target:
            high = middle
        else:
            low = middle + 1
    return high


def respondents_needed(opinions: int, no_opinion: Fraction | float) -> int | None:
    """``ceil(opinions / (1 - no_opinion))``, exactly; None when ``no_opinion`` is 1 (cannot tell)."""
    share = Fraction(no_opinion)
    if not 0 <= share <= 1:
        raise ValueError(f"the share without an opinion is between 0 and 1, not {no_opinion!r}")
    if share == 1:
        return None
    return math.ceil(Fraction(opinions) / (1 - share))


def _counts(opinions: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], np.ndarray]:
    """Counts of the answers 1..5 (an array of 5) per value of ``keys`` (as a tuple of strings)."""
    counts: dict[tuple[str, ...], np.ndarray] = {}
    for key, scores in opinions.groupby(keys)["score"]:
        values = scores.to_numpy(dtype=int)
        counts[tuple(str(k) for k in key)] = np.array([(values == score).sum() for score in SCORES], dtype=float)
    return counts


def call_needs(
    ratings: pd.DataFrame,
    respondents: pd.DataFrame,
    calls: Sequence[Call],
    by: str,
    target: float = DEFAULT_TARGET,
    lang: str = "fr",
) -> pd.DataFrame:
    """One row per group of ``by`` and call: what the plan assumes and what it needs (module docstring).

    Columns: ``group``, ``label``, ``answered`` (respondents of the group this round), ``call``,
    ``opinions`` (the group's), ``basis`` (``group`` or ``overall``), ``support`` (p), ``no_opinion``
    (q), ``opinions_needed`` and ``needed`` (respondents; ``<NA>`` when it cannot be told).
    """
    _check_target(target)
    people = respondents[["respondent", by]].astype(str)
    sizes = people[by].value_counts()
    total = len(people)
    opinions = ratings.dropna(subset=["score"]).merge(people, on="respondent")
    opinions["score"] = opinions["score"].astype(int)
    overall = _counts(opinions, ["call"])
    by_group = _counts(opinions, ["call", by])
    nothing = np.zeros(len(SCORES))
    rows = []
    for group in _plan_order(sizes, by, lang):
        members = int(sizes[group])
        for call in calls:
            own = by_group.get((call.id, group), nothing)
            said = int(own.sum())
            if said >= MIN_GROUP:
                basis, counts, asked = GROUP, own, members
            else:
                basis, counts, asked = OVERALL, overall.get((call.id,), nothing), total
            opinions_given = int(counts.sum())
            q = Fraction(max(asked - opinions_given, 0), asked) if asked else Fraction(1)
            p = float(support_of(counts.reshape(1, -1))[0])  # NaN without opinions
            n_c = opinions_needed(p, target) if opinions_given else None
            rows.append(
                {
                    "group": group, "label": label(by, group, lang), "answered": members, "call": call.id,
                    "opinions": said, "basis": basis, "support": p, "no_opinion": float(q),
                    "opinions_needed": n_c, "needed": None if n_c is None else respondents_needed(n_c, q),
                }
            )  # fmt: skip
    columns = ["group", "label", "answered", "call", "opinions", "basis", "support", "no_opinion"]
    table = pd.DataFrame(rows, columns=[*columns, "opinions_needed", "needed"])
    return table.astype({"answered": int, "opinions": int, "opinions_needed": "Int64", "needed": "Int64"})


def _plan_order(sizes: pd.Series, by: str, lang: str) -> list[str]:
    """Groups of ``MIN_GROUP`` or more, largest first (then by label), then the small ones by label."""
    groups = [str(g) for g in sizes.index if str(g) != UNKNOWN]
    shown = sorted((g for g in groups if sizes[g] >= MIN_GROUP), key=lambda g: (-int(sizes[g]), label(by, g, lang)))
    small = sorted((g for g in groups if sizes[g] < MIN_GROUP), key=lambda g: label(by, g, lang))
    return shown + small


def planning_table(
    ratings: pd.DataFrame,
    respondents: pd.DataFrame,
    calls: Sequence[Call],
    by: str,
    target: float = DEFAULT_TARGET,
    lang: str = "fr",
) -> pd.DataFrame:
    """One row per group of ``by``: respondents this round, respondents needed next round, and the gap.

    Columns: ``group``, ``label``, ``answered``, ``needed`` (``<NA>``: cannot be told), ``gap``
    (``needed - answered``, at least 0), ``call`` (the call that sets the need), ``basis``, ``support``
    and ``no_opinion`` (that call's p and q), ``shown`` (False for a group of fewer than ``MIN_GROUP``
    respondents: the pages withhold its count and its gap).
    """
    return group_needs(call_needs(ratings, respondents, calls, by, target, lang))


def group_needs(needs: pd.DataFrame) -> pd.DataFrame:
    """``planning_table`` from the rows of ``call_needs``: each group's most demanding call."""
    rows = []
    for group, own in needs.groupby("group", sort=False):
        answered = int(own["answered"].iloc[0])
        told = own[own["needed"].notna()]
        row: dict[str, object] = {"group": group, "label": own["label"].iloc[0], "answered": answered}
        if told.empty:
            row |= {"needed": None, "gap": None, "call": "", "basis": "", "support": math.nan, "no_opinion": math.nan}
        else:
            driver = told.iloc[int(np.argmax(told["needed"].to_numpy(dtype=int)))]  # first of the largest
            needed = int(driver["needed"])
            row |= {
                "needed": needed, "gap": max(0, needed - answered), "call": driver["call"], "basis": driver["basis"],
                "support": float(driver["support"]), "no_opinion": float(driver["no_opinion"]),
            }  # fmt: skip
        row["shown"] = answered >= MIN_GROUP
        rows.append(row)
    columns = ["group", "label", "answered", "needed", "gap", "call", "basis", "support", "no_opinion", "shown"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"answered": int, "needed": "Int64", "gap": "Int64", "shown": bool})


def untold_calls(needs: pd.DataFrame) -> list[str]:
    """The calls whose need cannot be told (nobody in the round gave an opinion on them), in order."""
    return list(dict.fromkeys(needs.loc[needs["needed"].isna(), "call"]))
