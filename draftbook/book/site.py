"""Rewrites of the built pages: a Content-Security-Policy listing only the build's own inline code,
accessibility fixes of the theme."""

from __future__ import annotations

import base64
import gettext
import hashlib
import html
import importlib.util
import json
import re
from collections.abc import Sequence
from pathlib import Path

from draftbook.book.stage import WORDS
from draftbook.model.languages import DEFAULT_SOURCE, NOTEBOOK_LANGUAGE

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
INLINE_HANDLER = re.compile(r'\son[a-z]+="([^"]*)"', re.IGNORECASE)
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', re.IGNORECASE)
# Thebe is off, yet Jupyter Book 1 writes its loader twice in every page (a script error) with a
# third-party address in it: the pages drop it.
THEBE = re.compile(
    r'<script[^>]*>\s*const THEBE_JS_URL.*?</script>\s*|<script src="[^"]*sphinx-thebe\.js[^"]*"></script>\s*',
    re.DOTALL,
)


# The inline scripts the book's templates and extensions write, as they write them; a page's policy
# lets these run (by hash) and nothing else inline. A script the build does not write itself (markup
# that escaped its escaping, say) gets no hash, so the browser refuses it. A theme or extension upgrade
# that writes a new one shows as a refused script in the browser test of the site.
THEME_MODE_SCRIPT = (  # pydata-sphinx-theme, layout.html, with html_context default_mode "light"
    '\n    document.documentElement.dataset.mode = localStorage.getItem("mode") || "light";'
    '\n    document.documentElement.dataset.theme = localStorage.getItem("theme") || "light";\n  '
)
SEARCH_FOCUS_SCRIPT = (  # pydata-sphinx-theme, search.html
    "\n    // Activate the search field on page load"
    '\n    let searchInput = document.querySelector("form.bd-search input");'
    "\n    if (searchInput) {\n        searchInput.focus();\n        searchInput.select();"
    '\n        console.log("[PST]: Set focus on search field.");\n    }\n  '
)
FIXED_SCRIPTS = (
    THEME_MODE_SCRIPT,
    "DOCUMENTATION_OPTIONS.search_as_you_type = false;",  # pydata-sphinx-theme
    "let toggleOpenOnPrint = 'true';",  # sphinx-togglebutton
    "var togglebuttonSelector = '.toggle, .admonition.dropdown';",  # sphinx-togglebutton
    "kernelName = 'python3'",  # sphinx-thebe, in the notebooks' pages
)
# The buttons of sphinx-book-theme's header (print, full screen) run these as onclick handlers.
OWN_HANDLERS = ("window.print()", "toggleFullScreen()")


def togglebutton_hints(lang: str) -> tuple[str, str]:
    """The "show" and "hide" hints sphinx-togglebutton writes into pages in ``lang``, read from its
    own catalogues as Sphinx reads them (its English words when it has no catalogue for ``lang``)."""
    spec = importlib.util.find_spec("sphinx_togglebutton")
    origin = spec.origin if spec is not None else None
    locales = Path(origin).parent / "translations" / "locales" if origin else Path()
    catalog = gettext.translation("togglebutton", locales, languages=[lang], fallback=True)
    return catalog.gettext("Click to show"), catalog.gettext("Click to hide")


def own_inline_scripts(lang: str, pagename: str) -> frozenset[str]:
    """Every inline script the build writes into the page ``pagename`` (its path in the site of
    ``lang``, without ``.html``), character for character. Charts are checked by ``is_own_chart``."""
    show, hide = togglebutton_hints(lang)
    scripts = {
        *FIXED_SCRIPTS,
        f"DOCUMENTATION_OPTIONS.pagename = '{pagename}';",  # pydata-sphinx-theme
        f"let toggleHintShow = '{show}';",  # sphinx-togglebutton
        f"let toggleHintHide = '{hide}';",
    }
    if pagename == "search":
        scripts.add(SEARCH_FOCUS_SCRIPT)
    return frozenset(scripts)


CHART_ID = re.compile(r"vegaEmbed\('#draftbook-([a-z0-9-]+)', ")


def is_own_chart(body: str) -> bool:
    """True when ``body`` is the script ``display.VegaChart`` writes for a chart: the chart's
    name and specification are read back from it, and VegaChart must write the very same text."""
    from draftbook.present.display import VegaChart

    name = CHART_ID.match(body)
    if name is None:
        return False
    try:
        spec, _ = json.JSONDecoder().raw_decode(body, name.end())
    except ValueError:
        return False
    if not isinstance(spec, dict):
        return False
    written = INLINE_SCRIPT.findall(VegaChart(spec, "", name=name.group(1)).to_html())
    return written[-1:] == [body]


def trusted_inline_code(page: str, lang: str, pagename: str) -> list[str]:
    """The inline scripts and event handlers of ``page`` that the build itself writes (as listed
    by ``own_inline_scripts``, ``is_own_chart`` and ``OWN_HANDLERS``), in order, each once."""
    own = own_inline_scripts(lang, pagename)
    scripts = [body for body in INLINE_SCRIPT.findall(page) if body in own or is_own_chart(body)]
    handlers = [code for code in map(html.unescape, INLINE_HANDLER.findall(page)) if code in OWN_HANDLERS]
    return list(dict.fromkeys(scripts + handlers))


def script_hash(code: str) -> str:
    """The CSP source that lets exactly ``code`` run inline: ``'sha256-…'``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(trusted: Sequence[str] = ()) -> str:
    """The policy of one page: scripts from the site itself, plus the ``trusted`` inline code by hash
    (give it ``trusted_inline_code``: never a page's inline code unchecked)."""
    hashes = sorted({script_hash(code) for code in trusted})
    return "; ".join(
        [
            "default-src 'self'",
            # 'unsafe-eval': the theme's bundles probe the global object with Function(); every script
            # still has to come from the site itself or be one of the build's own inline scripts.
            " ".join(["script-src 'self' 'unsafe-eval' 'unsafe-hashes'", *hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


# Two accessibility faults of the theme that axe-core reports as serious: the section toggles of the
# navigation have no name, and the search button's label hides its visible shortcut text. The theme
# switch (the book is set to light mode) is dropped for the same reason.
UNNAMED_SUMMARY = re.compile(r"<summary>")
SEARCH_LABEL = re.compile(r'(<button class="btn search-button-field[^>]*?)\s+aria-label="[^"]*"')
THEME_SWITCH = re.compile(r'<button class="[^"]*theme-switch-button[^"]*".*?</button>', re.DOTALL)
TOGGLE_NAME = {
    "fr": "Afficher ou masquer la sous-partie",
    "en": "Show or hide the subsection",
    "es": "Mostrar u ocultar",
}


SEARCH_PLACEHOLDER = re.compile(r'placeholder="Search this book\.\.\."')
UNTRANSLATED = re.compile(r'<([a-z][a-z0-9]*)((?:\s[^>]*)?\sclass="(?:[^"]*\s)?untranslated(?:\s[^"]*)?"[^>]*)>')


def accessible(page: str, lang: str = DEFAULT_SOURCE, source: str = DEFAULT_SOURCE) -> str:
    """The page with the theme's accessibility faults mended, the search box in the page's language,
    and every paragraph still in the ``source`` language marked so (``lang="fr"``: screen readers
    switch voice)."""
    page = UNNAMED_SUMMARY.sub(f'<summary aria-label="{TOGGLE_NAME.get(lang, TOGGLE_NAME["fr"])}">', page)
    page = SEARCH_PLACEHOLDER.sub(f'placeholder="{WORDS.get(lang, WORDS["fr"])["search"]}"', page)
    if lang != source:
        page = UNTRANSLATED.sub(
            lambda m: m.group(0) if " lang=" in m.group(2) else f'<{m.group(1)}{m.group(2)} lang="{source}">',
            page,
        )
    return THEME_SWITCH.sub("", SEARCH_LABEL.sub(r"\1", page))


def add_security_policy(site: Path, lang: str = DEFAULT_SOURCE, source: str = DEFAULT_SOURCE) -> int:
    """Put a Content-Security-Policy in every page of ``site`` (the book in ``lang``) and mend the
    theme's accessibility faults; return how many pages."""
    pages = 0
    for path in site.rglob("*.html"):
        add_security_policy_to(path, lang, path.relative_to(site).with_suffix("").as_posix(), source)
        pages += 1
    return pages


def add_security_policy_to(
    path: Path, lang: str = DEFAULT_SOURCE, pagename: str | None = None, source: str = DEFAULT_SOURCE
) -> None:
    """Give the page at ``path`` (``pagename`` in the book, by default its file name without
    ``.html``) a policy that lets only the build's own inline code run; replaces an earlier one."""
    pagename = pagename or path.stem
    # An untranslated paragraph is in the paper's language in a chapter, in the notebooks' own elsewhere
    # (the round pages and the calls page are notebooks; the generated pages have no catalogue).
    written_in = source if pagename.startswith("book/") else NOTEBOOK_LANGUAGE
    page = accessible(THEBE.sub("", CSP_META.sub("", path.read_text(encoding="utf-8"))), lang, written_in)
    policy = content_security_policy(trusted_inline_code(page, lang, pagename or path.stem))
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
    page, found = re.subn(r"<head>", "<head>\n" + meta, page, count=1, flags=re.IGNORECASE)
    if not found:  # the redirect page at the root has no head of its own
        icon = '<link rel="icon" href="_static/favicon.svg">'
        page = f"<head>{meta}{icon}</head>\n{page}"
    path.write_text(page, encoding="utf-8")
