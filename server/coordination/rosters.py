"""Synced rosters: every session in a period with how many of its people are marked, the
sessions that ended with people still unmarked, and one session's roster with who marked
each person, when (the device's corrected time and the server's receive time) and from which
device."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivitySession,
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
)
from server.activities.scope import visible_activity_ids
from server.attendance.models import AttendanceMark, MarkHistory
from server.attendance.roster import Roster, RosterRow, list_roster
from server.auth.actor import Actor
from server.auth.models import StaffUser
from server.common.errors import Message, ValidationFailed
from server.common.validation import parse_form
from server.coordination.devices import DeviceLabel, device_labels, staff_by_id
from server.i18n.catalogs import N_

DEFAULT_DAYS = 14
MAX_DAYS = 366


class _FilterForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    from_date: date | None = None
    to_date: date | None = None
    activity: uuid.UUID | None = None


@dataclass(frozen=True)
class SessionFilters:
    from_date: date
    to_date: date
    activity_id: uuid.UUID | None = None


def parse_filters(raw: dict[str, str], today: date) -> SessionFilters:
    """The period and activity asked for; by default the last two weeks up to today."""
    form = parse_form(_FilterForm, {k: v for k, v in raw.items() if v})
    to_date = form.to_date or today
    from_date = form.from_date or min(to_date, today) - timedelta(days=DEFAULT_DAYS - 1)
    if from_date > to_date:
        raise ValidationFailed({"to_date": Message(N_("The end date is before the start date."))})
    if (to_date - from_date).days >= MAX_DAYS:
        raise ValidationFailed({"from_date": Message(N_("Choose a period of at most a year."))})
    return SessionFilters(from_date, to_date, form.activity)


@dataclass(frozen=True)
class SessionMarks:
    session: ActivitySession
    activity: Activity
    enrolled: int  # people enrolled now
    marked: int  # of them, those with a mark in this session
    disagreements: int
    ended: bool

    @property
    def unmarked(self) -> bool:
        """Ended, held or planned, with people enrolled and not all of them marked."""
        return (
            self.ended
            and self.session.status != SessionStatus.CANCELLED
            and self.marked < self.enrolled
        )


def _active_enrollment(activity_id: object, person_id: object):  # type: ignore[no-untyped-def]
    return and_(
        col(Enrollment.activity_id) == activity_id,
        col(Enrollment.person_id) == person_id,
        col(Enrollment.status) == EnrollmentStatus.ACTIVE,
    )


def _sessions_query(actor: Actor, filters: SessionFilters):  # type: ignore[no-untyped-def]
    in_period = col(ActivitySession.date).between(filters.from_date, filters.to_date)
    enrolled = (
        select(Enrollment.activity_id, func.count().label("n"))
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
        .group_by(col(Enrollment.activity_id))
        .subquery()
    )
    marked = (
        select(AttendanceMark.session_id, func.count().label("n"))
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .join(Enrollment, _active_enrollment(ActivitySession.activity_id, AttendanceMark.person_id))
        .where(in_period)
        .group_by(col(AttendanceMark.session_id))
        .subquery()
    )
    flagged = (
        select(AttendanceMark.session_id, func.count().label("n"))
        .where(col(AttendanceMark.disagreement).is_(True))
        .group_by(col(AttendanceMark.session_id))
        .subquery()
    )
    query = (
        select(  # type: ignore[call-overload]
            ActivitySession,
            Activity,
            func.coalesce(enrolled.c.n, 0),
            func.coalesce(marked.c.n, 0),
            func.coalesce(flagged.c.n, 0),
        )
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .outerjoin(enrolled, enrolled.c.activity_id == Activity.id)
        .outerjoin(marked, marked.c.session_id == ActivitySession.id)
        .outerjoin(flagged, flagged.c.session_id == ActivitySession.id)
        .where(in_period)
        .where(col(Activity.id).in_(visible_activity_ids(actor)))
    )
    if filters.activity_id is not None:
        query = query.where(Activity.id == filters.activity_id)
    return query.order_by(
        col(ActivitySession.date).desc(), col(ActivitySession.start_time).desc(), Activity.title
    )


async def list_session_marks(
    db: AsyncSession, actor: Actor, filters: SessionFilters, now: datetime
) -> list[SessionMarks]:
    """Sessions in the period, newest first, with their marked and enrolled counts. `now` is
    aware; sessions' dates and times are the centre's local time, in `now`'s time zone."""
    zone = now.tzinfo or ZoneInfo("UTC")
    result = await db.exec(_sessions_query(actor, filters))
    return [
        SessionMarks(
            session=session,
            activity=activity,
            enrolled=int(enrolled),
            marked=int(marked),
            disagreements=int(flagged),
            ended=_ends_at(session.date, session.end_time, zone) <= now,
        )
        for session, activity, enrolled, marked, flagged in result.all()
    ]


def _ends_at(day: date, end: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, end, tzinfo=zone)


@dataclass(frozen=True)
class SyncedRow:
    row: RosterRow
    marked_by: StaffUser | None
    device: DeviceLabel | None
    earlier_values: int  # values of this mark that lost to a later one

    @property
    def mark(self) -> AttendanceMark | None:
        return self.row.mark


@dataclass(frozen=True)
class SyncedRoster:
    roster: Roster
    rows: list[SyncedRow]


async def synced_roster(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> SyncedRoster:
    """The session's roster with where each mark came from."""
    roster = await list_roster(db, actor, session_id)
    marks = [row.mark for row in roster.rows if row.mark is not None]
    staff = await staff_by_id(db, {m.marked_by_id for m in marks})
    devices = await device_labels(db, {m.device_id for m in marks})
    history = await db.exec(
        select(MarkHistory.person_id, func.count())
        .where(MarkHistory.session_id == session_id)
        .group_by(col(MarkHistory.person_id))
    )
    earlier = {person_id: int(n) for person_id, n in history.all()}
    rows = [
        SyncedRow(
            row=row,
            marked_by=staff.get(row.mark.marked_by_id)
            if row.mark and row.mark.marked_by_id
            else None,
            device=devices.get(row.mark.device_id) if row.mark and row.mark.device_id else None,
            earlier_values=earlier.get(row.person.id, 0),
        )
        for row in roster.rows
    ]
    return SyncedRoster(roster=roster, rows=rows)
