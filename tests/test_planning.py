"""Planning the next round: sizes worked by hand, the group table on synthetic rounds, the section in
three languages (small groups never counted), and the notebook through Papermill."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from draftbook.analysis.measures import MIN_GROUP, wilson_interval
from draftbook.analysis.planning import (
    call_needs,
    half_width,
    opinions_needed,
    planning_table,
    respondents_needed,
    untold_calls,
)
from draftbook.model.calls import Call
from draftbook.model.paths import Workbook
from draftbook.present import planning as page
from draftbook.present.display import FigureWithAlt, Note, Table

Z = 1.959964  # the 95 % normal quantile measures.wilson_interval uses
CALLS = [Call(f"CTA-0{i}", "national-governments", "x", {"fr": "t", "en": "t", "es": "t"}) for i in (1, 2, 3)]


def wilson_half(p: float, n: int) -> float:
    """The Wilson score interval's half-width, written here from the formula itself (not from the code
    under test): z / (1 + z²/n) * sqrt(p (1 - p) / n + z² / (4 n²))."""
    return Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))


# --- the sizes, by hand -------------------------------------------------------------------------------


def test_half_width_is_measures_wilson_interval_read_as_a_half_width() -> None:
    low, high = wilson_interval(30, 60)
    assert half_width(0.5, 60) == pytest.approx((high - low) / 2)
    assert half_width(0.5, 60) == pytest.approx(wilson_half(0.5, 60))
    with pytest.raises(ValueError, match="at least 1"):
        half_width(0.5, 0)


def test_p_one_half_needs_93_opinions_for_ten_points() -> None:
    # At p = 1/2: z sqrt(n/4 + z²/4) / (n + z²) = (z/2) / sqrt(n + z²) <= 0.10
    #   <=> n + z² >= (z / 0.2)² = 25 z²  <=>  n >= 24 z² = 24 * 3.841459 = 92.195  ->  n = 93.
    assert math.isclose(24 * Z**2, 92.195, abs_tol=1e-3)
    assert wilson_half(0.5, 92) == pytest.approx((Z / 2) / math.sqrt(92 + Z**2))  # 0.97998 / 9.78987 = 0.100102
    assert wilson_half(0.5, 92) > 0.10 >= wilson_half(0.5, 93)  # 0.97998 / 9.84081 = 0.099584 at 93
    assert opinions_needed(0.5, 0.10) == 93


def test_p_nine_tenths_needs_37_opinions() -> None:
    # At p = 0.9, n = 36: z sqrt(0.09 * 36 + z²/4) / (36 + z²) = 1.959964 * sqrt(3.24 + 0.960365) / 39.841459
    #   = 1.959964 * 2.049479 / 39.841459 = 0.100822 > 0.10
    # n = 37: 1.959964 * sqrt(3.33 + 0.960365) / 40.841459 = 1.959964 * 2.071320 / 40.841459 = 0.099402 <= 0.10
    assert wilson_half(0.9, 36) == pytest.approx(0.100822, abs=1e-6)
    assert wilson_half(0.9, 37) == pytest.approx(0.099402, abs=1e-6)
    assert opinions_needed(0.9, 0.10) == 37
    assert opinions_needed(0.1, 0.10) == 37  # the same width on the other side


def test_p_zero_and_one_use_the_narrow_one_sided_interval() -> None:
    # At p = 0 the interval is [0, z²/(n + z²)]: half-width z² / (2 (n + z²)) <= 0.10
    #   <=> n >= z² (1 / 0.2 - 1) = 4 z² = 15.366  ->  n = 16 (far fewer than the 93 of p = 1/2).
    assert wilson_half(0.0, 15) == pytest.approx(Z**2 / (2 * (15 + Z**2)))  # 3.841459 / 37.682918 = 0.101942
    assert wilson_half(0.0, 15) > 0.10 >= wilson_half(0.0, 16)  # 3.841459 / 39.682918 = 0.096804 at 16
    assert opinions_needed(0.0, 0.10) == opinions_needed(1.0, 0.10) == 16
    low, high = wilson_interval(0, 16)
    assert low == 0 and high == pytest.approx(Z**2 / (16 + Z**2))  # asymmetric: 0 to 19 %, not ± 10 around 0


def test_the_target_is_a_parameter_and_five_points_need_about_four_times_more() -> None:
    # At p = 1/2 and T = 0.05: (z/2) / sqrt(n + z²) <= 0.05  <=>  n >= 99 z² = 380.30  ->  n = 381 (4.1 x 93).
    assert wilson_half(0.5, 380) > 0.05 >= wilson_half(0.5, 381)  # 0.050020, then 0.049955
    assert opinions_needed(0.5, 0.05) == 381
    assert 3.9 < opinions_needed(0.5, 0.05) / opinions_needed(0.5, 0.10) < 4.2
    assert 3.9 < opinions_needed(0.8, 0.05) / opinions_needed(0.8, 0.10) < 4.2
    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(ValueError, match="target half-width"):
            opinions_needed(0.5, bad)
    for bad in (-0.1, 1.2, math.nan):
        with pytest.raises(ValueError, match="support"):
            opinions_needed(bad)


@pytest.mark.parametrize("p", [0.0, 0.03, 0.25, 0.5, 0.61, 0.9, 1.0])
@pytest.mark.parametrize("target", [0.03, 0.05, 0.10, 0.2])
def test_the_answer_is_the_smallest_whole_number(p: float, target: float) -> None:
    n = opinions_needed(p, target)
    assert wilson_half(p, n) <= target + 1e-12
    assert n == 1 or wilson_half(p, n - 1) > target


def test_respondents_scale_by_the_share_with_an_opinion_rounded_up() -> None:
    assert respondents_needed(93, 0.25) == 124  # 93 / 0.75 = 93 * 4/3 = 124 exactly
    assert respondents_needed(16, 0.25) == 22  # 16 * 4/3 = 21.33 -> 22
    assert respondents_needed(37, Fraction(1, 3)) == 56  # 37 * 3/2 = 55.5 -> 56
    assert respondents_needed(60, Fraction(1, 3)) == 90  # exactly 90: no 90.0000001 -> 91
    assert respondents_needed(93, 0) == 93
    assert respondents_needed(93, 1.0) is None  # nobody has an opinion: cannot tell, never infinity
    with pytest.raises(ValueError, match="without an opinion"):
        respondents_needed(10, 1.5)


# --- the group table, on synthetic rounds ---------------------------------------------------------------


def synthetic_round(answers: dict[str, dict[str, list[int | None]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents and ratings from {region: {call: scores}} (every respondent of a region has a row per call;
    None is no opinion)."""
    people, rows = [], []
    for region, calls in answers.items():
        size = len(next(iter(calls.values())))
        for i in range(size):
            person = f"{region}-{i}"
            people.append({"respondent": person, "constituency": "partner", "region": region, "language": "fr",
                           "source": "form", "submitted_at": ""})  # fmt: skip
            rows += [
                {"respondent": person, "call": call, "score": scores[i], "label": ""} for call, scores in calls.items()
            ]
    ratings = pd.DataFrame(rows)
    ratings["score"] = ratings["score"].astype("Int64")
    return pd.DataFrame(people), ratings


def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Africa (20 people): CTA-01 half for, half against; CTA-02 15 for, 5 without an opinion.
    Europe (3 people, under MIN_GROUP): two for CTA-01, one without an opinion (its own support, 1, is not used).
    Two people of unknown region (not a group to plan for, but part of the round).
    Nobody gives an opinion on CTA-03."""
    return synthetic_round(
        {
            "africa": {"CTA-01": [5] * 5 + [4] * 5 + [1] * 5 + [2] * 5, "CTA-02": [5] * 15 + [None] * 5,
                       "CTA-03": [None] * 20},
            "europe": {"CTA-01": [5, 5, None], "CTA-02": [4, None, None], "CTA-03": [None] * 3},
            "unknown": {"CTA-01": [1, 1], "CTA-02": [None, None], "CTA-03": [None, None]},
        }
    )  # fmt: skip


def test_needs_per_group_and_call_worked_by_hand() -> None:
    people, ratings = example()
    needs = call_needs(ratings, people, CALLS, "region", lang="en").set_index(["group", "call"])
    # Africa, CTA-01: its own 20 opinions, p = 10/20 = 0.5, q = 0 -> 93 opinions, 93 respondents.
    africa = needs.loc[("africa", "CTA-01")]
    assert (africa["basis"], africa["support"], africa["no_opinion"]) == ("group", 0.5, 0.0)
    assert (africa["opinions_needed"], africa["needed"]) == (93, 93)
    # Africa, CTA-02: 15 opinions, p = 1 -> 16 opinions; q = 5/20 = 1/4 -> ceil(16 * 4/3) = ceil(21.33) = 22.
    assert needs.loc[("africa", "CTA-02"), "needed"] == 22
    # Europe has 3 people (< MIN_GROUP): the whole round's figures. CTA-01 over the round: 20 + 2 + 2 = 24
    # opinions, 10 + 2 + 0 = 12 for -> p = 0.5 -> 93 opinions; 1 of 25 without one -> ceil(93 * 25/24) =
    # ceil(96.875) = 97.
    europe = needs.loc[("europe", "CTA-01")]
    assert (europe["basis"], europe["support"], europe["no_opinion"]) == ("overall", 0.5, pytest.approx(1 / 25))
    assert (europe["opinions_needed"], europe["needed"]) == (93, 97)
    # CTA-02 over the round: 16 opinions, all for -> 16; 9 of 25 without one -> ceil(16 * 25/16) = 25.
    assert needs.loc[("europe", "CTA-02"), "needed"] == 25
    # CTA-03: nobody in the round gave an opinion: q = 1, cannot tell.
    assert needs.loc[("africa", "CTA-03"), "needed"] is pd.NA
    assert untold_calls(needs.reset_index()) == ["CTA-03"]
    assert "unknown" not in needs.index.get_level_values("group")


def test_the_group_need_is_its_most_demanding_call() -> None:
    people, ratings = example()
    table = planning_table(ratings, people, CALLS, "region", lang="en").set_index("group")
    assert list(table.index) == ["africa", "europe"]  # shown groups first; unknown left out
    assert table.loc["africa", ["label", "answered", "needed", "gap", "call", "basis"]].tolist() == [
        "Africa", 20, 93, 73, "CTA-01", "group"]  # fmt: skip
    assert table.loc["europe", ["answered", "needed", "gap", "call", "basis"]].tolist() == [
        3,
        97,
        94,
        "CTA-01",
        "overall",
    ]
    assert table["shown"].tolist() == [True, False]


def test_a_group_with_few_opinions_on_one_call_uses_the_round_for_that_call_only() -> None:
    people, ratings = synthetic_round(
        {
            "africa": {"CTA-01": [5] * 8 + [1] * 2, "CTA-02": [5, 5, 1, 1] + [None] * 6},  # 4 opinions on CTA-02
            "asia-pacific": {"CTA-01": [5] * 5 + [1] * 5, "CTA-02": [5] * 10},
        }
    )
    needs = call_needs(ratings, people, CALLS[:2], "region").set_index(["group", "call"])
    assert needs.loc[("africa", "CTA-01"), "basis"] == "group"
    assert needs.loc[("africa", "CTA-02"), "basis"] == "overall"
    # CTA-02 over the round: 14 opinions, 12 for; 6 of 20 without one.
    assert needs.loc[("africa", "CTA-02"), "support"] == pytest.approx(12 / 14)
    assert needs.loc[("africa", "CTA-02"), "no_opinion"] == pytest.approx(6 / 20)
    expected = math.ceil(Fraction(opinions_needed(12 / 14)) * Fraction(20, 14))
    assert needs.loc[("africa", "CTA-02"), "needed"] == expected


def test_the_gap_is_never_negative() -> None:
    people, ratings = synthetic_round(
        {"africa": {"CTA-01": [5, 1] * 100}, "europe": {"CTA-01": [5, 1] * 10}}  # 200 and 20 people, p = 1/2
    )
    table = planning_table(ratings, people, CALLS[:1], "region").set_index("group")
    assert table.loc["africa", ["answered", "needed", "gap"]].tolist() == [200, 93, 0]  # 93 - 200 -> 0
    assert table.loc["europe", ["answered", "needed", "gap"]].tolist() == [20, 93, 73]
    assert (table["gap"] >= 0).all()


def test_the_target_changes_the_table() -> None:
    people, ratings = synthetic_round({"africa": {"CTA-01": [5, 1] * 10}})
    assert planning_table(ratings, people, CALLS[:1], "region", target=0.05)["needed"].tolist() == [381]


def test_when_no_call_can_be_told_the_group_need_cannot_be_told() -> None:
    people, ratings = synthetic_round({"africa": {"CTA-01": [None] * 6}})
    table = planning_table(ratings, people, CALLS[:1], "region")
    assert table["needed"].isna().all() and table["gap"].isna().all() and table["call"].tolist() == [""]


# --- the section ------------------------------------------------------------------------------------------

FEWER = {"fr": "moins de 5", "en": "fewer than 5", "es": "menos de 5"}
MORE = {"fr": "plus de 92", "en": "more than 92", "es": "más de 92"}  # Europe: needs 97, 97 - 5 = 92


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_section_renders_and_never_counts_a_small_group(lang: str) -> None:
    people, ratings = example()
    section = page.planning_section(ratings, people, CALLS, "region", lang)
    figure, *_ = section
    assert isinstance(figure, FigureWithAlt) and figure.png.startswith(b"\x89PNG")
    assert "97" in figure.alt
    table = next(item for item in section if isinstance(item, Table))
    shown = table.formatted().set_index(table.formatted().columns[0])
    europe = shown.loc[{"fr": "Europe", "en": "Europe", "es": "Europa"}[lang]]
    assert europe.iloc[0] == FEWER[lang]  # answered now: never the count 3
    assert europe.iloc[1] == "97" and europe.iloc[2] == MORE[lang]  # needed shown; the gap says no more than < 5
    africa = shown.loc[{"fr": "Afrique", "en": "Africa", "es": "África"}[lang]]
    assert africa.iloc[:3].tolist() == ["20", "93", "73"]
    html = table.to_html()
    assert FEWER[lang] in html and ">3<" not in html and ">94<" not in html  # neither Europe's count nor its gap
    notes = [item.text for item in section if isinstance(item, Note)]
    assert any("CTA-03" in text for text in notes)  # the call that cannot be told, said in words
    assert any("10" in text and "±" in text for text in notes)
    assert notes[0].startswith({"fr": "Objectif : ", "en": "Goal: ", "es": "Objetivo: "}[lang])


def test_the_chart_draws_no_count_for_a_small_group() -> None:
    people, ratings = example()
    table = planning_table(ratings, people, CALLS, "region", lang="en")
    figure = page.planning_chart(table, "region", "en")
    ax = figure.axes[0]
    labels = [text.get_text() for text in ax.texts]
    assert "< 5" in labels and "3" not in labels and {"20", "93", "97"} <= set(labels)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Europe", "Africa"]  # first group on top
    assert "Next round: respondents needed by region" in figure.texts[0].get_text()
    assert "± 10 points" in page.planning_alt_text(table, "region", "en")


def test_the_section_in_words_on_thin_data_and_another_target() -> None:
    people, ratings = example()
    empty = ratings.iloc[0:0]
    assert [item.text for item in page.planning_section(empty, people.iloc[0:0], CALLS, "region", "en")] == [
        "No answers have been entered for this round yet: the analysis will appear after the ingest."
    ]
    unknown = people.assign(region="unknown")
    assert [item.text for item in page.planning_section(ratings, unknown, CALLS, "region", "fr")] == [
        "Les réponses de ce tour n'indiquent pas de région : rien à comparer."
    ]
    five = page.planning_section(ratings, people, CALLS, "region", "es", target=0.05)
    assert "± 5 puntos" in next(item for item in five if isinstance(item, Table)).caption
    many = synthetic_round({"africa": {"CTA-01": [5, 1] * 100}})
    met = page.planning_section(many[1], many[0], CALLS[:1], "region", "en")
    assert any("Every group already has enough respondents" in item.text for item in met if isinstance(item, Note))


def test_small_groups_come_last_by_label_whatever_their_size() -> None:
    people, ratings = synthetic_round(
        {region: {"CTA-01": [5, 1, 4, 2, 5, 1][:size]} for region, size in
         [("europe", 1), ("africa", 6), ("asia-pacific", 4), ("eurasia", 2)]}
    )  # fmt: skip
    table = planning_table(ratings, people, CALLS[:1], "region", lang="en")
    assert table["label"].tolist() == ["Africa", "Asia-Pacific", "Eurasia", "Europe"]
    assert table["shown"].tolist() == [True] + [False] * 3 and MIN_GROUP == 5


# --- the notebook -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_planning_notebook_runs_through_papermill(workbook: Workbook, tmp_path: Path) -> None:
    import nbformat

    from draftbook.book.pipeline import Run, execute_runs, plan_runs
    from draftbook.model.rounds import load_rounds

    rounds = load_rounds(workbook)
    runs = [run for run in plan_runs(workbook, rounds[-1:], "fr") if run.notebook.name == "planning.ipynb"]
    assert len(runs) == 1 and runs[0].parameters == {"round": rounds[-1].id, "lang": "fr"}
    other = Run(runs[0].notebook, Path("es") / runs[0].output, {**runs[0].parameters, "lang": "es", "target": 0.05},
                runs[0].inputs, runs[0].round_id)  # fmt: skip
    stage = tmp_path / "stage"
    report = execute_runs(workbook, [runs[0], other], stage, progress=lambda _: None, jobs=2)
    assert len(report.ran) == 2 and not report.failed
    for run, words in ((runs[0], ("Prochain tour", "± 10 points")), (other, ("Próxima ronda", "± 5 puntos"))):
        cells = nbformat.read(stage / run.output, as_version=4).cells
        outputs = [output for cell in cells for output in cell.get("outputs", [])]
        assert not [output for output in outputs if output.get("output_type") == "error"]
        shown = "".join(str(output.get("data", {}).get("text/plain", "")) for output in outputs)
        assert all(word in shown for word in words), shown[:2000]
        assert sum("image/png" in output.get("data", {}) for output in outputs) == 2  # by region, by type


def test_the_table_and_the_notes_name_calls_by_their_label() -> None:
    people, ratings = example()
    titled = [
        Call(c.id, c.addressee, c.theme, c.text, short={"en": f"Short title, {c.id[-1]}"}) for c in CALLS
    ]  # a comma in a label: the calls are listed with semicolons
    section = page.planning_section(ratings, people, titled, "region", "en")
    table = next(item for item in section if isinstance(item, Table)).formatted()
    assert table["Most demanding call"].tolist() == ["CTA-01 · Short title, 1"] * 2
    assert any("CTA-03 · Short title, 3 in this round" in item.text for item in section if isinstance(item, Note))
