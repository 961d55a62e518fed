import pandas as pd

from draftbook.analysis.measures import participation, support_table
from draftbook.model.calls import Call
from draftbook.present.charts import (
    SCORE_COLOURS,
    participation_alt_text,
    participation_chart,
    support_alt_text,
    support_chart,
)

CALLS = [Call(f"CTA-0{i}", "national-governments", "x", {"fr": "t", "en": "t", "es": "t"}) for i in (1, 2)]


def sample_support() -> pd.DataFrame:
    frame = pd.DataFrame(
        {"respondent": list("abcde"), "call": ["CTA-01"] * 3 + ["CTA-02"] * 2, "score": [5, 4, None, 1, 2]}
    )
    frame["score"] = frame["score"].astype("Int64")
    return support_table(frame, CALLS)


def test_participation_chart_has_a_bar_per_group_and_a_title_in_the_language() -> None:
    table = participation(pd.DataFrame({"region": ["africa", "europe", "africa"]}), "region", "es")
    figure = participation_chart(table, "region", "es")
    ax = figure.axes[0]
    assert len(ax.patches) == 2
    assert ax.get_title(loc="left") == "Quién respondió: región"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Europa", "África"]
    assert "3 participantes" in participation_alt_text(table, "region", "es")


def test_support_chart_diverges_around_neutral_and_shows_no_opinion_apart() -> None:
    table = sample_support()
    figure = support_chart(table, "en")
    main, no_opinion = figure.axes
    assert len(main.patches) == 2 * 5  # five answer levels per call
    colours = {patch.get_facecolor()[:3] for patch in main.patches}
    assert len(colours) == len(SCORE_COLOURS)
    # CTA-01 is all agreement: its bars sit right of zero.
    top = [p for p in main.patches if abs(p.get_y() + p.get_height() / 2 - 1) < 1e-9 and p.get_width() > 0]
    assert all(p.get_x() >= -1e-9 for p in top)
    assert no_opinion.get_title() == "No opinion"
    assert figure.get_suptitle() == "Distribution of answers per call to action"


def test_support_alt_text_names_the_extremes_in_each_language() -> None:
    table = sample_support()
    assert "CTA-01 (100%)" in support_alt_text(table, "en")
    assert "le plus faible : CTA-02 (0%)" in support_alt_text(table, "fr")


def test_group_heatmap_greys_out_small_groups() -> None:
    from draftbook.analysis.measures import group_support
    from draftbook.present.charts import group_heatmap, group_heatmap_alt_text

    respondents = pd.DataFrame({"respondent": [f"r{i}" for i in range(7)], "region": ["africa"] * 6 + ["europe"]})
    frame = pd.DataFrame({"respondent": respondents["respondent"], "call": "CTA-01", "score": [5, 4, 4, 1, 2, 5, 1]})
    frame["score"] = frame["score"].astype("Int64")
    groups = group_support(frame, respondents, CALLS, "region", "en")
    figure = group_heatmap(groups, "region", "en")
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert labels.count("< 5") == 2  # europe, for both calls
    assert "67%" in labels  # africa: 4 of 6 agree
    assert figure.axes[0].get_title(loc="left") == "Support by region (share agreeing, 4-5)"
    assert "grey cells" in group_heatmap_alt_text(groups, "region", "en")


def test_change_and_representativeness_charts() -> None:
    from draftbook.present.charts import (
        change_alt_text,
        change_chart,
        representativeness_alt_text,
        representativeness_chart,
    )

    change = pd.DataFrame(
        {"call": ["CTA-01", "CTA-02", "CTA-03"], "support": [0.8, 0.4, 0.5], "previous": [0.6, 0.5, None]}
    )
    change["change"] = change["support"] - change["previous"]
    figure = change_chart(change, "fr")
    assert len(figure.axes[0].collections) == 3  # lines, previous dots, current dots
    assert "CTA-01 (+20)" in change_alt_text(change, "fr") and "CTA-02 (-10)" in change_alt_text(change, "fr")
    table = pd.DataFrame({"label": ["Afrique", "Europe"], "share": [0.7, 0.3], "membership": [0.4, 0.5]})
    table["gap"] = table["share"] - table["membership"]
    chart = representativeness_chart(table, "region", "fr")
    assert len(chart.axes[0].patches) == 4
    assert "(+30 points)" in representativeness_alt_text(table, "region", "fr")


def test_participation_chart_marks_withheld_counts() -> None:
    from draftbook.analysis.measures import protect_groups

    table = protect_groups(participation(pd.DataFrame({"region": ["africa"] * 6 + ["europe"]}), "region", "en"), "en")
    figure = participation_chart(table, "region", "en")
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert labels == ["< 5", "6 (86%)"]  # bars are drawn bottom-up
