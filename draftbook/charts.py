"""Charts for the book: readable in print and on screen, colour-blind safe.

Every function returns a matplotlib Figure with a title; ``alt_text`` gives the
sentence a screen reader reads instead. Colours come from ColorBrewer's PuOr
diverging scheme, which stays distinct under the common colour-vision
deficiencies and in greyscale print.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

# PuOr, 5 classes: disagreement in orange, agreement in purple, neutral grey.
SCORE_COLOURS = {1: "#e66101", 2: "#fdb863", 3: "#d0d0d0", 4: "#b2abd2", 5: "#5e3c99"}
NO_OPINION_COLOUR = "#8c8c8c"
BAR_COLOUR = "#5e3c99"

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "participation_title": "Qui a répondu : {by}",
        "respondents": "Répondant·e·s",
        "support_title": "Répartition des réponses par appel à l'action",
        "share_opinions": "Part des réponses exprimant un avis",
        "no_opinion": "Sans avis",
        "scores": "Pas du tout d'accord|Pas d'accord|Neutre|D'accord|Tout à fait d'accord",
        "support_alt": (
            "{n} appels ; soutien le plus fort : {best} ({best_pct}), le plus faible : {worst} ({worst_pct})."
        ),
        "participation_alt": "{total} répondant·e·s ; le groupe le plus nombreux : {top} ({top_n}).",
        "region": "région",
        "constituency": "type d'organisation",
        "language": "langue",
        "source": "source",
    },
    "en": {
        "participation_title": "Who answered: {by}",
        "respondents": "Respondents",
        "support_title": "Distribution of answers per call to action",
        "share_opinions": "Share of answers with an opinion",
        "no_opinion": "No opinion",
        "scores": "Strongly disagree|Disagree|Neutral|Agree|Strongly agree",
        "support_alt": "{n} calls; highest support: {best} ({best_pct}), lowest: {worst} ({worst_pct}).",
        "participation_alt": "{total} respondents; largest group: {top} ({top_n}).",
        "region": "region",
        "constituency": "constituency",
        "language": "language",
        "source": "source",
    },
    "es": {
        "participation_title": "Quién respondió: {by}",
        "respondents": "Participantes",
        "support_title": "Distribución de las respuestas por llamado a la acción",
        "share_opinions": "Proporción de respuestas con opinión",
        "no_opinion": "Sin opinión",
        "scores": "Totalmente en desacuerdo|En desacuerdo|Neutral|De acuerdo|Totalmente de acuerdo",
        "support_alt": "{n} llamados; mayor apoyo: {best} ({best_pct}), menor: {worst} ({worst_pct}).",
        "participation_alt": "{total} participantes; grupo más numeroso: {top} ({top_n}).",
        "region": "región",
        "constituency": "tipo de organización",
        "language": "idioma",
        "source": "fuente",
    },
}


def text(key: str, lang: str) -> str:
    """A chart string in ``lang`` (French when the language is unknown)."""
    return TEXT.get(lang, TEXT["fr"])[key]


def participation_chart(table: pd.DataFrame, by: str, lang: str = "fr") -> Figure:
    """Horizontal bars of respondents per group (the output of ``analysis.participation``)."""
    ordered = table.iloc[::-1]
    # Figure() rather than pyplot: no global state, and Jupyter shows the figure once.
    fig = Figure(figsize=(7, 0.45 * len(table) + 1.2), layout="constrained")
    ax = fig.subplots()
    bars = ax.barh(ordered["label"], ordered["respondents"], color=BAR_COLOUR)
    counts = [f"{n} ({share:.0%})" for n, share in zip(ordered["respondents"], ordered["share"], strict=True)]
    ax.bar_label(bars, labels=counts, padding=3)
    ax.set_title(text("participation_title", lang).format(by=text(by, lang)), loc="left", fontsize=12)
    ax.set_xlabel(text("respondents", lang))
    ax.set_xlim(0, max(1, int(table["respondents"].max() if len(table) else 1)) * 1.25)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def support_chart(table: pd.DataFrame, lang: str = "fr") -> Figure:
    """Diverging stacked bars per call, centred on the neutral answer; no opinion apart.

    ``table`` is the output of ``analysis.support_table``.
    """
    ordered = table.iloc[::-1].reset_index(drop=True)
    height = 0.42 * len(ordered) + 1.8
    fig = Figure(figsize=(9, height), layout="constrained")
    ax, ax_none = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [5, 1]})
    names = text("scores", lang).split("|")
    y = range(len(ordered))
    left = -(ordered["share_1"] + ordered["share_2"] + ordered["share_3"] / 2).fillna(0)
    for score in (1, 2, 3, 4, 5):
        widths = ordered[f"share_{score}"].fillna(0)
        ax.barh(list(y), widths, left=left, color=SCORE_COLOURS[score], label=names[score - 1], edgecolor="white")
        left = left + widths
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(list(y), ordered["call"])
    ax.set_xlim(-1, 1)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["100 %", "50 %", "0", "50 %", "100 %"])
    ax.set_xlabel(text("share_opinions", lang))
    ax.legend(
        ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(height, 1)), fontsize=8, frameon=False
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax_none.barh(list(y), ordered["no_opinion_share"].fillna(0), color=NO_OPINION_COLOUR)
    ax_none.set_xlim(0, max(0.3, float(ordered["no_opinion_share"].max() or 0) * 1.2))
    ax_none.set_title(text("no_opinion", lang), fontsize=10)
    ax_none.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax_none.spines[["top", "right"]].set_visible(False)
    fig.suptitle(text("support_title", lang), x=0.02, ha="left", fontsize=12)
    return fig


def support_alt_text(table: pd.DataFrame, lang: str = "fr") -> str:
    """A one-sentence description of the support chart for screen readers, in ``lang``."""
    valid = table.dropna(subset=["support"])
    if valid.empty:
        return text("support_title", lang)
    ranked = valid.sort_values("support", ascending=False)
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return f"{text('support_title', lang)}. " + text("support_alt", lang).format(
        n=len(table),
        best=best["call"],
        best_pct=_pct(best["support"]),
        worst=worst["call"],
        worst_pct=_pct(worst["support"]),
    )


def participation_alt_text(table: pd.DataFrame, by: str, lang: str = "fr") -> str:
    """A one-sentence description of a participation chart for screen readers, in ``lang``."""
    title = text("participation_title", lang).format(by=text(by, lang))
    if table.empty:
        return title
    top = table.iloc[0]
    return f"{title}. " + text("participation_alt", lang).format(
        total=int(table["respondents"].sum()), top=top["label"], top_n=int(top["respondents"])
    )


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"
