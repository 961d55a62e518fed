import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from draftbook.analysis import measures as analysis
from draftbook.analysis.weighing import (
    CRITERIA,
    NotAssessedError,
    Profile,
    RoundData,
    WeightError,
    _measured,
    agreed_profile,
    check_weights,
    compare_profiles,
    criteria_table,
    load_assessments,
    load_profiles,
    load_round_assessments,
    rank,
    save_profile,
    stability,
)
from draftbook.model.calls import Call
from draftbook.model.errors import DataFileError
from tests.conftest import WORKBOOK_FIXTURE, write

EQUAL = dict.fromkeys(CRITERIA, 1.0)


def table() -> pd.DataFrame:
    # Hand-made: A is best on support, B on urgency, C in between.
    return pd.DataFrame(
        {
            "support": [0.9, 0.5, 0.7],
            "cross_group": [0.8, 0.4, 0.6],
            "consensus": [0.7, 0.5, 0.6],
            "evidence": [5, 3, 4],
            "feasibility": [3, 3, 3],
            "urgency": [1, 5, 3],
        },
        index=pd.Index(["A", "B", "C"], name="call"),
    )


def test_weighted_sum_hand_computed() -> None:
    ranked = rank(table(), EQUAL)
    # min-max: A = (1+1+1+1+1+0)/6, B = (0+0+0+0+1+1)/6, C = (.5*4+1+.5)/6 (feasibility equal: 1 for all)
    assert ranked["call"].tolist() == ["A", "C", "B"]
    assert ranked["score"].tolist() == pytest.approx([5 / 6, 3.5 / 6, 2 / 6])
    only_urgency = dict.fromkeys(CRITERIA, 0.0) | {"urgency": 1.0}
    assert rank(table(), only_urgency)["call"].tolist() == ["B", "C", "A"]


def test_topsis_hand_computed() -> None:
    only_support = dict.fromkeys(CRITERIA, 0.0) | {"support": 1.0}
    ranked = rank(table(), only_support, "topsis")
    assert ranked["call"].tolist() == ["A", "C", "B"]
    assert ranked.set_index("call").loc["A", "score"] == pytest.approx(1.0)
    assert ranked.set_index("call").loc["B", "score"] == pytest.approx(0.0)


@pytest.mark.parametrize("method", ["weighted-sum", "topsis"])
@pytest.mark.parametrize("factor", [0.5, 3.0, 100.0])
def test_scaling_all_weights_changes_nothing(method: str, factor: float) -> None:
    weights = {"support": 3, "cross_group": 2, "consensus": 1, "evidence": 2, "feasibility": 1, "urgency": 1}
    scaled = {k: v * factor for k, v in weights.items()}
    a, b = rank(table(), weights, method), rank(table(), scaled, method)
    assert a["call"].tolist() == b["call"].tolist()
    assert a["score"].tolist() == pytest.approx(b["score"].tolist())


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (dict.fromkeys(CRITERIA, 0.0), "all weights are zero"),
        (EQUAL | {"support": -1.0}, "negative weight for support"),
        ({k: 1.0 for k in CRITERIA if k != "urgency"}, "no weight for urgency"),
        (EQUAL | {"beauty": 1.0}, "unknown criterion beauty"),
    ],
)
def test_bad_weights_are_refused(weights: dict[str, float], message: str) -> None:
    with pytest.raises(WeightError, match=message):
        check_weights(weights)
    with pytest.raises(WeightError, match="unknown method"):
        rank(table(), EQUAL, "vote")


ASSESSMENT = """assessments:
  - call: CTA-01
    evidence: {score: 5, why: "IDS"}
    feasibility: {score: 3, why: "budget"}
    urgency: {score: 4, why: "now"}
"""


def test_assessments_load_and_bad_ones_are_named(tmp_path: Path) -> None:
    assessed = load_assessments(write(tmp_path / "a.yml", ASSESSMENT), ["CTA-01"])
    assert assessed["CTA-01"].scores == {"evidence": 5, "feasibility": 3, "urgency": 4}
    cases = [
        (
            ASSESSMENT.replace("score: 3", "score: 7"),
            "scores are whole numbers from 1 to 5",
            "CTA-01.feasibility.score",
        ),
        (ASSESSMENT.replace("CTA-01", "CTA-99", 1), "CTA-99 is not a call of this round", "CTA-99.call"),
        (ASSESSMENT.replace('    urgency: {score: 4, why: "now"}\n', ""), "required", "CTA-01.urgency"),
        (ASSESSMENT.replace(', why: "budget"', ""), "required", "CTA-01.feasibility.why"),
    ]
    for text, message, key in cases:
        with pytest.raises(DataFileError, match=message) as caught:
            load_assessments(write(tmp_path / "a.yml", text), ["CTA-01"])
        assert caught.value.key == key
    with pytest.raises(DataFileError, match="no assessment for CTA-02"):
        load_assessments(write(tmp_path / "a.yml", ASSESSMENT), ["CTA-01", "CTA-02"])


def test_a_round_not_assessed_yet_has_no_assessments_and_ranks_nothing(tmp_path: Path) -> None:
    assert load_round_assessments(tmp_path, ["CTA-01"]) is None  # a new round: no assessments.yml yet
    write(tmp_path / "assessments.yml", ASSESSMENT)
    assert load_round_assessments(tmp_path, ["CTA-01"])["CTA-01"].scores["evidence"] == 5  # type: ignore[index]
    write(tmp_path / "assessments.yml", ASSESSMENT.replace("score: 3", "score: 7"))
    with pytest.raises(DataFileError, match="from 1 to 5"):  # a file that is there is checked as before
        load_round_assessments(tmp_path, ["CTA-01"])
    data = round_data()
    data.assessments = None
    for compute in (lambda: criteria_table(data), lambda: stability(data, Profile("p", EQUAL), draws=5)):
        with pytest.raises(NotAssessedError, match="has not assessed the calls") as caught:
            compute()
        assert "write assessments.yml in the round folder" in str(caught.value.hint)


def test_profiles_save_atomically_and_refuse_an_existing_name(tmp_path: Path) -> None:
    path = tmp_path / "weights.yml"
    first = Profile("equal", EQUAL, note="Tout pareil", round="r1", date=dt.date(2022, 5, 1), agreed=True)
    save_profile(path, first)
    before = path.read_bytes()
    with pytest.raises(WeightError, match='"equal" already exists'):
        save_profile(path, Profile("equal", EQUAL | {"urgency": 3.0}))
    assert path.read_bytes() == before  # nothing half-written
    with pytest.raises(WeightError, match="all weights are zero"):
        save_profile(path, Profile("zero", dict.fromkeys(CRITERIA, 0.0)))
    assert path.read_bytes() == before
    save_profile(path, Profile("equal", EQUAL | {"urgency": 3.0}), overwrite=True)
    save_profile(path, Profile("topsis", EQUAL, method="topsis"))
    profiles = load_profiles(path)
    assert list(profiles) == ["equal", "topsis"] and profiles["equal"].weights["urgency"] == 3.0
    assert not list(tmp_path.glob("*.tmp"))


def test_shipped_profiles_and_bad_profile_files(tmp_path: Path) -> None:
    profiles = load_profiles(WORKBOOK_FIXTURE / "data" / "weights.yml")
    assert agreed_profile(profiles, "2022-05-written-feedback").name == "accord-final-2022-05"  # type: ignore[union-attr]
    assert agreed_profile(profiles, "nope") is None
    weights = "{support: -1, cross_group: 1, consensus: 1, evidence: 1, feasibility: 1, urgency: 1}"
    bad = f"profiles:\n  - name: x\n    weights: {weights}\n"
    with pytest.raises(DataFileError, match="x: negative weight"):
        load_profiles(write(tmp_path / "w.yml", bad))
    comparison = compare_profiles(
        table(), [Profile("a", EQUAL), Profile("b", dict.fromkeys(CRITERIA, 0.0) | {"urgency": 1.0})]
    )
    assert comparison.loc["A"].tolist() == [1, 3] and comparison.loc["B"].tolist() == [3, 1]


def round_data() -> RoundData:
    calls = [Call(f"CTA-0{i}", "national-governments", "x", {"fr": "t"}) for i in (1, 2, 3)]
    respondents = pd.DataFrame(
        {"respondent": [f"r{i}" for i in range(20)], "region": ["africa"] * 10 + ["europe"] * 10}
    )
    rows = []
    for i in range(20):
        rows += [
            (f"r{i}", "CTA-01", 5 if i % 4 else 3),
            (f"r{i}", "CTA-02", 2 if i < 10 else 5),
            (f"r{i}", "CTA-03", 4),
        ]
    ratings = pd.DataFrame(rows, columns=["respondent", "call", "score"]).astype({"score": "Int64"})
    from draftbook.analysis.weighing import Assessment

    assessments = {
        c.id: Assessment(
            c.id,
            {"evidence": 3, "feasibility": 3, "urgency": 3},
            dict.fromkeys(("evidence", "feasibility", "urgency"), ""),
        )
        for c in calls
    }
    return RoundData(calls, respondents, ratings, assessments, {"africa": 0.8, "europe": 0.2})


def test_criteria_table_measures_and_group_weightings() -> None:
    data = round_data()
    raw = criteria_table(data, "raw")
    assert raw.loc["CTA-02", "support"] == pytest.approx(0.5)
    assert raw.loc["CTA-02", "cross_group"] == pytest.approx(0.0)  # africa: nobody agrees
    assert raw.loc["CTA-03", "consensus"] == pytest.approx(1.0)
    members = criteria_table(data, "membership-regions")
    assert members.loc["CTA-02", "support"] == pytest.approx(0.2)  # europe counts 20 %
    with pytest.raises(WeightError, match="unknown group weighting"):
        criteria_table(data, "loudest")


def test_stability_is_seeded_and_bounded() -> None:
    data = round_data()
    profile = Profile("p", EQUAL)
    first = stability(data, profile, top_k=1, draws=60, seed=7)
    again = stability(data, profile, top_k=1, draws=60, seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert first["top_k"].between(0, 1).all() and first["top_k"].sum() == pytest.approx(1.0, abs=0.2)
    assert (first["rank_low"] <= first["rank_median"]).all() and (first["rank_median"] <= first["rank_high"]).all()
    assert first.loc[0, "call"] == "CTA-03"  # full agreement, full consensus: first in most draws


# --- one implementation per measure: the matrix form used by stability equals the table form ---

SCORE_CELLS = st.sampled_from([np.nan, 1.0, 2.0, 3.0, 4.0, 5.0])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=40).flatmap(
        lambda people: st.tuples(
            arrays(float, (people, 4), elements=SCORE_CELLS),
            st.lists(st.sampled_from(["africa", "europe", "asia-pacific"]), min_size=people, max_size=people),
            st.lists(st.booleans(), min_size=4, max_size=4),
        )
    )
)
def test_matrix_measures_equal_the_tables_of_the_round_pages(case: tuple[np.ndarray, list[str], list[bool]]) -> None:
    """Random rounds, with calls nobody rated, calls all 'no opinion' and regions under the privacy threshold."""
    matrix, regions, silent = case
    matrix = matrix.copy()
    matrix[:, silent] = np.nan  # some calls get no opinion at all
    calls = [Call(f"CTA-0{i}", "national-governments", "financing", {"fr": "x"}) for i in range(1, 5)]
    people = [f"R-{i}" for i in range(len(matrix))]
    respondents = pd.DataFrame({"respondent": people, "region": regions})
    rows = [
        (person, call.id, None if np.isnan(value) else int(value))
        for person, answers in zip(people, matrix, strict=True)
        for call, value in zip(calls, answers, strict=True)
    ]
    ratings = pd.DataFrame(rows, columns=["respondent", "call", "score"])
    ratings = ratings.astype({"respondent": object, "call": object, "score": "Int64"})
    respondents = respondents.astype({"respondent": object, "region": object})
    table = analysis.support_table(ratings, calls).set_index("call")
    groups = analysis.group_support(ratings, respondents, calls, "region")
    cross = analysis.cross_group_support(groups, calls).set_index("call")["lowest_support"]
    measured = _measured(matrix, np.array(regions, dtype=str))
    np.testing.assert_allclose(measured[:, 0], table["support"].to_numpy(dtype=float), equal_nan=True)
    np.testing.assert_allclose(measured[:, 2], table["consensus"].to_numpy(dtype=float), equal_nan=True)
    expected_cross = cross.fillna(table["support"]).to_numpy(dtype=float)
    np.testing.assert_allclose(measured[:, 1], expected_cross, equal_nan=True)
    for index, quiet in enumerate(silent):
        if quiet or not (~np.isnan(matrix[:, index])).any():
            assert np.isnan(measured[index]).all()  # no opinion: no support, no consensus (never 1.0)


def test_a_call_nobody_rated_never_leads_the_ranking() -> None:
    table = pd.DataFrame(
        {c: [0.5, 0.9] for c in CRITERIA} | {"opinions": [12.0, 0.0]}, index=pd.Index(["CTA-01", "CTA-02"], name="call")
    )
    ranked = rank(table, dict.fromkeys(CRITERIA, 1.0))
    assert ranked["call"].tolist() == ["CTA-01", "CTA-02"] and pd.isna(ranked["score"].iloc[1])


def _save(path: str, name: str) -> None:
    save_profile(Path(path), Profile(name, dict.fromkeys(CRITERIA, 1.0)))


def test_two_saves_at_once_keep_both_profiles(tmp_path: Path) -> None:
    import multiprocessing

    path = tmp_path / "weights.yml"
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        names = [f"p{attempt}-{i}" for i in range(4)]
        workers = [context.Process(target=_save, args=(str(path), name)) for name in names]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
            assert worker.exitcode == 0
        assert set(names) <= set(load_profiles(path))
    assert len(load_profiles(path)) == 12
    assert not list(tmp_path.glob(".*.tmp"))
