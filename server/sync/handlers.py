"""The registered write kinds. Each validates its payload and calls domain functions; the
same handlers serve the online forms and (in the offline issue) device batches."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, SessionStatus
from server.activities.scope import people_visible_to
from server.activities.sessions import enroll, get_session, update_session
from server.attendance.models import MarkStatus
from server.attendance.prefetch import MarkRow, mark_cache
from server.attendance.service import (
    BATCH_MARKS,
    MarkInput,
    MarkOutcome,
    MarkValues,
    check_in,
    close_session,
    merge_cached,
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
    Seen,
    Write,
    WriteResult,
    batch_cache,
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


class PlainMarks:
    """One batch's fast path for marks (decision 14, 25): what `apply_write` → `apply_mark`
    does for a new mark in the form the app sends (same merge, same audit item, same key and
    result kept), without dispatch, pydantic, await or intermediate objects. The batch's
    caches are looked up once here, not once a mark; a session's activity is kept as its id
    and whether it is a distribution (no ORM attribute a mark)."""

    __slots__ = ("_kinds", "actor", "batch", "marks", "new_ids", "now", "parsed")

    def __init__(
        self,
        db: AsyncSession,
        actor: Actor,
        now: datetime,
        parsed: dict[str, uuid.UUID],
        new_ids: Callable[[], uuid.UUID],
    ) -> None:
        self.batch = batch_cache(db)
        self.marks = mark_cache(db)
        self.actor = actor
        self.now = now
        self.parsed = parsed
        self.new_ids = new_ids
        self._kinds: dict[str, tuple[uuid.UUID, bool] | None] = {}

    def _kind(self, session_text: str, session_id: uuid.UUID) -> tuple[uuid.UUID, bool] | None:
        """The session's activity id and whether it is a distribution, if it is in the cache
        (the activities a batch reads do not change while it runs)."""
        assert self.marks is not None
        activity = self.marks.activities.get(session_id)
        kind = (
            None if activity is None else (activity.id, activity.kind == ActivityKind.DISTRIBUTION)
        )
        self._kinds[session_text] = kind
        return kind

    def apply(
        self, key: uuid.UUID, payload: dict[str, object], made_at: datetime
    ) -> WriteResult | None:
        """The mark's result, or None when `apply_write` must apply it: a duplicate, a
        payload not in the app's form, anything that would be refused, a merged person, a
        person enrolled in this batch, a session or mark not in the batch's cache."""
        batch, marks = self.batch, self.marks
        if batch is None or marks is None or not marks.deferring:
            return None
        if key not in batch.checked or key in batch.applied:
            return None
        # What `plain_mark` accepts, in the same order of checks (tests compare the two).
        size = len(payload)
        quantity: int | None = None
        if size == 4 and "quantity" in payload:
            given = payload["quantity"]
            if given is not None:
                if type(given) is not int or not 1 <= given <= 100:
                    return None
                quantity = given
        elif size != 3:
            return None
        parsed = self.parsed
        session_text = payload.get("session_id")
        person_text = payload.get("person_id")
        if type(session_text) is not str or type(person_text) is not str:
            return None
        session_id = parsed.get(session_text) or _canonical_uuid(session_text, parsed)
        person_id = parsed.get(person_text) or _canonical_uuid(person_text, parsed)
        text = payload.get("status")
        status = _STATUSES.get(text) if type(text) is str else None
        if session_id is None or person_id is None or status is None:
            return None
        kind = self._kinds.get(session_text, _MISSING)  # by text: str hashes are cached
        if kind is _MISSING:
            kind = self._kind(session_text, session_id)
        if kind is None:
            return None
        activity_id, distribution = kind
        # `_check_status`: refusals are left to `record_mark`, which says why.
        if distribution != (status is MarkStatus.RECEIVED):
            return None
        if quantity is not None and not distribution:
            return None
        pair = (session_id, person_id)
        current = marks.marks.get(pair, _MISSING)
        if current is _MISSING or (activity_id, person_id) not in marks.enrolled:
            return None
        now, actor = self.now, self.actor
        counted = "" if quantity is None else f'"quantity":"{quantity}",'
        digest = hashlib.sha256(
            f'["{MARK}",{{"person_id":"{person_text}",{counted}'
            f'"session_id":"{session_text}","status":"{text}"}}]'.encode()
        ).hexdigest()  # what `payload_hash` makes of it (see `plain_mark`)
        marked_at = now if now < made_at else made_at  # `new_mark`: never later than now
        incoming = MarkRow(
            self.new_ids(), session_id, person_id, status, quantity, actor.user_id,
            marked_at, actor.device_id, now, key,
        )  # fmt: skip
        if current is None:
            marks.marks[pair] = incoming
            mark: MarkValues = incoming
            superseded = False
        else:
            mark, superseded = merge_cached(marks, incoming)
        item = {  # `batch_mark_item`
            "person_id": person_text,
            "status": text,
            "superseded": superseded,
            "marked_at": marked_at.isoformat(),
        }
        groups = batch.audit_groups
        items = groups.open.get((BATCH_MARKS, session_text))
        if items is None:  # the batch's entry for the session's marks (decision 20)
            groups.add(
                actor,
                BATCH_MARKS,
                entity_type="session",
                entity_id=session_text,  # canonical, as str(session_id)
                list_key="marks",
                item=item,
                at=now,
            )
        else:
            items.append(item)
        outcome = Outcome.SUPERSEDED if superseded else Outcome.APPLIED
        answer = {
            "mark_id": str(mark.id),
            "status": text if mark is incoming else mark.status.value,
        }
        result = WriteResult(outcome, answer)
        # what `apply_write` keeps (`remember`), inline (the key is in `checked` already)
        stored = {"result": answer}
        batch.rows.append(
            {
                "idempotency_key": key,
                "user_id": actor.user_id,
                "device_id": actor.device_id,
                "kind": MARK,
                "payload_hash": digest,
                "outcome": outcome._value_,
                "result": stored,
                "applied_at": now,
            }
        )
        batch.applied[key] = Seen(digest, actor.user_id, outcome._value_, stored)
        return result


_MISSING: Any = object()


def apply_plain_mark(
    plain: PlainMarks, key: uuid.UUID, payload: dict[str, object], made_at: datetime
) -> WriteResult | None:
    """A batch's mark through its fast path (`PlainMarks.apply`); None when `apply_write`
    must apply it. Tests switch the fast path off by replacing this function."""
    return plain.apply(key, payload, made_at)


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
