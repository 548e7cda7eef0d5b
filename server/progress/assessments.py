"""Recording learners' levels by skill, and reading them back: the latest level of each skill,
and the whole history. Recording never overwrites: each assessment is a new row, so two
teachers assessing the same learner on the same day keep both entries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Message, ValidationFailed
from server.common.models import new_id, utcnow
from server.common.vocab import CefrLevel
from server.i18n.catalogs import N_
from server.progress.courses import get_course_to_teach, learner_ids
from server.progress.models import ProgressAssessment, Skill

LEVELS: tuple[CefrLevel, ...] = tuple(CefrLevel)
SKILLS: tuple[Skill, ...] = tuple(Skill)
NOTE_MAX = 500
_SKILL_VALUES = frozenset(skill.value for skill in SKILLS)
_LEVEL_VALUES = frozenset(level.value for level in LEVELS)

NOT_A_LEARNER = N_("This person is not a learner in this course.")
NOTHING_CHOSEN = N_("Choose a level for at least one skill.")
NOTE_WITHOUT_LEVEL = N_("Choose a level for this learner to save the note.")
FUTURE_DATE = N_("The date cannot be in the future.")


@dataclass(frozen=True)
class AssessmentInput:
    person_id: uuid.UUID
    skill: Skill
    level: CefrLevel
    note: str = ""


def level_rank(level: CefrLevel) -> int:
    """Position on the scale, A0 = 0 … C2 = 10 (for charts and comparisons)."""
    return LEVELS.index(level)


def check_date(assessed_on: date, today: date) -> None:
    # A day of slack: the device's "today" may be ahead of the server's in another time zone.
    if assessed_on > today + timedelta(days=1):
        raise ValidationFailed({"assessed_on": Message(FUTURE_DATE)})


async def record_assessments(
    db: AsyncSession,
    actor: Actor,
    activity_id: uuid.UUID,
    assessed_on: date,
    entries: list[AssessmentInput],
    *,
    today: date | None = None,
) -> int:
    """Record a class's (or one learner's) assessments at once: all of them or none."""
    await get_course_to_teach(db, actor, activity_id)
    check_date(assessed_on, today or utcnow().date())
    if not entries:
        raise ValidationFailed({"": Message(NOTHING_CHOSEN)})
    learners = await learner_ids(db, activity_id)
    strangers = {
        f"level.{e.person_id}.{e.skill.value}": Message(NOT_A_LEARNER)
        for e in entries
        if e.person_id not in learners
    }
    if strangers:
        raise ValidationFailed(strangers)
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "person_id": e.person_id,
            "activity_id": activity_id,
            "skill": e.skill,
            "level": e.level,
            "assessed_on": assessed_on,
            "note": e.note,
            "assessed_by_id": actor.user_id,
            "device_id": actor.device_id,
            "created_at": now,
        }
        for e in entries
    ]
    await db.exec(insert(ProgressAssessment), params=rows)
    await audit_by(
        db,
        actor,
        "progress.assess",
        entity_type="activity",
        entity_id=str(activity_id),
        details={
            "assessed_on": assessed_on.isoformat(),
            "assessments": len(rows),
            "learners": sorted({str(e.person_id) for e in entries}),
        },
    )
    return len(rows)


def parse_class_form(data: dict[str, object]) -> tuple[list[AssessmentInput], dict[str, Message]]:
    """Read `level.<person>.<skill>` and `note.<person>` fields (empty ones mean "no new
    assessment"); returns the entries and the errors found."""
    levels: dict[tuple[uuid.UUID, Skill], CefrLevel] = {}
    notes: dict[uuid.UUID, str] = {}
    errors: dict[str, Message] = {}
    for name, raw in data.items():
        value = str(raw or "").strip()
        kind, _, rest = name.partition(".")
        person_text, _, skill_text = rest.partition(".")
        try:
            person_id = uuid.UUID(person_text)
        except ValueError:
            errors[name] = Message(N_("This value is not valid."))
            continue
        if kind == "level" and value:
            if skill_text not in _SKILL_VALUES or value not in _LEVEL_VALUES:
                errors[name] = Message(N_("Choose one of the options."))
                continue
            levels[(person_id, Skill(skill_text))] = CefrLevel(value)
        elif kind == "note" and not skill_text:
            if len(value) > NOTE_MAX:
                errors[name] = Message(
                    N_("Too long: at most %(max_length)s characters."), {"max_length": NOTE_MAX}
                )
            elif value:
                notes[person_id] = value
        elif kind != "level":
            errors[name] = Message(N_("This value is not valid."))
    assessed = {person_id for person_id, _ in levels}
    for person_id in notes.keys() - assessed:
        errors[f"note.{person_id}"] = Message(NOTE_WITHOUT_LEVEL)
    entries = [
        AssessmentInput(person_id, skill, level, notes.get(person_id, ""))
        for (person_id, skill), level in sorted(
            levels.items(), key=lambda item: (str(item[0][0]), SKILLS.index(item[0][1]))
        )
    ]
    return entries, errors


def _newest_first(query):  # type: ignore[no-untyped-def]
    return query.order_by(
        col(ProgressAssessment.assessed_on).desc(), col(ProgressAssessment.created_at).desc()
    )


async def latest_levels(
    db: AsyncSession, activity_id: uuid.UUID, person_ids: list[uuid.UUID] | None = None
) -> dict[uuid.UUID, dict[Skill, ProgressAssessment]]:
    """Each learner's newest assessment per skill in the course."""
    query = select(ProgressAssessment).where(ProgressAssessment.activity_id == activity_id)
    if person_ids is not None:
        query = query.where(col(ProgressAssessment.person_id).in_(person_ids))
    latest: dict[uuid.UUID, dict[Skill, ProgressAssessment]] = defaultdict(dict)
    for row in (await db.exec(_newest_first(query))).all():
        latest[row.person_id].setdefault(row.skill, row)
    return dict(latest)


async def skill_history(
    db: AsyncSession, activity_id: uuid.UUID, person_id: uuid.UUID
) -> dict[Skill, list[ProgressAssessment]]:
    """Every assessment of the learner in the course, oldest first, by skill."""
    query = (
        select(ProgressAssessment)
        .where(ProgressAssessment.activity_id == activity_id)
        .where(ProgressAssessment.person_id == person_id)
        .order_by(col(ProgressAssessment.assessed_on), col(ProgressAssessment.created_at))
    )
    history: dict[Skill, list[ProgressAssessment]] = {skill: [] for skill in SKILLS}
    for row in (await db.exec(query)).all():
        history[row.skill].append(row)
    return history
