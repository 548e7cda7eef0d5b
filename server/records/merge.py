"""Merging two records of one person (registered twice, perhaps in two alphabets).

Everything moves to the kept record: enrolments, marks (a clash on one session is merged like
two devices' marks, the loser kept in history), mark history, assessments and consents; blank
fields of the kept record are filled from the other. The merged id is remembered
(`PersonMerge`), so writes still queued on a phone for the old record reach the kept one:
every write kind that names a person resolves it with `current_person`/`current_people`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.sessions import move_enrolments
from server.attendance.service import move_marks
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Forbidden, Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.people.models import Consent, Person, PersonMerge
from server.progress.models import ProgressAssessment

SAME_PERSON = N_("Choose two different people.")
FILLED = (
    "birth_year", "nationality", "phone", "population_group", "wg_seeing", "wg_hearing",
    "wg_walking", "wg_remembering", "wg_self_care", "wg_communicating",
)  # fmt: skip


@dataclass(frozen=True)
class Merged:
    kept: Person
    merged_code: str
    enrolments: int
    marks: int


async def merge_people(
    db: AsyncSession, actor: Actor, kept_id: uuid.UUID, merged_id: uuid.UUID
) -> Merged:
    if not actor.sees_all_activities:
        raise Forbidden
    if kept_id == merged_id:
        raise ValidationFailed({"": Message(SAME_PERSON)})
    kept, merged = await db.get(Person, kept_id), await db.get(Person, merged_id)
    if kept is None or merged is None:
        raise NotFound
    enrolments = await move_enrolments(db, kept.id, merged.id)
    marks = await move_marks(db, kept.id, merged.id)
    for model in (ProgressAssessment, Consent):
        await db.exec(
            update(model).where(col(model.person_id) == merged.id).values(person_id=kept.id)
        )
    _fill_blanks(kept, merged)
    # Earlier merges into the merged record now point at the kept one.
    await db.exec(
        update(PersonMerge).where(col(PersonMerge.kept_id) == merged.id).values(kept_id=kept.id)
    )
    merged_code = merged.code
    db.add(kept)
    await db.delete(merged)
    await db.flush()
    db.add(
        PersonMerge(
            merged_id=merged_id,
            kept_id=kept.id,
            merged_code=merged_code,
            merged_at=utcnow(),
            merged_by_id=actor.user_id,
        )
    )
    await audit_by(
        db,
        actor,
        "people.merge",
        entity_type="person",
        entity_id=str(kept.id),
        details={
            "merged_id": str(merged_id),
            "merged_code": merged_code,
            "enrolments": enrolments,
            "marks": marks,
        },
    )
    return Merged(kept, merged_code, enrolments, marks)


def _fill_blanks(kept: Person, merged: Person) -> None:
    for name in FILLED:
        if getattr(kept, name) in (None, "") and getattr(merged, name) not in (None, ""):
            setattr(kept, name, getattr(merged, name))
    kept.languages = list(dict.fromkeys([*kept.languages, *merged.languages]))
    kept.updated_at = utcnow()


async def current_person_id(db: AsyncSession, person_id: uuid.UUID) -> uuid.UUID | None:
    """The record a (possibly merged) person id stands for now, or None if it never merged."""
    found = await db.exec(select(PersonMerge.kept_id).where(PersonMerge.merged_id == person_id))
    return found.first()


async def current_person(db: AsyncSession, person_id: uuid.UUID) -> uuid.UUID:
    """The id to write with: the kept record's for a person merged since, else the same."""
    return await current_person_id(db, person_id) or person_id


async def current_people(
    db: AsyncSession, person_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """For each of `person_ids` merged since, the kept record's id (one query)."""
    wanted = set(person_ids)
    if not wanted:
        return {}
    found = await db.exec(
        select(PersonMerge.merged_id, PersonMerge.kept_id).where(
            col(PersonMerge.merged_id).in_(wanted)
        )
    )
    return {merged: kept for merged, kept in found.all()}
