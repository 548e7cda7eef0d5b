"""Coordinators and admins read and filter the audit trail; nobody can change it over HTTP;
sign-ins, failed sign-ins, sign-outs and the other writes all leave entries."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role
from server.people.models import Person
from tests.factories import make_person, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _staff(database_url: str) -> str:
    async def build(db: AsyncSession) -> str:
        await make_user(db, Role.COORDINATOR, "c@example.org", display_name="Cora Coordinator")
        await make_user(db, Role.FACILITATOR, "f@example.org", display_name="Fay Facilitator")
        return (await make_person(db, "Olena", "Kovalenko")).code

    return run_in_db(database_url, build)


def _rows(html: str) -> int:
    return (
        html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")
        if "<tbody>" in html
        else 0
    )


def test_sign_ins_failures_and_sign_outs_are_listed_and_filtered(
    client: Client, database_url: str
) -> None:
    _staff(database_url)
    bad = client.post(
        "/sign-in",
        data={
            "email": "f@example.org",
            "password": "wrong password!",
            "_csrf_token": csrf_token(client),
        },
    )
    assert bad.status_code == 400
    sign_in(client, "f@example.org")
    client.post("/sign-out", data={"_csrf_token": csrf_token(client, "/sessions")})
    sign_in(client, "c@example.org")
    page = client.get("/audit")
    assert page.status_code == 200
    shown_all = ("Failed sign-in", "Signed in", "Signed out", "Fay Facilitator", "testclient")
    for shown in shown_all:  # "testclient" is the address the test client connects from
        assert shown in page.text
    failed = client.get("/audit?action=auth.sign_in_failed")
    assert _rows(failed.text) == 1 and "Nobody signed in" in failed.text
    assert _rows(client.get("/audit?action=auth.sign_in").text) == 2
    assert _rows(client.get("/audit?from_date=2001-01-01&to_date=2001-01-31").text) == 0


def test_a_person_code_finds_the_entries_about_them(client: Client, database_url: str) -> None:
    code = _staff(database_url)

    async def more(db: AsyncSession) -> str:
        await make_user(db, Role.ADMIN, "a@example.org")
        other = await make_person(db, "Ahmad", "Karimi")
        person = await db.exec(select(Person).where(Person.code == code))
        return f"{person.one().id} {other.code}"

    person_id, other_code = run_in_db(database_url, more).split()
    sign_in(client, "a@example.org")
    assert client.get(f"/people/{person_id}/data").status_code == 200  # audited
    about = client.get(f"/audit?entity={code.lower()}")
    assert _rows(about.text) == 1 and "Person&#39;s data exported" in about.text
    assert _rows(client.get(f"/audit?entity={person_id}").text) == 1
    assert _rows(client.get(f"/audit?entity={other_code}").text) == 0


def test_bad_filters_are_explained_and_the_trail_cannot_be_changed(
    client: Client, database_url: str
) -> None:
    _staff(database_url)
    sign_in(client, "c@example.org")
    wrong = client.get("/audit?from_date=31.12.2026&actor=someone")
    assert wrong.status_code == 400
    assert "Enter a date like 2026-03-31." in wrong.text
    assert "Choose a staff member from the list." in wrong.text
    token = csrf_token(client, "/audit")
    for method in ("post", "put", "patch", "delete"):
        answer = getattr(client, method)("/audit", headers={"x-csrftoken": token})
        assert answer.status_code == 405


def test_facilitators_and_teachers_cannot_read_the_trail(client: Client, database_url: str) -> None:
    _staff(database_url)
    sign_in(client, "f@example.org")
    assert client.get("/audit").status_code == 403
