"""The registered write kinds. Each validates its payload and calls domain functions; the
same handlers serve the online forms and (in the offline issue) device batches."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import SessionStatus
from server.activities.scope import people_visible_to
from server.activities.sessions import enroll, get_session, update_session
from server.attendance.models import MarkStatus
from server.attendance.prefetch import mark_cache
from server.attendance.service import (
    BATCH_MARKS,
    MarkInput,
    MarkOutcome,
    check_in,
    close_session,
    record_cached_mark,
    record_mark,
)
from server.auth.actor import Actor
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.validation import MultiLine, SingleLine, parse_form
from server.i18n.catalogs import N_
from server.people.schemas import NewPerson
from server.people.service import find_by_code, find_similar, get_person, register_person
from server.records.merge import current_person, current_person_id
from server.sync.writes import (
    Outcome,
    Write,
    WriteResult,
    batch_cache,
    is_new_in_batch,
    remember_applied,
    write_handler,
)

POSSIBLE_DUPLICATE = N_("Someone with this name and birth year is registered already.")
UNKNOWN_CARD = N_("No one with this card code is on your lists.")


class MarkPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    person_id: uuid.UUID
    status: MarkStatus
    quantity: int | None = Field(default=None, ge=1, le=100)


@write_handler("attendance.mark", checks_before_writing=True)
async def apply_mark(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    payload = parse_form(MarkPayload, write.payload)

    async def mark(person_id: uuid.UUID) -> MarkOutcome:
        return await record_mark(
            db,
            actor,
            MarkInput(payload.session_id, person_id, payload.status, payload.quantity),
            marked_at=write.device_time,
            idempotency_key=write.key,
        )

    try:
        outcome = await mark(payload.person_id)
    except (NotFound, ValidationFailed):
        # A phone that still shows a person merged since then marks the kept record.
        kept = await current_person_id(db, payload.person_id)
        if kept is None:
            raise
        outcome = await mark(kept)
    result = {"mark_id": str(outcome.mark_id), "status": outcome.status.value}
    return WriteResult(Outcome.SUPERSEDED if outcome.superseded else Outcome.APPLIED, result)


_STATUSES = {status.value: status for status in MarkStatus}
MARK = "attendance.mark"


def _canonical_uuid(text: object, parsed: dict[str, uuid.UUID]) -> uuid.UUID | None:
    """`text` as a UUID when it is written the canonical way (lower case, with hyphens)."""
    if type(text) is not str:
        return None
    found = parsed.get(text)
    if found is None:
        try:
            found = uuid.UUID(text)
        except ValueError:
            return None
        if str(found) != text:
            return None
        parsed[text] = found
    return found


def plain_mark(
    payload: dict[str, object], parsed: dict[str, uuid.UUID]
) -> tuple[MarkInput, str] | None:
    """A mark payload in the form the app sends (canonical ids, a known status, a whole
    quantity or none), with its `payload_hash`, without pydantic; None for anything else,
    which `apply_mark` then validates (and explains). `parsed` keeps ids already read."""
    quantity = payload.get("quantity")
    if len(payload) != (4 if "quantity" in payload else 3):
        return None
    session_id = _canonical_uuid(payload.get("session_id"), parsed)
    person_id = _canonical_uuid(payload.get("person_id"), parsed)
    text = payload.get("status")
    status = _STATUSES.get(text) if type(text) is str else None
    if session_id is None or person_id is None or status is None:
        return None
    if quantity is None:
        counted = ""
    elif type(quantity) is int and 1 <= quantity <= 100:
        counted = f'"quantity":"{quantity}",'
    else:
        return None
    # What `payload_hash` makes of it: the same canonical JSON, written out directly (every
    # value here is plain ASCII, nothing to escape).
    canonical = (
        f'["{MARK}",{{"person_id":"{payload["person_id"]}",{counted}'
        f'"session_id":"{payload["session_id"]}","status":"{status.value}"}}]'
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return MarkInput(session_id, person_id, status, quantity), digest


def apply_plain_mark(
    db: AsyncSession,
    actor: Actor,
    key: uuid.UUID,
    payload: dict[str, object],
    made_at: datetime,
    now: datetime,
    parsed: dict[str, uuid.UUID],
    new_ids: Callable[[], uuid.UUID],
) -> WriteResult | None:
    """A batch's mark without dispatch, pydantic or await: what `apply_write` → `apply_mark`
    does (same merge, same audit item, same key and result kept), when the write is new and
    everything it needs was read for the batch. None otherwise: then `apply_write` applies
    it (a duplicate, a refusal, a merged person, a person enrolled in this batch)."""
    batch = batch_cache(db)
    marks = mark_cache(db)
    if batch is None or marks is None or not is_new_in_batch(batch, key):
        return None
    plain = plain_mark(payload, parsed)
    if plain is None:
        return None
    data, digest = plain
    recorded = record_cached_mark(
        marks, actor, data, now=now, marked_at=made_at, idempotency_key=key, mark_id=new_ids()
    )
    if recorded is None:
        return None
    outcome, item = recorded
    batch.audit_groups.add(  # the batch's entry for the session's marks (decision 20)
        actor,
        BATCH_MARKS,
        entity_type="session",
        entity_id=str(payload["session_id"]),  # canonical (plain_mark), as str(session_id)
        list_key="marks",
        item=item,
        at=now,
    )
    result = WriteResult(
        Outcome.SUPERSEDED if outcome.superseded else Outcome.APPLIED,
        {"mark_id": str(outcome.mark_id), "status": outcome.status.value},
    )
    remember_applied(batch, actor, key, MARK, digest, result, now)
    return result


class SessionPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID


class SessionDetailsPayload(SessionPayload):
    status: SessionStatus
    note: MultiLine = Field(default="", max_length=2000)


@write_handler("session.update")
async def apply_session_update(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    payload = parse_form(SessionDetailsPayload, write.payload)
    await update_session(db, actor, payload.session_id, payload.status, payload.note.strip())
    return WriteResult(Outcome.APPLIED, {"status": payload.status.value})


@write_handler("session.close")
async def apply_session_close(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    payload = parse_form(SessionPayload, write.payload)
    outcome = await close_session(db, actor, payload.session_id, marked_at=write.device_time)
    return WriteResult(Outcome.APPLIED, {"marked_absent": outcome.marked_absent})


class NewcomerPayload(NewPerson):
    session_id: uuid.UUID
    confirm_new: bool = False


@write_handler("people.register_newcomer")
async def apply_newcomer(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    """Register a person met at a session, enrol them and mark them present, in one step."""
    payload = parse_form(NewcomerPayload, write.payload)
    context = await get_session(db, actor, payload.session_id)
    if not payload.confirm_new:
        similar = await find_similar(
            db, payload.given_name, payload.family_name, payload.birth_year
        )
        if similar:
            raise ValidationFailed({"": Message(POSSIBLE_DUPLICATE)})
    person = await register_person(db, actor, payload)
    await enroll(db, actor, context.activity.id, person.id, on=context.session.date)
    await check_in(db, actor, payload.session_id, person.id, marked_at=write.device_time)
    return WriteResult(Outcome.APPLIED, {"person_id": str(person.id), "code": person.code})


class EnrolPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    person_id: uuid.UUID
    # When the person was offered by the duplicate warning: what the facilitator typed.
    given_name: SingleLine = Field(default="", max_length=100)
    family_name: SingleLine = Field(default="", max_length=100)
    birth_year: int | None = Field(default=None, ge=1900, le=2100)


async def _check_may_enrol(db: AsyncSession, actor: Actor, payload: EnrolPayload) -> None:
    """People in the actor's scope, or a likely duplicate of the name and birth year they
    typed for a newcomer (the warning offers those, so nobody is registered twice)."""
    scope = people_visible_to(actor)
    try:
        await get_person(db, payload.person_id, scope=scope)
        return
    except NotFound:
        if not payload.given_name:
            raise
    similar = await find_similar(db, payload.given_name, payload.family_name, payload.birth_year)
    if payload.person_id not in {p.id for p in similar}:
        raise NotFound


async def _enrol_and_check_in(
    db: AsyncSession, actor: Actor, write: Write, session_id: uuid.UUID, person_id: uuid.UUID
) -> WriteResult:
    context = await get_session(db, actor, session_id)
    await enroll(db, actor, context.activity.id, person_id, on=context.session.date)
    outcome = await check_in(db, actor, session_id, person_id, marked_at=write.device_time)
    return WriteResult(Outcome.APPLIED, {"already": outcome.already, "person_id": str(person_id)})


@write_handler("activities.enroll")
async def apply_enrol(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    """Add a person to the session's activity (if they were not on the list) and mark them
    present, once: "add an existing person" and event check-in are the same act."""
    payload = parse_form(EnrolPayload, write.payload)
    # A phone that still shows a person merged since then adds the kept record.
    payload.person_id = await current_person(db, payload.person_id)
    await get_session(db, actor, payload.session_id)
    await _check_may_enrol(db, actor, payload)
    return await _enrol_and_check_in(db, actor, write, payload.session_id, payload.person_id)


class CheckInPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    # A card's code, as typed or scanned; the server looks it up when the write is applied.
    code: SingleLine = Field(default="", max_length=20)
    # Who the phone found (from a search, or the code looked up in its cached list).
    person_id: uuid.UUID | None = None


@write_handler("attendance.check_in")
async def apply_check_in(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    """Event check-in by a card's code or by a person found in a search. A code is looked up
    here, when the write is applied (also a code queued on a phone that could not look it up):
    the server's cards decide, so a replaced card no longer checks anyone in."""
    payload = parse_form(CheckInPayload, write.payload)
    await get_session(db, actor, payload.session_id)
    scope = people_visible_to(actor)
    if payload.code.strip():
        person = await find_by_code(db, payload.code, scope=scope)
        if person is None:
            raise ValidationFailed({"code": Message(UNKNOWN_CARD)})
        person_id = person.id
    elif payload.person_id is not None:
        # A phone that still shows a person merged since then checks in the kept record.
        kept = await current_person(db, payload.person_id)
        person_id = (await get_person(db, kept, scope=scope)).id
    else:
        raise ValidationFailed({"code": Message(UNKNOWN_CARD)})
    return await _enrol_and_check_in(db, actor, write, payload.session_id, person_id)
