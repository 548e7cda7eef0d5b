"""Property: however writes from several devices interleave — reordered, duplicated, with
skewed clocks — the server converges to the state of applying them one by one in corrected
time order, and keeps every losing value in the history."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import AttendanceMark, MarkHistory
from server.auth.actor import Actor
from server.auth.models import Role
from server.db import create_engine, create_session_maker
from server.sync.batch import Batch, QueuedWrite, apply_batch, corrected_time
from server.sync.models import Device
from server.sync.writes import Write, apply_write
from tests.factories import enroll, make_activity, make_person, make_session, make_user

EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
RECEIVED = EPOCH + timedelta(days=1)
STATUSES = ["present", "absent", "late", "excused"]


@dataclass(frozen=True)
class Tap:
    device: int
    person: int
    status: str
    minute: int  # on the device's own clock
    second: int = 0  # the tap's place among its device's taps: one device never ties itself

    @property
    def device_time(self) -> datetime:
        return EPOCH + timedelta(minutes=self.minute, seconds=self.second)


def _sequenced(writes: list[Tap]) -> list[Tap]:
    seen: Counter[int] = Counter()
    out = []
    for tap in writes:
        out.append(Tap(tap.device, tap.person, tap.status, tap.minute, seen[tap.device]))
        seen[tap.device] += 1
    return out


taps = st.lists(
    st.builds(
        Tap,
        device=st.integers(0, 2),
        person=st.integers(0, 2),
        status=st.sampled_from(STATUSES),
        minute=st.integers(0, 12),  # a narrow range, so ties between devices happen
    ),
    min_size=1,
    max_size=14,
)


async def _scenario(url: str, writes: list[Tap], skews: list[int], seed: int) -> None:
    engine = create_engine(url)
    try:
        async with create_session_maker(engine, write=True)() as db:
            await _check(db, writes, skews, seed)
    finally:
        await engine.dispose()


async def _apply(
    db: AsyncSession, actors: list[Actor], session_id: uuid.UUID, people: list[uuid.UUID],
    order: list[tuple[uuid.UUID, Tap]], skews: list[int],
) -> None:  # fmt: skip
    for key, tap in order:
        device_time = tap.device_time
        offset = timedelta(minutes=skews[tap.device])  # the device's clock is behind by this
        write = Write(
            key=key,
            kind="attendance.mark",
            payload={"session_id": str(session_id), "person_id": str(people[tap.person]),
                     "status": tap.status},
            device_time=corrected_time(device_time, offset, RECEIVED),
        )  # fmt: skip
        await apply_write(db, actors[tap.device], write)


async def _apply_batches(
    db: AsyncSession, user_id: uuid.UUID, devices: list[uuid.UUID], session_id: uuid.UUID,
    people: list[uuid.UUID], order: list[tuple[uuid.UUID, Tap]], skews: list[int],
) -> None:  # fmt: skip
    runs: list[list[tuple[uuid.UUID, Tap]]] = []
    for item in order:
        if runs and runs[-1][0][1].device == item[1].device:
            runs[-1].append(item)
        else:
            runs.append([item])
    actor = Actor(user_id, Role.FACILITATOR)
    for run in runs:
        device = run[0][1].device
        writes = [
            QueuedWrite(
                key=key,
                kind="attendance.mark",
                payload={
                    "session_id": str(session_id),
                    "person_id": str(people[tap.person]),
                    "status": tap.status,
                },
                # The skew applied up front; sent_at=None means no further correction.
                device_time=tap.device_time + timedelta(minutes=skews[device]),
                user_id=user_id,
            )
            for key, tap in run
        ]
        await apply_batch(db, actor, Batch(device_id=devices[device], writes=writes))


async def _state(db: AsyncSession, session_id: uuid.UUID) -> tuple[dict[uuid.UUID, tuple], Counter]:
    marks = (
        await db.exec(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
    ).all()
    history = (await db.exec(select(MarkHistory).where(MarkHistory.session_id == session_id))).all()
    final = {m.person_id: (m.status.value, m.marked_at, m.device_id) for m in marks}
    kept = Counter((h.person_id, h.status.value, h.marked_at, h.device_id) for h in history)
    return final, kept


async def _check(db: AsyncSession, writes: list[Tap], skews: list[int], seed: int) -> None:
    user = await make_user(db, Role.FACILITATOR)
    activity = await make_activity(db, staff=[user])
    persons = [await make_person(db, f"P{i}", "Merge") for i in range(3)]
    for person in persons:
        await enroll(db, activity, person)
    people = [person.id for person in persons]
    sessions = [await make_session(db, activity, date(2026, 1, 5 + i)) for i in range(3)]
    devices = [uuid.uuid4() for _ in range(3)]
    for device in devices:
        db.add(Device(id=device, user_id=user.id))
    await db.flush()
    actors = [Actor(user.id, user.role, device_id=d) for d in devices]
    keyed = [(uuid.uuid4(), tap) for tap in _sequenced(writes)]

    def corrected(item: tuple[uuid.UUID, Tap]) -> tuple[datetime, str]:
        tap = item[1]
        when = corrected_time(tap.device_time, timedelta(minutes=skews[tap.device]), RECEIVED)
        return when, str(devices[tap.device])

    # A: one by one in corrected-time order. B: shuffled, with some writes sent twice.
    in_order = sorted(keyed, key=corrected)
    rng = random.Random(seed)
    # B gets its own keys (a key is applied once per server), shared by its duplicates.
    rekey = {key: uuid.uuid4() for key, _ in keyed}
    again = [(rekey[key], tap) for key, tap in keyed]
    shuffled = again + rng.sample(again, k=min(len(again), 3))
    rng.shuffle(shuffled)
    await _apply(db, actors, sessions[0].id, people, in_order, skews)
    await _apply(db, actors, sessions[1].id, people, shuffled, skews)
    # C: the same shuffled stream through the batch endpoint's code (prefetched, no savepoints),
    # one batch per run of consecutive writes from one device, duplicates inside batches.
    rekey_c = {key: uuid.uuid4() for key, _ in shuffled}
    await _apply_batches(db, user.id, devices, sessions[2].id, people,
                         [(rekey_c[key], tap) for key, tap in shuffled], skews)  # fmt: skip
    final_a, kept_a = await _state(db, sessions[0].id)
    final_b, kept_b = await _state(db, sessions[1].id)
    final_c, kept_c = await _state(db, sessions[2].id)
    assert final_a == final_b == final_c
    assert kept_a == kept_b == kept_c
    assert sum(kept_a.values()) == len(keyed) - len(final_a)  # every loser kept, once
    for pid in people:
        mine = [item for item in keyed if people[item[1].person] == pid]
        if mine:
            winner = max(mine, key=corrected)[1]
            assert final_a[pid][0] == winner.status


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    writes=taps,
    skews=st.lists(st.integers(-4, 4), min_size=3, max_size=3),
    seed=st.integers(0, 10**6),
)
def test_any_interleaving_converges(
    database_url: str, writes: list[Tap], skews: list[int], seed: int
) -> None:
    asyncio.run(_scenario(database_url, writes, skews, seed))
