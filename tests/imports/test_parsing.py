"""Reading import files: encodings, delimiters, XLSX, and the files that are refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from server.imports.columns import COLUMN_NAMES
from server.imports.parsing import (
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    ImportFileError,
    parse_file,
)
from server.imports.template import template_csv, template_xlsx

HEADER = ["given_name", "family_name", "birth_year", "consent"]
ROWS = [
    ["Łukasz", "Wójcik", "1990", "attendance"],
    ["Zażółć", "Gęślą-Jaźń", "", "attendance reporting"],
    ["Оксана", "Шевченко", "1985", "attendance"],
]


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


def _values(content: bytes, filename: str = "people.csv") -> list[tuple[int, list[str]]]:
    parsed = parse_file(content, filename)
    assert parsed.columns == tuple(HEADER)
    return [(row.number, [row.values[c] for c in HEADER]) for row in parsed.rows]


EXPECTED = [(2, ROWS[0]), (3, ROWS[1]), (4, ROWS[2])]


def test_utf8_with_commas() -> None:
    assert _values(_csv([HEADER, *ROWS]).encode("utf-8")) == EXPECTED


def test_utf8_with_a_byte_order_mark_and_semicolons() -> None:
    content = b"\xef\xbb\xbf" + _csv([HEADER, *ROWS], ";").encode("utf-8")
    assert _values(content) == EXPECTED


def test_windows_1250_with_semicolons_as_polish_excel_writes_it() -> None:
    polish = [HEADER, *ROWS[:2]]
    content = _csv(polish, ";").encode("cp1250")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really not UTF-8: the fallback is exercised
    assert _values(content) == EXPECTED[:2]


def test_quoted_commas_and_blank_lines_keep_spreadsheet_row_numbers() -> None:
    text = (
        'given_name,family_name,birth_year,consent\r\n\r\n"Anna, Maria",Nowak,1970,'
        '"attendance,photos"\r\n'
    )
    assert _values(text.encode()) == [(3, ["Anna, Maria", "Nowak", "1970", "attendance,photos"])]


def test_headers_in_any_case_with_spaces() -> None:
    content = b"Given Name;FAMILY NAME;birth-year;Consent\nJan;Kowalski;1980;attendance\n"
    assert _values(content) == [(2, ["Jan", "Kowalski", "1980", "attendance"])]


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numbers_as_excel_stores_them() -> None:
    content = _xlsx([HEADER, ["Łukasz", "Wójcik", 1990, "attendance"], [None, None, None, None],
                     ["Оксана", "Шевченко", 1985.0, "attendance"]])  # fmt: skip
    assert _values(content, "people.xlsx") == [
        (2, ["Łukasz", "Wójcik", "1990", "attendance"]),
        (4, ["Оксана", "Шевченко", "1985", "attendance"]),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n\r\n", "The file is empty."),
        (b"given_name,family_name,consent\r\n", "The file has column headers but no rows"),
        (b"name,surname,consent\nJan,Kowalski,attendance\n", "Unknown columns: %(names)s"),
        (b"given_name,consent\nJan,attendance\n", "Missing columns: %(names)s"),
        (b"given_name,family_name,consent,consent\nJan,K,a,a\n", "Columns given twice"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "This is an old Excel file"),
        (b"PK\x03\x04not really a zip", "could not be read as a spreadsheet"),
    ],
)
def test_files_that_cannot_be_imported_say_why(content: bytes, expected: str) -> None:
    with pytest.raises(ImportFileError) as refused:
        parse_file(content, "people.csv")
    assert expected in refused.value.message.msgid


def test_wrong_headers_are_named() -> None:
    with pytest.raises(ImportFileError) as refused:
        parse_file(b"name;surname;consent;phone\nJan;Kowalski;attendance;1\n")
    assert refused.value.message.params == {"names": "name, surname"}


def test_too_many_rows() -> None:
    rows = [["Jan", f"Kowalski{i}", "", "attendance"] for i in range(MAX_ROWS + 1)]
    with pytest.raises(ImportFileError) as refused:
        parse_file(_csv([HEADER, *rows]).encode())
    assert refused.value.message.params == {"limit": MAX_ROWS}
    # Exactly the limit is fine, blank lines not counted.
    parsed = parse_file(_csv([HEADER, *rows[:MAX_ROWS], ["", "", "", ""]]).encode())
    assert len(parsed.rows) == MAX_ROWS


def test_too_many_rows_in_xlsx() -> None:
    rows: list[list[object]] = [["Jan", f"K{i}", None, "attendance"] for i in range(MAX_ROWS + 1)]
    with pytest.raises(ImportFileError) as refused:
        parse_file(_xlsx([HEADER, *rows]), "people.xlsx")
    assert refused.value.message.params == {"limit": MAX_ROWS}


def test_an_xlsx_that_would_unpack_to_too_much_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<" * (MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < MAX_BYTES
    with pytest.raises(ImportFileError) as refused:
        parse_file(buffer.getvalue(), "people.xlsx")
    assert "could not be read as a spreadsheet" in refused.value.message.msgid


def test_too_large_a_file() -> None:
    with pytest.raises(ImportFileError) as refused:
        parse_file(b"given_name,family_name,consent\n" + b"x" * MAX_BYTES)
    assert refused.value.message.params == {"size": 2}


def test_the_templates_hold_every_column_and_read_back() -> None:
    assert template_csv().decode("utf-8-sig").strip().split(";") == list(COLUMN_NAMES)
    sheet = load_workbook(io.BytesIO(template_xlsx())).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMN_NAMES)
    for template in (template_csv(), template_xlsx()):
        with pytest.raises(ImportFileError) as refused:
            parse_file(template)
        assert "no rows to import" in refused.value.message.msgid
