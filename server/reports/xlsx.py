"""A small, fast XLSX (SpreadsheetML) writer: one worksheet per table, text as inline strings,
numbers, dates and times as real cells, a bold frozen header row.

openpyxl writes about 5,000 cells a second on the development VM (18–23 s for a 100,000-mark
attendance export); this writes the same workbook in about a second, and the tests read every
file back with openpyxl. See docs/decisions/0011-reports-and-exports.md.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

EPOCH = datetime(1899, 12, 30)  # day 0 of spreadsheet dates (1900 date system)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
# Cell styles (indexes into cellXfs below).
_DATE, _DATETIME, _TIME, _HEADER = 1, 2, 3, 4
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass(frozen=True)
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    # Rows already written as "<row>…</row>", one or many a string (see
    # server/reports/marks.py), after `rows`.
    row_xml: Iterable[str] = ()


def _text(value: str, style: int = 0) -> str:
    value = _NOT_XML.sub("", value)
    space = ' xml:space="preserve"' if value != value.strip() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{styled}><is><t{space}>{escape(value)}</t></is></c>'


class SharedStrings:
    """A workbook's shared strings table: each distinct text stored once, cells refer to it by
    number (a year's attendance sheet is a third smaller than with inline strings, so faster
    to write and to compress). Numbered in order of first use."""

    def __init__(self) -> None:
        self._numbers: dict[str, str] = {}  # text → its cell's XML

    def cell(self, value: str) -> str:
        found = self._numbers.get(value)
        if found is None:
            found = self._numbers[value] = f'<c t="s"><v>{len(self._numbers)}</v></c>'
        return found

    def __len__(self) -> int:
        return len(self._numbers)

    def xml(self) -> str:
        items = []
        for value in self._numbers:
            text = _NOT_XML.sub("", value)
            space = ' xml:space="preserve"' if text != text.strip() else ""
            items.append(f"<si><t{space}>{escape(text)}</t></si>")
        return f'{_XML}<sst xmlns="{_MAIN}" uniqueCount="{len(items)}">{"".join(items)}</sst>'


_DAY = 86400
_SECOND = timedelta(seconds=1)
# ".ddddddddddd" of each second of the day as a fraction of the day, once made.
_FRACTIONS: dict[int, str] = {}


def _fraction(second_of_day: int) -> str:
    text = _FRACTIONS.get(second_of_day)
    if text is None:
        text = _FRACTIONS[second_of_day] = f"{second_of_day / _DAY:.10f}"[1:]
    return text


def serial_cell(seconds: int) -> str:
    """The cell of the datetime `seconds` after EPOCH: whole days, then the second's fraction
    of its day to 10 decimals (a tenth of a millisecond), each second's text made once."""
    if seconds < 0:
        return f'<c s="{_DATETIME}"><v>{seconds / _DAY:.10f}</v></c>'
    days, second = divmod(seconds, _DAY)
    return f'<c s="{_DATETIME}"><v>{days}{_fraction(second)}</v></c>'


def datetime_cell(value: datetime) -> str:
    value = value.replace(tzinfo=None)
    if value.microsecond:
        serial = (value - EPOCH).total_seconds() / _DAY
        return f'<c s="{_DATETIME}"><v>{serial:.10f}</v></c>'
    return serial_cell((value - EPOCH) // _SECOND)


def cell(value: Any, strings: SharedStrings) -> str:
    """One cell's XML: text from the shared strings, numbers, dates, times and datetimes as
    numbers."""
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, str):
        return strings.cell(value)
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value!r}</v></c>"
    if isinstance(value, datetime):
        return datetime_cell(value)
    if isinstance(value, date):
        return f'<c s="{_DATE}"><v>{(value - EPOCH.date()).days}</v></c>'
    if isinstance(value, time):
        fraction = (value.hour * 3600 + value.minute * 60 + value.second) / 86400
        return f'<c s="{_TIME}"><v>{fraction:.10f}</v></c>'
    return strings.cell(str(value))


def _worksheet(sheet: Sheet, strings: SharedStrings) -> Iterator[str]:
    """The worksheet's XML in parts (the rows already written come as they are made)."""
    width = max(1, len(sheet.header))
    yield (
        f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f'</sheetView></sheetViews><cols><col min="1" max="{width}" width="18" customWidth="1"/>'
        "</cols><sheetData><row>"
        + "".join(_text(title, _HEADER) for title in sheet.header)
        + "</row>"
        + "".join(
            f"<row>{''.join([cell(value, strings) for value in row])}</row>" for row in sheet.rows
        )
    )
    yield from sheet.row_xml
    yield "</sheetData></worksheet>"


def _sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    names: list[str] = []
    for sheet in sheets:
        base = _NOT_IN_SHEET_NAME.sub(" ", sheet.name).strip()[:31] or "Sheet"
        name, n = base, 2
        while name.casefold() in (taken.casefold() for taken in names):
            name, n = f"{base[: 31 - len(str(n)) - 1]} {n}", n + 1
        names.append(name)
    return names


def workbook(sheets: Sequence[Sheet], strings: SharedStrings | None = None) -> bytes:
    """The .xlsx file holding `sheets`, in order. `strings` is the table the sheets' prepared
    rows (`row_xml`) refer to, if any."""
    strings = SharedStrings() if strings is None else strings
    names = _sheet_names(sheets)
    numbers = range(1, len(sheets) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in numbers
    )
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    listed = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, name in zip(numbers, names, strict=True)
    )
    book = f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{listed}</sheets></workbook>'
    book_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    styles_id = len(sheets) + 1
    book_rels = (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">{book_rels}<Relationship Id="rId{styles_id}" '
        f'Type="{_REL}/styles" Target="styles.xml"/><Relationship Id="rId{styles_id + 1}" '
        f'Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    # Level 1: a few times faster than the default and only a little larger.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        archive.writestr("xl/styles.xml", _STYLES)
        for n, sheet in zip(numbers, sheets, strict=True):
            # Written part by part: the XML of a year's marks (about 40 MB) is never one string.
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w") as part:
                for text in _worksheet(sheet, strings):
                    part.write(text.encode())
        # After the sheets, which fill it.
        archive.writestr("xl/sharedStrings.xml", strings.xml())
    return buffer.getvalue()
