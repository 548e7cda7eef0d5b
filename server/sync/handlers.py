"""The registered write kinds. Each validates its payload and calls domain functions; the
same handlers serve the online forms and (in the offline issue) device batches."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import SessionStatus
from server.activities.scope import people_visible_to
from server.activities.sessions import enroll, get_session, update_session
from server.attendance.models import MarkStatus
from server.attendance.service import (
    MarkInput,
    MarkOutcome,
    check_in,
    close_session,
    record_mark,
)
from server.auth.actor import Actor
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.validation import MultiLine, SingleLine, parse_form
from server.i18n.catalogs import N_
from server.people.schemas import NewPerson
from server.people.service import find_similar, get_person, register_person
from server.records.merge import current_person, current_person_id
from server.sync.writes import Outcome, Write, WriteResult, write_handler

POSSIBLE_DUPLICATE = N_("Someone with this name and birth year is registered already.")


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
    await enroll(db, actor, context.activity.id, person.id)
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


@write_handler("activities.enroll")
@write_handler("attendance.check_in")
async def apply_check_in(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    """Add a person to the session's activity (if they were not on the list) and mark them
    present, once: "add an existing person" and event check-in are the same act."""
    payload = parse_form(EnrolPayload, write.payload)
    # A phone that still shows a person merged since then adds the kept record.
    payload.person_id = await current_person(db, payload.person_id)
    context = await get_session(db, actor, payload.session_id)
    await _check_may_enrol(db, actor, payload)
    await enroll(db, actor, context.activity.id, payload.person_id)
    outcome = await check_in(
        db, actor, payload.session_id, payload.person_id, marked_at=write.device_time
    )
    return WriteResult(Outcome.APPLIED, {"already": outcome.already})
