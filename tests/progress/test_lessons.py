"""The lesson log: the course's teachers write what each session covered; the course page
lists it in order; a late, older save from an offline phone never hides a newer one."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from server.auth.models import Role
from server.progress.models import LessonEntry
from server.sync.writes import Outcome, Write, apply_write
from tests.factories import count_rows, run_in_db
from tests.helpers import Client, csrf_token, sign_in
from tests.progress.course_setup import COORDINATOR, TEACHER, make_course


def _save(client: Client, session_id: uuid.UUID, **fields: str):  # type: ignore[no-untyped-def]
    path = f"/sessions/{session_id}/lesson"
    token = csrf_token(client, path)
    return client.post(path, data={**fields, "_csrf_token": token}, follow_redirects=False)


def test_a_teacher_writes_the_lesson_and_the_course_page_lists_the_log_in_order(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    sign_in(client, TEACHER)
    first, _, third, _ = course.sessions
    response = _save(client, third, topic="Past tense", materials="Book p. 40", homework="Ex. 3")
    assert response.status_code == 303
    assert response.headers["location"] == f"/sessions/{third}/lesson?saved=1"
    _save(client, first, topic="Introductions", homework="")
    page = client.get(f"/activities/{course.id}").text
    topics = re.findall(r'class="lesson-topic[^"]*" id="lesson-topic-[^"]+">([^<]+)<', page)
    blank = "No topic written down."
    assert topics == ["Introductions", blank, "Past tense", blank, blank, blank]
    assert "Book p. 40" in page and "Ex. 3" in page
    form = client.get(f"/sessions/{third}/lesson").text
    assert ">Past tense</textarea>" in form


def test_the_roster_of_a_course_session_links_to_its_lesson_log(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    sign_in(client, TEACHER)
    roster = client.get(f"/sessions/{course.today_session}").text
    assert f'href="/sessions/{course.today_session}/lesson"' in roster


def test_a_topic_is_required_and_limits_hold_and_nothing_is_written(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    sign_in(client, TEACHER)
    response = _save(client, course.sessions[0], topic="  ", materials="Book")
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert ">Book</textarea>" in response.text  # what was typed is kept
    response = _save(client, course.sessions[0], topic="x" * 201)
    assert response.status_code == 400
    assert "Too long: at most 200 characters." in response.text
    assert count_rows(database_url, LessonEntry) == 0


def test_a_coordinator_reads_the_log_but_only_teachers_write_it(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    sign_in(client, TEACHER)
    _save(client, course.sessions[0], topic="Introductions")
    client.post("/sign-out", data={"_csrf_token": csrf_token(client, "/sessions")})
    sign_in(client, COORDINATOR)
    page = client.get(f"/sessions/{course.sessions[0]}/lesson")
    assert page.status_code == 200 and "Introductions" in page.text and "<textarea" not in page.text
    response = _save(client, course.sessions[0], topic="Changed")
    assert response.status_code == 403
    assert count_rows(database_url, LessonEntry) == 1


def test_an_older_save_arriving_late_is_kept_but_does_not_hide_the_newer_one(
    database_url: str,
) -> None:
    course = make_course(database_url)
    now = datetime.now(UTC)

    async def scenario(db):  # type: ignore[no-untyped-def]
        from sqlmodel import select

        from server.auth.actor import Actor
        from server.auth.models import StaffUser
        from server.progress.lessons import current_lesson

        teacher = (await db.exec(select(StaffUser).where(StaffUser.email == TEACHER))).one()
        actor = Actor(user_id=teacher.id, role=Role.TEACHER)
        session_id = str(course.sessions[1])

        def write(topic: str, minutes_ago: int) -> Write:
            payload = {"session_id": session_id, "topic": topic}
            moment = now - timedelta(minutes=minutes_ago)
            return Write(
                key=uuid.uuid4(), kind="lesson.update", payload=payload, device_time=moment
            )

        newer = await apply_write(db, actor, write("Numbers 1–100", 5))
        older = await apply_write(db, actor, write("Numbers 1–20", 30))
        shown = await current_lesson(db, course.sessions[1])
        return newer.outcome, older.outcome, shown.topic if shown else None

    import server.progress.handlers  # noqa: F401  (registers the kinds)

    newer, older, shown = run_in_db(database_url, scenario)
    assert (newer, older, shown) == (Outcome.APPLIED, Outcome.SUPERSEDED, "Numbers 1–100")
    assert count_rows(database_url, LessonEntry) == 2
