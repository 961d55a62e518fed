"""Browser fixtures: Debian's Chromium driven by Playwright, and a real JupyterLab server.

The server runs `draftbook lab` on a free loopback port, on a private copy of
the workbook, with a temporary home and collaboration state. Browser contexts
are closed before the server stops (its shutdown hangs otherwise).
"""

from __future__ import annotations

import os
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
from tests.conftest import copy_workbook

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


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("lab")
    root = copy_workbook(base / "workbook").root
    home = base / "home"
    home.mkdir()
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
