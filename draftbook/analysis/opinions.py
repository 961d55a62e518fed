"""Opinion groups: which respondents of a round answer alike, and which calls unite or divide them.

Each respondent becomes a vector over the round's calls, the vectors are reduced with a principal
component analysis (PCA) and grouped with k-means; the number of groups is the one, from 2 to 5,
with the best silhouette. Everything is seeded and the respondents are sorted by their id before
fitting, so the same answers always give the same groups whatever the order of the rows.

Encoding: two columns per call.

- the centred score ``(score - 3) / 2``: -1 (strongly disagree), 0 (neutral), +1 (strongly agree);
  0 when the respondent has no opinion on the call (or was not asked it);
- a no-opinion indicator: 1 when the respondent has no opinion on the call, else 0.

"No opinion" is an answer of its own, not a point on the agreement scale. Counting it as a score
(3, or the call's mean) would put people who did not know next to people who weighed the call and
stayed neutral, and would make a group that only differs by what it has no opinion on invisible.
With the indicator, "no opinion" is as far from "neutral" as "strongly agree" is (distance 1), and
two respondents who both have no opinion on a call agree on it. The columns are not standardised:
they are on one scale by construction (from neutral to strongly agree weighs as much as from an
opinion to none), and standardising would blow up the indicator of a call almost everyone had an
opinion on (a few people's noise). Respondents with no
opinion on any call carry no information about what they think: they are left out and counted.

Clustering: k-means on the leading components that keep 90 % of the variance (the rest is mostly
noise), k-means++ seeded (``SEED``), ``N_INIT`` starts. The silhouette is measured on the full
encoding (exactly up to ``SILHOUETTE_SAMPLE`` respondents, on a seeded sample of that many
beyond), not on the reduced space: a reduction to few dimensions makes any cloud look split (a
uniform disc cut by k-means into 2 to 5 parts scores 0.34 to 0.39, above the bound below), while
the distances between whole answer vectors are what "thinking alike" means. The map shows the
first two components of the same analysis. A number of groups that leaves a group under
``MIN_GROUP`` people is not considered: such a group could not be described without describing
individuals.

When groups are not shown:

- fewer than ``MIN_RESPONDENTS`` (30) respondents with an opinion: "too small". With fewer, groups
  of ``MIN_GROUP`` or more are a handful of people each and the silhouette itself is unstable;
- the best silhouette is ``DISTINCT_ABOVE`` (0.25) or less: "not distinct". Kaufman and Rousseeuw
  (*Finding Groups in Data*, 1990, ch. 2) read an average silhouette width of 0.25 or less as "no
  substantial structure has been found" (0.26-0.50: weak structure, could be artificial; 0.51-0.70:
  reasonable; above 0.70: strong). k-means always returns groups, even on a shapeless cloud; this
  bound is what keeps it from inventing them. Identical answers have no silhouette at all (a
  single distinct answer vector), and when only a few people differ from everyone else no split
  leaves every group ``MIN_GROUP`` people or more: "not distinct" too, silhouette NaN.

Groups are numbered by size (group 1 is the largest; ties go to the group holding the smallest
respondent id), so the numbers are stable. What a group is made of (region, constituency) is
given with every cell under ``MIN_GROUP`` merged into one "other" cell; when that cell would itself
hold fewer than ``MIN_GROUP`` people, the smallest shown cells join it until it does (otherwise its
count would follow from the group's size minus the others).

Support per group and call is ``measures.support_of`` (share of 4-5 among opinions). A call
*unites* when a majority (more than 50 %) of each group's opinions support it. A call *divides*
when the support differs most between groups: the largest spread (highest minus lowest group
support), at least ``DIVIDES_FROM`` (20 points), calls that unite left out, the ``DIVIDE_TOP`` first.
The groups are made from these same answers, so a difference between them is no evidence by
itself (a significance test would be circular); the floor only keeps near-equal support out of the
list, and the spread is given so that readers judge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

from draftbook.analysis.measures import MIN_GROUP, OTHER_GROUPS, score_counts, support_of
from draftbook.model.calls import Call

FOUND = "groups"
TOO_SMALL = "too-small"
NOT_DISTINCT = "not-distinct"
NO_ANSWERS = "no-answers"

MIN_RESPONDENTS = 30
DISTINCT_ABOVE = 0.25  # Kaufman & Rousseeuw: an average silhouette of 0.25 or less is no substantial structure
GROUP_COUNTS = (2, 3, 4, 5)
KEPT_VARIANCE = 0.9
SEED = 20220425
N_INIT = 10
SILHOUETTE_SAMPLE = 5000
UNITES_ABOVE = 0.5
DIVIDES_FROM = 0.2
DIVIDE_TOP = 3
DIMENSIONS = ("region", "constituency")
UNKNOWN = "unknown"


@dataclass(frozen=True, eq=False)
class OpinionGroups:
    """The opinion groups of a round (no groups unless ``status`` is ``FOUND``).

    ``labels`` (respondent -> group) is for the analysis only: pages never show who is in which group.
    """

    status: str  # FOUND, TOO_SMALL, NOT_DISTINCT or NO_ANSWERS
    respondents: int  # respondents with at least one opinion (those grouped)
    left_out: int  # respondents without any opinion
    k: int  # number of groups; 0 without groups
    silhouette: float  # best average silhouette among the numbers of groups tried; NaN when undefined
    tried: tuple[tuple[int, float], ...]  # (k, silhouette) of every number of groups considered
    labels: pd.Series  # respondent -> group 1..k; internal only
    sizes: tuple[int, ...]  # size of group 1, 2, ...
    composition: pd.DataFrame  # group, by (region | constituency), id (OTHER_GROUPS: merged), respondents
    coordinates: pd.DataFrame  # index respondent; x, y (first two components), group
    explained: tuple[float, float]  # share of the variance along x and y
    support: pd.DataFrame  # index call (the calls' order), one column per group: support 0-1 (NaN: no opinion)
    unite: pd.DataFrame  # call, lowest (lowest group support), strongest first
    divide: pd.DataFrame  # call, spread, highest_group, highest, lowest_group, lowest; widest first

    @property
    def found(self) -> bool:
        return self.status == FOUND


def score_matrix(ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call]) -> pd.DataFrame:
    """Respondents (sorted by id) x calls (in the calls' order): the score 1-5, NaN for no opinion.

    Everyone in either table is a row; a call a respondent was not asked counts as no opinion.
    """
    ids = [call.id for call in calls]
    people = sorted(set(respondents["respondent"].astype(str)) | set(ratings["respondent"].astype(str)))
    known = ratings[ratings["call"].isin(ids)]
    scores = pd.DataFrame(
        {
            "respondent": known["respondent"].astype(str).to_numpy(),
            "call": known["call"].astype(str).to_numpy(),
            "score": pd.to_numeric(known["score"], errors="coerce").astype(float).to_numpy(),
        }
    )
    # One row per respondent and call after the ingest; max() keeps it order-free if not.
    wide = scores.groupby(["respondent", "call"])["score"].max().unstack("call") if len(scores) else pd.DataFrame()
    return wide.reindex(index=people, columns=ids).astype(float)


def encode(matrix: np.ndarray) -> np.ndarray:
    """Per call the centred score (0 for no opinion) then per call the no-opinion indicator."""
    absent = np.isnan(matrix)
    centred = np.where(absent, 0.0, (np.nan_to_num(matrix, nan=3.0) - 3.0) / 2.0)
    return np.hstack([centred, absent.astype(float)])


def opinion_groups(ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call]) -> OpinionGroups:
    """The opinion groups of a round from its ratings and respondents tables (see the module's docstring)."""
    scores = score_matrix(ratings, respondents, calls)
    with_opinion = scores.notna().any(axis=1)
    left_out = int((~with_opinion).sum())
    scores = scores[with_opinion]
    n = len(scores)
    if n == 0:
        return _without_groups(NO_ANSWERS, n, left_out, calls)
    if n < MIN_RESPONDENTS:
        return _without_groups(TOO_SMALL, n, left_out, calls)
    matrix = scores.to_numpy(dtype=float)
    encoded = encode(matrix)
    distinct = len(np.unique(encoded, axis=0))
    if distinct < 2:
        return _without_groups(NOT_DISTINCT, n, left_out, calls)
    pca = PCA(svd_solver="full").fit(encoded)
    projected = pca.transform(encoded)
    kept = int(np.searchsorted(np.cumsum(pca.explained_variance_ratio_), KEPT_VARIANCE - 1e-12) + 1)
    reduced = projected[:, : max(2, min(kept, projected.shape[1]))]
    distinct = min(distinct, len(np.unique(reduced.round(9), axis=0)))  # k-means needs k distinct points
    tried: list[tuple[int, float]] = []
    best: tuple[float, np.ndarray] | None = None
    for k in GROUP_COUNTS:
        if k > distinct:
            break
        found = KMeans(n_clusters=k, n_init=N_INIT, random_state=SEED).fit_predict(reduced)
        labels = _by_size(found)
        if len(np.unique(labels)) < 2 or np.bincount(labels)[1:].min() < MIN_GROUP:
            continue  # a group under MIN_GROUP people could only be described person by person
        score = mean_silhouette(encoded, labels)
        tried.append((k, score))
        if best is None or score > best[0]:
            best = (score, labels)
    if best is None or not best[0] > DISTINCT_ABOVE:
        silhouette = best[0] if best is not None else math.nan
        return _without_groups(NOT_DISTINCT, n, left_out, calls, silhouette, tuple(tried))
    silhouette, labels = best
    people = scores.index
    k = int(labels.max())
    support = _group_support(matrix, labels, [call.id for call in calls])
    unite, divide = unite_and_divide(support)
    coordinates = pd.DataFrame(
        {"x": projected[:, 0], "y": projected[:, 1], "group": labels}, index=pd.Index(people, name="respondent")
    )
    return OpinionGroups(
        status=FOUND,
        respondents=n,
        left_out=left_out,
        k=k,
        silhouette=silhouette,
        tried=tuple(tried),
        labels=pd.Series(labels, index=pd.Index(people, name="respondent"), name="group"),
        sizes=tuple(int(size) for size in np.bincount(labels)[1:]),
        composition=composition(respondents, pd.Series(labels, index=people)),
        coordinates=coordinates,
        explained=(float(pca.explained_variance_ratio_[0]), float(pca.explained_variance_ratio_[1])),
        support=support,
        unite=unite,
        divide=divide,
    )


def mean_silhouette(encoded: np.ndarray, labels: np.ndarray) -> float:
    """The mean silhouette: exact up to ``SILHOUETTE_SAMPLE`` respondents; beyond, on a seeded random
    sample of that many (the exact one compares every pair: 10 billion distances per k at 100,000
    respondents, over ten minutes; a sample of 5,000 estimates the mean within about 0.01)."""
    if len(labels) <= SILHOUETTE_SAMPLE:
        return float(silhouette_score(encoded, labels))
    return float(silhouette_score(encoded, labels, sample_size=SILHOUETTE_SAMPLE, random_state=SEED))


def _by_size(found: np.ndarray) -> np.ndarray:
    """k-means labels renumbered 1..k by size, largest first; a tie goes to the group met first
    (rows are sorted by respondent id, so: the group holding the smallest id)."""
    clusters = list(dict.fromkeys(found.tolist()))  # in order of first appearance
    sizes = {cluster: int((found == cluster).sum()) for cluster in clusters}
    ranked = sorted(clusters, key=lambda cluster: (-sizes[cluster], clusters.index(cluster)))
    number = {cluster: rank + 1 for rank, cluster in enumerate(ranked)}
    return np.array([number[cluster] for cluster in found.tolist()], dtype=int)


def _group_support(matrix: np.ndarray, labels: np.ndarray, calls: list[str]) -> pd.DataFrame:
    columns = {int(g): support_of(score_counts(matrix[labels == g])) for g in range(1, int(labels.max()) + 1)}
    return pd.DataFrame(columns, index=pd.Index(calls, name="call"))


def unite_and_divide(support: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From support per call (rows) and group (columns): the calls that unite and those that divide.

    Unite: support above ``UNITES_ABOVE`` in every group (a group without opinions on the call
    does not count as support), strongest lowest support first. Divide: the widest spread between
    the groups that have opinions (two at least), ``DIVIDES_FROM`` or more, uniting calls left out,
    ``DIVIDE_TOP`` at most; ties keep the calls' order.
    """
    values = support.to_numpy(dtype=float)
    calls = list(support.index)
    groups = list(support.columns)
    rated = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        unites = rated.all(axis=1) & (np.where(rated, values, 0.0) > UNITES_ABOVE).all(axis=1)
    unite = pd.DataFrame(
        {"call": [c for c, u in zip(calls, unites, strict=True) if u], "lowest": values[unites].min(axis=1)}
    )
    unite = unite.sort_values("lowest", ascending=False, kind="stable").reset_index(drop=True)
    rows = []
    for row, call in enumerate(calls):
        own = [(float(values[row, col]), groups[col]) for col in range(len(groups)) if rated[row, col]]
        if len(own) < 2 or unites[row]:
            continue
        high = max(own, key=lambda item: item[0])  # the first group reaching the highest
        low = min(own, key=lambda item: item[0])
        spread = high[0] - low[0]
        if spread >= DIVIDES_FROM - 1e-12:
            rows.append(
                {"call": call, "spread": spread, "highest_group": int(high[1]), "highest": high[0],
                 "lowest_group": int(low[1]), "lowest": low[0]}
            )  # fmt: skip
    columns = ["call", "spread", "highest_group", "highest", "lowest_group", "lowest"]
    divide = pd.DataFrame(rows, columns=columns)
    divide = divide.sort_values("spread", ascending=False, kind="stable").head(DIVIDE_TOP).reset_index(drop=True)
    return unite, divide


def composition(respondents: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """What each group is made of, by region and by constituency, no cell under ``MIN_GROUP`` people.

    ``labels``: respondent -> group. Rows: group, by, id, respondents; largest cell first, the merged
    cell (id ``OTHER_GROUPS``) last. Cells under ``MIN_GROUP`` are merged; if the merged cell has
    fewer than ``MIN_GROUP`` people, the smallest shown cells join it until it has enough.
    """
    people = respondents.assign(respondent=respondents["respondent"].astype(str)).drop_duplicates("respondent")
    people = people.set_index("respondent")
    rows = []
    for by in DIMENSIONS:
        values = people[by].astype(str) if by in people.columns else pd.Series(UNKNOWN, index=people.index)
        of_each = values.reindex(labels.index).fillna(UNKNOWN).replace("", UNKNOWN)
        for group in sorted(int(g) for g in labels.unique()):
            counts = of_each[labels.to_numpy() == group].value_counts()
            cells = sorted(((str(i), int(c)) for i, c in counts.items()), key=lambda cell: (-cell[1], cell[0]))
            shown = [cell for cell in cells if cell[1] >= MIN_GROUP]
            merged = sum(count for _, count in cells if count < MIN_GROUP)
            while 0 < merged < MIN_GROUP and shown:
                merged += shown.pop()[1]  # the smallest shown cell (the last in order)
            rows += [{"group": group, "by": by, "id": i, "respondents": c} for i, c in shown]
            if merged:
                rows.append({"group": group, "by": by, "id": OTHER_GROUPS, "respondents": merged})
    return pd.DataFrame(rows, columns=["group", "by", "id", "respondents"])


def _without_groups(
    status: str,
    n: int,
    left_out: int,
    calls: Sequence[Call],
    silhouette: float = math.nan,
    tried: tuple[tuple[int, float], ...] = (),
) -> OpinionGroups:
    index = pd.Index([call.id for call in calls], name="call")
    return OpinionGroups(
        status=status,
        respondents=n,
        left_out=left_out,
        k=0,
        silhouette=silhouette,
        tried=tried,
        labels=pd.Series([], dtype=int, name="group", index=pd.Index([], name="respondent")),
        sizes=(),
        composition=pd.DataFrame(columns=["group", "by", "id", "respondents"]),
        coordinates=pd.DataFrame(columns=["x", "y", "group"], index=pd.Index([], name="respondent")),
        explained=(math.nan, math.nan),
        support=pd.DataFrame(index=index),
        unite=pd.DataFrame(columns=["call", "lowest"]),
        divide=pd.DataFrame(columns=["call", "spread", "highest_group", "highest", "lowest_group", "lowest"]),
    )
