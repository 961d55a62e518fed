"""Front-end scripts the book serves itself: fetched from the npm registry at build time.

Readers never load a script from a third-party host: the pages that need
Vega-Lite (the kernel-free weighing chart) load ``_vendor/*.min.js`` from the
book. The packages are installed once per version into ``_build/vendor-cache``
with the machine's npm and copied into the stage.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from draftbook.model.errors import BookBuildError
from draftbook.model.paths import Workbook

PACKAGES = {"vega": "5.33.1", "vega-lite": "5.23.0", "vega-embed": "6.29.0", "vega-interpreter": "1.2.1"}
SCRIPTS = {
    "vega": "vega/build/vega.min.js",
    "vega-lite": "vega-lite/build/vega-lite.min.js",
    "vega-embed": "vega-embed/build/vega-embed.min.js",
    # Evaluates Vega expressions without eval(), so the pages' Content-Security-Policy can forbid it.
    "vega-interpreter": "vega-interpreter/build/vega-interpreter.min.js",
}
FOLDER = "_vendor"
EXTRA = "_extra"  # Sphinx copies the contents of html_extra_path folders to the site root


def npm_package(workbook: Workbook, name: str, version: str, path: str) -> Path:
    """One file of an npm package, installed once per version into ``_build/vendor-cache``."""
    cache = workbook.build_dir / "vendor-cache" / f"{name}{version}"
    target = cache / "node_modules" / path
    if not target.is_file():
        _npm_install(cache, [f"{name}@{version}"])
    return target


def _npm_install(cache: Path, specs: list[str]) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise BookBuildError(
            "npm is needed once to fetch the scripts the book serves itself",
            hint="install Node.js and npm (Debian: apt-get install npm), then build again",
        )
    cache.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(cache), *specs],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BookBuildError(
            "npm could not install " + ", ".join(specs) + ": " + (result.stderr.strip().splitlines() or ["?"])[-1],
            hint="check the connection to the npm registry; the previous book is untouched",
        )


def vendor_scripts(workbook: Workbook, stage: Path) -> list[Path]:
    """Copy the pinned scripts into ``stage/_extra/_vendor`` (served as ``_vendor/``), installing them
    with npm the first time."""
    cache = workbook.build_dir / "vendor-cache" / "-".join(f"{k}{v}" for k, v in PACKAGES.items())
    modules = cache / "node_modules"
    if not all((modules / path).is_file() for path in SCRIPTS.values()):
        _npm_install(cache, [f"{name}@{version}" for name, version in PACKAGES.items()])
    target = stage / EXTRA / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name, path in SCRIPTS.items():
        destination = target / f"{name}.min.js"
        data = (modules / path).read_bytes()
        if not destination.is_file() or destination.read_bytes() != data:
            destination.write_bytes(data)
        copied.append(destination)
    return copied
