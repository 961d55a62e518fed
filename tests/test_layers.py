"""The package's folders are its layers: a module imports only from its own layer or the ones below.

model < ingest, analysis < present < book < lab, template, cli (ingest and analysis are side by side: neither
imports the other). Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "draftbook"
LAYERS = {"model": 0, "ingest": 1, "analysis": 1, "present": 2, "book": 3, "lab": 4, "hub": 4, "template": 4, "cli": 5}
SIDE_BY_SIDE = {("ingest", "analysis"), ("analysis", "ingest")}


def layer_of(module: str) -> str:
    """``draftbook.model.calls`` -> ``model``; ``draftbook.cli`` -> ``cli``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imported(path: Path) -> list[tuple[int, str]]:
    """Every draftbook module ``path`` imports, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("draftbook"):
            names = (
                [f"{node.module}.{alias.name}" for alias in node.names] if node.module == "draftbook" else [node.module]
            )
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("draftbook")]
    return found


def test_every_module_lives_in_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        assert layer_of(module) in LAYERS or path.name == "__init__.py", f"{module} is in no layer"


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer_of(".".join(path.relative_to(REPO).with_suffix("").parts))
        if own not in LAYERS:
            continue
        for line, target in imported(path):
            other = layer_of(target)
            if other in LAYERS and (LAYERS[other] > LAYERS[own] or (own, other) in SIDE_BY_SIDE):
                wrong.append(f"{path.relative_to(REPO)}:{line} ({own}) imports {target} ({other})")
    assert not wrong, "\n".join(wrong)


def test_the_layer_check_catches_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "draftbook" / "model" / "bad.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from draftbook.present import report\n", encoding="utf-8")
    assert imported(module) == [(2, "draftbook.present")]
    assert LAYERS[layer_of("draftbook.present")] > LAYERS["model"]
