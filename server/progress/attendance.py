"""A learner's attendance in a course: the rate next to their levels, and the hours a
certificate states.

Only sessions where the learner has a mark count: an unmarked session says nothing (closing a
session marks everyone unmarked absent, so held sessions do count). Present and late are
attended; an excused absence counts neither way; cancelled sessions never count.
See docs/decisions/0008-attendance-rate.md.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivitySession, SessionStatus
from server.attendance.models import AttendanceMark, MarkStatus

ATTENDED = (MarkStatus.PRESENT, MarkStatus.LATE)


@dataclass(frozen=True)
class AttendanceStats:
    attended: int = 0
    missed: int = 0
    excused: int = 0
    minutes: int = 0
    first: date | None = None
    last: date | None = None

    @property
    def counted(self) -> int:
        return self.attended + self.missed

    @property
    def rate(self) -> float | None:
        """Attended sessions out of those that count (0–1), None before any counts."""
        return self.attended / self.counted if self.counted else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def meets(self, threshold: int) -> bool:
        return self.rate is not None and self.rate * 100 >= threshold


def _minutes(start: object, end: object) -> int:
    if not hasattr(start, "hour") or not hasattr(end, "hour"):
        return 0
    begin = datetime.combine(date.min, start)  # type: ignore[arg-type]
    finish = datetime.combine(date.min, end)  # type: ignore[arg-type]
    return max(0, int((finish - begin).total_seconds() // 60))


async def attendance_stats(
    db: AsyncSession, activity_id: uuid.UUID, person_ids: list[uuid.UUID] | None = None
) -> dict[uuid.UUID, AttendanceStats]:
    """Each learner's attendance in the course (learners with no marks are absent from it)."""
    query = (
        select(  # type: ignore[call-overload]
            AttendanceMark.person_id,
            AttendanceMark.status,
            ActivitySession.date,
            ActivitySession.start_time,
            ActivitySession.end_time,
        )
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .where(ActivitySession.activity_id == activity_id)
        .where(ActivitySession.status != SessionStatus.CANCELLED)
    )
    if person_ids is not None:
        query = query.where(col(AttendanceMark.person_id).in_(person_ids))
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    spans: dict[uuid.UUID, list[date]] = defaultdict(list)
    for person_id, status, day, start, end in (await db.exec(query)).all():
        tally = counts[person_id]
        if status in ATTENDED:
            tally["attended"] += 1
            tally["minutes"] += _minutes(start, end)
            spans[person_id].append(day)
        elif status == MarkStatus.EXCUSED:
            tally["excused"] += 1
        else:
            tally["missed"] += 1
    return {
        person_id: AttendanceStats(
            attended=tally["attended"],
            missed=tally["missed"],
            excused=tally["excused"],
            minutes=tally["minutes"],
            first=min(spans[person_id], default=None),
            last=max(spans[person_id], default=None),
        )
        for person_id, tally in counts.items()
    }


async def learner_stats(
    db: AsyncSession, activity_id: uuid.UUID, person_id: uuid.UUID
) -> AttendanceStats:
    found = await attendance_stats(db, activity_id, [person_id])
    return found.get(person_id, AttendanceStats())
