"""``draftbook export tables --round R``: one spreadsheet of a round's figures for the team.

Sheets: support per call, support per region and per type of member (groups under the privacy
threshold withheld), the opinion groups, the next round's sample, the coded comments whose
writers agreed to be quoted (and the team did not veto), and the decisions. No respondent id,
name or e-mail reaches it. Every text cell that a spreadsheet could run as a formula is stored
as text with Excel's "quote prefix" (shown as typed, never evaluated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from draftbook.analysis import measures
from draftbook.analysis.coding import round_comments
from draftbook.analysis.opinions import opinion_groups
from draftbook.analysis.planning import planning_table
from draftbook.model.calls import Call
from draftbook.model.codebook import Theme, load_codebook
from draftbook.model.decisions import load_decisions
from draftbook.model.errors import DataFileError
from draftbook.model.files import atomic_path
from draftbook.model.paths import Workbook
from draftbook.model.rounds import Round, load_round, read_table
from draftbook.model.text import is_formula_like

DIMENSIONS = ("region", "constituency")

SHEETS: dict[str, dict[str, str]] = {
    "fr": {"support": "Soutien", "region": "Par région", "constituency": "Par type", "opinions": "Groupes d'opinion",
           "planning": "Tour suivant", "comments": "Commentaires", "decisions": "Décisions"},
    "en": {"support": "Support", "region": "By region", "constituency": "By type", "opinions": "Opinion groups",
           "planning": "Next round", "comments": "Comments", "decisions": "Decisions"},
    "es": {"support": "Apoyo", "region": "Por región", "constituency": "Por tipo", "opinions": "Grupos de opinión",
           "planning": "Próxima ronda", "comments": "Comentarios", "decisions": "Decisiones"},
}  # fmt: skip
HEADERS: dict[str, dict[str, str]] = {
    "fr": {"call": "Appel", "label": "Titre court", "text": "Texte", "answers": "Réponses", "opinions": "Avis",
           "no_opinion": "Sans avis", "support": "Soutien (4-5)", "support_low": "Intervalle 95 % bas",
           "support_high": "Intervalle 95 % haut", "median": "Médiane", "consensus": "Consensus",
           "polarised": "Polarisé", "group": "Groupe", "supporters": "Favorables", "comment": "Commentaire n°",
           "kind": "Type", "language": "Langue", "themes": "Thèmes", "decision": "Décision",
           "rationale": "Pourquoi", "into": "Devenu", "decided_on": "Décidé le", "evidence": "Éléments",
           "status": "Résultat", "silhouette": "Silhouette", "respondents": "Répondants", "dimension": "Selon",
           "answered": "Ont répondu", "needed": "Nécessaires", "gap": "Manquent", "basis": "Base"},
    "en": {"call": "Call", "label": "Short title", "text": "Text", "answers": "Answers", "opinions": "Opinions",
           "no_opinion": "No opinion", "support": "Support (4-5)", "support_low": "95 % interval low",
           "support_high": "95 % interval high", "median": "Median", "consensus": "Consensus",
           "polarised": "Polarised", "group": "Group", "supporters": "In favour", "comment": "Comment no.",
           "kind": "Kind", "language": "Language", "themes": "Themes", "decision": "Decision",
           "rationale": "Why", "into": "Became", "decided_on": "Decided on", "evidence": "Evidence",
           "status": "Result", "silhouette": "Silhouette", "respondents": "Respondents", "dimension": "By",
           "answered": "Answered", "needed": "Needed", "gap": "Missing", "basis": "Basis"},
    "es": {"call": "Llamado", "label": "Título corto", "text": "Texto", "answers": "Respuestas",
           "opinions": "Opiniones", "no_opinion": "Sin opinión", "support": "Apoyo (4-5)",
           "support_low": "Intervalo 95 % bajo", "support_high": "Intervalo 95 % alto", "median": "Mediana",
           "consensus": "Consenso", "polarised": "Polarizado", "group": "Grupo", "supporters": "A favor",
           "comment": "Comentario n.º", "kind": "Tipo", "language": "Idioma", "themes": "Temas",
           "decision": "Decisión", "rationale": "Por qué", "into": "Se convirtió en", "decided_on": "Decidido el",
           "evidence": "Elementos", "status": "Resultado", "silhouette": "Silueta", "respondents": "Encuestados",
           "dimension": "Según", "answered": "Respondieron", "needed": "Necesarios", "gap": "Faltan",
           "basis": "Base"},
}  # fmt: skip
WORDS: dict[str, dict[str, str]] = {  # the values a sheet shows in words: dimensions, opinion-group results
    "fr": {"region": "Région", "constituency": "Type de membre", "groups": "groupes distincts",
           "not-distinct": "pas de groupes distincts", "too-small": "trop peu de réponses",
           "no-answers": "aucune réponse"},
    "en": {"region": "Region", "constituency": "Type of member", "groups": "distinct groups",
           "not-distinct": "no distinct groups", "too-small": "too few answers", "no-answers": "no answers"},
    "es": {"region": "Región", "constituency": "Tipo de miembro", "groups": "grupos distintos",
           "not-distinct": "sin grupos distintos", "too-small": "muy pocas respuestas", "no-answers": "sin respuestas"},
}  # fmt: skip
PRIVATE_COLUMNS = ("respondent", "name", "email", "e-mail", "organisation", "phone", "ip")


@dataclass(frozen=True)
class Written:
    path: Path
    rows: dict[str, int]  # sheet name -> data rows


def support_sheet(ratings: pd.DataFrame, calls: Sequence[Call], lang: str) -> pd.DataFrame:
    table = measures.support_table(ratings, calls)
    by_id = {call.id: call for call in calls}
    table.insert(1, "label", [by_id[c].short_in(lang) for c in table["call"]])
    table.insert(2, "text", [by_id[c].text_in(lang) for c in table["call"]])
    columns = ["call", "label", "text", "answers", "opinions", "no_opinion", "support", "support_low"]
    return table[[*columns, "support_high", "median", "consensus", "polarised"]]


def groups_sheet(ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call], by: str, lang: str) -> Any:
    """Support per call and group; a group under the privacy threshold shows no figures at all."""
    groups = measures.group_support(ratings, respondents, calls, by, lang)
    for column in ("opinions", "supporters"):
        groups[column] = groups[column].where(groups["shown"])
    table = groups.drop(columns=["group", "shown"]).rename(columns={"label": "group"})
    return table[["call", "group", "opinions", "supporters", "support"]]


def opinions_sheet(
    ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call], lang: str = "en"
) -> pd.DataFrame:
    """Support of each call in each opinion group; one row saying why when there are no distinct groups."""
    found = opinion_groups(ratings, respondents, calls)
    status = WORDS.get(lang, WORDS["en"]).get(found.status, found.status)
    columns = ["status", "silhouette", "group", "respondents", "call", "support"]
    silhouette = None if pd.isna(found.silhouette) else round(float(found.silhouette), 3)
    if not found.k:
        return pd.DataFrame([[status, silhouette, None, found.respondents, None, None]], columns=columns)
    rows = [
        [status, silhouette, group, found.sizes[group - 1], call, found.support.loc[call, group]]
        for group in range(1, found.k + 1)
        for call in found.support.index
    ]
    return pd.DataFrame(rows, columns=columns)


def planning_sheet(ratings: pd.DataFrame, respondents: pd.DataFrame, calls: Sequence[Call], lang: str) -> Any:
    """Per region and per type: answered now, needed next round (±10 points), the gap; a group under the
    privacy threshold shows neither its count nor its gap."""
    frames = []
    for by in DIMENSIONS:
        table = planning_table(ratings, respondents, calls, by, lang=lang)
        frames.append(
            pd.DataFrame(
                {
                    "dimension": WORDS.get(lang, WORDS["en"])[by],
                    "group": table["label"],
                    "answered": table["answered"].where(table["shown"]),
                    "needed": table["needed"],
                    "gap": table["gap"].where(table["shown"]),
                    "call": table["call"],
                    "basis": table["basis"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def comments_sheet(round_: Round, themes: dict[str, Theme], lang: str) -> pd.DataFrame:
    """The comments their writers agreed to have quoted and the team did not veto, with their themes."""
    coded = round_comments(round_.folder, read_table(round_, "comments"), themes)
    quotable = coded.loc[coded["publishable"].astype(bool)] if "publishable" in coded else coded.iloc[0:0]
    return pd.DataFrame(
        {
            "comment": quotable["comment"],
            "call": quotable["call"].fillna(""),
            "kind": quotable["kind"],
            "language": quotable["language"],
            "themes": [
                ", ".join(themes[t].label_in(lang) for t in codes if t in themes) for codes in quotable["themes"]
            ],
            "text": quotable["text"],
        }
    )


def decisions_sheet(round_: Round, themes: dict[str, Theme], lang: str) -> pd.DataFrame:
    decisions = load_decisions(round_.folder / "decisions.yml", calls=[c.id for c in round_.calls], themes=list(themes))
    return pd.DataFrame(
        [
            {
                "call": d.call,
                "decision": d.decision,
                "into": ", ".join(d.into),
                "rationale": d.rationale_in(lang),
                "decided_on": d.decided_on.isoformat(),
                "evidence": ", ".join(d.evidence),
            }
            for d in decisions
        ],
        columns=["call", "decision", "into", "rationale", "decided_on", "evidence"],
    )


def round_sheets(workbook: Workbook, round_id: str, lang: str) -> dict[str, pd.DataFrame]:
    """The sheets of ``round_id`` by their id, in order."""
    round_ = load_round(workbook, round_id)
    themes = load_codebook(workbook.codebook_file)
    ratings, respondents = read_table(round_, "ratings"), read_table(round_, "respondents")
    sheets = {"support": support_sheet(ratings, round_.calls, lang)}
    for by in DIMENSIONS:
        sheets[by] = groups_sheet(ratings, respondents, round_.calls, by, lang)
    sheets["opinions"] = opinions_sheet(ratings, respondents, round_.calls, lang)
    sheets["planning"] = planning_sheet(ratings, respondents, round_.calls, lang)
    sheets["comments"] = comments_sheet(round_, themes, lang)
    sheets["decisions"] = decisions_sheet(round_, themes, lang)
    for name, sheet in sheets.items():
        private = [c for c in sheet.columns if str(c).lower() in PRIVATE_COLUMNS]
        if private:
            raise DataFileError(f"the sheet {name} would carry personal data ({', '.join(private)})")
    return sheets


def write_tables(
    workbook: Workbook,
    round_id: str,
    target: Path | None = None,
    lang: str = "fr",
) -> Written:
    """Write the round's spreadsheet (default ``_build/tables/ROUND-LANG.xlsx``) atomically."""
    from openpyxl import Workbook as Spreadsheet
    from openpyxl.styles import Font

    sheets = round_sheets(workbook, round_id, lang)
    path = target or workbook.build_dir / "tables" / f"{round_id}-{lang}.xlsx"
    names, headers = SHEETS.get(lang, SHEETS["en"]), HEADERS.get(lang, HEADERS["en"])
    book = Spreadsheet()
    book.remove(book.active)
    for key, frame in sheets.items():
        sheet = book.create_sheet(names.get(key, key)[:31])
        sheet.append([headers.get(str(c), str(c)) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in frame.itertuples(index=False):
            sheet.append([_cell_value(v) for v in values])
        for row in sheet.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str) and is_formula_like(cell.value):
                    cell.data_type = "s"  # openpyxl took it for a formula: it is text
                    cell.quotePrefix = True  # and a spreadsheet shows it as typed, never runs it
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as scratch:
        book.save(scratch)
    return Written(path, {names.get(k, k): len(f) for k, f in sheets.items()})


def _cell_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value if isinstance(value, int | float | bool) else str(value)
