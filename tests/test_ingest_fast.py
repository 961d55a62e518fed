"""The ingest's fast paths give what the straightforward code gives.

Each test holds the reference, written the plain way (Python's csv module, ``sort_values``,
one call per value, ``strftime``, ``hmac.new``), and checks the fast path against it on
generated data, hostile text included: one implementation per formula, the fast one proven equal.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftbook.ingest import store
from draftbook.ingest.mapping import load_mapping
from draftbook.ingest.pseudonyms import LENGTH, PREFIX, pseudonymise
from draftbook.ingest.readers import read_export
from draftbook.ingest.records import date_order, parse_dates
from draftbook.ingest.scales import get_scale
from draftbook.ingest.store import csv_bytes
from draftbook.model.text import fold, fold_series, sort_rows, strip_series
from tests.conftest import write
from tests.exports import HEADER, MAPPING, PEOPLE, rows_to_csv

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Characters that matter to CSV, to folding and to sorting: quotes, delimiters, line breaks of every
# kind Python's str.splitlines knows, spaces of several widths, NUL, accents, a formula start.
HOSTILE = st.sampled_from(
    ["a", "B", "é", "É", ",", ";", '"', "'", "\n", "\t", " ", "\u00a0", "\u2028", "\x85", "\x0b", "\x1c", "\x00",
     "=", "@", "1", "٣", "ß", "ǅ", "’", "<", ">"]
)  # fmt: skip
TEXT = st.lists(HOSTILE, max_size=6).map("".join)


def reference_csv(frame: pd.DataFrame) -> bytes:
    """The writer the ingest used before: Python's csv module, missing values empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    columns = [frame[c].astype(object).where(frame[c].notna(), "").tolist() for c in frame.columns]
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue().encode("utf-8")


@FAST
@given(st.lists(st.tuples(TEXT, TEXT, st.one_of(st.none(), st.integers(-5, 5)), st.booleans()), max_size=12))
def test_the_table_writer_writes_the_bytes_of_the_csv_module(rows: list[tuple[str, str, int | None, bool]]) -> None:
    frame = pd.DataFrame(rows, columns=["respondent", "text", "score", "publishable"])
    frame["score"] = frame["score"].astype("Int64")
    assert csv_bytes(frame) == reference_csv(frame)
    mixed = frame.astype(object)  # what concatenating with an empty table of text leaves
    assert csv_bytes(mixed) == reference_csv(mixed)
    with pytest.MonkeyPatch.context() as patch:  # written a block of rows at a time: the same bytes
        patch.setattr(store, "WRITE_ROWS", 2)
        assert csv_bytes(frame) == reference_csv(frame)


def test_the_table_writer_on_the_odd_columns() -> None:
    frame = pd.DataFrame(
        {
            "a": pd.Series(["x", None, "", "y"], dtype=object),
            "b": [1.5, np.nan, 2.0, -0.25],
            "c": pd.Series([1, "1", 1.0, True], dtype=object),  # equal to Python, written apart by csv
            "d": pd.array([True, None, False, True], dtype="boolean"),
        }
    )
    assert csv_bytes(frame) == reference_csv(frame)
    assert csv_bytes(frame.iloc[0:0]) == reference_csv(frame.iloc[0:0]) == b"a,b,c,d\n"
    one = pd.DataFrame({"text": ["", "x", None]})  # a row of one empty field is written "" by csv
    assert csv_bytes(one) == reference_csv(one) == b'text\n""\nx\n""\n'


def test_a_carriage_return_in_a_comment_survives_the_table() -> None:
    """The one difference from the csv module, on purpose: a lone carriage return is quoted."""
    frame = pd.DataFrame({"respondent": ["R-1", "R-2"], "text": ["first line\rsecond line", "plain"]})
    written = csv_bytes(frame)
    assert written == b'respondent,text\nR-1,"first line\rsecond line"\nR-2,plain\n'
    back = pd.read_csv(io.BytesIO(written), dtype=str, keep_default_na=False)
    assert back["text"].tolist() == ["first line\rsecond line", "plain"]
    # The old bytes (the carriage return bare) came back as three rows, the comment cut in two.
    assert len(pd.read_csv(io.BytesIO(reference_csv(frame)), dtype=str, keep_default_na=False)) == 3


@FAST
@given(st.lists(st.tuples(TEXT, TEXT, st.integers(0, 3)), max_size=15))
def test_sorting_rows_gives_the_order_of_sort_values(rows: list[tuple[str, str, int]]) -> None:
    frame = pd.DataFrame(rows, columns=["who", "when", "row"])
    expected = frame.sort_values(["who", "when", "row"], kind="stable")
    assert sort_rows(frame, ["who", "when", "row"]).index.tolist() == expected.index.tolist()
    by_row = frame.sort_values(["row", "who"], kind="stable")
    assert sort_rows(frame, ["row", "who"]).index.tolist() == by_row.index.tolist()


def test_sorting_rows_with_missing_values_or_trailing_nul_is_left_to_pandas() -> None:
    frame = pd.DataFrame({"who": ["b", None, "a", "a\x00", "a"], "row": [0, 1, 2, 3, 4]})
    assert sort_rows(frame, ["who", "row"]).index.tolist() == [2, 4, 3, 0, 1]
    without_missing = frame.dropna()
    assert sort_rows(without_missing, ["who"]).index.tolist() == [2, 4, 3, 0]  # "a" < "a\x00" < "b"
    numbers = pd.DataFrame({"n": pd.Series([10, 9, 100], dtype=object)})  # as text, "10" < "100" < "9"
    assert sort_rows(numbers, ["n"]).index.tolist() == [1, 0, 2]


@FAST
@given(st.lists(TEXT, max_size=20))
def test_folding_and_stripping_once_per_value_give_the_value_by_value_result(values: list[str]) -> None:
    series = pd.Series(values, dtype=str, index=range(10, 10 + len(values)))
    assert fold_series(series).tolist() == [fold(v) for v in values]
    assert strip_series(series).tolist() == [v.strip() for v in values]
    assert fold_series(series).index.equals(series.index)


_DAY_MONTH = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}(?:[ T]|$)")


def reference_date_order(values: pd.Series) -> str | None:
    fields = values.str.extract(_DAY_MONTH).dropna().astype(int)
    if fields.empty:
        return "iso"
    day_first, month_first = bool((fields[0] > 12).any()), bool((fields[1] > 12).any())
    if day_first == month_first:
        return None
    return "day-first" if day_first else "month-first"


DATE_PART = st.sampled_from(["1", "07", "13", "31", "2", "12", "/", ".", "-", " ", "T", "2022", "22", "\n", "x", "٣"])


@FAST
@given(st.lists(st.lists(DATE_PART, max_size=9).map("".join), min_size=1, max_size=8))
def test_the_date_order_read_from_the_heads_is_the_order_of_the_whole_values(values: list[str]) -> None:
    series = pd.Series(values, dtype=str)
    assert date_order(series) == reference_date_order(series)


def test_dates_are_written_as_before() -> None:
    values = pd.Series(["24/02/2022 16:05:00", "", "2022-02-24T16:09:00+01:00", "not a date", "01/03/2022"])
    shown, bad = parse_dates(values, "day-first")
    assert shown.tolist() == ["2022-02-24T16:05:00", "", "2022-02-24T15:09:00", "", "2022-03-01T00:00:00"]
    assert bad.tolist() == [False, False, False, True, False]
    parsed = pd.to_datetime(pd.Series(["24/02/2022 16:05:00"]), format="%d/%m/%Y %H:%M:%S", utc=True)
    assert shown[0] == parsed.dt.tz_convert(None).dt.strftime("%Y-%m-%dT%H:%M:%S")[0]


LABELS = st.sampled_from(["Agree", "agree ", "Plutôt d'accord", "4", "4,0", "Peut-être", "", "N/A"])


@given(st.lists(LABELS, max_size=20))
def test_scores_looked_up_once_per_label_are_the_scores_of_each_label(labels: list[str]) -> None:
    scale = get_scale("agreement-5")
    series = pd.Series(labels, dtype=str)
    scores, off = scale.score_column(series)

    def one(label: str) -> tuple[int | None, bool]:
        try:
            return scale.lookup(label), False
        except KeyError:
            return None, True

    expected = [one(label) for label in labels]
    assert [None if pd.isna(s) else int(s) for s in scores] == [score for score, _ in expected]
    assert off.tolist() == [flag for _, flag in expected]
    assert str(scores.dtype) == "Int64"


def test_pseudonyms_are_the_keyed_hash_of_each_key() -> None:
    keys = pd.Series(["email:a@x.example", "name:org|ana", "email:a@x.example", "row:form:7"], index=[3, 4, 5, 6])
    expected = [PREFIX + hmac.new(b"salt", k.encode(), hashlib.sha256).hexdigest()[:LENGTH] for k in keys]
    assert pseudonymise(keys, b"salt").tolist() == expected
    assert pseudonymise(keys, b"salt").index.tolist() == [3, 4, 5, 6]


LINE_BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(LINE_BREAKS), min_size=3, max_size=3), st.integers(1, 3))
def test_the_export_read_from_its_own_bytes_equals_the_export_read_from_text(
    tmp_path: Path, breaks: list[str], header_row: int
) -> None:
    """A UTF-8 export is parsed from its own bytes after the header; UTF-16 from re-encoded text: same rows."""
    title = [f"Title line {n}{breaks[n % 3]}" for n in range(header_row - 1)]
    body = rows_to_csv([HEADER, *PEOPLE, [*PEOPLE[0][:-1], "oui\u2028plus"]])
    text = "".join(title) + body
    mapping = replace(load_mapping(write(tmp_path / "mapping.yml", MAPPING)), header_row=header_row)
    frames = []
    for name, data in (("u8.csv", text.encode("utf-8")), ("bom.csv", text.encode("utf-8-sig")),
                       ("u16.csv", text.encode("utf-16"))):  # fmt: skip
        path = tmp_path / name
        path.write_bytes(data)
        export = read_export(path, mapping)
        frames.append((export.frame, export.first_row, export.rows_read))
    for frame, first_row, rows_read in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0][0])
        assert (first_row, rows_read) == frames[0][1:]
    assert frames[0][2] == len(PEOPLE) + 1


@pytest.mark.parametrize("text", ["", "\n\n", "Only a title\n"])
def test_an_export_without_a_header_at_its_row_is_still_refused(tmp_path: Path, text: str) -> None:
    from draftbook.ingest.readers import ExportError

    mapping = replace(load_mapping(write(tmp_path / "mapping.yml", MAPPING)), header_row=2)
    path = tmp_path / "e.csv"
    path.write_bytes(text.encode() or b" ")
    with pytest.raises(ExportError):
        read_export(path, mapping)


def reference_redact_passes(text: pd.Series) -> pd.Series:
    """The four passes as they ran before: every pattern over every text."""
    from draftbook.ingest.redaction import EMAIL, IPV4, IPV6, PHONE, REDACTED, _ipv4, _ipv6, _phone

    text = text.str.replace(EMAIL, REDACTED["email"], regex=True)
    text = text.str.replace(IPV6, _ipv6, regex=True)
    text = text.str.replace(IPV4, _ipv4, regex=True)
    return text.str.replace(PHONE, _phone, regex=True)


PERSONAL = st.sampled_from(
    ["ana@x.example", "fe80::1", "10.1.2.3", "+33 1 23 45 67 89", "912 345 678", "2015-2019", "art. 4.2.1.3",
     "1.000.000", "٣٣٣٣٣٣٣٣٣", "a:b", "x.y", " ", "Merci", "@", ":", ".", "0", "(555) 123-4567", "\n"]
)  # fmt: skip


@FAST
@given(st.lists(st.lists(PERSONAL, max_size=6).map("".join), max_size=8))
def test_redaction_skipping_passes_that_cannot_match_gives_the_four_passes(texts: list[str]) -> None:
    from draftbook.ingest.redaction import _redact

    series = pd.Series([*texts, None], dtype=object)
    assert _redact(series).tolist()[:-1] == reference_redact_passes(series).tolist()[:-1]
    assert pd.isna(_redact(series).iloc[-1])


def test_redaction_skipping_passes_on_the_redaction_fixture() -> None:
    from benchmarks.redaction import load_fixture
    from draftbook.ingest.redaction import _redact

    texts = load_fixture()["text"]
    assert _redact(texts).tolist() == reference_redact_passes(texts).tolist()
