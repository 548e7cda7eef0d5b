"""Coordinators and admins read and filter the audit trail; nobody can change it over HTTP;
sign-ins, failed sign-ins, sign-outs and the other writes all leave entries."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role
from server.i18n.labels import LABELS
from server.people.models import Person
from tests.factories import make_person, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in
from tests.sync.test_batch_api import _mark as batch_mark
from tests.sync.test_batch_api import _send as send_batch
from tests.sync.test_batch_api import _setup as batch_setup


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


def test_a_synced_batch_shows_its_marks_as_a_readable_list(
    client: Client, database_url: str
) -> None:
    """A batch's marks share one entry (decision 20): the page lists them with translated
    statuses, folded, not as raw JSON."""
    setup = batch_setup(database_url)
    run_in_db(database_url, lambda db: make_user(db, Role.COORDINATOR, "c@example.org"))
    sign_in(client, "me@example.org")
    writes = [batch_mark(setup, 0, "present"), batch_mark(setup, 1, "late")]
    assert send_batch(client, uuid.uuid4(), writes).status_code == 200
    sign_in(client, "c@example.org")
    page = client.get("/audit?action=attendance.marks")
    assert _rows(page.text) == 1
    assert "Attendance marked (synced from a device)" in page.text
    assert "<summary>2 marks</summary>" in page.text
    assert "Present" in page.text and "Late" in page.text
    assert "person_id" not in page.text


AUDIT_CALLS = {"audit_by": 2, "record_audit": None, "audit_row": None}


def _actions_written(root: Path) -> set[str]:
    """Every action an audit call in the server can write: string constants in its `action`
    argument, or module constants named there."""
    constants: dict[str, str] = {}
    expressions: list[ast.expr] = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        constants[target.id] = node.value.value
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            grouped = any(k.arg == "list_key" for k in node.keywords)  # AuditGroups.add
            if name not in AUDIT_CALLS and not grouped:
                continue
            position = 1 if grouped else AUDIT_CALLS[name]
            keyword = [k.value for k in node.keywords if k.arg == "action"]
            if keyword:
                expressions.append(keyword[0])
            elif position is not None and len(node.args) > position:
                expressions.append(node.args[position])
    actions: set[str] = set()
    for expression in expressions:
        for part in ast.walk(expression):
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                actions.add(part.value)
            elif isinstance(part, ast.Name) and part.id in constants:
                actions.add(constants[part.id])
    return actions


def test_every_audit_action_the_server_writes_has_a_name_on_the_page() -> None:
    """So the audit page never shows only a bare code for what happened."""
    actions = _actions_written(Path(__file__).resolve().parents[2] / "server")
    assert {"auth.sign_in", "attendance.mark", "attendance.marks", "person.erase"} <= actions
    assert sorted(a for a in actions if a not in LABELS["audit_action"]) == []
