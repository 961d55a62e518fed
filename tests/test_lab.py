import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from draftbook.cli import main
from draftbook.lab import LabError, is_loopback, plan_lab, state_dir_for
from draftbook.model.paths import Workbook
from tests.conftest import REPO, write

SECRET = "a-long-team-secret-4f1c9e"


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTBOOK_LAB_STATE", str(tmp_path / "state"))
    monkeypatch.delenv("DRAFTBOOK_LAB_TOKEN", raising=False)


def server_token(plan_config: Path) -> str:
    return str(json.loads(plan_config.read_text())["IdentityProvider"]["token"])


def test_loopback_only_by_default_with_a_generated_token(workbook: Workbook) -> None:
    plan = plan_lab(workbook, port=8899)
    assert "--ServerApp.ip=127.0.0.1" in plan.command and "--ServerApp.port=8899" in plan.command
    token = server_token(plan.config_file)
    assert len(token) >= 24 and plan.url == f"http://127.0.0.1:8899/lab?token={token}"
    assert ("--allow-root" in plan.command) == (os.geteuid() == 0)
    assert "--LabApp.collaborative=True" in plan.command


def test_stores_and_news_settings_stay_out_of_the_repository(workbook: Workbook, tmp_path: Path) -> None:
    plan = plan_lab(workbook)
    config = json.loads(plan.config_file.read_text())
    assert config["LabApp"] == {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "app_settings_dir": str(tmp_path / "state" / "lab-settings"),
    }
    # and the lab does not ask whether to fetch the news: the setting is decided for everyone
    overrides = json.loads((tmp_path / "state" / "lab-settings" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    preview = config["ServerProxy"]["servers"]["book-preview"]
    assert preview["command"][1:] == ["preview", "--port", "{port}"]
    assert preview["environment"] == {"DRAFTBOOK_ROOT": str(workbook.root)}
    assert preview["launcher_entry"]["title"] == "Book preview"
    stores = (
        config["SQLiteYStore"]["db_path"],
        config["BaseFileIdManager"]["db_path"],
        config["YDocExtension"]["session_store_path"],
    )
    for path in stores:
        assert Path(path).parent == tmp_path / "state"
        assert workbook.root not in Path(path).parents
    assert f"--ServerApp.root_dir={workbook.root}" in plan.command


def test_the_state_folder_defaults_to_the_users_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DRAFTBOOK_LAB_STATE")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    folder = state_dir_for(Workbook(REPO))
    assert folder.parent == tmp_path / "draftbook" and REPO not in folder.parents


def test_beyond_loopback_needs_a_token_chosen_on_purpose(workbook: Workbook, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LabError, match=r"refusing to listen on 0\.0\.0\.0"):
        plan_lab(workbook, ip="0.0.0.0")
    monkeypatch.setenv("DRAFTBOOK_LAB_TOKEN", "  ")
    with pytest.raises(LabError, match="empty token"):
        plan_lab(workbook)
    monkeypatch.setenv("DRAFTBOOK_LAB_TOKEN", SECRET)
    plan = plan_lab(workbook, ip="0.0.0.0", port=9000)
    assert server_token(plan.config_file) == SECRET
    assert plan.url == f"http://0.0.0.0:9000/lab?token={SECRET}"


def test_the_token_is_on_no_command_line_nor_in_the_servers_environment(
    workbook: Workbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRAFTBOOK_LAB_TOKEN", SECRET)
    monkeypatch.setenv("JUPYTER_TOKEN", "another-secret-0123456789")
    plan = plan_lab(workbook, ip="0.0.0.0")
    assert not [arg for arg in plan.command if SECRET in arg or arg.split("=")[0].lower().endswith("token")]
    assert "DRAFTBOOK_LAB_TOKEN" not in plan.env and "JUPYTER_TOKEN" not in plan.env  # kernels inherit it
    assert SECRET not in "".join(plan.env.values()) and plan.env["DRAFTBOOK_ROOT"] == str(workbook.root)
    assert server_token(plan.config_file) == SECRET
    assert stat.S_IMODE(plan.config_file.stat().st_mode) == 0o600  # readable by its owner only
    assert stat.S_IMODE(plan.state_dir.stat().st_mode) == 0o700
    assert f"--config={plan.config_file}" in plan.command


def test_a_token_file_is_read_and_named_when_it_cannot_be(workbook: Workbook, tmp_path: Path) -> None:
    token_file = write(tmp_path / "lab-token", f"{SECRET}\n")
    plan = plan_lab(workbook, ip="192.168.1.4", token_file=token_file)
    assert server_token(plan.config_file) == SECRET and not [arg for arg in plan.command if SECRET in arg]
    with pytest.raises(LabError, match="cannot read the token file") as missing:
        plan_lab(workbook, token_file=tmp_path / "nowhere")
    assert missing.value.file == str(tmp_path / "nowhere")
    with pytest.raises(LabError, match="token file is empty"):
        plan_lab(workbook, token_file=write(tmp_path / "empty", "\n"))


def test_a_short_token_is_refused_beyond_loopback_only(workbook: Workbook, tmp_path: Path) -> None:
    short = write(tmp_path / "short", "fifteen-chars-x\n")
    for ip in ("0.0.0.0", "192.168.1.4", "::"):
        with pytest.raises(LabError, match="token of 15 characters") as refused:
            plan_lab(workbook, ip=ip, token_file=short)
        assert refused.value.file == str(short) and "16 characters" in str(refused.value)
    for ip in ("127.0.0.1", "::1", "localhost"):
        assert server_token(plan_lab(workbook, ip=ip, token_file=short).config_file) == "fifteen-chars-x"
    assert server_token(plan_lab(workbook, ip="0.0.0.0", token_file=write(short, "x" * 16)).config_file) == "x" * 16


def test_short_token_off_loopback_exits_1_with_the_reason(
    workbook: Workbook, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DRAFTBOOK_LAB_TOKEN", "short")
    monkeypatch.setattr("draftbook.lab.os.execve", lambda *args: pytest.fail("the server must not start"))
    assert main(["lab", "--ip", "0.0.0.0"]) == 1
    error = capsys.readouterr().err
    assert "token of 5 characters" in error and "short" not in error.replace("token of", "")


@pytest.mark.parametrize("port", ["99999", "0", "-1", "eighty", "8888.5", "65536"])
def test_a_port_out_of_range_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["lab", "--port", port])
    assert stopped.value.code == 2
    assert "1 to 65535" in capsys.readouterr().err


def test_a_token_on_the_command_line_is_refused_without_being_repeated(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["lab", "--token", "hunter2-but-longer"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "--token-file" in error and "hunter2" not in error


def test_run_lab_starts_the_server_with_the_planned_command_and_environment(
    workbook: Workbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setenv("DRAFTBOOK_LAB_TOKEN", SECRET)
    monkeypatch.setattr("draftbook.lab.os.execve", lambda path, argv, env: started.append((path, argv, env)))
    assert main(["lab", "--port", "8890"]) == 0
    ((path, argv, env),) = started
    assert path == argv[0] and path.endswith("jupyter-lab") and "--ServerApp.port=8890" in argv
    assert SECRET not in " ".join(argv) and "DRAFTBOOK_LAB_TOKEN" not in env


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.3.4.5")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("lab.example")


def test_pre_commit_config_is_valid_and_local() -> None:
    config = REPO / ".pre-commit-config.yaml"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pre-commit"), "validate-config", str(config)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = config.read_text()
    assert "repo: local" in text and "nbstripout" in text and "check-added-large-files" in text
    assert "http" not in text  # nothing to download when the hooks run
