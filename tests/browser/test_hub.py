"""The team's JupyterHub, for real: JupyterHub, configurable-http-proxy from npm, the collaboration
account's lab, two members and an outsider in Debian's Chromium, a member removed while it runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from draftbook.hub import ACCESS_CACHE_SECONDS, PROXY
from draftbook.lab import free_port
from tests.conftest import REPO, copy_workbook

pytestmark = pytest.mark.slow
TIMEOUT = 120_000
MEMBERS = ("nour", "tomas")
OUTSIDER = "zeynep"


@dataclass
class Hub:
    url: str
    root: Path
    env: dict[str, str]
    password: str
    process: subprocess.Popen[bytes]
    log: Path

    def draftbook(self, *args: str) -> str:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "draftbook"), "hub", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def answers(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    started = start_hub(tmp_path_factory.mktemp("hub"), "dummy")
    started.draftbook("add", *MEMBERS)
    yield started
    stop_hub(started)


@pytest.fixture
def native_hub(tmp_path: Path) -> Iterator[Hub]:
    started = start_hub(tmp_path, "native")
    yield started
    stop_hub(started)


def stop_hub(hub: Hub) -> None:
    os.killpg(hub.process.pid, 15)
    try:
        hub.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(hub.process.pid, 9)


def start_hub(base: Path, auth: str) -> Hub:
    """`draftbook hub serve` on a copy of the tests' workbook, once the collaboration server is ready."""
    if not (REPO / PROXY).exists():
        pytest.fail("configurable-http-proxy is missing: run `make hub-setup` (make test does it)")
    root = copy_workbook(base / "workbook").root
    deploy = root / "deploy" / "jupyterhub"
    deploy.mkdir(parents=True)
    shutil.copy2(REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py", deploy)
    (deploy / "node_modules").symlink_to(REPO / "deploy" / "jupyterhub" / "node_modules")
    home = base / "home"
    home.mkdir()
    password = "pw-" + os.urandom(6).hex()
    env = {
        **os.environ,
        "HOME": str(home),
        "DRAFTBOOK_ROOT": str(root),
        "DRAFTBOOK_HUB_STATE": str(base / "state"),
        "DRAFTBOOK_HUB_TEST_PASSWORD": password,
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    port = free_port()
    log = base / "hub.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "draftbook"),
                "hub",
                "serve",
                "--auth",
                auth,
                "--port",
                str(port),
                "--admin",
                "amina",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    token = ""
    token_file = base / "state" / "admin-token"

    def lab_is_up() -> bool:
        nonlocal token
        if process.poll() is not None:
            return True
        if not token and token_file.exists():
            token = token_file.read_text().strip()
        # the keeper starts the collaboration server by itself: the hub reports it ready
        if not token or answers(f"{url}/hub/api/users/paper", token) != 200:
            return False
        request = urllib.request.Request(f"{url}/hub/api/users/paper", headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return bool((json.load(response).get("servers") or {}).get("", {}).get("ready"))

    if not wait_for(lab_is_up, 180) or process.poll() is not None:
        os.killpg(process.pid, 15)
        raise RuntimeError(f"the hub did not start: {log.read_text(errors='replace')[-3000:]}")
    return Hub(url, root, env, password, process, log)


def signed_in(browser, hub: Hub, name: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login", timeout=TIMEOUT)
    page.fill("#username_input", name)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_load_state()
    return context, page


def status_of(page, path: str) -> int:  # type: ignore[no-untyped-def]
    """What the server answers this person for ``path`` (the browser's cookies, no redirects followed)."""
    return int(page.request.get(path, max_redirects=0).status)


def test_two_members_write_one_chapter_and_see_each_other_by_name(hub: Hub, browser) -> None:  # type: ignore[no-untyped-def]
    chapter = hub.root / "book" / "context.md"
    sessions = [signed_in(browser, hub, name) for name in MEMBERS]
    try:
        for index, (_, page) in enumerate(sessions):
            page.goto(f"{hub.url}/user/paper/lab/workspaces/w{index}/tree/book/context.md?reset", timeout=TIMEOUT)
            page.wait_for_selector(".jp-FileEditor .cm-content >> visible=true", timeout=TIMEOUT)
            page.wait_for_function(
                "() => document.querySelector('.jp-FileEditor .cm-content').textContent.includes('(ch-context)=')",
                timeout=TIMEOUT,
            )
        (_, nour), (_, tomas) = sessions
        nour.click(".jp-FileEditor .cm-content >> visible=true")
        nour.keyboard.press("Control+End")
        nour.keyboard.type("\nParagraphe écrit par Nour.")
        tomas.click(".jp-FileEditor .cm-content >> visible=true")
        tomas.keyboard.press("Control+End")
        tomas.keyboard.type("\nPárrafo de Tomás.")
        for page, other_text in ((nour, "Párrafo de Tomás."), (tomas, "Paragraphe écrit par Nour.")):
            page.wait_for_function(
                "(text) => document.querySelector('.jp-FileEditor .cm-content').textContent.includes(text)",
                arg=other_text,
                timeout=TIMEOUT,
            )
        # each sees the other by name in the collaboration panel, with the chapter they have open
        for page, other in ((nour, "tomas"), (tomas, "nour")):
            page.wait_for_function(
                "(name) => Array.from(document.querySelectorAll('.jp-CollaboratorHeader'))"
                ".some(e => e.textContent.includes(name))",
                arg=other,
                timeout=TIMEOUT,
            )
            entries = page.locator(".jp-Collaborator").filter(has_text=other).all_inner_texts()
            assert any("context.md" in entry for entry in entries)
            assert "Anonymous" not in page.locator(".jp-CollaboratorsList").inner_text()
        assert wait_for(
            lambda: (
                {"Paragraphe écrit par Nour.", "Párrafo de Tomás."}
                <= set(chapter.read_text(encoding="utf-8").splitlines())
            )
        )
        assert chapter.read_text(encoding="utf-8").startswith("(ch-context)=")
    finally:
        for context, _ in sessions:
            context.close()


def test_an_outsider_who_can_sign_in_gets_403_and_no_server_of_their_own(hub: Hub, browser) -> None:  # type: ignore[no-untyped-def]
    context, page = signed_in(browser, hub, OUTSIDER)
    try:
        assert "/hub/" in page.url  # signed in: the hub knows them
        response = page.goto(f"{hub.url}/user/paper/lab", timeout=TIMEOUT)
        assert response is not None
        assert response.status == 403
        assert status_of(page, f"{hub.url}/user/paper/api/contents/book") == 403
        # nor a server of their own: the spawner and the roles refuse it
        started = page.request.post(f"{hub.url}/hub/api/users/{OUTSIDER}/server", max_redirects=0)
        assert started.status == 403
    finally:
        context.close()


def test_nobody_signs_in_as_the_collaboration_account(hub: Hub, browser) -> None:  # type: ignore[no-untyped-def]
    context, page = signed_in(browser, hub, "paper")
    try:
        assert status_of(page, f"{hub.url}/user/paper/api/contents/book") in (302, 403)
        assert status_of(page, f"{hub.url}/hub/api/user") == 403
    finally:
        context.close()


def test_a_removed_member_loses_access_while_the_others_keep_it(hub: Hub, browser) -> None:  # type: ignore[no-untyped-def]
    sessions = {name: signed_in(browser, hub, name) for name in MEMBERS}
    try:
        contents = f"{hub.url}/user/paper/api/contents/book"
        for _, page in sessions.values():
            page.goto(f"{hub.url}/user/paper/lab/tree/book", timeout=TIMEOUT)
            assert status_of(page, contents) == 200
        assert "tomas" in hub.draftbook("members")
        said = hub.draftbook("remove", "tomas")
        assert "tomas can no longer open" in said
        assert "The team (1): nour" in said
        tomas, nour = sessions["tomas"][1], sessions["nour"][1]
        # the lab trusts the hub's answer for ACCESS_CACHE_SECONDS, then asks again
        assert wait_for(lambda: status_of(tomas, contents) == 403, ACCESS_CACHE_SECONDS + 30)
        assert status_of(nour, contents) == 200
        assert "tomas" not in hub.draftbook("members")
    finally:
        for context, _ in sessions.values():
            context.close()
        hub.draftbook("add", "tomas")


def test_with_the_native_authenticator_an_administrator_approves_then_adds(native_hub: Hub, browser) -> None:  # type: ignore[no-untyped-def]
    """The documented set-up: people sign up, the administrator approves them, then lets them in."""
    hub = native_hub
    password = "une-phrase-de-passe-" + os.urandom(4).hex()

    def sign_up(name: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{hub.url}/hub/signup", timeout=TIMEOUT)
        page.fill("#username_input", name)
        page.fill("#password_input", password)
        page.fill("#password_confirmation_input", password)
        page.click("#signup_submit")
        page.wait_for_load_state()
        return context, page

    def sign_in(page, name: str) -> None:  # type: ignore[no-untyped-def]
        page.goto(f"{hub.url}/hub/login", timeout=TIMEOUT)
        page.fill("#username_input", name)
        page.fill("#password_input", password)
        page.click("#login_submit")
        page.wait_for_load_state()

    admin, admin_page = sign_up("amina")
    member, member_page = sign_up("li")
    try:
        sign_in(member_page, "li")
        assert "/hub/login" in member_page.url  # not approved yet: still at the door
        sign_in(admin_page, "amina")  # an administrator is approved from the start
        admin_page.goto(f"{hub.url}/hub/authorize", timeout=TIMEOUT)
        admin_page.locator("a[href$='authorize/li']").first.click()
        admin_page.wait_for_load_state()
        sign_in(member_page, "li")
        refused = member_page.goto(f"{hub.url}/user/paper/lab", timeout=TIMEOUT)
        assert refused is not None and refused.status == 403  # approved, but not yet in the team
        hub.draftbook("add", "li")
        member_page.goto(f"{hub.url}/user/paper/lab/tree/book/context.md", timeout=TIMEOUT)
        member_page.wait_for_selector(".jp-FileEditor .cm-content >> visible=true", timeout=TIMEOUT)
        assert status_of(member_page, f"{hub.url}/user/paper/api/contents/book") == 200
    finally:
        admin.close()
        member.close()
