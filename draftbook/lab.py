"""JupyterLab with real-time collaboration, set up for the workbook.

``draftbook lab`` (and ``make lab``) starts JupyterLab 4 with
jupyter-collaboration on the repository: loopback only unless ``--ip`` is
given, always behind a token (``--token-file PATH``, ``DRAFTBOOK_LAB_TOKEN``,
or a fresh one printed with the address), the collaboration and file-id stores
kept outside the repository, the news and update prompts off, ``--allow-root``
only for root. The kernel is the project's own ``.venv`` (the server runs from it).

The token never reaches a command line (which every user of the machine can
read with ``ps``): it goes to the server in its configuration file, written
readable by the owner only (0600) in the lab's private state folder, and the
variables that carried it are removed from the server's environment, so that
the kernels do not inherit it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import ipaddress
import json
import os
import secrets
import socket
import sys
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draftbook.model.errors import DraftbookError
from draftbook.model.files import atomic_write
from draftbook.model.paths import Workbook

TOKEN_ENV = "DRAFTBOOK_LAB_TOKEN"
STATE_ENV = "DRAFTBOOK_LAB_STATE"
# The shortest token accepted when the lab listens beyond this machine.
MIN_SHARED_TOKEN = 16
# Variables that may carry a token: none of them is passed on to the server (nor to its kernels).
TOKEN_VARIABLES = (TOKEN_ENV, "JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE")
CONFIG_NAME = "jupyter_server_config.json"
NEW_TOKEN_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(24))'"


class LabError(DraftbookError):
    """The lab cannot start as asked."""


@dataclass(frozen=True)
class LabPlan:
    """Everything needed to start the server: the command, its environment, the address to open,
    where state goes. Neither ``command`` nor ``env`` holds the token; ``config_file`` (0600) does."""

    command: list[str]
    env: dict[str, str]
    url: str
    state_dir: Path
    config_file: Path


def is_loopback(ip: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def port_number(value: str) -> int:
    """``value`` as a TCP port (a whole number from 1 to 65535); an argparse type (usage error otherwise)."""
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port, a whole number from 1 to 65535, got {value!r}")
    return int(text)


class RefuseTokenArgument(argparse.Action):
    """``--token VALUE`` is a usage error (exit 2) that never repeats the value: a token on a
    command line shows in the process list of every user of the machine."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        parser.error(
            f"{option_string} is not accepted: a token on the command line is visible to every user of the "
            f"machine (ps). Put it in a file only you can read and pass --token-file PATH, or set {TOKEN_ENV}"
        )


def state_dir_for(workbook: Workbook) -> Path:
    """Where the collaboration stores of this workbook live: outside the repository."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override)
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    name = hashlib.sha256(str(workbook.root).encode()).hexdigest()[:12]
    return base / "draftbook" / name


def free_port(ip: str = "127.0.0.1") -> int:
    """A port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((ip, 0))
        return int(probe.getsockname()[1])


def read_token_file(path: Path) -> str:
    """The token held by ``path`` (surrounding blanks and the final newline dropped); a
    ``LabError`` naming the file when it cannot be read or holds no token."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise LabError(
            f"cannot read the token file ({reason})",
            file=path,
            hint="write the token alone on one line in a file only you can read (chmod 600), and name that file",
        ) from None
    token = text.strip()
    if not token:
        raise LabError(
            "the token file is empty, and an empty token would let anyone in",
            file=path,
            hint="write the token alone on one line in it",
        )
    return token


def choose_token(ip: str, token_file: Path | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The lab's token: from ``token_file``, else ``DRAFTBOOK_LAB_TOKEN``, else a fresh random one.

    Refuses an empty token; beyond loopback, refuses a token not chosen on purpose (a fresh one
    would be printed, not shared) or shorter than ``MIN_SHARED_TOKEN`` characters.
    """
    environ = os.environ if environ is None else environ
    where: Path | None = token_file
    if token_file is not None:
        chosen: str | None = read_token_file(token_file)
    else:
        chosen = environ.get(TOKEN_ENV)
        if chosen is not None:
            chosen = chosen.strip()
            if not chosen:
                raise LabError(
                    f"{TOKEN_ENV} is set but empty, and an empty token would let anyone in",
                    hint=f"set {TOKEN_ENV} to a long secret, or unset it",
                )
    if is_loopback(ip):
        return chosen or secrets.token_urlsafe(24)
    if chosen is None:
        raise LabError(
            f"refusing to listen on {ip} (beyond this machine) without a token chosen on purpose",
            hint=f"pass --token-file PATH or set {TOKEN_ENV} to a long secret shared with the team, or run on "
            "127.0.0.1",
        )
    if len(chosen) < MIN_SHARED_TOKEN:
        raise LabError(
            f"refusing to listen on {ip} (beyond this machine) with a token of {len(chosen)} characters: "
            f"anyone on the network could guess it",
            file=where,
            hint=f"choose a token of at least {MIN_SHARED_TOKEN} characters, e.g. the output of {NEW_TOKEN_HINT}",
        )
    return chosen


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8), readable and writable by its owner only (0600)
    from the first byte; the previous file stays whole until the new one is complete."""
    atomic_write(path, text, mode=0o600)


def prepare_state_dir(workbook: Workbook) -> Path:
    """The lab's state folder, created if needed and made private (0700) when this user owns it."""
    state = state_dir_for(workbook)
    try:
        state.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise LabError(
            f"cannot create the lab's state folder ({error.strerror or error})",
            file=state,
            hint=f"set {STATE_ENV} to a folder you can write to, outside the repository",
        ) from None
    with contextlib.suppress(PermissionError):
        state.chmod(0o700)
    return state


def server_config(workbook: Workbook, state: Path, token: str, save_delay: float) -> dict[str, Any]:
    """The settings given to the server in its configuration file, the token among them."""
    return {
        "IdentityProvider": {"token": token},
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "app_settings_dir": str(state / "lab-settings"),  # overrides.json: no news prompt
        },
        "SQLiteYStore": {"db_path": str(state / "ystore.db")},
        "BaseFileIdManager": {"db_path": str(state / "file_id.db"), "root_dir": str(workbook.root)},
        "SessionManager": {"database_filepath": str(state / "sessions.db")},
        "YDocExtension": {
            "document_save_delay": save_delay,
            # else <root>/.jupyter/collaboration_sessions.json: generated state inside the repository
            "session_store_path": str(state / "collaboration_sessions.json"),
        },
        "ServerProxy": {"servers": {"book-preview": preview_entry(workbook)}},
    }


def preview_entry(workbook: Workbook) -> dict[str, Any]:
    """jupyter-server-proxy's launcher entry for ``draftbook preview`` (at ``<lab>/book-preview/``)."""
    return {
        "command": [str(Path(sys.executable).parent / "draftbook"), "preview", "--port", "{port}"],
        "environment": {"DRAFTBOOK_ROOT": str(workbook.root)},
        "timeout": 60,
        "absolute_url": False,
        "new_browser_tab": True,
        "launcher_entry": {"enabled": True, "title": "Book preview", "category": "Other"},
    }


# The lab's defaults for everyone on this server: no "Would you like to get notified about
# official Jupyter news?" prompt, no update check (the server never fetches either).
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def write_lab_settings(state: Path) -> Path:
    """The lab's ``overrides.json`` in ``state/lab-settings`` (the folder ``server_config`` names)."""
    folder = state / "lab-settings"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "overrides.json"
    atomic_write(path, json.dumps(LAB_OVERRIDES, indent=2) + "\n")
    return path


def server_command(workbook: Workbook, config: Path, ip: str, port: int) -> list[str]:
    """The jupyter-lab command line: settings that are no secret only (the token is in ``config``)."""
    command = [
        str(Path(sys.executable).parent / "jupyter-lab"),
        f"--config={config}",
        f"--ServerApp.root_dir={workbook.root}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        "--LabApp.collaborative=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def server_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: this one without the variables that may carry a token."""
    environ = os.environ if environ is None else environ
    return {name: value for name, value in environ.items() if name not in TOKEN_VARIABLES}


def plan_lab(
    workbook: Workbook,
    *,
    ip: str = "127.0.0.1",
    port: int = 8888,
    token_file: Path | None = None,
    save_delay: float = 1.0,
) -> LabPlan:
    """The JupyterLab command, environment and configuration file (0600, holding the token) for
    this workbook; refuses a port out of range and any token ``choose_token`` refuses."""
    if not 1 <= port <= 65535:
        raise LabError(f"{port} is not a port", hint="choose a whole number from 1 to 65535")
    secret = choose_token(ip, token_file)
    state = prepare_state_dir(workbook)
    config = state / CONFIG_NAME
    write_lab_settings(state)
    write_private(config, json.dumps(server_config(workbook, state, secret, save_delay), indent=2))
    host = "127.0.0.1" if is_loopback(ip) else ip
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{port}/lab?token={urllib.parse.quote(secret, safe='')}"
    return LabPlan(server_command(workbook, config, ip, port), server_environment(), url, state, config)


def run_lab(workbook: Workbook, ip: str, port: int, token_file: Path | None = None) -> int:
    """Start JupyterLab in the foreground (Ctrl+C stops it)."""
    plan = plan_lab(workbook, ip=ip, port=port, token_file=token_file)
    print(f"JupyterLab for the drafting team: {plan.url}")
    print(f"Collaboration stores: {plan.state_dir} (outside the repository). Ctrl+C to stop.", flush=True)
    os.execve(plan.command[0], plan.command, plan.env)
    return 0  # not reached: the server replaces this process
