"""One fixture per reader and per unreadable file."""

import io
import zipfile
from pathlib import Path

import pytest

from draftbook.ingest.mapping import load_mapping
from draftbook.ingest.readers import ExportError, decode, read_export, sniff_delimiter
from tests.conftest import write
from tests.exports import HEADER, MAPPING, PEOPLE, csv_export, xlsx_export


def mapping(tmp_path: Path, extra: str = ""):  # type: ignore[no-untyped-def]
    return load_mapping(write(tmp_path / "mapping.yml", extra + MAPPING))


def export(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline", "expected"),
    [
        ("utf-8", ",", "\n", "utf-8"),
        ("utf-8-sig", ",", "\n", "utf-8-sig"),
        ("cp1252", ";", "\r\n", "cp1252"),
        ("utf-8", "\t", "\r\n", "utf-8"),
        ("utf-16", "\t", "\r\n", "utf-16"),
    ],
)
def test_csv_in_the_encodings_and_delimiters_tools_write(
    tmp_path: Path, encoding: str, delimiter: str, newline: str, expected: str
) -> None:
    data = csv_export(delimiter=delimiter, newline=newline).encode(encoding)
    read = read_export(export(tmp_path, "e.csv", data), mapping(tmp_path))
    assert (read.encoding, read.delimiter) == (expected, delimiter)
    assert list(read.frame.columns) == HEADER
    assert len(read.frame) == 3
    assert read.frame.loc[0, "Qu'est-ce qui manque ?"] == "Le cœur du sujet : le financement, 5 € par habitant"


def test_latin_1_fallback_and_declared_encoding(tmp_path: Path) -> None:
    assert decode("Région".encode("latin-1"), "auto", tmp_path)[1] == "cp1252"
    assert decode(b"\x81abc", "auto", tmp_path) == ("\x81abc", "latin-1")  # a byte cp1252 leaves undefined
    with pytest.raises(ExportError, match='cannot be read as "utf-16-le"'):
        decode(b"\x00\xd8", "utf-16-le", tmp_path)
    # declared UTF-8: a stray byte is kept (as a surrogate) for its row to be quarantined, not refused
    assert decode("Région".encode("cp1252"), "utf-8", tmp_path) == ("R\udce9gion", "utf-8")


def test_quoted_multi_line_fields_and_row_numbers(tmp_path: Path) -> None:
    rows = [list(PEOPLE[0]), list(PEOPLE[1])]
    rows[0][10] = 'Premier paragraphe ;\n"Deuxième" paragraphe'
    read = read_export(export(tmp_path, "e.csv", csv_export(rows, ";", "\r\n").encode()), mapping(tmp_path))
    assert read.frame.loc[0, "Commentaire sur l'appel [CTA-01]"].splitlines() == [
        "Premier paragraphe ;",
        '"Deuxième" paragraphe',
    ]
    assert read.row_numbers().tolist() == [2, 3]


def test_a_line_with_too_many_fields_is_kept_as_unparsed(tmp_path: Path) -> None:
    text = csv_export() + ",".join(["x"] * (len(HEADER) + 3)) + "\n"
    read = read_export(export(tmp_path, "e.csv", text.encode()), mapping(tmp_path))
    assert len(read.frame) == 3
    assert read.unparsed == [(5, ",".join(["x"] * (len(HEADER) + 3)))]
    assert read.rows_read == 4


def test_header_row_below_title_lines(tmp_path: Path) -> None:
    text = "Export du formulaire\n\n" + csv_export()
    read = read_export(export(tmp_path, "e.csv", text.encode()), mapping(tmp_path, "header_row: 3\n"))
    assert list(read.frame.columns) == HEADER
    assert read.row_numbers().tolist()[0] == 4


def test_xlsx_named_sheet_and_header_row(tmp_path: Path) -> None:
    path = export(tmp_path, "e.xlsx", xlsx_export())
    read = read_export(path, mapping(tmp_path, "sheet: Réponses\nheader_row: 3\n"))
    assert list(read.frame.columns) == HEADER
    assert read.frame.iloc[1]["Nom et prénom"] == "Bo Ranite"
    assert read.row_numbers().tolist() == [4, 5, 6]


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = export(tmp_path, "e.xlsx", xlsx_export())
    with pytest.raises(ExportError, match='no sheet "Answers"') as caught:
        read_export(path, mapping(tmp_path, "sheet: Answers\n"))
    assert caught.value.hint == 'its sheets are: "Lisez-moi", "Réponses"'


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"  \n\n", "the file is empty"),
        ("header.csv", csv_export([]).encode(), "no answers"),
        ("text.xlsx", csv_export().encode(), "not an XLSX workbook"),
        ("zip.csv", b"PK\x03\x04" + b"\x00" * 40, "spreadsheet workbook, not CSV"),
        ("old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "spreadsheet workbook, not CSV"),
        ("export.ods", b"whatever", "cannot tell the format"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(ExportError, match=message) as caught:
        read_export(export(tmp_path, name, data), mapping(tmp_path))
    assert caught.value.file == str(tmp_path / name)


def test_broken_zip_named_xlsx(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ExportError, match="cannot be opened"):
        read_export(export(tmp_path, "e.xlsx", buffer.getvalue()), mapping(tmp_path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        read_export(tmp_path / "nope.csv", mapping(tmp_path))


def test_sniffer_falls_back_to_counting() -> None:
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("only-one-column") in {",", ";", "\t"}
