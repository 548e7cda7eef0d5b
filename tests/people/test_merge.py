"""Likely duplicates are listed for review and merged into one person, keeping every mark,
enrolment, assessment, consent and history, and recording the merge; a phone still showing
the old record can keep marking it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, Enrollment, EnrollmentStatus
from server.attendance.models import AttendanceMark, MarkHistory, MarkStatus
from server.audit.models import AuditEntry
from server.auth.models import Role
from server.common.vocab import CefrLevel
from server.people.models import Consent, Person, PersonMerge
from server.progress.models import ProgressAssessment, Skill
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _twice(database_url: str) -> dict[str, uuid.UUID]:
    async def build(db: AsyncSession) -> dict[str, uuid.UUID]:
        await make_user(db, Role.COORDINATOR, "c@example.org")
        facilitator = await make_user(db, Role.FACILITATOR, "f@example.org")
        choir = await make_activity(db, staff=[facilitator], title="Choir")
        course = await make_activity(db, kind=ActivityKind.LANGUAGE_COURSE, title="Polish A1")
        kept = await make_person(db, "Olena", "Kovalenko", birth_year=1987, phone="+48 600 100 200")
        other = await make_person(db, "Олена", "Коваленко", birth_year=1987, languages=["uk"])
        unrelated = await make_person(db, "Olena", "Kovalenko", birth_year=1960)
        await enroll(db, choir, kept)
        await enroll(db, choir, other)  # both on the choir list
        await enroll(db, course, other)
        shared = await make_session(db, choir, date.today() - timedelta(days=7))
        only_theirs = await make_session(db, choir, date.today() - timedelta(days=14))
        today = await make_session(db, choir, date.today())
        earlier = datetime.now(UTC) - timedelta(days=7)
        db.add(
            AttendanceMark(
                session_id=shared.id,
                person_id=kept.id,
                status=MarkStatus.ABSENT,
                marked_at=earlier,
                device_id=None,
            )
        )
        db.add(
            AttendanceMark(
                session_id=shared.id,
                person_id=other.id,
                status=MarkStatus.PRESENT,
                marked_at=earlier + timedelta(minutes=5),
            )
        )
        db.add(
            AttendanceMark(
                session_id=only_theirs.id,
                person_id=other.id,
                status=MarkStatus.LATE,
                marked_at=earlier,
            )
        )
        db.add(
            ProgressAssessment(
                person_id=other.id,
                activity_id=course.id,
                skill=Skill.READING,
                level=CefrLevel.A1,
                assessed_on=date.today(),
            )
        )
        db.add(Consent(person_id=other.id, given_at=earlier, purposes=["attendance"],
                       shown_in="uk"))  # fmt: skip
        return {"kept": kept.id, "other": other.id, "unrelated": unrelated.id, "choir": choir.id,
                "course": course.id, "shared": shared.id, "today": today.id,
                "facilitator": facilitator.id}  # fmt: skip

    return run_in_db(database_url, build)


def test_the_pair_is_listed_and_merging_keeps_everything(client: Client, database_url: str) -> None:
    ids = _twice(database_url)
    sign_in(client, "c@example.org")
    listed = client.get("/people/duplicates").text
    assert f"/people/merge?keep={ids['kept']}&amp;merge={ids['other']}" in listed or (
        f"/people/merge?keep={ids['other']}&amp;merge={ids['kept']}" in listed
    )
    assert str(ids["unrelated"]) not in listed  # same name, another birth year
    confirm = f"/people/merge?keep={ids['kept']}&merge={ids['other']}"
    page = client.get(confirm)
    assert page.status_code == 200 and "Polish A1" in page.text
    token = csrf_token(client, confirm)
    response = client.post(
        "/people/merge",
        data={"keep": str(ids["kept"]), "merge": str(ids["other"]), "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/people/{ids['kept']}?merged=")

    async def check(db: AsyncSession) -> None:
        assert await db.get(Person, ids["other"]) is None
        kept = await db.get(Person, ids["kept"])
        assert kept is not None and kept.languages == ["uk"]
        enrolments = (
            await db.exec(select(Enrollment).where(Enrollment.person_id == kept.id))
        ).all()
        assert sorted(e.activity_id for e in enrolments) == sorted([ids["choir"], ids["course"]])
        assert all(e.status == EnrollmentStatus.ACTIVE for e in enrolments)
        marks = (
            await db.exec(select(AttendanceMark).where(AttendanceMark.person_id == kept.id))
        ).all()
        by_session = {m.session_id: m.status for m in marks}
        assert len(marks) == 2 and by_session[ids["shared"]] == MarkStatus.PRESENT  # the later one
        history = (await db.exec(select(MarkHistory))).all()
        assert [(h.person_id, h.status) for h in history] == [(kept.id, MarkStatus.ABSENT)]
        moved = await db.exec(select(ProgressAssessment.person_id))
        assert set(moved.all()) == {kept.id}
        consents = await db.exec(select(Consent.person_id))
        assert set(consents.all()) == {kept.id}
        merge = await db.get(PersonMerge, ids["other"])
        assert merge is not None and merge.kept_id == kept.id
        audit = await db.exec(select(AuditEntry).where(col(AuditEntry.action) == "people.merge"))
        entry = audit.one()
        assert "Олена" not in str(entry.details)  # no names in the audit log

    run_in_db(database_url, check)
    record = client.get(response.headers["location"]).text
    assert "Choir" in record and "Polish A1" in record and "Merged:" in record
    assert client.get(f"/people/{ids['other']}").status_code == 404


def test_a_phone_showing_the_old_record_still_marks_the_person(
    client: Client, database_url: str
) -> None:
    ids = _twice(database_url)
    sign_in(client, "c@example.org")
    token = csrf_token(client, "/people/duplicates")
    client.post("/people/merge", data={"keep": str(ids["kept"]), "merge": str(ids["other"]),
                                       "_csrf_token": token})  # fmt: skip
    client.cookies.clear()
    sign_in(client, "f@example.org")
    device = uuid.uuid4()
    user_id = client.get("/sessions").text.split('name="razem-user" content="')[1].split('"')[0]
    body = {
        "device_id": str(device),
        "sent_at": datetime.now(UTC).isoformat(),
        "writes": [{
            "key": str(uuid.uuid4()), "kind": "attendance.mark", "user_id": user_id,
            "device_time": datetime.now(UTC).isoformat(),
            "payload": {"session_id": str(ids["today"]), "person_id": str(ids["other"]),
                        "status": "present"},
        }],
    }  # fmt: skip
    response = client.post("/api/sync/batch", json=body, headers={"X-Razem-Device": str(device)})
    assert response.json()["results"][0]["outcome"] == "applied", response.text

    async def today_mark(db: AsyncSession) -> list[tuple[uuid.UUID, MarkStatus]]:
        rows = await db.exec(
            select(AttendanceMark.person_id, AttendanceMark.status).where(
                AttendanceMark.session_id == ids["today"]
            )
        )
        return list(rows.all())

    assert run_in_db(database_url, today_mark) == [(ids["kept"], MarkStatus.PRESENT)]


def test_only_coordinators_review_and_merge(client: Client, database_url: str) -> None:
    ids = _twice(database_url)
    sign_in(client, "f@example.org")
    assert client.get("/people/duplicates").status_code == 403
    assert client.get(f"/people/{ids['kept']}").status_code == 403
    token = csrf_token(client, "/people")
    response = client.post(
        "/people/merge",
        data={"keep": str(ids["kept"]), "merge": str(ids["other"]), "_csrf_token": token},
    )
    assert response.status_code == 403
    run_in_db(database_url, lambda db: _still_two(db, ids))


async def _still_two(db: AsyncSession, ids: dict[str, uuid.UUID]) -> None:
    assert await db.get(Person, ids["other"]) is not None
