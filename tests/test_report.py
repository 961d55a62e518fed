"""The analysis sections on thin data: they say so in words and never crash."""

import pandas as pd

from draftbook.model.calls import Call
from draftbook.model.membership import Membership
from draftbook.present import report
from draftbook.present.display import FigureWithAlt, Note, Table

CALLS = [Call(f"CTA-0{i}", "national-governments", "x", {"fr": "t", "en": "t", "es": "t"}) for i in (1, 2)]
MEMBERS = Membership({"region": {"africa": 10, "europe": 10}, "constituency": {"partner": 5}})
EMPTY_PEOPLE = pd.DataFrame(columns=["respondent", "constituency", "region", "language", "source", "submitted_at"])
EMPTY_RATINGS = pd.DataFrame({"respondent": [], "call": [], "score": pd.array([], dtype="Int64"), "label": []})


def texts(items: list) -> list[str]:  # type: ignore[type-arg]
    return [item.text for item in items if isinstance(item, Note)]


def test_an_empty_round_is_explained_in_every_section() -> None:
    sections = [
        report.summary("Tour", EMPTY_PEOPLE, 10, "en"),
        report.participation_section(EMPTY_PEOPLE, "region", "en"),
        report.representativeness_section(EMPTY_PEOPLE, MEMBERS, "region", "en"),
        report.support_section(EMPTY_RATINGS, CALLS, "en"),
        report.groups_section(EMPTY_RATINGS, EMPTY_PEOPLE, CALLS, "region", "en"),
        report.reweighting_section(EMPTY_RATINGS, EMPTY_PEOPLE, CALLS, MEMBERS, "en"),
    ]
    for section in sections:
        assert texts(section) == [report.say("no_answers", "en")]


def small_round() -> tuple[pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame(
        {
            "respondent": [f"r{i}" for i in range(7)],
            "constituency": ["unknown"] * 7,
            "region": ["africa"] * 6 + ["europe"],  # a group of one
            "language": ["fr"] * 7,
            "source": ["form"] * 7,
            "submitted_at": [""] * 7,
        }
    )
    ratings = pd.DataFrame({"respondent": people["respondent"], "call": "CTA-01", "score": [5, 5, 4, 1, 2, 5, 4]})
    ratings["score"] = ratings["score"].astype("Int64")
    ratings["label"] = ""
    return people, ratings


def test_a_response_rate_above_100_percent_is_said_in_words() -> None:
    people, _ = small_round()  # 7 respondents
    assert texts(report.summary("Tour", people, 10, "fr")) == ["Tour : 7 répondant·e·s sur 10 invité·e·s (70 %)."]
    assert texts(report.summary("Tour", people, None, "fr")) == ["Tour : 7 répondant·e·s."]
    over = {lang: texts(report.summary("R", people, 5, lang))[0] for lang in ("fr", "en", "es")}
    assert over["fr"] == (
        "R : 7 répondant·e·s pour 5 invité·e·s (plus de réponses que d'invité·e·s : "
        "vérifiez « invited » dans round.yml)."
    )
    assert over["en"] == "R: 7 respondents for 5 invited (more answers than invited: check “invited” in round.yml)."
    assert (
        over["es"]
        == "R: 7 participantes para 5 invitados (más respuestas que invitados: verifique «invited» en round.yml)."
    )
    assert not any("140" in text for text in over.values())  # no rate above 100 % is shown as a figure
    assert texts(report.summary("R", people, 7, "en")) == ["R: 7 respondents out of 7 invited (100 %)."]


def test_weighing_without_assessments_says_so_and_ranks_nothing() -> None:
    from draftbook.analysis.weighing import CRITERIA, Profile
    from tests.test_weighing import round_data

    data = round_data()
    data.assessments = None  # the team has not written assessments.yml yet
    profile = Profile("p", dict.fromkeys(CRITERIA, 1.0))
    section = report.weighing_section(data, profile, "en", draws=5, round_id="2022-09-new")
    assert texts(section) == [
        "The team has not assessed the calls of this round yet (research evidence, feasibility, urgency): no ranking "
        "is drawn. To draw it, write the file assessments.yml in the round's folder (data/rounds/2022-09-new/)."
    ]
    assert all(isinstance(item, Note) for item in section)  # no table, no chart
    for lang in ("fr", "es"):
        assert "assessments.yml" in texts(report.weighing_section(data, profile, lang))[0]
    assert texts(report.weighing_section(data, profile, "fr"))[0].startswith(
        "L'équipe n'a pas encore évalué les appels de ce tour"
    )
    data.ratings = EMPTY_RATINGS  # a new round: no assessments, no agreed profile, no answers, all said
    assert texts(report.weighing_section(data, None, "en")) == [
        report.WEIGHING_TEXT["en"]["no_assessment"].format(folder=""),
        report.WEIGHING_TEXT["en"]["no_profile"],
        report.say("no_answers", "en"),
    ]
    assessed = report.weighing_section(round_data(), profile, "en", draws=5)  # once assessed, a ranking
    assert any(isinstance(item, Table) for item in assessed)


def test_a_call_nobody_rated_and_a_group_of_one_are_said_in_words() -> None:
    people, ratings = small_round()
    support = report.support_section(ratings, CALLS, "fr")
    assert "Personne n'a donné d'avis sur CTA-02 : ces appels apparaissent sans chiffres." in texts(support)
    assert any(isinstance(item, FigureWithAlt) for item in support)
    groups = report.groups_section(ratings, people, CALLS, "region", "fr")
    assert "1 groupe(s) de moins de 5 personnes ne sont pas affichés seuls." in texts(groups)
    html = "".join(item.to_html() for item in groups if isinstance(item, Table))
    assert "Europe" not in html  # the group of one appears nowhere on its own
    participation = report.participation_section(people, "region", "fr")
    table = next(item for item in participation if isinstance(item, Table)).to_html()
    assert "Europe" not in table and "moins de 5" in table


def test_a_dimension_the_export_lacked_is_explained() -> None:
    people, ratings = small_round()
    section = report.groups_section(ratings, people, CALLS, "constituency", "es")
    assert texts(section) == ["Las respuestas de esta ronda no indican tipo de organización: nada que comparar."]
    table = report.reweighting_section(ratings, people, CALLS, MEMBERS, "en")[0]
    assert list(table.frame.columns) == [
        "call",
        "Raw",
        "Each region counts the same",
        "By the network's composition (region)",
    ]


def test_first_round_and_new_calls() -> None:
    _, ratings = small_round()
    assert texts(report.change_section(ratings, CALLS, None, None, None, "fr")) == [report.say("first_round", "fr")]
    previous = ratings[ratings["call"] == "CTA-01"]
    section = report.change_section(ratings, CALLS, previous, CALLS[:1], "Avant", "fr")
    assert "Nouveaux appels, sans comparaison possible : CTA-02." in texts(section)


def test_trace_section_asks_says_does_and_diffs() -> None:
    from draftbook.analysis.coding import code_comments
    from draftbook.model.codebook import load_codebook
    from draftbook.model.decisions import Decision
    from tests.conftest import WORKBOOK_FIXTURE

    codebook = load_codebook(WORKBOOK_FIXTURE / "data" / "codebook.yml")
    _, ratings = small_round()
    comments = pd.DataFrame(
        {
            "respondent": ["r0"],
            "call": ["CTA-01"],
            "kind": ["call"],
            "language": ["en"],
            "text": ["Funding <script>x</script> matters"],
            "publishable": [True],
        }
    )
    before = [Call("CTA-01", "national-governments", "x", {"fr": "Donner des moyens", "en": "Give means", "es": "x"})]
    after = [Call("CTA-01", "national-governments", "x", {"fr": "Donner de vrais moyens", "en": "x", "es": "x"})]
    import datetime as dt

    decision = Decision("CTA-01", "reword", {"fr": "Plus précis."}, ("support",), dt.date(2022, 3, 1))
    blocks = report.trace_section(before, ratings, code_comments(comments, codebook), codebook, [decision], after, "fr")
    markup = blocks[0]._repr_mimebundle_()["text/html"]
    assert "Ce que nous avons demandé :</strong> Donner des moyens" in markup
    assert "Soutien 71 % (7 avis)" in markup and "Financement" in markup
    assert "&lt;script&gt;" in markup and "<script>" not in markup
    assert "Reformulé — Plus précis." in markup
    assert "<ins>" in markup and "vrais" in markup
    kept = report.trace_section(before, ratings, code_comments(comments, codebook), codebook, [], before, "en")
    assert "Kept as it is" in kept[0]._repr_mimebundle_()["text/html"]
