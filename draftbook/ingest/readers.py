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
    unparsed: list[tuple[int, str]] = field(default_factory=list)  # (file line, raw text)

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


def decode(data: bytes, declared: str, path: Path) -> tuple[str, str]:
    """The text of ``data`` and the encoding used: a BOM, else UTF-8, else Windows-1252."""
    if declared != "auto":
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
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on a French or Spanish Windows writes Windows-1252 (it has œ and €, which latin-1 lacks).
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV header line: the csv sniffer, else the most frequent candidate."""
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        return max(counts, key=lambda d: counts[d])


_SKIPPED = re.compile(r"Skipping line (\d+)")


def read_csv(path: Path, data: bytes, mapping: SourceMapping) -> Export:
    """CSV in any of the encodings and delimiters the tools write; quoted multi-line fields; CRLF."""
    text, encoding = decode(data, mapping.encoding, path)
    lines = text.splitlines()
    skip = mapping.header_row - 1
    if len(lines) <= skip or not lines[skip].strip():
        raise ExportError(f"there is no header at row {mapping.header_row}", file=path, key="header_row")
    delimiter = mapping.delimiter or sniff_delimiter(lines[skip])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                skiprows=skip,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=True,
                on_bad_lines="warn",
                engine="c",
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ExportError(f"the CSV cannot be parsed: {exc}", file=path) from exc
    unparsed = []
    for warning in caught:
        for line in _SKIPPED.findall(str(warning.message)):
            number = int(line) + skip
            unparsed.append((number, lines[number - 1] if number - 1 < len(lines) else ""))
    frame.columns = [str(c).strip() for c in frame.columns]
    return Export(frame, mapping.header_row + 1, encoding, delimiter, unparsed)


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
    frame = pd.read_excel(book, sheet_name=sheet, header=mapping.header_row - 1, dtype=str).fillna("")
    frame = frame.loc[~(frame == "").all(axis=1)]  # rows left blank by the typist are not answers
    frame.columns = [str(c).strip() for c in frame.columns]
    first = mapping.header_row + 1
    return Export(frame, first, None, None, [])  # the index keeps the sheet's own row numbers


register_reader("csv", read_csv)
register_reader("xlsx", read_xlsx)
