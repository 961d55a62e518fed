import io

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
    assert no_opinion.get_title(loc="right") == "No opinion"
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


LONG = "Recognise local and regional governments"
LABELLED = [
    Call("CTA-01", "national-governments", "x", {"en": "One"}, short={"en": LONG}),
    Call("CTA-02", "national-governments", "x", {"en": "Two"}, short={"en": "Fund $5 for <b>cities</b>"}),
]
NAMES = {call.id: call.label_in("en") for call in LABELLED}


def ticks(axis) -> list[str]:  # type: ignore[no-untyped-def]
    """The y tick labels of a matplotlib Axes, bottom to top, each on one line again."""
    return [" ".join(t.get_text().split("\n")) for t in axis.get_yticklabels()]


def test_support_chart_names_calls_by_their_wrapped_labels() -> None:
    from draftbook.present.charts import WRAP

    table = sample_support()
    figure = support_chart(table, "en", NAMES)
    main = figure.axes[0]
    assert ticks(main) == ["CTA-02 · Fund $5 for <b>cities</b>", "CTA-01 · Recognise local and regional governments"]
    lines = [line for t in main.get_yticklabels() for line in t.get_text().split("\n")]
    assert all(len(line) <= WRAP for line in lines) and lines[-2].startswith("CTA-01 · ")  # wrapped, the id first
    assert not any(t.get_parse_math() for t in main.get_yticklabels())  # a "$" in a title is text, not mathtext
    figure.savefig(io.BytesIO(), format="png")  # renders
    alt = support_alt_text(table, "en", NAMES)
    assert "highest support: CTA-01 · Recognise local and regional governments (100%)" in alt
    assert "lowest: CTA-02 · Fund $5 for <b>cities</b> (0%)" in alt
    assert ticks(support_chart(table, "en").axes[0]) == ["CTA-02", "CTA-01"]  # no labels: the ids
    table.loc[1, "polarised"] = True
    assert ticks(support_chart(table, "en", NAMES).axes[0])[0] == "CTA-02 · Fund $5 for <b>cities</b> (polarised)"


def test_figures_grow_with_the_lines_of_their_labels() -> None:
    from draftbook.present.charts import PRINT_WIDTH

    table = sample_support()
    three_lines = {"CTA-01": "CTA-01 · A short title of sixty characters, on three lines"}
    short, wrapped = support_chart(table, "en", NAMES), support_chart(table, "en", three_lines)
    assert wrapped.get_size_inches()[1] > short.get_size_inches()[1]
    assert wrapped.get_size_inches()[0] <= PRINT_WIDTH


def test_group_heatmap_and_change_chart_name_calls_by_their_labels() -> None:
    from draftbook.analysis.measures import group_support
    from draftbook.present.charts import change_alt_text, change_chart, group_heatmap

    respondents = pd.DataFrame({"respondent": [f"r{i}" for i in range(6)], "region": ["africa"] * 6})
    frame = pd.DataFrame({"respondent": respondents["respondent"], "call": "CTA-01", "score": [5, 4, 4, 1, 2, 5]})
    frame["score"] = frame["score"].astype("Int64")
    heatmap = group_heatmap(group_support(frame, respondents, LABELLED, "region", "en"), "region", "en", NAMES)
    assert ticks(heatmap.axes[0]) == list(NAMES.values())  # imshow: first call on top, ticks in call order
    heatmap.savefig(io.BytesIO(), format="png")
    change = pd.DataFrame({"call": ["CTA-01", "CTA-02"], "support": [0.8, 0.4], "previous": [0.6, 0.5]})
    change["change"] = change["support"] - change["previous"]
    figure = change_chart(change, "en", NAMES)
    assert ticks(figure.axes[0]) == list(reversed(NAMES.values()))  # drawn bottom-up, first call on top
    figure.savefig(io.BytesIO(), format="png")
    alt = change_alt_text(change, "en", NAMES)
    assert "largest rise: CTA-01 · Recognise local and regional governments (+20)" in alt


def test_the_ranking_chart_names_calls_by_label_and_shows_their_text_on_hover() -> None:
    from draftbook.present.charts import ranking_spec

    scaled = pd.DataFrame({"support": [1.0, 0.0]}, index=pd.Index(["CTA-01", "CTA-02"], name="call"))
    texts = {call.id: call.text_in("en") for call in LABELLED}
    spec = ranking_spec(scaled, {"support": 1.0}, {"support": "Support"}, 1, "Ranking", NAMES, texts, {"call": "Call"})
    records = spec["data"]["values"]  # type: ignore[index]
    assert [r["label"] for r in records] == list(NAMES.values())
    assert records[0]["axis"] == "CTA-01 · Recognise local and\nregional governments"
    assert records[1]["text"] == "Two"
    encoding = spec["encoding"]
    assert encoding["y"]["field"] == "axis"  # type: ignore[index]
    assert [t["field"] for t in encoding["tooltip"]] == ["label", "text", "score"]  # type: ignore[index]
    assert encoding["tooltip"][0]["title"] == "Call"  # type: ignore[index]
