"""The opinion groups of a round as readers see them: a map, a table of the groups, what unites and divides.

``opinions_section`` returns the objects a notebook cell displays, like the sections of ``report``.
The map places each respondent on the first two components, coloured (and shaped) by group; it
carries no label, name or annotation of any point. Colours are the Okabe-Ito palette (distinct under
the common colour-vision deficiencies), each group also has its own marker so that the map reads in
greyscale print. When the round is too small or its answers form no distinct groups, the section
says so in words and draws nothing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from draftbook.analysis import opinions as analysis
from draftbook.analysis.measures import MIN_GROUP, OTHER_GROUPS
from draftbook.model.calls import Call
from draftbook.model.languages import colon
from draftbook.model.vocabulary import label
from draftbook.present import report
from draftbook.present.display import FigureWithAlt, HtmlBlock, Note, Table, percent, points

# Okabe & Ito (2008): blue, orange, bluish green, reddish purple, vermillion. Shapes repeat the colour.
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00")
GROUP_MARKERS = ("o", "s", "^", "D", "v")
PRINT_WIDTH = 16 / 2.54  # inches: a page at print width
SEMICOLON = {"fr": " ; ", "en": "; ", "es": "; "}
MAIN_CELLS = 3  # regions or constituencies named per group; the rest is counted together

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "group": "Groupe {n}",
        "legend": "Groupe {n} (n={size})",
        "title": "Groupes d'opinion : les répondant·e·s selon leurs réponses",
        "axis": "Composante {n} ({share} de la variance)",
        "alt": "{n} répondant·e·s placé·e·s selon les deux premières composantes de leurs réponses, "
        "en {k} groupes : {sizes}. Aucun point n'est nommé.",
        "sizes": "groupe {n} : {size} personnes",
        "found": "Les {n} répondant·e·s qui ont donné au moins un avis forment {k} groupes d'opinion "
        "(silhouette {silhouette} : structure {strength}).",
        "weak": "faible, qui peut être un artefact de la méthode",
        "reasonable": "nette",
        "strong": "forte",
        "left_out": "{n} répondant·e·s sans aucun avis ne sont pas compté·e·s.",
        "no_opinions": "Personne n'a donné d'avis sur les appels de ce tour : il n'y a pas de groupes à chercher.",
        "too_small": "Répondant·e·s ayant donné au moins un avis : {n}. Il en faut au moins {min} pour chercher "
        "des groupes d'opinion ; aucun groupe n'est calculé pour ce tour.",
        "not_distinct": "Les {n} répondant·e·s qui ont donné au moins un avis ne forment pas de groupes distincts : "
        "la meilleure séparation trouvée ({k} groupes) a une silhouette de {silhouette}, pas plus de {threshold}, "
        "seuil sous lequel on ne trouve pas de structure substantielle (Kaufman et Rousseeuw). Les avis varient "
        "de façon continue plutôt que par camps ; aucun groupe n'est montré.",
        "alike": "Les {n} répondant·e·s qui ont donné au moins un avis ne forment pas de groupes distincts : leurs "
        "réponses sont identiques, ou seules quelques personnes s'en écartent (moins de {min_group}, jamais "
        "montrées seules). Aucun groupe n'est montré.",
        "table": "Les groupes d'opinion : taille et composition (moins de {min_group} personnes : regroupées)",
        "constituencies": "Types d'organisation",
        "other": "autres",
        "unite": "Appels qui rassemblent (soutenus par une majorité dans chaque groupe)",
        "unite_item": "soutien le plus faible {lowest}",
        "no_unite": "aucun : pas un appel n'est soutenu par une majorité dans chaque groupe.",
        "divide": "Appels qui divisent (plus grand écart de soutien entre les groupes)",
        "divide_item": "écart de {spread} : {high} dans le groupe {high_group}, {low} dans le groupe {low_group}",
        "no_divide": "aucun : le soutien ne diffère de {floor} points ou plus entre les groupes pour aucun appel "
        "qui ne les rassemble pas.",
        "support": "Soutien (4-5) par groupe d'opinion",
    },
    "en": {
        "group": "Group {n}",
        "legend": "Group {n} (n={size})",
        "title": "Opinion groups: respondents placed by their answers",
        "axis": "Component {n} ({share} of the variance)",
        "alt": "{n} respondents placed on the first two components of their answers, in {k} groups: {sizes}. "
        "No point is named.",
        "sizes": "group {n}: {size} people",
        "found": "The {n} respondents who gave at least one opinion form {k} opinion groups "
        "(silhouette {silhouette}: {strength} structure).",
        "weak": "a weak",
        "reasonable": "a clear",
        "strong": "a strong",
        "left_out": "{n} respondents without any opinion are not counted.",
        "no_opinions": "Nobody gave an opinion on the calls of this round: there are no groups to look for.",
        "too_small": "Respondents who gave at least one opinion: {n}. At least {min} are needed to look for "
        "opinion groups; no groups are computed for this round.",
        "not_distinct": "The {n} respondents who gave at least one opinion do not form distinct groups: the best "
        "split found ({k} groups) has a silhouette of {silhouette}, no more than {threshold}, the bound below which "
        "no substantial structure is found (Kaufman and Rousseeuw). Opinions vary continuously rather than in "
        "camps; no groups are shown.",
        "alike": "The {n} respondents who gave at least one opinion do not form distinct groups: their answers are "
        "identical, or only a few people differ from the rest (fewer than {min_group}, never shown on their own). "
        "No groups are shown.",
        "table": "The opinion groups: size and make-up (fewer than {min_group} people: merged)",
        "constituencies": "Constituencies",
        "other": "others",
        "unite": "Calls that unite (supported by a majority in every group)",
        "unite_item": "lowest support {lowest}",
        "no_unite": "none: no call is supported by a majority in every group.",
        "divide": "Calls that divide (widest gap in support between the groups)",
        "divide_item": "gap of {spread}: {high} in group {high_group}, {low} in group {low_group}",
        "no_divide": "none: for no call that does not unite them does support differ by {floor} points or more "
        "between the groups.",
        "support": "Support (4-5) by opinion group",
    },
    "es": {
        "group": "Grupo {n}",
        "legend": "Grupo {n} (n={size})",
        "title": "Grupos de opinión: los participantes según sus respuestas",
        "axis": "Componente {n} ({share} de la varianza)",
        "alt": "{n} participantes situados según los dos primeros componentes de sus respuestas, en {k} grupos: "
        "{sizes}. Ningún punto lleva nombre.",
        "sizes": "grupo {n}: {size} personas",
        "found": "Los {n} participantes que dieron al menos una opinión forman {k} grupos de opinión "
        "(silueta {silhouette}: estructura {strength}).",
        "weak": "débil, que puede ser un artefacto del método",
        "reasonable": "clara",
        "strong": "fuerte",
        "left_out": "{n} participantes sin ninguna opinión no se cuentan.",
        "no_opinions": "Nadie opinó sobre los llamados de esta ronda: no hay grupos que buscar.",
        "too_small": "Participantes que dieron al menos una opinión: {n}. Se necesitan al menos {min} para buscar "
        "grupos de opinión; no se calcula ningún grupo para esta ronda.",
        "not_distinct": "Los {n} participantes que dieron al menos una opinión no forman grupos distintos: la mejor "
        "separación encontrada ({k} grupos) tiene una silueta de {silhouette}, no más de {threshold}, umbral por "
        "debajo del cual no se encuentra una estructura sustancial (Kaufman y Rousseeuw). Las opiniones varían de "
        "forma continua más que por bandos; no se muestra ningún grupo.",
        "alike": "Los {n} participantes que dieron al menos una opinión no forman grupos distintos: sus respuestas "
        "son idénticas, o solo unas pocas personas se apartan del resto (menos de {min_group}, nunca mostradas por "
        "separado). No se muestra ningún grupo.",
        "table": "Los grupos de opinión: tamaño y composición (menos de {min_group} personas: agrupadas)",
        "constituencies": "Tipos de organización",
        "other": "otros",
        "unite": "Llamados que unen (apoyados por una mayoría en cada grupo)",
        "unite_item": "apoyo más bajo {lowest}",
        "no_unite": "ninguno: ningún llamado cuenta con el apoyo de una mayoría en cada grupo.",
        "divide": "Llamados que dividen (mayor diferencia de apoyo entre los grupos)",
        "divide_item": "diferencia de {spread}: {high} en el grupo {high_group}, {low} en el grupo {low_group}",
        "no_divide": "ninguno: para ningún llamado que no los una difiere el apoyo en {floor} puntos o más entre "
        "los grupos.",
        "support": "Apoyo (4-5) por grupo de opinión",
    },
}


def say(key: str, lang: str, **values: Any) -> str:
    """A sentence of this module in ``lang`` (French when the language is unknown)."""
    return TEXT.get(lang, TEXT["fr"])[key].format(**({"min_group": MIN_GROUP} | values))


def decimal(value: float, lang: str) -> str:
    """0.4123 -> "0,41" in French and Spanish prose, "0.41" in English."""
    written = f"{value:.2f}"
    return written if lang == "en" else written.replace(".", ",")


def strength(silhouette: float) -> str:
    """Kaufman and Rousseeuw's reading of an average silhouette above 0.25: weak, reasonable or strong."""
    return "weak" if silhouette <= 0.5 else "reasonable" if silhouette <= 0.7 else "strong"


def opinions_chart(groups: analysis.OpinionGroups, lang: str = "fr") -> Figure:
    """Respondents on the first two components, coloured and shaped by group; no point is labelled."""
    fig = Figure(figsize=(PRINT_WIDTH, 0.8 * PRINT_WIDTH), layout="constrained")
    ax = fig.subplots()
    points_ = groups.coordinates
    for group, size in enumerate(groups.sizes, start=1):
        own = points_[points_["group"] == group]
        ax.scatter(
            own["x"], own["y"], s=26, alpha=0.8, color=GROUP_COLOURS[(group - 1) % len(GROUP_COLOURS)],
            marker=GROUP_MARKERS[(group - 1) % len(GROUP_MARKERS)], edgecolor="white", linewidth=0.5,
            label=say("legend", lang, n=group, size=size),
        )  # fmt: skip
    ax.axhline(0, color="#bbbbbb", linewidth=0.6, zorder=0)
    ax.axvline(0, color="#bbbbbb", linewidth=0.6, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")  # distances read the same across and up
    ax.set_xticks([])
    ax.set_yticks([])  # a component has no unit: only the distances between points mean something
    ax.set_xlabel(say("axis", lang, n=1, share=percent(groups.explained[0])), fontsize=10)
    ax.set_ylabel(say("axis", lang, n=2, share=percent(groups.explained[1])), fontsize=10)
    ax.set_title(say("title", lang), loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    handles, names = ax.get_legend_handles_labels()
    ncols = len(handles) if len(handles) <= 3 else math.ceil(len(handles) / 2)
    order = _row_by_row(len(handles), ncols)
    fig.legend(
        [handles[i] for i in order], [names[i] for i in order], loc="outside lower center", ncols=ncols,
        frameon=False, fontsize=10, markerscale=1.4,
    )  # fmt: skip
    return fig


def _row_by_row(count: int, ncols: int) -> list[int]:
    """The order that makes matplotlib's column-by-column legend read row by row (group 1, 2, 3 on top)."""
    rows = math.ceil(count / ncols) if count else 0
    return [row * ncols + col for col in range(ncols) for row in range(rows) if row * ncols + col < count]


def opinions_alt_text(groups: analysis.OpinionGroups, lang: str = "fr") -> str:
    """A description of the map for screen readers, in ``lang``."""
    sizes = SEMICOLON.get(lang, "; ").join(
        say("sizes", lang, n=n, size=size) for n, size in enumerate(groups.sizes, start=1)
    )
    return f"{say('title', lang)}. " + say("alt", lang, n=groups.respondents, k=groups.k, sizes=sizes)


def groups_table(groups: analysis.OpinionGroups, lang: str = "fr") -> pd.DataFrame:
    """One row per group: its name, size, share, and its main regions and constituencies (merged cells only)."""
    rows = []
    for group, size in enumerate(groups.sizes, start=1):
        rows.append(
            {
                "label": say("group", lang, n=group),
                "respondents": size,
                "share": size / groups.respondents,
                "regions": _main(groups.composition, group, "region", lang),
                say("constituencies", lang): _main(groups.composition, group, "constituency", lang),
            }
        )
    return pd.DataFrame(rows)


def _main(composition: pd.DataFrame, group: int, by: str, lang: str) -> str:
    """ "Afrique 40, Europe 21, Asie-Pacifique 12, autres 9": the largest cells, the rest together."""
    cells = composition[(composition["group"] == group) & (composition["by"] == by)]
    named = cells[cells["id"] != OTHER_GROUPS]
    shown = named.head(MAIN_CELLS)
    rest = int(cells["respondents"].sum()) - int(shown["respondents"].sum())  # merged cells only: >= MIN_GROUP
    parts = [f"{label(by, str(i), lang)} {int(n)}" for i, n in zip(shown["id"], shown["respondents"], strict=True)]
    if rest:
        parts.append(f"{say('other', lang)} {rest}")
    return ", ".join(parts)


def support_by_group(groups: analysis.OpinionGroups, calls: Sequence[Call], lang: str = "fr") -> pd.DataFrame:
    """Support per call (rows, the call's label) and group (columns "Group 1", ...)."""
    names = {call.id: call.label_in(lang) for call in calls}
    table = groups.support.rename(columns=lambda g: say("group", lang, n=g)).reset_index()
    table["call"] = table["call"].map(names)
    return table


def unite_block(groups: analysis.OpinionGroups, calls: Sequence[Call], lang: str = "fr") -> HtmlBlock:
    """The calls a majority of every group supports, as a list (or a sentence saying there are none)."""
    names = {call.id: call.label_in(lang) for call in calls}
    items = [
        f"{names.get(call, call)} — {say('unite_item', lang, lowest=percent(lowest))}"
        for call, lowest in zip(groups.unite["call"], groups.unite["lowest"], strict=True)
    ]
    return _list_block(say("unite", lang), items, say("no_unite", lang), lang)


def divide_block(groups: analysis.OpinionGroups, calls: Sequence[Call], lang: str = "fr") -> HtmlBlock:
    """The calls whose support differs most between groups, with the gap, as a list."""
    names = {call.id: call.label_in(lang) for call in calls}
    items = []
    for row in groups.divide.to_dict("records"):
        gap = say(
            "divide_item",
            lang,
            spread=_gap(row["spread"]),
            high=percent(row["highest"]),
            high_group=row["highest_group"],
            low=percent(row["lowest"]),
            low_group=row["lowest_group"],
        )
        items.append(f"{names.get(row['call'], row['call'])} — {gap}")
    floor = round(analysis.DIVIDES_FROM * 100)
    return _list_block(say("divide", lang), items, say("no_divide", lang, floor=floor), lang)


def _gap(spread: float) -> str:
    """0.45 -> "45 pts" (a gap has no sign)."""
    return points(spread).lstrip("+")


def _list_block(title: str, items: list[str], none: str, lang: str) -> HtmlBlock:
    heading = f"<strong>{html.escape(title)}{colon(lang)}</strong>"
    if not items:
        return HtmlBlock(f"<p>{heading} {html.escape(none)}</p>")
    listed = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return HtmlBlock(f"<p>{heading}</p><ul>{listed}</ul>")


def status_note(groups: analysis.OpinionGroups, lang: str = "fr") -> Note:
    """In words: how many groups were found and how distinct they are, or why there are none."""
    n = groups.respondents
    if groups.status == analysis.NO_ANSWERS:
        return Note(say("no_opinions", lang))
    if groups.status == analysis.TOO_SMALL:
        return Note(say("too_small", lang, n=n, min=analysis.MIN_RESPONDENTS))
    if groups.status == analysis.NOT_DISTINCT:
        if math.isnan(groups.silhouette):
            return Note(say("alike", lang, n=n))
        best = max(groups.tried, key=lambda tried: tried[1])[0]
        return Note(
            say(
                "not_distinct",
                lang,
                n=n,
                k=best,
                silhouette=decimal(groups.silhouette, lang),
                threshold=decimal(analysis.DISTINCT_ABOVE, lang),
            )
        )
    silhouette = decimal(groups.silhouette, lang)
    return Note(
        say("found", lang, n=n, k=groups.k, silhouette=silhouette, strength=say(strength(groups.silhouette), lang))
    )


def opinions_section(
    ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call], lang: str = "fr"
) -> list[Any]:
    """The opinion groups of a round: what was found in words, the map, the groups, what unites and divides.

    When there are no groups to show (no answers, too few respondents, no distinct groups) the
    section says so in words and draws nothing.
    """
    if ratings.empty:
        return [Note(report.say("no_answers", lang))]
    groups = analysis.opinion_groups(ratings, respondents, calls)
    shown: list[Any] = [status_note(groups, lang)]
    if groups.left_out:
        shown.append(Note(say("left_out", lang, n=groups.left_out)))
    if not groups.found:
        return shown
    shown += [
        FigureWithAlt(opinions_chart(groups, lang), opinions_alt_text(groups, lang)),
        Table(groups_table(groups, lang), say("table", lang), {"share": percent}, lang),
        unite_block(groups, calls, lang),
        divide_block(groups, calls, lang),
    ]
    table = support_by_group(groups, calls, lang)
    formats = {column: percent for column in table.columns if column != "call"}
    shown.append(Table(table, say("support", lang), formats, lang))
    return shown
