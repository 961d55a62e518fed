import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from draftbook.lab import LabError, is_loopback, plan_lab, state_dir_for
from draftbook.paths import Workbook
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTBOOK_LAB_STATE", str(tmp_path / "state"))
    monkeypatch.delenv("DRAFTBOOK_LAB_TOKEN", raising=False)


def test_loopback_only_by_default_with_a_generated_token(workbook: Workbook) -> None:
    plan = plan_lab(workbook, port=8899)
    assert "--ServerApp.ip=127.0.0.1" in plan.command and "--ServerApp.port=8899" in plan.command
    token = next(arg.split("=", 1)[1] for arg in plan.command if arg.startswith("--IdentityProvider.token="))
    assert len(token) >= 24 and plan.url == f"http://127.0.0.1:8899/lab?token={token}"
    assert ("--allow-root" in plan.command) == (os.geteuid() == 0)
    assert "--LabApp.collaborative=True" in plan.command


def test_stores_and_news_settings_stay_out_of_the_repository(workbook: Workbook, tmp_path: Path) -> None:
    plan = plan_lab(workbook)
    config = json.loads(plan.config_file.read_text())
    assert config["LabApp"] == {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}
    for path in (config["SQLiteYStore"]["db_path"], config["BaseFileIdManager"]["db_path"]):
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
    with pytest.raises(LabError, match="empty token"):
        plan_lab(workbook, token="  ")
    monkeypatch.setenv("DRAFTBOOK_LAB_TOKEN", "a-long-team-secret")
    plan = plan_lab(workbook, ip="0.0.0.0", port=9000)
    assert "--IdentityProvider.token=a-long-team-secret" in plan.command
    assert plan.url == "http://0.0.0.0:9000/lab?token=a-long-team-secret"


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
