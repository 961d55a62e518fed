"""Readers for consultation exports, one per format, in a registry.

Every reader returns an ``Export``: the rows as text (nothing converted yet),
the file row number of the first data row (for messages), and the raw lines
that could not be parsed (they are quarantined, not dropped).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from draftbook.ingest.mapping import SourceMapping
from draftbook.model.errors import DataFileError


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
    undecoded: bool = False  # some bytes were not valid in the file's encoding (their rows are quarantined)

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
    looks_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an .xlsx with a password
    if declared == "xlsx" and looks_ole:
        raise ExportError(
            "this is an old Excel .xls file or a password-protected workbook, which cannot be read",
            file=path,
            hint="open it in a spreadsheet program, remove any password and save it as .xlsx",
        )
    if declared == "xlsx" and not looks_zip:
        raise ExportError(
            "this file is not an XLSX workbook (it looks like text)",
            file=path,
            hint="save it from the spreadsheet as .xlsx, or rename it .csv",
        )
    if declared == "csv" and (looks_zip or looks_ole):
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
        except (UnicodeError, LookupError) as exc:
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


# Where str.splitlines cuts a text: the ends of its lines, found one at a time (the head of a 40 MB
# export is a few lines: splitting the whole text into a list of lines cost more than reading it).
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _line_ends(text: str) -> Iterator[int]:
    return (match.end() for match in _LINE_BREAK.finditer(text))


def _lines_from(text: str, start: int) -> Iterator[str]:
    """The lines of ``text[start:]`` as ``io.StringIO`` gives them (cut after each line feed), without the copy."""
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _holds_undecoded(text: str, start: int) -> bool:
    """Whether ``text[start:]`` holds bytes kept by surrogateescape (the only characters UTF-8 cannot encode
    in a decoded text), a megabyte at a time: faster than searching for them, and no copy of the whole."""
    if text.isascii():
        return False
    step = 1 << 20
    for begin in range(start, len(text), step):
        try:
            text[begin : begin + step].encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


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
    skip = mapping.header_row - 1
    ends = _line_ends(text)
    starts = [0, *itertools.islice(ends, skip + 1)]  # where the lines start, as str.splitlines cuts them
    if len(starts) <= skip or starts[skip] >= len(text):
        raise ExportError(f"there is no header at row {mapping.header_row}", file=path, key="header_row")
    header_line = text[starts[skip] : starts[skip + 1] if len(starts) > skip + 1 else len(text)]
    if not header_line.strip():
        raise ExportError(f"there is no header at row {mapping.header_row}", file=path, key="header_row")
    delimiter = mapping.delimiter or sniff_delimiter(header_line)
    header_reader = csv.reader(_lines_from(text, starts[skip]), delimiter=delimiter)
    try:
        header = [next(header_reader) for _ in range(mapping.header_rows)]
    except StopIteration:
        raise ExportError("the file has column names but no answers", file=path) from None
    names, repeated = unique_names(column_names(header[0], header[1] if len(header) > 1 else None))
    starts += itertools.islice(ends, max(0, skip + header_reader.line_num + 1 - len(starts)))
    offset = starts[skip + header_reader.line_num] if skip + header_reader.line_num < len(starts) else len(text)
    if encoding.startswith("utf-8"):  # the file's own bytes from the body on: no second copy of 40 MB
        lead = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        body_bytes = io.BytesIO(data)  # shares the bytes; pandas reads from the position set here
        body_bytes.seek(lead + len(text[:offset].encode("utf-8", errors="surrogateescape")))
    else:
        body_bytes = io.BytesIO(text[offset:].encode("utf-8", errors="surrogateescape"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                # as bytes: the C parser cannot take the surrogates that stand for undecodable bytes
                body_bytes,
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
    for column in frame.columns[frame.isna().any().to_numpy()]:  # a short row's missing fields
        frame[column] = frame[column].fillna("")
    frame.columns = pd.Index(names)
    unparsed: list[tuple[int, str]] = []
    first = skip + mapping.header_rows + 1  # spreadsheet row of record 0 (records, not lines)
    if any("Skipping line" in str(w.message) for w in caught):
        # pandas numbers the lines it skips in its own way: find the records again, with their lines.
        body = text[offset:]
        records = _scan_records(body, delimiter)
        body_lines = body.splitlines(keepends=True)
        good = [i for i, width in enumerate(records.widths) if width <= len(names)]
        if len(good) == len(frame):
            frame.index = pd.Index(good)
        for record, width in enumerate(records.widths):
            if width > len(names):
                start, stop = records.spans[record]
                raw = "".join(body_lines[start:stop]).rstrip("\r\n")
                unparsed.append((first + record, shown_bytes(raw)))
    undecoded = _holds_undecoded(text, offset)
    export = Export(frame, first, encoding, delimiter, unparsed, repeated, undecoded)
    return export.without_skipped(mapping.skip_rows, first)


# Bounds on a workbook (stated in docs/mapping.md): a consultation export is far below them, and a
# tiny hostile file whose one cell sits at XFD1048576 is refused in seconds instead of filling memory.
MAX_ROWS = 200_000
MAX_COLUMNS = 2_000
MAX_CELL = 32_767  # Excel's own limit on the characters of a cell
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def open_workbook(path: Path, data: bytes, *, formulas: bool = False) -> Any:
    """The workbook, read-only and streaming; a damaged file is an ExportError, never a traceback."""
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas, keep_links=False)
    except Exception as exc:  # a damaged zip fails in many ways: zlib, XML, KeyError...
        raise ExportError(
            f"the workbook is damaged and cannot be opened ({type(exc).__name__}: {str(exc)[:200]})",
            file=path,
            hint="open it in a spreadsheet program and save it again as .xlsx, or export it again from the tool",
        ) from exc


def sheet_rows(path: Path, sheet: Any) -> list[list[str]]:
    """Every row of ``sheet`` as text, within the bounds; row i of the list is the sheet's row i + 1."""
    sheet.reset_dimensions()  # the <dimension> a file declares is not trusted
    rows: list[list[str]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise ExportError(
                f"the sheet has more than {MAX_ROWS:,} rows",
                file=path,
                hint="a consultation export is far smaller: check the file, or save only the answers",
            )
        cells = list(values)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise ExportError(
                f"row {number} has a value beyond column {MAX_COLUMNS:,}",
                file=path,
                row=number,
                hint="delete the stray cells far to the right, or save only the answers",
            )
        rows.append([_cell_text(path, value, number) for value in cells])
    return rows


def _cell_text(path: Path, value: object, row: int) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_CELL:
        raise ExportError(f"a cell holds more than {MAX_CELL:,} characters", file=path, row=row)
    return text


def check_formulas(path: Path, data: bytes, sheet: str, values: list[list[str]]) -> None:
    """Stop when a formula has no saved value: the cell would silently read as empty."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if not any(_FORMULA.search(archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/")):
            return
    book = open_workbook(path, data, formulas=True)
    worksheet = book[sheet]
    worksheet.reset_dimensions()
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        for index, cell in enumerate(cells):
            saved = values[number - 1][index] if number <= len(values) and index < len(values[number - 1]) else ""
            if getattr(cell, "data_type", None) == "f" and saved == "":
                raise ExportError(
                    f"cell {cell.coordinate} holds a formula ({str(cell.value)[:60]}) with no saved value",
                    file=path,
                    row=number,
                    hint="open the workbook in a spreadsheet program and save it again (that stores the values)",
                )


def read_xlsx(path: Path, data: bytes, mapping: SourceMapping) -> Export:
    """XLSX: the named sheet (default the first), the header at ``header_row``; streamed, bounded."""
    book = open_workbook(path, data)
    names = list(book.sheetnames)
    sheet = mapping.sheet if mapping.sheet is not None else names[0]
    if sheet not in names:
        raise ExportError(
            f'the workbook has no sheet "{sheet}"',
            file=path,
            key="sheet",
            hint="its sheets are: " + ", ".join(f'"{s}"' for s in names),
        )
    try:
        rows = sheet_rows(path, book[sheet])
    except ExportError:
        raise
    except Exception as exc:  # damaged sheet XML, bad compressed data
        raise ExportError(
            f"the sheet is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:200]})",
            file=path,
            hint="open it in a spreadsheet program and save it again as .xlsx",
        ) from exc
    finally:
        book.close()
    check_formulas(path, data, sheet, rows)
    top = mapping.header_row - 1
    if len(rows) <= top or not any(rows[top]):
        raise ExportError(f"there is no header at row {mapping.header_row}", file=path, key="header_row")
    header = [rows[top + i] for i in range(mapping.header_rows) if top + i < len(rows)]
    names_, repeated = unique_names(column_names(header[0], header[1] if len(header) > 1 else None))
    width = len(names_)
    body = rows[top + mapping.header_rows :]
    start = top + mapping.header_rows + 1  # sheet row of body[0]
    kept = [(start + i, row) for i, row in enumerate(body) if any(row)]  # rows left blank are not answers
    overflow = [number for number, row in kept if len(row) > width and any(row[width:])]
    unparsed = [(number, "\t".join(row)) for number, row in kept if number in set(overflow)]
    frame = pd.DataFrame(
        [(row + [""] * width)[:width] for number, row in kept if number not in set(overflow)],
        index=pd.Index([number for number, _ in kept if number not in set(overflow)]),
        columns=pd.Index(names_),
        dtype=object,
    )
    export = Export(frame, 0, None, None, unparsed, repeated)
    return export.without_skipped(mapping.skip_rows, start)


register_reader("csv", read_csv)
register_reader("xlsx", read_xlsx)
