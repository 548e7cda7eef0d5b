"""Reading an uploaded spreadsheet into rows of text: CSV (UTF-8 with or without a byte order
mark, or Windows-1250 as Polish Excel saves it; comma or semicolon, detected) and XLSX.

Row numbers are the spreadsheet's own (the header is row 1), so a problem reported for row 7
is on the line the coordinator sees as 7 in Excel."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from server.common.errors import Message
from server.i18n.catalogs import N_
from server.imports.columns import COLUMN_NAMES, REQUIRED_COLUMNS

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

_ZIP_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (OLE compound file)
_UTF8_BOM = b"\xef\xbb\xbf"
_MAX_COLUMNS = 64
# An XLSX is a zip: 2 MB of it could unpack to gigabytes. Real sheets of 5,000 rows unpack
# to a few MB.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported (nothing about single rows)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True)
class RawRow:
    number: int  # the spreadsheet's row number; the header is row 1
    values: dict[str, str]  # column name → text as written, stripped


@dataclass(frozen=True)
class ParsedFile:
    columns: tuple[str, ...]
    rows: list[RawRow]


def parse_file(content: bytes, filename: str = "") -> ParsedFile:
    """The rows of a CSV or XLSX file, or ImportFileError saying why it cannot be read."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            Message(
                N_("The file is larger than %(size)s MB. Split it into smaller files."),
                {"size": MAX_BYTES // (1024 * 1024)},
            )
        )
    if not content.strip(_UTF8_BOM + b" \t\r\n"):
        raise ImportFileError(Message(N_("The file is empty.")))
    if content.startswith(_OLD_EXCEL_MAGIC) or filename.lower().endswith(".xls"):
        raise ImportFileError(
            Message(N_("This is an old Excel file (.xls). Save it as XLSX or CSV and try again."))
        )
    table = _xlsx_table(content) if content.startswith(_ZIP_MAGIC) else _csv_table(content)
    return _rows_of(table)


def decode_text(content: bytes) -> str:
    """UTF-8 (a byte order mark is dropped), else Windows-1250, the Polish Windows encoding."""
    if content.startswith(_UTF8_BOM):
        return content[len(_UTF8_BOM) :].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1250")
    except UnicodeDecodeError:
        raise ImportFileError(
            Message(N_("The file could not be read. Save it as CSV UTF-8 or XLSX and try again."))
        ) from None


def detect_delimiter(text: str) -> str:
    """Semicolon (Polish Excel) or comma, whichever the header line holds more of."""
    header = text.lstrip().split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


Table = list[tuple[int, list[str]]]  # (row number, cells) of the rows that are not blank


def _csv_table(content: bytes) -> Table:
    text = decode_text(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    table: Table = []
    try:
        for number, record in enumerate(reader, start=1):
            if _full(table, number, record):
                break
    except csv.Error:
        raise ImportFileError(
            Message(N_("The file could not be read. Save it as CSV UTF-8 or XLSX and try again."))
        ) from None
    return table


def _full(table: Table, number: int, record: list[str]) -> bool:
    """Add a record; True once the table holds more rows than may be imported (the header and
    one row over the limit are enough to say so; blank lines do not count)."""
    if any(cell.strip() for cell in record):
        table.append((number, record))
    return len(table) > MAX_ROWS + 1


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1987 as 1987.0
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_table(content: bytes) -> Table:
    from openpyxl import load_workbook  # only an import of a spreadsheet needs it

    table: Table = []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ValueError("unpacks too large")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Workbook contains no default style"
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = sheet.iter_rows(values_only=True, max_col=_MAX_COLUMNS)
                for number, values in enumerate(rows, start=1):
                    if _full(table, number, [_cell_text(v) for v in values]):
                        break
            finally:
                workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise ImportFileError(
            Message(N_("The file could not be read as a spreadsheet. Save it as XLSX or CSV."))
        ) from None
    return table


def _header_name(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _columns_of(header: list[str]) -> tuple[str, ...]:
    names = [_header_name(cell) for cell in header]
    while names and not names[-1]:
        names.pop()  # trailing empty cells (spreadsheets often have them)
    unknown = [n or "?" for n in names if n not in COLUMN_NAMES]
    if unknown:
        raise ImportFileError(
            Message(
                N_("Unknown columns: %(names)s. Use the column headers of the template."),
                {"names": ", ".join(unknown)},
            )
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ImportFileError(
            Message(N_("Columns given twice: %(names)s."), {"names": ", ".join(repeated)})
        )
    missing = [n for n in REQUIRED_COLUMNS if n not in names]
    if missing:
        raise ImportFileError(
            Message(
                N_("Missing columns: %(names)s. Use the column headers of the template."),
                {"names": ", ".join(missing)},
            )
        )
    return tuple(names)


def _rows_of(table: Table) -> ParsedFile:
    if not table:
        raise ImportFileError(Message(N_("The file is empty.")))
    columns = _columns_of(table[0][1])
    if len(table) > MAX_ROWS + 1:
        raise ImportFileError(
            Message(
                N_("The file has more than %(limit)s rows. Split it into smaller files."),
                {"limit": MAX_ROWS},
            )
        )
    rows: list[RawRow] = []
    for number, record in table[1:]:
        cells = [c.strip() for c in record] + [""] * max(0, len(columns) - len(record))
        rows.append(RawRow(number, dict(zip(columns, cells, strict=False))))
    if not rows:
        raise ImportFileError(Message(N_("The file has column headers but no rows to import.")))
    return ParsedFile(columns, rows)
