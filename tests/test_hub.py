"""The team's JupyterHub configuration, without starting it (tests/browser/test_hub.py starts it)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from draftbook.hub import (
    ACCESS_CACHE_SECONDS,
    ADMIN_SERVICE,
    KEEPER_SERVICE,
    TEAM_GROUP,
    HubError,
    HubSettings,
    check_name,
    client_for,
    configure,
    team_roles,
)
from draftbook.model.paths import Workbook
from tests.conftest import REPO


def settings(workbook: Workbook, tmp_path: Path, **changes: object) -> dict[str, str]:
    base = HubSettings(workbook.root, tmp_path / "state", auth="dummy", admins=("amina",))
    return {**HubSettings(**{**base.__dict__, **changes}).to_environ()}  # type: ignore[arg-type]


def configured(workbook: Workbook, tmp_path: Path, **changes: object) -> Config:
    c = Config()
    configure(c, settings(workbook, tmp_path, **changes))
    return c


def test_members_get_access_to_the_collaboration_server_and_nothing_else() -> None:
    roles = {role["name"]: role for role in team_roles("paper")}
    assert roles["team-access"]["scopes"] == ["access:servers!user=paper"]
    assert roles["team-access"]["groups"] == [TEAM_GROUP]
    # signing in gives a name, not a server: "self" (which starts one's own server) is gone
    assert roles["user"]["scopes"] == ["read:users:name!user", "read:users:groups!user"]
    assert not any("servers" in scope for scope in roles["user"]["scopes"])
    # the command line's service manages the team group, not other groups
    assert f"admin:groups!group={TEAM_GROUP}" in roles["draftbook-admin"]["scopes"]
    assert "admin:groups" not in roles["draftbook-admin"]["scopes"]
    assert roles["draftbook-keeper"]["services"] == [KEEPER_SERVICE]
    assert all(scope.endswith("!user=paper") for scope in roles["draftbook-keeper"]["scopes"])


def test_the_hub_configuration(workbook: Workbook, tmp_path: Path) -> None:
    c = configured(workbook, tmp_path)
    state = tmp_path / "state"
    assert c.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert c.JupyterHub.load_groups[TEAM_GROUP] == {"users": []}  # membership lives in the hub, not here
    assert c.JupyterHub.load_groups["collaborative"] == {"users": ["paper"]}
    assert c.JupyterHub.default_url == "/user/paper/lab"
    assert c.Authenticator.admin_users == {"amina"}
    assert {s["name"] for s in c.JupyterHub.services} == {ADMIN_SERVICE, KEEPER_SERVICE}
    assert c.Spawner.cmd[0].endswith("jupyterhub-singleuser")
    assert "--LabApp.collaborative=True" in c.Spawner.args
    assert f"--ServerApp.root_dir={workbook.root}" in c.Spawner.args
    assert c.ConfigurableHTTPProxy.auth_token
    # the stores and the secrets stay outside the repository, readable by the owner only
    config_file = Path(next(a for a in c.Spawner.args if a.startswith("--config=")).split("=", 1)[1])
    assert not config_file.is_relative_to(workbook.root)
    server = json.loads(config_file.read_text())
    assert server["HubOAuth"]["cache_max_age"] == ACCESS_CACHE_SECONDS
    assert "IdentityProvider" not in server  # no shared token: the hub says who each visitor is
    assert server["LabApp"]["news_url"] is None
    for secret in ("admin-token", "proxy-token"):
        assert stat.S_IMODE((state / secret).stat().st_mode) == 0o600


def test_the_spawner_starts_only_the_collaboration_account(workbook: Workbook, tmp_path: Path) -> None:
    from tornado import web

    c = configured(workbook, tmp_path)
    spawner_class = c.JupyterHub.spawner_class
    starting = spawner_class.start(SimpleNamespace(user=SimpleNamespace(name="nour")))  # type: ignore[arg-type]
    with pytest.raises(web.HTTPError) as refused:
        starting.send(None)  # start() checks the name before its first await: no event loop needed
    assert refused.value.status_code == 403
    assert "paper" in str(refused.value.log_message)
    env = spawner_class.user_env(SimpleNamespace(), {"PATH": "/usr/bin"})  # type: ignore[arg-type]
    assert env["USER"] == "paper"
    assert not Path(env["HOME"]).is_relative_to(workbook.root)


def test_nobody_signs_in_as_the_collaboration_account(workbook: Workbook, tmp_path: Path) -> None:
    from tornado import web

    hook = configured(workbook, tmp_path).Authenticator.post_auth_hook
    assert hook(None, None, {"name": "nour"}) == {"name": "nour"}
    with pytest.raises(web.HTTPError) as refused:
        hook(None, None, {"name": "Paper"})
    assert refused.value.status_code == 403


def test_the_dummy_authenticator_is_refused_beyond_this_machine(workbook: Workbook, tmp_path: Path) -> None:
    with pytest.raises(HubError, match="only listens on this machine") as refused:
        configured(workbook, tmp_path, ip="0.0.0.0")
    assert "--auth native" in refused.value.hint
    with pytest.raises(HubError, match="unknown authenticator"):
        configured(workbook, tmp_path, auth="pam")


def test_the_native_authenticator_asks_an_administrator_to_approve(workbook: Workbook, tmp_path: Path) -> None:
    c = configured(workbook, tmp_path, auth="native", ip="0.0.0.0")
    assert c.JupyterHub.authenticator_class == "nativeauthenticator.NativeAuthenticator"
    assert c.NativeAuthenticator.open_signup is False
    assert c.NativeAuthenticator.minimum_password_length >= 10
    assert all(Path(folder).is_dir() for folder in c.JupyterHub.template_paths)


@pytest.mark.parametrize("name", ["", "1abc", "a b", "<script>", "nöur", "a/b", "=cmd"])
def test_names_that_cannot_be_hub_users_are_refused(name: str) -> None:
    with pytest.raises(HubError) as refused:
        check_name(name)
    assert "lower-case letters" in refused.value.hint


def test_names_are_lower_cased() -> None:
    assert check_name(" Nour.Haddad ") == "nour.haddad"


def test_the_settings_travel_through_the_environment(workbook: Workbook, tmp_path: Path) -> None:
    original = HubSettings(workbook.root, tmp_path, "essay", "native", ("amina", "li"), "0.0.0.0", 8123)
    assert HubSettings.from_environ(original.to_environ()) == original
    assert original.url == "http://127.0.0.1:8123"
    with pytest.raises(HubError, match="DRAFTBOOK_HUB_STATE") as missing:
        HubSettings.from_environ({"DRAFTBOOK_ROOT": str(workbook.root)})
    assert "draftbook hub serve" in missing.value.hint


def test_members_cannot_be_managed_before_the_hub_has_run(workbook: Workbook, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DRAFTBOOK_HUB_STATE", str(tmp_path / "never"))
    with pytest.raises(HubError, match="no hub yet") as refused:
        client_for(workbook)
    assert "make hub" in refused.value.hint


def test_a_hub_that_does_not_answer_is_said_plainly(workbook: Workbook, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from draftbook.lab import free_port

    state = tmp_path / "state"
    state.mkdir()
    (state / "admin-token").write_text("x" * 64)
    monkeypatch.setenv("DRAFTBOOK_HUB_STATE", str(state))
    client = client_for(workbook, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(HubError, match="no hub answers") as refused:
        client.members()
    assert "make hub" in refused.value.hint


def test_the_command_line_help_and_a_refused_name(workbook: Workbook) -> None:
    command = [str(Path(sys.executable).parent / "draftbook"), "hub"]
    shown = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True).stdout
    for word in ("serve", "add", "remove", "members", "collaboration account"):
        assert word in shown
    refused = subprocess.run([*command, "serve", "--admin", "<b>x</b>"], capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    assert "'<b>x</b>' is not a name the hub accepts (administrator)" in refused.stderr


def test_the_deployment_files_are_in_the_repository() -> None:
    deploy = REPO / "deploy" / "jupyterhub"
    assert "configure(c)" in (deploy / "jupyterhub_config.py").read_text()
    package = json.loads((deploy / "package.json").read_text())
    assert package["dependencies"] == {"configurable-http-proxy": "5.3.0"}  # exact, with its lock file
    lock = json.loads((deploy / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == "5.3.0"


def test_the_organisations_own_settings_are_read_last_from_the_state_folder(
    workbook: Workbook, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from traitlets.config.loader import PyFileConfigLoader

    for name, value in settings(workbook, tmp_path).items():
        monkeypatch.setenv(name, value)
    deploy = REPO / "deploy" / "jupyterhub"
    plain = PyFileConfigLoader("jupyterhub_config.py", path=str(deploy)).load_config()
    assert plain.JupyterHub.authenticator_class == "dummy"
    (tmp_path / "state" / "jupyterhub_config.py").write_text(
        'c.JupyterHub.authenticator_class = "github"\nc.GitHubOAuthenticator.allowed_organizations = {"our-org"}\n'
    )
    extended = PyFileConfigLoader("jupyterhub_config.py", path=str(deploy)).load_config()
    assert extended.JupyterHub.authenticator_class == "github"
    assert extended.GitHubOAuthenticator.allowed_organizations == {"our-org"}
    assert extended.JupyterHub.load_roles == plain.JupyterHub.load_roles  # the team's roles stay
