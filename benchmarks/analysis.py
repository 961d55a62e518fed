"""Benchmark: the full analysis of a round at 1,000, 10,000 and 100,000 respondents x 15 calls.

    .venv/bin/python benchmarks/analysis.py [--runs 3]

For each size, writes tidy tables (respondents.csv, ratings.csv) of invented
respondents into a temporary round, then times, alternating in the same run,
the baseline (reading the two tables with ``draftbook.model.rounds.read_table``) and
the analysis (support and consensus per call, support by region and by
constituency, cross-group support, three reweightings, participation and
representativeness). Reports medians, the ratio to the baseline and the growth
factor per tenfold.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from draftbook import analysis  # noqa: E402
from draftbook.model.membership import load_membership  # noqa: E402
from draftbook.model.paths import Workbook  # noqa: E402
from draftbook.model.rounds import load_round, read_table  # noqa: E402
from draftbook.model.vocabulary import vocabulary  # noqa: E402

CALLS = [f"CTA-{n:02d}" for n in range(1, 16)]


def make_round(root: Path, respondents: int, seed: int = 3) -> Workbook:
    folder = root / "data" / "rounds" / "bench"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "data" / "codebook.yml", root / "data" / "codebook.yml")
    shutil.copy(REPO / "data" / "vocabulary.yml", root / "data" / "vocabulary.yml")
    known = vocabulary(Workbook(root))
    calls = "calls:\n" + "".join(
        f"  - {{id: {c}, addressee: national-governments, theme: financing, text: {{fr: a, en: b, es: c}}}}\n"
        for c in CALLS
    )
    (folder / "calls.yml").write_text(calls, encoding="utf-8")
    (folder / "round.yml").write_text(
        "title: Bench\nkind: survey\nstart: 2022-04-29\nend: 2022-05-06\nlanguages: [fr, en, es]\n", encoding="utf-8"
    )
    rng = np.random.default_rng(seed)
    ids = np.array([f"R-{i:012x}" for i in range(respondents)])
    pd.DataFrame(
        {
            "respondent": ids,
            "constituency": rng.choice(known.ids("constituency"), respondents),
            "region": rng.choice(known.ids("region"), respondents, p=[0.25, 0.12, 0.04, 0.28, 0.18, 0.07, 0.04, 0.02]),
            "language": rng.choice(["fr", "en", "es"], respondents),
            "source": "form",
            "submitted_at": "2022-05-01T10:00:00",
        }
    ).to_csv(folder / "respondents.csv", index=False)
    scores = rng.integers(1, 6, size=respondents * len(CALLS)).astype(object)
    scores[rng.random(len(scores)) < 0.06] = ""
    pd.DataFrame(
        {
            "respondent": np.repeat(ids, len(CALLS)),
            "call": np.tile(CALLS, respondents),
            "score": scores,
            "label": "",
        }
    ).to_csv(folder / "ratings.csv", index=False)
    return Workbook(root)


def full_analysis(respondents: pd.DataFrame, ratings: pd.DataFrame, calls: list, membership) -> None:  # type: ignore[no-untyped-def, type-arg]
    analysis.support_table(ratings, calls)
    for by in ("region", "constituency"):
        analysis.protect_groups(analysis.participation(respondents, by))
        analysis.representativeness(respondents, membership.shares(by), by)
        groups = analysis.group_support(ratings, respondents, calls, by)
        analysis.cross_group_support(groups, calls)
        for scheme in analysis.WEIGHTINGS:
            analysis.reweighted_support(groups, analysis.group_weights(respondents, by, scheme, membership.shares(by)))


def median_time(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(workbook: Workbook, membership, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    round_ = load_round(workbook, "bench")

    def read() -> tuple[pd.DataFrame, pd.DataFrame]:
        return read_table(round_, "respondents"), read_table(round_, "ratings")

    respondents, ratings = read()
    read_s = median_time(read, runs)
    return read_s, median_time(lambda: full_analysis(respondents, ratings, round_.calls, membership), runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    membership = load_membership(REPO / "data" / "membership.yml")
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            read_s, analyse_s = measure(make_round(Path(folder), size), membership, args.runs)
        results.append((size, read_s, analyse_s))
        print(f"{size:>7,} respondents: read {read_s:6.3f} s | analysis {analyse_s:6.3f} s | "
              f"ratio {analyse_s / read_s:5.2f}x", flush=True)  # fmt: skip
    for (small, _, a), (large, _, b) in itertools.pairwise(results):
        print(f"growth {small:,} -> {large:,}: x{b / a:.1f} for x{large / small:.0f} respondents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
