"""JupyterLab with real-time collaboration, set up for the workbook.

``draftbook lab`` (and ``make lab``) starts JupyterLab 4 with
jupyter-collaboration on the repository: loopback only unless ``--ip`` is
given, always behind a token (``DRAFTBOOK_LAB_TOKEN`` or a fresh one printed
with the address), the collaboration and file-id stores kept outside the
repository, the news and update prompts off, ``--allow-root`` only for root.
The kernel is the project's own ``.venv`` (the server runs from it).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from draftbook.errors import DraftbookError
from draftbook.paths import Workbook

TOKEN_ENV = "DRAFTBOOK_LAB_TOKEN"
STATE_ENV = "DRAFTBOOK_LAB_STATE"


class LabError(DraftbookError):
    """The lab cannot start as asked."""


@dataclass(frozen=True)
class LabPlan:
    """Everything needed to start the server: the command, the address to open, where state goes."""

    command: list[str]
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


def plan_lab(
    workbook: Workbook, *, ip: str = "127.0.0.1", port: int = 8888, token: str | None = None, save_delay: float = 1.0
) -> LabPlan:
    """The JupyterLab command for this workbook; refuses an empty token, and a non-loopback address
    unless the token was chosen on purpose (``--token`` or ``DRAFTBOOK_LAB_TOKEN``)."""
    chosen = token if token is not None else os.environ.get(TOKEN_ENV)
    if chosen is not None and not chosen.strip():
        raise LabError("an empty token would let anyone in", hint=f"set {TOKEN_ENV} or leave it unset")
    if not is_loopback(ip) and chosen is None:
        raise LabError(
            f"refusing to listen on {ip} (beyond this machine) without a token chosen on purpose",
            hint=f"set {TOKEN_ENV} to a long secret shared with the team, or run on 127.0.0.1",
        )
    secret = chosen or secrets.token_urlsafe(24)
    state = state_dir_for(workbook)
    state.mkdir(parents=True, exist_ok=True)
    config = state / "jupyter_server_config.json"
    config.write_text(
        json.dumps(
            {
                "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
                "SQLiteYStore": {"db_path": str(state / "ystore.db")},
                "BaseFileIdManager": {"db_path": str(state / "file_id.db"), "root_dir": str(workbook.root)},
                "SessionManager": {"database_filepath": str(state / "sessions.db")},
                "YDocExtension": {"document_save_delay": save_delay},
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    command = [
        str(Path(sys.executable).parent / "jupyter-lab"),
        f"--config={config}",
        f"--ServerApp.root_dir={workbook.root}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={secret}",
        "--ServerApp.open_browser=False",
        "--LabApp.collaborative=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    host = "127.0.0.1" if is_loopback(ip) else ip
    return LabPlan(command, f"http://{host}:{port}/lab?token={secret}", state, config)


def run_lab(workbook: Workbook, ip: str, port: int, token: str | None) -> int:
    """Start JupyterLab in the foreground (Ctrl+C stops it)."""
    plan = plan_lab(workbook, ip=ip, port=port, token=token)
    print(f"JupyterLab for the drafting team: {plan.url}")
    print(f"Collaboration stores: {plan.state_dir} (outside the repository). Ctrl+C to stop.", flush=True)
    os.execv(plan.command[0], plan.command)
    return 0  # not reached: the server replaces this process
