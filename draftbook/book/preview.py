"""Live preview for writers: ``draftbook preview [--lang fr]``.

The book of one language is served on loopback; when a writer saves a chapter (or a
catalogue, the table of contents, the configuration), the preview re-stages the sources
and rebuilds with jupyter-book **in this process**, so Sphinx and its extensions stay
imported and only the changed pages are read again; then every open page reloads itself.
The notebook runs are the ones the last ``draftbook build`` made (reused, never re-executed
for a chapter edit: new data needs ``draftbook build``).

The preview has its own stage and output (``_build/preview/<lang>``), started from a copy of
the last build's when there is one, so it never disturbs ``draftbook build`` and the
published site.

How a page learns that it should reload: every HTML page is served with one extra script
(``_draftbook/reload.js``, same origin, allowed by the pages' security policy) that asks
``_draftbook/version`` four times a second and reloads when the number changes. All links
are relative, so the preview also works behind a path prefix (jupyter-server-proxy in the lab).
"""

from __future__ import annotations

import contextlib
import html
import http.server
import io
import json
import shutil
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from draftbook.book.build import language_output
from draftbook.book.pipeline import default_jobs, execute_runs, plan_book_runs, runs_folder
from draftbook.book.stage import stage_runs, stage_sources
from draftbook.model.errors import DraftbookError
from draftbook.model.languages import book_languages
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_rounds

POLL_SECONDS = 0.1
RELOAD_JS = """(function () {
  var here = document.currentScript.src, seen = null, shown = null;
  function banner(text) {
    if (!shown) {
      shown = document.createElement("div");
      shown.setAttribute("role", "status");
      shown.style.cssText = "position:fixed;bottom:0;left:0;right:0;z-index:9999;padding:.5em 1em;" +
        "background:#fff3cd;color:#3d2c00;border-top:2px solid #b8860b;font:14px sans-serif;white-space:pre-wrap";
      document.body.appendChild(shown);
    }
    shown.textContent = text;
    shown.hidden = !text;
  }
  function tick() {
    fetch(new URL("version", here), {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen === null) { seen = s.version; }
      else if (s.version !== seen) { location.reload(); return; }
      banner(s.error ? "The preview could not be rebuilt:\\n" + s.error : (s.building ? "Rebuilding…" : ""));
      setTimeout(tick, 250);
    }).catch(function () { setTimeout(tick, 1000); });
  }
  tick();
})();
"""
WAITING_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
)


class PreviewError(DraftbookError):
    """The preview cannot start as asked."""


@dataclass
class PreviewState:
    """What the pages ask for: the build number, whether a build runs, the last error."""

    version: int = 0
    building: bool = True
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "building": self.building, "error": self.error}).encode()


def watched_files(workbook: Workbook) -> Iterator[Path]:
    """What a writer edits that the preview shows without re-executing a notebook."""
    for name in ("_config.yml", "_toc.yml"):
        if (workbook.root / name).is_file():
            yield workbook.root / name
    yield from sorted(workbook.book_dir.rglob("*.md"))
    yield from sorted(workbook.book_dir.rglob("*.po"))
    yield from sorted((workbook.root / "notebooks" / "locales").rglob("*.po"))
    if (workbook.root / "book" / "locales" / "titles.yml").is_file():
        yield workbook.root / "book" / "locales" / "titles.yml"


def snapshot(workbook: Workbook) -> dict[Path, tuple[int, int]]:
    """Modification time and size of every watched file."""
    seen = {}
    for path in watched_files(workbook):
        with contextlib.suppress(FileNotFoundError):
            info = path.stat()
            seen[path] = (info.st_mtime_ns, info.st_size)
    return seen


def inject(page: bytes, relative: str) -> bytes:
    """The page with the reload script (``relative``: the page's path under the site)."""
    up = "../" * relative.count("/")
    tag = f'<script src="{up}_draftbook/reload.js"></script>'.encode()
    if b"</body>" in page:
        return page.replace(b"</body>", tag + b"</body>", 1)
    return page + tag


class Preview:
    """One language's book, rebuilt in this process on every save and served with live reload."""

    def __init__(self, workbook: Workbook, lang: str, log: Callable[[str], None] = print) -> None:
        if lang not in book_languages(workbook):
            raise PreviewError(
                f"{lang!r} is not a language of this book",
                hint=f"choose one of {', '.join(book_languages(workbook))} (draftbook.languages in _config.yml)",
            )
        self.workbook = workbook
        self.lang = lang
        self.log = log
        self.folder = workbook.build_dir / "preview" / lang
        self.stage = self.folder / "stage"
        self.output = self.folder / "out"
        self.html = self.output / "_build" / "html"
        self.state = PreviewState()
        self.last_seconds: float | None = None

    def prepare(self) -> None:
        """The preview's runs and stage: copies of the last build's (its notebook runs reused), staged."""
        runs_dir = self.folder / "runs"
        if not self.stage.is_dir():
            built_runs = runs_folder(self.workbook)
            built = language_output(self.workbook, self.lang)
            if built_runs.is_dir() and not runs_dir.is_dir():
                shutil.copytree(built_runs, runs_dir)
            if (self.workbook.build_dir / "stage" / self.lang).is_dir():
                shutil.copytree(self.workbook.build_dir / "stage" / self.lang, self.stage)
            if (built / "_build").is_dir():
                shutil.copytree(built / "_build", self.output / "_build", dirs_exist_ok=True)
        rounds = load_rounds(self.workbook)
        runs = plan_book_runs(self.workbook, rounds)
        report = execute_runs(self.workbook, runs, runs_dir, progress=self.log, jobs=default_jobs())
        shown = [run for run in runs if run not in report.left_out]
        missing = {run.round_id for run in report.left_out}
        self.rounds = [r for r in rounds if r.id not in missing]
        self.runs = shown
        stage_runs(runs_dir, self.stage, shown, self.lang)

    def restage(self) -> None:
        stage_sources(self.workbook, self.stage, self.rounds, self.runs, self.lang)

    def build(self) -> float:
        """jupyter-book in this process (Sphinx reads only what changed); the seconds it took."""
        from jupyter_book.cli.main import build as jupyter_book_build

        started = time.perf_counter()
        with self.state.lock:
            self.state.building = True
        error = ""
        try:
            self.restage()
            arguments = [str(self.stage), "--path-output", str(self.output), "-q"]
            with contextlib.redirect_stdout(io.StringIO()):
                jupyter_book_build.main(arguments, standalone_mode=False)
        except SystemExit as exit_:
            if exit_.code:
                error = "jupyter-book stopped: see the terminal where the preview runs"
        except Exception as problem:  # a page Sphinx cannot read: said on the page, the preview goes on
            error = f"{type(problem).__name__}: {problem}"
        seconds = time.perf_counter() - started
        with self.state.lock:
            self.state.building = False
            self.state.error = error
            if not error:
                self.state.version += 1
        self.last_seconds = seconds
        return seconds

    def watch(self, stop: threading.Event) -> None:
        """Rebuild after every save until ``stop`` is set."""
        seen = snapshot(self.workbook)
        while not stop.wait(POLL_SECONDS):
            now = snapshot(self.workbook)
            if now == seen:
                continue
            changed = sorted({*now, *seen} - {p for p in now if now[p] == seen.get(p)})
            seen = now  # a save made during the build is caught on the next turn
            names = ", ".join(str(p.relative_to(self.workbook.root)) for p in changed[:3])
            seconds = self.build()
            if self.state.error:
                self.log(f"{names}: the preview could not be rebuilt ({self.state.error})")
            else:
                self.log(f"{names}: rebuilt in {seconds:.1f} s, the open pages reload.")

    def handler(self) -> type[http.server.SimpleHTTPRequestHandler]:
        preview = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, directory=str(preview.html), **kwargs)  # type: ignore[arg-type]

            def log_message(self, format: str, *args: object) -> None:
                pass

            def send_bytes(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                if path.endswith("/_draftbook/version"):
                    return self.send_bytes(preview.state.as_json(), "application/json")
                if path.endswith("/_draftbook/reload.js"):
                    return self.send_bytes(RELOAD_JS.encode(), "text/javascript; charset=utf-8")
                relative = urllib.parse.unquote(path).lstrip("/") or "index.html"
                if relative.endswith("/"):
                    relative += "index.html"
                target = (preview.html / relative).resolve()
                if not target.is_relative_to(preview.html.resolve()):
                    self.send_error(404)
                    return None
                if relative.endswith(".html"):
                    if not target.is_file():
                        if relative == "index.html":
                            title = "draftbook preview"
                            text = "The book is being built; this page reloads by itself when it is ready."
                            page = WAITING_PAGE.format(title=title, text=html.escape(text)).encode()
                            return self.send_bytes(inject(page, relative), "text/html; charset=utf-8")
                        self.send_error(404)
                        return None
                    return self.send_bytes(inject(target.read_bytes(), relative), "text/html; charset=utf-8")
                return super().do_GET()

        return Handler


def serve(workbook: Workbook, lang: str, ip: str, port: int, log: Callable[[str], None] = print) -> None:
    """Serve the preview until interrupted: the address first, the first build in the background."""
    preview = Preview(workbook, lang, log)
    preview.html.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer((ip, port), preview.handler())
    server.daemon_threads = True
    host = f"[{ip}]" if ":" in ip else ip
    log(f"Preview of the book ({lang}): http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    try:
        log("Preparing the preview (notebook runs of the last build are reused) ...")
        preview.prepare()
        seconds = preview.build()
        log(f"Ready in {seconds:.1f} s. Save a chapter: the page reloads when it is rebuilt.")
        preview.watch(stop)
    except KeyboardInterrupt:
        log("Preview stopped.")
    finally:
        stop.set()
        server.shutdown()
