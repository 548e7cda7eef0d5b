"""A small language course for the teacher's pages: two teachers, three learners, past
sessions with marks, and people outside it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, SessionStatus
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.models import Role
from server.common.models import utcnow
from server.common.vocab import CefrLevel
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db

TEACHER = "teacher@example.org"
SECOND_TEACHER = "second@example.org"
OTHER_TEACHER = "other-teacher@example.org"
COORDINATOR = "coordinator@example.org"
FACILITATOR = "facilitator@example.org"


@dataclass
class Course:
    id: uuid.UUID
    learners: list[uuid.UUID]
    sessions: list[uuid.UUID]
    other_course: uuid.UUID
    outsider: uuid.UUID
    today_session: uuid.UUID
    choir: uuid.UUID = field(default_factory=uuid.uuid4)


# Learner 0: present, present, late, absent  -> 3 of 4 = 75 %, 3 × 1.5 h = 4.5 h
# Learner 1: present, absent, absent, excused -> 1 of 3 = 33 %
# Learner 2: nothing marked                   -> no rate yet
MARKS = [
    [MarkStatus.PRESENT, MarkStatus.PRESENT, MarkStatus.LATE, MarkStatus.ABSENT],
    [MarkStatus.PRESENT, MarkStatus.ABSENT, MarkStatus.ABSENT, MarkStatus.EXCUSED],
]


def make_course(database_url: str) -> Course:
    async def build(db: AsyncSession) -> Course:
        teacher = await make_user(db, Role.TEACHER, TEACHER, display_name="Agnieszka Test")
        second = await make_user(db, Role.TEACHER, SECOND_TEACHER, display_name="Iryna Test")
        other = await make_user(db, Role.TEACHER, OTHER_TEACHER)
        await make_user(db, Role.COORDINATOR, COORDINATOR)
        facilitator = await make_user(db, Role.FACILITATOR, FACILITATOR)
        course = await make_activity(
            db,
            staff=[teacher, second],
            kind=ActivityKind.LANGUAGE_COURSE,
            title="Polish A1",
            course_language="pl",
            cefr_level=CefrLevel.A1,
        )
        learners = []
        for given, family in (("Оксана", "Шевченко"), ("Ahmad", "Karimi"), ("María", "López")):
            person = await make_person(db, given, family)
            await enroll(db, course, person)
            learners.append(person)
        today = date.today()
        sessions = []
        for i in range(4):
            session = await make_session(db, course, today - timedelta(days=7 * (4 - i)))
            sessions.append(session)
        cancelled = await make_session(db, course, today - timedelta(days=2), time(10, 0))
        cancelled.status = SessionStatus.CANCELLED
        db.add(cancelled)
        today_session = await make_session(db, course, today)
        for person, statuses in zip(learners, MARKS, strict=False):
            for session, status in zip(sessions, statuses, strict=True):
                db.add(
                    AttendanceMark(
                        session_id=session.id,
                        person_id=person.id,
                        status=status,
                        marked_at=utcnow(),
                        marked_by_id=teacher.id,
                    )
                )
        # A mark on a cancelled session never counts.
        db.add(
            AttendanceMark(
                session_id=cancelled.id,
                person_id=learners[0].id,
                status=MarkStatus.ABSENT,
                marked_at=utcnow(),
            )
        )
        theirs = await make_activity(
            db, staff=[other], kind=ActivityKind.LANGUAGE_COURSE, title="English B1"
        )
        outsider = await make_person(db, "Jan", "Kowalski")
        await enroll(db, theirs, outsider)
        choir = await make_activity(db, staff=[facilitator], title="Choir")
        return Course(
            id=course.id,
            learners=[p.id for p in learners],
            sessions=[s.id for s in sessions],
            other_course=theirs.id,
            outsider=outsider.id,
            today_session=today_session.id,
            choir=choir.id,
        )

    return run_in_db(database_url, build)
