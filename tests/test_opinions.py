"""Opinion groups on synthetic rounds: planted groups are found, nothing is invented, nobody is exposed."""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from draftbook.analysis import opinions
from draftbook.analysis.measures import MIN_GROUP, OTHER_GROUPS
from draftbook.model.calls import Call
from draftbook.model.languages import colon
from draftbook.model.paths import Workbook
from draftbook.present import opinions as section
from draftbook.present.display import FigureWithAlt, HtmlBlock, Note, Table

CALLS = [
    Call(f"CTA-{i:02d}", "national-governments", "x", {"fr": f"Appel {i}", "en": f"Call {i}"}, short={"en": f"S{i}"})
    for i in range(1, 11)
]
# Three camps over ten calls: each row is a group's typical score per call.
PROFILES = [
    [5, 5, 5, 1, 1, 3, 4, 2, 5, 1],
    [1, 1, 5, 5, 5, 3, 2, 4, 1, 5],
    [3, 5, 1, 3, 5, 1, 1, 5, 3, 3],
]
REGIONS = ("africa", "europe", "latin-america")


def planted(
    profiles: Sequence[Sequence[float | None]],
    size: int = 40,
    *,
    noise: int = 1,
    no_opinion: float = 0.1,
    seed: int = 1,
    calls: Sequence[Call] = CALLS,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Ratings and respondents of ``size`` people per profile: the profile's score (None: no opinion),
    moved by up to ``noise`` points, and no opinion at random with probability ``no_opinion``."""
    rng = np.random.default_rng(seed)
    rows, people, truth = [], [], {}
    for group, profile in enumerate(profiles):
        for i in range(size):
            person = f"R-{rng.integers(16**12):012x}"
            truth[person] = group
            people.append(
                {"respondent": person, "constituency": "partner", "region": REGIONS[i % 3], "language": "fr",
                 "source": "form", "submitted_at": ""}
            )  # fmt: skip
            for call, typical in zip(calls, profile, strict=True):
                score = None
                if typical is not None and rng.random() >= no_opinion:
                    score = int(np.clip(typical + rng.integers(-noise, noise + 1), 1, 5))
                rows.append({"respondent": person, "call": call.id, "score": score, "label": ""})
    ratings = pd.DataFrame(rows)
    ratings["score"] = ratings["score"].astype("Int64")
    return ratings, pd.DataFrame(people), truth


def strict(ratings: pd.DataFrame, people: pd.DataFrame, calls: Sequence[Call] = CALLS) -> opinions.OpinionGroups:
    """The opinion groups, any warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return opinions.opinion_groups(ratings, people, calls)


def agreement(result: opinions.OpinionGroups, truth: dict[str, int]) -> float:
    return float(adjusted_rand_score([truth[p] for p in result.labels.index], result.labels.to_numpy()))


def test_planted_groups_are_found() -> None:
    ratings, people, truth = planted(PROFILES)
    result = strict(ratings, people)
    assert result.status == opinions.FOUND and result.found
    assert result.k == 3 and result.sizes == (40, 40, 40)
    assert agreement(result, truth) >= 0.9
    assert result.silhouette > opinions.DISTINCT_ABOVE
    assert result.respondents == 120 and result.left_out == 0
    assert list(result.coordinates.columns) == ["x", "y", "group"] and len(result.coordinates) == 120
    assert list(result.support.index) == [call.id for call in CALLS] and list(result.support.columns) == [1, 2, 3]


def test_groups_are_numbered_by_size() -> None:
    ratings, people, _ = planted(PROFILES[:1], 20, seed=2)
    more, more_people, _ = planted(PROFILES[1:2], 50, seed=3)
    fewer, fewer_people, _ = planted(PROFILES[2:], 30, seed=4)
    result = strict(pd.concat([ratings, more, fewer]), pd.concat([people, more_people, fewer_people]))
    assert result.sizes == (50, 30, 20)
    assert set(result.labels[more_people["respondent"]]) == {1}
    assert set(result.labels[people["respondent"]]) == {3}


def test_permuting_respondents_changes_nothing() -> None:
    ratings, people, _ = planted(PROFILES, 35, seed=5)
    result = strict(ratings, people)
    shuffled = strict(ratings.sample(frac=1, random_state=7), people.sample(frac=1, random_state=8))
    assert shuffled.status == result.status and shuffled.k == result.k and shuffled.sizes == result.sizes
    assert shuffled.silhouette == result.silhouette and shuffled.tried == result.tried
    pd.testing.assert_series_equal(shuffled.labels, result.labels)
    pd.testing.assert_frame_equal(shuffled.coordinates, result.coordinates)
    pd.testing.assert_frame_equal(shuffled.support, result.support)
    pd.testing.assert_frame_equal(shuffled.unite, result.unite)
    pd.testing.assert_frame_equal(shuffled.divide, result.divide)
    pd.testing.assert_frame_equal(shuffled.composition, result.composition)


def test_identical_answers_form_no_distinct_groups() -> None:
    ratings, people, _ = planted([[4, 5, 3, 2, 4, 4, 5, 1, 3, 4]], 60, noise=0, no_opinion=0)
    result = strict(ratings, people)
    assert result.status == opinions.NOT_DISTINCT and not result.found
    assert np.isnan(result.silhouette) and result.k == 0 and result.sizes == () and result.labels.empty


def test_a_shapeless_cloud_forms_no_distinct_groups() -> None:
    rng = np.random.default_rng(9)
    ratings, people, _ = planted([[3] * 10], 150, noise=0, no_opinion=0.05)
    ratings["score"] = pd.array(np.where(ratings["score"].isna(), None, rng.integers(1, 6, len(ratings))), "Int64")
    result = strict(ratings, people)
    assert result.status == opinions.NOT_DISTINCT
    assert result.silhouette <= opinions.DISTINCT_ABOVE and result.tried
    assert result.unite.empty and result.divide.empty and result.coordinates.empty


def test_fewer_than_30_with_an_opinion_is_too_small() -> None:
    ratings, people, _ = planted(PROFILES, 10, seed=10)  # 30 people ...
    silent = people["respondent"].iloc[0]
    ratings.loc[ratings["respondent"] == silent, "score"] = pd.NA  # ... 29 with an opinion
    result = strict(ratings, people)
    assert result.status == opinions.TOO_SMALL
    assert result.respondents == opinions.MIN_RESPONDENTS - 1 and result.left_out == 1 and result.k == 0


def test_a_respondent_with_only_no_opinion_is_left_out() -> None:
    ratings, people, truth = planted(PROFILES, seed=11)
    silent, _, _ = planted([[None] * 10], 3, seed=12)
    asked_nothing = pd.DataFrame([{**people.iloc[0].to_dict(), "respondent": "R-never-rated"}])
    result = strict(pd.concat([ratings, silent]), pd.concat([people, asked_nothing]))
    assert result.found and result.left_out == 4 and result.respondents == 120
    assert set(result.labels.index) == set(truth)
    assert agreement(result, truth) >= 0.9


def test_groups_that_differ_only_by_no_opinion_are_separated() -> None:
    shared = [4, 5, 4, 5, 4]
    neutral = [3, 3, 3, 3, 3, *shared]
    unsure = [None, None, None, None, None, *shared]
    ratings, people, truth = planted([neutral, unsure], 40, no_opinion=0.02, seed=13)
    ratings.loc[ratings["call"].isin([c.id for c in CALLS[:5]]) & ratings["score"].notna(), "score"] = 3
    matrix = opinions.score_matrix(ratings, people, CALLS).to_numpy(dtype=float)
    centred = opinions.encode(matrix)[:, :5]
    assert set(np.unique(centred)) == {0.0}  # as scores alone, "neutral" and "no opinion" look the same
    result = strict(ratings, people)
    assert result.found and result.k == 2
    assert agreement(result, truth) >= 0.9


def test_composition_cells_under_min_group_are_merged() -> None:
    labels = pd.Series([1] * 20 + [2] * 12, index=[f"r{i:02d}" for i in range(32)])
    regions = ["africa"] * 12 + ["europe"] * 6 + ["asia-pacific"] * 2  # group 1: 2 alone would show
    regions += ["africa"] * 3 + ["europe"] * 3 + ["eurasia"] * 3 + ["world"] * 3  # group 2: all under 5
    people = pd.DataFrame({"respondent": labels.index, "region": regions, "constituency": "partner"})
    table = opinions.composition(people, labels)
    assert (table["respondents"] >= MIN_GROUP).all()
    regions_of = table[table["by"] == "region"]
    first = regions_of[regions_of["group"] == 1]
    assert list(zip(first["id"], first["respondents"], strict=True)) == [("africa", 12), (OTHER_GROUPS, 8)]
    second = regions_of[regions_of["group"] == 2]
    assert list(zip(second["id"], second["respondents"], strict=True)) == [(OTHER_GROUPS, 12)]
    assert table.groupby(["group", "by"])["respondents"].sum().to_dict() == {
        (1, "constituency"): 20, (1, "region"): 20, (2, "constituency"): 12, (2, "region"): 12
    }  # fmt: skip


def test_composition_of_found_groups_never_shows_a_small_cell() -> None:
    ratings, people, _ = planted(PROFILES, 40, seed=14)
    people["region"] = ["africa"] * 100 + ["europe"] * 17 + ["world"] * 3
    result = strict(ratings, people)
    assert result.found and (result.composition["respondents"] >= MIN_GROUP).all()


def test_unite_and_divide_on_a_hand_built_case() -> None:
    support = pd.DataFrame(
        {
            1: [0.9, 0.6, 0.9, 0.5, 0.7, 0.4, 0.9, 0.8],
            2: [0.8, 0.55, 0.1, 0.5, 0.5, 0.3, np.nan, 0.6],
            3: [0.7, 0.51, 0.5, 0.5, 0.45, 0.35, 0.2, 0.2],
        },
        index=pd.Index(list("ABCDEFGH"), name="call"),
    )
    unite, divide = opinions.unite_and_divide(support)
    assert unite["call"].tolist() == ["A", "B"] and unite["lowest"].tolist() == [0.7, 0.51]
    assert divide["call"].tolist() == ["C", "G", "H"]  # E (25 points) is fourth; F (10 points) too close
    assert divide["spread"].round(6).tolist() == [0.8, 0.7, 0.6]
    assert divide.iloc[0][["highest_group", "lowest_group"]].tolist() == [1, 2]
    assert divide.iloc[1][["highest_group", "lowest_group"]].tolist() == [1, 3]  # group 2 has no opinion on G


def test_unite_and_divide_on_planted_groups() -> None:
    profiles = [[5, 5, *row[2:]] for row in PROFILES]
    profiles[0][1] = 5
    profiles[1][1] = 1
    profiles[2][1] = 1
    ratings, people, _ = planted(profiles, seed=15)
    ratings.loc[ratings["call"] == "CTA-01", "score"] = 5  # everybody agrees on CTA-01
    result = strict(ratings, people)
    assert result.found
    assert result.unite["call"].tolist()[0] == "CTA-01"
    assert "CTA-02" in result.divide["call"].tolist()
    assert "CTA-01" not in result.divide["call"].tolist()
    assert (result.divide["spread"] >= opinions.DIVIDES_FROM).all() and len(result.divide) <= opinions.DIVIDE_TOP


def shown_text(items: list[object]) -> str:
    return "\n".join(str(item._repr_mimebundle_()["text/html"]) for item in items)  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_section_renders_in_every_language(lang: str) -> None:
    ratings, people, _ = planted(PROFILES, seed=16)
    shown = section.opinions_section(ratings, people, CALLS, lang)
    kinds = [type(item) for item in shown]
    assert kinds == [Note, FigureWithAlt, Table, HtmlBlock, HtmlBlock, Table]
    page = shown_text(shown)
    assert section.say("group", lang, n=1) in page
    assert not any(person in page for person in people["respondent"])  # nobody is named, not even by pseudonym
    assert f"{section.say('unite', lang)}{colon(lang)}" in html.unescape(page)
    if lang == "en":
        assert "CTA-04 · S4" in page  # calls are named by their label
    alt = shown[1].alt  # type: ignore[attr-defined]
    assert "40" in alt and section.say("title", lang) in alt


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_a_small_round_is_said_in_words_and_draws_nothing(lang: str) -> None:
    ratings, people, _ = planted(PROFILES, 5, seed=17)
    shown = section.opinions_section(ratings, people, CALLS, lang)
    assert all(isinstance(item, Note) for item in shown)
    assert str(opinions.MIN_RESPONDENTS) in shown[0].text  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_no_distinct_groups_is_said_in_words_and_draws_nothing(lang: str) -> None:
    ratings, people, _ = planted([[4] * 10], 40, noise=0, no_opinion=0)
    shown = section.opinions_section(ratings, people, CALLS, lang)
    assert all(isinstance(item, Note) for item in shown) and len(shown) == 1
    empty = section.opinions_section(ratings.iloc[:0], people.iloc[:0], CALLS, lang)
    assert all(isinstance(item, Note) for item in empty)


def test_nobody_with_an_opinion_is_said_in_words() -> None:
    ratings, people, _ = planted([[None] * 10], 40)
    result = strict(ratings, people)
    assert result.status == opinions.NO_ANSWERS and result.left_out == 40 and result.respondents == 0
    shown = section.opinions_section(ratings, people, CALLS, "en")
    assert [item.text for item in shown] == [  # type: ignore[attr-defined]
        section.say("no_opinions", "en"),
        section.say("left_out", "en", n=40),
    ]


@pytest.mark.slow
def test_the_notebook_runs_in_the_pipeline(workbook: Workbook, tmp_path: object) -> None:
    """The notebook through the real Papermill pipeline: on a round as it is, then on planted groups."""
    from pathlib import Path

    import nbformat

    from draftbook.book.pipeline import execute_runs, plan_runs
    from draftbook.model.rounds import load_round

    round_ = load_round(workbook, "2022-02-gtf-debate")  # as it is
    planted_round = load_round(workbook, "2022-04-regional-sessions")  # replaced by planted groups
    calls = planted_round.calls
    grouped, grouped_people, _ = planted([(profile * 2)[: len(calls)] for profile in PROFILES], seed=19, calls=calls)
    grouped.to_csv(planted_round.table_path("ratings"), index=False)
    grouped_people.to_csv(planted_round.table_path("respondents"), index=False)
    stage = Path(str(tmp_path)) / "stage"
    shown: dict[str, list[str]] = {}
    for lang in ("fr", "en"):
        runs = [
            run
            for run in plan_runs(workbook, [round_, planted_round], lang)
            if run.notebook.name == "opinions.ipynb" and run.round_id
        ]
        assert len(runs) == 2
        report = execute_runs(workbook, runs, stage / lang, progress=lambda _: None)
        assert len(report.ran) == 2 and not report.failed
        for run in runs:
            outputs = [
                output
                for cell in nbformat.read(stage / lang / run.output, as_version=4).cells
                for output in cell.get("outputs", [])
            ]
            shown[f"{lang}/{run.round_id}"] = [key for output in outputs for key in output.get("data", {})]
    assert "image/png" in shown["fr/2022-04-regional-sessions"] and "image/png" in shown["en/2022-04-regional-sessions"]
    assert "text/html" in shown["fr/2022-02-gtf-debate"]


def test_the_silhouette_is_exact_up_to_the_sample_size_and_estimated_beyond(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sklearn.metrics import silhouette_score

    ratings, people, truth = planted(PROFILES, 40, seed=21)
    exact = strict(ratings, people)
    matrix = opinions.score_matrix(ratings, people, CALLS).to_numpy()
    encoded = opinions.encode(matrix)
    labels = exact.labels.to_numpy()
    assert opinions.mean_silhouette(encoded, labels) == pytest.approx(float(silhouette_score(encoded, labels)))
    monkeypatch.setattr(opinions, "SILHOUETTE_SAMPLE", 60)  # 120 people: now a sample of 60
    sampled = strict(ratings, people)
    assert sampled.status == opinions.FOUND and sampled.k == exact.k
    assert agreement(sampled, truth) >= 0.9
    assert sampled.silhouette == pytest.approx(exact.silhouette, abs=0.05)
    assert strict(ratings, people).silhouette == sampled.silhouette  # seeded: the same sample every time
