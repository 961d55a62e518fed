"""Quality and speed of the personal-data redaction of comments (``draftbook.ingest.redaction.redact``).

    .venv/bin/python benchmarks/redaction.py [--rows 100000] [--runs 5]

Quality, on ``tests/fixtures/redaction/comments.csv`` (72 hand-labelled comments, 24
per language; half hold e-mail addresses, phone numbers or IP addresses, half only
numbers that look like them: years, dates, amounts, article, version and SDG numbers,
counts). The ``expected`` column is the comment with each personal item replaced by its
marker. For each comment, the markers are lined up with the original text to find what
they stand for; recall is personal items removed / personal items present (an item
counts as removed only when the output redacts all of it), and a false redaction is a
marker of the output that covers no personal item. Both are printed for the current
``redact`` and for the baseline.

Speed: the fixture's comments repeated to ROWS rows, ``redact`` and the baseline timed
in the same process, alternating, RUNS times each; medians and their ratio. Then one
long unbroken token (1 MB of ``a``, 1 MB of digits) through ``redact``, and 10 and 20
KB of ``a`` through the baseline, whose e-mail pattern is quadratic on such a token.

The baseline is the implementation before the fix (``git show c25cbcd:draftbook/text.py``),
copied here so that the comparison stays runnable.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from draftbook.ingest.redaction import REDACTED, redact  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "redaction" / "comments.csv"

# The baseline: the regular expressions and the function as they were before the fix.
BASELINE_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
BASELINE_PHONE = re.compile(r"(?<![\w/])\+?\d[\d\s().-]{7,}\d(?![\w/])")
BASELINE_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
BASELINE_IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){4,7}[0-9a-fA-F]{1,4}\b")


def baseline_redact(text: pd.Series) -> pd.Series:
    text = text.str.replace(BASELINE_EMAIL, REDACTED["email"], regex=True)
    text = text.str.replace(BASELINE_IPV6, REDACTED["ip"], regex=True)
    text = text.str.replace(BASELINE_IPV4, REDACTED["ip"], regex=True)
    return text.str.replace(BASELINE_PHONE, REDACTED["phone"], regex=True)


MARKERS = (REDACTED["email"], REDACTED["phone"], REDACTED["ip"], REDACTED["name"])
_MARKER = re.compile("(" + "|".join(re.escape(m) for m in MARKERS) + ")")


def redacted_spans(original: str, redacted: str) -> list[tuple[int, int]] | None:
    """Where, in ``original``, the markers of ``redacted`` stand: None if the two do not line up."""
    pieces = _MARKER.split(redacted)
    pattern = "".join("(.+?)" if i % 2 else re.escape(piece) for i, piece in enumerate(pieces))
    found = re.fullmatch(pattern, original, re.DOTALL)
    if found is None:
        return None
    return [found.span(group) for group in range(1, len(pieces) // 2 + 1)]


@dataclass(frozen=True)
class Score:
    rows: int
    exact: int  # rows whose output equals the expected text
    personal: int  # personal items in the expected texts
    removed: int  # of which the output redacts all
    false_redactions: int  # output markers that cover no personal item
    mismatches: tuple[int, ...]  # row numbers (from 0) whose output differs from the expected text

    @property
    def recall(self) -> float:
        return self.removed / self.personal if self.personal else 1.0


def score(texts: Sequence[str], expected: Sequence[str], outputs: Sequence[str]) -> Score:
    """Recall and false redactions of ``outputs`` against the hand-labelled ``expected`` texts."""
    personal = removed = false = exact = 0
    mismatches: list[int] = []
    for row, (text, want, got) in enumerate(zip(texts, expected, outputs, strict=True)):
        if got == want:
            exact += 1
        else:
            mismatches.append(row)
        items = redacted_spans(text, want)
        if items is None:
            raise ValueError(f"row {row}: the expected text does not line up with the text")
        cut = redacted_spans(text, got)
        if cut is None:  # the output changed more than markers can explain: nothing counts as removed
            personal += len(items)
            false += len(_MARKER.findall(got))
            continue
        personal += len(items)
        removed += sum(any(a <= start and end <= b for a, b in cut) for start, end in items)
        false += sum(not any(a < end and start < b for start, end in items) for a, b in cut)
    return Score(len(texts), exact, personal, removed, false, tuple(mismatches))


def load_fixture() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)


def timed(function: Callable[[pd.Series], pd.Series], text: pd.Series) -> float:
    start = time.perf_counter()
    function(text)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    fixture = load_fixture()
    texts, expected = fixture["text"].tolist(), fixture["expected"].tolist()
    print(f"== quality on {FIXTURE.relative_to(REPO)} ({len(fixture)} comments)")
    for name, function in (("redact", redact), ("baseline", baseline_redact)):
        result = score(texts, expected, function(fixture["text"]).tolist())
        print(
            f"{name:9s} recall {result.recall:.3f} ({result.removed}/{result.personal} personal items removed), "
            f"false redactions {result.false_redactions}, rows exact {result.exact}/{result.rows}"
        )

    repeats = -(-args.rows // len(fixture))
    big = pd.Series((texts * repeats)[: args.rows], dtype="str")
    times: dict[str, list[float]] = {"baseline": [], "redact": []}
    for _ in range(args.runs):  # alternating, because the machine is shared and noisy
        times["baseline"].append(timed(baseline_redact, big))
        times["redact"].append(timed(redact, big))
    base, new = statistics.median(times["baseline"]), statistics.median(times["redact"])
    print(f"== speed on {len(big):,} rows, median of {args.runs} runs")
    print(f"baseline  {base:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in times['baseline'])})")
    print(f"redact    {new:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in times['redact'])})")
    print(f"ratio     {new / base:.2f}x the baseline")

    print("== one long unbroken token")
    for label, token in (("1 MB of 'a'", "a" * 1_000_000), ("1 MB of digits", "7" * 1_000_000)):
        print(f"redact    {label}: {timed(redact, pd.Series([token])):.3f} s")
    for size in (10_000, 20_000):
        print(f"baseline  {size // 1000} KB of 'a': {timed(baseline_redact, pd.Series(['a' * size])):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
