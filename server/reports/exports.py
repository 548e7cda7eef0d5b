"""Exports: the attendance marks of a period (one row per mark) and the report's tables, as
CSV or XLSX. Every export is audited with its filters and row count, never with anything
about a person. Texts are translated by the caller's translator, as a template would be."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivitySession
from server.attendance.models import AttendanceMark
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.auth.models import StaffUser
from server.i18n.catalogs import Translator
from server.people.models import Person
from server.reports.filters import ReportFilter
from server.reports.service import build_report, check_filter, session_conditions
from server.reports.tables import Table, attendance_table, report_tables
from server.reports.xlsx import Sheet, workbook

Format = Literal["csv", "xlsx"]
MEDIA_TYPES = {
    "csv": "text/csv",  # Litestar adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = frozenset("=+-@\t\r")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes
    rows: int


async def _mark_rows(db: AsyncSession, actor: Actor, wanted: ReportFilter) -> list[Any]:
    query = (
        select(
            col(ActivitySession.date),
            col(ActivitySession.start_time),
            col(Activity.title),
            col(Person.code),
            col(Person.given_name),
            col(Person.family_name),
            col(AttendanceMark.status),
            col(StaffUser.display_name),
            col(AttendanceMark.marked_at),
        )
        .select_from(AttendanceMark)
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .join(Person, col(Person.id) == AttendanceMark.person_id)
        .outerjoin(StaffUser, col(StaffUser.id) == AttendanceMark.marked_by_id)
        .where(*session_conditions(actor, wanted))
        .order_by(
            col(ActivitySession.date),
            col(ActivitySession.start_time),
            col(Activity.title),
            col(Person.family_name),
            col(Person.given_name),
            col(Person.code),
        )
    )
    connection = await db.connection()
    return list((await connection.execute(query)).all())


def _csv_safe(row: Sequence[Any]) -> Sequence[Any]:
    """Text a spreadsheet would run as a formula (a name typed as "=…") stays text."""
    return [
        "'" + value if value.__class__ is str and value[:1] in _FORMULA_START else value
        for value in row
    ]


def csv_bytes(tables: Sequence[Table], translator: Translator) -> bytes:
    """UTF-8 with a BOM, so Excel reads Polish and Cyrillic letters right; separated by
    semicolons where the language writes decimal commas (Polish and Ukrainian Excel expect
    them), by commas otherwise. Several tables are separated by an empty line."""
    decimal = translator.locale.number_symbols.get("latn", {}).get("decimal", ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if decimal == "," else ",", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows(map(_csv_safe, table.rows))
    return ("\ufeff" + buffer.getvalue()).encode()


def _render(tables: Sequence[Table], form: Format, translator: Translator) -> bytes:
    if form == "csv":
        return csv_bytes(tables, translator)
    return workbook([Sheet(table.sheet, table.header, table.rows) for table in tables])


def _filename(stem: str, wanted: ReportFilter, form: Format) -> str:
    return f"razem-{stem}-{wanted.start.isoformat()}-{wanted.end.isoformat()}.{form}"


async def export_attendance(
    db: AsyncSession,
    actor: Actor,
    wanted: ReportFilter,
    form: Format,
    translator: Translator,
    timezone: str,
) -> ExportFile:
    """Every mark in the period's sessions (cancelled ones excluded) the actor may see."""
    await check_filter(db, actor, wanted)
    rows = await _mark_rows(db, actor, wanted)
    table = attendance_table(rows, translator, ZoneInfo(timezone))
    await audit_by(
        db,
        actor,
        "export.attendance",
        entity_type="attendance_marks",
        details={"filters": wanted.described(), "format": form, "rows": len(rows)},
    )
    return ExportFile(
        _filename("attendance", wanted, form),
        MEDIA_TYPES[form],
        _render([table], form, translator),
        len(rows),
    )


async def export_report(
    db: AsyncSession, actor: Actor, wanted: ReportFilter, form: Format, translator: Translator
) -> ExportFile:
    """The report's tables, with counts of 1 to 4 people shown as "<5"."""
    report = await build_report(db, actor, wanted)
    tables = report_tables(report, translator)
    rows = sum(len(table.rows) for table in tables)
    await audit_by(
        db,
        actor,
        "export.report",
        entity_type="attendance_report",
        details={"filters": wanted.described(), "format": form, "rows": rows},
    )
    return ExportFile(
        _filename("report", wanted, form),
        MEDIA_TYPES[form],
        _render(tables, form, translator),
        rows,
    )
