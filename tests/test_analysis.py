import math

import pandas as pd
import pytest

from draftbook.analysis import participation, response_rate, support_summary, support_table, wilson_interval
from draftbook.calls import Call

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
    summary = support_summary(table, CALLS, "es")
    assert summary.loc[0, "text"] == "Uno"
    assert summary.loc[0, "interval"][1] == 1.0
