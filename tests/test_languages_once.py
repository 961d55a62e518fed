"""The analysis runs once and draws every language: outputs marked by language, split per stage."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from draftbook.book.pipeline import Run, execute_runs
from draftbook.book.stage import stage_runs
from draftbook.model.paths import Workbook
from draftbook.present.display import output_language, page_languages


def output(text: str, lang: str | None) -> dict[str, object]:
    marked = {"metadata": {"draftbook": {"lang": lang}}} if lang else {"metadata": {}}
    return {"output_type": "display_data", "data": {"text/plain": text}, **marked}


def test_each_language_keeps_its_own_outputs_and_the_shared_ones(tmp_path: Path) -> None:
    runs_dir, stage = tmp_path / "runs", tmp_path / "stage"
    notebook = new_notebook(cells=[new_code_cell("show(...)")])
    notebook.cells[0].outputs = [output("shared", None), output("Soutien", "fr"), output("Support", "en")]
    (runs_dir / "rounds" / "r1").mkdir(parents=True)
    (runs_dir / "rounds" / "r1" / "support.ipynb").write_text(json.dumps(notebook))
    run = Run(Path("support.ipynb"), Path("rounds/r1/support.ipynb"), {}, (), "r1")
    assert stage_runs(runs_dir, stage, [run], "en") == 1
    staged = json.loads((stage / "rounds" / "r1" / "support.ipynb").read_text())
    assert [o["data"]["text/plain"] for o in staged["cells"][0]["outputs"]] == ["shared", "Support"]
    assert stage_runs(runs_dir, stage, [run], "en") == 0  # unchanged: not written again (Sphinx skips it)
    # a run no longer planned (a round removed) leaves the stage
    (stage / "rounds" / "old").mkdir()
    (stage / "rounds" / "old" / "support.ipynb").write_text("{}")
    stage_runs(runs_dir, stage, [run], "fr")
    assert not (stage / "rounds" / "old" / "support.ipynb").exists()


def test_page_languages() -> None:
    assert page_languages("fr") == ["fr"]
    assert page_languages(" fr en  es fr ") == ["fr", "en", "es"]
    for wrong in ("", "de", "fr,en"):
        with pytest.raises(ValueError, match="not one of fr, en, es"):
            page_languages(wrong)
    assert output_language({"metadata": {"draftbook": {"lang": "es"}}}) == "es"
    assert output_language({"metadata": {}}) is None
    assert output_language({}) is None


@pytest.mark.slow
def test_a_run_draws_each_language_once_and_marks_it(workbook: Workbook, tmp_path: Path) -> None:
    notebook = new_notebook(
        cells=[
            new_code_cell('lang = "fr"', metadata={"tags": ["parameters"]}),
            new_code_cell(
                "from draftbook.present.display import shown_in\n"
                "calls = []\n"
                "show = shown_in(lang)\n"
                "show(lambda lang: [f'page in {lang}'] + (calls.append(lang) or []))\n"
                "print(len(calls))"
            ),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = workbook.notebooks_dir / "draw.ipynb"
    nbformat.write(notebook, path)
    run = Run(path, Path("notebooks/draw.ipynb"), {"lang": "fr en es"}, ())
    execute_runs(workbook, [run], tmp_path / "runs", progress=lambda _: None)
    executed = nbformat.read(tmp_path / "runs" / "notebooks" / "draw.ipynb", as_version=4)
    outputs = executed.cells[-1].outputs
    drawn = [(o["data"]["text/plain"], output_language(o)) for o in outputs if o["output_type"] == "display_data"]
    assert drawn == [("'page in fr'", "fr"), ("'page in en'", "en"), ("'page in es'", "es")]
    assert outputs[-1]["text"] == "3\n"  # the drawing ran once per language, in one kernel
    for lang in ("fr", "en", "es"):
        stage_runs(tmp_path / "runs", tmp_path / lang, [run], lang)
        staged = nbformat.read(tmp_path / lang / "notebooks" / "draw.ipynb", as_version=4)
        shown = [o["data"]["text/plain"] for o in staged.cells[-1].outputs if o["output_type"] == "display_data"]
        assert shown == [f"'page in {lang}'"]
