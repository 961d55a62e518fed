import math

import pandas as pd
import pytest

from draftbook.analysis.measures import (
    participation,
    response_rate,
    support_summary,
    support_table,
    wilson_interval,
)
from draftbook.model.calls import Call

CALLS = [
    Call("CTA-01", "national-governments", "recognition", {"fr": "Un", "en": "One", "es": "Uno"}),
    Call("CTA-02", "national-governments", "financing", {"fr": "Deux", "en": "Two", "es": "Dos"}),
    Call("CTA-03", "national-governments", "financing", {"fr": "Trois", "en": "Three", "es": "Tres"}),
]


def ratings(rows: list[tuple[str, str, int | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["respondent", "call", "score"])
    frame["score"] = frame["score"].astype("Int64")
    return frame


def test_participation_counts_and_shares_largest_first() -> None:
    respondents = pd.DataFrame({"region": ["africa", "europe", "africa", "africa"]})
    table = participation(respondents, "region", "en")
    assert table["id"].tolist() == ["africa", "europe"]
    assert table["label"].tolist() == ["Africa", "Europe"]
    assert table["respondents"].tolist() == [3, 1]
    assert table["share"].tolist() == [0.75, 0.25]


def test_participation_shows_unknown_values_as_they_are() -> None:
    table = participation(pd.DataFrame({"source": ["online-form"]}), "source", "fr")
    assert table.loc[0, "label"] == "online-form"


def test_response_rate() -> None:
    respondents = pd.DataFrame({"respondent": ["a", "b"]})
    assert response_rate(respondents, 8) == 0.25
    assert response_rate(respondents, None) is None
    assert response_rate(respondents, 1) == 2.0  # kept as it is: the report says it in words


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_support_table_counts_the_distribution_and_keeps_no_opinion_apart() -> None:
    frame = ratings(
        [("a", "CTA-01", 5), ("b", "CTA-01", 4), ("c", "CTA-01", 2), ("d", "CTA-01", None),
         ("a", "CTA-02", 1), ("b", "CTA-02", 3)]
    )  # fmt: skip
    table = support_table(frame, CALLS).set_index("call")
    first = table.loc["CTA-01"]
    assert (first["answers"], first["opinions"], first["no_opinion"]) == (4, 3, 1)
    assert first["no_opinion_share"] == 0.25
    assert first["support"] == pytest.approx(2 / 3)
    assert first["share_2"] == pytest.approx(1 / 3)
    assert first["share_1"] == 0
    assert first["median"] == 4
    assert table.loc["CTA-02", "support"] == 0
    assert table.loc["CTA-02", "median"] == 2
    assert list(table.index) == ["CTA-01", "CTA-02", "CTA-03"]
    assert math.isnan(table.loc["CTA-03", "support"])  # a call nobody rated stays visible, empty


def test_support_summary_joins_the_wording_in_the_language() -> None:
    table = support_table(ratings([("a", "CTA-01", 5)]), CALLS)
    summary = support_summary(table, CALLS, "es", with_text=True)
    assert summary.loc[0, "text"] == "Uno"
    assert "text" not in support_summary(table, CALLS, "es").columns
    assert summary.loc[0, "interval"][1] == 1.0


# --- consensus, groups, reweighting, representativeness, change (hand-worked) ---

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from draftbook.analysis.measures import (  # noqa: E402
    MIN_GROUP,
    consensus,
    cross_group_support,
    group_support,
    group_weights,
    previous_round,
    protect_groups,
    representativeness,
    reweighted_support,
    support_change,
)


def test_consensus_hand_worked_values() -> None:
    assert consensus([0, 0, 0, 7, 0]) == 1.0  # everyone agrees
    assert consensus([3, 0, 0, 0, 3]) == 0.0  # split between the ends
    assert consensus([1, 1, 1, 1, 1]) == pytest.approx(0.43399, abs=1e-5)  # even spread
    # [0,0,1,1,0]: mean 3.5; 1 + .5*log2(1-.5/4) + .5*log2(1-.5/4) = 1 + log2(0.875)
    assert consensus([0, 0, 1, 1, 0]) == pytest.approx(1 + math.log2(0.875))
    assert math.isnan(consensus([0, 0, 0, 0, 0]))


def test_support_table_flags_polarised_calls() -> None:
    frame = ratings(
        [(f"r{i}", "CTA-01", 1 if i % 2 else 5) for i in range(10)] + [(f"r{i}", "CTA-02", 4) for i in range(10)]
    )
    table = support_table(frame, CALLS).set_index("call")
    assert bool(table.loc["CTA-01", "polarised"]) and not bool(table.loc["CTA-02", "polarised"])
    assert not bool(table.loc["CTA-03", "polarised"])  # nobody rated it: not flagged, just empty


def people(groups: dict[str, int]) -> pd.DataFrame:
    rows = [(f"{g}-{i}", g) for g, n in groups.items() for i in range(n)]
    return pd.DataFrame(rows, columns=["respondent", "region"])


def test_group_support_withholds_groups_under_five() -> None:
    respondents = people({"africa": 6, "europe": 2})
    frame = ratings(
        [
            (r, "CTA-01", 5 if r.startswith("africa-0") or r.startswith("africa-1") else 2)
            for r in respondents["respondent"]
        ]
    )
    groups = group_support(frame, respondents, CALLS, "region", "en").set_index(["call", "group"])
    assert groups.loc[("CTA-01", "africa"), "support"] == pytest.approx(2 / 6)
    assert bool(groups.loc[("CTA-01", "africa"), "shown"])
    assert not bool(groups.loc[("CTA-01", "europe"), "shown"])
    assert math.isnan(groups.loc[("CTA-01", "europe"), "support"])  # never shown on its own
    assert groups.loc[("CTA-02", "africa"), "opinions"] == 0  # nobody rated CTA-02: no division by zero
    assert math.isnan(groups.loc[("CTA-02", "africa"), "support"])


def test_cross_group_support_is_the_lowest_shown_group() -> None:
    respondents = people({"africa": 5, "europe": 5, "eurasia": 3})
    scores = {"africa": 5, "europe": 2, "eurasia": 1}
    frame = ratings([(r, "CTA-01", scores[r.split("-")[0]]) for r in respondents["respondent"]])
    groups = group_support(frame, respondents, CALLS, "region", "en")
    cross = cross_group_support(groups, CALLS).set_index("call")
    assert cross.loc["CTA-01", "lowest_support"] == 0.0
    assert cross.loc["CTA-01", "lowest_group"] == "Europe"  # eurasia is lower but has fewer than 5
    assert cross.loc["CTA-01", "groups"] == 2
    assert cross.loc["CTA-02", "groups"] == 0


def test_reweighting_hand_worked() -> None:
    respondents = people({"africa": 8, "europe": 2})
    frame = ratings([(r, "CTA-01", 5 if r.startswith("africa") else 1) for r in respondents["respondent"]])
    groups = group_support(frame, respondents, CALLS, "region")
    raw = reweighted_support(groups, group_weights(respondents, "region", "raw", {}))
    assert raw["CTA-01"] == pytest.approx(0.8)
    equal = reweighted_support(groups, group_weights(respondents, "region", "equal", {}))
    assert equal["CTA-01"] == pytest.approx(0.5)
    members = reweighted_support(
        groups, group_weights(respondents, "region", "membership", {"africa": 0.25, "europe": 0.75})
    )
    assert members["CTA-01"] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="unknown weighting"):
        group_weights(respondents, "region", "loudest", {})


def test_protect_groups_merges_small_groups_and_withholds_tiny_totals() -> None:
    table = participation(people({"africa": 10, "europe": 3, "eurasia": 2}), "region", "en")
    protected = protect_groups(table, "en")
    assert protected["label"].tolist() == ["Africa", "Other groups (fewer than 5 each)"]
    assert protected["respondents"].tolist() == [10, 5]
    alone = protect_groups(participation(people({"africa": 10, "europe": 1}), "region", "en"), "en")
    assert math.isnan(alone["respondents"].iloc[-1]) and math.isnan(alone["share"].iloc[-1])
    assert (protected["respondents"].dropna() >= MIN_GROUP).all()


def test_representativeness_gap_and_absent_groups() -> None:
    table = representativeness(
        people({"africa": 6, "europe": 6}), {"africa": 0.25, "europe": 0.5, "eurasia": 0.25}, "region", "en"
    )
    rows = table.set_index("id")
    assert rows.loc["africa", "gap"] == pytest.approx(0.25)
    assert rows.loc["europe", "gap"] == pytest.approx(0.0)
    assert rows.loc["eurasia", "respondents"] == 0 and rows.loc["eurasia", "gap"] == pytest.approx(-0.25)


def test_support_change_follows_ids_and_lineage() -> None:
    previous = pd.DataFrame({"call": ["CTA-01", "CTA-05", "CTA-06"], "support": [0.5, 0.6, 0.8]})
    now_calls = [
        Call("CTA-01", "national-governments", "x", {"fr": "a"}),
        Call("CTA-14", "national-governments", "x", {"fr": "b"}, replaces=("CTA-05", "CTA-06")),
        Call("CTA-16", "national-governments", "x", {"fr": "c"}),
    ]
    current = pd.DataFrame({"call": ["CTA-01", "CTA-14", "CTA-16"], "support": [0.7, 0.9, 0.4]})
    change = support_change(current, previous, now_calls).set_index("call")
    assert change.loc["CTA-01", "change"] == pytest.approx(0.2)
    assert change.loc["CTA-14", "previous"] == pytest.approx(0.7) and change.loc["CTA-14", "basis"] == "CTA-05, CTA-06"
    assert change.loc["CTA-16", "basis"] == "" and math.isnan(change.loc["CTA-16", "change"])
    assert support_change(current, None, now_calls)["previous"].isna().all()


def test_previous_round(workbook) -> None:  # type: ignore[no-untyped-def]
    from draftbook.model.rounds import load_rounds

    rounds = load_rounds(workbook)
    assert previous_round(rounds, rounds[1].id) == rounds[0]
    assert previous_round(rounds, rounds[0].id) is None


# --- properties ---

SCORE = st.one_of(st.none(), st.integers(1, 5))
ROWS = st.lists(st.tuples(st.sampled_from(["africa", "europe", "asia-pacific"]), SCORE, SCORE), min_size=1, max_size=60)


def frames(rows: list[tuple[str, int | None, int | None]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    respondents = pd.DataFrame([(f"r{i}", g) for i, (g, _, _) in enumerate(rows)], columns=["respondent", "region"])
    long = [(f"r{i}", "CTA-01", a) for i, (_, a, _) in enumerate(rows)] + [
        (f"r{i}", "CTA-02", b) for i, (_, _, b) in enumerate(rows)
    ]
    return respondents, ratings(long)


@settings(max_examples=60, deadline=None)
@given(ROWS, st.randoms())
def test_permuting_respondents_changes_nothing(rows: list, rnd) -> None:  # type: ignore[no-untyped-def]
    respondents, frame = frames(rows)
    shuffled = frame.sample(frac=1, random_state=rnd.randint(0, 10**6)).reset_index(drop=True)
    a = support_table(frame, CALLS)
    b = support_table(shuffled, CALLS)
    pd.testing.assert_frame_equal(a, b)
    ga = group_support(frame, respondents, CALLS, "region")
    gb = group_support(shuffled, respondents.sample(frac=1, random_state=1), CALLS, "region")
    key = ["call", "group"]
    pd.testing.assert_frame_equal(
        ga.sort_values(key).reset_index(drop=True), gb.sort_values(key).reset_index(drop=True), check_like=True
    )


@settings(max_examples=60, deadline=None)
@given(ROWS)
def test_bounds_and_raw_reweighting_equals_raw(rows: list) -> None:  # type: ignore[no-untyped-def]
    respondents, frame = frames(rows)
    table = support_table(frame, CALLS)
    for column in ("support", "support_low", "support_high", "consensus", "no_opinion_share"):
        values = table[column].dropna()
        assert ((values >= -1e-12) & (values <= 1 + 1e-12)).all()
    assert (table["support_low"].fillna(0) <= table["support"].fillna(0) + 1e-12).all()
    groups = group_support(frame, respondents, CALLS, "region")
    raw = reweighted_support(groups, group_weights(respondents, "region", "raw", {}))
    expected = table.set_index("call")["support"]
    for call in raw.index:
        if not math.isnan(expected[call]):
            assert raw[call] == pytest.approx(expected[call])


@settings(max_examples=60, deadline=None)
@given(ROWS)
def test_adding_an_identical_group_does_not_move_consensus(rows: list) -> None:  # type: ignore[no-untyped-def]
    _, frame = frames(rows)
    twin = frame.assign(respondent="twin-" + frame["respondent"])
    both = pd.concat([frame, twin], ignore_index=True)
    a = support_table(frame, CALLS)
    b = support_table(both, CALLS)
    for column in ("consensus", "support", "median"):
        pd.testing.assert_series_equal(a[column], b[column], check_names=False)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(0, 5), st.integers(0, 5))
def test_equal_weights_equal_raw_when_groups_are_equal(size: int, a: int, b: int) -> None:
    scores_a = [5] * min(a, size) + [1] * (size - min(a, size))
    scores_b = [4] * min(b, size) + [2] * (size - min(b, size))
    respondents = people({"africa": size, "europe": size})
    frame = ratings(
        [(f"africa-{i}", "CTA-01", s) for i, s in enumerate(scores_a)]
        + [(f"europe-{i}", "CTA-01", s) for i, s in enumerate(scores_b)]
    )
    groups = group_support(frame, respondents, CALLS, "region")
    equal = reweighted_support(groups, group_weights(respondents, "region", "equal", {}))
    assert equal["CTA-01"] == pytest.approx(support_table(frame, CALLS).loc[0, "support"])
