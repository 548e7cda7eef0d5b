"""The write kinds of language courses: a lesson's log and learners' assessments. The same
handlers serve the online forms and the phones' queued batches."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.common.errors import ValidationFailed
from server.common.validation import MultiLine, SingleLine, parse_form
from server.progress.assessments import parse_class_form, record_assessments
from server.progress.lessons import LessonInput, save_lesson
from server.records.merge import current_people
from server.sync.writes import Outcome, Write, WriteResult, write_handler


class LessonPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    session_id: uuid.UUID
    topic: SingleLine = Field(min_length=1, max_length=200)
    materials: MultiLine = Field(default="", max_length=1000)
    homework: MultiLine = Field(default="", max_length=1000)


@write_handler("lesson.update", checks_before_writing=True)
async def apply_lesson(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    payload = parse_form(LessonPayload, write.payload)
    lesson = LessonInput(payload.topic, payload.materials, payload.homework)
    entry, shown = await save_lesson(
        db, actor, payload.session_id, lesson, written_at=write.device_time
    )
    # A save older than one already shown is kept, but superseded (not shown).
    return WriteResult(
        Outcome.APPLIED if shown else Outcome.SUPERSEDED, {"lesson_id": str(entry.id)}
    )


class AssessmentHeader(BaseModel):
    model_config = ConfigDict(extra="ignore")

    activity_id: uuid.UUID
    assessed_on: date


@write_handler("progress.assess", checks_before_writing=True)
async def apply_assessments(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    header = parse_form(AssessmentHeader, write.payload)
    fields = {k: v for k, v in write.payload.items() if k not in ("activity_id", "assessed_on")}
    entries, errors = parse_class_form(fields)
    if errors:
        raise ValidationFailed(errors)
    # A phone that still shows a learner merged since then assesses the kept record.
    kept = await current_people(db, (entry.person_id for entry in entries))
    if kept:
        entries = [replace(e, person_id=kept.get(e.person_id, e.person_id)) for e in entries]
    count = await record_assessments(db, actor, header.activity_id, header.assessed_on, entries)
    return WriteResult(Outcome.APPLIED, {"assessments": count})
