"""The roster of a session: everyone enrolled, with their mark, and the live counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, Enrollment, EnrollmentStatus
from server.activities.sessions import SessionContext, get_session
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.actor import Actor
from server.common.errors import NotFound
from server.people.models import Person

ATTENDED = frozenset({MarkStatus.PRESENT, MarkStatus.LATE, MarkStatus.RECEIVED})


@dataclass(frozen=True)
class RosterRow:
    person: Person
    mark: AttendanceMark | None

    @property
    def status(self) -> str:
        return self.mark.status.value if self.mark else ""


@dataclass(frozen=True)
class RosterCounts:
    attended: int
    marked: int
    enrolled: int


@dataclass(frozen=True)
class Roster:
    context: SessionContext
    rows: list[RosterRow]
    counts: RosterCounts

    @property
    def is_distribution(self) -> bool:
        return self.context.activity.kind == ActivityKind.DISTRIBUTION

    @property
    def statuses(self) -> list[MarkStatus]:
        if self.is_distribution:
            return [MarkStatus.RECEIVED]
        return [MarkStatus.PRESENT, MarkStatus.ABSENT, MarkStatus.LATE, MarkStatus.EXCUSED]


def _rows_query(context: SessionContext, person_id: uuid.UUID | None = None):  # type: ignore[no-untyped-def]
    enrolled = and_(
        col(Enrollment.activity_id) == context.activity.id,
        col(Enrollment.status) == EnrollmentStatus.ACTIVE,
    )
    statement = (
        select(Person, AttendanceMark)
        .outerjoin(
            Enrollment,
            and_(col(Enrollment.person_id) == Person.id, enrolled),
        )
        .outerjoin(
            AttendanceMark,
            and_(
                col(AttendanceMark.person_id) == Person.id,
                col(AttendanceMark.session_id) == context.session.id,
            ),
        )
        .where(or_(col(Enrollment.id).is_not(None), col(AttendanceMark.id).is_not(None)))
        .where(col(Person.erased_at).is_(None))  # erased people leave every roster
    )
    if person_id is not None:
        statement = statement.where(Person.id == person_id)
    return statement.order_by(col(Person.search_name))


def count_rows(rows: list[RosterRow]) -> RosterCounts:
    marks = [row.mark for row in rows if row.mark is not None]
    return RosterCounts(
        attended=sum(1 for m in marks if m.status in ATTENDED),
        marked=len(marks),
        enrolled=len(rows),
    )


async def list_roster(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> Roster:
    context = await get_session(db, actor, session_id)
    result = await db.exec(_rows_query(context))
    rows = [RosterRow(person, mark) for person, mark in result.all()]
    return Roster(context=context, rows=rows, counts=count_rows(rows))


async def roster_row(
    db: AsyncSession, actor: Actor, session_id: uuid.UUID, person_id: uuid.UUID
) -> tuple[Roster, RosterRow]:
    """One row, and the roster's counts, for the htmx answer to a tap."""
    roster = await list_roster(db, actor, session_id)
    for row in roster.rows:
        if row.person.id == person_id:
            return roster, row
    raise NotFound
