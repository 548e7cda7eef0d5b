"""Unit tests for the weekly schedule expansion."""

from __future__ import annotations

from datetime import date, time

import pytest

from server.activities.schedule import session_dates

MON_EVENING = (0, time(17, 0), time(18, 30))
THU_EVENING = (3, time(17, 0), time(18, 30))


def test_one_slot_every_week_inclusive_of_both_ends() -> None:
    # 2026-03-02 and 2026-03-30 are Mondays.
    meetings = session_dates([MON_EVENING], date(2026, 3, 2), date(2026, 3, 30))
    assert [d for d, _, _ in meetings] == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
        date(2026, 3, 30),
    ]
    assert all((s, e) == (time(17, 0), time(18, 30)) for _, s, e in meetings)


def test_two_slots_are_interleaved_and_sorted() -> None:
    meetings = session_dates([THU_EVENING, MON_EVENING], date(2026, 3, 1), date(2026, 3, 14))
    assert [(d, d.weekday()) for d, _, _ in meetings] == [
        (date(2026, 3, 2), 0),
        (date(2026, 3, 5), 3),
        (date(2026, 3, 9), 0),
        (date(2026, 3, 12), 3),
    ]


def test_same_day_slots_are_ordered_by_time() -> None:
    morning = (2, time(9, 0), time(10, 0))
    afternoon = (2, time(14, 0), time(15, 0))
    meetings = session_dates([afternoon, morning], date(2026, 3, 4), date(2026, 3, 4))
    assert meetings == [
        (date(2026, 3, 4), time(9, 0), time(10, 0)),
        (date(2026, 3, 4), time(14, 0), time(15, 0)),
    ]


def test_skipped_dates_are_left_out() -> None:
    meetings = session_dates(
        [MON_EVENING], date(2026, 3, 30), date(2026, 4, 13), skipped=[date(2026, 4, 6)]
    )
    assert [d for d, _, _ in meetings] == [date(2026, 3, 30), date(2026, 4, 13)]


def test_start_midweek_begins_at_next_occurrence() -> None:
    meetings = session_dates([MON_EVENING], date(2026, 3, 3), date(2026, 3, 16))
    assert [d for d, _, _ in meetings] == [date(2026, 3, 9), date(2026, 3, 16)]


def test_empty_inputs_give_no_meetings() -> None:
    assert session_dates([], date(2026, 3, 1), date(2026, 6, 1)) == []
    assert session_dates([MON_EVENING], date(2026, 3, 10), date(2026, 3, 1)) == []
    assert session_dates([MON_EVENING], date(2026, 3, 3), date(2026, 3, 8)) == []


def test_duplicate_slots_give_one_meeting() -> None:
    meetings = session_dates([MON_EVENING, MON_EVENING], date(2026, 3, 2), date(2026, 3, 2))
    assert meetings == [(date(2026, 3, 2), time(17, 0), time(18, 30))]


def test_sunday_slot_and_generator_input() -> None:
    slots = ((6, time(11, 0), time(12, 0)) for _ in range(1))
    meetings = session_dates(slots, date(2026, 3, 1), date(2026, 3, 8))
    assert [d for d, _, _ in meetings] == [date(2026, 3, 1), date(2026, 3, 8)]


@pytest.mark.parametrize("weekday", [-1, 7])
def test_weekday_out_of_range_is_refused(weekday: int) -> None:
    with pytest.raises(ValueError, match="weekday"):
        session_dates([(weekday, time(9), time(10))], date(2026, 3, 1), date(2026, 3, 8))
