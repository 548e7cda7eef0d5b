"""Erasing a person on request, and anonymising people inactive past the retention period:
personal fields go for good, anonymous counts in past reports stay the same."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, ActivitySession, Enrollment, EnrollmentStatus
from server.attendance.models import AttendanceMark, MarkStatus
from server.attendance.roster import list_roster
from server.audit.models import AuditEntry
from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import Forbidden, ValidationFailed
from server.common.vocab import CefrLevel
from server.i18n.catalogs import get_translator
from server.people.models import Consent, Person, PersonMerge
from server.people.service import search_people
from server.progress.models import LessonEntry, ProgressAssessment, Skill
from server.records.erasure import anonymise_inactive, erase_person
from server.records.mentions import find_mentions
from server.records.subject import person_data
from server.reports.filters import ReportFilter
from server.reports.service import build_report
from server.reports.tables import report_tables
from tests.factories import enroll, make_activity, make_person, make_session, make_user

pytestmark = pytest.mark.anyio
LAST_YEAR = ReportFilter(start=date.today() - timedelta(days=365), end=date.today())


async def _centre(db: AsyncSession) -> dict[str, object]:
    admin = await make_user(db, Role.ADMIN)
    facilitator = await make_user(db, Role.FACILITATOR)
    choir = await make_activity(db, staff=[facilitator])
    course = await make_activity(db, kind=ActivityKind.LANGUAGE_COURSE, title="Polish A1")
    olena = await make_person(
        db, "Olena", "Kovalenko", birth_year=1987, phone="+48 600 100 200", languages=["uk"],
        nationality="UA", sex="female",
    )  # fmt: skip
    other = await make_person(db, "Ahmad", "Karimi", birth_year=2001, nationality="AF")
    for person in (olena, other):
        await enroll(db, choir, person)
    await enroll(db, course, olena)
    session = await make_session(db, choir, date.today() - timedelta(days=3))
    for person in (olena, other):
        db.add(AttendanceMark(session_id=session.id, person_id=person.id,
                              status=MarkStatus.PRESENT, marked_at=datetime.now(UTC)))  # fmt: skip
    db.add(ProgressAssessment(person_id=olena.id, activity_id=course.id, skill=Skill.SPEAKING,
                              level=CefrLevel.A2, assessed_on=date.today(),
                              note="Talks about her children in Kharkiv"))  # fmt: skip
    db.add(Consent(person_id=olena.id, given_at=datetime.now(UTC), purposes=["attendance"]))
    db.add(PersonMerge(merged_id=uuid.uuid4(), kept_id=olena.id, merged_code="QQQ222"))
    await db.flush()
    return {"admin": Actor(admin.id, Role.ADMIN), "olena": olena, "other": other,
            "session": session, "facilitator": Actor(facilitator.id, Role.FACILITATOR)}  # fmt: skip


async def _report_rows(db: AsyncSession, actor: Actor) -> list[list[object]]:
    report = await build_report(db, actor, LAST_YEAR)
    return [list(map(list, t.rows)) for t in report_tables(report, get_translator("en"))]


async def test_erasure_removes_personal_fields_and_keeps_report_totals(db: AsyncSession) -> None:
    c = await _centre(db)
    admin, olena = c["admin"], c["olena"]
    assert isinstance(admin, Actor) and isinstance(olena, Person)
    before = await _report_rows(db, admin)
    old_code = olena.code
    await erase_person(db, admin, olena.id, reason="Request by email on 2026-11-20")
    await db.commit()
    person = await db.get(Person, olena.id)
    assert person is not None and person.erased_at is not None
    assert (person.given_name, person.family_name, person.search_name) == ("", "", "")
    assert (person.phone, person.languages) == (None, [])
    assert person.code != old_code
    assert (person.sex, person.birth_year, person.nationality) == ("female", 1987, "UA")
    notes = (await db.exec(select(ProgressAssessment.note))).all()
    assert notes == [""]
    statuses = (
        await db.exec(select(Enrollment.status).where(Enrollment.person_id == olena.id))
    ).all()
    assert set(statuses) == {EnrollmentStatus.WITHDRAWN}
    assert (await db.exec(select(PersonMerge.merged_code))).all() == [""]
    assert await _report_rows(db, admin) == before  # the same totals, every table
    assert await search_people(db, "Olena", scope=None) == []
    assert await search_people(db, old_code, scope=None) == []
    roster = await list_roster(db, admin, c["session"].id)  # type: ignore[attr-defined]
    assert [row.person.given_name for row in roster.rows] == ["Ahmad"]
    entry = (await db.exec(select(AuditEntry).where(AuditEntry.action == "person.erase"))).one()
    assert entry.entity_id == str(olena.id) and entry.details == {
        "reason": "Request by email on 2026-11-20",
        "mentions": {"session_note": 0, "lesson": 0, "progress_note": 0, "left": 0},
    }
    assert len((await db.exec(select(AttendanceMark))).all()) == 2  # counted still, anonymously


async def test_only_an_admin_erases_and_a_reason_is_required(db: AsyncSession) -> None:
    c = await _centre(db)
    olena = c["olena"]
    assert isinstance(olena, Person)
    with pytest.raises(Forbidden):
        await erase_person(db, Actor(uuid.uuid4(), Role.COORDINATOR), olena.id, reason="asked")
    with pytest.raises(ValidationFailed) as refused:
        await erase_person(db, c["admin"], olena.id, reason="  ")  # type: ignore[arg-type]
    assert "reason" in refused.value.errors
    await erase_person(db, c["admin"], olena.id, reason="asked in person")  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        await erase_person(db, c["admin"], olena.id, reason="again")  # type: ignore[arg-type]


async def test_retention_anonymises_only_people_inactive_past_the_period(db: AsyncSession) -> None:
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=800)
    choir = await make_activity(db)
    old_session = await make_session(db, choir, (now - timedelta(days=790)).date())
    gone = await make_person(db, "Gone", "Long", created_at=long_ago, updated_at=long_ago)
    came_back = await make_person(db, "Came", "Back", created_at=long_ago, updated_at=long_ago)
    new = await make_person(db, "New", "Comer")
    recent_session = await make_session(db, choir, (now - timedelta(days=30)).date())
    for person, session, at in (
        (gone, old_session, long_ago),
        (came_back, old_session, long_ago),
        (came_back, recent_session, now - timedelta(days=30)),
    ):
        db.add(AttendanceMark(session_id=session.id, person_id=person.id,
                              status=MarkStatus.PRESENT, marked_at=at))  # fmt: skip
    db.add(Enrollment(activity_id=choir.id, person_id=gone.id, enrolled_at=long_ago))
    await db.flush()
    done = await anonymise_inactive(db, now=now, months=24)
    await db.commit()
    assert done == [gone.id]
    names = {p.id: p.given_name for p in (await db.exec(select(Person))).all()}
    assert names == {gone.id: "", came_back.id: "Came", new.id: "New"}
    entries = (
        await db.exec(select(AuditEntry).where(AuditEntry.action == "person.anonymise"))
    ).all()
    assert [e.entity_id for e in entries] == [str(gone.id)]
    assert await anonymise_inactive(db, now=now, months=24) == []  # nothing twice
    # A shorter period reaches the person whose last mark was a month ago too.
    assert await anonymise_inactive(db, now=now + timedelta(days=350), months=12) == [came_back.id]


async def test_erasure_replaces_the_name_where_staff_typed_it_in_free_text(
    db: AsyncSession,
) -> None:
    """Session notes, lesson records and notes on other people name the person: the erase
    page lists them, the data export includes them, and erasing replaces the name (in the
    spelling as stored and its Latin transliteration); another spelling is listed as left."""
    c = await _centre(db)
    admin, session = c["admin"], c["session"]
    assert isinstance(admin, Actor) and isinstance(session, ActivitySession)
    taras = await make_person(db, "Тарас", "Шевченко", birth_year=1990)
    other = c["other"]
    assert isinstance(other, Person)
    course = await make_activity(db, kind=ActivityKind.LANGUAGE_COURSE, title="Polish B1")
    lesson_session = await make_session(db, course, date.today() - timedelta(days=1))
    session.note = "Taras Shevchenko came late; ask Шевченко about his papers."
    db.add(session)
    db.add(
        LessonEntry(
            session_id=lesson_session.id,
            topic="Dialogues",
            materials="p. 12",
            homework="Pair work with шевченко",
            written_at=datetime.now(UTC),
        )
    )
    db.add(
        ProgressAssessment(
            person_id=other.id,
            activity_id=course.id,
            skill=Skill.READING,
            level=CefrLevel.A1,
            assessed_on=date.today(),
            note="Works well with Szewczenko",
        )
    )  # another spelling
    db.add(
        ProgressAssessment(
            person_id=other.id,
            activity_id=course.id,
            skill=Skill.WRITING,
            level=CefrLevel.A1,
            assessed_on=date.today(),
            note="Shevchenkova is his teacher",
        )
    )  # not a mention
    await db.flush()

    found = await find_mentions(db, taras)
    assert sorted((m.kind, m.replaceable) for m in found) == [
        ("lesson", True), ("progress_note", False), ("session_note", True)
    ]  # fmt: skip
    data = await person_data(db, admin, taras.id)
    assert {m["kind"] for m in data["mentions"]} == {"lesson", "progress_note", "session_note"}

    await erase_person(db, admin, taras.id, reason="Request on 2026-11-24")
    await db.commit()
    await db.refresh(session)
    assert session.note == "[…] […] came late; ask […] about his papers."
    homework = (await db.exec(select(LessonEntry.homework))).one()
    assert homework == "Pair work with […]"
    notes = set((await db.exec(select(ProgressAssessment.note))).all())
    assert {"Works well with Szewczenko", "Shevchenkova is his teacher"} <= notes
    entry = (await db.exec(select(AuditEntry).where(AuditEntry.action == "person.erase"))).one()
    assert entry.details["mentions"] == {
        "session_note": 1, "lesson": 1, "progress_note": 0, "left": 1
    }  # fmt: skip
