import pandas as pd
from matplotlib.figure import Figure

from draftbook.present.display import FigureWithAlt, Note, Table, interval, percent

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
