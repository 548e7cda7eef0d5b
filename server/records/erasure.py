"""Erasing a person (GDPR art. 17) and the retention rule that anonymises people with no
activity for too long. Both remove personal fields for good and keep the row with what the
anonymous counts of past reports need (sex, birth year, nationality, population group), so a
report for last year gives the same totals before and after.

What goes: names (and the search key made from them), phone, languages, the person's code
(a new random one is given, so a printed card no longer finds them), free-text notes teachers
wrote about them, the codes of records merged into theirs, and their name where staff typed it
in free text (session notes, lesson records, notes on others' progress:
server/records/mentions.py). Their enrolments end, so they leave every roster, and phones drop
them at their next sync (the offline pack's versions
include the people on each page). What stays: marks, progress levels without notes,
consent dates and purposes (the record that consent existed), and the audit trail, which names
people by id only."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import exists, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Enrollment, EnrollmentStatus
from server.attendance.models import AttendanceMark
from server.audit.service import audit_by, record_audit
from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import Forbidden, Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.people.codes import make_person_code
from server.people.models import Person, PersonMerge
from server.progress.models import ProgressAssessment
from server.records.mentions import FreeText, load_texts, redact_mentions

MAX_REASON = 300


async def _fresh_code(db: AsyncSession) -> str:
    for _ in range(20):
        code = make_person_code()
        if (await db.exec(select(Person.id).where(Person.code == code))).first() is None:
            return code
    raise RuntimeError("could not find a free person code")


async def _wipe(
    db: AsyncSession, person: Person, now: datetime, texts: list[FreeText] | None = None
) -> dict[str, int]:
    mentions = await redact_mentions(db, person, now, texts)
    person.given_name = ""
    person.family_name = ""
    person.search_name = ""
    person.phone = None
    person.languages = []
    person.code = await _fresh_code(db)
    person.erased_at = now
    person.updated_at = now
    db.add(person)
    await db.exec(
        update(ProgressAssessment)
        .where(col(ProgressAssessment.person_id) == person.id)
        .values(note="")
    )
    await db.exec(
        update(Enrollment)
        .where(col(Enrollment.person_id) == person.id)
        .where(col(Enrollment.status).in_([EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED]))
        .values(status=EnrollmentStatus.WITHDRAWN)
    )
    await db.exec(
        update(PersonMerge).where(col(PersonMerge.kept_id) == person.id).values(merged_code="")
    )
    await db.flush()
    return mentions


async def erase_person(
    db: AsyncSession, actor: Actor, person_id: uuid.UUID, *, reason: str
) -> Person:
    """An admin erases one person on their request. The reason (e.g. when and how the request
    came) is required and audited; it must not contain the person's name."""
    if actor.role != Role.ADMIN:
        raise Forbidden
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound
    if person.erased_at is not None:
        raise ValidationFailed({"": Message(N_("This person's data was erased already."))})
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            {"reason": Message(N_("Say why, for example the date of the request."))}
        )
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            {"reason": Message(N_("Use at most %(max)s characters."), {"max": MAX_REASON})}
        )
    mentions = await _wipe(db, person, utcnow())
    await audit_by(
        db, actor, "person.erase", entity_type="person", entity_id=str(person.id),
        details={"reason": reason, "mentions": mentions},
    )  # fmt: skip
    return person


def inactive_people(cutoff: datetime):  # type: ignore[no-untyped-def]
    """People not erased yet with nothing recorded about them since `cutoff`: no registration,
    change, enrolment, mark or assessment."""
    pid = col(Person.id)
    return (
        select(Person)
        .where(col(Person.erased_at).is_(None))
        .where(col(Person.created_at) < cutoff, col(Person.updated_at) < cutoff)
        .where(~exists().where(col(AttendanceMark.person_id) == pid,
                               col(AttendanceMark.marked_at) >= cutoff))
        .where(~exists().where(col(Enrollment.person_id) == pid,
                               col(Enrollment.enrolled_at) >= cutoff))
        .where(~exists().where(col(ProgressAssessment.person_id) == pid,
                               col(ProgressAssessment.created_at) >= cutoff))
    )  # fmt: skip


def retention_cutoff(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


async def anonymise_inactive(db: AsyncSession, *, now: datetime, months: int) -> list[uuid.UUID]:
    """The retention rule: anonymise everyone inactive for `months`; one audit entry each."""
    people = (await db.exec(inactive_people(retention_cutoff(now, months)))).all()
    texts = await load_texts(db) if people else []
    for person in people:
        mentions = await _wipe(db, person, now, texts)
        await record_audit(
            db, action="person.anonymise", entity_type="person", entity_id=str(person.id),
            details={"rule": f"no activity for {months} months", "mentions": mentions},
        )  # fmt: skip
    return [p.id for p in people]
