"""The weighing panel, driven from Python: set widget values, read what it shows."""

from pathlib import Path

from draftbook.analysis.weighing import CRITERIA, Profile, load_profiles, save_profile
from draftbook.present.widgets import WeighingPanel
from tests.test_weighing import round_data

LABEL = '<summary class="draftbook-call-label">'  # a call's label in a table cell, disclosing its text


def panel(tmp_path: Path) -> WeighingPanel:
    data = round_data()
    data.assessments["CTA-02"].scores["urgency"] = 5  # the divisive call is the urgent one
    return WeighingPanel(data, tmp_path / "weights.yml", "r1", "en")


def first(panel: WeighingPanel) -> str:
    return str(panel.ranking().iloc[0]["call"])


def test_moving_a_slider_updates_the_ranking_and_the_chart(tmp_path: Path) -> None:
    shown = panel(tmp_path)
    assert first(shown) == "CTA-03"
    before_table, before_chart = shown.table.value, shown.chart.value
    assert f"{LABEL}CTA-03</summary>" in before_table and bytes(before_chart).startswith(b"\x89PNG")
    for criterion in CRITERIA:
        shown.sliders[criterion].value = 0.0 if criterion != "urgency" else 5.0
    assert first(shown) == "CTA-02"  # urgency alone puts the urgent call first
    assert shown.table.value != before_table and bytes(shown.chart.value) != bytes(before_chart)
    shown.sliders["urgency"].value = 0.0
    assert "all weights are zero" in shown.message.value


def test_method_and_grouping_choices_take_effect(tmp_path: Path) -> None:
    shown = panel(tmp_path)
    for criterion in CRITERIA:
        shown.sliders[criterion].value = 0.0
    shown.sliders["support"].value = 1.0
    shown.grouping.value = "membership-regions"  # africa (80 %) disagrees with CTA-02
    ranked = shown.ranking().set_index("call")
    assert ranked.loc["CTA-02", "rank"] == 3
    shown.method.value = "topsis"
    assert shown.ranking().iloc[0]["call"] in {"CTA-01", "CTA-03"}


def test_save_load_and_compare_profiles(tmp_path: Path) -> None:
    shown = panel(tmp_path)
    shown.sliders["urgency"].value = 4.0
    shown.name.value, shown.note.value = "urgent", "L'urgence d'abord"
    shown.save_button.click()
    assert "saved" in shown.message.value
    profile = load_profiles(tmp_path / "weights.yml")["urgent"]
    assert profile.weights["urgency"] == 4.0 and profile.note == "L'urgence d'abord" and profile.round == "r1"
    shown.save_button.click()  # same name again
    assert "already exists" in shown.message.value
    shown.overwrite.value = True
    shown.save_button.click()
    assert "saved" in shown.message.value
    save_profile(tmp_path / "weights.yml", Profile("support", dict.fromkeys(CRITERIA, 0.0) | {"support": 1.0}))
    shown.refresh_profiles()
    shown.loader.value = "support"
    assert shown.sliders["urgency"].value == 0.0 and shown.sliders["support"].value == 1.0
    shown.compared.value = ("urgent", "support")
    assert "<th>urgent</th>" in shown.comparison.value and "<th>support</th>" in shown.comparison.value
    assert "<th>Call</th>" in shown.comparison.value and f"{LABEL}CTA-01</summary>" in shown.comparison.value


def test_a_nameless_profile_is_not_saved(tmp_path: Path) -> None:
    shown = panel(tmp_path)
    shown.save_button.click()
    assert "Give the profile a name" in shown.message.value
    assert not (tmp_path / "weights.yml").exists()


def test_the_panel_names_calls_by_their_labels_escaped(tmp_path: Path) -> None:
    from draftbook.model.calls import Call

    shown = panel(tmp_path)
    shown.data.calls = [
        Call(c.id, c.addressee, c.theme, {"en": f"<i>Text</i> of {c.id}"}, short={"en": f"<b>Short</b> $ {c.id[-1]}"})
        for c in shown.data.calls
    ]
    shown.refresh()
    table = shown.table.value
    summary = f"{LABEL}CTA-03 · &lt;b&gt;Short&lt;/b&gt; $ 3</summary>"
    assert f"{summary}<div>&lt;i&gt;Text&lt;/i&gt; of CTA-03</div>" in table
    assert "<b>" not in table and "<i>" not in table
    assert bytes(shown.chart.value).startswith(b"\x89PNG")
    save_profile(tmp_path / "weights.yml", Profile("urgent", dict.fromkeys(CRITERIA, 1.0)))
    shown.refresh_profiles()
    shown.compared.value = ("urgent",)
    assert f"{LABEL}CTA-01 · &lt;b&gt;Short&lt;/b&gt; $ 1</summary>" in shown.comparison.value
