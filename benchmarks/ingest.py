"""Benchmark: `draftbook ingest` of a large export against a bare `pandas.read_csv` of it.

    .venv/bin/python benchmarks/ingest.py [--rows 100000] [--runs 3]

Generates an online-form export (French headers, day-first dates, UTF-8 with a
BOM) of ROWS invented respondents x 15 calls with sparse comments, a few
duplicate and malformed rows, into a temporary workbook. Then, in the same
process and alternating, times the baseline (``pandas.read_csv`` of the file,
all columns as text) and the full ingest (read, validate, pseudonymise,
deduplicate, write the tables), and reports the medians and their ratio. Peak
memory is measured once for each in a fresh process, as the growth of its
resident memory (so polars' and numpy's own allocations count), and compared
with the file's size.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from draftbook.ingest import ingest_source  # noqa: E402
from draftbook.model.paths import Workbook  # noqa: E402

CALLS = [f"CTA-{n:02d}" for n in range(1, 16)]
LABELS = np.array(["Pas du tout d'accord", "Plutôt pas d'accord", "Neutre", "Plutôt d'accord", "Tout à fait d'accord",
                   "Sans avis", "Strongly agree", "De acuerdo"])  # fmt: skip
COMMENTS = np.array(["Très bon appel, à garder.", "Too vague: who does what?", "Falta el tema de la vivienda.",
                     'Il faudrait citer "la gouvernance multiniveaux",\nsur deux lignes.'])  # fmt: skip
# The sample's own online-form mapping: the benchmark export uses the same headers.
MAPPING = REPO / "data" / "rounds" / "2022-05-written-feedback" / "sources" / "online-form" / "mapping.yml"
CONSENT = "J'accepte que mes commentaires soient cités anonymement"


def make_workbook(root: Path) -> Workbook:
    (root / "data" / "rounds" / "bench").mkdir(parents=True)
    shutil.copy(REPO / "data" / "codebook.yml", root / "data" / "codebook.yml")
    shutil.copy(REPO / "data" / "vocabulary.yml", root / "data" / "vocabulary.yml")
    calls = "calls:\n" + "".join(
        f"  - {{id: {c}, addressee: national-governments, theme: financing, text: {{fr: a, en: b, es: c}}}}\n"
        for c in CALLS
    )
    (root / "data" / "rounds" / "bench" / "calls.yml").write_text(calls, encoding="utf-8")
    (root / "data" / "rounds" / "bench" / "round.yml").write_text(
        "title: Bench\nkind: survey\nstart: 2022-04-29\nend: 2022-05-06\nlanguages: [fr, en, es]\n", encoding="utf-8"
    )
    shutil.copy(MAPPING, root / "mapping.yml")
    return Workbook(root)


def make_export(path: Path, rows: int, seed: int = 7, calls: list[str] | None = None) -> None:
    """An online-form export of ``rows`` respondents on ``calls`` (default: CTA-01 to CTA-15)."""
    calls = calls or CALLS
    rng = np.random.default_rng(seed)
    people = np.arange(rows)
    again = rng.choice(rows, size=rows // 50, replace=False)
    people[again] = rng.integers(0, rows, size=len(again))  # about 2 % answer twice
    seconds = rng.integers(0, 7 * 24 * 3600, size=rows)
    when = pd.Timestamp("2022-04-29") + pd.to_timedelta(seconds, unit="s")
    frame = {
        "Horodateur": when.strftime("%d/%m/%Y %H:%M:%S"),
        "Adresse e-mail": [f"person{p}@org{p % 997}.example" for p in people],
        "Nom et prénom": [f"Person {p}" for p in people],
        "Organisation": [f"Org {p % 997}" for p in people],
        "Type d'organisation": rng.choice(["Gouvernement local", "Partenaire", "Association nationale de GLR"], rows),
        "Région": rng.choice(["Afrique", "Europe", "América Latina", "Asia-Pacific"], rows),
        "Langue": rng.choice(["Français", "English", "Español"], rows),
    }
    for call in calls:
        frame[f"Soutien à l'appel [{call}]"] = rng.choice(LABELS, rows)
    for call in calls:
        frame[f"Commentaire sur l'appel [{call}]"] = np.where(rng.random(rows) < 0.05, rng.choice(COMMENTS, rows), "")
    frame["Qu'est-ce qui manque ?"] = np.where(rng.random(rows) < 0.2, rng.choice(COMMENTS, rows), "")
    frame["Autres commentaires"] = ""
    frame[CONSENT] = rng.choice(["Oui", "Non"], rows)
    table = pd.DataFrame(frame)
    table.iloc[::5000, 8] = "Peut-être"  # a few answers off the scale
    table.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def timed(action: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def rss_kb(field: str) -> int:
    """A memory figure of this process from /proc (VmRSS: now, VmHWM: the peak so far), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_memory(action: str, export: Path, root: Path) -> int:
    """Bytes the process's resident memory grew to during ``action``, measured in a fresh process.

    Resident memory, not tracemalloc: it counts what polars and numpy allocate outside
    Python's allocator too. The child imports everything first, so only the action is counted.
    """
    child = [sys.executable, __file__, "--child", action, "--export", str(export), "--root", str(root)]
    done = subprocess.run(child, check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1])


def child(action: str, export: Path, root: Path) -> int:
    import polars  # noqa: F401  (imported before the measure, like pandas: the action alone is counted)

    workbook = Workbook(root)
    actions = {
        "baseline": lambda: pd.read_csv(export, dtype=str, keep_default_na=False, encoding="utf-8-sig"),
        "ingest": lambda: ingest_source(workbook, "bench", export, root / "mapping.yml", salt=b"bench"),
    }
    gc.collect()
    before = rss_kb("VmRSS")
    actions[action]()
    print((rss_kb("VmHWM") - before) * 1024)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["baseline", "ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--export", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.export, args.root)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workbook = make_workbook(root)
        export = root / "export.csv"
        print(f"generating {args.rows:,} respondents x {len(CALLS)} calls ...", flush=True)
        make_export(export, args.rows)
        size = export.stat().st_size

        def baseline() -> object:
            return pd.read_csv(export, dtype=str, keep_default_na=False, encoding="utf-8-sig")

        def ingest() -> object:
            return ingest_source(workbook, "bench", export, root / "mapping.yml", salt=b"bench")

        result = ingest_source(workbook, "bench", export, root / "mapping.yml", salt=b"bench")  # warm-up
        base_times, ingest_times = [], []
        for run in range(args.runs):
            base_times.append(timed(baseline))
            ingest_times.append(timed(ingest))
            print(f"run {run + 1}: read_csv {base_times[-1]:.2f} s, ingest {ingest_times[-1]:.2f} s", flush=True)
        base, full = statistics.median(base_times), statistics.median(ingest_times)
        base_peak, ingest_peak = peak_memory("baseline", export, root), peak_memory("ingest", export, root)
    print(f"file: {size / 1e6:.1f} MB, {result.rows_read:,} rows: {result.accepted:,} accepted, "
          f"{result.quarantined:,} quarantined, {result.superseded:,} superseded")  # fmt: skip
    print(
        f"median of {args.runs}: read_csv {base:.2f} s | ingest {full:.2f} s | ratio {full / base:.2f}x (target <= 3x)"
    )
    print(
        f"peak resident memory growth: read_csv {base_peak / 1e6:.0f} MB ({base_peak / size:.1f}x file) | "
        f"ingest {ingest_peak / 1e6:.0f} MB ({ingest_peak / size:.1f}x file; target <= 4x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
