"""Readers for consultation exports, one per format, in a registry.

Every reader returns an ``Export``: the rows as text (nothing converted yet),
the file row number of the first data row (for messages), and the raw lines
that could not be parsed (they are quarantined, not dropped).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from draftbook.errors import DataFileError
from draftbook.ingest.mapping import SourceMapping


class ExportError(DataFileError):
    """The export cannot be read as it is."""


@dataclass
class Export:
    """The rows of an export, as text, with what the reader had to say about them."""

    frame: pd.DataFrame
    first_row: int  # file row of the frame's index 0 (1-based, as a spreadsheet shows it)
    encoding: str | None = None
    delimiter: str | None = None
    unparsed: list[tuple[int, str]] = field(default_factory=list)  # (row, raw text of its lines)
    repeated_columns: list[str] = field(default_factory=list)  # names that head two columns

    def without_skipped(self, count: int, body_start: int) -> Export:
        """The export less the ``count`` rows from ``body_start`` (right under the header): not answers,
        not counted in ``rows_read``."""
        if count:
            cutoff = body_start + count
            self.frame = self.frame[(self.row_numbers() >= cutoff).to_numpy()]
            self.unparsed = [(row, raw) for row, raw in self.unparsed if row >= cutoff]
        return self

    def row_numbers(self) -> pd.Series:
        """The file row of each frame row, for messages and quarantine."""
        return pd.Series(self.frame.index + self.first_row, index=self.frame.index)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.unparsed)


Reader = Callable[[Path, bytes, SourceMapping], Export]
_READERS: dict[str, Reader] = {}


def register_reader(name: str, reader: Reader) -> None:
    _READERS[name] = reader


def detect_format(path: Path, data: bytes, mapping: SourceMapping) -> str:
    """The format to read: the mapping's, else the extension's, checked against the content."""
    declared = mapping.format or path.suffix.lower().lstrip(".")
    if declared not in _READERS:
        raise ExportError(
            f'cannot tell the format of "{path.name}"', file=path, hint="name it .csv or .xlsx, or set format:"
        )
    looks_zip = data[:4] == b"PK\x03\x04"
    if declared == "xlsx" and not looks_zip:
        raise ExportError(
            "this file is not an XLSX workbook (it looks like text)",
            file=path,
            hint="save it from the spreadsheet as .xlsx, or rename it .csv",
        )
    if declared == "csv" and (looks_zip or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ExportError(
            "this file is a spreadsheet workbook, not CSV text",
            file=path,
            hint="rename it .xlsx, or export it again as CSV",
        )
    return declared


def read_export(path: Path, mapping: SourceMapping) -> Export:
    """Read ``path`` with the reader its format calls for."""
    if not path.is_file():
        raise ExportError("the export file does not exist", file=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"the file cannot be read ({exc.strerror})", file=path) from exc
    if not data.strip():
        raise ExportError("the file is empty", file=path, hint="export the answers again")
    export = _READERS[detect_format(path, data, mapping)](path, data, mapping)
    if export.rows_read == 0:
        raise ExportError("the file has column names but no answers", file=path)
    return export


# A valid UTF-8 sequence of two to four bytes: a file that has none is not UTF-8 at all.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes kept by surrogateescape


def decode(data: bytes, declared: str, path: Path) -> tuple[str, str]:
    """The text of ``data`` and the encoding used: a BOM, else UTF-8, else Windows-1252.

    A file that is UTF-8 but for a few bytes stays UTF-8: those bytes are kept as
    surrogates (``surrogateescape``) and the rows holding them are quarantined
    later; only a file with no valid UTF-8 sequence at all is Windows-1252.
    """
    if declared != "auto" and codecs.lookup(declared).name != "utf-8":
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError) as exc:
            raise ExportError(
                f'the file cannot be read as "{declared}": {exc}',
                file=path,
                key="encoding",
                hint="set encoding: auto in the mapping, or the encoding the tool used",
            ) from exc
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="surrogateescape" if name == "utf-8-sig" else "strict"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared != "auto" or _UTF8_SEQUENCE.search(data):
        return data.decode("utf-8", errors="surrogateescape"), "utf-8"
    try:
        # Excel on a French or Spanish Windows writes Windows-1252 (it has œ and €, which latin-1 lacks).
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def undecoded_rows(frame: pd.DataFrame) -> pd.Series:
    """True for the rows holding bytes that are not valid in the file's encoding."""
    bad = pd.Series(False, index=frame.index)
    for column in frame.columns:
        values = frame[column]
        bad |= values.str.contains(_UNDECODED, regex=True, na=False)
    return bad


def shown_bytes(text: str) -> str:
    """Text with undecodable bytes written as ``\\xNN`` (for the private quarantine file)."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV header line: the csv sniffer, else the most frequent candidate."""
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        return max(counts, key=lambda d: counts[d])


def column_names(first: list[str], second: list[str] | None) -> list[str]:
    """Names from one header row, or from two (SurveyMonkey): "question - sub-heading".

    The first row's text carries right over the empty cells of the same question;
    a second-row text that is empty, "Response" or "Open-Ended Response" adds nothing.
    """
    names = [str(c).strip() for c in first]
    if second is None:
        return names
    carried, combined = "", []
    for index, name in enumerate(names):
        carried = name or carried
        sub = str(second[index]).strip() if index < len(second) else ""
        plain = sub.casefold() in ("", "response", "open-ended response")
        combined.append(carried if plain else f"{carried} - {sub}" if carried else sub)
    return combined


def unique_names(names: list[str]) -> tuple[list[str], list[str]]:
    """The names with repeats made distinct ("X", "X (2)"), and the names that repeated."""
    seen: dict[str, int] = {}
    unique, repeated = [], []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        if seen[name] == 1:
            unique.append(name)
        else:
            unique.append(f"{name} ({seen[name]})")
            repeated.append(name)
    return unique, sorted(set(repeated))


@dataclass
class _Records:
    """Where each data record of a CSV body is: its fields' count and its physical lines."""

    widths: list[int]
    spans: list[tuple[int, int]]  # (first line, line after the last), 0-based in the body


def _scan_records(body: str, delimiter: str) -> _Records:
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    widths, spans, line = [], [], 0
    for fields in reader:
        if fields:  # pandas skips blank lines: so do we, to keep the counts aligned
            widths.append(len(fields))
            spans.append((line, reader.line_num))
        line = reader.line_num
    return _Records(widths, spans)


def read_csv(path: Path, data: bytes, mapping: SourceMapping) -> Export:
    """CSV in any of the encodings and delimiters the tools write; quoted multi-line fields; CRLF."""
    text, encoding = decode(data, mapping.encoding, path)
    lines = text.splitlines(keepends=True)
    skip = mapping.header_row - 1
    if len(lines) <= skip or not lines[skip].strip():
        raise ExportError(f"there is no header at row {mapping.header_row}", file=path, key="header_row")
    delimiter = mapping.delimiter or sniff_delimiter(lines[skip])
    rest = "".join(lines[skip:])
    header_reader = csv.reader(io.StringIO(rest), delimiter=delimiter)
    try:
        header = [next(header_reader) for _ in range(mapping.header_rows)]
    except StopIteration:
        raise ExportError("the file has column names but no answers", file=path) from None
    names, repeated = unique_names(column_names(header[0], header[1] if len(header) > 1 else None))
    body_lines = lines[skip:][header_reader.line_num :]
    body = "".join(body_lines)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                # as bytes: the C parser cannot take the surrogates that stand for undecodable bytes
                io.BytesIO(body.encode("utf-8", errors="surrogateescape")),
                encoding="utf-8",
                encoding_errors="surrogateescape",
                sep=delimiter,
                header=None,
                names=list(range(len(names))),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=True,
                on_bad_lines="warn",
                engine="c",
            )
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame(columns=list(range(len(names))), dtype=str)
        except pd.errors.ParserError as exc:
            raise ExportError(f"the CSV cannot be parsed: {exc}", file=path) from exc
    frame = frame.fillna("")
    frame.columns = pd.Index(names)
    unparsed: list[tuple[int, str]] = []
    first = skip + mapping.header_rows + 1  # spreadsheet row of record 0 (records, not lines)
    if any("Skipping line" in str(w.message) for w in caught):
        # pandas numbers the lines it skips in its own way: find the records again, with their lines.
        records = _scan_records(body, delimiter)
        good = [i for i, width in enumerate(records.widths) if width <= len(names)]
        if len(good) == len(frame):
            frame.index = pd.Index(good)
        for record, width in enumerate(records.widths):
            if width > len(names):
                start, stop = records.spans[record]
                raw = "".join(body_lines[start:stop]).rstrip("\r\n")
                unparsed.append((first + record, shown_bytes(raw)))
    export = Export(frame, first, encoding, delimiter, unparsed, repeated)
    return export.without_skipped(mapping.skip_rows, first)


def read_xlsx(path: Path, data: bytes, mapping: SourceMapping) -> Export:
    """XLSX: the named sheet (default the first), the header at ``header_row``."""
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise ExportError(f"the workbook cannot be opened ({exc})", file=path) from exc
    sheet = mapping.sheet if mapping.sheet is not None else book.sheet_names[0]
    if sheet not in book.sheet_names:
        raise ExportError(
            f'the workbook has no sheet "{sheet}"',
            file=path,
            key="sheet",
            hint="its sheets are: " + ", ".join(f'"{s}"' for s in book.sheet_names),
        )
    cells = pd.read_excel(book, sheet_name=sheet, header=None, dtype=str).fillna("")
    top = mapping.header_row - 1
    if len(cells) <= top or (cells.iloc[top] == "").all():
        raise ExportError(f"there is no header at row {mapping.header_row}", file=path, key="header_row")
    header = [cells.iloc[top + i].tolist() for i in range(mapping.header_rows) if top + i < len(cells)]
    names, repeated = unique_names(column_names(header[0], header[1] if len(header) > 1 else None))
    frame = cells.iloc[top + mapping.header_rows :].copy()
    frame.columns = pd.Index(names)
    frame.index = frame.index + 1  # the sheet's own row numbers (pandas starts at 0 at the first row)
    frame = frame.loc[~(frame == "").all(axis=1)]  # rows left blank by the typist are not answers
    export = Export(frame, 0, None, None, [], repeated)
    return export.without_skipped(mapping.skip_rows, top + mapping.header_rows + 1)


register_reader("csv", read_csv)
register_reader("xlsx", read_xlsx)
