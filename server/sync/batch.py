"""Applying a device's queued writes: one request, many writes, one result each.

The device's clock is corrected by the offset between when it says it sent the batch and when
the server received it, so a phone whose clock runs ten minutes fast does not win every merge;
a corrected time is never later than the server's receive time.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.prefetch import end_marks, flush_marks, marks_written_now, prefetch_marks
from server.audit.service import audit_row
from server.auth.actor import Actor
from server.common.errors import Message
from server.common.memory import collection_paused
from server.common.models import IdSource, utcnow
from server.i18n.catalogs import N_
from server.sync.handlers import MARK, PlainMarks, apply_plain_mark
from server.sync.metrics import count_batch
from server.sync.service import record_device_sync
from server.sync.writes import (
    Outcome,
    Write,
    WriteResult,
    apply_write,
    batch_audit_rows,
    end_batch,
    finish_batch,
    prefetch_keys,
    runs_in_savepoint,
)

# Formats of queued writes this server accepts. A phone offline for weeks with an older page
# may send an older format; one no longer accepted is refused with a reason, never dropped.
ACCEPTED_FORMATS = frozenset({1})
MAX_CLOCK_OFFSET = timedelta(days=30)
_INT32_MAX = 2**31 - 1
OLD_FORMAT = N_("This change was made with an old version of the app and cannot be accepted.")
OTHER_USER = N_("This change was made by another person signed in on this device.")
TOO_OLD = N_(
    "This change was made more than %(days)s days ago and can no longer be accepted. "
    "If it still matters, enter it again."
)
# Idempotency keys are forgotten after `idempotency_keys_days` (server/sync/cleanup.py). A
# write whose key may be gone could be applied a second time, so queued writes are accepted
# only while their key would still be known: younger than the keys' age minus twice the
# largest clock correction (a write's corrected time may differ by that between two sends).
KEY_MARGIN = 2 * MAX_CLOCK_OFFSET


@dataclass(frozen=True)
class QueuedWrite:
    key: uuid.UUID
    kind: str
    payload: dict[str, object]
    device_time: datetime | None
    user_id: uuid.UUID | None
    format: int = 1


class Queued(Protocol):
    """A queued write as the batch reads it: a `QueuedWrite`, or the route's decoded body
    item itself (the same fields; no copy a write)."""

    @property
    def key(self) -> uuid.UUID: ...
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def device_time(self) -> datetime | None: ...
    @property
    def user_id(self) -> uuid.UUID | None: ...
    @property
    def format(self) -> int: ...


@dataclass(frozen=True)
class Batch:
    device_id: uuid.UUID
    writes: Sequence[Queued]
    sent_at: datetime | None = None
    pending_count: int = 0
    app_version: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class BatchOutcome:
    server_time: datetime
    clock_offset: timedelta
    results: list[tuple[uuid.UUID, WriteResult]]


def clock_offset(sent_at: datetime | None, received_at: datetime) -> timedelta:
    """How far the device's clock is behind the server's (negative when it runs ahead)."""
    if sent_at is None:
        return timedelta(0)
    offset = received_at - sent_at
    return max(-MAX_CLOCK_OFFSET, min(MAX_CLOCK_OFFSET, offset))


def corrected_time(
    device_time: datetime | None, offset: timedelta, received_at: datetime
) -> datetime:
    """The device's time of the act on the server's clock; a write without one counts as made
    when it arrived (never later than that)."""
    if device_time is None:
        return received_at
    return min(device_time + offset, received_at)


def _refusal(message: str) -> WriteResult:
    return WriteResult(Outcome.REFUSED, errors={"": Message(message)})


def max_write_age(keys_kept: timedelta) -> timedelta:
    """How old a queued write may be and still be accepted, when keys are kept `keys_kept`."""
    return keys_kept - KEY_MARGIN


async def apply_batch(
    db: AsyncSession, actor: Actor, batch: Batch, *, keys_kept: timedelta | None = None
) -> BatchOutcome:
    """Apply every write in order, in one transaction. What marks read is loaded once for the
    batch; marks are checked before anything is written and collected as rows, written at the
    end; other kinds run in a savepoint, after the marks so far are written. With `keys_kept`
    (how long idempotency keys are kept), a write older than `max_write_age` whose key is not
    known is refused."""
    with collection_paused():  # thousands of objects alive until the end (common/memory.py)
        return await _apply_batch(db, actor, batch, keys_kept)


async def _apply_batch(
    db: AsyncSession, actor: Actor, batch: Batch, keys_kept: timedelta | None
) -> BatchOutcome:
    received_at = utcnow()
    offset = clock_offset(batch.sent_at, received_at)
    # The column is a 32-bit integer (about 24.8 days in ms): a clock off by more is kept as
    # the most it can hold, not a failed sync (PostgreSQL refuses the overflow).
    offset_ms = max(-_INT32_MAX, min(_INT32_MAX, int(offset / timedelta(milliseconds=1))))
    await db.flush()  # anything pending before the device's row is written
    await record_device_sync(  # with all it records, before marks name it
        db,
        batch.device_id,
        actor.user_id,
        now=received_at,
        user_agent=batch.user_agent,
        app_version=batch.app_version,
        pending_count=max(0, batch.pending_count - len(batch.writes)),
        clock_offset_ms=offset_ms,
    )
    actor = replace(actor, device_id=batch.device_id)
    applied = await prefetch_keys(db, [queued.key for queued in batch.writes])
    new = [queued for queued in batch.writes if queued.key not in applied]  # repeats read nothing
    parsed: dict[str, uuid.UUID] = {}  # ids read from the batch's marks, each once
    await prefetch_marks(db, actor, _mark_pairs(new, parsed))
    try:
        oldest = received_at - max_write_age(keys_kept) if keys_kept is not None else None
        results = await _apply_all(db, actor, batch, offset, received_at, applied, oldest, parsed)
        await flush_marks(db)  # the whole batch's inserts and updates, in a few statements
        outcomes = Counter(result.outcome._value_ for _, result in results)  # str: C hash
        count_batch(db.info, zip((queued.kind for queued in batch.writes), results, strict=True))
        batch_audit_rows(db).append(  # inserted with the writes' own entries
            audit_row(
                action="sync.batch",
                actor_id=actor.user_id,
                device_id=actor.device_id,
                ip_address=actor.ip_address,
                entity_type="device",
                entity_id=str(batch.device_id),
                details={"writes": len(results), **dict(sorted(outcomes.items()))},
                at=utcnow(),
            )
        )
        await finish_batch(db)
    finally:
        end_batch(db)
        end_marks(db)
    return BatchOutcome(server_time=received_at, clock_offset=offset, results=results)


def _mark_pairs(
    writes: list[Queued], parsed: dict[str, uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    pairs = []
    for queued in writes:
        if queued.kind != MARK:
            continue
        try:
            pairs.append((_uuid(queued.payload.get("session_id"), parsed),
                          _uuid(queued.payload.get("person_id"), parsed)))  # fmt: skip
        except ValueError:
            continue  # refused by the handler's own validation
    return pairs


def _uuid(value: object, parsed: dict[str, uuid.UUID]) -> uuid.UUID:
    """`value` read as a UUID, each distinct text once a batch. Only canonical texts are
    kept in `parsed` (what `plain_mark` accepts without pydantic)."""
    text = str(value)
    found = parsed.get(text)
    if found is None:
        found = uuid.UUID(text)
        if str(found) == text:
            parsed[text] = found
    return found


async def _apply_all(
    db: AsyncSession,
    actor: Actor,
    batch: Batch,
    offset: timedelta,
    received_at: datetime,
    applied: set[uuid.UUID],
    oldest: datetime | None,
    parsed: dict[str, uuid.UUID],
) -> list[tuple[uuid.UUID, WriteResult]]:
    results: list[tuple[uuid.UUID, WriteResult]] = []
    plain = PlainMarks(db, actor, utcnow(), parsed, IdSource())
    user = actor.user_id.int  # compared as numbers: what UUID.__eq__ does, without its call
    for queued in batch.writes:
        device_time = queued.device_time  # `corrected_time`, inline
        made_at = (
            received_at
            if device_time is None
            else min(device_time + offset, received_at)
        )  # fmt: skip
        if queued.format not in ACCEPTED_FORMATS:
            result = _refusal(OLD_FORMAT)
        elif queued.user_id is not None and queued.user_id.int != user:
            result = _refusal(OTHER_USER)
        elif oldest is not None and made_at < oldest and queued.key not in applied:
            days = (received_at - oldest).days
            result = WriteResult(Outcome.REFUSED, errors={"": Message(TOO_OLD, {"days": days})})
        elif queued.kind == MARK and (
            fast := apply_plain_mark(plain, queued.key, queued.payload, made_at)
        ):
            result = fast  # the common case, without dispatch (see PlainMarks)
        else:
            write = Write(
                key=queued.key, kind=queued.kind, payload=dict(queued.payload), device_time=made_at
            )
            result = await _apply_one(db, actor, write)
        results.append((queued.key, result))
    return results


async def _apply_one(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    if not runs_in_savepoint(write.kind):
        return await apply_write(db, actor, write)
    async with marks_written_now(db):
        return await apply_write(db, actor, write)
