"""Weekly schedules turned into dated meetings.

An activity meets on one or more weekly slots (weekday 0 = Monday, with a start and end time).
`session_dates` lists every meeting those slots give between two dates, inclusive, leaving out
the dates the centre skips (public holidays, a cancelled week). It is a pure function: no
database, no clock, so the session generator, the demo seeder and tests can share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

Slot = tuple[int, time, time]
Meeting = tuple[date, time, time]


def _first_on_or_after(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def session_dates(
    slots: Iterable[Slot],
    start: date,
    end: date,
    skipped: Iterable[date] = (),
) -> list[Meeting]:
    """Every weekly meeting of `slots` from `start` to `end` inclusive, sorted, minus `skipped`.

    Each slot is `(weekday, start_time, end_time)` with weekday 0 = Monday … 6 = Sunday. Two
    identical slots give one meeting. An empty range (end before start) gives no meetings.
    """
    skip = set(skipped)
    meetings: set[Meeting] = set()
    for weekday, start_time, end_time in slots:
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
        day = _first_on_or_after(start, weekday)
        while day <= end:
            if day not in skip:
                meetings.add((day, start_time, end_time))
            day += timedelta(weeks=1)
    return sorted(meetings)
