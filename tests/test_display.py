import pandas as pd
from matplotlib.figure import Figure

from draftbook.present.display import FigureWithAlt, Note, Table, interval, percent

LABEL = '<summary class="draftbook-call-label">'  # a call's label in a table cell, disclosing its text

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '=HYPERLINK("http://evil.example","clic")',
    "{{ 7*7 }} `code` **bold**",
]


def test_table_escapes_hostile_text_and_translates_headers() -> None:
    frame = pd.DataFrame({"call": ["CTA-01"] * len(HOSTILE), "text": HOSTILE})
    html = Table(frame, "Légende <b>", lang="en").to_html()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img" not in html
    assert "<caption>Légende &lt;b&gt;</caption>" in html
    assert "<th>Call</th>" in html
    assert "=HYPERLINK" in html  # shown as text, never evaluated


def test_table_formats_values_and_marks_missing_ones() -> None:
    frame = pd.DataFrame({"support": [0.456, float("nan")], "interval": [(0.4, 0.5), (float("nan"), float("nan"))]})
    shown = Table(frame, "c", {"support": percent, "interval": interval}).formatted()
    assert shown["Soutien (4-5)"].tolist() == ["46 %", "–"]
    assert shown["Intervalle à 95 %"].tolist() == ["40–50 %", "–"]


def test_figure_carries_escaped_alt_text_and_a_png() -> None:
    figure = Figure()
    figure.subplots().plot([1, 2])
    shown = FigureWithAlt(figure, 'Soutien "fort" <b>')
    bundle = shown._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG")
    assert 'alt="Soutien &quot;fort&quot; &lt;b&gt;"' in bundle["text/html"]


def test_note_escapes() -> None:
    assert Note("<b>x</b>")._repr_mimebundle_()["text/html"] == '<p class="draftbook-note">&lt;b&gt;x&lt;/b&gt;</p>'


def test_points_never_show_minus_zero() -> None:
    from draftbook.present.display import points

    assert points(0.034) == "+3 pts"
    assert points(-0.004) == "0 pts"
    assert points(-0.25) == "-25 pts"


def test_a_call_column_shows_labels_disclosing_the_full_text_escaped() -> None:
    from draftbook.model.calls import Call

    calls = [
        Call("CTA-01", "national-governments", "x", {"en": HOSTILE[0]}, short={"en": HOSTILE[1]}),
        Call("CTA-02", "national-governments", "x", {"en": "Fund cities"}),  # no short title: its id
    ]
    frame = pd.DataFrame({"call": ["CTA-01", "CTA-02", "CTA-99"], "support": [0.5, 0.25, 0.1]}, index=[4, 2, 9])
    table = Table(frame, "c", {"support": percent}, "en", calls=calls)
    html = table.to_html()
    assert "<script>" not in html and "<img" not in html
    assert (
        f'<details class="draftbook-call">{LABEL}CTA-01 · &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</summary>'
        "<div>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</div></details>"
    ) in html
    assert f"{LABEL}CTA-02</summary><div>Fund cities</div>" in html
    assert "<td>CTA-99</td>" in html  # not a call of the list: shown as it is
    assert html.count("<details") == 2 and html.count("</details>") == 2
    assert list(table.frame["call"]) == ["CTA-01", "CTA-02", "CTA-99"]  # the data keeps the ids
    assert "CTA-01 · <img" in table._repr_mimebundle_()["text/plain"]  # plain text: the label
    with_text = Table(frame.assign(text=["a", "b", "c"]), "c", lang="en", calls=calls).to_html()
    assert "<details" not in with_text and "<td>CTA-01 · &lt;img" in with_text  # the text has its own column


def test_data_cannot_pose_as_a_disclosure_marker() -> None:
    from draftbook.present.display import Disclosure, frame_html

    forged = "\x02" + "0" * 16 + ":0\x03 <b>"
    frame = pd.DataFrame({"a": [Disclosure("s <i>", "d & e"), forged], "b": ["\x020:0\x03", 1]})
    html = frame_html(frame)
    assert f"{LABEL}s &lt;i&gt;</summary><div>d &amp; e</div>" in html
    assert html.count("<details") == 1 and "&lt;b&gt;" in html and "<b>" not in html
