"""Signing in and out through the real app: cookies, errors, rate limits, revocation."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role, SignInAttempt, StaffSession
from tests.factories import PASSWORD, count_rows, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def test_sign_in_lands_on_role_home_with_a_safe_long_lived_cookie(
    client: Client, database_url: str
) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.FACILITATOR, "ola@example.org"))
    response = client.post(
        "/sign-in",
        data={
            "email": " Ola@Example.org ",
            "password": PASSWORD,
            "_csrf_token": csrf_token(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/sessions"
    cookie = response.headers["set-cookie"].lower()
    assert "razem_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "max-age=2592000" in cookie  # 30 days
    assert "secure" not in cookie  # loopback address: no TLS in development
    assert client.get("/sessions").status_code == 200


def test_cookie_is_secure_outside_localhost(app: object, database_url: str) -> None:
    from litestar.testing import TestClient

    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    with TestClient(app=app, base_url="https://razem.example.org") as remote:  # type: ignore[arg-type]
        response = remote.post(
            "/sign-in",
            data={
                "email": "admin@example.org",
                "password": PASSWORD,
                "_csrf_token": csrf_token(remote),
            },
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_is_refused_and_opens_no_session(client: Client, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.TEACHER, "t@example.org"))
    response = client.post(
        "/sign-in",
        data={
            "email": "t@example.org",
            "password": "wrong-password",
            "_csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 400
    assert "Wrong email or password." in response.text
    assert 'value="t@example.org"' in response.text  # what was typed is kept
    assert count_rows(database_url, StaffSession) == 0


def test_empty_and_too_long_input_gets_field_errors(client: Client, database_url: str) -> None:
    response = client.post(
        "/sign-in", data={"email": "", "password": "", "_csrf_token": csrf_token(client)}
    )
    assert response.status_code == 400
    assert response.text.count("This field is required.") >= 2
    assert 'aria-invalid="true"' in response.text
    response = client.post(
        "/sign-in",
        data={"email": "a" * 300 + "@x.org", "password": "x", "_csrf_token": csrf_token(client)},
    )
    assert response.status_code == 400
    assert "Too long: at most 254 characters." in response.text
    assert count_rows(database_url, StaffSession) == 0


def test_sign_in_without_csrf_token_is_refused(client: Client, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "a@example.org"))
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert count_rows(database_url, StaffSession) == 0


def test_repeated_failures_are_rate_limited_even_with_the_right_password(
    client: Client, database_url: str
) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "a@example.org"))
    for _ in range(5):
        response = client.post(
            "/sign-in",
            data={
                "email": "a@example.org",
                "password": "nope-nope",
                "_csrf_token": csrf_token(client),
            },
        )
        assert "Wrong email or password." in response.text
    response = client.post(
        "/sign-in",
        data={"email": "a@example.org", "password": PASSWORD, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "Too many sign-in attempts. Try again in 1 min." in response.text
    assert count_rows(database_url, StaffSession) == 0

    async def attempts(db: AsyncSession) -> int:
        return int((await db.exec(select(func.count()).select_from(SignInAttempt))).one())

    assert run_in_db(database_url, attempts) == 5  # the throttled try is audited, not counted


def test_sign_out_ends_the_session_on_the_server(client: Client, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.COORDINATOR, "c@example.org"))
    sign_in(client, "c@example.org")
    stolen = client.cookies.get("razem_session")
    response = client.post(
        "/sign-out", data={"_csrf_token": csrf_token(client, "/activities")}, follow_redirects=False
    )
    assert response.status_code == 303
    client.cookies.set("razem_session", stolen or "")
    response = client.get("/activities", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_next_parameter_only_allows_local_paths(client: Client, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.COORDINATOR, "c@example.org"))
    for target, expected in (("/activities", "/activities"), ("//evil.example", "/activities")):
        client.cookies.clear()
        response = client.post(
            "/sign-in",
            data={
                "email": "c@example.org",
                "password": PASSWORD,
                "next": target,
                "_csrf_token": csrf_token(client),
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected
