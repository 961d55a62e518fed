"""Participation and support, computed from a round's tidy tables.

Functions take pandas frames (the tables of ``draftbook.rounds``) and return
frames ready to display; charts live in ``draftbook.charts``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from draftbook.calls import Call
from draftbook.vocabulary import label

SCORES = (1, 2, 3, 4, 5)
SUPPORT_SCORES = (4, 5)


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
                "support": supporters / n if n else math.nan,
                "support_low": low,
                "support_high": high,
                "median": float(opinions.median()) if n else math.nan,
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def support_summary(table: pd.DataFrame, calls: Sequence[Call], lang: str = "fr") -> pd.DataFrame:
    """The support table as readers see it: wording, opinions, support with its interval, median."""
    texts = {call.id: call.text_in(lang) for call in calls}
    return pd.DataFrame(
        {
            "call": table["call"],
            "text": table["call"].map(texts),
            "opinions": table["opinions"],
            "support": table["support"],
            "interval": list(zip(table["support_low"], table["support_high"], strict=True)),
            "median": table["median"],
            "no_opinion_share": table["no_opinion_share"],
        }
    )
