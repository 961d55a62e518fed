"""The weighing panel in JupyterLab: sliders per criterion, live ranking, saved profiles.

``WeighingPanel(data, profiles_path, round_id, lang)`` shows one slider per
criterion, the group weighting of support, the method and top-k; the ranking
table and its chart update as soon as a value moves. "Save" writes a named
profile (name, date, weights, note) to ``data/weights.yml`` atomically;
profiles can be loaded back and compared side by side. Every piece of logic is
in ``draftbook.analysis.weighing``; this module only wires widgets to it.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure

from draftbook.analysis.weighing import (
    CRITERIA,
    CRITERION_LABELS,
    GROUP_WEIGHTINGS,
    METHODS,
    Profile,
    RoundData,
    compare_profiles,
    criteria_table,
    load_profiles,
    rank,
    save_profile,
)
from draftbook.model.errors import DraftbookError
from draftbook.present.charts import BAR_COLOUR, MEMBER_COLOUR, call_name, row_height, wrapped
from draftbook.present.display import Table, call_cells, call_labels, frame_html

WORDS = {
    "fr": {"grouping": "Soutien", "method": "Méthode", "top": "Premiers", "name": "Nom", "note": "Note",
           "save": "Enregistrer le profil", "overwrite": "remplacer", "load": "Charger", "compare": "Comparer",
           "saved": "Profil « {name} » enregistré.", "rank": "Rang", "score": "Score", "call": "Appel",
           "title": "Classement des appels", "raw": "tel que répondu", "equal-regions": "chaque région compte autant",
           "membership-regions": "selon la composition du réseau", "weighted-sum": "Somme pondérée",
           "topsis": "TOPSIS", "need_name": "Donnez un nom au profil."},
    "en": {"grouping": "Support", "method": "Method", "top": "Top", "name": "Name", "note": "Note",
           "save": "Save profile", "overwrite": "overwrite", "load": "Load", "compare": "Compare",
           "saved": "Profile “{name}” saved.", "rank": "Rank", "score": "Score", "call": "Call",
           "title": "Ranking of the calls", "raw": "as answered", "equal-regions": "each region counts the same",
           "membership-regions": "by the network's composition", "weighted-sum": "Weighted sum",
           "topsis": "TOPSIS", "need_name": "Give the profile a name."},
    "es": {"grouping": "Apoyo", "method": "Método", "top": "Primeros", "name": "Nombre", "note": "Nota",
           "save": "Guardar el perfil", "overwrite": "reemplazar", "load": "Cargar", "compare": "Comparar",
           "saved": "Perfil «{name}» guardado.", "rank": "Puesto", "score": "Puntuación", "call": "Llamado",
           "title": "Clasificación de los llamados", "raw": "tal como se respondió",
           "equal-regions": "cada región cuenta lo mismo", "membership-regions": "según la composición de la red",
           "weighted-sum": "Suma ponderada", "topsis": "TOPSIS", "need_name": "Dé un nombre al perfil."},
}  # fmt: skip


class WeighingPanel:
    """Interactive weighing of one round's calls (display it as the last expression of a cell)."""

    def __init__(
        self, data: RoundData, profiles_path: Path, round_id: str, lang: str = "fr", initial: Profile | None = None
    ) -> None:
        self.data, self.path, self.round_id, self.lang = data, profiles_path, round_id, lang
        self.words = WORDS.get(lang, WORDS["fr"])
        labels = CRITERION_LABELS.get(lang, CRITERION_LABELS["fr"])
        start = initial or Profile("", dict.fromkeys(CRITERIA, 1.0))
        style = {"description_width": "14em"}
        self.sliders = {
            c: widgets.FloatSlider(
                value=start.weights[c],
                min=0,
                max=5,
                step=0.5,
                description=labels[c],
                style=style,
                continuous_update=False,
            )
            for c in CRITERIA
        }
        self.grouping = widgets.Dropdown(
            options=[(self.words[g], g) for g in GROUP_WEIGHTINGS], value=start.group_weighting,
            description=self.words["grouping"], style=style,
        )  # fmt: skip
        self.method = widgets.ToggleButtons(
            options=[(self.words[m], m) for m in METHODS], value=start.method, description=self.words["method"]
        )
        self.top_k = widgets.IntSlider(
            value=min(5, len(data.calls)), min=1, max=len(data.calls), description=self.words["top"]
        )
        self.table = widgets.HTML()
        self.chart = widgets.Image(format="png")
        self.name = widgets.Text(description=self.words["name"])
        self.note = widgets.Textarea(description=self.words["note"])
        self.overwrite = widgets.Checkbox(value=False, description=self.words["overwrite"])
        self.save_button = widgets.Button(description=self.words["save"], button_style="primary")
        self.message = widgets.HTML()
        self.loader = widgets.Dropdown(description=self.words["load"])
        self.compared = widgets.SelectMultiple(description=self.words["compare"])
        self.comparison = widgets.HTML()
        self._tables: dict[str, pd.DataFrame] = {}
        for control in [*self.sliders.values(), self.grouping, self.method, self.top_k]:
            control.observe(lambda _change: self.refresh(), names="value")
        self.save_button.on_click(lambda _button: self.save())
        self.loader.observe(lambda change: self.load(change["new"]) if change["new"] else None, names="value")
        self.compared.observe(lambda _change: self.show_comparison(), names="value")
        self.refresh_profiles()
        self.refresh()

    def weights(self) -> dict[str, float]:
        return {criterion: float(slider.value) for criterion, slider in self.sliders.items()}

    def criteria(self) -> pd.DataFrame:
        grouping = str(self.grouping.value)
        if grouping not in self._tables:
            self._tables[grouping] = criteria_table(self.data, grouping)
        return self._tables[grouping]

    def ranking(self) -> pd.DataFrame:
        """The ranking for the current values of the widgets."""
        return rank(self.criteria(), self.weights(), str(self.method.value))

    def refresh(self) -> None:
        try:
            ranked = self.ranking()
        except DraftbookError as error:
            self.message.value = _error_html(error)
            return
        self.message.value = ""
        top = int(self.top_k.value)
        shown = Table(
            ranked[["rank", "call", "score"]], self.words["title"], {"score": _three_decimals}, self.lang,
            calls=self.data.calls,
        )  # fmt: skip
        self.table.value = shown.to_html()
        self.chart.value = _ranking_png(ranked, top, self.words["title"], call_labels(self.data.calls, self.lang))

    def save(self) -> None:
        name = str(self.name.value).strip()
        if not name:
            self.message.value = f"<p>{html.escape(self.words['need_name'])}</p>"
            return
        profile = Profile(
            name, self.weights(), str(self.method.value), str(self.grouping.value), dt.date.today(),
            str(self.note.value), self.round_id,
        )  # fmt: skip
        try:
            save_profile(self.path, profile, overwrite=bool(self.overwrite.value))
        except DraftbookError as error:
            self.message.value = _error_html(error)
            return
        self.message.value = f"<p>{html.escape(self.words['saved'].format(name=name))}</p>"
        self.refresh_profiles()

    def refresh_profiles(self) -> None:
        names = list(load_profiles(self.path))
        self.loader.options = ["", *names]
        self.compared.options = names

    def load(self, name: str) -> None:
        profile = load_profiles(self.path)[name]
        with self.table.hold_trait_notifications():
            for criterion, slider in self.sliders.items():
                slider.value = profile.weights[criterion]
            self.grouping.value = profile.group_weighting
            self.method.value = profile.method
            self.name.value, self.note.value = profile.name, profile.note
        self.refresh()

    def show_comparison(self) -> None:
        profiles = load_profiles(self.path)
        chosen = [profiles[name] for name in self.compared.value if name in profiles]
        if not chosen:
            self.comparison.value = ""
            return
        try:
            table = compare_profiles(self.criteria(), chosen).reset_index()
        except DraftbookError as error:
            self.comparison.value = _error_html(error)
            return
        cells = call_cells(list(table["call"]), self.data.calls, self.lang)
        table["call"] = pd.Series(cells, index=table.index, dtype=object)
        table = table.rename(columns={"call": self.words["call"]})  # the other columns are the profiles' names
        self.comparison.value = frame_html(table, classes="draftbook-table")

    def widget(self) -> widgets.Widget:
        controls = widgets.VBox([*self.sliders.values(), self.grouping, self.method, self.top_k])
        saving = widgets.VBox([self.name, self.note, widgets.HBox([self.save_button, self.overwrite]), self.message])
        comparing = widgets.VBox([self.loader, self.compared, self.comparison])
        return widgets.VBox([widgets.HBox([controls, self.chart]), self.table, saving, comparing])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


def _error_html(error: DraftbookError) -> str:
    """The reason and what to do, as the panel shows them."""
    hint = f" {error.hint}" if error.hint else ""
    return f'<p class="draftbook-error">{html.escape(error.reason + "." + hint)}</p>'


def _three_decimals(value: float) -> str:
    return f"{value:.3f}"


def _ranking_png(ranked: pd.DataFrame, top: int, title: str, labels: dict[str, str] | None = None) -> bytes:
    """The ranking as bars, best on top, each call named by its label (wrapped)."""
    ordered = ranked.iloc[::-1]
    names = [wrapped(call_name(call, labels)) for call in ordered["call"]]
    fig = Figure(figsize=(6, row_height(names, 0.3) * len(ranked) + 1), layout="constrained")
    ax = fig.subplots()
    colours = [BAR_COLOUR if r <= top else MEMBER_COLOUR for r in ordered["rank"]]
    ax.barh(range(len(ordered)), ordered["score"].fillna(0), color=colours)
    ax.set_yticks(range(len(ordered)), names, parse_math=False)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()
