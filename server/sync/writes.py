"""The write path. Every write carries an idempotency key made on the device when the person
acted; `apply_write` applies it once, through the one handler registered for its kind, and
stores the key with the result in the same transaction. Form posts and (later) device batches
both come through here.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AUDIT_GROUPS, AUDIT_ROWS, AuditGroups, insert_audit_rows
from server.auth.actor import Actor
from server.common.bulk import among, insert_rows
from server.common.errors import DomainError, Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.sync.models import AppliedWrite


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    REFUSED = "refused"


@dataclass(frozen=True)
class Write:
    key: uuid.UUID
    kind: str
    payload: dict[str, Any]
    device_time: datetime | None = None


@dataclass(frozen=True)
class WriteResult:
    outcome: Outcome
    result: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Message] = field(default_factory=dict)
    original_outcome: Outcome | None = None  # for duplicates: what the first send produced

    @property
    def refused(self) -> bool:
        """Refused now, or a repeat of a write that was refused the first time."""
        return Outcome.REFUSED in (self.outcome, self.original_outcome)


Handler = Callable[[AsyncSession, Actor, Write], Awaitable[WriteResult]]


@dataclass(frozen=True)
class _Registered:
    handler: Handler
    checks_before_writing: bool


_HANDLERS: dict[str, _Registered] = {}
BATCH_CACHE = "razem_batch_cache"
APPLIED_TABLE = AppliedWrite.__table__  # type: ignore[attr-defined]
_SEEN_COLUMNS = ("idempotency_key", "payload_hash", "user_id", "outcome", "result")


class Seen(NamedTuple):
    """An applied write of this batch, not yet inserted (the fields a repeat needs)."""

    payload_hash: str
    user_id: uuid.UUID | None
    outcome: str
    result: dict[str, Any]


@dataclass
class BatchCache:
    """Idempotency keys of one batch, looked up in one query instead of one per write; the
    batch's applied keys and audit rows, inserted together at the end."""

    checked: set[uuid.UUID]
    applied: dict[uuid.UUID, AppliedWrite | Seen]
    rows: list[dict[str, Any]] = field(default_factory=list)
    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    audit_groups: AuditGroups = field(init=False)

    def __post_init__(self) -> None:
        self.audit_groups = AuditGroups(self.audit_rows)


def write_handler(
    kind: str, *, checks_before_writing: bool = False
) -> Callable[[Handler], Handler]:
    """Register the one function that applies writes of `kind`.

    `checks_before_writing`: the handler refuses only before it adds anything to the session,
    so inside a batch it needs no savepoint (two round trips fewer per write)."""

    def register(func: Handler) -> Handler:
        if kind in _HANDLERS:
            raise RuntimeError(f"a handler for {kind!r} is registered already")
        _HANDLERS[kind] = _Registered(func, checks_before_writing)
        return func

    return register


def write_kinds() -> list[str]:
    """Every registered kind of write (docs/authorization.md has a row for each)."""
    return sorted(_HANDLERS)


def runs_in_savepoint(kind: str) -> bool:
    """Whether writes of `kind` run in a savepoint in a batch (their handler may refuse after
    it has written something)."""
    registered = _HANDLERS.get(kind)
    return registered is not None and not registered.checks_before_writing


async def prefetch_keys(db: AsyncSession, keys: list[uuid.UUID]) -> set[uuid.UUID]:
    """Start batch mode: know which keys were applied before, with one query. Returns them."""
    dialect = (await db.connection()).dialect
    found = await db.exec(  # the columns a repeat needs, as plain rows (no ORM object a key)
        select(*(APPLIED_TABLE.c[name] for name in _SEEN_COLUMNS)).where(
            among(APPLIED_TABLE.c.idempotency_key, keys, dialect)  # one parameter
        )
    )
    applied: dict[uuid.UUID, AppliedWrite | Seen] = {
        key: Seen(digest, user_id, outcome, result)
        for key, digest, user_id, outcome, result in found.all()
    }
    cache = BatchCache(checked=set(keys), applied=applied)
    db.info[BATCH_CACHE] = cache
    db.info[AUDIT_GROUPS] = cache.audit_groups  # used while AUDIT_ROWS is set
    return set(applied)


async def finish_batch(db: AsyncSession) -> None:
    """Insert what the batch collected (after the marks themselves are flushed)."""
    cache: BatchCache | None = db.info.get(BATCH_CACHE)
    if cache is None:
        return
    await db.flush()
    await insert_rows(db, APPLIED_TABLE, cache.rows)
    await insert_audit_rows(db, cache.audit_rows)
    cache.rows.clear()
    cache.audit_rows.clear()
    cache.audit_groups.open.clear()


def end_batch(db: AsyncSession) -> None:
    db.info.pop(BATCH_CACHE, None)
    db.info.pop(AUDIT_ROWS, None)
    db.info.pop(AUDIT_GROUPS, None)


def _canonical(value: Any) -> Any:
    """A form value as both paths send it: the page's form post and the worker's queued copy
    (which leaves out empty fields and sends checkboxes as booleans)."""
    if isinstance(value, bool):
        return "1" if value else ""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value)
    return str(value)


def payload_hash(write: Write) -> str:
    """The same for a form post and its queued copy, so a copy sent again after a slow answer
    is a duplicate, not "other content"."""
    payload = {k: c for k, v in write.payload.items() if (c := _canonical(v)) not in ("", [])}
    canonical = json.dumps([write.kind, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored_errors(errors: dict[str, Message]) -> dict[str, Any]:
    return {name: {"msgid": m.msgid, "params": m.params} for name, m in errors.items()}


def _loaded_errors(data: dict[str, Any]) -> dict[str, Message]:
    return {name: Message(e["msgid"], e.get("params", {})) for name, e in data.items()}


async def was_applied(db: AsyncSession, key: uuid.UUID | None) -> bool:
    """Whether a write with this key has been received already (applied or refused)."""
    return key is not None and await db.get(AppliedWrite, key) is not None


async def refusal_of(db: AsyncSession, key: uuid.UUID | None, user_id: uuid.UUID) -> Message | None:
    """The first reason a write with this key was refused, if it was, and only to whoever sent
    it: a reason may say something about a person outside the asker's scope."""
    if key is None:
        return None
    seen = await db.get(AppliedWrite, key)
    if seen is None or seen.outcome != Outcome.REFUSED.value or seen.user_id != user_id:
        return None
    errors = _loaded_errors(seen.result.get("errors", {}))
    return next(iter(errors.values()), None)


async def apply_write(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    """Apply `write` once. A repeat of its key returns the first result as a duplicate."""
    cache: BatchCache | None = db.info.get(BATCH_CACHE)
    if cache is not None and write.key in cache.checked:
        seen = cache.applied.get(write.key)
    else:
        seen = await db.get(AppliedWrite, write.key)
    if seen is not None:
        if seen.payload_hash != payload_hash(write) or seen.user_id != actor.user_id:
            return WriteResult(
                Outcome.REFUSED,
                errors={"": Message(N_("This change was already sent with other content."))},
            )
        return WriteResult(
            Outcome.DUPLICATE,
            result=seen.result.get("result", {}),
            errors=_loaded_errors(seen.result.get("errors", {})),
            original_outcome=Outcome(seen.outcome),
        )
    outcome = await _run_handler(db, actor, write, cache=cache)
    row = _applied_row(actor, write.key, write.kind, payload_hash(write), outcome, utcnow())
    if cache is not None:
        remember(cache, actor, row)
    else:
        db.add(AppliedWrite(**row))
        await db.flush()
    return outcome


def _applied_row(
    actor: Actor, key: uuid.UUID, kind: str, digest: str, outcome: WriteResult, now: datetime
) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "user_id": actor.user_id,
        "device_id": actor.device_id,
        "kind": kind[:40],
        "payload_hash": digest,
        "outcome": outcome.outcome._value_,
        # Errors only when there are some (a repeat reads them with a default): less to store.
        "result": {"result": outcome.result, "errors": _stored_errors(outcome.errors)}
        if outcome.errors
        else {"result": outcome.result},
        "applied_at": now,
    }


def remember(cache: BatchCache, actor: Actor, row: dict[str, Any]) -> None:
    """Keep a batch's applied key, inserted with the rest of the batch; a repeat of it later
    in the same batch is a duplicate."""
    key = row["idempotency_key"]
    cache.checked.add(key)
    cache.rows.append(row)
    cache.applied[key] = Seen(row["payload_hash"], actor.user_id, row["outcome"], row["result"])


def batch_audit_rows(db: AsyncSession) -> list[dict[str, Any]]:
    """The audit rows the batch inserts at its end (`finish_batch`)."""
    cache: BatchCache = db.info[BATCH_CACHE]
    return cache.audit_rows


def batch_cache(db: AsyncSession) -> BatchCache | None:
    cache: BatchCache | None = db.info.get(BATCH_CACHE)
    return cache


def _refusal_of(exc: DomainError) -> WriteResult:
    if isinstance(exc, ValidationFailed):
        return WriteResult(Outcome.REFUSED, errors=exc.errors)
    if isinstance(exc, NotFound):
        return WriteResult(Outcome.REFUSED, errors={"": Message(N_("Not found."))})
    return WriteResult(Outcome.REFUSED, errors={"": Message(N_("You may not make this change."))})


async def _run_handler(
    db: AsyncSession, actor: Actor, write: Write, *, cache: BatchCache | None = None
) -> WriteResult:
    registered = _HANDLERS.get(write.kind)
    if registered is None:
        return WriteResult(
            Outcome.REFUSED, errors={"": Message(N_("This kind of change is not accepted."))}
        )
    if cache is not None and registered.checks_before_writing:
        # Nothing to roll back if it refuses: its audit rows can wait for the batch's end.
        db.info[AUDIT_ROWS] = cache.audit_rows
        try:
            return await registered.handler(db, actor, write)
        except DomainError as exc:
            return _refusal_of(exc)
        finally:
            db.info.pop(AUDIT_ROWS, None)
    handler = registered.handler
    # A savepoint, so a refused write leaves nothing half-written but its key is still kept.
    savepoint = await db.begin_nested()
    try:
        outcome = await handler(db, actor, write)
    except ValidationFailed as exc:
        await savepoint.rollback()
        return WriteResult(Outcome.REFUSED, errors=exc.errors)
    except NotFound:
        await savepoint.rollback()
        return WriteResult(Outcome.REFUSED, errors={"": Message(N_("Not found."))})
    except DomainError:
        await savepoint.rollback()
        return WriteResult(
            Outcome.REFUSED, errors={"": Message(N_("You may not make this change."))}
        )
    await savepoint.commit()
    return outcome
