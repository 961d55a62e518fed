"""Sections of the analysis pages: what a notebook cell displays, ready made.

Each function returns the objects to display (figures with alt text, escaped
tables, sentences), and says in words when there is nothing to show (an empty
round, a call nobody rated, a dimension the export did not have), so that the
notebooks stay one call per cell and never crash on thin data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from draftbook import analysis, charts
from draftbook.calls import Call
from draftbook.display import FigureWithAlt, Note, Table, interval, one_decimal, percent, points, two_decimals
from draftbook.membership import Membership

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "no_answers": "Aucune réponse n'a encore été saisie pour ce tour : les analyses apparaîtront après l'import.",
        "no_dimension": "Les réponses de ce tour n'indiquent pas de {by} : rien à comparer.",
        "summary": "{title} : {n} répondant·e·s{rate}.",
        "rate": " sur {invited} invité·e·s ({rate})",
        "unrated": "Personne n'a donné d'avis sur {calls} : ces appels apparaissent sans chiffres.",
        "polarised": "Appels polarisés (consensus inférieur à 0,5) : {calls}.",
        "no_polarised": "Aucun appel n'est polarisé (consensus de tous les appels supérieur ou égal à 0,5).",
        "first_round": "C'est le premier tour : il n'y a pas encore d'évolution à montrer.",
        "new_calls": "Nouveaux appels, sans comparaison possible : {calls}.",
        "small_groups": "{n} groupe(s) de moins de 5 personnes ne sont pas affichés seuls.",
        "participation_caption": "Répondant·e·s par {by}",
        "represent_caption": "Répondant·e·s et membres par {by} (écart en points)",
        "support_caption": "Soutien par appel à l'action",
        "cross_caption": "Soutien le plus faible parmi les groupes de 5 personnes ou plus ({by})",
        "reweight_caption": "Soutien brut et repondéré",
        "change_caption": "Évolution du soutien depuis « {title} »",
        "raw": "Brut",
        "equal": "Chaque {by} compte autant",
        "membership": "Selon la composition du réseau ({by})",
        "region": "région",
        "constituency": "type d'organisation",
        "language": "langue",
        "source": "source",
    },
    "en": {
        "no_answers": "No answers have been entered for this round yet: the analysis will appear after the ingest.",
        "no_dimension": "The answers of this round give no {by}: nothing to compare.",
        "summary": "{title}: {n} respondents{rate}.",
        "rate": " out of {invited} invited ({rate})",
        "unrated": "Nobody gave an opinion on {calls}: these calls appear without figures.",
        "polarised": "Polarised calls (consensus below 0.5): {calls}.",
        "no_polarised": "No call is polarised (every call has a consensus of 0.5 or more).",
        "first_round": "This is the first round: there is no change to show yet.",
        "new_calls": "New calls, with nothing to compare: {calls}.",
        "small_groups": "{n} group(s) of fewer than 5 people are not shown on their own.",
        "participation_caption": "Respondents by {by}",
        "represent_caption": "Respondents and members by {by} (gap in points)",
        "support_caption": "Support per call to action",
        "cross_caption": "Lowest support among groups of 5 people or more ({by})",
        "reweight_caption": "Raw and reweighted support",
        "change_caption": "Change in support since “{title}”",
        "raw": "Raw",
        "equal": "Each {by} counts the same",
        "membership": "By the network's composition ({by})",
        "region": "region",
        "constituency": "constituency",
        "language": "language",
        "source": "source",
    },
    "es": {
        "no_answers": (
            "Todavía no se han cargado respuestas para esta ronda: el análisis aparecerá después de la importación."
        ),
        "no_dimension": "Las respuestas de esta ronda no indican {by}: nada que comparar.",
        "summary": "{title}: {n} participantes{rate}.",
        "rate": " de {invited} invitados ({rate})",
        "unrated": "Nadie opinó sobre {calls}: estos llamados aparecen sin cifras.",
        "polarised": "Llamados polarizados (consenso inferior a 0,5): {calls}.",
        "no_polarised": "Ningún llamado está polarizado (todos tienen un consenso de 0,5 o más).",
        "first_round": "Es la primera ronda: todavía no hay evolución que mostrar.",
        "new_calls": "Llamados nuevos, sin comparación posible: {calls}.",
        "small_groups": "{n} grupo(s) de menos de 5 personas no se muestran por separado.",
        "participation_caption": "Participantes por {by}",
        "represent_caption": "Participantes y miembros por {by} (diferencia en puntos)",
        "support_caption": "Apoyo por llamado a la acción",
        "cross_caption": "Apoyo más bajo entre los grupos de 5 personas o más ({by})",
        "reweight_caption": "Apoyo bruto y reponderado",
        "change_caption": "Evolución del apoyo desde «{title}»",
        "raw": "Bruto",
        "equal": "Cada {by} cuenta lo mismo",
        "membership": "Según la composición de la red ({by})",
        "region": "región",
        "constituency": "tipo de organización",
        "language": "idioma",
        "source": "fuente",
    },
}


def say(key: str, lang: str, **values: Any) -> str:
    """A sentence of this module in ``lang`` (French when the language is unknown)."""
    return TEXT.get(lang, TEXT["fr"])[key].format(**values)


def summary(title: str, respondents: pd.DataFrame, invited: int | None, lang: str = "fr") -> list[Any]:
    """One sentence: how many answered, out of how many invited."""
    if respondents.empty:
        return [Note(say("no_answers", lang))]
    rate = analysis.response_rate(respondents, invited)
    rate_text = say("rate", lang, invited=invited, rate=percent(rate)) if rate is not None else ""
    return [Note(say("summary", lang, title=title, n=len(respondents), rate=rate_text))]


def _known(respondents: pd.DataFrame, by: str) -> bool:
    return not respondents.empty and bool((respondents[by] != "unknown").any())


def participation_section(respondents: pd.DataFrame, by: str, lang: str = "fr", chart: bool = True) -> list[Any]:
    """Respondents per group, small groups merged, as a chart and a table."""
    if respondents.empty:
        return [Note(say("no_answers", lang))]
    table = analysis.protect_groups(analysis.participation(respondents, by, lang), lang)
    shown: list[Any] = []
    if chart:
        shown.append(
            FigureWithAlt(
                charts.participation_chart(table, by, lang),
                charts.participation_alt_text(table, by, lang),
            )
        )
    caption = say("participation_caption", lang, by=say(by, lang))
    shown.append(Table(table.drop(columns="id"), caption, {"respondents": _count(lang), "share": percent}, lang))
    return shown


def representativeness_section(
    respondents: pd.DataFrame, membership: Membership, by: str, lang: str = "fr"
) -> list[Any]:
    """Who answered against who the members are, as a chart and a table with the gap."""
    if respondents.empty:
        return [Note(say("no_answers", lang))]
    if not _known(respondents, by):
        return [Note(say("no_dimension", lang, by=say(by, lang)))]
    table = analysis.representativeness(respondents, membership.shares(by), by, lang)
    caption = say("represent_caption", lang, by=say(by, lang))
    formats = {"respondents": _count(lang), "share": percent, "membership": percent, "gap": points}
    return [
        FigureWithAlt(
            charts.representativeness_chart(table, by, lang), charts.representativeness_alt_text(table, by, lang)
        ),
        Table(table.drop(columns="id"), caption, formats, lang),
    ]


def support_section(ratings: pd.DataFrame, calls: Sequence[Call], lang: str = "fr") -> list[Any]:
    """The full distribution per call (chart), the figures (table), and what to notice."""
    if ratings.empty:
        return [Note(say("no_answers", lang))]
    table = analysis.support_table(ratings, calls)
    shown: list[Any] = [FigureWithAlt(charts.support_chart(table, lang), charts.support_alt_text(table, lang))]
    unrated = table.loc[table["opinions"] == 0, "call"].tolist()
    if unrated:
        shown.append(Note(say("unrated", lang, calls=", ".join(unrated))))
    polarised = table.loc[table["polarised"], "call"].tolist()
    shown.append(Note(say("polarised", lang, calls=", ".join(polarised)) if polarised else say("no_polarised", lang)))
    formats = {
        "support": percent,
        "interval": interval,
        "median": one_decimal,
        "consensus": two_decimals,
        "polarised": _yes_no(lang),
        "no_opinion_share": percent,
    }
    shown.append(Table(analysis.support_summary(table, calls, lang), say("support_caption", lang), formats, lang))
    return shown


def groups_section(
    ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call], by: str, lang: str = "fr"
) -> list[Any]:
    """Support per group (heatmap, small groups greyed) and the lowest support among groups per call."""
    if ratings.empty:
        return [Note(say("no_answers", lang))]
    if not _known(respondents, by):
        return [Note(say("no_dimension", lang, by=say(by, lang)))]
    groups = analysis.group_support(ratings, respondents, calls, by, lang)
    shown: list[Any] = [
        FigureWithAlt(charts.group_heatmap(groups, by, lang), charts.group_heatmap_alt_text(groups, by, lang))
    ]
    hidden = groups.loc[~groups["shown"], "group"].nunique()
    if hidden:
        shown.append(Note(say("small_groups", lang, n=hidden)))
    cross = analysis.cross_group_support(groups, calls)
    caption = say("cross_caption", lang, by=say(by, lang))
    shown.append(Table(cross, caption, {"lowest_support": percent}, lang))
    return shown


def reweighting_section(
    ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call], membership: Membership, lang: str = "fr"
) -> list[Any]:
    """Raw support next to support where each region, each constituency, or the membership counts."""
    if ratings.empty:
        return [Note(say("no_answers", lang))]
    table = pd.DataFrame({"call": [call.id for call in calls]})
    table[say("raw", lang)] = analysis.support_table(ratings, calls)["support"].to_numpy()
    for by in ("region", "constituency"):
        if not _known(respondents, by):
            continue
        groups = analysis.group_support(ratings, respondents, calls, by, lang)
        for scheme in ("equal", "membership"):
            weights = analysis.group_weights(respondents, by, scheme, membership.shares(by))
            if weights is not None and sum(weights.values()) > 0:
                column = say(scheme, lang, by=say(by, lang))
                table[column] = analysis.reweighted_support(groups, weights).to_numpy()
    formats = {column: percent for column in table.columns if column != "call"}
    return [Table(table, say("reweight_caption", lang), formats, lang)]


def change_section(
    ratings: pd.DataFrame,
    calls: Sequence[Call],
    previous_ratings: pd.DataFrame | None,
    previous_calls: Sequence[Call] | None,
    previous_title: str | None,
    lang: str = "fr",
) -> list[Any]:
    """Support now against the previous round, for calls that carry over."""
    if previous_ratings is None or previous_calls is None or previous_title is None:
        return [Note(say("first_round", lang))]
    if ratings.empty or previous_ratings.empty:
        return [Note(say("no_answers", lang))]
    change = analysis.support_change(
        analysis.support_table(ratings, calls), analysis.support_table(previous_ratings, previous_calls), calls
    )
    shown: list[Any] = [FigureWithAlt(charts.change_chart(change, lang), charts.change_alt_text(change, lang))]
    new = change.loc[change["basis"] == "", "call"].tolist()
    if new:
        shown.append(Note(say("new_calls", lang, calls=", ".join(new))))
    formats = {"support": percent, "previous": percent, "change": points}
    shown.append(Table(change, say("change_caption", lang, title=previous_title), formats, lang))
    return shown


def _count(lang: str) -> Any:
    fewer = {"fr": "moins de 5", "en": "fewer than 5", "es": "menos de 5"}.get(lang, "moins de 5")

    def count(value: Any) -> str:
        return fewer if pd.isna(value) else f"{int(value)}"

    count.handles_missing = True  # type: ignore[attr-defined]
    return count


def _yes_no(lang: str) -> Any:
    yes = {"fr": "oui", "en": "yes", "es": "sí"}.get(lang, "oui")
    return lambda value: yes if value else ""
