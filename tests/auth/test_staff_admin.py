"""Admins manage staff accounts; bad input changes nothing; disabling ends sessions."""

from __future__ import annotations

import uuid

from litestar import Litestar
from litestar.testing import TestClient

from server.auth.models import Role, StaffUser
from tests.factories import count_rows, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _post(client: Client, path: str, data: dict[str, str]) -> object:
    token = csrf_token(client, "/admin/staff")
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def test_admin_creates_a_staff_account(client: Client, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    sign_in(client, "admin@example.org")
    response = _post(
        client,
        "/admin/staff/",
        {
            "email": "New.Person@Example.org",
            "display_name": "Nowa Osoba",
            "role": "teacher",
            "password": "long-enough-pass",
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/admin/staff")
    assert "new.person@example.org" in page.text
    assert count_rows(database_url, StaffUser) == 2


def test_bad_input_is_refused_with_messages_and_changes_nothing(
    client: Client, database_url: str
) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    sign_in(client, "admin@example.org")
    cases = [
        ({}, "This field is required."),
        ({"email": "not-an-email", "display_name": "X", "role": "teacher", "password": "x" * 12},
         "Enter a valid email address."),
        ({"email": "a@b.org", "display_name": "X" * 121, "role": "teacher", "password": "x" * 12},
         "Too long: at most 120 characters."),
        ({"email": "a@b.org", "display_name": "Ann\u202eevil", "role": "teacher",
          "password": "x" * 12}, "Remove the invisible control characters from this field."),
        ({"email": "a@b.org", "display_name": "Ann\x07", "role": "teacher",
          "password": "x" * 12}, "Remove the invisible control characters from this field."),
        ({"email": "a@b.org", "display_name": "X", "role": "pilot", "password": "x" * 12},
         "Choose one of the options."),
        ({"email": "a@b.org", "display_name": "X", "role": "teacher", "password": "short"},
         "Too short: at least 10 characters."),
        ({"email": "admin@example.org", "display_name": "X", "role": "admin", "password": "x" * 12},
         "A staff account with this email exists."),
    ]  # fmt: skip
    for data, expected in cases:
        response = _post(client, "/admin/staff/", data)
        assert response.status_code == 400, data  # type: ignore[attr-defined]
        assert expected in response.text, (data, expected)  # type: ignore[attr-defined]
    assert count_rows(database_url, StaffUser) == 1


def test_disabling_a_user_ends_their_sessions(app: Litestar, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    target = run_in_db(database_url, lambda db: make_user(db, Role.FACILITATOR, "f@example.org"))
    with (
        TestClient(app=app, base_url="http://127.0.0.1") as admin,
        TestClient(app=app, base_url="http://127.0.0.1") as facilitator,
    ):
        sign_in(admin, "admin@example.org")
        sign_in(facilitator, "f@example.org")
        assert facilitator.get("/sessions").status_code == 200
        response = _post(admin, f"/admin/staff/{target.id}/disable", {})
        assert response.status_code == 303  # type: ignore[attr-defined]
        response = facilitator.get("/sessions", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in")
        # …and the password no longer opens a session.
        response = facilitator.post(
            "/sign-in",
            data={
                "email": "f@example.org",
                "password": "correct-horse-battery",
                "_csrf_token": csrf_token(facilitator),
            },
        )
        assert response.status_code == 400


def test_unknown_user_id_is_not_found_and_changes_nothing(
    client: Client, database_url: str
) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    sign_in(client, "admin@example.org")
    response = _post(client, f"/admin/staff/{uuid.uuid4()}/disable", {})
    assert response.status_code == 404  # type: ignore[attr-defined]
    response = _post(client, "/admin/staff/not-a-uuid/disable", {})
    assert response.status_code in (404, 405)  # type: ignore[attr-defined]


def test_admin_cannot_disable_themselves(client: Client, database_url: str) -> None:
    admin = run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    sign_in(client, "admin@example.org")
    response = _post(client, f"/admin/staff/{admin.id}/disable", {})
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "You cannot disable your own account." in response.text  # type: ignore[attr-defined]
