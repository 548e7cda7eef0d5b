"""Marks two devices (or people) disagreed about: the value shown now and the values that
lost to it, each with who recorded it, when, and from which device."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivityKind, ActivitySession
from server.activities.scope import visible_activity_ids
from server.attendance.models import AttendanceMark, MarkHistory, MarkStatus
from server.auth.actor import Actor
from server.auth.models import StaffUser
from server.coordination.devices import DeviceLabel, device_labels, staff_by_id
from server.people.models import Person


@dataclass(frozen=True)
class MarkValue:
    """One value of a mark, as one device recorded it."""

    status: MarkStatus
    quantity: int | None
    marked_by: StaffUser | None
    marked_at: datetime  # the device's time, corrected for its clock
    recorded_at: datetime  # when the server received it
    device: DeviceLabel | None


@dataclass(frozen=True)
class Disagreement:
    mark: AttendanceMark
    session: ActivitySession
    activity: Activity
    person: Person
    current: MarkValue
    earlier: list[MarkValue]  # newest first

    @property
    def statuses(self) -> list[MarkStatus]:
        """The values a coordinator may choose for this activity."""
        if self.activity.kind == ActivityKind.DISTRIBUTION:
            return [MarkStatus.RECEIVED]
        return [MarkStatus.PRESENT, MarkStatus.ABSENT, MarkStatus.LATE, MarkStatus.EXCUSED]

    @property
    def other_statuses(self) -> set[MarkStatus]:
        """Values the devices recorded that differ from the current one."""
        return {v.status for v in self.earlier} - {self.current.status}


async def list_disagreements(db: AsyncSession, actor: Actor) -> list[Disagreement]:
    """Every flagged mark the actor may see, the latest received first."""
    result = await db.exec(
        select(AttendanceMark, ActivitySession, Activity, Person)
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .join(Person, col(Person.id) == AttendanceMark.person_id)
        .where(col(AttendanceMark.disagreement).is_(True))
        .where(col(Activity.id).in_(visible_activity_ids(actor)))
        .order_by(col(AttendanceMark.recorded_at).desc())
    )
    found = result.all()
    if not found:
        return []
    pairs = {(mark.session_id, mark.person_id) for mark, *_ in found}
    history = (
        await db.exec(
            select(MarkHistory)
            .where(col(MarkHistory.session_id).in_({s for s, _ in pairs}))
            .order_by(col(MarkHistory.marked_at).desc())
        )
    ).all()
    history = [h for h in history if (h.session_id, h.person_id) in pairs]
    sources = [m for m, *_ in found] + history
    staff = await staff_by_id(db, {m.marked_by_id for m in sources})
    devices = await device_labels(db, {m.device_id for m in sources})

    def value(m: AttendanceMark | MarkHistory) -> MarkValue:
        return MarkValue(
            status=m.status,
            quantity=m.quantity,
            marked_by=staff.get(m.marked_by_id) if m.marked_by_id else None,
            marked_at=m.marked_at,
            recorded_at=m.recorded_at,
            device=devices.get(m.device_id) if m.device_id else None,
        )

    return [
        Disagreement(
            mark=mark,
            session=session,
            activity=activity,
            person=person,
            current=value(mark),
            earlier=[
                value(h) for h in history if (h.session_id, h.person_id) == (session.id, person.id)
            ],
        )
        for mark, session, activity, person in found
    ]
