"""Weigh the calls to action: criteria, scoring methods, agreed profiles, rank stability.

Criteria per call: three measured in the round (``support``, the share agreeing;
``cross_group``, the lowest support among regions of 5 or more; ``consensus``,
Tastle-Wierman) and three scored 1-5 by the team in
``data/rounds/<round>/assessments.yml`` (``evidence``: alignment with the
research evidence; ``feasibility``; ``urgency``), each with a justification.
A new round has no such file until the team has assessed its calls: its
criteria cannot be computed and nothing is ranked (``NotAssessedError``).

Scoring methods live in a registry: ``weighted-sum`` (each criterion scaled
min-max to 0-1 across the calls, then the weighted mean) and ``topsis``
(closeness to the ideal call, from pymcdm). Rank stability draws weights from a
Dirichlet distribution around the profile and resamples respondents (bootstrap)
to give, per call, the probability of being in the top k and a rank interval.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from draftbook.analysis import measures as analysis
from draftbook.model.calls import Call
from draftbook.model.config import check_keys, describe, read_yaml, require_mapping
from draftbook.model.errors import DataFileError, DraftbookError
from draftbook.model.files import atomic_write, exclusive

MEASURED = ("support", "cross_group", "consensus")
ASSESSED = ("evidence", "feasibility", "urgency")
CRITERIA = MEASURED + ASSESSED
GROUP_WEIGHTINGS = ("raw", "equal-regions", "membership-regions")
CRITERION_LABELS = {
    "fr": {"support": "Soutien", "cross_group": "Soutien entre régions", "consensus": "Consensus",
           "evidence": "Appui de la recherche", "feasibility": "Faisabilité", "urgency": "Urgence"},
    "en": {"support": "Support", "cross_group": "Support across regions", "consensus": "Consensus",
           "evidence": "Research evidence", "feasibility": "Feasibility", "urgency": "Urgency"},
    "es": {"support": "Apoyo", "cross_group": "Apoyo entre regiones", "consensus": "Consenso",
           "evidence": "Respaldo de la investigación", "feasibility": "Factibilidad", "urgency": "Urgencia"},
}  # fmt: skip


class WeightError(DraftbookError):
    """Weights that cannot rank anything: negative, all zero, missing or unknown criteria."""


class NotAssessedError(DraftbookError):
    """A round whose calls the team has not assessed yet (no ``assessments.yml``): nothing to rank."""


# --- assessments ---


@dataclass(frozen=True)
class Assessment:
    """The team's 1-5 scores of one call, with why."""

    call: str
    scores: dict[str, int]
    why: dict[str, str]


def load_assessments(path: Path, calls: Sequence[str]) -> dict[str, Assessment]:
    """The assessments of ``path`` by call; every call of the round needs one, every score 1-5."""
    content = require_mapping(read_yaml(path), file=path, key=None, what="an assessments file")
    check_keys(content, allowed=["assessments"], required=["assessments"], file=path)
    entries = content["assessments"]
    if not isinstance(entries, list):
        raise DataFileError(f"expected a list, found {describe(entries)}", file=path, key="assessments")
    found: dict[str, Assessment] = {}
    for index, raw in enumerate(entries):
        entry = require_mapping(raw, file=path, key=f"assessments[{index}]", what="an assessment")
        call = str(entry.get("call", f"assessments[{index}]"))
        check_keys(entry, allowed=("call", *ASSESSED), required=("call", *ASSESSED), file=path, where=call)
        if call not in calls:
            raise DataFileError(f"{call} is not a call of this round", file=path, key=f"{call}.call")
        if call in found:
            raise DataFileError(f"{call} is assessed twice", file=path, key=f"{call}.call")
        scores, why = {}, {}
        for criterion in ASSESSED:
            item = require_mapping(entry[criterion], file=path, key=f"{call}.{criterion}", what="a score and why")
            check_keys(
                item, allowed=("score", "why"), required=("score", "why"), file=path, where=f"{call}.{criterion}"
            )
            score = item["score"]
            if isinstance(score, bool) or score not in (1, 2, 3, 4, 5):
                raise DataFileError(
                    f"{call}: the {criterion} score is {score!r}; scores are whole numbers from 1 to 5",
                    file=path,
                    key=f"{call}.{criterion}.score",
                )
            scores[criterion], why[criterion] = int(score), str(item["why"])
        found[call] = Assessment(call, scores, why)
    missing = [call for call in calls if call not in found]
    if missing:
        raise DataFileError(f"no assessment for {', '.join(missing)}", file=path, hint="assess every call of the round")
    return found


ASSESSMENTS_FILE = "assessments.yml"


def load_round_assessments(folder: Path, calls: Sequence[str]) -> dict[str, Assessment] | None:
    """The assessments of a round folder; None while the team has not written its ``assessments.yml``,
    or has not filled in the template ``draftbook round new`` writes (every score still empty)."""
    path = folder / ASSESSMENTS_FILE
    if not path.is_file() or is_blank_template(path):
        return None
    return load_assessments(path, calls)


def is_blank_template(path: Path) -> bool:
    """True when no score of the assessments file is filled in yet."""
    content = read_yaml(path)
    entries = content.get("assessments") if isinstance(content, Mapping) else None
    if not isinstance(entries, list):
        return False
    return all(
        isinstance(entry, Mapping)
        and all(isinstance(entry.get(c), Mapping) and entry[c].get("score") in (None, "") for c in ASSESSED)
        for entry in entries
    )


# --- criteria ---


@dataclass
class RoundData:
    """What the criteria are computed from: the round's answers and the team's assessments.

    ``assessments`` is None while the team has not assessed the calls of the round.
    """

    calls: list[Call]
    respondents: pd.DataFrame
    ratings: pd.DataFrame
    assessments: dict[str, Assessment] | None
    region_shares: dict[str, float] = field(default_factory=dict)

    @property
    def assessed(self) -> dict[str, Assessment]:
        """The assessments; a NotAssessedError when the team has not written them yet."""
        if self.assessments is None:
            raise NotAssessedError(
                "the team has not assessed the calls of this round yet: nothing can be ranked",
                hint=f"write {ASSESSMENTS_FILE} in the round folder (evidence, feasibility, urgency of each call, 1-5)",
            )
        return self.assessments


def criteria_table(data: RoundData, group_weighting: str = "raw") -> pd.DataFrame:
    """One row per call, one column per criterion (shares 0-1 for measured ones, 1-5 for assessed ones)."""
    if group_weighting not in GROUP_WEIGHTINGS:
        raise WeightError(
            f'unknown group weighting "{group_weighting}"', hint=f"use one of {', '.join(GROUP_WEIGHTINGS)}"
        )
    support = analysis.support_table(data.ratings, data.calls).set_index("call")
    groups = analysis.group_support(data.ratings, data.respondents, data.calls, "region")
    scheme = {"raw": "raw", "equal-regions": "equal", "membership-regions": "membership"}[group_weighting]
    weights = analysis.group_weights(data.respondents, "region", scheme, data.region_shares)
    cross = analysis.cross_group_support(groups, data.calls).set_index("call")["lowest_support"]
    table = pd.DataFrame(index=pd.Index([call.id for call in data.calls], name="call"))
    table["support"] = (
        support["support"] if weights is None else analysis.reweighted_support(groups, weights)
    ).reindex(table.index)
    table["cross_group"] = cross.reindex(table.index).fillna(table["support"])
    table["consensus"] = support["consensus"].reindex(table.index)
    assessments = data.assessed
    for criterion in ASSESSED:
        table[criterion] = [assessments[call].scores[criterion] for call in table.index]
    table["opinions"] = support["opinions"].reindex(table.index).fillna(0)  # 0: unrated, ranked last by rank()
    return table.astype(float).fillna(0.0)


# --- weights and methods ---


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights as floats; negative, all-zero, missing or unknown criteria are refused."""
    unknown = [c for c in weights if c not in CRITERIA]
    if unknown:
        raise WeightError(f"unknown criterion {', '.join(unknown)}", hint=f"criteria: {', '.join(CRITERIA)}")
    missing = [c for c in CRITERIA if c not in weights]
    if missing:
        raise WeightError(f"no weight for {', '.join(missing)}", hint="give every criterion a weight (0 to ignore it)")
    values = {c: float(weights[c]) for c in CRITERIA}
    negative = [c for c, w in values.items() if w < 0 or math.isnan(w)]
    if negative:
        raise WeightError(f"negative weight for {', '.join(negative)}", hint="weights are 0 or more")
    if sum(values.values()) == 0:
        raise WeightError("all weights are zero: nothing to rank by", hint="give at least one criterion a weight")
    return values


def minmax(table: pd.DataFrame) -> pd.DataFrame:
    """Each column scaled 0-1 across the rows (a constant column is 1 for all)."""
    low, high = table.min(), table.max()
    span = (high - low).replace(0, np.nan)
    return ((table - low) / span).fillna(1.0)  # a criterion on which all calls are equal ranks nobody


def weighted_sum(table: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Each criterion scaled 0-1 across calls, then the weighted mean: 0 (worst) to 1 (best)."""
    w = pd.Series(check_weights(weights))
    return (minmax(table[list(CRITERIA)]) * w).sum(axis=1) / w.sum()


def topsis(table: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """TOPSIS closeness to the ideal call (pymcdm), every criterion a benefit."""
    from pymcdm.methods import TOPSIS

    checked = check_weights(weights)
    used = [c for c in CRITERIA if checked[c] > 0]  # pymcdm wants strictly positive weights
    w = np.array([checked[c] for c in used])
    matrix = table[used].to_numpy(dtype=float)
    if (matrix.max(axis=0) == matrix.min(axis=0)).all():
        return pd.Series(1.0, index=table.index)
    preference = TOPSIS()(matrix, w / w.sum(), np.ones(len(used)), validation=False)  # dominance is normal here
    return pd.Series(np.nan_to_num(preference, nan=1.0), index=table.index)


METHODS: dict[str, Callable[[pd.DataFrame, Mapping[str, float]], pd.Series]] = {}


def register_method(name: str, method: Callable[[pd.DataFrame, Mapping[str, float]], pd.Series]) -> None:
    METHODS[name] = method


register_method("weighted-sum", weighted_sum)
register_method("topsis", topsis)


def rank(table: pd.DataFrame, weights: Mapping[str, float], method: str = "weighted-sum") -> pd.DataFrame:
    """Calls by score, best first: ``call``, ``score``, ``rank`` (1 = first; ties share the better rank).

    A call with no opinion (``opinions`` 0 in the table) has no score and comes last.
    """
    if method not in METHODS:
        raise WeightError(f'unknown method "{method}"', hint=f"use one of {', '.join(METHODS)}")
    scores = METHODS[method](table, weights).round(12)
    if "opinions" in table:
        scores[table["opinions"].to_numpy() == 0] = np.nan  # a call nobody rated has no score and comes last
    ranked = pd.DataFrame({"call": scores.index, "score": scores.to_numpy()})
    ranked["rank"] = ranked["score"].rank(ascending=False, method="min", na_option="bottom").astype(int)
    return ranked.sort_values(["rank", "call"]).reset_index(drop=True)


# --- profiles ---


@dataclass(frozen=True)
class Profile:
    """A named, dated weighting the team can save, reload and compare."""

    name: str
    weights: dict[str, float]
    method: str = "weighted-sum"
    group_weighting: str = "raw"
    date: dt.date = field(default_factory=dt.date.today)
    note: str = ""
    round: str = ""
    agreed: bool = False

    def as_yaml(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "date": self.date,
            "round": self.round,
            "method": self.method,
            "group_weighting": self.group_weighting,
            "weights": dict(self.weights),
            "note": self.note,
            "agreed": self.agreed,
        }


PROFILE_KEYS = ("name", "date", "round", "method", "group_weighting", "weights", "note", "agreed")


def load_profiles(path: Path) -> dict[str, Profile]:
    """The profiles of ``data/weights.yml`` by name (none when the file does not exist)."""
    if not path.is_file():
        return {}
    content = require_mapping(read_yaml(path) or {"profiles": []}, file=path, key=None, what="a weights file")
    check_keys(content, allowed=["profiles"], file=path)
    profiles: dict[str, Profile] = {}
    for index, raw in enumerate(content.get("profiles") or []):
        entry = require_mapping(raw, file=path, key=f"profiles[{index}]", what="a profile")
        name = str(entry.get("name", f"profiles[{index}]"))
        check_keys(entry, allowed=PROFILE_KEYS, required=("name", "weights"), file=path, where=name)
        weights = require_mapping(entry["weights"], file=path, key=f"{name}.weights", what="weights per criterion")
        try:
            checked = check_weights({str(k): float(v) for k, v in weights.items()})
        except (WeightError, TypeError, ValueError) as error:
            raise DataFileError(f"{name}: {error}", file=path, key=f"{name}.weights") from error
        method = str(entry.get("method", "weighted-sum"))
        if method not in METHODS:
            raise DataFileError(f'{name}: unknown method "{method}"', file=path, key=f"{name}.method")
        grouping = str(entry.get("group_weighting", "raw"))
        if grouping not in GROUP_WEIGHTINGS:
            raise DataFileError(
                f'{name}: unknown group weighting "{grouping}"', file=path, key=f"{name}.group_weighting"
            )
        date = entry.get("date") or dt.date.today()
        profiles[name] = Profile(
            name, checked, method, grouping, date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date)),
            str(entry.get("note") or ""), str(entry.get("round") or ""), bool(entry.get("agreed", False)),
        )  # fmt: skip
    return profiles


def save_profile(path: Path, profile: Profile, overwrite: bool = False) -> None:
    """Add ``profile`` to the weights file atomically; an existing name is refused unless ``overwrite``.

    Two people saving from the shared lab at once take turns (a lock beside the file): neither
    profile is lost, and the second sees the first when it checks the name.
    """
    check_weights(profile.weights)
    with exclusive(path.with_name(f".{path.name}.lock"), what="save of a weighting profile", wait=30.0):
        profiles = load_profiles(path)
        if profile.name in profiles and not overwrite:
            raise WeightError(
                f'a profile named "{profile.name}" already exists',
                file=path,
                hint="choose another name, or tick 'overwrite' to replace it",
            )
        profiles[profile.name] = profile
        header = "# Weighting profiles of the calls to action: saved from the weighing widgets.\n"
        body = yaml.safe_dump(
            {"profiles": [p.as_yaml() for p in profiles.values()]}, allow_unicode=True, sort_keys=False
        )
        atomic_write(path, header + body)


def agreed_profile(profiles: Mapping[str, Profile], round_id: str) -> Profile | None:
    """The profile the team agreed for ``round_id`` (the latest by date)."""
    agreed = [p for p in profiles.values() if p.agreed and p.round == round_id]
    return max(agreed, key=lambda p: p.date) if agreed else None


def compare_profiles(table: pd.DataFrame, profiles: Sequence[Profile]) -> pd.DataFrame:
    """The rank of each call under each profile, side by side."""
    columns = {p.name: rank(table, p.weights, p.method).set_index("call")["rank"] for p in profiles}
    return pd.DataFrame(columns).reindex(table.index)


# --- stability ---


def stability(
    data: RoundData,
    profile: Profile,
    top_k: int = 5,
    draws: int = 300,
    concentration: float = 50.0,
    seed: int = 20220615,
) -> pd.DataFrame:
    """Per call: probability of being in the top ``top_k`` and the 5-95 % interval of its rank.

    Each draw takes weights from a Dirichlet around the profile (larger
    ``concentration`` = closer to it) and resamples the respondents with
    replacement; measured criteria are recomputed on the sample.
    """
    rng = np.random.default_rng(seed)
    weights = np.array([check_weights(profile.weights)[c] for c in CRITERIA])
    base = weights / weights.sum()
    calls = [call.id for call in data.calls]
    matrix, regions = _score_matrix(data)
    assessments = data.assessed
    assessed = np.array([[assessments[c].scores[k] for k in ASSESSED] for c in calls], dtype=float)
    ranks = np.zeros((draws, len(calls)), dtype=int)
    positive = base > 0
    for draw in range(draws):
        drawn = np.zeros_like(base)
        drawn[positive] = rng.dirichlet(base[positive] * concentration)
        sample = rng.integers(0, len(matrix), len(matrix)) if len(matrix) else np.array([], dtype=int)
        measured = _measured(matrix[sample], regions[sample])
        table = pd.DataFrame(np.hstack([np.nan_to_num(measured), assessed]), index=calls, columns=list(CRITERIA))
        scores = METHODS[profile.method](table, dict(zip(CRITERIA, drawn, strict=True)))
        scores[np.isnan(measured[:, 0])] = np.nan  # a call without opinions in this draw never leads
        ranks[draw] = scores.rank(ascending=False, method="min", na_option="bottom").to_numpy(dtype=int)
    return (
        pd.DataFrame(
            {
                "call": calls,
                "top_k": (ranks <= top_k).mean(axis=0),
                "rank_median": np.median(ranks, axis=0),
                "rank_low": np.percentile(ranks, 5, axis=0, method="lower"),
                "rank_high": np.percentile(ranks, 95, axis=0, method="higher"),
            }
        )
        .sort_values(["rank_median", "call"])
        .reset_index(drop=True)
    )


def _score_matrix(data: RoundData) -> tuple[np.ndarray, np.ndarray]:
    """Respondents x calls scores (NaN = no opinion or no answer), and each respondent's region."""
    calls = [call.id for call in data.calls]
    wide = data.ratings.pivot_table(index="respondent", columns="call", values="score", aggfunc="first")
    wide = wide.reindex(index=data.respondents["respondent"], columns=calls).astype(float)
    return wide.to_numpy(), data.respondents["region"].astype(str).to_numpy()


def _measured(matrix: np.ndarray, regions: np.ndarray) -> np.ndarray:
    """Support, cross-group support and consensus per call (rows) from a score matrix, with the measures of
    ``analysis`` (one implementation); a call without opinions has NaN for all three."""
    counts = analysis.score_counts(matrix)
    support = analysis.support_of(counts)
    lowest = analysis.lowest_group_support(matrix, regions)
    cross = np.where(np.isnan(lowest), support, lowest)  # no group large enough: the support itself
    return np.stack([support, cross, analysis.consensus_of(counts)], axis=1)
