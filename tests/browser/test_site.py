"""Every page of the built book in a real browser: self-contained, accessible, safe.

The book is built once for this module from a private copy of the workbook in
which the written round carries a hostile comment (consented, so that it is
quoted) and whose sample exports are regenerated, so that the names and e-mail
addresses they hold can be searched for in every file of the site.
"""

from __future__ import annotations

import functools
import gzip
import html.parser
import http.server
import json
import re
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from draftbook.book.vendor import npm_package
from draftbook.cli import main
from draftbook.ingest.readers import decode
from draftbook.ingest.sample import write_exports
from draftbook.model.paths import ROOT_ENV, Workbook
from tests.conftest import REPO, copy_workbook

pytestmark = pytest.mark.slow
HOSTILE = (
    "<script>alert('x')</script><img src=x onerror=alert(1)> =HYPERLINK(\"http://evil.example\") Sans financement rien"
)
ROUND = "2022-05-written-feedback"


@dataclass
class Site:
    url: str
    root: Path
    workbook: Workbook
    pages: list[str]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("site")
    workbook = copy_workbook(base / "workbook")
    root = workbook.root
    comments = workbook.round_dir(ROUND) / "comments.csv"
    frame = pd.read_csv(comments, dtype=str, keep_default_na=False)
    hostile = {"respondent": "R-hostile0000", "call": "CTA-09", "kind": "call", "language": "fr",
               "text": HOSTILE, "publishable": "True"}  # fmt: skip
    frame.loc[frame["call"] == "CTA-09", "publishable"] = "False"  # the hostile comment is the one quoted
    pd.concat([frame, pd.DataFrame([hostile])]).to_csv(comments, index=False, lineterminator="\n")
    decisions = workbook.round_dir(ROUND) / "decisions.yml"  # the new comment changes no evidence id
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOT_ENV, str(root))
        write_exports(workbook)  # raw exports with invented names and e-mails, in data/private/
        assert decisions.is_file()
        assert main(["build", "--round", ROUND]) == 0
    html_dir = workbook.html_dir
    handler = functools.partial(Quiet, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html") if "_static" not in p.parts)
    yield Site(f"http://127.0.0.1:{server.server_address[1]}", html_dir, workbook, pages)
    server.shutdown()


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for key in ("href", "src"):
            if found.get(key):
                self.links.append(str(found[key]))


def test_every_internal_link_resolves(site: Site) -> None:
    parsed: dict[Path, Links] = {}
    for page in site.pages:
        links = Links()
        links.feed((site.root / page).read_text(encoding="utf-8"))
        parsed[site.root / page] = links
    broken = []
    for path, links in parsed.items():
        for link in links.links:
            target = urllib.parse.urlparse(link)
            if target.scheme or link.startswith(("mailto:", "data:", "#", "javascript:")):
                assert target.scheme in ("", "data", "mailto"), f"{path.name} links out: {link}"
                continue
            resolved = (path.parent / urllib.parse.unquote(target.path)).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.is_file():
                broken.append(f"{path.relative_to(site.root)} -> {link}")
            elif target.fragment and resolved in parsed and target.fragment not in parsed[resolved].ids:
                broken.append(f"{path.relative_to(site.root)} -> {link} (no such anchor)")
    assert broken == []


def test_every_page_is_self_contained_clean_and_accessible(site: Site, browser) -> None:  # type: ignore[no-untyped-def]
    axe = npm_package(site.workbook, "axe-core", "4.14.1", "axe-core/axe.min.js").read_text(encoding="utf-8")
    shots = site.workbook.build_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=False)
    problems: list[str] = []
    weights: dict[str, int] = {}
    for page_path in site.pages:
        if 'http-equiv="refresh"' in (site.root / page_path).read_text(encoding="utf-8").lower():
            continue  # the root and each language's index only redirect (their targets are checked here)
        page = context.new_page()
        loaded: list[tuple[str, int]] = []
        page.on(
            "console", lambda m, p=page_path: problems.append(f"{p}: console {m.text}") if m.type == "error" else None
        )
        page.on("pageerror", lambda e, p=page_path: problems.append(f"{p}: error {e}"))
        page.on("dialog", lambda d, p=page_path: (problems.append(f"{p}: dialog {d.message}"), d.dismiss()))
        page.on("requestfailed", lambda r, p=page_path: problems.append(f"{p}: failed {r.url}"))

        def seen(response, p: str = page_path, loaded: list[tuple[str, int]] = loaded) -> None:  # type: ignore[no-untyped-def]
            if not response.url.startswith(site.url):
                problems.append(f"{p}: left the site for {response.url}")
            elif response.status >= 400:
                problems.append(f"{p}: {response.status} {response.url}")
            else:
                body = response.body()
                loaded.append((response.url, len(gzip.compress(body))))

        page.on("response", seen)
        page.goto(f"{site.url}/{page_path}", wait_until="networkidle")
        weights[page_path] = sum(size for _, size in loaded)
        for image in page.locator("img").all():
            if not image.get_attribute("alt"):
                problems.append(f"{page_path}: an image without alt text")
        page.evaluate(axe + "\n;true")  # through DevTools: the page's own policy rightly forbids injected scripts
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(
                    f"{page_path}: axe {violation['id']} ({violation['impact']}) x{len(violation['nodes'])}"
                )
        if "/book/" in page_path or page_path.endswith("/index.html"):
            page.screenshot(path=str(shots / (page_path.replace("/", "_") + ".png")), full_page=True)
        page.close()
    context.close()
    (site.workbook.build_dir / "page-weights.json").write_text(json.dumps(weights, indent=1), encoding="utf-8")
    (REPO / "_build").mkdir(exist_ok=True)
    (REPO / "_build" / "site-check.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")  # CI artifact
    shutil.copy(site.workbook.build_dir / "page-weights.json", REPO / "_build" / "page-weights.json")
    assert problems == []
    assert list(shots.glob("en_book_*.png")) and list(shots.glob("es_book_*.png"))


def test_charts_have_alt_text(site: Site) -> None:
    page = (site.root / "fr" / "rounds" / ROUND / "support.html").read_text(encoding="utf-8")
    alts = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', page)
    assert alts and all(len(alt) > 20 for alt in alts)


def test_the_hostile_comment_appears_as_text_and_no_dialog_opens(site: Site, browser) -> None:  # type: ignore[no-untyped-def]
    source = (site.root / "fr" / "rounds" / ROUND / "themes.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in source and "<script>alert('x')" not in source
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{site.url}/fr/rounds/{ROUND}/themes.html", wait_until="networkidle")
    assert page.get_by_text("<script>alert('x')</script>", exact=False).count() >= 1
    assert dialogs == []
    context.close()


def test_the_search_page_finds_a_word_from_a_chapter(site: Site, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.url}/fr/search.html?q=assainissement", wait_until="networkidle")
    page.wait_for_selector("#search-results li a", timeout=30_000)
    hits = page.locator("#search-results li a").all_inner_texts()
    assert any("Objet du document" in hit or "contexte" in hit.lower() for hit in hits)
    context.close()


def test_the_switcher_leads_to_the_same_page_in_another_language(site: Site, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.url}/index.html", wait_until="networkidle")
    assert page.url == f"{site.url}/fr/book/index.html" and page.locator("html").get_attribute("lang") == "fr"
    page.goto(f"{site.url}/fr/rounds/{ROUND}/support.html", wait_until="networkidle")
    switcher = page.get_by_role("navigation", name="Langue du livre")
    switcher.get_by_role("link", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{site.url}/en/rounds/{ROUND}/support.html"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Support for the calls to action")
    page.get_by_role("navigation", name="Language of the book").get_by_role("link", name="Español").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{site.url}/es/rounds/{ROUND}/support.html"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Apoyo a los llamados a la acción")
    assert page.get_by_text("Contenido", exact=True).count() >= 1  # the theme speaks Spanish too
    assert page.get_by_role("link", name="Estado de las traducciones").count() == 1  # the navigation as well
    context.close()


def test_no_name_or_email_of_the_raw_exports_reaches_the_site(site: Site) -> None:
    secrets: set[str] = set()
    for export in (site.workbook.private_dir / "sample-exports").rglob("*.csv"):
        text, _ = decode(export.read_bytes(), "auto", export)
        secrets |= set(re.findall(r"[\\w.+-]+@[\\w-]+\\.example", text))
    import numpy as np

    from draftbook.ingest.sample import person_pool

    secrets |= set(person_pool(np.random.default_rng(20220224))["name"])
    assert len(secrets) > 100
    leaks = []
    for path in site.root.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".json", ".txt", ".ipynb", ".inv"}:
            content = path.read_text(encoding="utf-8", errors="replace")
            leaks += [f"{path.name}: {s}" for s in secrets if s in content]
    assert leaks == []


EXECUTABLE_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"(?!text/javascript)[^\"]*\")[^>]*>(.*?)</script>", re.DOTALL
)


def csp_of(page: str) -> str:
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert found, "a page without a policy"
    return html.unescape(found.group(1))


def test_each_policy_lists_exactly_the_inline_code_the_build_wrote(site: Site) -> None:
    from draftbook.book.site import INLINE_HANDLER, script_hash

    unlisted, extra = [], []
    for page_path in site.pages:
        page = (site.root / page_path).read_text(encoding="utf-8")
        code = set(EXECUTABLE_INLINE.findall(page)) | {html.unescape(h) for h in INLINE_HANDLER.findall(page)}
        hashes = set(re.findall(r"'sha256-[^']+'", csp_of(page)))
        unlisted += [f"{page_path}: {body[:60]!r}" for body in code if script_hash(body) not in hashes]
        extra += [f"{page_path}: {h}" for h in hashes - {script_hash(body) for body in code}]
    assert unlisted == []  # every script of the sample book is one the build knows it writes
    assert extra == []  # and the policy allows nothing else
    weighing = (site.root / "fr" / "rounds" / ROUND / "weighing.html").read_text(encoding="utf-8")
    assert "vegaEmbed(" in weighing and csp_of(weighing).count("'sha256-") >= 10  # the charts run


def test_an_injected_script_in_a_built_page_gets_no_hash_and_does_not_run(site: Site, browser) -> None:  # type: ignore[no-untyped-def]
    from draftbook.book.site import add_security_policy_to, script_hash

    injected = "window.injected = true; alert('injected');"
    source = (site.root / "fr" / "rounds" / ROUND / "themes.html").read_text(encoding="utf-8")
    page_path = site.root / "fr" / "rounds" / ROUND / "themes-injected.html"
    page_path.write_text(  # as if a comment had escaped its escaping
        source.replace("<main", f'<script>{injected}</script><img src="data:," onerror="window.handled = 1"><main', 1),
        encoding="utf-8",
    )
    try:
        add_security_policy_to(page_path, "fr", f"rounds/{ROUND}/themes")
        policy = csp_of(page_path.read_text(encoding="utf-8"))
        assert script_hash(injected) not in policy and script_hash("window.handled = 1") not in policy
        assert script_hash("let toggleOpenOnPrint = 'true';") in policy
        assert script_hash(f"DOCUMENTATION_OPTIONS.pagename = 'rounds/{ROUND}/themes';") in policy
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        refused: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{site.url}/fr/rounds/{ROUND}/themes-injected.html", wait_until="networkidle")
        assert dialogs == [] and page.evaluate("window.injected") is None and page.evaluate("window.handled") is None
        assert page.evaluate("typeof toggleOpenOnPrint") == "string"  # the build's own inline scripts ran
        assert len(refused) == 2, refused  # the injected script and handler, nothing else
        context.close()
    finally:
        page_path.unlink()
