"""Sections of the analysis pages: what a notebook cell displays, ready made.

Each function returns the objects to display (figures with alt text, escaped
tables, sentences), and says in words when there is nothing to show (an empty
round, a call nobody rated, a dimension the export did not have), so that the
notebooks stay one call per cell and never crash on thin data.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from draftbook.analysis import coding as themes
from draftbook.analysis import measures as analysis
from draftbook.model.calls import Call
from draftbook.model.codebook import Theme
from draftbook.model.languages import colon
from draftbook.model.membership import Membership
from draftbook.present import charts
from draftbook.present.display import (
    FigureWithAlt,
    HtmlBlock,
    Note,
    Quote,
    Table,
    call_labels,
    interval,
    one_decimal,
    percent,
    points,
    two_decimals,
)

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "no_comments": "Aucun commentaire pour ce tour.",
        "gap_note": "Thèmes soulevés par les membres qu'aucun appel ne traite : {themes}.",
        "no_gap": "Chaque thème soulevé par les membres est traité par au moins un appel.",
        "coverage_caption": "Thèmes soulevés et appels qui les traitent (les manques d'abord)",
        "missing_caption": "Ce qui manque selon les membres, regroupé",
        "digest_title": "{call} : {n} commentaire(s). Thèmes : {themes}.",
        "no_digest": "{call} : aucun commentaire.",
        "no_quote": "Aucun commentaire citable (les auteurs n'ont pas donné leur accord, ou il n'y en a pas).",
        "language_note": "{n} commentaire(s) semblent écrits dans une autre langue que celle déclarée.",
        "theme": "thème",
        "similar": "formulation proche",
        "none": "aucun",
        "no_answers": "Aucune réponse n'a encore été saisie pour ce tour : les analyses apparaîtront après l'import.",
        "no_dimension": "Les réponses de ce tour n'indiquent pas de {by} : rien à comparer.",
        "summary": "{title} : {n} répondant·e·s{rate}.",
        "rate": " sur {invited} invité·e·s ({rate})",
        "over_invited": " pour {invited} invité·e·s (plus de réponses que d'invité·e·s : vérifiez « invited » dans "
        "round.yml)",
        "unrated": "Personne n'a donné d'avis sur {calls} : ces appels apparaissent sans chiffres.",
        "polarised": "Appels polarisés (consensus inférieur à 0,5) : {calls}.",
        "no_polarised": "Aucun appel n'est polarisé (consensus de tous les appels supérieur ou égal à 0,5).",
        "first_round": "C'est le premier tour : il n'y a pas encore d'évolution à montrer.",
        "new_calls": "Nouveaux appels, sans comparaison possible : {calls}.",
        "small_groups": "{n} groupe(s) de moins de {min_group} personnes ne sont pas affichés seuls.",
        "participation_caption": "Répondant·e·s par {by}",
        "represent_caption": "Répondant·e·s et membres par {by} (écart en points)",
        "support_caption": "Soutien par appel à l'action",
        "cross_caption": "Soutien le plus faible parmi les groupes de {min_group} personnes ou plus ({by})",
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
        "no_comments": "No comments in this round.",
        "gap_note": "Themes members raised that no call addresses: {themes}.",
        "no_gap": "Every theme members raised is addressed by at least one call.",
        "coverage_caption": "Themes raised and the calls that address them (gaps first)",
        "missing_caption": "What members say is missing, grouped",
        "digest_title": "{call}: {n} comment(s). Themes: {themes}.",
        "no_digest": "{call}: no comments.",
        "no_quote": "No quotable comment (their authors did not consent, or there are none).",
        "language_note": "{n} comment(s) seem written in another language than declared.",
        "theme": "theme",
        "similar": "similar wording",
        "none": "none",
        "no_answers": "No answers have been entered for this round yet: the analysis will appear after the ingest.",
        "no_dimension": "The answers of this round give no {by}: nothing to compare.",
        "summary": "{title}: {n} respondents{rate}.",
        "rate": " out of {invited} invited ({rate})",
        "over_invited": " for {invited} invited (more answers than invited: check “invited” in round.yml)",
        "unrated": "Nobody gave an opinion on {calls}: these calls appear without figures.",
        "polarised": "Polarised calls (consensus below 0.5): {calls}.",
        "no_polarised": "No call is polarised (every call has a consensus of 0.5 or more).",
        "first_round": "This is the first round: there is no change to show yet.",
        "new_calls": "New calls, with nothing to compare: {calls}.",
        "small_groups": "{n} group(s) of fewer than {min_group} people are not shown on their own.",
        "participation_caption": "Respondents by {by}",
        "represent_caption": "Respondents and members by {by} (gap in points)",
        "support_caption": "Support per call to action",
        "cross_caption": "Lowest support among groups of {min_group} people or more ({by})",
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
        "no_comments": "No hay comentarios en esta ronda.",
        "gap_note": "Temas planteados por los miembros que ningún llamado trata: {themes}.",
        "no_gap": "Cada tema planteado por los miembros lo trata al menos un llamado.",
        "coverage_caption": "Temas planteados y llamados que los tratan (las carencias primero)",
        "missing_caption": "Lo que falta según los miembros, agrupado",
        "digest_title": "{call}: {n} comentario(s). Temas: {themes}.",
        "no_digest": "{call}: ningún comentario.",
        "no_quote": "Ningún comentario citable (sus autores no dieron su acuerdo, o no hay).",
        "language_note": "{n} comentario(s) parecen escritos en otro idioma que el declarado.",
        "theme": "tema",
        "similar": "redacción similar",
        "none": "ninguno",
        "no_answers": (
            "Todavía no se han cargado respuestas para esta ronda: el análisis aparecerá después de la importación."
        ),
        "no_dimension": "Las respuestas de esta ronda no indican {by}: nada que comparar.",
        "summary": "{title}: {n} participantes{rate}.",
        "rate": " de {invited} invitados ({rate})",
        "over_invited": " para {invited} invitados (más respuestas que invitados: verifique «invited» en round.yml)",
        "unrated": "Nadie opinó sobre {calls}: estos llamados aparecen sin cifras.",
        "polarised": "Llamados polarizados (consenso inferior a 0,5): {calls}.",
        "no_polarised": "Ningún llamado está polarizado (todos tienen un consenso de 0,5 o más).",
        "first_round": "Es la primera ronda: todavía no hay evolución que mostrar.",
        "new_calls": "Llamados nuevos, sin comparación posible: {calls}.",
        "small_groups": "{n} grupo(s) de menos de {min_group} personas no se muestran por separado.",
        "participation_caption": "Participantes por {by}",
        "represent_caption": "Participantes y miembros por {by} (diferencia en puntos)",
        "support_caption": "Apoyo por llamado a la acción",
        "cross_caption": "Apoyo más bajo entre los grupos de {min_group} personas o más ({by})",
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
    return TEXT.get(lang, TEXT["fr"])[key].format(**({"min_group": analysis.MIN_GROUP} | values))


def summary(title: str, respondents: pd.DataFrame, invited: int | None, lang: str = "fr") -> list[Any]:
    """One sentence: how many answered, out of how many invited."""
    if respondents.empty:
        return [Note(say("no_answers", lang))]
    return [Note(say("summary", lang, title=title, n=len(respondents), rate=_rate_text(respondents, invited, lang)))]


def _rate_text(respondents: pd.DataFrame, invited: int | None, lang: str) -> str:
    """`` out of 200 invited (45 %)``; a rate above 100 % is said in words (``invited`` is then wrong)."""
    rate = analysis.response_rate(respondents, invited)
    if rate is None:
        return ""
    if rate > 1:
        return say("over_invited", lang, invited=invited)
    return say("rate", lang, invited=invited, rate=percent(rate))


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
    names = call_labels(calls, lang)
    shown: list[Any] = [
        FigureWithAlt(charts.support_chart(table, lang, names), charts.support_alt_text(table, lang, names))
    ]
    unrated = table.loc[table["opinions"] == 0, "call"].tolist()
    if unrated:
        shown.append(Note(say("unrated", lang, calls=_listed(unrated, names))))
    polarised = table.loc[table["polarised"], "call"].tolist()
    shown.append(
        Note(say("polarised", lang, calls=_listed(polarised, names)) if polarised else say("no_polarised", lang))
    )
    formats = {
        "support": percent,
        "interval": interval,
        "median": one_decimal,
        "consensus": two_decimals,
        "polarised": _yes_no(lang),
        "no_opinion_share": percent,
    }
    summary = analysis.support_summary(table, calls, lang)
    shown.append(Table(summary, say("support_caption", lang), formats, lang, calls=calls))
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
    heatmap = charts.group_heatmap(groups, by, lang, call_labels(calls, lang))
    shown: list[Any] = [FigureWithAlt(heatmap, charts.group_heatmap_alt_text(groups, by, lang))]
    hidden = groups.loc[~groups["shown"], "group"].nunique()
    if hidden:
        shown.append(Note(say("small_groups", lang, n=hidden)))
    cross = analysis.cross_group_support(groups, calls)
    caption = say("cross_caption", lang, by=say(by, lang))
    shown.append(Table(cross, caption, {"lowest_support": percent}, lang, calls=calls))
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
    return [Table(table, say("reweight_caption", lang), formats, lang, calls=calls)]


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
    names = call_labels(calls, lang)
    shown: list[Any] = [
        FigureWithAlt(charts.change_chart(change, lang, names), charts.change_alt_text(change, lang, names))
    ]
    new = change.loc[change["basis"] == "", "call"].tolist()
    if new:
        shown.append(Note(say("new_calls", lang, calls=_listed(new, names))))
    formats = {"support": percent, "previous": percent, "change": points}
    shown.append(Table(change, say("change_caption", lang, title=previous_title), formats, lang, calls=calls))
    return shown


def _listed(ids: Sequence[str], names: dict[str, str]) -> str:
    """Calls named in a sentence by their labels; a semicolon between them, as a label may hold a comma."""
    return "; ".join(names.get(i, i) for i in ids)


def _count(lang: str) -> Any:
    fewer = {"fr": "moins de {}", "en": "fewer than {}", "es": "menos de {}"}.get(lang, "moins de {}")
    fewer = fewer.format(analysis.MIN_GROUP)

    def count(value: Any) -> str:
        return fewer if pd.isna(value) else f"{int(value)}"

    count.handles_missing = True  # type: ignore[attr-defined]
    return count


def _yes_no(lang: str) -> Any:
    yes = {"fr": "oui", "en": "yes", "es": "sí"}.get(lang, "oui")
    return lambda value: yes if value else ""


def coverage_section(
    coded: pd.DataFrame, calls: Sequence[Call], codebook: dict[str, Theme], lang: str = "fr"
) -> list[Any]:
    """Themes raised against themes covered, the gaps named first."""
    if coded.empty:
        return [Note(say("no_comments", lang))]
    table = themes.coverage(coded, calls, codebook, lang)
    names = call_labels(calls, lang)
    table["calls"] = [_listed([i for i in ids.split(", ") if i], names) for ids in table["calls"]]
    gaps = table.loc[table["gap"], "theme"].tolist()
    note = say("gap_note", lang, themes=", ".join(gaps)) if gaps else say("no_gap", lang)
    shown = table[table["mentions"] > 0]
    return [Note(note), Table(shown, say("coverage_caption", lang), {"gap": _yes_no(lang)}, lang)]


def missing_section(
    coded: pd.DataFrame, codebook: dict[str, Theme], respondents: pd.DataFrame, lang: str = "fr"
) -> list[Any]:
    """The suggestions of what is missing, grouped by theme or similar wording."""
    groups = themes.group_missing(coded, codebook, respondents, lang)
    if groups.empty:
        return [Note(say("no_comments", lang))]
    groups["kind"] = groups["kind"].map(lambda kind: say(kind, lang))
    return [Table(groups, say("missing_caption", lang), lang=lang)]


def digest_section(coded: pd.DataFrame, call: Call, codebook: dict[str, Theme], lang: str = "fr") -> list[Any]:
    """One call: how many comments, on which themes, and up to three consented quotes."""
    digest = themes.call_digest(coded, call.id, codebook, lang)
    if not digest.comments:
        return [Note(say("no_digest", lang, call=call.label_in(lang)))]
    listed = ", ".join(f"{name} ({count})" for name, count in digest.themes) or say("none", lang)
    shown: list[Any] = [Note(say("digest_title", lang, call=call.label_in(lang), n=digest.comments, themes=listed))]
    shown += [Quote(text, language) for language, text in digest.quotes] or [Note(say("no_quote", lang))]
    return shown


def language_section(coded: pd.DataFrame, lang: str = "fr") -> list[Any]:
    """Comments whose detected language differs from the declared one (a hint for the translators)."""
    if coded.empty:
        return []
    mismatches = themes.language_check(coded)
    if mismatches.empty:
        return []
    return [Note(say("language_note", lang, n=len(mismatches))), Table(mismatches, "", lang=lang)]


TRACE_TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "asked": "Ce que nous avons demandé",
        "said": "Ce que vous avez dit",
        "did": "Ce que nous avons fait",
        "wording": "Nouvelle formulation",
        "said_line": "Soutien {support} ({opinions} avis), consensus {consensus}. Thèmes : {themes}.",
        "no_opinions": "Personne n'a donné d'avis sur cet appel.",
        "no_decision": "Aucune décision n'est encore enregistrée pour cet appel.",
        "kept_as_is": "Conservé tel quel (aucune décision particulière enregistrée).",
        "gone": "Cet appel ne figure plus dans le texte suivant.",
        "unchanged": "Formulation inchangée.",
        "none": "aucun",
        "keep": "Conservé", "reword": "Reformulé", "merge": "Fusionné", "split": "Scindé", "drop": "Retiré",
        "add": "Ajouté",
        "into": " (devient {calls})",
        "added_title": "Appels ajoutés après ce tour",
    },
    "en": {
        "asked": "What we asked",
        "said": "What you said",
        "did": "What we did",
        "wording": "New wording",
        "said_line": "Support {support} ({opinions} opinions), consensus {consensus}. Themes: {themes}.",
        "no_opinions": "Nobody gave an opinion on this call.",
        "no_decision": "No decision has been recorded for this call yet.",
        "kept_as_is": "Kept as it is (no particular decision recorded).",
        "gone": "This call is no longer in the next text.",
        "unchanged": "Wording unchanged.",
        "none": "none",
        "keep": "Kept", "reword": "Reworded", "merge": "Merged", "split": "Split", "drop": "Dropped", "add": "Added",
        "into": " (becomes {calls})",
        "added_title": "Calls added after this round",
    },
    "es": {
        "asked": "Lo que preguntamos",
        "said": "Lo que ustedes dijeron",
        "did": "Lo que hicimos",
        "wording": "Nueva redacción",
        "said_line": "Apoyo {support} ({opinions} opiniones), consenso {consensus}. Temas: {themes}.",
        "no_opinions": "Nadie opinó sobre este llamado.",
        "no_decision": "Todavía no se ha registrado ninguna decisión para este llamado.",
        "kept_as_is": "Mantenido tal cual (ninguna decisión particular registrada).",
        "gone": "Este llamado ya no figura en el texto siguiente.",
        "unchanged": "Redacción sin cambios.",
        "none": "ninguno",
        "keep": "Mantenido", "reword": "Reformulado", "merge": "Fusionado", "split": "Dividido", "drop": "Retirado",
        "add": "Añadido",
        "into": " (se convierte en {calls})",
        "added_title": "Llamados añadidos después de esta ronda",
    },
}  # fmt: skip


def trace_section(
    calls: Sequence[Call],
    ratings: pd.DataFrame,
    coded: pd.DataFrame,
    codebook: dict[str, Theme],
    decisions: Sequence[Any],
    next_calls: Sequence[Call],
    lang: str = "fr",
) -> list[Any]:
    """ "We asked, you said, we did": for each call, the question, the answers, the decision, the new wording."""
    from draftbook.present.diff import diff_html, word_diff

    words = TRACE_TEXT.get(lang, TRACE_TEXT["fr"])
    figures: dict[Any, dict[Any, Any]] = (
        analysis.support_table(ratings, calls).set_index("call").to_dict("index") if not ratings.empty else {}
    )
    decided = {d.call: d for d in decisions}
    following = {call.id: call for call in next_calls}
    after = call_labels(next_calls, lang)  # a call the decision leads to, named as in the next text
    shown: list[Any] = []
    for call in calls:
        heading = f"<h3>{html.escape(call.label_in(lang))}</h3>"
        blocks = [heading, _labelled(words["asked"], html.escape(call.text_in(lang)), lang)]
        digest = themes.call_digest(coded, call.id, codebook, lang) if not coded.empty else None
        row = figures.get(call.id)
        if row is not None and row["opinions"] > 0:
            listed = ", ".join(name for name, _ in digest.themes[:3]) if digest and digest.themes else words["none"]
            said = words["said_line"].format(
                support=percent(row["support"]), opinions=int(row["opinions"]),
                consensus=two_decimals(row["consensus"]), themes=listed,
            )  # fmt: skip
        else:
            said = words["no_opinions"]
        blocks.append(_labelled(words["said"], html.escape(said), lang))
        quote = digest.quotes[0] if digest and digest.quotes else None
        if quote:
            blocks.append(Quote(quote[1], quote[0])._repr_mimebundle_()["text/html"])
        decision = decided.get(call.id)
        successor = following.get(call.id)
        if decision is None and successor is not None and successor.text == call.text:
            did = words["kept_as_is"]
        elif decision is None:
            did = words["no_decision"]
        else:
            into = words["into"].format(calls=_listed(decision.into, after)) if decision.into else ""
            did = f"{words[decision.decision]}{into} — {decision.rationale_in(lang)}"
        blocks.append(_labelled(words["did"], html.escape(did), lang))
        if successor is None:
            blocks.append(f"<p>{html.escape(words['gone'])}</p>")
        elif successor.text_in(lang) == call.text_in(lang):
            blocks.append(_labelled(words["wording"], html.escape(words["unchanged"]), lang))
        else:
            diff = diff_html(word_diff(call.text_in(lang), successor.text_in(lang)), lang)
            blocks.append(f"<p><strong>{html.escape(words['wording'])}</strong></p>{diff}")
        shown.append(HtmlBlock("".join(blocks)))
    added = [call for call in next_calls if call.id not in {c.id for c in calls}]
    if added:
        items = "".join(
            f"<li><strong>{html.escape(c.label_in(lang))}</strong> — {html.escape(c.text_in(lang))}"
            + (f" — {html.escape(decided[c.id].rationale_in(lang))}" if c.id in decided else "")
            + "</li>"
            for c in added
        )
        shown.append(HtmlBlock(f"<h3>{html.escape(words['added_title'])}</h3><ul>{items}</ul>"))
    return shown


def _labelled(label: str, text: str, lang: str) -> str:
    return f"<p><strong>{html.escape(label)}{colon(lang)}</strong> {text}</p>"


WEIGHING_TEXT = {
    "fr": {
        "no_profile": "Aucun profil de pondération n'est encore convenu pour ce tour (data/weights.yml).",
        "profile": "Profil convenu « {name} » du {date} ({method}, soutien {grouping}) : {weights}. {note}",
        "ranking": "Classement des appels selon le profil convenu",
        "stability": "Stabilité du classement : probabilité d'être parmi les {k} premiers, et rang de 5 % à 95 % "
        "({draws} tirages des poids et des répondant·e·s)",
        "interactive": "Classement à recalculer : déplacez les curseurs pour changer le poids de chaque critère.",
        "no_assessment": "L'équipe n'a pas encore évalué les appels de ce tour (appui de la recherche, faisabilité, "
        "urgence) : aucun classement n'est établi. Pour l'établir, écrivez le fichier assessments.yml dans le "
        "dossier du tour{folder}.",
    },
    "en": {
        "no_profile": "No weighting profile has been agreed for this round yet (data/weights.yml).",
        "profile": "Agreed profile “{name}” of {date} ({method}, support {grouping}): {weights}. {note}",
        "ranking": "Ranking of the calls under the agreed profile",
        "stability": "Stability of the ranking: probability of being in the top {k}, and rank from 5 % to 95 % "
        "({draws} draws of weights and respondents)",
        "interactive": "Ranking to recompute: move the sliders to change the weight of each criterion.",
        "no_assessment": "The team has not assessed the calls of this round yet (research evidence, feasibility, "
        "urgency): no ranking is drawn. To draw it, write the file assessments.yml in the round's folder{folder}.",
    },
    "es": {
        "no_profile": "Todavía no se ha acordado ningún perfil de ponderación para esta ronda (data/weights.yml).",
        "profile": "Perfil acordado «{name}» del {date} ({method}, apoyo {grouping}): {weights}. {note}",
        "ranking": "Clasificación de los llamados según el perfil acordado",
        "stability": "Estabilidad de la clasificación: probabilidad de estar entre los {k} primeros, y puesto del 5 % "
        "al 95 % ({draws} sorteos de pesos y participantes)",
        "interactive": "Clasificación para recalcular: mueva los cursores para cambiar el peso de cada criterio.",
        "no_assessment": "El equipo todavía no ha evaluado los llamados de esta ronda (respaldo de la investigación, "
        "factibilidad, urgencia): no se establece ninguna clasificación. Para establecerla, escriba el archivo "
        "assessments.yml en la carpeta de la ronda{folder}.",
    },
}


def _waiting_for(data: Any, profile: Any, lang: str = "fr", round_id: str | None = None) -> list[str]:
    """What the ranking still waits for, in words: the team's assessments, an agreed profile, answers."""
    words = WEIGHING_TEXT.get(lang, WEIGHING_TEXT["fr"])
    missing = []
    if data.assessments is None:
        missing.append(words["no_assessment"].format(folder=f" (data/rounds/{round_id}/)" if round_id else ""))
    if profile is None:
        missing.append(words["no_profile"])
    if data.ratings.empty:
        missing.append(say("no_answers", lang))
    return missing


def weighing_section(
    data: Any, profile: Any, lang: str = "fr", top_k: int = 5, draws: int = 300, round_id: str | None = None
) -> list[Any]:
    """The agreed profile, the ranking it gives, its stability, and a kernel-free version to move.

    When something the ranking needs is missing (the team's assessments, an
    agreed profile, answers), the section says what in words and ranks nothing.
    """
    from draftbook.analysis import weighing
    from draftbook.present.display import COLUMN_LABELS, VegaChart

    words = WEIGHING_TEXT.get(lang, WEIGHING_TEXT["fr"])
    missing = _waiting_for(data, profile, lang, round_id)
    if missing:
        return [Note(text) for text in missing]
    labels = weighing.CRITERION_LABELS.get(lang, weighing.CRITERION_LABELS["fr"])
    listed = ", ".join(f"{labels[c]} {profile.weights[c]:g}" for c in weighing.CRITERIA)
    from draftbook.present.widgets import WORDS as PANEL_WORDS

    panel_words = PANEL_WORDS.get(lang, PANEL_WORDS["fr"])
    described = words["profile"].format(
        name=profile.name, date=profile.date.isoformat(), method=panel_words.get(profile.method, profile.method),
        grouping=panel_words.get(profile.group_weighting, profile.group_weighting), weights=listed, note=profile.note,
    )  # fmt: skip
    table = weighing.criteria_table(data, profile.group_weighting)
    ranked = weighing.rank(table, profile.weights, profile.method)
    stable = weighing.stability(data, profile, top_k=top_k, draws=draws)
    stable["interval"] = [
        f"{int(low)}–{int(high)}" for low, high in zip(stable["rank_low"], stable["rank_high"], strict=True)
    ]
    scaled = weighing.minmax(table[list(weighing.CRITERIA)])
    headers = {key: COLUMN_LABELS.get(lang, COLUMN_LABELS["fr"])[key] for key in ("call", "text", "score")}
    chart = charts.ranking_spec(
        scaled, profile.weights, labels, top_k, words["ranking"], names=call_labels(data.calls, lang),
        texts={call.id: call.text_in(lang) for call in data.calls}, headers=headers,
    )  # fmt: skip
    return [
        Note(described),
        Table(ranked[["rank", "call", "score"]], words["ranking"], {"score": two_decimals}, lang, calls=data.calls),
        Table(
            stable[["call", "top_k", "rank_median", "interval"]],
            words["stability"].format(k=top_k, draws=draws),
            {"top_k": percent, "rank_median": one_decimal},
            lang,
            calls=data.calls,
        ),
        Note(words["interactive"]),
        VegaChart(chart, words["ranking"], name=f"ranking-{profile.name}"),
    ]
