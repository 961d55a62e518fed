"""The team's JupyterHub: named people on one shared workbook.

JupyterHub's pattern for "real-time collaboration without impersonation":

- one **collaboration account** (a hub user, ``paper`` unless ``--account`` says otherwise)
  whose single-user server is the workbook's lab, with the options ``draftbook lab`` uses
  (collaboration on, stores outside the repository, news off);
- the team's members are hub users in the group ``team``, whose one role grants exactly
  ``access:servers!user=<account>``: they open that server, each under their own name;
- nobody else has a server: the default ``user`` role is cut down to reading one's own
  name, and the spawner refuses any user but the collaboration account, so no member
  (and no outsider who can sign in) runs code anywhere else;
- nobody can sign in as the collaboration account, and a small managed service
  (``draftbook-keeper``) keeps its server running;
- members are added and removed while the hub runs (``draftbook hub add|remove``, or the
  hub's admin page, Groups): group membership is read at every request.

``draftbook hub serve`` writes the settings for ``deploy/jupyterhub/jupyterhub_config.py``
into the environment and replaces itself with ``jupyterhub``; that file calls
:func:`configure`. Everything the hub keeps (its database, cookie secret, the
collaboration stores, the administration token) lives in a private state folder outside
the repository.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draftbook.lab import free_port, is_loopback, server_config, state_dir_for, write_lab_settings, write_private
from draftbook.model.errors import DraftbookError
from draftbook.model.paths import Workbook

TEAM_GROUP = "team"
ACCOUNT = "paper"
AUTHENTICATORS = ("native", "dummy")
ADMIN_SERVICE = "draftbook-admin"
KEEPER_SERVICE = "draftbook-keeper"
CONFIG_FILE = Path("deploy") / "jupyterhub" / "jupyterhub_config.py"
PROXY = Path("deploy") / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy"
# How long the collaboration server trusts what the hub said about a visitor: a member removed
# from the team loses the server within this many seconds (JupyterHub's default is 300).
ACCESS_CACHE_SECONDS = 5
NAME_HINT = "hub names are lower-case letters, digits, '-', '_' and '.', starting with a letter"


class HubError(DraftbookError):
    """The hub cannot do what was asked."""


@dataclass(frozen=True)
class HubSettings:
    """What ``draftbook hub serve`` decides and ``configure`` applies (carried in the environment)."""

    root: Path
    state: Path
    account: str = ACCOUNT
    auth: str = "native"
    admins: tuple[str, ...] = ()
    ip: str = "127.0.0.1"
    port: int = 8000

    def to_environ(self) -> dict[str, str]:
        return {
            "DRAFTBOOK_ROOT": str(self.root),
            "DRAFTBOOK_HUB_STATE": str(self.state),
            "DRAFTBOOK_HUB_ACCOUNT": self.account,
            "DRAFTBOOK_HUB_AUTH": self.auth,
            "DRAFTBOOK_HUB_ADMINS": ",".join(self.admins),
            "DRAFTBOOK_HUB_IP": self.ip,
            "DRAFTBOOK_HUB_PORT": str(self.port),
        }

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> HubSettings:
        environ = os.environ if environ is None else environ
        try:
            return cls(
                root=Path(environ["DRAFTBOOK_ROOT"]),
                state=Path(environ["DRAFTBOOK_HUB_STATE"]),
                account=environ.get("DRAFTBOOK_HUB_ACCOUNT", ACCOUNT),
                auth=environ.get("DRAFTBOOK_HUB_AUTH", "native"),
                admins=tuple(name for name in environ.get("DRAFTBOOK_HUB_ADMINS", "").split(",") if name),
                ip=environ.get("DRAFTBOOK_HUB_IP", "127.0.0.1"),
                port=int(environ.get("DRAFTBOOK_HUB_PORT", "8000")),
            )
        except KeyError as missing:
            raise HubError(
                f"the hub's setting {missing} is not set",
                hint="start the hub with `draftbook hub serve` (or `make hub`), which sets it",
            ) from None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if is_loopback(self.ip) or self.ip in ("0.0.0.0", "::", "") else self.ip
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


def check_name(name: str, what: str = "member") -> str:
    """A hub user name as JupyterHub stores it (lower case); refuses anything else, naming the rule."""
    text = name.strip()
    if not text or not text[0].isalpha() or not all(ch.isalnum() or ch in "-_." for ch in text):
        raise HubError(f"{name!r} is not a name the hub accepts ({what})", hint=NAME_HINT)
    if not text.isascii():
        raise HubError(f"{name!r} is not a name the hub accepts ({what})", hint=NAME_HINT)
    return text.lower()


def hub_state_dir(workbook: Workbook, environ: Mapping[str, str] | None = None) -> Path:
    """The hub's private state folder (``DRAFTBOOK_HUB_STATE``, else beside the lab's state)."""
    environ = os.environ if environ is None else environ
    override = environ.get("DRAFTBOOK_HUB_STATE")
    return Path(override) if override else state_dir_for(workbook) / "hub"


def admin_token(state: Path) -> str:
    """The administration service's token (created once, readable by the owner only)."""
    path = state / "admin-token"
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def team_roles(account: str) -> list[dict[str, Any]]:
    """The roles of the deployment: members reach the collaboration server and nothing else."""
    return [
        # Every signed-in person: their own name and groups, nothing more (no server of their own, no tokens).
        {
            "name": "user",
            "description": "A signed-in person",
            "scopes": ["read:users:name!user", "read:users:groups!user"],
        },
        {
            # The collaboration account's own server reports activity and checks its visitors.
            "name": "collaboration-server",
            "description": "The workbook's lab itself",
            "scopes": ["users:activity!user", "read:users:name!user", "read:users:groups!user", "access:servers!user"],
            "groups": ["collaborative"],
        },
        {
            "name": "team-access",
            "description": f"The drafting team: open the workbook's lab ({account})",
            "scopes": [f"access:servers!user={account}"],
            "groups": [TEAM_GROUP],
        },
        {
            "name": "draftbook-admin",
            "description": "draftbook hub add/remove/members: the team's membership",
            "scopes": [
                f"admin:groups!group={TEAM_GROUP}",
                f"read:groups!group={TEAM_GROUP}",
                "admin:users",
                "list:users",
                "read:users",
                f"admin:servers!user={account}",
            ],
            "services": [ADMIN_SERVICE],
        },
        {
            "name": "draftbook-keeper",
            "description": "Keeps the collaboration server running",
            "scopes": [f"admin:servers!user={account}", f"read:users!user={account}", f"read:servers!user={account}"],
            "services": [KEEPER_SERVICE],
        },
    ]


def collaboration_config(settings: HubSettings) -> Path:
    """The single-user server's configuration file (0600): the lab's stores and options, and the
    short trust in the hub's answers that makes a removal take effect within seconds."""
    stores = settings.state / "collaboration"
    stores.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = server_config(Workbook(settings.root), stores, token="", save_delay=1.0)
    write_lab_settings(stores)
    del config["IdentityProvider"]  # the hub authenticates every visitor
    config["HubOAuth"] = {"cache_max_age": ACCESS_CACHE_SECONDS}
    config["ServerApp"] = {"root_dir": str(settings.root)}
    path = stores / "jupyter_server_config.json"
    write_private(path, json.dumps(config, indent=2))
    return path


def singleuser_command(settings: HubSettings) -> tuple[list[str], list[str]]:
    """``Spawner.cmd`` and ``Spawner.args`` of the collaboration server."""
    command = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
    args = [
        f"--config={collaboration_config(settings)}",
        f"--ServerApp.root_dir={settings.root}",
        "--LabApp.collaborative=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return command, args


def configure(c: Any, environ: Mapping[str, str] | None = None) -> HubSettings:
    """Fill JupyterHub's configuration object ``c`` from the settings ``draftbook hub serve`` set."""
    from jupyterhub.spawner import LocalProcessSpawner
    from tornado import web

    settings = HubSettings.from_environ(environ)
    if settings.auth not in AUTHENTICATORS:
        raise HubError(f"unknown authenticator {settings.auth!r}", hint=f"choose one of {', '.join(AUTHENTICATORS)}")
    if settings.auth == "dummy" and not is_loopback(settings.ip):
        raise HubError(
            "the dummy authenticator lets anyone in with the test password: it only listens on this machine",
            hint="use --auth native (sign-up with the administrator's approval) for a hub others can reach",
        )
    state = settings.state
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    account = settings.account
    command, args = singleuser_command(settings)
    home = state / "home"
    home.mkdir(mode=0o700, exist_ok=True)

    class CollaborationSpawner(LocalProcessSpawner):  # type: ignore[misc]
        """Only the collaboration account gets a server; it runs as the hub's own system account."""

        async def start(self) -> Any:
            if self.user.name != account:
                raise web.HTTPError(403, f"only the workbook's collaboration account ({account}) has a server here")
            return await super().start()

        def make_preexec_fn(self, name: str) -> Any:
            root = str(settings.root)
            return lambda: os.chdir(root)

        def user_env(self, env: dict[str, str]) -> dict[str, str]:
            env.update(USER=account, HOME=str(home), SHELL="/bin/bash")
            return env

        def move_certs(self, paths: Any) -> Any:
            return paths

    c.JupyterHub.ip = settings.ip
    c.JupyterHub.port = settings.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = free_port()  # the hub's own API and the proxy's: free ports of this machine
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.spawner_class = CollaborationSpawner
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.implicit_spawn_seconds = 0
    # The team's own server only asks who the visitor is: no "Authorize access" page in between.
    c.JupyterHub.tornado_settings = {"oauth_no_confirm_list": {f"jupyterhub-user-{account}"}}
    c.JupyterHub.default_url = f"/user/{account}/lab"  # members land in the workbook's lab
    proxy = settings.root / PROXY
    if proxy.exists():
        c.ConfigurableHTTPProxy.command = [str(proxy)]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.ConfigurableHTTPProxy.auth_token = proxy_token(state)
    c.Spawner.cmd = command
    c.Spawner.args = args
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120
    c.JupyterHub.load_groups = {TEAM_GROUP: {"users": []}, "collaborative": {"users": [account]}}
    c.JupyterHub.load_roles = team_roles(account)
    c.JupyterHub.services = [
        {"name": ADMIN_SERVICE, "api_token": admin_token(state)},
        {"name": KEEPER_SERVICE, "command": [sys.executable, "-m", "draftbook.hub", "keep", account]},
    ]
    c.Authenticator.admin_users = set(settings.admins)
    c.Authenticator.post_auth_hook = refuse_account(account)  # nobody signs in as the collaboration account
    c.Authenticator.allow_all = True  # signing in gives nothing but one's name; the team group gives access
    if settings.auth == "native":
        c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
        c.NativeAuthenticator.open_signup = False  # an administrator approves every sign-up
        c.NativeAuthenticator.minimum_password_length = 10
        c.NativeAuthenticator.check_common_password = True
        c.NativeAuthenticator.allowed_failed_logins = 5
        c.NativeAuthenticator.seconds_before_next_try = 300
        c.JupyterHub.template_paths = [str(native_templates())]
    else:
        c.JupyterHub.authenticator_class = "dummy"
        c.DummyAuthenticator.password = os.environ.get("DRAFTBOOK_HUB_TEST_PASSWORD", "")
    return settings


def refuse_account(account: str) -> Any:
    """A post-authentication hook that turns away whoever signs in as the collaboration account
    (JupyterHub's ``blocked_users`` would also strip that account of its group and roles)."""
    from tornado import web

    def hook(authenticator: Any, handler: Any, authentication: dict[str, Any]) -> dict[str, Any]:
        if str(authentication.get("name", "")).lower() == account:
            raise web.HTTPError(403, f"{account} is the workbook's collaboration account: nobody signs in as it")
        return authentication

    return hook


def native_templates() -> Path:
    import nativeauthenticator

    return Path(nativeauthenticator.__file__).parent / "templates"


def proxy_token(state: Path) -> str:
    path = state / "proxy-token"
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


# --- the running hub's REST API: membership, and the keeper --------------------------------------


@dataclass(frozen=True)
class HubClient:
    """JupyterHub's REST API with the administration service's token."""

    url: str
    token: str

    def call(self, method: str, path: str, body: object | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url.rstrip('/')}/hub/api{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise HubError(
                f"the hub answered {error.code} to {method} {path}: {detail}",
                hint="is the hub running from this workbook (draftbook hub serve)?",
            ) from None
        except (urllib.error.URLError, ConnectionError) as error:
            raise HubError(
                f"no hub answers at {self.url} ({getattr(error, 'reason', error)})",
                hint="start it with `make hub` (or `draftbook hub serve`), or set --url",
            ) from None
        return json.loads(text) if text else None

    def members(self) -> list[str]:
        return sorted(self.call("GET", f"/groups/{TEAM_GROUP}")["users"])

    def add(self, names: list[str]) -> None:
        for name in names:
            try:
                self.call("GET", f"/users/{urllib.parse.quote(name)}")
            except HubError:
                self.call("POST", f"/users/{urllib.parse.quote(name)}")
        self.call("POST", f"/groups/{TEAM_GROUP}/users", {"users": names})

    def remove(self, names: list[str]) -> None:
        self.call("DELETE", f"/groups/{TEAM_GROUP}/users", {"users": names})


def client_for(workbook: Workbook, url: str | None = None) -> HubClient:
    """The client of the hub this workbook runs (its address as ``serve`` recorded it)."""
    state = hub_state_dir(workbook)
    token_file = state / "admin-token"
    if not token_file.exists():
        raise HubError(
            "this workbook has no hub yet",
            file=token_file,
            hint="start it with `make hub` (or `draftbook hub serve`) first",
        )
    if url is None:
        address = state / "address"
        url = address.read_text(encoding="utf-8").strip() if address.exists() else HubSettings(workbook.root, state).url
    return HubClient(url, token_file.read_text(encoding="utf-8").strip())


def keep(account: str, every: float = 5.0) -> None:
    """The keeper service: start the collaboration server whenever it is not running."""
    client = HubClient(os.environ["JUPYTERHUB_API_URL"].removesuffix("/hub/api"), os.environ["JUPYTERHUB_API_TOKEN"])
    while True:
        try:
            user = client.call("GET", f"/users/{account}")
            server = (user.get("servers") or {}).get("")
            if not server or not (server.get("ready") or server.get("pending")):
                client.call("POST", f"/users/{account}/server")
        except HubError as error:
            print(f"draftbook-keeper: {error}", file=sys.stderr, flush=True)
        time.sleep(every)


def serve(workbook: Workbook, settings: HubSettings) -> int:
    """Replace this process with JupyterHub, configured by ``deploy/jupyterhub/jupyterhub_config.py``."""
    config = workbook.root / CONFIG_FILE
    proxy = workbook.root / PROXY
    if not config.exists():
        raise HubError("the hub's configuration is missing", file=config, hint="restore deploy/ from the repository")
    if not proxy.exists():
        raise HubError(
            "configurable-http-proxy is not installed",
            file=proxy,
            hint="run `make hub-setup` (npm ci in deploy/jupyterhub), or `make hub`, which does it",
        )
    if settings.auth == "dummy" and not is_loopback(settings.ip):
        raise HubError("the dummy authenticator only listens on this machine", hint="use --auth native")
    settings.state.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(settings.state / "address", settings.url)
    executable = str(Path(sys.executable).parent / "jupyterhub")
    command = [executable, "-f", str(config), "--ip", settings.ip, "--port", str(settings.port)]
    env = {**os.environ, **settings.to_environ()}
    print(f"The team's hub: {settings.url} (collaboration account {settings.account}, group {TEAM_GROUP}).")
    print(f"State (database, stores, tokens): {settings.state}, outside the repository. Ctrl+C to stop.", flush=True)
    os.chdir(settings.state)
    os.execve(executable, command, env)
    return 0  # not reached


if __name__ == "__main__":  # the keeper: python -m draftbook.hub keep ACCOUNT
    if len(sys.argv) == 3 and sys.argv[1] == "keep":
        keep(sys.argv[2])
