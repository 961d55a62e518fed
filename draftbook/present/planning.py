"""The planning section of a round page: how many respondents the next round needs, per group.

``planning_section`` returns what a notebook cell displays (a chart with its alt text, sentences and
an escaped table), like the sections of ``report``; the figures come from
``draftbook.analysis.planning`` (its docstring defines them). A group of fewer than ``MIN_GROUP``
respondents shows "fewer than 5" in place of its count, in the chart and in the table, and its gap is
given as "more than ..." (the needed number, which uses the whole round's answers, is shown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from draftbook.analysis import planning
from draftbook.analysis.measures import MIN_GROUP
from draftbook.model.calls import Call
from draftbook.model.languages import colon
from draftbook.present import report
from draftbook.present.charts import BAR_COLOUR, MEMBER_COLOUR
from draftbook.present.display import FigureWithAlt, Note, Table, percent

NEEDED_EDGE = "#7a4b00"  # a dark outline keeps the light orange bar visible in greyscale print

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Prochain tour{colon} répondant·e·s nécessaires par {by}",
        "subtitle": "pour connaître le soutien de chaque appel à ± {target} points près (intervalle à 95 %)",
        "answered": "Ont répondu à ce tour",
        "needed": "Nécessaires au prochain tour",
        "axis": "Répondant·e·s",
        "too_few": "< {min_group}",
        "untold_mark": "?",
        "alt": "{n} groupes ; {short} n'ont pas assez de répondant·e·s ; le plus grand besoin{colon} {group} "
        "({needed} nécessaires).",
        "goal": "Objectif{colon} connaître le soutien de chaque appel à ± {target} points près (intervalle de "
        "confiance à 95 %) dans chaque {by}. {short} groupe(s) sur {n} n'ont pas encore assez de répondant·e·s "
        "pour cela.",
        "goal_met": "Objectif{colon} connaître le soutien de chaque appel à ± {target} points près (intervalle de "
        "confiance à 95 %) dans chaque {by}. Chaque groupe a déjà assez de répondant·e·s pour cela.",
        "basis_note": "Quand un groupe a donné moins de {min_group} avis sur un appel, son besoin est calculé avec le "
        "soutien et la part de « sans avis » de tout le tour (colonne « Base »).",
        "untold": "Personne n'a donné d'avis sur {calls} dans ce tour{colon} impossible de dire combien de "
        "répondant·e·s il faudrait pour ces appels ; les chiffres portent sur les autres.",
        "caption": "Répondant·e·s nécessaires au prochain tour par {by} (soutien à ± {target} points près)",
        "col_answered": "Ont répondu",
        "col_needed": "Nécessaires",
        "col_gap": "Manquent",
        "col_call": "Appel le plus exigeant",
        "col_support": "Soutien retenu",
        "col_basis": "Base",
        "group": "le groupe",
        "overall": "tout le tour",
        "fewer": "moins de {min_group}",
        "more_than": "plus de {n}",
        "cannot_tell": "impossible à dire",
        "region": "région",
        "constituency": "type d'organisation",
    },
    "en": {
        "title": "Next round{colon} respondents needed by {by}",
        "subtitle": "to know the support for each call within ± {target} points (95 % interval)",
        "answered": "Answered this round",
        "needed": "Needed next round",
        "axis": "Respondents",
        "too_few": "< {min_group}",
        "untold_mark": "?",
        "alt": "{n} groups; {short} have too few respondents; largest need{colon} {group} ({needed} needed).",
        "goal": "Goal{colon} to know the support for each call within ± {target} points (95 % confidence interval) "
        "in each {by}. {short} group(s) out of {n} do not have enough respondents for that yet.",
        "goal_met": "Goal{colon} to know the support for each call within ± {target} points (95 % confidence "
        "interval) in each {by}. Every group already has enough respondents for that.",
        "basis_note": "Where a group gave fewer than {min_group} opinions on a call, its need is worked out from the "
        "support and the share of “no opinion” of the whole round (column “Basis”).",
        "untold": "Nobody gave an opinion on {calls} in this round{colon} there is no telling how many respondents "
        "these calls would need; the figures cover the other calls.",
        "caption": "Respondents needed next round by {by} (support within ± {target} points)",
        "col_answered": "Answered",
        "col_needed": "Needed",
        "col_gap": "Gap",
        "col_call": "Most demanding call",
        "col_support": "Support assumed",
        "col_basis": "Basis",
        "group": "group",
        "overall": "whole round",
        "fewer": "fewer than {min_group}",
        "more_than": "more than {n}",
        "cannot_tell": "cannot tell",
        "region": "region",
        "constituency": "constituency",
    },
    "es": {
        "title": "Próxima ronda{colon} participantes necesarios por {by}",
        "subtitle": "para conocer el apoyo a cada llamado con un margen de ± {target} puntos (intervalo al 95 %)",
        "answered": "Respondieron en esta ronda",
        "needed": "Necesarios en la próxima ronda",
        "axis": "Participantes",
        "too_few": "< {min_group}",
        "untold_mark": "?",
        "alt": "{n} grupos; {short} no tienen suficientes participantes; mayor necesidad{colon} {group} "
        "({needed} necesarios).",
        "goal": "Objetivo{colon} conocer el apoyo a cada llamado con un margen de ± {target} puntos (intervalo de "
        "confianza al 95 %) en cada {by}. {short} grupo(s) de {n} todavía no tienen suficientes participantes "
        "para ello.",
        "goal_met": "Objetivo{colon} conocer el apoyo a cada llamado con un margen de ± {target} puntos (intervalo "
        "de confianza al 95 %) en cada {by}. Cada grupo ya tiene suficientes participantes para ello.",
        "basis_note": "Cuando un grupo dio menos de {min_group} opiniones sobre un llamado, su necesidad se calcula "
        "con el apoyo y la proporción de «sin opinión» de toda la ronda (columna «Base»).",
        "untold": "Nadie opinó sobre {calls} en esta ronda{colon} no se puede saber cuántos participantes harían "
        "falta para esos llamados; las cifras se refieren a los demás.",
        "caption": "Participantes necesarios en la próxima ronda por {by} (apoyo con un margen de ± {target} puntos)",
        "col_answered": "Respondieron",
        "col_needed": "Necesarios",
        "col_gap": "Faltan",
        "col_call": "Llamado más exigente",
        "col_support": "Apoyo considerado",
        "col_basis": "Base",
        "group": "el grupo",
        "overall": "toda la ronda",
        "fewer": "menos de {min_group}",
        "more_than": "más de {n}",
        "cannot_tell": "no se puede saber",
        "region": "región",
        "constituency": "tipo de organización",
    },
}


def say(key: str, lang: str, **values: Any) -> str:
    """A sentence of this module in ``lang`` (French when the language is unknown)."""
    return TEXT.get(lang, TEXT["fr"])[key].format(**({"min_group": MIN_GROUP, "colon": colon(lang)} | values))


def target_points(target: float) -> str:
    """0.10 -> '10', 0.025 -> '2.5' (a half-width in percentage points)."""
    return f"{round(target * 100, 6):g}"


def _short(table: pd.DataFrame) -> int:
    """How many groups have fewer respondents than they need (a group whose need cannot be told is not counted)."""
    return int((table["gap"].fillna(0) > 0).sum())


def planning_chart(table: pd.DataFrame, by: str, lang: str = "fr", target: float = planning.DEFAULT_TARGET) -> Figure:
    """Paired horizontal bars per group: respondents this round, respondents needed next round.

    ``table`` is the output of ``analysis.planning.planning_table`` (first row on top). A small group's
    count is not drawn ("< 5" instead); a need that cannot be told shows "?".
    """
    ordered = table.iloc[::-1].reset_index(drop=True)
    fig = Figure(figsize=(7.5, 0.62 * max(len(ordered), 1) + 1.9), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(ordered))
    answered = ordered["answered"].where(ordered["shown"], 0).astype(float)
    needed = ordered["needed"].astype("Float64").fillna(0).astype(float)
    needed_label = say("needed", lang, target=target_points(target))
    bars_answered = ax.barh(y + 0.2, answered, height=0.4, color=BAR_COLOUR, label=say("answered", lang))
    bars_needed = ax.barh(
        y - 0.2, needed, height=0.4, color=MEMBER_COLOUR, edgecolor=NEEDED_EDGE, linewidth=0.8, label=needed_label
    )
    counts = [
        f"{int(n)}" if shown else say("too_few", lang) for n, shown in zip(answered, ordered["shown"], strict=True)
    ]
    needs = [say("untold_mark", lang) if pd.isna(n) else f"{int(n)}" for n in ordered["needed"]]
    ax.bar_label(bars_answered, labels=counts, padding=3, fontsize=9)
    ax.bar_label(bars_needed, labels=needs, padding=3, fontsize=9)
    ax.set_yticks(y, ordered["label"], fontsize=10)
    largest = max(float(answered.max()) if len(answered) else 0.0, float(needed.max()) if len(needed) else 0.0)
    ax.set_xlim(0, max(10.0, largest) * 1.15)
    ax.set_xlabel(say("axis", lang))
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)  # under the axis: never on a bar
    ax.spines[["top", "right"]].set_visible(False)
    title = f"{say('title', lang, by=say(by, lang))}\n{say('subtitle', lang, target=target_points(target))}"
    fig.suptitle(title, x=0.02, ha="left", fontsize=11)
    return fig


def planning_alt_text(table: pd.DataFrame, by: str, lang: str = "fr", target: float = planning.DEFAULT_TARGET) -> str:
    """A one-sentence description of the planning chart for screen readers, in ``lang`` (no small group's count)."""
    title = f"{say('title', lang, by=say(by, lang))} {say('subtitle', lang, target=target_points(target))}"
    told = table.dropna(subset=["needed"])
    if told.empty:
        return f"{title}."
    top = told.iloc[int(np.argmax(told["needed"].to_numpy(dtype=int)))]
    summary = say("alt", lang, n=len(table), short=_short(table), group=top["label"], needed=int(top["needed"]))
    return f"{title}. {summary}"


def planning_frame(table: pd.DataFrame, lang: str = "fr", names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The planning table as readers see it: headers in ``lang``, a small group's count and gap withheld,
    calls by their label (``names``: id -> "CTA-07 · short title"; the id without it)."""

    def count(value: Any) -> str:
        return say("cannot_tell", lang) if pd.isna(value) else f"{int(value)}"

    def gap(row: pd.Series) -> str:
        if pd.isna(row["needed"]):
            return say("cannot_tell", lang)
        if row["shown"]:
            return f"{int(row['gap'])}"
        # answered is 1 to MIN_GROUP - 1: the gap is more than needed - MIN_GROUP, and no more is said
        return say("more_than", lang, n=int(row["needed"]) - MIN_GROUP) if row["needed"] >= MIN_GROUP else "–"

    return pd.DataFrame(
        {
            "label": table["label"],
            say("col_answered", lang): [
                f"{int(n)}" if shown else say("fewer", lang)
                for n, shown in zip(table["answered"], table["shown"], strict=True)
            ],
            say("col_needed", lang): [count(n) for n in table["needed"]],
            say("col_gap", lang): [gap(row) for _, row in table.iterrows()],
            say("col_call", lang): [(names or {}).get(call, call) for call in table["call"]],
            say("col_support", lang): [percent(p) if not pd.isna(p) else "–" for p in table["support"]],
            "no_opinion_share": [percent(q) if not pd.isna(q) else "–" for q in table["no_opinion"]],
            say("col_basis", lang): [say(b, lang) if b else "–" for b in table["basis"]],
        }
    )


def _known(respondents: pd.DataFrame, by: str) -> bool:
    return not respondents.empty and bool((respondents[by] != planning.UNKNOWN).any())


def planning_section(
    ratings: pd.DataFrame,
    respondents: pd.DataFrame,
    calls: Sequence[Call],
    by: str,
    lang: str = "fr",
    target: float = planning.DEFAULT_TARGET,
) -> list[Any]:
    """Respondents this round against respondents needed next round per group of ``by``: chart, what to
    notice, table. ``target``: the half-width of the 95 % interval of support to reach (0.10: ± 10 points)."""
    if ratings.empty or respondents.empty:
        return [Note(report.say("no_answers", lang))]
    if not _known(respondents, by):
        return [Note(report.say("no_dimension", lang, by=report.say(by, lang)))]
    needs = planning.call_needs(ratings, respondents, calls, by, target, lang)
    table = planning.group_needs(needs)
    points, short = target_points(target), _short(table)
    goal = "goal_met" if short == 0 and bool(table["needed"].notna().all()) else "goal"
    shown: list[Any] = [
        FigureWithAlt(planning_chart(table, by, lang, target), planning_alt_text(table, by, lang, target)),
        Note(say(goal, lang, target=points, by=say(by, lang), short=short, n=len(table))),
    ]
    names = {call.id: call.label_in(lang) for call in calls}
    untold = planning.untold_calls(needs)
    if untold:  # a label may hold a comma: a semicolon between them
        shown.append(Note(say("untold", lang, calls="; ".join(names.get(c, c) for c in untold))))
    if (needs["basis"] == planning.OVERALL).any():
        shown.append(Note(say("basis_note", lang)))
    caption = say("caption", lang, by=say(by, lang), target=points)
    shown.append(Table(planning_frame(table, lang, names), caption, lang=lang))
    return shown
