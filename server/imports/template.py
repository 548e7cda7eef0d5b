"""The template offered for download: the column headers, in CSV and in XLSX."""

from __future__ import annotations

import io

from server.imports.columns import COLUMN_NAMES


def template_csv() -> bytes:
    """Semicolons and a byte order mark: Polish Excel opens it in columns, Cyrillic intact."""
    return ("\ufeff" + ";".join(COLUMN_NAMES) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "people"
    sheet.append(list(COLUMN_NAMES))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, name in enumerate(COLUMN_NAMES):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(14, len(name) + 4)
    # Text cells, so Excel keeps phone numbers' leading + and codes such as "NA" as written.
    for index in range(len(COLUMN_NAMES)):
        column = chr(ord("A") + index)
        for row in range(2, 502):
            sheet[f"{column}{row}"].number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
