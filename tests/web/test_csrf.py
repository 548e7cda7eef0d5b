"""CSRF: what a cross-site page can make a signed-in browser send is refused, and a write
queued offline stays valid after the CSRF cookie is gone (decision 0007)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role
from tests.factories import (
    enroll,
    make_activity,
    make_person,
    make_session,
    make_user,
    marks_by_person,
    run_in_db,
)
from tests.helpers import Client, csrf_token, sign_in

EVIL = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}


def _choir(database_url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    async def build(db: AsyncSession) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        activity = await make_activity(db, staff=[me])
        person = await make_person(db, "Оксана", "Шевченко")
        await enroll(db, activity, person)
        session = await make_session(db, activity, date.today())
        return session.id, person.id, me.id

    return run_in_db(database_url, build)


def test_a_cross_site_form_post_without_the_token_is_refused(
    client: Client, database_url: str
) -> None:
    """Even if the browser sent the session cookie along (SameSite=Lax already stops that for a
    cross-site POST), the missing or wrong token refuses it and nothing is written."""
    session_id, person_id, _ = _choir(database_url)
    sign_in(client, "me@example.org")
    form = {"person_id": str(person_id), "status": "absent", "key": str(uuid.uuid4())}
    for extra in ({}, {"_csrf_token": "forged-token"}):
        response = client.post(
            f"/sessions/{session_id}/marks",
            data={**form, **extra},
            headers=EVIL,
            follow_redirects=False,
        )
        assert response.status_code == 403
    response = client.post(
        "/sign-out", data={}, headers={**EVIL, "HX-Request": "true"}, follow_redirects=False
    )
    assert response.status_code == 403  # a forced sign-out too
    assert marks_by_person(database_url) == {}
    assert client.get("/sessions", follow_redirects=False).status_code == 200


def test_the_sync_api_refuses_what_a_cross_site_form_can_send(
    client: Client, database_url: str
) -> None:
    session_id, person_id, user_id = _choir(database_url)
    sign_in(client, "me@example.org")
    device = str(uuid.uuid4())
    at = "2026-11-24T10:00:00+00:00"
    write = {
        "key": str(uuid.uuid4()),
        "kind": "attendance.mark",
        "payload": {"session_id": str(session_id), "person_id": str(person_id), "status": "absent"},
        "device_time": at,
        "user_id": str(user_id),
    }
    body = json.dumps({"device_id": device, "sent_at": at, "writes": [write]})
    # A form can send text/plain or urlencoded bodies, and cannot set X-Razem-Device.
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = client.post(
            "/api/sync/batch",
            content=body.encode(),
            headers={**EVIL, "Content-Type": content_type},
        )
        assert response.status_code in (400, 415), content_type
    response = client.post(
        "/api/sync/batch",
        content=body.encode(),
        headers={**EVIL, "Content-Type": "application/json"},
    )
    assert response.status_code == 400  # JSON without the device header (needs a preflight)
    assert marks_by_person(database_url) == {}


def test_a_queued_write_is_still_accepted_after_the_csrf_cookie_is_gone(
    client: Client, database_url: str
) -> None:
    """A browser restart drops the session-only CSRF cookie; the worker's batch needs none."""
    session_id, person_id, user_id = _choir(database_url)
    sign_in(client, "me@example.org")
    csrf_token(client, f"/sessions/{session_id}")
    session_cookie = client.cookies.get("razem_session") or ""
    client.cookies.clear()
    client.cookies.set("razem_session", session_cookie)
    device = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    write = {
        "key": str(uuid.uuid4()),
        "kind": "attendance.mark",
        "payload": {"session_id": str(session_id), "person_id": str(person_id), "status": "late"},
        "device_time": now,
        "user_id": str(user_id),
    }
    response = client.post(
        "/api/sync/batch",
        json={"device_id": device, "sent_at": now, "writes": [write]},
        headers={"X-Razem-Device": device},
    )
    assert response.status_code in (200, 201)
    assert marks_by_person(database_url) == {person_id: "late"}
