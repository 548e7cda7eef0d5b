"""A form post and the copy the phone queued of it (sent again after a slow answer) are one
write: the worker leaves out empty fields, the form does not, and both must match."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from server.progress.models import LessonEntry, ProgressAssessment
from tests.factories import count_rows
from tests.helpers import Client, csrf_token, sign_in
from tests.progress.course_setup import TEACHER, make_course


def _batch(client: Client, device: uuid.UUID, write: dict[str, object]) -> dict[str, object]:
    body = {"device_id": str(device), "sent_at": datetime.now(UTC).isoformat(), "writes": [write]}
    response = client.post("/api/sync/batch", json=body, headers={"X-Razem-Device": str(device)})
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()["results"][0]
    return result


def test_a_queued_copy_of_posted_forms_is_a_duplicate_not_other_content(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    learner = course.learners[0]
    sign_in(client, TEACHER)
    user_id = client.get("/sessions").text.split('name="razem-user" content="')[1].split('"')[0]
    device = uuid.uuid4()
    today = date.today().isoformat()
    lesson_key, assess_key = uuid.uuid4(), uuid.uuid4()
    session = course.sessions[0]
    token = csrf_token(client, f"/sessions/{session}/lesson")
    client.post(
        f"/sessions/{session}/lesson",
        data={
            "topic": "Food",
            "materials": "",
            "homework": "",
            "key": str(lesson_key),
            "device_id": str(device),
            "_csrf_token": token,
        },
    )
    client.post(
        f"/courses/{course.id}/assess",
        data={
            "assessed_on": today,
            f"level.{learner}.reading": "A2",
            f"level.{learner}.writing": "",
            f"note.{learner}": "",
            "key": str(assess_key),
            "_csrf_token": token,
        },
    )
    mark_key = uuid.uuid4()
    client.post(
        f"/sessions/{course.today_session}/marks",
        data={
            "person_id": str(learner),
            "status": "present",
            "key": str(mark_key),
            "_csrf_token": token,
        },
    )
    queued = [
        ("attendance.mark", mark_key,
         {"session_id": str(course.today_session), "person_id": str(learner), "status": "present"}),
        ("lesson.update", lesson_key, {"topic": "Food", "session_id": str(session)}),
        ("progress.assess", assess_key,
         {"assessed_on": today, f"level.{learner}.reading": "A2", "activity_id": str(course.id)}),
    ]  # fmt: skip
    for kind, key, payload in queued:
        result = _batch(
            client,
            device,
            {
                "key": str(key),
                "kind": kind,
                "payload": payload,
                "user_id": user_id,
                "device_time": datetime.now(UTC).isoformat(),
            },
        )
        assert result["outcome"] == "duplicate", result
    assert count_rows(database_url, LessonEntry) == 1
    assert count_rows(database_url, ProgressAssessment) == 1
