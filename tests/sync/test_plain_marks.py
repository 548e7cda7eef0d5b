"""A batch's plain marks skip the per-write dispatch (`apply_plain_mark`); everything else goes
one by one through `apply_write`. Property: for random batches — marks of every shape the
fast path takes or refuses, duplicates and reused keys, marks for a merged person, a person
not enrolled, an unknown session, closes and check-ins in between — both give the same
results and leave the same database (marks, history, applied keys, audit entries)."""

from __future__ import annotations

import asyncio
import gc
import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind
from server.attendance.models import AttendanceMark, MarkHistory
from server.audit.models import AuditEntry
from server.auth.actor import Actor
from server.auth.models import Role
from server.common.memory import collection_paused
from server.db import create_engine, create_session_maker
from server.people.models import PersonMerge
from server.sync import batch as batch_module
from server.sync.batch import Batch, QueuedWrite, apply_batch
from server.sync.handlers import plain_mark
from server.sync.models import AppliedWrite
from server.sync.writes import Write, payload_hash
from tests.factories import enroll, make_activity, make_person, make_session, make_user

EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    actor: Actor
    sessions: list[uuid.UUID]  # two of a choir, one of a distribution
    people: list[uuid.UUID]  # the last is enrolled in neither activity
    merged: uuid.UUID  # merged into people[0]
    devices: list[uuid.UUID]


async def _world(db: AsyncSession) -> World:
    user = await make_user(db, Role.FACILITATOR)
    choir = await make_activity(db, staff=[user])
    food = await make_activity(db, staff=[user], kind=ActivityKind.DISTRIBUTION, title="Food")
    people = [await make_person(db, f"P{i}", "Plain") for i in range(4)]
    for person in people[:3]:
        await enroll(db, choir, person)
        await enroll(db, food, person)
    sessions = [
        (await make_session(db, choir, date(2026, 1, 5))).id,
        (await make_session(db, choir, date(2026, 1, 6))).id,
        (await make_session(db, food, date(2026, 1, 5))).id,
    ]
    merged = uuid.uuid4()
    db.add(PersonMerge(merged_id=merged, kept_id=people[0].id, merged_code="MERGED1"))
    await db.commit()
    actor = Actor(user.id, user.role, ip_address="192.0.2.7")
    return World(actor, sessions, [p.id for p in people], merged, [uuid.uuid4(), uuid.uuid4()])


# A write, as drawn: what it is, then filled in with the world's ids.
writes = st.lists(
    st.tuples(
        st.sampled_from(
            ["mark"] * 8
            + ["upper", "bad_status", "text_quantity", "zero_quantity", "extra_field"]
            + ["unknown_session", "merged", "not_enrolled", "close", "check_in", "reuse"]
        ),
        st.integers(0, 2),  # session
        st.integers(0, 2),  # person
        st.sampled_from(["present", "absent", "late", "excused"]),
        st.integers(0, 6),  # minute on the device's clock (a narrow range: ties happen)
        st.integers(1, 100),  # quantity, for a distribution
    ),
    min_size=1,
    max_size=25,
)


def _payload(
    world: World, kind: str, session: int, person: int, status: str, quantity: int
) -> tuple[str, dict[str, Any]]:
    session_id, person_id = world.sessions[session], world.people[person]
    payload: dict[str, Any] = {"session_id": str(session_id), "person_id": str(person_id)}
    if session == 2:
        payload.update(status="received", quantity=quantity)
    else:
        payload["status"] = status
    if kind == "upper":
        payload["person_id"] = str(person_id).upper()
    elif kind == "bad_status":
        payload["status"] = "maybe"
    elif kind == "text_quantity":
        payload["quantity"] = str(quantity)
    elif kind == "zero_quantity":
        payload["quantity"] = 0
    elif kind == "extra_field":
        payload["note"] = "x"
    elif kind == "unknown_session":
        payload["session_id"] = str(uuid.uuid4())
    elif kind == "merged":
        payload["person_id"] = str(world.merged)
    elif kind == "not_enrolled":
        payload["person_id"] = str(world.people[3])
    elif kind == "close":
        return "session.close", {"session_id": str(session_id)}
    elif kind == "check_in":
        return "attendance.check_in", {"session_id": str(session_id), "person_id": str(person_id)}
    return "attendance.mark", payload


def _batches(world: World, drawn: list[tuple[str, int, int, str, int, int]]) -> list[Batch]:
    """Two batches (one a device), the second half's keys sometimes reused from the first."""
    queued: list[QueuedWrite] = []
    for index, (kind, session, person, status, minute, quantity) in enumerate(drawn):
        if kind == "reuse" and queued:
            earlier = queued[(session * 7 + person) % len(queued)]
            if person == 0:  # the same key with other content
                queued.append(
                    QueuedWrite(
                        earlier.key,
                        earlier.kind,
                        {"session_id": "x"},
                        earlier.device_time,
                        earlier.user_id,
                    )
                )
            else:
                queued.append(earlier)
            continue
        kind_name, payload = _payload(world, kind, session, person, status, quantity)
        when = EPOCH + timedelta(minutes=minute, seconds=index)
        queued.append(QueuedWrite(uuid.uuid4(), kind_name, payload, when, world.actor.user_id))
    half = len(queued) // 2
    return [
        Batch(device_id=world.devices[0], writes=queued[:half]),
        Batch(device_id=world.devices[1], writes=queued[half:]),
    ]


async def _state(db: AsyncSession, world: World, results: list[Any]) -> dict[str, Any]:
    """What the batches left, without what differs from run to run (generated ids, times)."""
    marks = (
        await db.exec(
            select(AttendanceMark).where(AttendanceMark.session_id.in_(world.sessions))  # type: ignore[attr-defined]
        )
    ).all()
    pair_of = {str(m.id): (str(m.session_id), str(m.person_id)) for m in marks}

    def plain(value: Any) -> Any:
        text = json.dumps(value, sort_keys=True, default=str)
        for mark_id, pair in pair_of.items():
            text = text.replace(mark_id, "/".join(pair))
        return json.loads(text)

    history = (
        await db.exec(
            select(MarkHistory).where(MarkHistory.session_id.in_(world.sessions))  # type: ignore[attr-defined]
        )
    ).all()
    applied = (
        await db.exec(select(AppliedWrite).where(AppliedWrite.user_id == world.actor.user_id))
    ).all()
    audit = (
        await db.exec(select(AuditEntry).where(AuditEntry.actor_id == world.actor.user_id))
    ).all()
    return {
        "results": [
            (
                str(key),
                r.outcome.value,
                plain(r.result),
                {name: m.msgid for name, m in r.errors.items()},
                r.original_outcome,
            )
            for key, r in results
        ],
        "marks": sorted(
            (
                str(m.session_id),
                str(m.person_id),
                m.status.value,
                m.quantity,
                str(m.marked_by_id),
                m.marked_at.isoformat(),
                str(m.device_id),
                str(m.idempotency_key),
                m.disagreement,
            )
            for m in marks
        ),
        "history": Counter(
            (
                str(h.session_id),
                str(h.person_id),
                h.status.value,
                h.quantity,
                str(h.marked_by_id),
                h.marked_at.isoformat(),
                str(h.device_id),
                str(h.idempotency_key),
            )
            for h in history
        ),
        "applied": sorted(
            (
                str(a.idempotency_key),
                str(a.device_id),
                a.kind,
                a.payload_hash,
                a.outcome,
                json.dumps(plain(a.result), sort_keys=True),
            )
            for a in applied
        ),
        "audit": Counter(
            (
                a.action,
                str(a.device_id),
                a.ip_address,
                a.entity_type,
                a.entity_id,
                json.dumps(a.details, sort_keys=True),
            )
            for a in audit
        ),
    }


async def _run(url: str, drawn: list[tuple[str, int, int, str, int, int]]) -> None:
    engine = create_engine(url)
    maker = create_session_maker(engine, write=True)
    try:
        async with maker() as db:
            world = await _world(db)
        states = []
        batches = _batches(world, drawn)
        for plain_marks in (True, False):
            # The one-by-one path: every mark through apply_write and its handler.
            off = mock.patch.object(batch_module, "apply_plain_mark", lambda *_: None)
            async with maker() as db:
                with off if not plain_marks else mock.MagicMock():
                    results = []
                    for queued in batches:
                        outcome = await apply_batch(db, world.actor, queued)
                        results.extend(outcome.results)
                await db.flush()
                states.append(await _state(db, world, results))
                await db.rollback()  # both runs start from the same database
        fast, one_by_one = states
        assert fast["results"] == one_by_one["results"]
        assert fast == one_by_one
    finally:
        await engine.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=writes)
def test_plain_marks_leave_what_one_by_one_leaves(database_url: str, drawn: list[Any]) -> None:
    asyncio.run(_run(database_url, drawn))


def test_the_plain_path_takes_the_usual_marks(database_url: str) -> None:
    """Without this the property above would hold trivially, with no mark ever taken."""
    taken = []
    original = batch_module.apply_plain_mark

    def spy(*args: Any) -> Any:
        result = original(*args)
        taken.append(result is not None)
        return result

    drawn = [("mark", 0, p, "present", 1, 1) for p in range(3)] + [("bad_status", 0, 0, "x", 1, 1)]
    with mock.patch.object(batch_module, "apply_plain_mark", spy):
        asyncio.run(_run(database_url, drawn))
    assert taken == [True, True, True, False]  # the first run; the second has it switched off


@given(
    session=st.uuids(),
    person=st.uuids(),
    status=st.sampled_from(["present", "absent", "late", "excused", "received"]),
    quantity=st.one_of(st.none(), st.integers(1, 100)),
    with_quantity=st.booleans(),
)
def test_plain_mark_hash_is_payload_hash(
    session: uuid.UUID, person: uuid.UUID, status: str, quantity: int | None, with_quantity: bool
) -> None:
    payload: dict[str, Any] = {
        "session_id": str(session),
        "person_id": str(person),
        "status": status,
    }
    if with_quantity:
        payload["quantity"] = quantity
    found = plain_mark(payload, {})
    assert found is not None
    data, digest = found
    assert digest == payload_hash(Write(uuid.uuid4(), "attendance.mark", dict(payload)))
    assert (data.session_id, data.person_id, data.status.value, data.quantity) == (
        session,
        person,
        status,
        quantity if with_quantity else None,
    )


def test_plain_mark_leaves_anything_unusual_to_the_handler() -> None:
    ids = {"session_id": str(uuid.uuid4()), "person_id": str(uuid.uuid4())}
    unusual: list[dict[str, Any]] = [
        {**ids, "status": "maybe"},
        {**ids, "status": ["present"]},
        {**ids, "status": "present", "quantity": "3"},
        {**ids, "status": "present", "quantity": True},
        {**ids, "status": "present", "quantity": 101},
        {**ids, "status": "present", "note": ""},
        {**ids, "person_id": ids["person_id"].upper(), "status": "present"},
        {**ids, "person_id": ids["person_id"].replace("-", ""), "status": "present"},
        {"session_id": ids["session_id"], "status": "present"},
        {**ids, "person_id": 5, "status": "present"},
    ]
    for payload in unusual:
        assert plain_mark(payload, {}) is None, payload


def test_collection_is_paused_during_a_batch_and_resumed_after() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # an overlapping batch
            assert not gc.isenabled()
        assert not gc.isenabled()  # the first is still running
    assert gc.isenabled()
