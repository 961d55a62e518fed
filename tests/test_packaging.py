"""The package as users install it: a wheel, in a fresh environment, with every layer inside."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workbook
from tests.exports import ROUND, csv_export, make_mapping, make_round

LAYERS = ("model", "ingest", "analysis", "present", "book")


@pytest.mark.slow
def test_a_wheel_installs_every_layer_and_runs(tmp_path: Path) -> None:
    source, dist = tmp_path / "source", tmp_path / "dist"  # a copy: building writes build/ beside the sources
    shutil.copytree(REPO / "draftbook", source / "draftbook", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
        cwd=tmp_path,
    )
    wheel = next(dist.glob("draftbook-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for layer in LAYERS:
        assert f"draftbook/{layer}/__init__.py" in names, layer
    assert "draftbook/ingest/core.py" in names and "draftbook/cli.py" in names

    fresh = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True)
    # The dependencies come from the project's environment (no download); the package only from the wheel.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")

    workbook = copy_workbook(tmp_path / "workbook")
    make_round(workbook)
    export = tmp_path / "export.csv"
    export.write_text(csv_export(), encoding="utf-8")
    mapping = make_mapping(workbook)
    env = {**os.environ, "DRAFTBOOK_ROOT": str(workbook.root)}
    where = subprocess.run(
        [str(python), "-c", "import draftbook.cli; print(draftbook.cli.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    ).stdout
    assert where.startswith(purelib), where  # the wheel's copy, not the checkout
    helped = subprocess.run([str(fresh / "bin" / "draftbook"), "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0 and "ingest" in helped.stdout
    ingested = subprocess.run(
        [str(fresh / "bin" / "draftbook"), "ingest", ROUND, str(export), "--mapping", str(mapping)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert ingested.returncode == 0, ingested.stderr
    assert "3 accepted" in ingested.stdout
