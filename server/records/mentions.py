"""Free text that may name a person: session notes, lesson records (topic, materials,
homework) and teachers' notes on other people's progress. Erasing a person removes their own
fields; these texts were typed by staff about anything, so they are searched for the person's
name, listed on the erase page, and the name is replaced there by a marker when the admin
erases the person.

A text mentions the person when their family name, or their given and family name together,
appears in it as whole words, compared the way search compares names (case, diacritics and
Cyrillic or Latin script do not matter: "Шевченко" and "Shevchenko" meet). Replacing works on
the text as written: the name's words in the person's own spelling and in its Latin
transliteration. A mention in another spelling is listed as left, for the admin to ask its
author to edit it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivitySession
from server.people.models import Person
from server.people.names import has_cyrillic, loose, transliterate
from server.progress.models import LessonEntry, ProgressAssessment

ERASED_MARK = "[…]"
MIN_NAME = 3  # a family name shorter than this is matched only with the given name


@dataclass(frozen=True)
class Mention:
    kind: str  # session_note, lesson, progress_note
    record_id: uuid.UUID
    link: str
    day: date
    activity: str
    replaceable: bool  # the name is in the text in a spelling that can be replaced
    text: str  # the text (a lesson's topic, materials and homework joined)


def _needles(person: Person) -> list[str]:
    family = loose(person.family_name)
    full = loose(f"{person.given_name} {person.family_name}")
    if len(family) >= MIN_NAME:
        return [family]
    return [full] if full else []


def _mentions(text: str, needles: list[str]) -> bool:
    folded = f" {loose(text)} "
    return any(f" {needle} " in folded for needle in needles)


def _spellings(person: Person) -> list[str]:
    """The name's words as they may be written: as stored, and transliterated to Latin."""
    words = {w for w in f"{person.given_name} {person.family_name}".split() if len(w) >= 2}
    written = set(words)
    for word in words:
        if has_cyrillic(word):
            written.add(transliterate(word))
    # Longest first, so that "Kowalczuk-Shevchenko" goes before "Kowalczuk".
    return sorted(written, key=len, reverse=True)


def _pattern(person: Person) -> re.Pattern[str] | None:
    spellings = _spellings(person)
    if not spellings:
        return None
    alternatives = "|".join(re.escape(s) for s in spellings)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact(text: str, person: Person) -> str:
    """The text with the person's name words replaced by a marker."""
    pattern = _pattern(person)
    return text if pattern is None else pattern.sub(ERASED_MARK, text)


@dataclass(frozen=True)
class FreeText:
    kind: str
    record_id: uuid.UUID
    link: str
    day: date
    activity: str
    texts: tuple[str, ...]
    folded: str  # the texts as search compares them, padded with spaces


async def load_texts(db: AsyncSession) -> list[FreeText]:
    """Every free text staff typed, read once (erasing many people reuses it)."""
    found: list[FreeText] = []

    def add(kind: str, record_id: uuid.UUID, link: str, day: date, activity: str,
            *texts: str) -> None:  # fmt: skip
        folded = " " + " | ".join(loose(text) for text in texts) + " "
        found.append(FreeText(kind, record_id, link, day, activity, texts, folded))

    sessions = await db.exec(
        select(ActivitySession, Activity.title)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(ActivitySession.note != "")
    )
    for session, title in sessions.all():
        add("session_note", session.id, f"/sessions/{session.id}", session.date,
            title, session.note)  # fmt: skip
    lessons = await db.exec(
        select(LessonEntry, ActivitySession, Activity.title)
        .join(ActivitySession, col(ActivitySession.id) == LessonEntry.session_id)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
    )
    for entry, session, title in lessons.all():
        add("lesson", entry.id, f"/sessions/{session.id}/lesson", session.date, title,
            entry.topic, entry.materials, entry.homework)  # fmt: skip
    notes = await db.exec(
        select(ProgressAssessment, Activity.title)
        .join(Activity, col(Activity.id) == ProgressAssessment.activity_id)
        .where(ProgressAssessment.note != "")
    )
    for assessment, title in notes.all():
        add("progress_note", assessment.id,
            f"/courses/{assessment.activity_id}/learners/{assessment.person_id}",
            assessment.assessed_on, title, assessment.note)  # fmt: skip
    return found


async def find_mentions(
    db: AsyncSession, person: Person, texts: list[FreeText] | None = None
) -> list[Mention]:
    """Every free text that names the person, newest first (the person's own progress notes
    are not listed: erasing removes them anyway)."""
    needles = _needles(person)
    if not needles:
        return []
    texts = await load_texts(db) if texts is None else texts
    found = []
    own = f"/learners/{person.id}"
    for text in texts:
        if text.link.endswith(own) or not any(f" {n} " in text.folded for n in needles):
            continue
        replaceable = not any(_mentions(redact(t, person), needles) for t in text.texts)
        joined = " · ".join(t for t in text.texts if t)
        found.append(Mention(text.kind, text.record_id, text.link, text.day, text.activity,
                             replaceable, joined))  # fmt: skip
    found.sort(key=lambda m: m.day, reverse=True)
    return found


async def redact_mentions(
    db: AsyncSession, person: Person, now: datetime, texts: list[FreeText] | None = None
) -> dict[str, int]:
    """Replace the person's name in every text that mentions it. Returns counts by kind (for
    the audit entry), with how many were left because the name is spelled otherwise there.
    Must run before the person's own name is wiped."""
    counts = {"session_note": 0, "lesson": 0, "progress_note": 0, "left": 0}
    for mention in await find_mentions(db, person, texts):
        if not mention.replaceable:
            counts["left"] += 1
            continue
        counts[mention.kind] += 1
        if mention.kind == "session_note":
            session = await db.get(ActivitySession, mention.record_id)
            assert session is not None
            session.note = redact(session.note, person)
            session.updated_at = now  # phones fetch the page again
            db.add(session)
        elif mention.kind == "lesson":
            entry = await db.get(LessonEntry, mention.record_id)
            assert entry is not None
            entry.topic = redact(entry.topic, person)
            entry.materials = redact(entry.materials, person)
            entry.homework = redact(entry.homework, person)
            db.add(entry)
            lesson_session = await db.get(ActivitySession, entry.session_id)
            if lesson_session is not None:
                lesson_session.updated_at = now
                db.add(lesson_session)
        else:
            assessment = await db.get(ProgressAssessment, mention.record_id)
            assert assessment is not None
            assessment.note = redact(assessment.note, person)
            db.add(assessment)
    return counts
