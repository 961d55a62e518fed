"""Participation, representativeness, support and consensus, from a round's tidy tables.

Functions take pandas frames (the tables of ``draftbook.model.rounds``) and return
frames ready to display; charts live in ``draftbook.present.charts``.

Consensus is Tastle and Wierman's measure (2007) on the five answer levels:
``1 + sum(p_i * log2(1 - |i - mean| / 4))``. It is 1 when everyone gives the
same answer, 0 when opinions split evenly between the two ends, and 0.43 for
an even spread over the five levels. It was chosen over van der Eijk's
agreement A because it is a closed formula on the answer shares (A depends on
a layering of the distribution that changes in jumps with small samples) and
because it reads on one scale from 0 to 1. A call whose consensus is below 0.5
(below what a clear lean in either direction gives) is flagged as polarised.

Privacy: a group with fewer than ``MIN_GROUP`` respondents is never shown on
its own; its support is not computed for display and its count is merged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from draftbook.model.calls import Call
from draftbook.model.rounds import Round
from draftbook.model.vocabulary import label

SCORES = (1, 2, 3, 4, 5)
SUPPORT_SCORES = (4, 5)
MIN_GROUP = 5
POLARISED_BELOW = 0.5
OTHER_GROUPS = "other-groups"
FEWER_THAN = {
    "fr": f"Autres groupes (moins de {MIN_GROUP} chacun)",
    "en": f"Other groups (fewer than {MIN_GROUP} each)",
    "es": f"Otros grupos (menos de {MIN_GROUP} cada uno)",
}


def participation(respondents: pd.DataFrame, by: str, lang: str = "fr") -> pd.DataFrame:
    """Respondents per value of ``by`` (region, constituency, language, source), largest first.

    Columns: ``id``, ``label`` (in ``lang``), ``respondents``, ``share`` (0-1).
    """
    counts = respondents[by].value_counts()
    total = int(counts.sum())
    table = pd.DataFrame(
        {
            "id": counts.index.astype(str),
            "label": [label(by, str(value), lang) for value in counts.index],
            "respondents": counts.to_numpy(dtype=int),
        }
    )
    table["share"] = table["respondents"] / total if total else 0.0
    return table.reset_index(drop=True)


def protect_groups(table: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """``participation`` output with every group under ``MIN_GROUP`` merged into one row.

    When the merged row itself has fewer than ``MIN_GROUP`` respondents, its
    count is withheld (NaN, shown as "fewer than 5").
    """
    small = table["respondents"] < MIN_GROUP
    if not small.any():
        return table.reset_index(drop=True)
    merged = int(table.loc[small, "respondents"].sum())
    total = int(table["respondents"].sum())
    other = {
        "id": OTHER_GROUPS,
        "label": FEWER_THAN.get(lang, FEWER_THAN["fr"]),
        "respondents": merged if merged >= MIN_GROUP else math.nan,
        "share": merged / total if merged >= MIN_GROUP else math.nan,
    }
    kept = table.loc[~small].astype({"respondents": float})
    return pd.concat([kept, pd.DataFrame([other])], ignore_index=True)


def response_rate(respondents: pd.DataFrame, invited: int | None) -> float | None:
    """Share of the invited who answered; None when the round gives no invited count."""
    if not invited:
        return None
    return len(respondents) / invited


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval (95 % by default) of a proportion; (nan, nan) when n is 0."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def score_counts(matrix: np.ndarray) -> np.ndarray:
    """Counts of the answers 1..5 (columns) per call (rows), from a respondents x calls matrix (NaN: no opinion)."""
    return np.stack([(matrix == score).sum(axis=0) for score in SCORES], axis=1).astype(float).reshape(-1, len(SCORES))


def support_of(counts: np.ndarray) -> np.ndarray:
    """Share of opinions in support (4-5) per row of counts 1..5; NaN where there is no opinion."""
    opinions = counts.sum(axis=1)
    supporters = counts[:, [score - 1 for score in SUPPORT_SCORES]].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(opinions > 0, supporters / opinions, np.nan)


def consensus_of(counts: np.ndarray) -> np.ndarray:
    """Tastle-Wierman consensus (0-1) per row of counts 1..5; NaN where there is no opinion (not 1)."""
    scores = np.array(SCORES, dtype=float)
    opinions = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / opinions[:, None]
        mean = (shares * scores).sum(axis=1)
        distance = np.abs(scores[None, :] - mean[:, None]) / (scores[-1] - scores[0])
        terms = np.where(shares > 0, shares * np.log2(np.clip(1 - distance, 1e-300, None)), 0.0)
    return np.where(opinions > 0, 1 + terms.sum(axis=1), np.nan)


def consensus(counts: Sequence[float]) -> float:
    """Tastle-Wierman consensus (0-1) of the counts of answers 1..5; NaN without opinions."""
    return float(consensus_of(np.asarray([counts], dtype=float))[0])


def lowest_group_support(matrix: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per call (column of a respondents x calls matrix), the lowest support among the groups of at
    least ``MIN_GROUP`` respondents that gave it an opinion; NaN where no such group did.

    The matrix form of ``cross_group_support`` (proven equal by a property test).
    """
    lowest = np.full(matrix.shape[1], np.nan)
    for group in np.unique(groups):
        members = groups == group
        if members.sum() >= MIN_GROUP:
            lowest = np.fmin(lowest, support_of(score_counts(matrix[members])))
    return lowest


def support_table(ratings: pd.DataFrame, calls: Sequence[Call]) -> pd.DataFrame:
    """One row per call (in the calls' order): the full answer distribution and support.

    ``answers`` counts every rating row, ``no_opinion`` the empty scores; the
    shares ``share_1`` ... ``share_5`` and ``support`` (scores 4-5) are over
    the answers with an opinion, with the Wilson 95 % interval of support.
    """
    rows = []
    for call in calls:
        scores = ratings.loc[ratings["call"] == call.id, "score"]
        opinions = scores.dropna().astype(int)
        n = len(opinions)
        counts = {score: int((opinions == score).sum()) for score in SCORES}
        supporters = sum(counts[s] for s in SUPPORT_SCORES)
        low, high = wilson_interval(supporters, n)
        row_counts = np.array([[counts[s] for s in SCORES]], dtype=float)
        row: dict[str, object] = {
            "call": call.id,
            "answers": len(scores),
            "opinions": n,
            "no_opinion": len(scores) - n,
            "no_opinion_share": (len(scores) - n) / len(scores) if len(scores) else math.nan,
        }
        row.update({f"share_{s}": counts[s] / n if n else math.nan for s in SCORES})
        row.update(
            {
                "support": float(support_of(row_counts)[0]),
                "support_low": low,
                "support_high": high,
                "median": float(opinions.median()) if n else math.nan,
                "consensus": float(consensus_of(row_counts)[0]),
            }
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    table["polarised"] = table["consensus"] < POLARISED_BELOW
    return table


def support_summary(
    table: pd.DataFrame, calls: Sequence[Call], lang: str = "fr", with_text: bool = False
) -> pd.DataFrame:
    """The support table as readers see it: opinions, support with its interval, median, consensus.

    ``with_text`` adds each call's wording in ``lang`` (wide: for print, not for the web page).
    """
    summary = pd.DataFrame(
        {
            "call": table["call"],
            "opinions": table["opinions"],
            "support": table["support"],
            "interval": list(zip(table["support_low"], table["support_high"], strict=True)),
            "median": table["median"],
            "consensus": table["consensus"],
            "polarised": table["polarised"],
            "no_opinion_share": table["no_opinion_share"],
        }
    )
    if with_text:
        texts = {call.id: call.text_in(lang) for call in calls}
        summary.insert(1, "text", table["call"].map(texts))
    return summary


def group_support(
    ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call], by: str, lang: str = "fr"
) -> pd.DataFrame:
    """Support of each call in each group of ``by`` (region, constituency, ...).

    Columns: ``call``, ``group``, ``label``, ``opinions``, ``supporters``,
    ``support`` and ``shown`` (False, with support withheld, when the group
    has fewer than ``MIN_GROUP`` respondents in the round).
    """
    sizes = respondents[by].value_counts()
    groups = list(sizes.index)
    opinions = ratings.dropna(subset=["score"]).merge(respondents[["respondent", by]], on="respondent")
    opinions["supports"] = opinions["score"].isin(SUPPORT_SCORES).to_numpy(dtype=bool)
    counts = opinions.groupby(["call", by]).agg(opinions=("supports", "size"), supporters=("supports", "sum"))
    full = pd.MultiIndex.from_product([[c.id for c in calls], groups], names=["call", by])
    table = counts.reindex(full, fill_value=0).reset_index().rename(columns={by: "group"})
    table["label"] = [label(by, str(g), lang) for g in table["group"]]
    table["shown"] = table["group"].map(sizes).to_numpy() >= MIN_GROUP
    with np.errstate(invalid="ignore", divide="ignore"):
        support = table["supporters"] / table["opinions"].where(table["opinions"] > 0)
    table["support"] = support.where(table["shown"])
    return table[["call", "group", "label", "opinions", "supporters", "support", "shown"]]


def cross_group_support(groups: pd.DataFrame, calls: Sequence[Call]) -> pd.DataFrame:
    """Per call, the lowest support among the groups large enough to show, and which group it is."""
    shown = groups[groups["shown"] & groups["support"].notna()]
    rows = []
    for call in calls:
        own = shown[shown["call"] == call.id]
        if own.empty:
            rows.append({"call": call.id, "lowest_support": math.nan, "lowest_group": "", "groups": 0})
            continue
        lowest = own.sort_values("support", kind="stable").iloc[0]
        rows.append(
            {"call": call.id, "lowest_support": lowest["support"], "lowest_group": lowest["label"], "groups": len(own)}
        )
    return pd.DataFrame(rows)


WEIGHTINGS = ("raw", "equal", "membership")


def group_weights(
    respondents: pd.DataFrame, by: str, scheme: str, membership_shares: dict[str, float]
) -> dict[str, float] | None:
    """How much each group counts: ``raw`` (None: as sampled), ``equal`` (each group alike) or ``membership``."""
    sizes = respondents[by].value_counts()
    if scheme == "raw":
        return None
    if scheme == "equal":
        return {str(g): 1.0 for g in sizes.index}
    if scheme == "membership":
        return {str(g): membership_shares.get(str(g), 0.0) for g in sizes.index}
    raise ValueError(f"unknown weighting scheme {scheme!r}: use raw, equal or membership")


def reweighted_support(groups: pd.DataFrame, weights: dict[str, float] | None) -> pd.Series:
    """Support per call where each group counts with its weight (renormalised over groups with opinions).

    ``None`` weighs each group by its number of opinions, which gives back the
    raw support exactly. Every group with opinions takes part, small ones
    included: the result is an aggregate, never a small group's own figure.
    """
    table = groups[groups["opinions"] > 0].copy()
    table["weight"] = table["opinions"].astype(float) if weights is None else table["group"].map(weights).fillna(0.0)
    table["rate"] = table["supporters"] / table["opinions"]
    table = table[table["weight"] > 0]
    weighted = (table["rate"] * table["weight"]).groupby(table["call"]).sum()
    total = table.groupby("call")["weight"].sum()
    result = weighted / total
    order = list(dict.fromkeys(groups["call"]))
    return result.reindex(order).rename("support")


def representativeness(respondents: pd.DataFrame, shares: dict[str, float], by: str, lang: str = "fr") -> pd.DataFrame:
    """Who answered against who the members are: sample share, membership share, gap (points).

    Groups under ``MIN_GROUP`` respondents are merged (their sample share is withheld).
    """
    table = protect_groups(participation(respondents, by, lang), lang)
    small_ids = set(respondents[by].value_counts().loc[lambda s: s < MIN_GROUP].index.astype(str))
    table["membership"] = [
        sum(shares.get(g, 0.0) for g in small_ids) if gid == OTHER_GROUPS else shares.get(gid, math.nan)
        for gid in table["id"]
    ]
    missing = [g for g in shares if g not in set(respondents[by].astype(str))]
    if missing:
        absent = pd.DataFrame(
            {
                "id": missing,
                "label": [label(by, g, lang) for g in missing],
                "respondents": 0.0,
                "share": 0.0,
                "membership": [shares[g] for g in missing],
            }
        )
        table = pd.concat([table, absent], ignore_index=True)
    table["gap"] = table["share"] - table["membership"]
    return table


def previous_round(rounds: Sequence[Round], round_id: str) -> Round | None:
    """The round before ``round_id`` (rounds are sorted by start date)."""
    ordered = sorted(rounds, key=lambda r: (r.start, r.id))
    ids = [r.id for r in ordered]
    index = ids.index(round_id)
    return ordered[index - 1] if index > 0 else None


def support_change(current: pd.DataFrame, previous: pd.DataFrame | None, calls: Sequence[Call]) -> pd.DataFrame:
    """Support now and in the previous round, for calls that carry over (same id or ``replaces``)."""
    before = {} if previous is None else dict(zip(previous["call"], previous["support"], strict=True))
    now = dict(zip(current["call"], current["support"], strict=True))
    rows = []
    for call in calls:
        if call.id in before:
            basis, earlier = call.id, before[call.id]
        elif call.replaces and any(r in before for r in call.replaces):
            found = [before[r] for r in call.replaces if r in before and not pd.isna(before[r])]
            basis = ", ".join(r for r in call.replaces if r in before)
            earlier = sum(found) / len(found) if found else math.nan
        else:
            basis, earlier = "", math.nan
        rows.append(
            {"call": call.id, "support": now.get(call.id, math.nan), "previous": earlier, "basis": basis,
             "change": now.get(call.id, math.nan) - earlier}
        )  # fmt: skip
    return pd.DataFrame(rows)
