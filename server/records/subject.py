"""Everything held about one person, for a data-subject access request (GDPR art. 15): their
record, consents, enrolments, attendance with its history, progress, merges and the audit
entries about them. One plain structure serves both the JSON file and the readable page."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivitySession, Enrollment
from server.attendance.models import AttendanceMark, MarkHistory
from server.audit.models import AuditEntry
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.auth.models import StaffUser
from server.common.errors import Forbidden, NotFound
from server.people.models import Consent, Person, PersonMerge
from server.progress.models import ProgressAssessment
from server.records.mentions import find_mentions

PERSON_FIELDS = (
    "code", "given_name", "family_name", "sex", "birth_year", "nationality", "languages",
    "phone", "population_group", "created_at", "updated_at", "erased_at",
)  # fmt: skip


def _plain(value: Any) -> Any:
    """JSON-able: enums by value, dates and times in ISO 8601, ids as strings."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


async def _staff_names(db: AsyncSession, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await db.exec(
        select(StaffUser.id, StaffUser.display_name).where(col(StaffUser.id).in_(wanted))
    )
    return dict(rows.all())


async def person_data(db: AsyncSession, actor: Actor, person_id: uuid.UUID) -> dict[str, Any]:
    """The whole record of one person, for an admin answering an access request."""
    if actor.role.value != "admin":
        raise Forbidden
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound
    pid = person.id
    consents = (await db.exec(select(Consent).where(Consent.person_id == pid))).all()
    enrolments = (
        await db.exec(
            select(Enrollment, Activity)
            .join(Activity, col(Activity.id) == Enrollment.activity_id)
            .where(Enrollment.person_id == pid)
            .order_by(col(Enrollment.enrolled_at))
        )
    ).all()
    marks = (
        await db.exec(
            select(AttendanceMark, ActivitySession, Activity)
            .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
            .join(Activity, col(Activity.id) == ActivitySession.activity_id)
            .where(AttendanceMark.person_id == pid)
            .order_by(col(ActivitySession.date), col(ActivitySession.start_time))
        )
    ).all()
    history = (
        await db.exec(
            select(MarkHistory, ActivitySession, Activity)
            .join(ActivitySession, col(ActivitySession.id) == MarkHistory.session_id)
            .join(Activity, col(Activity.id) == ActivitySession.activity_id)
            .where(MarkHistory.person_id == pid)
            .order_by(col(MarkHistory.superseded_at))
        )
    ).all()
    assessments = (
        await db.exec(
            select(ProgressAssessment, Activity)
            .join(Activity, col(Activity.id) == ProgressAssessment.activity_id)
            .where(ProgressAssessment.person_id == pid)
            .order_by(col(ProgressAssessment.assessed_on), col(ProgressAssessment.created_at))
        )
    ).all()
    merges = (await db.exec(select(PersonMerge).where(PersonMerge.kept_id == pid))).all()
    merged_ids = [str(m.merged_id) for m in merges]
    audit = (
        await db.exec(
            select(AuditEntry)
            .where(col(AuditEntry.entity_id).in_([str(pid), *merged_ids]))
            .order_by(col(AuditEntry.at))
        )
    ).all()
    staff = await _staff_names(
        db,
        {c.recorded_by_id for c in consents}
        | {m.marked_by_id for m, _, _ in marks}
        | {h.marked_by_id for h, _, _ in history}
        | {a.assessed_by_id for a, _ in assessments}
        | {e.enrolled_by_id for e, _ in enrolments}
        | {a.actor_id for a in audit}
        | {person.created_by_id},
    )

    def who(user_id: uuid.UUID | None) -> str | None:
        return staff.get(user_id) if user_id else None

    return {
        "person": {
            "id": str(pid),
            **{f: _plain(getattr(person, f)) for f in PERSON_FIELDS},
            "registered_by": who(person.created_by_id),
        },
        "consents": [
            {
                "given_at": _plain(c.given_at),
                "purposes": list(c.purposes),
                "text_version": c.text_version,
                "shown_in": _plain(c.shown_in),
                "withdrawn_at": _plain(c.withdrawn_at),
                "recorded_by": who(c.recorded_by_id),
            }
            for c in consents
        ],
        "enrolments": [
            {
                "activity": a.title,
                "status": _plain(e.status),
                "enrolled_at": _plain(e.enrolled_at),
                "enrolled_by": who(e.enrolled_by_id),
            }
            for e, a in enrolments
        ],
        "attendance": [
            {
                "activity": a.title,
                "date": _plain(s.date),
                "start_time": _plain(s.start_time),
                "status": _plain(m.status),
                "quantity": m.quantity,
                "marked_at": _plain(m.marked_at),
                "marked_by": who(m.marked_by_id),
            }
            for m, s, a in marks
        ],
        "attendance_changes": [
            {
                "activity": a.title,
                "date": _plain(s.date),
                "status": _plain(h.status),
                "marked_at": _plain(h.marked_at),
                "marked_by": who(h.marked_by_id),
                "replaced_at": _plain(h.superseded_at),
            }
            for h, s, a in history
        ],
        "progress": [
            {
                "course": a.title,
                "skill": _plain(p.skill),
                "level": _plain(p.level),
                "assessed_on": _plain(p.assessed_on),
                "note": p.note,
                "assessed_by": who(p.assessed_by_id),
            }
            for p, a in assessments
        ],
        "merged_records": [
            {"code": m.merged_code, "merged_at": _plain(m.merged_at)} for m in merges
        ],
        "audit": [{"at": _plain(e.at), "action": e.action, "by": who(e.actor_id)} for e in audit],
        "mentions": [
            {"kind": m.kind, "date": _plain(m.day), "activity": m.activity, "text": m.text}
            for m in await find_mentions(db, person)
        ],
    }


async def export_person(db: AsyncSession, actor: Actor, person_id: uuid.UUID) -> dict[str, Any]:
    """person_data, audited: an export of someone's data is itself recorded."""
    data = await person_data(db, actor, person_id)
    await audit_by(db, actor, "person.export", entity_type="person", entity_id=str(person_id))
    return data
