"""Quality of the automatic comment coding against hand-labelled comments: keywords, suggestions, both, reconciled.

    .venv/bin/python benchmarks/coding.py

Fixtures in tests/fixtures/: ``comments-labelled.csv`` (120 comments, 40 per
language, against which the codebook's keywords were written: an optimistic,
development figure), ``comments-training.csv`` (405 more labelled comments, 135
ideas in fr/en/es, written for the suggestions and never used to tune the
keywords) and ``comments-heldout.csv`` (36 comments written after the keywords
were frozen: the honest figure).

1. Keywords alone (``coding.auto_codes``) on the labelled and held-out sets.
2. Suggestions (``analysis.suggest``): the thresholds are chosen on the labelled
   comments only (labelled + training, out-of-fold, grouped so that a comment and
   its translations are never split); the model is then trained on all of them
   (their labels play the analyst's corrections) and scored once on the held-out
   set: the suggestions alone, both (keyword codes plus suggestions) and
   reconciled (keyword codes less those the model vetoes, plus suggestions; the
   veto and the threshold chosen together, out-of-fold, on the same comments).
   The same measurement trained on ``comments-labelled.csv`` alone is shown for
   comparison.

F1 is ``coding.coding_quality``'s; macro F1 is the mean over the themes present
in the gold codes or the predictions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from draftbook.analysis.coding import auto_codes, coding_quality  # noqa: E402
from draftbook.analysis.suggest import (  # noqa: E402
    THRESHOLD,
    VETO,
    VETO_GRID,
    C,
    best_pair,
    best_threshold,
    both,
    doubts,
    out_of_fold,
    reconcile_table,
    threshold_table,
    train,
)
from draftbook.model.codebook import Theme, load_codebook  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
LABELLED = FIXTURES / "comments-labelled.csv"
TRAINING = FIXTURES / "comments-training.csv"
HELDOUT = FIXTURES / "comments-heldout.csv"


def load(path: Path) -> pd.DataFrame:
    """A labelled fixture with ``gold`` (a set of themes) and ``group`` (a comment and its translations)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["gold"] = pd.Series([set(codes.split(";")) - {""} for codes in frame["themes"]], index=frame.index)
    # fr01 / en01 / es01 (and tfr001 / ten001 / tes001) are one comment in three languages
    frame["group"] = path.stem + ":" + frame["id"].str.replace(r"^t?(fr|en|es)", "", regex=True)
    return frame


def evaluate(fixture: Path) -> pd.DataFrame:
    """Keywords alone against a fixture."""
    themes = load_codebook(REPO / "data" / "codebook.yml")
    labelled = load(fixture)
    return coding_quality(list(labelled["gold"]), auto_codes(labelled["text"], themes))


@dataclass(frozen=True)
class Measurement:
    """Thresholds chosen on the development comments, and the held-out quality of each method."""

    table: pd.DataFrame  # out-of-fold macro F1 on the development comments by threshold
    chosen: dict[str, float]  # the threshold of "suggestions", of "both" and of "reconciled"
    quality: dict[str, pd.DataFrame]  # held-out coding_quality of "keywords", "suggestions", "both", "reconciled"
    pairs: pd.DataFrame  # out-of-fold macro F1 of "reconciled" on the development comments by veto and threshold
    veto: float  # the veto of "reconciled", chosen with its threshold


def measure(dev: pd.DataFrame, heldout: pd.DataFrame, themes: dict[str, Theme]) -> Measurement:
    """Thresholds chosen on ``dev`` only (out-of-fold); then the model trained on ``dev`` scores the held-out set."""
    dev_keywords = auto_codes(dev["text"], themes)
    table = threshold_table(dev["text"].tolist(), list(dev["gold"]), dev["group"].tolist(), themes, dev_keywords, c=C)
    chosen = {method: best_threshold(table, method) for method in ("suggestions", "both")}
    groups = dev["group"].tolist()
    pairs = reconcile_table(dev["text"].tolist(), list(dev["gold"]), groups, themes, dev_keywords, c=C)
    veto, chosen["reconciled"] = best_pair(pairs)
    # the design is fixed here: everything below is the single evaluation on the held-out set
    model = train(dev["text"].tolist(), list(dev["gold"]), themes, c=C)
    texts = heldout["text"].tolist()
    gold = list(heldout["gold"])
    keywords = auto_codes(texts, themes)
    alone = replace(model, threshold=chosen["suggestions"]).suggest(texts)
    extra = replace(model, threshold=chosen["both"]).suggest(texts)
    quality = {
        "keywords": coding_quality(gold, keywords),
        "suggestions": coding_quality(gold, [[theme for theme, _ in row] for row in alone]),
        "both": coding_quality(gold, both(keywords, extra)),
        "reconciled": coding_quality(
            gold, replace(model, threshold=chosen["reconciled"]).reconcile(texts, keywords, veto=veto)
        ),
    }
    return Measurement(table, chosen, quality, pairs, veto)


def veto_evidence(dev: pd.DataFrame, themes: dict[str, Theme]) -> pd.DataFrame:
    """What each veto of ``VETO_GRID`` would remove from the development comments' keyword codes (out-of-fold
    confidences, the development comments only): how many right and how many wrong keyword codes."""
    keywords = auto_codes(dev["text"], themes)
    columns, confidences = out_of_fold(dev["text"].tolist(), list(dev["gold"]), dev["group"].tolist(), themes, c=C)
    rows = []
    for veto in VETO_GRID:
        vetoed = [
            theme in gold
            for doubted, gold in zip(doubts(keywords, columns, confidences, veto), dev["gold"], strict=True)
            for theme, _ in doubted
        ]
        rows.append({"veto": veto, "right codes vetoed": sum(vetoed), "wrong codes vetoed": vetoed.count(False)})
    right = sum(code in gold for codes, gold in zip(keywords, dev["gold"], strict=True) for code in codes)
    total = sum(len(codes) for codes in keywords)
    print(f"\n== keyword codes of the development comments: {right} right, {total - right} wrong; vetoed at each veto")
    return pd.DataFrame(rows)


def macro(quality: pd.DataFrame) -> float:
    return float(quality["f1"].mean())


def main() -> int:
    themes = load_codebook(REPO / "data" / "codebook.yml")
    for name in ("comments-labelled.csv", "comments-heldout.csv"):
        quality = evaluate(FIXTURES / name)
        print(f"== keywords, {name}: macro F1 {macro(quality):.3f} over {len(quality)} themes")
        print(quality.round(2).to_string(index=False))

    heldout = load(HELDOUT)
    runs = {"labelled": load(LABELLED)}
    if TRAINING.is_file():
        runs["labelled + training"] = pd.concat([runs["labelled"], load(TRAINING)], ignore_index=True)
    summary = [
        {"trained on": "-", "method": "keywords", "threshold": "-", "dev out-of-fold": "-", "held-out macro F1": ""}
    ]
    for name, dev in runs.items():
        result = measure(dev, heldout, themes)
        summary[0]["held-out macro F1"] = f"{macro(result.quality['keywords']):.3f}"
        print(f"\n== suggestions trained on {name} ({len(dev)} comments): out-of-fold macro F1 by threshold")
        print(result.table.round(3).to_string(index=False))
        print(f"\n== reconciled, trained on {name}: out-of-fold macro F1 by veto (rows) and threshold (columns)")
        grid = result.pairs.pivot(index="veto", columns="threshold", values="reconciled")
        print(grid.round(3).to_string(na_rep="-"))
        for method, threshold in result.chosen.items():
            if method == "reconciled":
                pair = result.pairs[(result.pairs["veto"] == result.veto) & (result.pairs["threshold"] == threshold)]
                setting, dev_f1 = f"v {result.veto:.2f}, t {threshold:.2f}", float(pair["reconciled"].iloc[0])
            else:
                row = result.table[result.table["threshold"] == threshold]
                setting, dev_f1 = f"{threshold:.2f}", float(row[method].iloc[0])
            summary.append(
                {
                    "trained on": name,
                    "method": method,
                    "threshold": setting,
                    "dev out-of-fold": f"{dev_f1:.3f}",
                    "held-out macro F1": f"{macro(result.quality[method]):.3f}",
                }
            )
        print(veto_evidence(dev, themes).to_string(index=False))
        print(f"\n== held-out F1 per theme, suggestions trained on {name}")
        methods = ("keywords", "suggestions", "both", "reconciled")
        side = [result.quality[m].set_index("theme")["f1"].rename(m) for m in methods]
        print(pd.concat(side, axis=1).fillna(0.0).sort_index().round(2).to_string())
        for method, threshold in result.chosen.items():
            veto = f", veto {result.veto:.2f}" if method == "reconciled" else ""
            print(f"-- {method} (threshold {threshold:.2f}{veto})")
            print(result.quality[method].round(2).to_string(index=False))
    print(
        f"\n== summary ({len(heldout)} held-out comments; C = {C}; the package's THRESHOLD is {THRESHOLD}, VETO {VETO})"
    )
    print(pd.DataFrame(summary).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
