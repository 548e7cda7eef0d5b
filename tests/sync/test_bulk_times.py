"""Bulk inserts write a batch's times on SQLite without SQLAlchemy's two processors
(`_sqlite_utc_times`, server/common/bulk.py): the text stored must be exactly theirs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from server.attendance.models import MarkStatus
from server.attendance.prefetch import MARKS
from server.common import bulk

DIALECT = sqlite.dialect()
COLUMN = MARKS.c.marked_at
PROCESS = COLUMN.type.dialect_impl(DIALECT).bind_processor(DIALECT)
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


def test_the_fast_path_is_used_for_utc_times_on_sqlite() -> None:
    assert bulk._converter(COLUMN, DIALECT) is bulk._sqlite_utc_times


@given(
    times=st.lists(
        st.one_of(
            st.none(),
            st.datetimes(
                min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=OFFSETS
            ),
            st.datetimes(min_value=datetime(2, 1, 1), timezones=st.just(UTC)),
        ),
        max_size=20,
    )
)
def test_times_are_stored_as_the_column_would_store_them(times: list[datetime | None]) -> None:
    assert bulk._sqlite_utc_times(times) == [PROCESS(t) for t in times]


def test_a_naive_time_is_refused_as_the_column_refuses_it() -> None:
    with pytest.raises(ValueError, match="naive"):
        bulk._sqlite_utc_times([datetime(2026, 1, 1)])


@given(
    picks=st.lists(st.integers(0, 3), max_size=30),
    times=st.lists(
        st.one_of(st.none(), st.datetimes(min_value=datetime(2, 1, 1), timezones=OFFSETS)),
        min_size=4,
        max_size=4,
    ),
)
def test_repeated_times_are_converted_as_each_would_be(
    picks: list[int], times: list[datetime | None]
) -> None:
    """A batch's rows share one receive time (the same object, one after another): it is
    converted once, to what each row would get on its own."""
    values = [times[i] for i in picks]
    assert bulk._sqlite_utc_times(values) == [PROCESS(t) for t in values]


@given(picks=st.lists(st.integers(0, 3), max_size=30), ids=st.lists(st.uuids(), min_size=3))
def test_repeated_ids_and_statuses_are_converted_as_each_would_be(
    picks: list[int], ids: list[uuid.UUID]
) -> None:
    column = MARKS.c.session_id
    process = column.type.dialect_impl(DIALECT).bind_processor(DIALECT)
    pool: list[uuid.UUID | None] = [*ids[:3], None]
    values = [pool[i] for i in picks]
    assert bulk._converter(column, DIALECT)(values) == [process(v) for v in values]
    status = MARKS.c.status
    convert = bulk._converter(status, DIALECT)
    statuses = list(MarkStatus)
    chosen = [statuses[i] for i in picks]
    assert convert(chosen) == [status.type.dialect_impl(DIALECT).bind_processor(DIALECT)(s)
                               for s in chosen]  # fmt: skip
