"""How notebook results reach the page: escaped tables and figures with alt text.

Both return objects with ``_repr_mimebundle_``, so JupyterLab and the built
book show them the same way. Every piece of text is HTML-escaped: a comment
or a label that contains markup is shown as text, never run.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from draftbook.model.calls import Call
from draftbook.model.languages import LANGUAGE_KEY, LANGUAGES, output_language  # noqa: F401 (output_language: re-exported)

COLUMN_LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "call": "Appel", "label": "Groupe", "respondents": "Répondant·e·s", "share": "Part",
        "addressee": "Destinataire", "theme": "Thème", "text": "Texte", "opinions": "Avis exprimés",
        "support": "Soutien (4-5)", "interval": "Intervalle à 95 %", "median": "Médiane",
        "no_opinion_share": "Sans avis", "consensus": "Consensus", "polarised": "Polarisé",
        "membership": "Membres", "gap": "Écart", "lowest_support": "Soutien le plus faible",
        "lowest_group": "Dans le groupe", "groups": "Groupes comparés", "previous": "Tour précédent",
        "basis": "Comparé à", "change": "Évolution", "group": "Suggestion ou thème", "kind": "Regroupement",
        "suggestions": "Nombre", "languages": "Langues", "regions": "Régions", "mentions": "Mentions",
        "calls": "Appels qui le traitent", "comment": "Commentaire", "language": "Langue déclarée",
        "detected": "Langue détectée", "rank": "Rang", "score": "Score", "top_k": "Parmi les premiers",
        "rank_median": "Rang médian",
    },
    "en": {
        "call": "Call", "label": "Group", "respondents": "Respondents", "share": "Share",
        "addressee": "Addressee", "theme": "Theme", "text": "Text", "opinions": "Opinions",
        "support": "Support (4-5)", "interval": "95 % interval", "median": "Median",
        "no_opinion_share": "No opinion", "consensus": "Consensus", "polarised": "Polarised",
        "membership": "Members", "gap": "Gap", "lowest_support": "Lowest support",
        "lowest_group": "In group", "groups": "Groups compared", "previous": "Previous round",
        "basis": "Compared with", "change": "Change", "group": "Suggestion or theme", "kind": "Grouped by",
        "suggestions": "Count", "languages": "Languages", "regions": "Regions", "mentions": "Mentions",
        "calls": "Calls that address it", "comment": "Comment", "language": "Declared language",
        "detected": "Detected language", "rank": "Rank", "score": "Score", "top_k": "In the top",
        "rank_median": "Median rank",
    },
    "es": {
        "call": "Llamado", "label": "Grupo", "respondents": "Participantes", "share": "Proporción",
        "addressee": "Destinatario", "theme": "Tema", "text": "Texto", "opinions": "Opiniones",
        "support": "Apoyo (4-5)", "interval": "Intervalo al 95 %", "median": "Mediana",
        "no_opinion_share": "Sin opinión", "consensus": "Consenso", "polarised": "Polarizado",
        "membership": "Miembros", "gap": "Diferencia", "lowest_support": "Apoyo más bajo",
        "lowest_group": "En el grupo", "groups": "Grupos comparados", "previous": "Ronda anterior",
        "basis": "Comparado con", "change": "Evolución", "group": "Sugerencia o tema", "kind": "Agrupado por",
        "suggestions": "Número", "languages": "Idiomas", "regions": "Regiones", "mentions": "Menciones",
        "calls": "Llamados que lo tratan", "comment": "Comentario", "language": "Idioma declarado",
        "detected": "Idioma detectado", "rank": "Puesto", "score": "Puntuación", "top_k": "Entre los primeros",
        "rank_median": "Puesto mediano",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Disclosure:
    """A table cell that shows ``summary`` and discloses ``detail`` on click or Enter: ``<details>``.

    ``<details>`` is reached with the keyboard and read by screen readers as a
    disclosure, unlike a tooltip. Both texts are escaped; as plain text the cell
    is its summary.
    """

    summary: str
    detail: str

    def __str__(self) -> str:
        return self.summary

    def to_html(self) -> str:
        # The summary carries a class: the site names bare <summary> elements (the theme's navigation
        # toggles, which have no text) with aria-label, which would hide this one's visible label.
        return (
            f'<details class="draftbook-call"><summary class="draftbook-call-label">{html.escape(self.summary)}'
            f"</summary><div>{html.escape(self.detail)}</div></details>"
        )


def call_labels(calls: Sequence[Call], lang: str) -> dict[str, str]:
    """How each call is named for readers in ``lang``: "CTA-07 · Professionalise cooperation" (or its id)."""
    return {call.id: call.label_in(lang) for call in calls}


def call_cells(ids: Sequence[Any], calls: Sequence[Call], lang: str) -> list[Any]:
    """The cells of a column of call ids: each call's label disclosing its full text; unknown ids as they are."""
    known = {call.id: call for call in calls}
    return [
        Disclosure(known[str(i)].label_in(lang), known[str(i)].text_in(lang)) if str(i) in known else i for i in ids
    ]


def frame_html(frame: pd.DataFrame, **options: Any) -> str:
    """``frame.to_html`` with every value escaped, and ``Disclosure`` cells as ``<details>`` (escaped too).

    pandas escapes the frame with markers in place of the disclosures; the markers carry a
    random nonce, so no text in the data can pose as one.
    """
    nonce = secrets.token_hex(8)
    cells: list[str] = []

    def mark(value: Any) -> Any:
        if not isinstance(value, Disclosure):
            return value
        cells.append(value.to_html())
        return f"\x02{nonce}:{len(cells) - 1}\x03"

    marked = frame.copy()
    for position in range(marked.shape[1]):
        column = marked.iloc[:, position]
        if column.dtype == object and any(isinstance(value, Disclosure) for value in column):
            marked.isetitem(position, [mark(value) for value in column])
    body = marked.to_html(index=False, escape=True, **options)
    return re.sub(f"\x02{nonce}:(\\d+)\x03", lambda found: cells[int(found.group(1))], body)


class Table:
    """A table with a caption, rendered as escaped HTML, with headers in the page's language.

    With ``calls``, the ``call`` column (ids in the frame) shows each call's label,
    "CTA-07 · Professionalise cooperation"; when the table has no ``text`` column
    of its own, the label discloses the call's full text (``<details>``).
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        caption: str,
        formats: Mapping[str, Callable[[Any], str]] | None = None,
        lang: str = "fr",
        *,
        calls: Sequence[Call] | None = None,
    ):
        self.frame = frame
        self.caption = caption
        self.formats = dict(formats or {})
        self.lang = lang
        self.calls = calls

    def formatted(self) -> pd.DataFrame:
        shown = self.frame.copy()
        for column, fmt in self.formats.items():
            handles_missing = getattr(fmt, "handles_missing", False)
            shown[column] = shown[column].map(lambda v, f=fmt, h=handles_missing: f(v) if h or not _missing(v) else "–")
        if self.calls is not None and "call" in shown.columns:
            if "text" in shown.columns:  # the full text is in its own column: the label alone
                labels = call_labels(self.calls, self.lang)
                shown["call"] = [labels.get(str(i), i) for i in shown["call"]]
            else:
                cells = call_cells(list(shown["call"]), self.calls, self.lang)
                shown["call"] = pd.Series(cells, index=shown.index, dtype=object)
        labels = COLUMN_LABELS.get(self.lang, COLUMN_LABELS["fr"])
        return shown.rename(columns=lambda c: labels.get(str(c), str(c)))

    def to_html(self) -> str:
        body = frame_html(self.formatted(), classes="draftbook-table", border=0)
        return body.replace(">\n  <thead>", f">\n  <caption>{html.escape(self.caption)}</caption>\n  <thead>", 1)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.to_html(), "text/plain": f"{self.caption}\n{self.formatted().to_string(index=False)}"}


class FigureWithAlt:
    """A matplotlib figure shown as a PNG with alt text (HTML) and the PNG itself."""

    def __init__(self, figure: Figure, alt: str, dpi: int = 110):
        self.alt = alt
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        self.png = buffer.getvalue()

    def to_html(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            f'<figure class="draftbook-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(self.alt, quote=True)}" style="max-width:100%"/></figure>'
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.to_html(), "image/png": self.png, "text/plain": self.alt}


class Quote:
    """A member's words, escaped, marked with their language for screen readers and translators."""

    def __init__(self, text: str, lang: str, attribution: str = ""):
        self.text = text
        self.lang = lang
        self.attribution = attribution

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in self.text.splitlines() if line.strip())
        footer = f"<footer>{html.escape(self.attribution)}</footer>" if self.attribution else ""
        block = f'<blockquote class="draftbook-quote" lang="{html.escape(self.lang)}">{paragraphs}{footer}</blockquote>'
        return {"text/html": block, "text/plain": f"« {self.text} » ({self.lang})"}


class HtmlBlock:
    """HTML that draftbook built itself, every piece of data in it already escaped."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        text = html.unescape(re.sub(r"<[^>]+>", " ", self.markup))
        return {"text/html": self.markup, "text/plain": " ".join(text.split())}


class Note:
    """A short paragraph of generated text, escaped."""

    def __init__(self, text: str):
        self.text = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": f'<p class="draftbook-note">{html.escape(self.text)}</p>', "text/plain": self.text}


def _missing(value: Any) -> bool:
    return bool(pd.isna(value)) if not isinstance(value, (list, tuple)) else False


def percent(value: float) -> str:
    """0.4567 -> '46 %' (French typography keeps the space)."""
    return f"{value * 100:.0f} %"


def one_decimal(value: float) -> str:
    return f"{value:.1f}"


def two_decimals(value: float) -> str:
    return f"{value:.2f}"


def points(value: float) -> str:
    """0.034 -> '+3 pts' (a difference of shares, in percentage points)."""
    rounded = round(value * 100)
    return f"{rounded:+d} pts" if rounded else "0 pts"


def interval(bounds: tuple[float, float]) -> str:
    """(0.41, 0.58) -> '41–58 %'; '–' when the interval is undefined."""
    if any(pd.isna(bound) for bound in bounds):
        return "–"
    return f"{bounds[0] * 100:.0f}–{bounds[1] * 100:.0f} %"


class VegaChart:
    """A Vega-Lite chart rendered in the reader's browser by scripts the book serves itself.

    ``vendor`` is the relative address of the book's ``_vendor/`` folder from the page.
    In JupyterLab (which does not run scripts in outputs) the text alternative shows.
    """

    def __init__(self, spec: dict[str, Any], alt: str, vendor: str = "../../_vendor/", name: str = "chart"):
        self.spec, self.alt, self.vendor = spec, alt, vendor
        self.id = "draftbook-" + re.sub(r"[^a-z0-9-]", "-", name.lower())

    def to_html(self) -> str:
        spec = json.dumps(self.spec, ensure_ascii=True).replace("</", "<\\/")
        scripts = "".join(f'<script src="{html.escape(self.vendor)}{name}.min.js"></script>' for name in VEGA_SCRIPTS)
        return (
            f'<figure class="draftbook-vega"><div id="{self.id}" role="img" aria-label="{html.escape(self.alt)}"></div>'
            f"<figcaption>{html.escape(self.alt)}</figcaption></figure>{scripts}"
            f"<script>vegaEmbed('#{self.id}', {spec}, "
            "{renderer: 'svg', actions: false, ast: true, expr: vega.expressionInterpreter})"
            f".then(function (result) {{ window.draftbookViews = window.draftbookViews || {{}};"
            f" window.draftbookViews['{self.id}'] = result.view; }});</script>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.to_html(), "text/plain": self.alt}


VEGA_SCRIPTS = ("vega", "vega-lite", "vega-embed", "vega-interpreter")


def page_languages(lang: str) -> list[str]:
    """The languages a page is drawn in: ``"fr"`` in the lab, ``"fr en es"`` when the build draws
    every language of the book in one run."""
    found = list(dict.fromkeys(lang.split()))
    unknown = [code for code in found if code not in LANGUAGES]
    if not found or unknown:
        raise ValueError(
            f"the page language {lang!r} is not one of {', '.join(LANGUAGES)} (several: separated by spaces)"
        )
    return found


def shown_in(lang: str) -> Callable[[Callable[[str], Iterable[Any]]], None]:
    """A ``show(make)`` for the notebook: ``make(language)`` returns what to display, and ``show``
    displays it in each language of ``lang``, each output marked with its language when there are
    several (the analysis runs once; only the drawing is repeated)."""
    from IPython.display import display

    languages = page_languages(lang)

    def show(make: Callable[[str], Iterable[Any]]) -> None:
        for language in languages:
            for item in make(language):
                if len(languages) == 1:
                    display(item)  # type: ignore[no-untyped-call]
                else:
                    display(item, metadata={LANGUAGE_KEY: {"lang": language}})  # type: ignore[no-untyped-call]

    return show
