"""The attendance export's fast writer (server/reports/marks.py) gives byte for byte the file
that writing each row's values through `csv.writer` (csv_bytes) or the XLSX writer gives, for
SQLite's text values and for PostgreSQL's objects, across daylight-saving changes, in zones
whose offset is not a whole hour, and with text that must be quoted or kept from formulas."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.i18n.catalogs import get_translator
from server.i18n.labels import label_msgid
from server.reports.exports import _attendance_file, csv_bytes
from server.reports.marks import Lookups, attendance_header
from server.reports.tables import Table
from server.reports.xlsx import Sheet, workbook

NAMES = [
    ("P0000001", "Олена", "Коваль"),
    ("P0000002", "=SUM(A1)", "+48 600"),
    ("P0000003", 'Anna "Ania"', "Nowak; Kowalska"),
    ("P0000004", "Line\nbreak", "Comma, Family"),
    ("P0000005", " spaced ", "-minus"),
    ("P0000006", "@at", "Tab\tname"),
]
STATUSES = ["present", "absent", "late", "excused", "received"]


def _stamps() -> list[datetime]:
    """UTC instants around both daylight-saving changes of 2026 in Warsaw (at a whole UTC hour)
    and in St John's (at half past: an hour with two offsets), and ordinary ones, some with
    microseconds."""
    stamps = []
    changes = (
        datetime(2026, 3, 29, 0, 0), datetime(2026, 10, 25, 0, 0),  # Warsaw, 01:00 UTC
        datetime(2026, 3, 8, 5, 0), datetime(2026, 11, 1, 4, 0),  # St John's, 05:30, 04:30 UTC
    )  # fmt: skip
    for start in changes:
        stamps += [start + timedelta(minutes=7 * n, seconds=n) for n in range(40)]
    stamps += [datetime(2026, 11, 24, 9, 59, 59, 999999), datetime(2026, 1, 1, 0, 0, 0, 1)]
    stamps += [datetime(2025, 12, 31, 23, 30, 15), datetime(2026, 6, 1, 12, 0, 0)]
    return stamps


def _rows() -> list[tuple[Any, ...]]:
    rows = []
    sessions = [
        (date(2026, 3, 28), time(17, 0), "Choir, Nowa Huta"),
        (date(2026, 3, 29), time(9, 30, 0, 5), '=HYPERLINK("x")'),
        (date(2026, 10, 25), time(23, 59, 59), "Polish A1"),
    ]
    stamps = _stamps()
    for n, stamp in enumerate(stamps):
        on, start, title = sessions[n % len(sessions)]
        code, given, family = NAMES[n % len(NAMES)]
        by = [None, "Ola Facil", "", "=cmd", "Kasia; Teacher"][n % 5]
        rows.append((on, start, title, code, given, family, STATUSES[n % 5], by, stamp))
    return rows


def _as_queried(rows: list[tuple[Any, ...]], engine: str) -> tuple[list[tuple[Any, ...]], Lookups]:
    """What `_mark_rows` gives for these rows: ids plus what they stand for; on SQLite as text
    (ISO dates, times with microseconds, UTC datetimes without offset), on PostgreSQL as
    objects (aware UTC datetimes)."""
    sessions: dict[Any, tuple[Any, Any, str]] = {}
    people: dict[Any, tuple[str, str, str]] = {}
    staff: dict[Any, str] = {}
    ids: dict[tuple[Any, ...], Any] = {}

    def id_of(key: tuple[Any, ...]) -> Any:
        made = uuid.uuid5(uuid.NAMESPACE_URL, repr(key))
        return ids.setdefault(key, made.hex if engine == "sqlite" else made)

    marks = []
    for on, start, title, code, given, family, status, by, stamp in rows:
        session_id = id_of(("session", on, start, title))
        if engine == "sqlite":
            sessions[session_id] = (on.isoformat(), start.strftime("%H:%M:%S.%f"), title)
            stamp_value: Any = stamp.strftime("%Y-%m-%d %H:%M:%S.%f")
        else:
            sessions[session_id] = (on, start, title)
            stamp_value = stamp.replace(tzinfo=UTC)
        person_id = id_of(("person", code, given, family))
        people[person_id] = (code, given, family)
        by_id = None
        if by is not None:
            by_id = id_of(("staff", by))
            staff[by_id] = by
        marks.append((session_id, person_id, status, by_id, stamp_value))
    return marks, Lookups(sessions, people, staff)


def _expected_table(rows: list[tuple[Any, ...]], language: str, zone: str) -> Table:
    """The straightforward way: every value converted, then the generic writers."""
    translator = get_translator(language)
    converted: list[Sequence[Any]] = [
        (
            on, start, title, code, given, family,
            translator.gettext(label_msgid("mark", status)), by or "",
            stamp.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(
                tzinfo=None, microsecond=0
            ),
        )
        for on, start, title, code, given, family, status, by, stamp in rows
    ]  # fmt: skip
    title = translator.gettext("Attendance")
    return Table("attendance", title, title, attendance_header(translator), converted)


def _xlsx_parts(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("zone", ["Europe/Warsaw", "Asia/Kathmandu", "America/St_Johns", "UTC"])
@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_same_bytes_as_the_generic_writers(zone: str, language: str, engine: str) -> None:
    rows = _rows()
    given, lookups = _as_queried(rows, engine)
    expected = _expected_table(rows, language, zone)
    translator = get_translator(language)

    made = _attendance_file(given, lookups, "csv", translator, zone)
    assert made == csv_bytes([expected], translator)
    assert b'"Nowak; Kowalska"' in made or b'"Comma, Family"' in made  # quoting was exercised
    assert b"'=SUM(A1)" in made  # so was the formula guard

    made = _attendance_file(given, lookups, "xlsx", translator, zone)
    reference = workbook([Sheet(expected.sheet, expected.header, expected.rows)])
    assert _xlsx_parts(made) == _xlsx_parts(reference)


def test_local_times_across_the_change_to_summer_time() -> None:
    """01:00 UTC on 29 March 2026 is 03:00 in Warsaw; a minute before, 01:59 winter time."""
    rows = [
        (*_rows()[0][:8], datetime(2026, 3, 29, 0, 59, 30)),
        (*_rows()[0][:8], datetime(2026, 3, 29, 1, 0, 30)),
    ]
    marks, lookups = _as_queried(rows, "sqlite")
    text = _attendance_file(marks, lookups, "csv", get_translator("en"), "Europe/Warsaw").decode(
        "utf-8-sig"
    )
    assert "2026-03-29 01:59:30\r\n" in text
    assert "2026-03-29 03:00:30\r\n" in text
