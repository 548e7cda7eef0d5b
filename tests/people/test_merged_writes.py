"""A phone that still shows a person merged since then queues writes naming the old record:
every write kind that names a person reaches the kept one (attendance.mark is tested in
test_merge.py), and nothing is written for the merged id."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, Enrollment
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.models import Role
from server.people.models import Person
from server.progress.models import ProgressAssessment
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _centre(database_url: str) -> dict[str, uuid.UUID]:
    async def build(db: AsyncSession) -> dict[str, uuid.UUID]:
        await make_user(db, Role.COORDINATOR, "c@example.org")
        facilitator = await make_user(db, Role.FACILITATOR, "f@example.org")
        teacher = await make_user(db, Role.TEACHER, "t@example.org")
        event = await make_activity(
            db, staff=[facilitator], title="Children's Day", kind=ActivityKind.EVENT
        )
        course = await make_activity(
            db, staff=[teacher], title="Polish A1", kind=ActivityKind.LANGUAGE_COURSE
        )
        kept = await make_person(db, "Olena", "Kovalenko", birth_year=1987)
        other = await make_person(db, "Олена", "Коваленко", birth_year=1987)
        await enroll(db, event, kept)
        await enroll(db, event, other)  # on the phone's cached list under both records
        await enroll(db, course, other)
        today = await make_session(db, event, date.today())
        await make_session(db, course, date.today() - timedelta(days=1))
        return {"kept": kept.id, "other": other.id, "event": event.id, "course": course.id,
                "today": today.id}  # fmt: skip

    return run_in_db(database_url, build)


def _merge(client: Client, ids: dict[str, uuid.UUID]) -> None:
    sign_in(client, "c@example.org")
    token = csrf_token(client, "/people/duplicates")
    response = client.post(
        "/people/merge",
        data={"keep": str(ids["kept"]), "merge": str(ids["other"]), "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    client.cookies.clear()


def _send(client: Client, email: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    sign_in(client, email)
    device = uuid.uuid4()
    page = client.get("/sessions").text
    user_id = page.split('name="razem-user" content="')[1].split('"')[0]
    body = {
        "device_id": str(device),
        "sent_at": datetime.now(UTC).isoformat(),
        "writes": [{
            "key": str(uuid.uuid4()), "kind": kind, "user_id": user_id,
            "device_time": datetime.now(UTC).isoformat(), "payload": payload,
        }],
    }  # fmt: skip
    response = client.post("/api/sync/batch", json=body, headers={"X-Razem-Device": str(device)})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


async def _about(db: AsyncSession, person_id: uuid.UUID) -> tuple[int, int, int]:
    """Marks, enrolments and assessments held for one person id."""
    counts = []
    for model in (AttendanceMark, Enrollment, ProgressAssessment):
        rows = await db.exec(select(model).where(col(model.person_id) == person_id))
        counts.append(len(rows.all()))
    return counts[0], counts[1], counts[2]


@pytest.mark.parametrize("kind", ["attendance.check_in", "activities.enroll"])
def test_check_in_and_adding_reach_the_kept_person(
    client: Client, database_url: str, kind: str
) -> None:
    ids = _centre(database_url)
    _merge(client, ids)
    payload = {"session_id": str(ids["today"]), "person_id": str(ids["other"])}
    result = _send(client, "f@example.org", kind, payload)
    assert result["outcome"] == "applied", result

    async def check(db: AsyncSession) -> None:
        assert await db.get(Person, ids["other"]) is None
        mark = (
            await db.exec(select(AttendanceMark).where(AttendanceMark.session_id == ids["today"]))
        ).one()
        assert (mark.person_id, mark.status) == (ids["kept"], MarkStatus.PRESENT)
        assert await _about(db, ids["other"]) == (0, 0, 0)

    run_in_db(database_url, check)


def test_an_assessment_reaches_the_kept_learner(client: Client, database_url: str) -> None:
    ids = _centre(database_url)
    _merge(client, ids)
    payload = {
        "activity_id": str(ids["course"]),
        "assessed_on": date.today().isoformat(),
        f"level.{ids['other']}.reading": "A2",
        f"note.{ids['other']}": "Reads short texts",
    }
    result = _send(client, "t@example.org", "progress.assess", payload)
    assert result["outcome"] == "applied", result

    async def check(db: AsyncSession) -> None:
        assessment = (await db.exec(select(ProgressAssessment))).one()
        assert assessment.person_id == ids["kept"]
        assert (assessment.skill.value, assessment.level.value) == ("reading", "A2")
        assert assessment.note == "Reads short texts"
        assert await _about(db, ids["other"]) == (0, 0, 0)

    run_in_db(database_url, check)


def test_an_unknown_person_is_still_refused(client: Client, database_url: str) -> None:
    """Resolving merged ids does not let an id that never existed through."""
    ids = _centre(database_url)
    stranger = uuid.uuid4()
    result = _send(
        client,
        "f@example.org",
        "attendance.check_in",
        {"session_id": str(ids["today"]), "person_id": str(stranger)},
    )
    assert result["outcome"] != "applied", result
    client.cookies.clear()
    result = _send(
        client,
        "t@example.org",
        "progress.assess",
        {
            "activity_id": str(ids["course"]),
            "assessed_on": date.today().isoformat(),
            f"level.{stranger}.reading": "A2",
        },
    )
    assert result["outcome"] != "applied", result

    async def check(db: AsyncSession) -> None:
        assert (await db.exec(select(ProgressAssessment))).all() == []
        assert (await db.exec(select(AttendanceMark))).all() == []

    run_in_db(database_url, check)
