"""The ``draftbook`` command line.

Exit codes: 0 success, 1 a data or build problem (the message says which file,
row, column or cell, and what to do), 2 a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from draftbook.lab import MIN_SHARED_TOKEN, TOKEN_ENV, RefuseTokenArgument, port_number
from draftbook.model.errors import DraftbookError
from draftbook.model.languages import LANGUAGES as BOOK_LANGUAGES
from draftbook.model.languages import book_languages, source_language
from draftbook.model.paths import Workbook

if TYPE_CHECKING:
    from draftbook.model.decisions import Decision
    from draftbook.model.rounds import Round

EPILOG = "Docs: README.md. Every problem names the file and what to do; exit code 1 for data, 2 for usage."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="draftbook",
        description="Regenerate and inspect the drafting workbook: calls to action, consultation rounds, book.",
        epilog=EPILOG,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build",
        help="re-execute the notebooks with Papermill and rebuild the book",
        description=(
            "Validate the calls and rounds, execute every notebook with Papermill (once per round for the "
            "notebooks that take a `round` parameter; unchanged runs are reused), then build the book with "
            "jupyter-book, one book per language, into _build/html/fr, /en and /es (each page links to the "
            "same page in the other languages). If anything fails, the previous _build/html is left as it was."
        ),
        epilog="Examples: draftbook build --round 2022-05-written-feedback ; draftbook build --lang fr --lang en",
    )
    build.add_argument(
        "--round",
        dest="rounds",
        action="append",
        metavar="R",
        help="re-execute only this round's notebooks (repeatable); other rounds stay as last built",
    )
    build.add_argument(
        "--lang",
        dest="langs",
        action="append",
        choices=BOOK_LANGUAGES,
        help="build the book in this language (repeatable; default: all three); the others stay as last built",
    )
    build.add_argument("--strict", action="store_true", help="treat every Sphinx warning as an error (CI uses it)")
    build.add_argument(
        "--pdf",
        action="store_true",
        help="also write the book in the first --lang (default French) as _build/book.pdf (make pdf)",
    )
    build.add_argument(
        "--jobs",
        type=_positive,
        default=max(1, os.cpu_count() or 1),
        metavar="N",
        help=f"notebook runs at once (default: one per core, here {max(1, os.cpu_count() or 1)})",
    )
    ingest = commands.add_parser(
        "ingest",
        help="read a survey or session export into a round: validated, pseudonymised, nothing lost",
        description=(
            "Read SOURCE_FILE (CSV or XLSX) as MAPPING.yml describes, sort every row into accepted, "
            "quarantined (with a reason), superseded (an earlier answer of the same person) or excluded "
            "(tests, previews, incomplete answers named by the mapping's exclude:), and write "
            "the round's tables (respondents.csv, ratings.csv, comments.csv) and ingest-report.json. "
            "Names and e-mails never reach the tables; the raw export and the quarantined rows are kept in "
            "data/private/. Running it again with the same source replaces that source's rows. "
            "Any error, or a run that accepts no row, changes nothing and exits 1."
        ),
        epilog=(
            "Example: draftbook ingest 2022-05-written-feedback export.csv "
            "--mapping data/rounds/2022-05-written-feedback/sources/online-form/mapping.yml   "
            "The mapping file, with an example per survey tool: docs/mapping.md"
        ),
    )
    ingest.add_argument("round", metavar="ROUND", help="a round folder name under data/rounds/")
    ingest.add_argument("source_file", metavar="SOURCE_FILE", type=Path, help="the export: .csv or .xlsx")
    ingest.add_argument(
        "--mapping", required=True, type=Path, metavar="MAPPING.yml", help="where each piece is in the export"
    )
    ingest.add_argument(
        "--new-key",
        action="store_true",
        help="make a new pseudonym key when the old one (data/private/pseudonym-salt) is lost for good: "
        "the same people will get other pseudonyms than in earlier rounds",
    )
    export = commands.add_parser(
        "export",
        help="write documents for circulation: the statement of the calls (Word), a round's tables (Excel)",
        description="Write documents for circulation outside the book.",
    )
    exports = export.add_subparsers(dest="what", required=True, metavar="WHAT")
    statement = exports.add_parser(
        "statement",
        help="the calls to action as they stand after a round, as a Word document",
        description=(
            "Write the calls to action as they stand after ROUND (the next round's snapshot, or data/calls.yml "
            "after the last round) as a Word document: title, version, date, one section per addressee."
        ),
        epilog="Example: draftbook export statement --round 2022-05-written-feedback --lang en",
    )
    statement.add_argument("--round", required=True, metavar="R", help="the round after which the calls stand")
    statement.add_argument(
        "--lang", choices=BOOK_LANGUAGES, help="language of the document (default: the paper's own language)"
    )
    statement.add_argument("--output", type=Path, help="where to write it (default: _build/statement/R-LANG.docx)")
    tables = exports.add_parser(
        "tables",
        help="a round's figures as one spreadsheet for the team (XLSX)",
        description=(
            "Write one spreadsheet of ROUND: support per call, per region and per type of member (groups under "
            "the privacy threshold withheld), opinion groups, the next round's sample, the comments whose writers "
            "agreed to be quoted, and the decisions. No personal data; no cell a spreadsheet could run as a formula."
        ),
        epilog="Example: draftbook export tables --round 2022-05-written-feedback --lang en",
    )
    tables.add_argument("--round", required=True, metavar="R", help="a round under data/rounds/")
    tables.add_argument(
        "--lang", choices=BOOK_LANGUAGES, help="language of the headers and texts (default: the paper's)"
    )
    tables.add_argument("--output", type=Path, help="where to write it (default: _build/tables/R-LANG.xlsx)")
    publish_cmd = commands.add_parser(
        "publish",
        help="copy the built book to a folder, or push it to a branch of a git remote",
        description=(
            "Publish _build/html: to a folder (replaced whole), or to a branch (default gh-pages) of a git "
            "remote, as one commit on top of what the branch holds. A folder gets a .draftbook-publication "
            "file; publishing refuses the workbook, a folder inside it or holding it, and a non-empty folder "
            "without that file (unless --force). If the copy fails (a full disk, a refused write), the "
            "folder is left as it was."
        ),
        epilog="Examples: draftbook publish --to /srv/www/book ; draftbook publish --to git@host:org/book.git",
    )
    publish_cmd.add_argument("--to", required=True, metavar="DIR_OR_GIT_REMOTE", help="where the book goes")
    publish_cmd.add_argument("--branch", default="gh-pages", help="branch of the git remote (default: gh-pages)")
    publish_cmd.add_argument(
        "--force",
        action="store_true",
        help="replace a non-empty folder that was not written by draftbook publish (everything in it goes)",
    )
    lab = commands.add_parser(
        "lab",
        help="JupyterLab with real-time collaboration for the drafting team",
        description=(
            "Start JupyterLab on this workbook with real-time collaboration. It listens on 127.0.0.1 unless "
            "--ip is given and always asks for a token: the one in --token-file, else DRAFTBOOK_LAB_TOKEN, "
            "else a fresh one printed with the address. Beyond this machine it needs a token chosen on purpose, "
            f"of at least {MIN_SHARED_TOKEN} characters. The token never goes on a command line (ps shows those): "
            "the server reads it from its configuration file, readable by you only, in the lab's state folder."
        ),
        epilog=(
            "Example: draftbook lab --ip 0.0.0.0 --port 8890 --token-file ~/.config/draftbook/lab-token "
            "(or DRAFTBOOK_LAB_TOKEN=a-long-secret draftbook lab --ip 0.0.0.0)"
        ),
    )
    lab.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    lab.add_argument("--port", type=port_number, default=8888, help="port, 1 to 65535 (default: 8888)")
    lab.add_argument(
        "--token-file",
        type=Path,
        metavar="PATH",
        help=f"a file only you can read holding the token (default: ${TOKEN_ENV}, else a new one)",
    )
    lab.add_argument("--token", action=RefuseTokenArgument, help=argparse.SUPPRESS)
    preview = commands.add_parser(
        "preview",
        help="live preview for writers: the book on this machine, rebuilt when a chapter is saved",
        description=(
            "Serve the book of one language on this machine and rebuild the page a writer saves (chapters, "
            "catalogues, table of contents); the open pages reload by themselves, in about two seconds. The "
            "notebook pages are the ones the last `draftbook build` made: for new data, run `draftbook build`. "
            "In the lab, the launcher's 'Book preview' opens the same preview."
        ),
        epilog="Example: draftbook preview --lang en --port 8010",
    )
    preview.add_argument("--lang", choices=BOOK_LANGUAGES, help="the book's language (default: the paper's)")
    preview.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    preview.add_argument("--port", type=port_number, default=8010, help="port, 1 to 65535 (default: 8010)")
    hub = commands.add_parser(
        "hub",
        help="the team's JupyterHub: named members on the workbook's shared lab",
        description=(
            "A JupyterHub for the drafting team. One collaboration account runs the workbook's lab (real-time "
            "collaboration, stores outside the repository); the members of the group 'team' open it, each under "
            "their own name, and nobody gets a server of their own. Members sign up on the hub's page and an "
            "administrator approves them (NativeAuthenticator); `draftbook hub add NAME` then lets them in. "
            "Adding or removing a member needs no restart."
        ),
        epilog=(
            "Examples: make hub HUB_ADDRESS=0.0.0.0:8000 HUB_ADMIN=amina ; draftbook hub add nour ; "
            "draftbook hub remove nour ; draftbook hub members"
        ),
    )
    hub_actions = hub.add_subparsers(dest="action", required=True, metavar="ACTION")
    hub_serve = hub_actions.add_parser(
        "serve",
        help="start the hub (configurable-http-proxy from deploy/jupyterhub, make hub-setup installs it)",
        description="Start the team's JupyterHub in the foreground (Ctrl+C stops it).",
    )
    hub_serve.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    hub_serve.add_argument("--port", type=port_number, default=8000, help="port, 1 to 65535 (default: 8000)")
    hub_serve.add_argument(
        "--admin",
        action="append",
        default=[],
        metavar="NAME",
        help="a person who approves sign-ups and manages the team on the admin page (repeatable)",
    )
    hub_serve.add_argument("--account", default="paper", help="the collaboration account's hub name (default: paper)")
    hub_serve.add_argument(
        "--auth",
        choices=("native", "dummy"),
        default="native",
        help="native: sign-up approved by an administrator (default); dummy: tests only, loopback only",
    )
    for action, text in (("add", "let these people into the workbook's lab"), ("remove", "take their access away")):
        member = hub_actions.add_parser(action, help=text, description=f"{text[0].upper()}{text[1:]}, at once.")
        member.add_argument("names", nargs="+", metavar="NAME", help="hub user names")
        member.add_argument("--url", help="the hub's address (default: the one `hub serve` recorded)")
    members = hub_actions.add_parser("members", help="list the team", description="List the members of the team.")
    members.add_argument("--url", help="the hub's address (default: the one `hub serve` recorded)")
    translate = commands.add_parser(
        "translate",
        help="translations of the book: update the catalogues from the source text",
        description=(
            "The chapters are written in the paper's language (sphinx.config.language in _config.yml; French for "
            "the sample), the notebooks' text in French. The other languages come from gettext catalogues, one .po "
            "file per page: book/locales/<lang>/LC_MESSAGES/ for the chapters, notebooks/locales/<lang>/LC_MESSAGES/ "
            "for the notebooks; translators edit them in JupyterLab's text editor or any PO editor."
        ),
    )
    translations = translate.add_subparsers(dest="what", required=True, metavar="ACTION")
    translations.add_parser(
        "update",
        help="extract the source text and merge it into the catalogues of the other languages",
        description=(
            "Extract every paragraph, heading and list item of book/*.md and of the notebooks' text cells "
            "(Sphinx gettext) and merge them into book/locales/<lang>/LC_MESSAGES/ (chapters) and "
            "notebooks/locales/<lang>/LC_MESSAGES/ (notebooks). New text arrives untranslated; a changed source "
            "paragraph keeps its old translation marked fuzzy (to review), with the old source text shown to the "
            "translator; the book shows the source text, marked, meanwhile."
        ),
        epilog="Example: draftbook translate update",
    )
    add_round_commands(commands)
    add_new_command(commands)
    coding = commands.add_parser(
        "coding",
        help="the analyst's coding of comments: suggested themes to review",
        description="Help the analyst code a round's comments by theme.",
    )
    coding_actions = coding.add_subparsers(dest="what", required=True, metavar="ACTION")
    suggest = coding_actions.add_parser(
        "suggest",
        help="write the review list of themes a model suggests for the round's comments",
        description=(
            "Learn from the analyst's codes (coding.csv of every round) and the keyword codes, then write "
            "data/rounds/R/coding-suggestions.csv: the comments to which the model suggests a theme the keywords "
            "missed, with its confidence, most confident first. Nothing is published from it: copy the codes you "
            "accept into data/rounds/R/coding.csv."
        ),
        epilog="Example: draftbook coding suggest --round 2022-05-written-feedback",
    )
    suggest.add_argument("--round", required=True, metavar="R", help="a round under data/rounds/")
    commands.add_parser(
        "status",
        help="list the rounds, their data and what a build would re-run",
        description="Show each round (dates, respondents, calls, sources) and which notebook runs are stale and why.",
    )
    return parser


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-12-01") from None


def add_new_command(commands: Any) -> None:
    """``draftbook new PATH``."""
    new = commands.add_parser(
        "new",
        help="start a workbook for another paper: the same tooling, your title and languages, no sample content",
        description=(
            "Make a new workbook at PATH (a new or empty folder) for another paper, from this one with copier: the "
            "package, notebooks, tests, Makefile, CI and guides, one example call to replace, the vocabulary and "
            "membership files to fill in, a front page that says where to start, and no rounds yet. PATH becomes a "
            "git repository with one commit. Later versions of the tooling reach it with `make update` there."
        ),
        epilog='Example: draftbook new ../water-paper --title "Water for all cities" --language en --languages en fr',
    )
    new.add_argument("path", type=Path, metavar="PATH", help="where the new workbook goes (new or empty)")
    new.add_argument("--title", required=True, help="the paper's title, in the language it is drafted in")
    new.add_argument("--author", default="Drafting team", help='shown under the title (default: "Drafting team")')
    new.add_argument(
        "--language", choices=BOOK_LANGUAGES, default="fr", help="the language the paper is drafted in (default: fr)"
    )
    new.add_argument(
        "--languages",
        nargs="+",
        choices=BOOK_LANGUAGES,
        default=list(BOOK_LANGUAGES),
        help="the languages of the book (default: fr en es; the paper's own language is always one)",
    )


def command_new(args: argparse.Namespace) -> int:
    from draftbook.template import new_workbook

    print(f"Making a new workbook at {args.path} (copier) ...", flush=True)
    root = new_workbook(
        args.path, title=args.title, author=args.author, language=args.language, languages=args.languages
    )
    print(f"Done: {root}, with its first commit. Next:")
    print(f"  cd {root} && make book     # set-up included; the book of your paper, with no rounds yet")
    print("  then read book/index.md: it says where to start.")
    return 0


def add_round_commands(commands: Any) -> None:
    """``draftbook round new`` and ``draftbook round form``."""
    round_cmd = commands.add_parser(
        "round",
        help="open the next consultation round, and write its questionnaires",
        description="Open a round (its folder, the calls as they stand now); generate its forms with their mappings.",
    )
    actions = round_cmd.add_subparsers(dest="what", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new",
        help="open a round: data/rounds/ID/ with round.yml, the calls as they stand now, an assessments template",
        description=(
            "Create data/rounds/ID/ with round.yml, calls.yml (a snapshot of data/calls.yml as it stands now: the "
            "calls tested in this round), assessments.yml (a template to fill in after the round) and sources/. "
            "The round appears in `draftbook status` and, with pages saying there are no answers yet, in the book."
        ),
        epilog='Example: draftbook round new 2027-03-regional-survey --title "Enquête régionale" --kind survey '
        "--start 2027-03-01 --end 2027-03-21 --invited 400",
    )
    new.add_argument("round", metavar="ID", help="a plain folder name: letters, digits, - and _")
    new.add_argument("--title", required=True, help="the round's title, in the book's language")
    new.add_argument(
        "--kind",
        required=True,
        choices=["session", "live", "survey", "written"],
        help="session (live debate or poll; 'live' is the same), survey or written feedback",
    )
    new.add_argument("--start", required=True, type=_date, help="first day, YYYY-MM-DD")
    new.add_argument("--end", required=True, type=_date, help="last day, YYYY-MM-DD")
    new.add_argument("--invited", type=_positive, help="how many members were invited (for the response rate)")
    new.add_argument(
        "--languages", nargs="+", choices=BOOK_LANGUAGES, help="languages of the answers (default: the book's)"
    )
    form = actions.add_parser(
        "form",
        help="write a source's questionnaire from the round's calls, and the mapping that reads its export",
        description=(
            "Write the questionnaire of one source of the round (an XLSForm for KoboToolbox/ODK, the questions to "
            "paste into Google Forms, or a typing sheet for a live session) into data/rounds/ID/sources/NAME/, "
            "with the mapping.yml that reads that tool's export of that form without any edit."
        ),
        epilog="Example: draftbook round form 2027-03-regional-survey --source online --tool kobo",
    )
    form.add_argument("round", metavar="ID", help="a round under data/rounds/")
    form.add_argument("--source", required=True, metavar="NAME", help="the source's name (a plain folder name)")
    form.add_argument("--tool", required=True, choices=["kobo", "google-forms", "typing-sheet"])
    form.add_argument(
        "--lang", dest="langs", action="append", choices=BOOK_LANGUAGES, help="a language of the form (repeatable)"
    )


def command_round(workbook: Workbook, args: argparse.Namespace) -> int:
    if args.what == "new":
        from draftbook.model.rounds import new_round

        folder = new_round(
            workbook,
            args.round,
            title=args.title,
            kind=args.kind,
            start=args.start,
            end=args.end,
            languages=args.languages or book_languages(workbook),
            invited=args.invited,
        )
        print(f"Opened round {args.round} in {folder.relative_to(workbook.root)}: round.yml, calls.yml (the calls as")
        print("they stand now), assessments.yml (to fill in after the round) and sources/.")
        print(f"Next: draftbook round form {args.round} --source NAME --tool kobo|google-forms|typing-sheet")
        return 0
    from draftbook.ingest.forms import write_form

    written = write_form(workbook, args.round, args.source, args.tool, args.langs)
    for path in written:
        print(f"wrote {path.relative_to(workbook.root)}")
    mapping = next((p for p in written if p.name == "mapping.yml"), None)
    if mapping is not None:
        relative = mapping.relative_to(workbook.root)
        print(f"When the answers are in: draftbook ingest {args.round} EXPORT --mapping {relative}")
    return 0


def command_hub(workbook: Workbook, args: argparse.Namespace) -> int:
    from draftbook.hub import HubSettings, check_name, client_for, hub_state_dir, serve

    if args.action == "serve":
        admins = tuple(check_name(name, "administrator") for name in args.admin)
        account = check_name(args.account, "collaboration account")
        settings = HubSettings(
            workbook.root, hub_state_dir(workbook), account, args.auth, admins, ip=args.ip, port=args.port
        )
        return serve(workbook, settings)
    client = client_for(workbook, args.url)
    if args.action in ("add", "remove"):
        names = [check_name(name) for name in args.names]
        (client.add if args.action == "add" else client.remove)(names)
        verb = "can now open" if args.action == "add" else "can no longer open"
        print(f"{', '.join(names)} {verb} the workbook's lab.")
    team = client.members()
    print(f"The team ({len(team)}): {', '.join(team) if team else 'nobody yet'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from draftbook.book.publish import publish
    from draftbook.lab import run_lab

    args = build_parser().parse_args(argv)
    workbook = Workbook.locate()
    try:
        if args.command == "build":
            langs = list(dict.fromkeys(args.langs or book_languages(workbook)))
            return command_build(workbook, args.rounds, langs, args.strict, args.jobs, args.pdf)
        if args.command == "translate":
            return command_translate(workbook)
        if args.command == "round":
            return command_round(workbook, args)
        if args.command == "new":
            return command_new(args)
        if args.command == "coding":
            from draftbook.analysis.suggest import write_suggestions

            print("Learning from the coded comments of every round (scikit-learn) ...", flush=True)
            print(write_suggestions(workbook, args.round))
            return 0
        if args.command == "ingest":
            return command_ingest(workbook, args.round, args.source_file, args.mapping, args.new_key)
        if args.command == "publish":
            where = publish(workbook.html_dir, args.to, args.branch, root=workbook.root, force=args.force)
            print(f"The book was {where}.")
            return 0
        if args.command == "lab":
            return run_lab(workbook, args.ip, args.port, args.token_file)
        if args.command == "preview":
            from draftbook.book.preview import serve as serve_preview

            serve_preview(workbook, args.lang or source_language(workbook), args.ip, args.port)
            return 0
        if args.command == "hub":
            return command_hub(workbook, args)
        if args.command == "export" and args.what == "tables":
            return command_tables(workbook, args.round, args.lang, args.output)
        if args.command == "export":
            return command_statement(workbook, args.round, args.lang, args.output)
        return command_status(workbook)
    except DraftbookError as error:
        print(f"draftbook: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a full disk, a permission, a folder that vanished: said in one paragraph
        print(f"draftbook: {system_error(error)}", file=sys.stderr)
        return 1


def system_error(error: OSError) -> str:
    """An error of the machine (disk, permissions) as one short paragraph with what to do."""
    import errno
    import shutil

    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list) and error.args[0]:
        source, _, reason = error.args[0][0]
        count = len(error.args[0])
        return (
            f"{count} file(s) could not be copied, the first: {source} ({reason})\n"
            "  -> free some disk space or fix the permissions, then run the command again"
        )
    where = f"{error.filename}: " if error.filename else ""
    hints = {
        errno.ENOSPC: "free some disk space, then run the command again",
        errno.EACCES: "check the permissions of that file or folder",
        errno.EROFS: "the disk is read-only: work in a folder you can write to",
    }
    hint = hints.get(error.errno or 0, "check the file or folder named, then run the command again")
    return f"{where}{error.strerror or error}\n  -> {hint}"


def validate(workbook: Workbook, round_ids: Sequence[str] | None) -> list[Round]:
    """Check the draft, every round, its decisions and the lineage of the calls before any work starts."""
    from draftbook.analysis.lineage import check_lineage, text_after
    from draftbook.book.translate import catalog_status
    from draftbook.model.calls import load_calls
    from draftbook.model.codebook import load_codebook
    from draftbook.model.rounds import load_round, load_rounds
    from draftbook.model.titles import book_titles
    from draftbook.model.vocabulary import vocabulary

    themes = load_codebook(workbook.codebook_file)
    vocabulary(workbook)  # regions, constituencies and languages (data/vocabulary.yml)
    load_calls(workbook.calls_file, themes)
    for round_id in round_ids or ():
        load_round(workbook, round_id)  # an unknown round is named before anything runs
    rounds = load_rounds(workbook)
    for round_ in rounds:
        decisions = round_decisions(round_, list(themes))
        after, name = text_after(workbook, round_, rounds)
        check_lineage(round_.calls, after, decisions, before_name=round_.id, after_name=name)
    catalog_status(workbook)  # a damaged translation file is named before anything runs
    book_titles(workbook)
    return rounds


def round_decisions(round_: Round, themes: list[str]) -> list[Decision]:
    """The round's decisions, checked against its calls, the codebook and its comment ids."""
    from draftbook.analysis.coding import comment_ids
    from draftbook.model.decisions import load_decisions
    from draftbook.model.rounds import read_table

    return load_decisions(
        round_.folder / "decisions.yml",
        calls=[call.id for call in round_.calls],
        themes=themes,
        comments=comment_ids(read_table(round_, "comments")).tolist(),
    )


def command_statement(workbook: Workbook, round_id: str, lang: str | None, output: Path | None) -> int:
    from draftbook.analysis.lineage import text_after
    from draftbook.book.statement import write_statement
    from draftbook.model.codebook import load_codebook
    from draftbook.model.languages import source_language
    from draftbook.model.rounds import load_round, load_rounds
    from draftbook.model.titles import book_titles

    source_lang = source_language(workbook)
    lang = lang or source_lang
    rounds = load_rounds(workbook)
    round_ = load_round(workbook, round_id)
    calls, name = text_after(workbook, round_, rounds)
    decisions = round_decisions(round_, list(load_codebook(workbook.codebook_file)))
    date = max((d.decided_on for d in decisions), default=round_.end)
    target = output or workbook.build_dir / "statement" / f"{round_id}-{lang}.docx"
    titles, authors = book_titles(workbook), book_titles(workbook, "author")
    source = titles[source_lang]
    write_statement(
        calls,
        round_.title_in(lang),
        date,
        lang,
        target,
        title=titles.get(lang) or source,
        author=authors.get(lang) or authors[source_lang],
    )
    print(f"Wrote {target} ({len(calls)} calls from {name}, {lang}).")
    return 0


def command_tables(workbook: Workbook, round_id: str, lang: str | None, output: Path | None) -> int:
    from draftbook.book.tables import write_tables
    from draftbook.model.languages import source_language

    written = write_tables(workbook, round_id, output, lang or source_language(workbook))
    sheets = ", ".join(f"{name} ({rows})" for name, rows in written.rows.items())
    print(f"Wrote {written.path}: {sheets}.")
    return 0


def _positive(value: str) -> int:
    number = int(value) if value.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, got {value!r}")
    return number


def command_build(
    workbook: Workbook,
    round_ids: Sequence[str] | None,
    langs: Sequence[str],
    strict: bool,
    jobs: int = 1,
    pdf: bool = False,
) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from draftbook.book.build import assemble_site, book_is_current, build_html, build_lock, build_pdf
    from draftbook.book.pipeline import execute_runs, plan_book_runs, runs_folder
    from draftbook.book.stage import LANGUAGE_SELF_NAMES, stage_runs, stage_sources
    from draftbook.book.translate import catalog_status, changed_since_update

    started = time.perf_counter()
    rounds = validate(workbook, round_ids)
    with build_lock(workbook):
        runs = plan_book_runs(workbook, rounds)
        chosen = f"round(s) {', '.join(round_ids)}" if round_ids else f"{len(rounds)} round(s)"
        every = ", ".join(LANGUAGE_SELF_NAMES[lang] for lang in book_languages(workbook))
        print(f"Executing the notebooks for {chosen} with Papermill, once for {every} ({len(runs)} runs):", flush=True)
        report = execute_runs(
            workbook,
            runs,
            runs_folder(workbook),
            progress=lambda line: print(line, flush=True),
            only_rounds=round_ids,
            jobs=jobs,
        )
        ran, reused, kept = len(report.ran), len(report.reused), len(report.kept)
        notebooks_seconds = report.seconds
        shown = [run for run in runs if run not in report.left_out]
        missing = {run.round_id for run in report.left_out}
        to_build = []
        for lang in langs:
            name = LANGUAGE_SELF_NAMES[lang]
            stage = workbook.build_dir / "stage" / lang
            stage_runs(runs_folder(workbook), stage, shown, lang)
            stage_sources(workbook, stage, [r for r in rounds if r.id not in missing], shown, lang)
            if book_is_current(workbook, stage, strict, lang):
                print(f"{name}: nothing changed since the last build, the book is current.", flush=True)
            else:
                to_build.append((lang, stage))
        if to_build:
            names = ", ".join(LANGUAGE_SELF_NAMES[lang] for lang, _ in to_build)
            at_once = len(to_build)  # all at once: each spends much of its time starting (measured: faster than 2)
            print(f"Building the book with jupyter-book ({names}, {at_once} at a time) ...", flush=True)
            with ThreadPoolExecutor(max_workers=at_once) as pool:
                builds = [pool.submit(build_html, workbook, stage, strict, lang) for lang, stage in to_build]
                for build in builds:
                    build.result()  # the first failure, named, once every build has ended
        if pdf:
            lang = langs[0]
            print(f"{LANGUAGE_SELF_NAMES[lang]}: building the PDF with LaTeX ...", flush=True)
            print(f"The PDF is ready: {build_pdf(workbook, workbook.build_dir / 'stage' / lang)}", flush=True)
        present = assemble_site(workbook, book_languages(workbook))
    seconds = time.perf_counter() - started
    print(
        f"Done in {seconds:.1f} s (notebooks {notebooks_seconds:.1f} s, {jobs} at a time): "
        f"{ran} notebook run(s) executed, {reused} reused"
        + (f", {kept} of other rounds kept as they were" if kept else "")
        + ".\n"
        f"The book is ready in {', '.join(LANGUAGE_SELF_NAMES[lang] for lang in present)}: "
        f"{(workbook.html_dir / 'index.html').as_uri()}"
    )
    stale = [row for row in catalog_status(workbook) if row.stale]
    if stale or changed_since_update(workbook):
        print("Some translations need attention: see `draftbook status`.")
    return 0


def command_translate(workbook: Workbook) -> int:
    from draftbook.book.build import build_lock
    from draftbook.book.translate import update as update_translations

    with build_lock(workbook):  # not while a build reads the catalogues
        report = update_translations(workbook)
    print(
        f"{report.pages} pages read; catalogues created: {len(report.created)}, updated: {len(report.updated)}, "
        f"unchanged: {report.unchanged}."
    )
    for name in report.updated:
        print(f"  updated {name}")
    for name, count in report.stale.items():
        print(f"  {name}: {count} translation(s) to review (the French changed; marked fuzzy)")
    print_translation_status(workbook)
    return 0


def print_translation_status(workbook: Workbook) -> None:
    from draftbook.book.translate import catalog_status, changed_since_update

    rows = catalog_status(workbook)
    if not rows:
        print("Translations: no catalogue yet (run: draftbook translate update).")
        return
    print("Translations (translated / to review / to translate):")
    for row in rows:
        state = f"{row.percent:3d} %  {row.translated:3d} / {row.stale:3d} / {row.untranslated:3d}"
        print(f"  {row.lang}  {row.page:32} {state}")
    changed = changed_since_update(workbook)
    if changed:
        print(f"  The French changed since the last update in: {', '.join(changed)}")
        print("  Run `draftbook translate update` to mark the translations to review.")


def command_ingest(workbook: Workbook, round_id: str, source_file: Path, mapping: Path, new_key: bool) -> int:
    from draftbook.ingest import ingest_source
    from draftbook.model.rounds import load_round

    if new_key:
        print("warning: a new pseudonym key: people will not get the pseudonyms of earlier rounds", file=sys.stderr)
    result = ingest_source(
        workbook,
        round_id,
        source_file,
        mapping,
        new_key=new_key,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(result.summary())
    round_ = load_round(workbook, round_id)
    if round_.sources and result.source not in round_.sources:
        print(f"  note: round.yml does not list the source {result.source} under sources:; add it there.")
    return 0


def command_status(workbook: Workbook) -> int:
    from draftbook.book.pipeline import plan_book_runs, runs_folder, stale_runs
    from draftbook.model.calls import load_calls
    from draftbook.model.codebook import load_codebook
    from draftbook.model.rounds import count_rows, list_round_ids, load_rounds, read_report

    themes = load_codebook(workbook.codebook_file)
    calls = load_calls(workbook.calls_file, themes)
    print(f"Current draft: {len(calls)} calls to action in data/calls.yml")
    print(f"Rounds ({len(list_round_ids(workbook))}):")
    rounds = load_rounds(workbook)
    for round_ in rounds:
        respondents = count_rows(round_, "respondents")
        state = f"{respondents} respondents" if round_.has_tables else "no data yet (run draftbook ingest)"
        print(f"  {round_.id}  {round_.kind:8} {round_.start} – {round_.end}  {len(round_.calls)} calls, {state}")
        report = read_report(round_)
        for source in sorted(set(round_.sources) | set(report)):
            entry = report.get(source)
            counts = (
                f"{entry['accepted']} accepted, {entry['quarantined']} quarantined, {entry['superseded']} superseded"
                f"{', ' + str(entry['excluded']) + ' excluded' if entry.get('excluded') else ''}"
                if entry
                else "not ingested yet"
            )
            print(f"      source {source} ({counts})")
    runs = plan_book_runs(workbook, rounds)
    stale = stale_runs(workbook, runs, runs_folder(workbook))
    if stale and len(stale) == len(runs) and all(reason == "never built" for _, reason in stale):
        print(f"Stale: never built ({len(runs)} notebook runs, each drawing every language of the book).")
    elif stale:
        print(f"Stale ({len(stale)} notebook runs would execute on the next build):")
        print("\n".join(f"  {run.label}: {reason}" for run, reason in stale))
    else:
        print("Every notebook run is up to date.")
    print_translation_status(workbook)
    site = workbook.html_dir / "index.html"
    print(f"Book: {site.as_uri() if site.is_file() else 'not built yet (run: make book)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
