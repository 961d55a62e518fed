"""``draftbook new``: a workbook for another paper, made from this repository with copier, and its
later tooling updates (``copier update``). Template-only: not shipped into new workbooks.

Each test makes its own template repository: the repository's files as they stand (tracked and
new, never ignored ones), committed, so the test sees this working tree and not the last commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from draftbook.model.errors import DraftbookError
from draftbook.model.languages import book_languages, source_language
from draftbook.model.paths import ROOT_ENV, Workbook
from draftbook.template import new_workbook
from tests.conftest import REPO

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@localhost",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@localhost",
}
SAMPLE_MARKS = ("contenu d'exemple", "sample content", "SAMPLE", "CTA-14", "2022-05-written-feedback")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, env=os.environ | IDENTITY, check=True
    )
    return done.stdout


def template_repository(target: Path) -> Path:
    """A git repository holding this working tree's files (symlinks kept), committed."""
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source, copy = REPO / name, target / name
        if not os.path.lexists(source):
            continue  # deleted in the working tree, not yet in a commit
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(source.readlink())
        else:
            shutil.copy2(source, copy)
    git(target, "init", "--quiet", "--initial-branch=main")
    git(target, "add", "--all")
    git(target, "commit", "--quiet", "-m", "tooling")
    return target


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_repository(tmp_path_factory.mktemp("template") / "draftbook")


def make(template: Path, path: Path, **answers: object) -> Workbook:
    answers = {"title": "Water for all cities", "author": "Water team"} | answers
    return Workbook(new_workbook(path, source=template, **answers))  # type: ignore[arg-type]


def content_files(workbook: Workbook) -> list[Path]:
    """The team's content: configuration, chapters and data (not the tooling)."""
    files = [workbook.root / "_config.yml", workbook.root / "_toc.yml", workbook.root / "README.md"]
    return files + [p for p in [*workbook.book_dir.rglob("*"), *workbook.data.rglob("*")] if p.is_file()]


@pytest.mark.slow
def test_a_new_workbook_has_the_tooling_its_settings_and_no_sample_content(template: Path, tmp_path: Path) -> None:
    workbook = make(template, tmp_path / "water", language="en", languages=["en", "es"])
    root = workbook.root
    for tooling in ("draftbook/cli.py", "Makefile", ".ci/run", "tests/conftest.py", "notebooks/support.ipynb",
                    "docs/team-guide.md", "requirements.txt", ".gitignore", "data/vocabulary.yml"):  # fmt: skip
        assert (root / tooling).is_file(), tooling
        assert not (root / tooling).is_symlink(), f"{tooling} must be a file of its own, not a link"
    assert not (root / "tests" / "test_new.py").exists() and not (root / "template").exists()
    assert not (root / "copier.yml").exists()
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    assert (config["title"], config["author"]) == ("Water for all cities", "Water team")
    assert source_language(workbook) == "en" and book_languages(workbook) == ("en", "es")
    assert [p.name for p in workbook.rounds_dir.iterdir()] == [".gitkeep"]
    for path in content_files(workbook):
        text = path.read_text(encoding="utf-8")
        assert not [mark for mark in SAMPLE_MARKS if mark in text], path
    calls = yaml.safe_load(workbook.calls_file.read_text(encoding="utf-8"))["calls"]
    assert [(c["id"], c["text"]["fr"], c["text"]["es"]) for c in calls] == [("CTA-01", "", "")]
    assert "Replace this text" in calls[0]["text"]["en"]
    assert "Where to start" in (root / "book" / "index.md").read_text(encoding="utf-8")
    assert git(root, "status", "--porcelain") == "" and len(git(root, "log", "--oneline").splitlines()) == 1
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert len(answers["_commit"]) >= 7 and git(template, "rev-parse", "HEAD").startswith(answers["_commit"])
    assert answers["language"] == "en" and Path(answers["_src_path"]) == template


@pytest.mark.slow
@pytest.mark.parametrize(("language", "heading"), [("fr", "Par où commencer"), ("es", "Por dónde empezar")])
def test_the_front_page_speaks_the_papers_language(template: Path, tmp_path: Path, language: str, heading: str) -> None:
    workbook = make(template, tmp_path / language, language=language)
    assert heading in (workbook.book_dir / "index.md").read_text(encoding="utf-8")
    assert source_language(workbook) == language and len(book_languages(workbook)) == 3


@pytest.mark.slow
def test_a_hostile_title_stays_text(template: Path, tmp_path: Path) -> None:
    title = 'Cities\' <script>alert(1)</script> paper: "one" {{ two }}\nthree'
    workbook = make(template, tmp_path / "hostile", title=title)
    config = yaml.safe_load((workbook.root / "_config.yml").read_text(encoding="utf-8"))
    assert config["title"] == title.strip()
    front = (workbook.book_dir / "index.md").read_text(encoding="utf-8")
    assert "<script>" not in front and "&lt;script&gt;" in front


def test_new_refuses_a_folder_that_holds_something(template: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DraftbookError, match="not empty"):
        make(template, tmp_path / "taken")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
    with pytest.raises(DraftbookError, match="title"):
        make(template, tmp_path / "untitled", title="  ")
    with pytest.raises(DraftbookError, match="not a git checkout"):
        new_workbook(tmp_path / "elsewhere", title="T", source=tmp_path / "taken")


@pytest.mark.slow
def test_the_command_line_makes_a_workbook(template: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "draftbook.cli", "new", str(tmp_path / "cli"), "--title", "Un document"]
    environment = os.environ | {"PYTHONPATH": str(template)} | IDENTITY
    environment.pop(ROOT_ENV, None)
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr
    assert "make book" in done.stdout and (tmp_path / "cli" / "book" / "index.md").is_file()
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=environment)
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr


@pytest.mark.slow
def test_an_update_brings_the_tooling_and_keeps_the_teams_content(template: Path, tmp_path: Path) -> None:
    from copier import run_update

    source = template_repository(tmp_path / "tooling")
    workbook = make(source, tmp_path / "water")
    root = workbook.root
    # The team writes its paper and opens a round.
    calls = workbook.calls_file.read_text(encoding="utf-8").replace(
        "Remplacez ce texte par votre premier appel à l'action.", "Garantir l'accès à l'eau dans chaque quartier."
    )
    workbook.calls_file.write_text(calls, encoding="utf-8")
    (root / "book" / "index.md").write_text("# L'eau pour toutes les villes\n\nNotre texte.\n", encoding="utf-8")
    (root / "data" / "rounds" / "2031-03-survey").mkdir()
    (root / "data" / "rounds" / "2031-03-survey" / "round.yml").write_text("title: Enquête\n", encoding="utf-8")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "our paper")
    # The tooling moves on: a Makefile target, and a new example call in the template.
    makefile = (source / "Makefile").read_text(encoding="utf-8")
    (source / "Makefile").write_text(makefile + "\nhello:  ## a new target\n\t@echo hello\n", encoding="utf-8")
    example = source / "template" / "data" / "calls.yml.jinja"
    example.write_text(example.read_text(encoding="utf-8").replace("CTA-01", "CTA-99"), encoding="utf-8")
    git(source, "commit", "--quiet", "--all", "-m", "tooling 2")

    run_update(str(root), defaults=True, overwrite=True, skip_answered=True, quiet=True, unsafe=False)

    assert "hello:  ## a new target" in (root / "Makefile").read_text(encoding="utf-8")
    assert "Garantir l'accès à l'eau" in workbook.calls_file.read_text(encoding="utf-8")
    assert "CTA-99" not in workbook.calls_file.read_text(encoding="utf-8")
    assert (root / "book" / "index.md").read_text(encoding="utf-8").startswith("# L'eau pour toutes les villes")
    assert (root / "data" / "rounds" / "2031-03-survey" / "round.yml").is_file()
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["_commit"] in git(source, "rev-parse", "HEAD") and answers["title"] == "Water for all cities"


@pytest.mark.slow
def test_a_paper_drafted_in_english_builds_its_french_and_spanish_books(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import polib

    from draftbook.cli import main

    workbook = make(template, tmp_path / "english", language="en")
    monkeypatch.setenv(ROOT_ENV, str(workbook.root))
    assert main(["translate", "update"]) == 0
    catalogue = workbook.book_dir / "locales" / "fr" / "LC_MESSAGES" / "book" / "index.po"
    po = polib.pofile(str(catalogue))
    (entry,) = [e for e in po if e.msgid.startswith("This book is your paper")]
    entry.msgstr = "Ce livre est celui de votre document, traduit depuis la version anglaise."
    po.save(str(catalogue))
    assert not (workbook.book_dir / "locales" / "en").exists()  # English is the source: no catalogue

    assert main(["build", "--strict"]) == 0
    assert "English, Français, Español" in capsys.readouterr().out
    html = workbook.html_dir
    assert "url=en/index.html" in (html / "index.html").read_text(encoding="utf-8")
    french = (html / "fr" / "book" / "index.html").read_text(encoding="utf-8")
    assert "traduit depuis la version anglaise" in french and 'lang="fr"' in french
    spanish = (html / "es" / "book" / "index.html").read_text(encoding="utf-8")
    assert "This book is your paper" in spanish and 'lang="en"' in spanish  # untranslated, marked as English
    calls = (html / "es" / "notebooks" / "calls.html").read_text(encoding="utf-8")
    assert "Replace this text with your first call to action." in calls  # no Spanish wording yet: the English one
    # The notebooks' own text is the tooling's French, translated by the catalogues shipped with them:
    # the English book shows it in English even though English is the paper's language.
    english_calls = (html / "en" / "notebooks" / "calls.html").read_text(encoding="utf-8")
    assert "The calls to action: current version" in english_calls and "Les appels à l" not in english_calls
    assert "Los llamados a la acción" in calls or "llamados a la acción" in calls
    status = (html / "fr" / "team" / "translations.html").read_text(encoding="utf-8")
    assert "rédigées en anglais" in status


@pytest.mark.slow
def test_make_book_and_make_test_pass_in_a_new_workbook_with_zero_rounds_then_one(
    template: Path, tmp_path: Path
) -> None:
    """The new workbook's own Makefile, run with this checkout's environment (its .venv is this one's)."""
    root = make(template, tmp_path / "paper", title="Un document de test").root
    venv = REPO / ".venv"
    environment = {k: v for k, v in os.environ.items() if k != ROOT_ENV} | {"PYTHONPATH": str(root)} | IDENTITY

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=environment)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    make_ = ("make", "-o", str(venv / ".installed"), f"VENV={venv}")
    assert "The book is ready in Français, English, Español" in run(*make_, "book")
    fast = '-m "not slow" --ignore=tests/browser -n 2 -p no:cacheprovider'
    run(*make_, "test", f"PYTEST_ARGS={fast}")
    run(sys.executable, "-m", "draftbook.cli", "round", "new", "2031-03-survey", "--title", "Enquête",
        "--kind", "survey", "--start", "2031-03-01", "--end", "2031-03-21")  # fmt: skip
    run(*make_, "book")
    assert (root / "_build" / "html" / "fr" / "rounds" / "2031-03-survey" / "support.html").is_file()
    run(*make_, "book-strict", "notebooks")
