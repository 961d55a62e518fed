"""Quality of the automatic comment coding against hand-labelled comments.

    .venv/bin/python benchmarks/coding.py

Two fixtures in tests/fixtures/: ``comments-labelled.csv`` (120 comments, 40 per
language, against which the codebook's keywords were written: an optimistic,
development figure) and ``comments-heldout.csv`` (36 comments written after the
keywords were frozen: the honest figure). Prints precision, recall and F1 per
theme and the macro F1 of each.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from draftbook.analysis.coding import auto_codes, coding_quality  # noqa: E402
from draftbook.model.codebook import load_codebook  # noqa: E402


def evaluate(fixture: Path) -> pd.DataFrame:
    themes = load_codebook(REPO / "data" / "codebook.yml")
    labelled = pd.read_csv(fixture, dtype=str, keep_default_na=False)
    gold = [set(codes.split(";")) - {""} for codes in labelled["themes"]]
    return coding_quality(gold, auto_codes(labelled["text"], themes))


def main() -> int:
    for name in ("comments-labelled.csv", "comments-heldout.csv"):
        quality = evaluate(REPO / "tests" / "fixtures" / name)
        print(f"== {name}: macro F1 {quality['f1'].mean():.3f} over {len(quality)} themes")
        print(quality.round(2).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
