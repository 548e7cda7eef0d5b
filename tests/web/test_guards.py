"""Each role gets its pages; a facilitator sees only their own activities."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivityKind
from server.auth.models import Role
from tests.factories import make_activity, make_session, make_user, run_in_db
from tests.helpers import Client, sign_in

HOMES = {
    Role.FACILITATOR: "/sessions",
    Role.TEACHER: "/courses",
    Role.COORDINATOR: "/activities",
    Role.ADMIN: "/admin/staff",
}
ALLOWED = {
    "/sessions": {Role.FACILITATOR, Role.TEACHER},
    "/courses": {Role.TEACHER},
    "/activities": {Role.COORDINATOR, Role.ADMIN},
    "/admin/staff": {Role.ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_home_and_is_refused_other_pages(
    client: Client, database_url: str, role: Role
) -> None:
    run_in_db(database_url, lambda db: make_user(db, role, "someone@example.org"))
    sign_in(client, "someone@example.org")
    assert client.get("/", follow_redirects=False).headers["location"] == HOMES[role]
    for path, allowed in ALLOWED.items():
        response = client.get(path, follow_redirects=False)
        assert response.status_code == (200 if role in allowed else 403), (role, path)


@pytest.mark.parametrize("path", ["/sessions", "/courses", "/activities", "/admin/staff"])
def test_signed_out_visitors_are_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=" + path.replace("/", "%2F")


def _two_facilitators_with_activities(database_url: str) -> tuple[Activity, Activity]:
    async def build(db: AsyncSession) -> tuple[Activity, Activity]:
        mine = await make_user(db, Role.FACILITATOR, "me@example.org")
        other = await make_user(db, Role.FACILITATOR, "other@example.org")
        my_choir = await make_activity(db, staff=[mine], title="Choir of mine")
        their_film = await make_activity(
            db, staff=[other], title="Their film workshop", kind=ActivityKind.WORKSHOP
        )
        await make_session(db, my_choir, date.today())
        await make_session(db, their_film, date.today())
        return my_choir, their_film

    return run_in_db(database_url, build)


def test_facilitator_is_refused_another_facilitators_activity(
    client: Client, database_url: str
) -> None:
    mine, theirs = _two_facilitators_with_activities(database_url)
    sign_in(client, "me@example.org")
    assert client.get(f"/activities/{mine.id}").status_code == 200
    refused = client.get(f"/activities/{theirs.id}")
    missing = client.get(f"/activities/{uuid.uuid4()}")
    assert refused.status_code == missing.status_code == 404
    assert "Their film workshop" not in refused.text
    # Not found and not allowed look the same, so nothing leaks about what exists.
    assert refused.text.replace(str(theirs.id), "") == missing.text.replace(
        str(missing.url).rsplit("/", 1)[-1], ""
    )
    sessions = client.get("/sessions").text
    assert "Choir of mine" in sessions
    assert "Their film workshop" not in sessions


def test_coordinator_sees_every_activity(client: Client, database_url: str) -> None:
    _mine, theirs = _two_facilitators_with_activities(database_url)
    run_in_db(database_url, lambda db: make_user(db, Role.COORDINATOR, "coord@example.org"))
    sign_in(client, "coord@example.org")
    listing = client.get("/activities").text
    assert "Choir of mine" in listing and "Their film workshop" in listing
    assert client.get(f"/activities/{theirs.id}").status_code == 200


def test_teacher_sees_only_their_courses(client: Client, database_url: str) -> None:
    async def build(db: AsyncSession) -> None:
        teacher = await make_user(db, Role.TEACHER, "teacher@example.org")
        other = await make_user(db, Role.TEACHER, "iryna@example.org")
        await make_activity(
            db, staff=[teacher], title="Polish A1", kind=ActivityKind.LANGUAGE_COURSE
        )
        await make_activity(
            db, staff=[other], title="English B1", kind=ActivityKind.LANGUAGE_COURSE
        )

    run_in_db(database_url, build)
    sign_in(client, "teacher@example.org")
    page = client.get("/courses").text
    assert "Polish A1" in page
    assert "English B1" not in page
