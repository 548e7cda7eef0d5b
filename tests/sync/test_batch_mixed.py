"""A batch's marks are collected and written at its end; writes of other kinds run in between,
in savepoints. They must see the marks sent before them, and a refused one must take back only
its own changes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import AttendanceMark, MarkHistory
from server.audit.models import AuditEntry
from server.auth.actor import Actor
from server.auth.models import Role
from server.sync.batch import Batch, QueuedWrite, apply_batch
from server.sync.models import AppliedWrite
from server.sync.writes import Outcome
from tests.factories import enroll, make_activity, make_person, make_session, make_user

pytestmark = pytest.mark.anyio
NOW = datetime.now(UTC)


async def _roster(db: AsyncSession) -> tuple[Actor, uuid.UUID, list[uuid.UUID]]:
    user = await make_user(db, Role.FACILITATOR)
    activity = await make_activity(db, staff=[user])
    people = [await make_person(db, f"P{i}", "Mixed") for i in range(3)]
    for person in people:
        await enroll(db, activity, person)
    session = await make_session(db, activity, date.today())
    await db.commit()
    return Actor(user_id=user.id, role=user.role), session.id, [p.id for p in people]


def _write(kind: str, payload: dict[str, str], minutes_ago: int, user: uuid.UUID) -> QueuedWrite:
    return QueuedWrite(uuid.uuid4(), kind, payload, NOW - timedelta(minutes=minutes_ago), user)


def _mark(
    actor: Actor, session: uuid.UUID, person: uuid.UUID, status: str, ago: int
) -> QueuedWrite:
    payload = {"session_id": str(session), "person_id": str(person), "status": status}
    return _write("attendance.mark", payload, ago, actor.user_id)


async def _statuses(db: AsyncSession) -> dict[uuid.UUID, str]:
    marks = (await db.exec(select(AttendanceMark))).all()
    return {m.person_id: m.status.value for m in marks}


async def test_closing_in_a_batch_sees_the_marks_sent_before_it(db: AsyncSession) -> None:
    actor, session, people = await _roster(db)
    close = _write("session.close", {"session_id": str(session)}, 5, actor.user_id)
    writes = [
        _mark(actor, session, people[0], "present", 9),
        close,  # marks only people[1] and people[2] absent
        _mark(actor, session, people[1], "late", 1),  # later than the close: wins
        _mark(actor, session, people[0], "late", 8),  # a later tap of the same device
    ]
    device = uuid.uuid4()
    outcome = await apply_batch(db, actor, Batch(device_id=device, writes=writes))
    await db.commit()
    assert [r.outcome for _, r in outcome.results] == [Outcome.APPLIED] * 4
    assert outcome.results[1][1].result == {"marked_absent": 2}
    assert await _statuses(db) == {people[0]: "late", people[1]: "late", people[2]: "absent"}
    history = (await db.exec(select(MarkHistory))).all()
    assert sorted(h.status.value for h in history) == ["absent", "present"]
    assert len((await db.exec(select(AppliedWrite))).all()) == 4
    audits = (await db.exec(select(AuditEntry.action))).all()
    # The close's two absences are audited in its savepoint, one entry each; the batch's three
    # marks share one entry for their session (decision 20), listing each in order.
    assert sorted(audits) == ["attendance.mark"] * 2 + [
        "attendance.marks", "session.close", "sync.batch"
    ]  # fmt: skip
    grouped = (
        await db.exec(select(AuditEntry).where(AuditEntry.action == "attendance.marks"))
    ).one()
    assert grouped.entity_type == "session" and grouped.entity_id == str(session)
    assert grouped.device_id == device
    assert [(m["person_id"], m["status"], m["superseded"]) for m in grouped.details["marks"]] == [
        (str(people[0]), "present", False),
        (str(people[1]), "late", False),  # later than the close's absence: it wins
        (str(people[0]), "late", False),
    ]
    made = [NOW - timedelta(minutes=ago) for ago in (9, 1, 8)]  # the devices' times
    assert [datetime.fromisoformat(m["marked_at"]) for m in grouped.details["marks"]] == made


async def test_a_refused_write_between_marks_takes_back_only_its_own(db: AsyncSession) -> None:
    actor, session, people = await _roster(db)
    unknown_session = {"session_id": str(uuid.uuid4())}
    writes = [
        _mark(actor, session, people[0], "present", 3),
        _write("session.close", unknown_session, 2, actor.user_id),
        _mark(actor, session, people[1], "absent", 1),
    ]
    outcome = await apply_batch(db, actor, Batch(device_id=uuid.uuid4(), writes=writes))
    await db.commit()
    assert [r.outcome for _, r in outcome.results] == [
        Outcome.APPLIED,
        Outcome.REFUSED,
        Outcome.APPLIED,
    ]
    assert await _statuses(db) == {people[0]: "present", people[1]: "absent"}
    assert len((await db.exec(select(AppliedWrite))).all()) == 3


async def test_a_batch_audits_each_sessions_marks_in_one_entry(db: AsyncSession) -> None:
    """Decision 20: one `attendance.marks` entry per session a batch marked, listing its marks
    in the order applied; the same batch sent again adds no entry and no item."""
    user = await make_user(db, Role.FACILITATOR)
    activity = await make_activity(db, staff=[user])
    people = [await make_person(db, f"Q{i}", "Grouped") for i in range(2)]
    for person in people:
        await enroll(db, activity, person)
    first = (await make_session(db, activity, date.today())).id
    second = (await make_session(db, activity, date.today() - timedelta(days=1))).id
    await db.commit()
    actor = Actor(user_id=user.id, role=user.role)
    writes = [
        _mark(actor, first, people[0].id, "present", 3),
        _mark(actor, second, people[0].id, "late", 3),
        _mark(actor, first, people[1].id, "absent", 2),
        _mark(actor, first, people[0].id, "absent", 4),  # older than its first value: loses
    ]
    batch = Batch(device_id=uuid.uuid4(), writes=writes)
    for _ in range(2):  # sent again: all duplicates
        await apply_batch(db, actor, batch)
        await db.commit()
    entries = (
        await db.exec(select(AuditEntry).where(AuditEntry.action == "attendance.marks"))
    ).all()
    by_session = {e.entity_id: e.details["marks"] for e in entries}
    assert len(entries) == 2 and set(by_session) == {str(first), str(second)}
    assert [(m["person_id"], m["status"], m["superseded"]) for m in by_session[str(first)]] == [
        (str(people[0].id), "present", False),
        (str(people[1].id), "absent", False),
        (str(people[0].id), "absent", True),
    ]
    assert [m["status"] for m in by_session[str(second)]] == ["late"]
    single = await db.exec(select(AuditEntry).where(AuditEntry.action == "attendance.mark"))
    assert single.all() == []
