"""Inserting many rows at once (a batch's marks, applied keys, audit entries).

SQLAlchemy's executemany builds a parameter dict a row and converts it value by value; for
1,000-row batches that costs more than the database's own work. Here the INSERT is compiled once
per table and engine, each column's own bind processor is looked up once, and rows become
the driver's parameters a column at a time: the values stored are what SQLAlchemy would
store (the same processors; UUIDs as the same hex text inline; a time, status or flag that
many rows share converted once), on SQLite and PostgreSQL alike, except that JSON columns
are written compactly by msgspec (the same JSON, without the spaces `json.dumps` puts in).
On PostgreSQL (psycopg) the rows are sent with COPY, a few times faster than even a
pipelined executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from operator import attrgetter
from typing import Any

import msgspec
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    Enum,
    String,
    Table,
    TypeDecorator,
    Uuid,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from server.common.models import UTCDateTime

Convert = Callable[[list[Any]], list[Any]]  # a column's values → what the driver is given


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]  # the columns, in the order the statement binds them
    converters: tuple[Convert | None, ...]  # for each column, None when values pass as they are
    positional: bool  # "?" parameters (SQLite) or named ones (PostgreSQL)
    copy: str  # COPY … FROM STDIN, for psycopg; empty elsewhere


def _hex_uuids(values: list[Any]) -> list[Any]:
    """What `Uuid`'s own processor does where UUIDs are stored as text (SQLite), inline. A
    batch's rows repeat the same id objects (session, user, device): each run converted once."""
    out: list[Any] = []
    last: Any = None
    text: Any = None
    for value in values:
        if value is not last:
            last = value
            # `UUID.hex` is '%032x' % int: the same text, without a property call
            text = None if value is None else f"{value.int:032x}"
        out.append(text)
    return out


_encode = msgspec.json.Encoder().encode


def _json(process: Callable[[Any], Any]) -> Convert:
    """JSON columns as compact JSON text, encoded by msgspec (several times faster than the
    engine's `json.dumps`; the same values when read back, without the spaces). None is left
    to the column's own processor (JSON null or SQL NULL, as the column says)."""
    none = process(None)
    return lambda values: [none if value is None else _encode(value).decode() for value in values]


def _each(process: Callable[[Any], Any]) -> Convert:
    return lambda values: [process(value) for value in values]


def _remembered(process: Callable[[Any], Any]) -> Convert:
    """For times, statuses, flags: a batch's rows share a few values (the receive time), each
    converted once."""

    def convert(values: list[Any]) -> list[Any]:
        done: dict[Any, Any] = {}
        out = []
        last: Any = _NOTHING
        text: Any = None
        for value in values:
            if value is last:  # a run of the same object (no Python-level __hash__ an enum)
                out.append(text)
                continue
            last = value
            if value in done:
                out.append(done[value])
            else:
                out.append(done.setdefault(value, process(value)))
            text = out[-1]
        return out

    return convert


_NOTHING: Any = object()
_SQLITE_DATETIME = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


def _sqlite_utc_times(values: list[Any]) -> list[Any]:
    """What `UTCDateTime` and SQLite's DATETIME processor make of aware times (the time in
    UTC as `2026-11-25 02:11:58.123456`), from `isoformat`: a batch's device times are all
    different, and this is several times faster than the two processors one after the other."""
    out: list[Any] = []
    last: Any = None
    text: Any = None
    for value in values:
        if value is last:  # a batch's receive time, shared by every row: converted once
            out.append(text)
            continue
        last = value
        if value is None:
            text = None
            out.append(None)
            continue
        if value.tzinfo is not UTC:
            if value.tzinfo is None:
                raise ValueError("naive datetime given where a UTC datetime is required")
            value = value.astimezone(UTC)
        text = value.isoformat(" ", "microseconds")[:26]
        out.append(text)
    return out


def _converter(column: Any, dialect: Dialect) -> Convert | None:
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    kind = column.type
    if (
        isinstance(kind, UTCDateTime)
        and dialect.name == "sqlite"
        and getattr(kind.impl_instance.dialect_impl(dialect), "_storage_format", None)
        == _SQLITE_DATETIME
    ):
        return _sqlite_utc_times
    if (
        isinstance(kind, Uuid)  # not a decorated one: its own processing would be skipped
        and kind.as_uuid
        and not (dialect.supports_native_uuid and kind.native_uuid)
    ):
        return _hex_uuids
    if type(kind) is JSON:
        return _json(process)
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime | Enum | Boolean):
        return _remembered(process)
    return _each(process)


@lru_cache(maxsize=32)
def _prepared(table: Table, dialect: Dialect) -> _Prepared:
    compiled = insert(table).compile(dialect=dialect)
    names = tuple(compiled.positiontup or (column.key for column in table.columns))
    converters = tuple(_converter(table.c[name], dialect) for name in names)
    copy = ""
    if dialect.driver == "psycopg":
        quote = dialect.identifier_preparer.quote
        listed = ", ".join(quote(name) for name in names)
        copy = f"COPY {dialect.identifier_preparer.format_table(table)} ({listed}) FROM STDIN"
    return _Prepared(compiled.string, names, converters, compiled.positiontup is not None, copy)


def _converted(
    prepared: _Prepared, rows: Sequence[Any], from_attributes: bool
) -> list[tuple[Any, ...]]:
    """The rows as the driver's parameters, a column at a time."""
    columns = []
    for name, convert in zip(prepared.names, prepared.converters, strict=True):
        if from_attributes:
            values = list(map(attrgetter(name), rows))
        else:
            values = [row[name] for row in rows]
        columns.append(values if convert is None else convert(values))
    return list(zip(*columns, strict=True))


async def insert_rows(
    db: AsyncSession, table: Table, rows: Sequence[Any], *, from_attributes: bool = False
) -> None:
    """INSERT `rows` (each naming every column of `table`; with `from_attributes`, objects
    with an attribute for each column) with one executemany, in the session's transaction.
    The session is not flushed first: callers flush what rows refer to."""
    if not rows:
        return
    connection = await db.connection()
    prepared = _prepared(table, connection.dialect)
    converted = _converted(prepared, rows, from_attributes)
    if prepared.copy:
        await _copy(connection, prepared.copy, converted)
    elif prepared.positional:
        await connection.exec_driver_sql(prepared.sql, converted)
    else:
        named = [dict(zip(prepared.names, values, strict=True)) for values in converted]
        await connection.exec_driver_sql(prepared.sql, named)


async def _copy(connection: AsyncConnection, statement: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows in on the session's own connection (so in its transaction)."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # psycopg's AsyncConnection
    async with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            await copy.write_row(row)


AMONG_FROM = 100


def among(column: Any, values: Sequence[Any], dialect: Dialect) -> ColumnElement[bool]:
    """`column IN values` with the values as one parameter instead of one each: on SQLite a
    JSON array of the values as the column stores them, read by `json_each`; on PostgreSQL
    an array (`= ANY(...)`). SQLAlchemy's expanding IN renders and processes a parameter a
    value (~1,400 names for a 1,000-mark batch's reads); this is one, and the statement's
    text does not change with the number of values. Below `AMONG_FROM` values a plain IN
    is cheaper (measured on SQLite: 0.7 against 0.9 ms of CPU for 40 keys, 4.4 against 2.5
    ms for 1,000: `tests.benchmarks.among_reads`), so few values still go that way."""
    if len(values) < AMONG_FROM:
        return column.in_(values)
    return in_one_parameter(column, values, dialect)


def in_one_parameter(column: Any, values: Sequence[Any], dialect: Dialect) -> ColumnElement[bool]:
    """`among`'s one-parameter form, whatever the number of values."""
    if dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    if dialect.name == "sqlite":
        convert = _converter(column, dialect)
        stored = list(values) if convert is None else convert(list(values))
        each = func.json_each(bindparam(None, _encode(stored).decode(), type_=String))
        return column.in_(select(each.table_valued("value").c.value))
    return column.in_(values)
