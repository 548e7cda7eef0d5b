"""Recording learners' levels by skill: a whole class at once on a phone, one learner on their
page; nothing is ever overwritten; bad input is explained and writes nothing."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.progress.assessments import parse_class_form
from server.progress.models import ProgressAssessment
from tests.factories import count_rows, run_in_db
from tests.helpers import Client, csrf_token, sign_in
from tests.progress.course_setup import (
    COORDINATOR,
    FACILITATOR,
    OTHER_TEACHER,
    SECOND_TEACHER,
    TEACHER,
    make_course,
)


def _assessments(database_url: str) -> list[ProgressAssessment]:
    async def load(db: AsyncSession) -> list[ProgressAssessment]:
        query = select(ProgressAssessment).order_by(col(ProgressAssessment.created_at))
        return list((await db.exec(query)).all())

    return run_in_db(database_url, load)


def _post(client: Client, path: str, form_page: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token(client, form_page)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def test_parse_reads_levels_and_notes_and_ignores_no_change() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    entries, errors = parse_class_form(
        {
            f"level.{a}.speaking": "A2+",
            f"level.{a}.reading": "",
            f"note.{a}": "Good",
            f"level.{b}.writing": "",
        }
    )
    assert errors == {}
    assert [(e.person_id, e.skill.value, e.level.value, e.note) for e in entries] == [
        (a, "speaking", "A2+", "Good")
    ]


def test_parse_refuses_unknown_levels_skills_fields_and_notes_without_levels() -> None:
    a = uuid.uuid4()
    _, errors = parse_class_form(
        {
            f"level.{a}.speaking": "D1",
            f"level.{a}.dancing": "A1",
            "level.nobody.reading": "A1",
            "colour": "red",
            f"note.{a}": "x" * 501,
        }
    )
    assert set(errors) == {
        f"level.{a}.speaking",
        f"level.{a}.dancing",
        "level.nobody.reading",
        "colour",
        f"note.{a}",
    }
    _, errors = parse_class_form({f"note.{a}": "Needs practice"})
    assert errors[f"note.{a}"].msgid.startswith("Choose a level")


def test_a_teacher_records_a_whole_class_and_the_class_view_shows_the_latest(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    first, second, _ = course.learners
    sign_in(client, TEACHER)
    form = client.get(f"/courses/{course.id}/assess").text
    assert form.count("<select") == 3 * 4  # every learner, every skill
    day = date.today() - timedelta(days=3)
    response = _post(
        client,
        f"/courses/{course.id}/assess",
        f"/courses/{course.id}/assess",
        {
            "assessed_on": day.isoformat(),
            f"level.{first}.listening": "A1",
            f"level.{first}.speaking": "A1+",
            f"note.{first}": "Speaks more freely",
            f"level.{second}.writing": "A0",
            f"level.{second}.reading": "",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/courses/{course.id}/progress?saved=1"
    rows = _assessments(database_url)
    assert sorted((r.person_id, r.skill.value, r.level.value) for r in rows) == sorted(
        [(first, "listening", "A1"), (first, "speaking", "A1+"), (second, "writing", "A0")]
    )
    assert {r.note for r in rows if r.person_id == first} == {"Speaks more freely"}
    assert all(r.assessed_on == day for r in rows)

    # A newer assessment of the same skill is added, never overwriting the old one.
    _post(
        client,
        f"/courses/{course.id}/assess",
        f"/courses/{course.id}/assess",
        {"assessed_on": date.today().isoformat(), f"level.{first}.speaking": "A2"},
    )
    speaking = [r.level.value for r in _assessments(database_url) if r.skill.value == "speaking"]
    assert speaking == ["A1+", "A2"]
    page = client.get(f"/courses/{course.id}/progress").text
    assert re.search(rf'id="level-{first}-speaking">A2<', page)
    assert re.search(rf'id="level-{first}-listening">A1<', page)
    assert re.search(rf'id="level-{second}-speaking">—<', page)
    assert count_rows(database_url, AuditEntry) >= 2


def test_two_teachers_assessing_the_same_learner_the_same_day_keep_both(
    app_client_pair: tuple[Client, Client], database_url: str
) -> None:
    course = make_course(database_url)
    learner = course.learners[0]
    one, two = app_client_pair
    sign_in(one, TEACHER)
    sign_in(two, SECOND_TEACHER)
    today = date.today().isoformat()
    for client, level in ((one, "A1"), (two, "A2")):
        path = f"/courses/{course.id}/learners/{learner}/assess"
        page = f"/courses/{course.id}/learners/{learner}"
        response = _post(
            client, path, page, {"assessed_on": today, f"level.{learner}.reading": level}
        )
        assert response.status_code == 303
    rows = _assessments(database_url)
    assert [(r.level.value, r.assessed_on.isoformat()) for r in rows] == [
        ("A1", today),
        ("A2", today),
    ]
    assert len({r.assessed_by_id for r in rows}) == 2
    page = one.get(f"/courses/{course.id}/learners/{learner}").text
    assert "Agnieszka Test" in page and "Iryna Test" in page


def test_bad_input_is_explained_next_to_the_field_and_writes_nothing(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    learner = course.learners[0]
    sign_in(client, TEACHER)
    path = f"/courses/{course.id}/assess"
    cases = [
        ({"assessed_on": date.today().isoformat()}, "Choose a level for at least one skill."),
        (
            {
                "assessed_on": (date.today() + timedelta(days=5)).isoformat(),
                f"level.{learner}.reading": "A1",
            },
            "The date cannot be in the future.",
        ),
        ({"assessed_on": "yesterday", f"level.{learner}.reading": "A1"}, "Enter a date."),
        (
            {"assessed_on": date.today().isoformat(), f"level.{learner}.reading": "Z9"},
            "Choose one of the options.",
        ),
        (
            {"assessed_on": date.today().isoformat(), f"level.{course.outsider}.reading": "A1"},
            "This person is not a learner in this course.",
        ),
    ]
    for data, message in cases:
        response = _post(client, path, path, data)
        assert response.status_code == 400, data
        assert message in response.text, data
        assert 'role="alert"' in response.text
    assert count_rows(database_url, ProgressAssessment) == 0


def test_errors_are_in_the_teachers_language(client: Client, database_url: str) -> None:
    course = make_course(database_url)
    client.cookies.set("razem_lang", "uk")
    sign_in(client, TEACHER)
    path = f"/courses/{course.id}/assess"
    response = _post(client, path, path, {"assessed_on": date.today().isoformat()})
    assert response.status_code == 400
    assert "Choose a level for at least one skill." not in response.text
    assert 'lang="uk"' in response.text


def test_only_the_courses_teachers_record_and_others_see_what_their_role_allows(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    learner = course.learners[0]
    data = {"assessed_on": date.today().isoformat(), f"level.{learner}.reading": "A1"}
    # A coordinator sees every course but does not record in one they do not teach.
    sign_in(client, COORDINATOR)
    assert client.get(f"/courses/{course.id}/progress").status_code == 200
    assert client.get(f"/courses/{course.id}/learners/{learner}").status_code == 200
    assert "Record the class" not in client.get(f"/courses/{course.id}/progress").text
    assert client.get(f"/courses/{course.id}/assess").status_code == 403
    token = csrf_token(client, f"/courses/{course.id}/progress")
    response = client.post(f"/courses/{course.id}/assess", data={**data, "_csrf_token": token})
    assert response.status_code == 403
    client.post("/sign-out", data={"_csrf_token": token})
    # Another course's teacher and a facilitator: as if the course did not exist.
    for email in (OTHER_TEACHER, FACILITATOR):
        sign_in(client, email)
        for path in (
            f"/courses/{course.id}/progress",
            f"/courses/{course.id}/assess",
            f"/courses/{course.id}/learners/{learner}",
            f"/courses/{course.id}/learners/{learner}/certificate",
            f"/sessions/{course.sessions[0]}/lesson",
        ):
            assert client.get(path).status_code == 404, (email, path)
        token = csrf_token(client, "/people")
        response = client.post(f"/courses/{course.id}/assess", data={**data, "_csrf_token": token})
        assert response.status_code == 404
        client.post("/sign-out", data={"_csrf_token": token})
    # A person of another course is not a learner here, even for the teacher.
    sign_in(client, TEACHER)
    assert client.get(f"/courses/{course.id}/learners/{course.outsider}").status_code == 404
    assert client.get(f"/courses/{course.other_course}/progress").status_code == 404
    assert count_rows(database_url, ProgressAssessment) == 0
