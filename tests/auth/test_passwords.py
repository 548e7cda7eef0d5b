"""Passwords through the real app: a minimum strength on every new password, "Change my
password" (ends the other sessions, keeps this browser signed in), an admin's reset (ends the
person's sessions), and the lockout covering the current-password check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.models import Role, StaffSession, StaffUser
from server.auth.passwords import WEAK_PASSWORD, password_weakness
from server.common.models import utcnow
from tests.factories import PASSWORD, count_rows, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in

NEW_PASSWORD = "lantern-quietly-orbits-pickle"


def _post(client: Client, path: str, data: dict[str, str], page: str) -> object:
    token = csrf_token(client, page)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def _change(client: Client, current: str, new: str, again: str | None = None) -> object:
    data = {"current_password": current, "new_password": new, "new_password_again": again or new}
    return _post(client, "/account/password", data, "/account/password")


def _signed_in(client: Client) -> bool:
    response = client.get("/people", follow_redirects=False)
    return response.status_code == 200


def _audit_actions(database_url: str) -> list[str]:
    async def load(db: AsyncSession) -> list[str]:
        return list((await db.exec(select(AuditEntry.action))).all())

    return run_in_db(database_url, load)


def test_staff_creation_refuses_a_guessable_password(client: Client, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    sign_in(client, "admin@example.org")
    base = {"email": "ola.nowak@example.org", "display_name": "Ola Nowak", "role": "teacher"}
    for weak in ("password1234", "ola.nowak@example.org", "OlaNowak2026", "qwertyuiop12"):
        response = _post(client, "/admin/staff/", {**base, "password": weak}, "/admin/staff")
        assert response.status_code == 400, weak  # type: ignore[attr-defined]
        assert WEAK_PASSWORD in response.text  # type: ignore[attr-defined]
        assert 'id="error-password"' in response.text  # type: ignore[attr-defined]
    assert count_rows(database_url, StaffUser) == 1
    response = _post(client, "/admin/staff/", {**base, "password": NEW_PASSWORD}, "/admin/staff")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert count_rows(database_url, StaffUser) == 2


def test_change_my_password_ends_other_sessions_and_keeps_this_browser(
    app: Litestar, database_url: str
) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.FACILITATOR, "f@example.org"))
    with (
        TestClient(app=app, base_url="http://127.0.0.1") as phone,
        TestClient(app=app, base_url="http://127.0.0.1") as laptop,
    ):
        sign_in(phone, "f@example.org")
        sign_in(laptop, "f@example.org")
        old_cookie = phone.cookies.get("razem_session")
        page = phone.get("/account/password")
        assert page.status_code == 200
        assert "Change my password" in page.text
        refusals = [
            ("wrong-current-password", NEW_PASSWORD, None, "This is not your current password."),
            (PASSWORD, PASSWORD, None, "Choose a new password, not the current one."),
            (PASSWORD, "facilitator1", None, WEAK_PASSWORD),
            (PASSWORD, NEW_PASSWORD, "something-else", "The two new passwords are not the same."),
        ]  # fmt: skip
        for current, new, again, expected in refusals:
            response = _change(phone, current, new, again)
            assert response.status_code == 400, expected  # type: ignore[attr-defined]
            assert expected in response.text  # type: ignore[attr-defined]
        assert _signed_in(phone) and _signed_in(laptop)  # refusals change nothing

        response = _change(phone, PASSWORD, NEW_PASSWORD)
        assert response.status_code == 303  # type: ignore[attr-defined]
        assert response.headers["location"] == "/account/password?changed=true"  # type: ignore[attr-defined]
        new_cookie = phone.cookies.get("razem_session")
        assert new_cookie and new_cookie != old_cookie
        assert "Your password is changed." in phone.get("/account/password?changed=true").text
        assert _signed_in(phone)
        assert not _signed_in(laptop)
        phone.cookies.clear()
        phone.cookies.set("razem_session", old_cookie or "")
        assert not _signed_in(phone)  # the old token is dead too

    async def sessions(db: AsyncSession) -> list[StaffSession]:
        return list((await db.exec(select(StaffSession))).all())

    rows = run_in_db(database_url, sessions)
    assert len(rows) == 3 and sum(row.revoked_at is None for row in rows) == 1
    assert "staff.password" in _audit_actions(database_url)
    assert _audit_actions(database_url).count("auth.password_wrong") == 1

    with TestClient(app=app, base_url="http://127.0.0.1") as again:
        response = again.post(
            "/sign-in",
            data={"email": "f@example.org", "password": PASSWORD, "_csrf_token": csrf_token(again)},
        )
        assert response.status_code == 400  # the old password is gone
        sign_in(again, "f@example.org", NEW_PASSWORD)


def test_the_new_session_cookie_wins_over_a_sliding_refresh(
    client: Client, database_url: str
) -> None:
    """A session last used hours ago is refreshed by the middleware on this very request; the
    refresh must not send the old (now revoked) token after the new one."""
    run_in_db(database_url, lambda db: make_user(db, Role.TEACHER, "t@example.org"))
    sign_in(client, "t@example.org")
    token = csrf_token(client, "/account/password")

    async def age(db: AsyncSession) -> None:
        an_hour_ago = utcnow() - timedelta(hours=2)
        await db.exec(update(StaffSession).values(last_seen_at=an_hour_ago))  # type: ignore[call-overload]

    run_in_db(database_url, age)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
              "new_password_again": NEW_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert sum(c.startswith("razem_session=") for c in cookies) == 1
    assert _signed_in(client)


def test_guessing_the_current_password_hits_the_sign_in_lockout(
    client: Client, database_url: str
) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.TEACHER, "t@example.org"))
    sign_in(client, "t@example.org")
    for i in range(5):
        response = _change(client, f"guess-number-{i}", NEW_PASSWORD)
        assert "This is not your current password." in response.text  # type: ignore[attr-defined]
    response = _change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Too many sign-in attempts. Try again in 1 min." in response.text  # type: ignore[attr-defined]
    assert "auth.password_throttled" in _audit_actions(database_url)
    assert _signed_in(client)  # still signed in; the password is unchanged
    # The same lock holds for signing in with that email.
    response = client.post(
        "/sign-in",
        data={"email": "t@example.org", "password": PASSWORD, "_csrf_token": csrf_token(client)},
    )
    assert "Too many sign-in attempts. Try again in 1 min." in response.text


def test_an_admin_sets_a_new_password_which_ends_the_persons_sessions(
    app: Litestar, database_url: str
) -> None:
    admin = run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    target = run_in_db(
        database_url,
        lambda db: make_user(db, Role.TEACHER, "iryna@example.org", display_name="Iryna Bondar"),
    )
    with (
        TestClient(app=app, base_url="http://127.0.0.1") as desk,
        TestClient(app=app, base_url="http://127.0.0.1") as teacher,
    ):
        sign_in(desk, "admin@example.org")
        sign_in(teacher, "iryna@example.org")
        page = desk.get(f"/admin/staff/{target.id}/password")
        assert "Set a new password for Iryna Bondar" in page.text
        url = f"/admin/staff/{target.id}/password"
        for weak in ("iryna bondar", "iryna@example.org", "1234567890"):
            response = _post(desk, url, {"password": weak}, url)
            assert response.status_code == 400  # type: ignore[attr-defined]
        assert _signed_in(teacher)
        response = _post(desk, f"/admin/staff/{admin.id}/password", {"password": NEW_PASSWORD}, url)
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "Change my password" in response.text  # type: ignore[attr-defined]

        response = _post(desk, url, {"password": NEW_PASSWORD}, url)
        assert response.status_code == 303  # type: ignore[attr-defined]
        listing = desk.get(response.headers["location"])  # type: ignore[attr-defined]
        assert "New password set for Iryna Bondar." in listing.text
        assert _signed_in(desk)
        assert not _signed_in(teacher)
        sign_in(teacher, "iryna@example.org", NEW_PASSWORD)

    async def entries(db: AsyncSession) -> list[AuditEntry]:
        query = select(AuditEntry).where(col(AuditEntry.action) == "staff.password_reset")
        return list((await db.exec(query)).all())

    [entry] = run_in_db(database_url, entries)
    assert entry.actor_id == admin.id and entry.entity_id == str(target.id)


def test_only_admins_set_passwords_and_everyone_signed_in_changes_their_own(
    client: Client, database_url: str
) -> None:
    other = run_in_db(database_url, lambda db: make_user(db, Role.TEACHER, "t@example.org"))
    run_in_db(database_url, lambda db: make_user(db, Role.COORDINATOR, "c@example.org"))
    response = client.get("/account/password", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    sign_in(client, "c@example.org")
    assert client.get("/account/password").status_code == 200
    assert client.get(f"/admin/staff/{other.id}/password").status_code == 403


@pytest.mark.parametrize(
    "password",
    ["пароль123456789", "Kraków2026!", "kochaniekotek", "СлаваУкраїні", "warszawa2024!",
     "kotiksonechko"],
)  # fmt: skip
def test_polish_and_ukrainian_guessable_passwords_are_refused(password: str) -> None:
    """zxcvbn alone (English dictionaries) scores each of these 3 or 4."""
    assert password_weakness(password) is not None


@pytest.mark.parametrize(
    "password",
    ["синій трамвай гуде вночі", "mój zielony rower śpi", "correct horse battery staple"],
)
def test_unusual_phrases_in_any_language_are_accepted(password: str) -> None:
    assert password_weakness(password) is None
