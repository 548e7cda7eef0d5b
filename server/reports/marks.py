"""The attendance export's rows (one per mark), written fast: each row is one formatted string.

The marks' query returns ids (and the status and time); what they stand for is read once
(`Lookups`), and each session's, person's and (status, marked by) part is escaped once and
reused; only the local time of the mark is converted per row. The output is byte for byte
what writing the values through `csv.writer` or `xlsx.workbook` gives
(tests/reports/test_marks_export.py).

The database gives dates, times and UTC datetimes as text on SQLite (ISO 8601, no conversion
per row by SQLAlchemy) and as Python objects on PostgreSQL (asyncpg converts them in C); both
are accepted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.i18n.catalogs import Translator
from server.i18n.labels import label_msgid
from server.reports import xlsx

FORMULA_START = frozenset("=+-@\t\r")
_HOUR_END = timedelta(minutes=59, seconds=59)
_SECOND = timedelta(seconds=1)
XLSX_EPOCH = xlsx.EPOCH
_PLAIN_END = frozenset(("", "."))
# "MM:SS" → seconds into the hour.
_IN_HOUR = {f"{m:02d}:{s:02d}": m * 60 + s for m in range(60) for s in range(60)}
# Rows written at a time: about 1 MB of CSV, a few of XML; small enough to stream.
BLOCK = 10_000


def attendance_header(translator: Translator) -> list[str]:
    _ = translator.gettext
    return [
        _("Session date"), _("Session time"), _("Activity"), _("Person code"), _("Given name"),
        _("Family name"), _("Status"), _("Marked by"), _("Marked at"),
    ]  # fmt: skip


def csv_safe(row: Sequence[Any]) -> list[Any]:
    """Text a spreadsheet would run as a formula (a name typed as "=…") stays text."""
    return [
        "'" + value if value.__class__ is str and value[:1] in FORMULA_START else value
        for value in row
    ]


def csv_delimiter(translator: Translator) -> str:
    """Semicolons where the language writes decimal commas (Polish and Ukrainian Excel expect
    them), commas otherwise."""
    decimal = translator.locale.number_symbols.get("latn", {}).get("decimal", ".")
    return ";" if decimal == "," else ","


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _as_time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


class LocalTimes:
    """UTC marked-at values (SQLite's text, or datetimes) as local time to the second: as text
    ("YYYY-MM-DD HH:MM:SS", what `str()` gives) or as an XLSX datetime cell. The zone's offset
    is looked up once per UTC hour; SQLite's text is then shifted as text and numbers, with no
    datetime made per row. An hour in which the offset changes is converted value by value."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        # "YYYY-MM-DD HH" (UTC) → (local "YYYY-MM-DD HH" or None, local seconds since the
        # XLSX epoch at the hour's start), or None when the offset changes within the hour.
        self._hours: dict[str, tuple[str | None, int] | None] = {}

    def local(self, value: Any) -> datetime:
        utc = datetime.fromisoformat(value) if value.__class__ is str else value
        aware = utc.replace(tzinfo=UTC) if utc.tzinfo is None else utc
        return aware.astimezone(self._zone).replace(tzinfo=None, microsecond=0)

    def _hour(self, key: str) -> tuple[str | None, int] | None:
        hour = datetime.fromisoformat(key + ":00")
        first = hour.replace(tzinfo=UTC).astimezone(self._zone).utcoffset()
        last = (hour + _HOUR_END).replace(tzinfo=UTC).astimezone(self._zone).utcoffset()
        if first is None or first != last:
            found = None
        else:
            start = hour + first
            whole_hours = first % timedelta(hours=1) == timedelta(0)
            found = (str(start)[:13] if whole_hours else None, (start - XLSX_EPOCH) // _SECOND)
        self._hours[key] = found
        return found

    def _plain(self, value: Any) -> tuple[str | None, int] | None:
        """The hour's entry when `value` is "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC, as SQLAlchemy
        stores it on SQLite) and the hour has one offset; else None."""
        if value.__class__ is not str or value[19:20] not in _PLAIN_END or len(value) < 19:
            return None
        key = value[:13]
        try:
            return self._hours[key]
        except KeyError:
            return self._hour(key)

    def text(self, value: Any) -> str:
        hour = self._plain(value)
        if hour is not None and hour[0] is not None:
            return hour[0] + value[13:19]
        return str(self.local(value))

    def xlsx_cell(self, value: Any) -> str:
        hour = self._plain(value)
        if hour is None:
            return xlsx.datetime_cell(self.local(value))
        return xlsx.serial_cell(hour[1] + _IN_HOUR[value[14:19]])


class _CsvFields:
    """Some fields of a row exactly as `csv.writer` writes them (quoted where needed)."""

    def __init__(self, delimiter: str) -> None:
        self._buffer = io.StringIO()
        # The same line terminator as the file's: csv quotes fields holding its characters.
        self._writer = csv.writer(self._buffer, delimiter=delimiter, lineterminator="\r\n")
        self._cut = -len(delimiter) - 2

    def __call__(self, values: Sequence[Any]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        # A trailing empty field: a lone empty field would be written as "" (quoted).
        self._writer.writerow([*csv_safe(values), ""])
        return buffer.getvalue()[: self._cut]


@dataclass(frozen=True)
class Lookups:
    """What the marks' ids stand for: each session's (date, start time, activity title), each
    person's (code, given name, family name), each staff member's display name. Read once, so
    the marks' query returns five short values a row instead of nine."""

    sessions: dict[Any, tuple[Any, Any, str]]
    people: dict[Any, tuple[str, str, str]]
    staff: dict[Any, str]


def in_export_order(rows: list[Any], lookups: Lookups) -> list[Any]:
    """`rows` of `_mark_rows` sorted by their session's place in `lookups.sessions`, then their
    person's place in `lookups.people` (both read in the export's order): one integer key a
    mark."""
    shift = max(len(lookups.people), 1).bit_length()
    sessions = {key: n << shift for n, key in enumerate(lookups.sessions)}
    people = {key: n for n, key in enumerate(lookups.people)}
    return sorted(rows, key=lambda row: sessions[row[0]] | people[row[1]])


class _Parts(dict[Any, Any]):
    """Parts of rows by key, each written by `make` the first time it is asked for."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: Any) -> Any:
        made = self[key] = self._make(key)
        return made


class MarkRows:
    """Formats the rows of `_mark_rows` (session id, person id, status, marked by id, marked
    at UTC) for one export, as (date, time, activity, code, given name, family name, status,
    marked by, marked at local time). Each session's, person's and (status, marked by) part is
    written the first time it is needed and kept for the rest of the export, which may be
    written in several blocks of rows; a row is then one formatted string."""

    def __init__(self, translator: Translator, zone: ZoneInfo, lookups: Lookups) -> None:
        self._gettext = translator.gettext
        self._times = LocalTimes(zone)
        self._labels: dict[Any, str] = {}
        self._lookups = lookups
        # Parts already written, by form ("csv" or "xlsx"): sessions, people, status → by.
        self._parts: dict[str, tuple[_Parts, _Parts, _Parts]] = {}
        # The XLSX file's shared strings, which the rows refer to (give it to `workbook`).
        self.strings = xlsx.SharedStrings()

    def _label(self, status: Any) -> str:
        label = self._labels.get(status)
        if label is None:
            label = self._labels[status] = self._gettext(label_msgid("mark", status))
        return label

    def _session(self, session_id: Any) -> tuple[date, time, str]:
        on, start, title = self._lookups.sessions[session_id]
        return _as_date(on), _as_time(start), title

    def _tail(self, status: Any, marked_by_id: Any) -> tuple[str, str]:
        return self._label(status), self._lookups.staff.get(marked_by_id) or ""

    def _cache(
        self, form: str, write: Callable[[Sequence[Any]], str]
    ) -> tuple[_Parts, _Parts, _Parts]:
        found = self._parts.get(form)
        if found is None:
            people = self._lookups.people
            found = self._parts[form] = (
                _Parts(lambda session_id: write(self._session(session_id))),
                _Parts(lambda person_id: write(people[person_id])),
                _Parts(lambda status: _Parts(lambda by: write(self._tail(status, by)))),
            )
        return found

    def csv_lines(self, rows: Iterable[Sequence[Any]], delimiter: str) -> list[str]:
        sessions, people, tails = self._cache("csv", _CsvFields(delimiter))
        local = self._times.text
        d = delimiter
        # A datetime's text never needs quoting.
        return [
            f"{sessions[s]}{d}{people[p]}{d}{tails[status][by]}{d}{local(at)}\r\n"
            for s, p, status, by, at in rows
        ]

    def xlsx_rows(self, rows: Iterable[Sequence[Any]]) -> list[str]:
        strings = self.strings

        def cells(values: Sequence[Any]) -> str:
            return "".join([xlsx.cell(value, strings) for value in values])

        # Parts are made left to right, as the generic writer meets the cells: the shared
        # strings are numbered in the same order.
        sessions, people, tails = self._cache("xlsx", cells)
        stamp = self._times.xlsx_cell
        return [
            f"<row>{sessions[s]}{people[p]}{tails[status][by]}{stamp(at)}</row>"
            for s, p, status, by, at in rows
        ]

    def csv_blocks(
        self, rows: Sequence[Sequence[Any]], delimiter: str, size: int = BLOCK
    ) -> Iterator[str]:
        """The CSV lines of `rows`, `size` rows a block, each block as one string."""
        for start in range(0, len(rows), size):
            yield "".join(self.csv_lines(rows[start : start + size], delimiter))

    def xlsx_blocks(self, rows: Sequence[Sequence[Any]], size: int = BLOCK) -> Iterator[str]:
        """The worksheet rows of `rows`, `size` rows a block, each block as one string."""
        for start in range(0, len(rows), size):
            yield "".join(self.xlsx_rows(rows[start : start + size]))
