"""The write path: a write is applied once per idempotency key, refusals leave nothing
half-written, and a later mark wins over an earlier one."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind
from server.attendance.models import AttendanceMark
from server.audit.models import AuditEntry
from server.auth.actor import Actor
from server.auth.models import Role
from server.sync.models import AppliedWrite
from server.sync.writes import Outcome, Write, apply_write
from tests.factories import enroll, make_activity, make_person, make_session, make_user

pytestmark = pytest.mark.anyio


async def _count(db: AsyncSession, model: type) -> int:
    return int((await db.exec(select(func.count()).select_from(model))).one())


async def _roster(db: AsyncSession) -> tuple[Actor, uuid.UUID, uuid.UUID]:
    user = await make_user(db, Role.FACILITATOR)
    activity = await make_activity(db, staff=[user])
    person = await make_person(db)
    await enroll(db, activity, person)
    session = await make_session(db, activity, date(2026, 11, 24))
    await db.commit()
    return Actor(user_id=user.id, role=user.role), session.id, person.id


def _mark(session_id: uuid.UUID, person_id: uuid.UUID, status: str, **extra: object) -> Write:
    return Write(
        key=uuid.uuid4(),
        kind="attendance.mark",
        payload={"session_id": str(session_id), "person_id": str(person_id), "status": status},
        **extra,  # type: ignore[arg-type]
    )


async def test_the_same_write_sent_twice_is_applied_once(db: AsyncSession) -> None:
    actor, session_id, person_id = await _roster(db)
    write = _mark(session_id, person_id, "present")
    first = await apply_write(db, actor, write)
    await db.commit()
    second = await apply_write(db, actor, write)
    await db.commit()
    assert first.outcome == Outcome.APPLIED
    assert second.outcome == Outcome.DUPLICATE
    assert second.original_outcome == Outcome.APPLIED
    assert second.result == first.result
    assert await _count(db, AttendanceMark) == 1
    assert await _count(db, AppliedWrite) == 1
    audit = await db.exec(select(AuditEntry).where(AuditEntry.action == "attendance.mark"))
    assert len(audit.all()) == 1


async def test_a_key_reused_with_other_content_is_refused(db: AsyncSession) -> None:
    actor, session_id, person_id = await _roster(db)
    write = _mark(session_id, person_id, "present")
    await apply_write(db, actor, write)
    other = Write(key=write.key, kind=write.kind, payload={**write.payload, "status": "absent"})
    result = await apply_write(db, actor, other)
    assert result.outcome == Outcome.REFUSED
    mark = (await db.exec(select(AttendanceMark))).one()
    assert mark.status.value == "present"


async def test_a_refused_write_keeps_its_key_and_changes_nothing(db: AsyncSession) -> None:
    actor, session_id, _person_id = await _roster(db)
    stranger = await make_person(db, "Łukasz", "Wójcik")
    write = _mark(session_id, stranger.id, "present")  # not enrolled
    result = await apply_write(db, actor, write)
    await db.commit()
    assert result.outcome == Outcome.REFUSED
    assert result.errors["person_id"].msgid == "This person is not enrolled here."
    assert await _count(db, AttendanceMark) == 0
    assert await _count(db, AuditEntry) == 0
    again = await apply_write(db, actor, write)
    assert again.outcome == Outcome.DUPLICATE
    assert again.original_outcome == Outcome.REFUSED
    assert again.errors["person_id"].msgid == "This person is not enrolled here."


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "present"}, "session_id"),
        ({"session_id": "not-a-uuid", "person_id": str(uuid.uuid4()), "status": "present"},
         "session_id"),
        ({"session_id": str(uuid.uuid4()), "person_id": str(uuid.uuid4()), "status": "asleep"},
         "status"),
    ],
)  # fmt: skip
async def test_malformed_payloads_are_refused_with_a_field(
    db: AsyncSession, payload: dict[str, str], field: str
) -> None:
    actor, _session_id, _person_id = await _roster(db)
    result = await apply_write(
        db, actor, Write(key=uuid.uuid4(), kind="attendance.mark", payload=payload)
    )
    assert result.outcome == Outcome.REFUSED
    assert field in result.errors


async def test_unknown_kinds_and_foreign_sessions_are_refused(db: AsyncSession) -> None:
    actor, session_id, person_id = await _roster(db)
    unknown = await apply_write(db, actor, Write(uuid.uuid4(), "people.teleport", {}))
    assert unknown.outcome == Outcome.REFUSED
    outsider = await make_user(db, Role.FACILITATOR)
    result = await apply_write(
        db, Actor(outsider.id, outsider.role), _mark(session_id, person_id, "present")
    )
    assert result.outcome == Outcome.REFUSED
    assert await _count(db, AttendanceMark) == 0


async def test_the_later_mark_wins_whatever_order_they_arrive_in(db: AsyncSession) -> None:
    actor, session_id, person_id = await _roster(db)
    now = datetime.now(UTC)
    later = _mark(session_id, person_id, "late", device_time=now - timedelta(minutes=1))
    earlier = _mark(session_id, person_id, "absent", device_time=now - timedelta(minutes=5))
    assert (await apply_write(db, actor, later)).outcome == Outcome.APPLIED
    assert (await apply_write(db, actor, earlier)).outcome == Outcome.SUPERSEDED
    mark = (await db.exec(select(AttendanceMark))).one()
    assert mark.status.value == "late"


async def test_a_device_clock_ahead_of_the_server_is_clamped(db: AsyncSession) -> None:
    actor, session_id, person_id = await _roster(db)
    future = datetime.now(UTC) + timedelta(days=3)
    await apply_write(db, actor, _mark(session_id, person_id, "present", device_time=future))
    mark = (await db.exec(select(AttendanceMark))).one()
    assert mark.marked_at <= datetime.now(UTC)


async def test_distribution_marks_are_received_with_a_count(db: AsyncSession) -> None:
    user = await make_user(db, Role.FACILITATOR)
    kits = await make_activity(
        db, staff=[user], kind=ActivityKind.DISTRIBUTION, title="Hygiene kits"
    )
    person = await make_person(db)
    await enroll(db, kits, person)
    session = await make_session(db, kits, date(2026, 11, 24))
    actor = Actor(user.id, user.role)
    present = await apply_write(db, actor, _mark(session.id, person.id, "present"))
    assert present.outcome == Outcome.REFUSED
    write = Write(
        uuid.uuid4(),
        "attendance.mark",
        {"session_id": str(session.id), "person_id": str(person.id), "status": "received",
         "quantity": 2},
    )  # fmt: skip
    assert (await apply_write(db, actor, write)).outcome == Outcome.APPLIED
    mark = (await db.exec(select(AttendanceMark))).one()
    assert (mark.status.value, mark.quantity) == ("received", 2)
