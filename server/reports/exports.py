"""Exports: the attendance marks of a period (one row per mark) and the report's tables, as
CSV or XLSX. Every export is audited with its filters and row count, never with anything
about a person. Texts are translated by the caller's translator, as a template would be."""

from __future__ import annotations

import csv
import io
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, select, type_coerce
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
from server.reports.marks import (
    Lookups,
    MarkRows,
    attendance_header,
    csv_delimiter,
    csv_safe,
    in_export_order,
)
from server.reports.service import build_report, check_filter, session_conditions
from server.reports.tables import Table, report_tables
from server.reports.xlsx import Sheet, workbook

Format = Literal["csv", "xlsx"]
# Ids a query may list (SQLite allows 32,766 parameters; PostgreSQL 65,535).
MAX_IDS = 20_000
MEDIA_TYPES = {
    "csv": "text/csv",  # Litestar adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    # The file's bytes in order: one chunk, or (a CSV of marks) a block of rows a chunk, made
    # only as the response is sent.
    chunks: Iterable[bytes]
    rows: int
    # Its audit entry (`record_export`): action, entity type and details.
    audit: tuple[str, str, dict[str, Any]]
    # Made to be sent as it is written (and compressed by the sender, not the middleware).
    streamed: bool = False

    @property
    def content(self) -> bytes:
        return b"".join(self.chunks)


def _id(column: Any) -> Any:
    """An id as text on every engine (hex on SQLite, as stored): cheaper for the driver to
    give than a UUID object, and a dict key all the same."""
    return cast(col(column), String)


def _raw(column: Any) -> Any:
    """The driver's value as is: text on SQLite, date/time/datetime objects from asyncpg
    (server/reports/marks.py reads both), never converted per row by SQLAlchemy."""
    return type_coerce(col(column), String)


async def _mark_rows(
    db: AsyncSession, actor: Actor, wanted: ReportFilter
) -> tuple[list[Any], Lookups]:
    """The period's marks as (session id, person id, status, marked by id, marked at), in the
    export's order, and what the ids stand for.

    The marks are read unordered and without joining people: the order (session date, start
    time, activity title, then family name, given name, code) is each session's and each
    person's place in the two small lookup queries, which the database sorts (with its own
    collation), and the marks are sorted by those places in Python. Sorting 100,000 marks by
    six text columns in the database took longer than reading them (decision 22)."""
    connection = await db.connection()
    period = session_conditions(actor, wanted)
    marked_at = _raw(AttendanceMark.marked_at)
    if connection.dialect.name == "postgresql":
        # As SQLite stores it (UTC, no offset, as text): read without making a datetime.
        marked_at = cast(func.timezone("UTC", col(AttendanceMark.marked_at)), String)
    in_period = (
        select(col(AttendanceMark.person_id))
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(*period)
    )
    sessions = (
        select(
            _id(ActivitySession.id),
            _raw(ActivitySession.date),
            _raw(ActivitySession.start_time),
            col(Activity.title),
        )
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(*period)
        .order_by(col(ActivitySession.date), col(ActivitySession.start_time), col(Activity.title))
    )
    people = select(
        _id(Person.id), col(Person.code), col(Person.given_name), col(Person.family_name)
    ).order_by(col(Person.family_name), col(Person.given_name), col(Person.code))
    staff = select(_id(StaffUser.id), col(StaffUser.display_name))
    marks = (
        select(
            _id(AttendanceMark.session_id),
            _id(AttendanceMark.person_id),
            _raw(AttendanceMark.status),
            _id(AttendanceMark.marked_by_id),
            marked_at,
        )
        .select_from(AttendanceMark)
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(*period)
    )

    async def rows(query: Any) -> list[Any]:
        # Every column is the driver's value as is (no result processing): the rows the
        # driver fetched are used directly, without making a Row object of each.
        result = await connection.execute(query)
        return list(result.cursor.fetchall()) if result.cursor is not None else []

    found = await rows(marks)
    # The people marked, by id: cheaper than asking the database which people have marks in
    # the period (which reads every mark again), up to a number of ids a query can carry.
    marked = {row[1] for row in found}
    if len(marked) <= MAX_IDS:
        people = people.where(col(Person.id).in_([uuid.UUID(str(key)) for key in marked]))
    else:
        people = people.where(col(Person.id).in_(in_period))
    lookups = Lookups(
        sessions={row[0]: tuple(row[1:]) for row in await rows(sessions)},
        people={row[0]: tuple(row[1:]) for row in await rows(people)},
        staff={row[0]: row[1] for row in await rows(staff)},
    )
    return in_export_order(found, lookups), lookups


def _csv_writer(buffer: io.StringIO, translator: Translator) -> Any:
    return csv.writer(buffer, delimiter=csv_delimiter(translator), lineterminator="\r\n")


def csv_bytes(tables: Sequence[Table], translator: Translator) -> bytes:
    """UTF-8 with a BOM, so Excel reads Polish and Cyrillic letters right; separated by
    semicolons where the language writes decimal commas (Polish and Ukrainian Excel expect
    them), by commas otherwise. Several tables are separated by an empty line."""
    buffer = io.StringIO()
    writer = _csv_writer(buffer, translator)
    for index, table in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows(map(csv_safe, table.rows))
    return ("\ufeff" + buffer.getvalue()).encode()


def attendance_chunks(
    rows: list[Any], lookups: Lookups, form: Format, translator: Translator, timezone: str
) -> Iterator[bytes]:
    """The file `csv_bytes` or `workbook` would write for these rows, faster: a CSV as it is
    written, a block of rows at a time (so it can be streamed); an XLSX file whole."""
    header = attendance_header(translator)
    marks = MarkRows(translator, ZoneInfo(timezone), lookups)
    if form == "xlsx":
        title = translator.gettext("Attendance")
        yield workbook([Sheet(title, header, row_xml=marks.xlsx_blocks(rows))], marks.strings)
        return
    buffer = io.StringIO()
    _csv_writer(buffer, translator).writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode()
    for block in marks.csv_blocks(rows, csv_delimiter(translator)):
        yield block.encode()


def _attendance_file(
    rows: list[Any], lookups: Lookups, form: Format, translator: Translator, timezone: str
) -> bytes:
    return b"".join(attendance_chunks(rows, lookups, form, translator, timezone))


def gzipped(chunks: Iterable[bytes], level: int = 1) -> Iterator[bytes]:
    """`chunks` as one gzip stream, compressed as they come. Level 1: a year's attendance CSV
    (10.9 MB) in about 56 ms of CPU instead of 195 at level 6, and 13 % larger."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


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
    rows, lookups = await _mark_rows(db, actor, wanted)
    return ExportFile(
        _filename("attendance", wanted, form),
        MEDIA_TYPES[form],
        attendance_chunks(rows, lookups, form, translator, timezone),
        len(rows),
        streamed=form == "csv",
        audit=(
            "export.attendance",
            "attendance_marks",
            {"filters": wanted.described(), "format": form, "rows": len(rows)},
        ),
    )


async def export_report(
    db: AsyncSession, actor: Actor, wanted: ReportFilter, form: Format, translator: Translator
) -> ExportFile:
    """The report's tables, with counts of 1 to 4 people shown as "<5"."""
    report = await build_report(db, actor, wanted)
    tables = report_tables(report, translator)
    rows = sum(len(table.rows) for table in tables)
    return ExportFile(
        _filename("report", wanted, form),
        MEDIA_TYPES[form],
        [_render(tables, form, translator)],
        rows,
        audit=(
            "export.report",
            "attendance_report",
            {"filters": wanted.described(), "format": form, "rows": rows},
        ),
    )


async def record_export(db: AsyncSession, actor: Actor, made: ExportFile) -> None:
    """An export's audit entry. Written in a write transaction of its own (the route's): the
    export itself only reads, and on SQLite a read transaction that then writes fails when
    another connection committed meanwhile (its snapshot is stale)."""
    action, entity_type, details = made.audit
    await audit_by(db, actor, action, entity_type=entity_type, details=details)
