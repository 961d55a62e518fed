"""Charts for the book: readable in print and on screen, colour-blind safe.

Every function returns a matplotlib Figure with a title; ``alt_text`` gives the
sentence a screen reader reads instead. Colours come from ColorBrewer's PuOr
diverging scheme, which stays distinct under the common colour-vision
deficiencies and in greyscale print.

Calls are named by their label, "CTA-07 · Professionalise cooperation" (``labels``:
call id -> label, from ``display.call_labels``; the id alone without it), wrapped at
``WRAP`` characters a line; the figures grow with the lines their labels take.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from draftbook.analysis.measures import MIN_GROUP

# PuOr, 5 classes: disagreement in orange, agreement in purple, neutral grey.
SCORE_COLOURS = {1: "#e66101", 2: "#fdb863", 3: "#d0d0d0", 4: "#b2abd2", 5: "#5e3c99"}
NO_OPINION_COLOUR = "#8c8c8c"
BAR_COLOUR = "#5e3c99"
MEMBER_COLOUR = "#fdb863"
SUPPRESSED_COLOUR = "#e0e0e0"
HEATMAP = "cividis"  # sequential, perceptually uniform, readable with colour-vision deficiencies

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "participation_title": "Qui a répondu : {by}",
        "represent_title": "Répondant·e·s et membres : {by}",
        "sample": "Répondant·e·s",
        "members": "Membres du réseau",
        "share": "Part",
        "groups_title": "Soutien par {by} (part d'accord, 4-5)",
        "too_few": "< {min_group}",
        "change_title": "Évolution du soutien depuis le tour précédent",
        "previous": "Tour précédent",
        "now": "Ce tour",
        "polarised": "polarisé",
        "represent_alt": "{n} groupes ; écart le plus grand : {group} ({gap:+.0f} points).",
        "groups_alt": (
            "Soutien de {calls} appels dans {groups} groupes ; "
            "cases grises : groupes de moins de {min_group} personnes, non affichés."
        ),
        "change_alt": "{n} appels comparés ; plus forte hausse : {up}, plus forte baisse : {down}.",
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
        "represent_title": "Respondents and members: {by}",
        "sample": "Respondents",
        "members": "Network members",
        "share": "Share",
        "groups_title": "Support by {by} (share agreeing, 4-5)",
        "too_few": "< {min_group}",
        "change_title": "Change in support since the previous round",
        "previous": "Previous round",
        "now": "This round",
        "polarised": "polarised",
        "represent_alt": "{n} groups; largest gap: {group} ({gap:+.0f} points).",
        "groups_alt": (
            "Support for {calls} calls in {groups} groups; grey cells: groups of fewer than {min_group}, not shown."
        ),
        "change_alt": "{n} calls compared; largest rise: {up}, largest fall: {down}.",
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
        "represent_title": "Participantes y miembros: {by}",
        "sample": "Participantes",
        "members": "Miembros de la red",
        "share": "Proporción",
        "groups_title": "Apoyo por {by} (proporción de acuerdo, 4-5)",
        "too_few": "< {min_group}",
        "change_title": "Evolución del apoyo desde la ronda anterior",
        "previous": "Ronda anterior",
        "now": "Esta ronda",
        "polarised": "polarizado",
        "represent_alt": "{n} grupos; mayor diferencia: {group} ({gap:+.0f} puntos).",
        "groups_alt": (
            "Apoyo a {calls} llamados en {groups} grupos; celdas grises: grupos de menos de {min_group}, no mostrados."
        ),
        "change_alt": "{n} llamados comparados; mayor aumento: {up}, mayor descenso: {down}.",
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


WRAP = 28  # characters per line of a call's label on an axis: legible at print width
PRINT_WIDTH = 7.5  # inches: the widest figure, so that its labels print at 8 points or more
LABEL_SIZE = 11  # points: the calls' labels on an axis (about 9 points once the figure is fitted to a printed page)


def text(key: str, lang: str) -> str:
    """A chart string in ``lang`` (French when the language is unknown), with the privacy threshold filled in."""
    return TEXT.get(lang, TEXT["fr"])[key].replace("{min_group}", str(MIN_GROUP))


def call_name(call: object, labels: Mapping[str, str] | None) -> str:
    """The label of ``call`` (its id when ``labels`` has none), on one line: for sentences and alt text."""
    return (labels or {}).get(str(call), str(call))


def wrapped(label: str, width: int = WRAP) -> str:
    """``label`` on lines of at most ``width`` characters (a longer word keeps its line), for an axis."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False)) or label


def row_height(names: Iterable[str], one_line: float) -> float:
    """The height (inches) of a row of a horizontal chart whose axis shows ``names``: one line's height
    when every name fits on one line, more when the longest name wraps."""
    lines = max((name.count("\n") + 1 for name in names), default=1)
    return max(one_line, 0.18 * lines + 0.06)


def participation_chart(table: pd.DataFrame, by: str, lang: str = "fr") -> Figure:
    """Horizontal bars of respondents per group (the output of ``analysis.participation``)."""
    ordered = table.iloc[::-1]
    # Figure() rather than pyplot: no global state, and Jupyter shows the figure once.
    fig = Figure(figsize=(7, 0.45 * len(table) + 1.2), layout="constrained")
    ax = fig.subplots()
    bars = ax.barh(ordered["label"], ordered["respondents"].fillna(0), color=BAR_COLOUR)
    counts = [
        text("too_few", lang) if pd.isna(n) else f"{int(n)} ({share:.0%})"
        for n, share in zip(ordered["respondents"], ordered["share"], strict=True)
    ]
    ax.bar_label(bars, labels=counts, padding=3)
    ax.set_title(text("participation_title", lang).format(by=text(by, lang)), loc="left", fontsize=12)
    ax.set_xlabel(text("respondents", lang))
    largest = table["respondents"].max() if len(table) else 1
    ax.set_xlim(0, max(1.0, 0.0 if pd.isna(largest) else float(largest)) * 1.25)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def support_chart(table: pd.DataFrame, lang: str = "fr", labels: Mapping[str, str] | None = None) -> Figure:
    """Diverging stacked bars per call, centred on the neutral answer; no opinion apart.

    ``table`` is the output of ``analysis.support_table``; ``labels`` names the calls.
    """
    ordered = table.iloc[::-1].reset_index(drop=True)
    names_with_flags = [
        wrapped(f"{call_name(call, labels)} ({text('polarised', lang)})" if flag else call_name(call, labels))
        for call, flag in zip(ordered["call"], ordered.get("polarised", [False] * len(ordered)), strict=True)
    ]
    height = row_height(names_with_flags, 0.42) * len(ordered) + 1.8
    fig = Figure(figsize=(PRINT_WIDTH, height), layout="constrained")
    ax, ax_none = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [5, 1]})
    names = text("scores", lang).split("|")
    y = range(len(ordered))
    left = -(ordered["share_1"] + ordered["share_2"] + ordered["share_3"] / 2).fillna(0)
    for score in (1, 2, 3, 4, 5):
        widths = ordered[f"share_{score}"].fillna(0)
        ax.barh(list(y), widths, left=left, color=SCORE_COLOURS[score], label=names[score - 1], edgecolor="white")
        left = left + widths
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(list(y), names_with_flags, fontsize=LABEL_SIZE, parse_math=False)
    ax.set_xlim(-1, 1)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["100 %", "50 %", "0", "50 %", "100 %"])
    ax.set_xlabel(text("share_opinions", lang))
    handles, levels = ax.get_legend_handles_labels()
    # Below the bars, inside the figure (the layout makes room); on two rows when the names are long.
    fig.legend(
        handles, levels, loc="outside lower center", ncols=5 if len("".join(names)) <= 55 else 3, fontsize=9,
        frameon=False,
    )  # fmt: skip
    ax.spines[["top", "right"]].set_visible(False)
    ax_none.barh(list(y), ordered["no_opinion_share"].fillna(0), color=NO_OPINION_COLOUR)
    ax_none.set_xlim(0, max(0.3, float(ordered["no_opinion_share"].max() or 0) * 1.2))
    ax_none.set_title(text("no_opinion", lang), fontsize=10, loc="right")  # wider than its panel: grows left
    ax_none.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax_none.spines[["top", "right"]].set_visible(False)
    fig.suptitle(text("support_title", lang), x=0.02, ha="left", fontsize=12)
    return fig


def support_alt_text(table: pd.DataFrame, lang: str = "fr", labels: Mapping[str, str] | None = None) -> str:
    """A one-sentence description of the support chart for screen readers, in ``lang``, calls named by label."""
    valid = table.dropna(subset=["support"])
    if valid.empty:
        return text("support_title", lang)
    ranked = valid.sort_values("support", ascending=False)
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return f"{text('support_title', lang)}. " + text("support_alt", lang).format(
        n=len(table),
        best=call_name(best["call"], labels),
        best_pct=_pct(best["support"]),
        worst=call_name(worst["call"], labels),
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


def representativeness_chart(table: pd.DataFrame, by: str, lang: str = "fr") -> Figure:
    """Paired bars per group: share of respondents next to share of members."""
    ordered = table.iloc[::-1].reset_index(drop=True)
    fig = Figure(figsize=(7, 0.55 * len(ordered) + 1.4), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(ordered))
    ax.barh(y + 0.2, ordered["share"].fillna(0), height=0.4, color=BAR_COLOUR, label=text("sample", lang))
    ax.barh(y - 0.2, ordered["membership"].fillna(0), height=0.4, color=MEMBER_COLOUR, label=text("members", lang))
    for row, share in enumerate(ordered["share"]):
        if pd.isna(share):
            ax.text(0.005, row + 0.2, text("too_few", lang), va="center", fontsize=8)
    ax.set_yticks(y, ordered["label"])
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(text("share", lang))
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(text("represent_title", lang).format(by=text(by, lang)), loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def representativeness_alt_text(table: pd.DataFrame, by: str, lang: str = "fr") -> str:
    title = text("represent_title", lang).format(by=text(by, lang))
    gaps = table.dropna(subset=["gap"])
    if gaps.empty:
        return title
    worst = gaps.iloc[int(gaps["gap"].abs().to_numpy().argmax())]
    return f"{title}. " + text("represent_alt", lang).format(n=len(table), group=worst["label"], gap=worst["gap"] * 100)


def group_heatmap(groups: pd.DataFrame, by: str, lang: str = "fr", labels: Mapping[str, str] | None = None) -> Figure:
    """Calls x groups, coloured by support; groups under the privacy threshold greyed out, unlabelled."""
    calls = list(dict.fromkeys(groups["call"]))
    names = [wrapped(call_name(call, labels)) for call in calls]
    columns = list(dict.fromkeys(groups["label"]))
    grid = groups.pivot_table(index="call", columns="label", values="support", aggfunc="first", dropna=False)
    grid = grid.reindex(index=calls, columns=columns)
    shown = groups.pivot_table(index="call", columns="label", values="shown", aggfunc="first").reindex(
        index=calls, columns=columns
    )
    longest = max((len(line) for name in names for line in name.split("\n")), default=6)
    width = min(PRINT_WIDTH, 0.55 * len(columns) + 1.9 + 0.07 * longest)
    fig = Figure(figsize=(width, row_height(names, 0.4) * len(calls) + 2.4), layout="constrained")
    ax = fig.subplots()
    cmap = colormaps[HEATMAP].with_extremes(bad=SUPPRESSED_COLOUR)
    image = ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for row in range(len(calls)):
        for col in range(len(columns)):
            value = float(grid.to_numpy(dtype=float)[row, col])
            if not bool(shown.iat[row, col]):
                ax.text(col, row, text("too_few", lang), ha="center", va="center", fontsize=7, color="#333333")
            elif not np.isnan(value):
                colour = "white" if value < 0.6 else "black"
                ax.text(col, row, f"{value:.0%}", ha="center", va="center", fontsize=9, color=colour)
    ax.set_xticks(range(len(columns)), columns, rotation=35, ha="right", fontsize=10)
    ax.set_yticks(range(len(calls)), names, fontsize=LABEL_SIZE, parse_math=False)
    fig.colorbar(image, ax=ax, shrink=0.6, format=lambda v, _: f"{v:.0%}")
    ax.set_title(text("groups_title", lang).format(by=text(by, lang)), loc="left", fontsize=12)
    return fig


def group_heatmap_alt_text(groups: pd.DataFrame, by: str, lang: str = "fr") -> str:
    title = text("groups_title", lang).format(by=text(by, lang))
    return f"{title}. " + text("groups_alt", lang).format(
        calls=groups["call"].nunique(), groups=groups["group"].nunique()
    )


def change_chart(change: pd.DataFrame, lang: str = "fr", labels: Mapping[str, str] | None = None) -> Figure:
    """A dumbbell per call: support in the previous round, then in this one."""
    compared = change.dropna(subset=["previous", "support"]).iloc[::-1].reset_index(drop=True)
    names = [wrapped(call_name(call, labels)) for call in compared["call"]]
    fig = Figure(figsize=(PRINT_WIDTH, row_height(names, 0.42) * max(len(compared), 1) + 1.6), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(compared))
    ax.hlines(y, compared["previous"], compared["support"], color="#9e9e9e", linewidth=2)
    ax.scatter(
        compared["previous"], y, color=MEMBER_COLOUR, edgecolor="#7a4b00", zorder=3, label=text("previous", lang)
    )
    ax.scatter(compared["support"], y, color=BAR_COLOUR, zorder=3, label=text("now", lang))
    ax.set_yticks(y, names, fontsize=LABEL_SIZE, parse_math=False)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(loc="lower left", frameon=False, fontsize=8)
    ax.set_title(text("change_title", lang), loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def change_alt_text(change: pd.DataFrame, lang: str = "fr", labels: Mapping[str, str] | None = None) -> str:
    compared = change.dropna(subset=["change"])
    if compared.empty:
        return text("change_title", lang)
    ranked = compared.sort_values("change")
    up, down = ranked.iloc[-1], ranked.iloc[0]
    return f"{text('change_title', lang)}. " + text("change_alt", lang).format(
        n=len(compared),
        up=f"{call_name(up['call'], labels)} ({up['change'] * 100:+.0f})",
        down=f"{call_name(down['call'], labels)} ({down['change'] * 100:+.0f})",
    )


def ranking_spec(
    normalised: pd.DataFrame,
    weights: dict[str, float],
    labels: dict[str, str],
    top_k: int,
    title: str,
    names: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """A Vega-Lite chart that re-ranks the calls in the browser: one slider per criterion.

    ``normalised`` holds each criterion scaled 0-1 across calls (index: call);
    the weighted mean is computed by a calculate transform, so moving a slider
    re-sorts the bars without a kernel. ``labels`` names the criteria, ``names``
    the calls on the axis (wrapped) and ``texts`` their full wording, in the tooltip
    (whose keys are ``headers``' words for "call", "text" and "score").
    """
    words = {"call": "call", "text": "text", "score": "score"} | dict(headers or {})
    criteria = list(normalised.columns)
    records: list[dict[str, Any]] = [
        {
            "call": str(call),
            "label": call_name(call, names),
            "axis": wrapped(call_name(call, names)),
            "text": (texts or {}).get(str(call), ""),
            **{c: float(row[c]) for c in criteria},
        }
        for call, row in normalised.iterrows()
    ]
    params = [
        {
            "name": f"w_{c}",
            "value": float(weights[c]),
            "bind": {"input": "range", "min": 0, "max": 5, "step": 0.5, "name": f"{labels[c]} "},
        }
        for c in criteria
    ]
    total = " + ".join(f"w_{c}" for c in criteria)
    weighted = " + ".join(f"w_{c} * datum['{c}']" for c in criteria)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start"},
        "width": 420,
        "height": {"step": max(22, 6 + 14 * max((r["axis"].count("\n") + 1 for r in records), default=1))},
        "params": params,
        "data": {"name": "calls", "values": records},
        "transform": [
            {"calculate": f"({weighted}) / max({total}, 1e-9)", "as": "score"},
            {"window": [{"op": "rank", "as": "rank"}], "sort": [{"field": "score", "order": "descending"}]},
            {"calculate": f"datum.rank <= {int(top_k)}", "as": "top"},
        ],
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "axis",
                "type": "nominal",
                "sort": {"field": "score", "order": "descending"},
                "title": None,
                "axis": {"labelExpr": "split(datum.value, '\\n')", "labelLimit": 260, "labelFontSize": 11},
            },
            "x": {"field": "score", "type": "quantitative", "scale": {"domain": [0, 1]}, "title": "score"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": words["call"]},
                *([{"field": "text", "type": "nominal", "title": words["text"]}] if texts else []),
                {"field": "score", "type": "quantitative", "format": ".2f", "title": words["score"]},
            ],
            "color": {
                "field": "top",
                "type": "nominal",
                "scale": {"domain": [True, False], "range": [BAR_COLOUR, MEMBER_COLOUR]},
                "legend": None,
            },
        },
    }
