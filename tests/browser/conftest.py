"""Browser fixtures: Debian's Chromium driven by Playwright, and a real JupyterLab server.

The server runs `draftbook lab` on a free loopback port, on a private copy of
the workbook, with a temporary home and collaboration state. Browser contexts
are closed before the server stops (its shutdown hangs otherwise).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from draftbook.lab import free_port
from tests.conftest import REPO, copy_workbook

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.is_file(), "Debian's chromium is required (apt-get install chromium; .ci/run does it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]

    def page_url(self, path: str) -> str:
        """The document in a fresh workspace, so that no tab of another test is restored."""
        workspace = "w" + os.urandom(4).hex()
        return f"{self.url}/lab/workspaces/{workspace}/tree/{path}?token={self.token}&reset"


def git_workbook(root: Path) -> None:
    """``root`` as a team's clone: a git repository with one commit, a writer's name, and the
    repository's pre-commit hooks installed (they run the project's .venv, linked here)."""
    shutil.copy2(REPO / ".pre-commit-config.yaml", root)
    shutil.copy2(REPO / ".gitignore", root)
    (root / ".venv").symlink_to(REPO / ".venv")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.name", "Ana Writer")
    git("config", "user.email", "ana.writer@example.org")
    git("add", "-A")
    git("commit", "-q", "-m", "The team's workbook")
    subprocess.run([str(REPO / ".venv" / "bin" / "pre-commit"), "install"], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("lab")
    root = copy_workbook(base / "workbook").root
    home = base / "home"
    home.mkdir()
    git_workbook(root)
    token = "test-token-" + os.urandom(8).hex()
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "DRAFTBOOK_ROOT": str(root),
        "DRAFTBOOK_LAB_STATE": str(base / "state"),
        "DRAFTBOOK_LAB_TOKEN": token,
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    log = (base / "lab.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "draftbook"), "lab", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"JupyterLab did not start: {(base / 'lab.log').read_text()[-2000:]}") from None
            time.sleep(0.5)
    yield Lab(url, token, root, process)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
