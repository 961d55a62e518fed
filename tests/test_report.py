"""The analysis sections on thin data: they say so in words and never crash."""

import pandas as pd

from draftbook.model.calls import Call
from draftbook.model.membership import Membership
from draftbook.present import report
from draftbook.present.display import FigureWithAlt, Note, Table

LABEL = '<summary class="draftbook-call-label">'  # a call's label in a table cell, disclosing its text

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


HOSTILE_SHORT = "<script>alert('short')</script> $x$"
LABELLED = [
    Call("CTA-01", "national-governments", "x", {"fr": "Donner des moyens <b>", "en": "Give means"},
         short={"fr": HOSTILE_SHORT, "en": "Means"}),
    Call("CTA-02", "national-governments", "x", {"fr": "Financer", "en": "Fund"}, short={"en": "Funding"}),
]  # fmt: skip


def html_of(items: list) -> str:  # type: ignore[type-arg]
    return "".join(item._repr_mimebundle_()["text/html"] for item in items if not isinstance(item, FigureWithAlt))


def test_sections_name_calls_by_their_labels_with_the_full_text_a_click_away() -> None:
    people, ratings = small_round()
    support = report.support_section(ratings, LABELLED, "en")
    figure = next(item for item in support if isinstance(item, FigureWithAlt))
    assert "CTA-01 · Means (71%)" in figure.alt
    assert "Nobody gave an opinion on CTA-02 · Funding: these calls appear without figures." in texts(support)
    table = next(item for item in support if isinstance(item, Table)).to_html()
    assert f'<details class="draftbook-call">{LABEL}CTA-01 · Means</summary><div>Give means</div></details>' in table
    groups = html_of(report.groups_section(ratings, people, LABELLED, "region", "en"))
    assert f"{LABEL}CTA-02 · Funding</summary><div>Fund</div>" in groups
    reweighted = html_of(report.reweighting_section(ratings, people, LABELLED, MEMBERS, "en"))
    assert f"{LABEL}CTA-01 · Means</summary>" in reweighted
    previous = ratings[ratings["call"] == "CTA-01"]
    change = report.change_section(ratings, LABELLED, previous, LABELLED[:1], "Before", "en")
    assert "New calls, with nothing to compare: CTA-02 · Funding." in texts(change)
    assert f"{LABEL}CTA-01 · Means</summary>" in html_of(change)


def test_a_hostile_short_title_stays_text_in_every_section() -> None:
    people, ratings = small_round()
    previous = ratings[ratings["call"] == "CTA-01"]
    sections = [
        *report.support_section(ratings, LABELLED, "fr"),
        *report.groups_section(ratings, people, LABELLED, "region", "fr"),
        *report.reweighting_section(ratings, people, LABELLED, MEMBERS, "fr"),
        *report.change_section(ratings, LABELLED, previous, LABELLED, "Avant", "fr"),
        *report.trace_section(LABELLED, ratings, pd.DataFrame(), {}, [], LABELLED[:1], "fr"),
    ]
    markup = html_of(sections)
    assert "<script>" not in markup and "<b>" not in markup
    assert "CTA-01 · &lt;script&gt;alert(&#x27;short&#x27;)&lt;/script&gt; $x$" in markup
    for item in sections:
        if isinstance(item, FigureWithAlt):
            assert item.png.startswith(b"\x89PNG")  # "$x$" drawn as text, not as mathtext
            assert 'alt="' in item.to_html() and "<script>" not in item.to_html()


def test_trace_and_digest_name_calls_by_their_labels() -> None:
    import datetime as dt

    from draftbook.analysis.coding import code_comments
    from draftbook.model.codebook import load_codebook
    from draftbook.model.decisions import Decision
    from tests.conftest import WORKBOOK_FIXTURE

    codebook = load_codebook(WORKBOOK_FIXTURE / "data" / "codebook.yml")
    _, ratings = small_round()
    merged = Call("CTA-14", "national-governments", "x", {"en": "Both"}, short={"en": "Merged call"})
    decisions = [Decision("CTA-01", "merge", {"en": "One call."}, ("support",), dt.date(2022, 3, 1), ("CTA-14",))]
    blocks = report.trace_section(LABELLED, ratings, pd.DataFrame(), codebook, decisions, [merged], "en")
    markup = html_of(blocks)
    assert "<h3>CTA-01 · Means</h3>" in markup and "<h3>CTA-02 · Funding</h3>" in markup
    assert "Merged (becomes CTA-14 · Merged call) — One call." in markup
    assert "<li><strong>CTA-14 · Merged call</strong> — Both</li>" in markup
    comments = pd.DataFrame(
        {"respondent": ["r0"], "call": ["CTA-01"], "kind": ["call"], "language": ["en"], "text": ["Funding matters"],
         "publishable": [True]}
    )  # fmt: skip
    coded = code_comments(comments, codebook)
    assert texts(report.digest_section(coded, LABELLED[0], codebook, "en"))[0].startswith("CTA-01 · Means: 1 comment")
    assert texts(report.digest_section(coded, LABELLED[1], codebook, "en")) == ["CTA-02 · Funding: no comments."]


def test_the_weighing_section_ranks_calls_by_label() -> None:
    from draftbook.analysis.weighing import CRITERIA, Profile
    from draftbook.present.display import VegaChart
    from tests.test_weighing import round_data

    data = round_data()
    data.calls = [
        Call(c.id, c.addressee, c.theme, {"en": f"Text of {c.id}"}, short={"en": f"Short {c.id[-1]}"})
        for c in data.calls
    ]
    section = report.weighing_section(data, Profile("p", dict.fromkeys(CRITERIA, 1.0)), "en", draws=5)
    ranking, stability = [item.to_html() for item in section if isinstance(item, Table)]
    assert f"{LABEL}CTA-03 · Short 3</summary><div>Text of CTA-03</div>" in ranking
    assert f"{LABEL}CTA-01 · Short 1</summary>" in stability
    chart = next(item for item in section if isinstance(item, VegaChart))
    labels = {r["label"] for r in chart.spec["data"]["values"]}
    assert labels == {"CTA-01 · Short 1", "CTA-02 · Short 2", "CTA-03 · Short 3"}
