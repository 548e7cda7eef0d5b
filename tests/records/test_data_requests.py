"""Admins answer data-protection requests over HTTP: everything held about one person as a
page and a JSON file (both audited), and erasure with a reason. Others are refused."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import AttendanceMark, MarkStatus
from server.audit.models import AuditEntry
from server.auth.models import Role
from server.people.models import Consent, Person
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _person(database_url: str) -> uuid.UUID:
    async def build(db: AsyncSession) -> uuid.UUID:
        await make_user(db, Role.ADMIN, "admin@example.org", display_name="Ada Admin")
        await make_user(db, Role.COORDINATOR, "c@example.org")
        facilitator = await make_user(db, Role.FACILITATOR, "f@example.org", display_name="Fay")
        choir = await make_activity(db, staff=[facilitator])
        person = await make_person(db, "Olena", "Kovalenko", phone="+48 600 100 200")
        await enroll(db, choir, person)
        session = await make_session(db, choir, date(2026, 11, 2))
        session.note = "Olena Kovalenko brought her cousin"
        db.add(session)
        now = datetime.now(UTC)
        db.add(AttendanceMark(session_id=session.id, person_id=person.id,
                              status=MarkStatus.LATE, marked_at=now,
                              marked_by_id=facilitator.id))  # fmt: skip
        db.add(Consent(person_id=person.id, given_at=now, purposes=["attendance", "photos"],
                       recorded_by_id=facilitator.id))  # fmt: skip
        return person.id

    return run_in_db(database_url, build)


def _session_of(database_url: str, person: uuid.UUID) -> uuid.UUID:
    async def load(db: AsyncSession) -> uuid.UUID:
        query = select(AttendanceMark.session_id).where(AttendanceMark.person_id == person)
        return (await db.exec(query)).one()

    return run_in_db(database_url, load)


def _audit(database_url: str, action: str) -> list[AuditEntry]:
    async def load(db: AsyncSession) -> list[AuditEntry]:
        return list((await db.exec(select(AuditEntry).where(AuditEntry.action == action))).all())

    return run_in_db(database_url, load)


def test_an_admin_sees_and_downloads_everything_held_about_a_person(
    client: Client, database_url: str
) -> None:
    person = _person(database_url)
    sign_in(client, "admin@example.org")
    page = client.get(f"/people/{person}/data")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for shown in ("Olena", "Kovalenko", "+48 600 100 200", "Multicultural Choir", "Late",
                  "Photos from activities", "Fay"):  # fmt: skip
        assert shown in page.text
    download = client.get(f"/people/{person}/data.json")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    data = json.loads(download.content)
    assert data["person"]["given_name"] == "Olena"
    assert data["attendance"][0] | {"marked_at": None} == {
        "activity": "Multicultural Choir", "date": "2026-11-02", "start_time": "17:00:00",
        "status": "late", "quantity": None, "marked_at": None, "marked_by": "Fay",
    }  # fmt: skip
    assert data["consents"][0]["purposes"] == ["attendance", "photos"]
    exports = _audit(database_url, "person.export")
    assert [e.entity_id for e in exports] == [str(person)] * 2


def test_only_admins_reach_data_requests(client: Client, database_url: str) -> None:
    person = _person(database_url)
    sign_in(client, "c@example.org")
    for path in ("data", "data.json", "erase"):
        assert client.get(f"/people/{person}/{path}").status_code == 403
    token = csrf_token(client, f"/people/{person}")
    answer = client.post(f"/people/{person}/erase", data={"reason": "x", "_csrf_token": token})
    assert answer.status_code == 403
    assert _audit(database_url, "person.export") == []
    assert "Erase this person" not in client.get(f"/people/{person}").text


def test_erasing_needs_a_reason_then_removes_the_name_everywhere(
    client: Client, database_url: str
) -> None:
    person = _person(database_url)
    sign_in(client, "admin@example.org")
    page = client.get(f"/people/{person}/erase").text
    assert "Session note" in page and "brought her cousin" in page
    assert "The name is replaced by […]" in page
    token = csrf_token(client, f"/people/{person}/erase")
    refused = client.post(f"/people/{person}/erase", data={"reason": "", "_csrf_token": token})
    assert refused.status_code == 400
    assert "Say why, for example the date of the request." in refused.text
    assert _audit(database_url, "person.erase") == []
    done = client.post(
        f"/people/{person}/erase",
        data={"reason": "Request on 2026-11-20", "_csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/people/{person}"
    page = client.get(f"/people/{person}")
    assert "Erased person" in page.text and "Olena" not in page.text
    assert "+48 600 100 200" not in page.text

    async def load(db: AsyncSession) -> Person | None:
        return await db.get(Person, person)

    stored = run_in_db(database_url, load)
    assert stored is not None and stored.given_name == "" and stored.phone is None
    assert client.get("/people?q=Olena").text.count("Kovalenko") == 0
    roster = client.get(f"/sessions/{_session_of(database_url, person)}").text
    assert "Kovalenko" not in roster and "[…] […] brought her cousin" in roster


def test_after_an_erasure_the_name_is_in_neither_the_database_file_nor_its_log(
    client: Client, database_url: str
) -> None:
    """SQLite zeroes freed space (secure_delete) and the erasure checkpoints the write-ahead
    log, so the erased name's bytes are gone from both files (not only unlinked)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("a file check: PostgreSQL's old row versions are VACUUMed instead")
    path = Path(database_url.split("///", 1)[1])
    person = _person(database_url)
    sign_in(client, "admin@example.org")
    client.get(f"/people/{person}")  # some reads and writes in the log first

    def files() -> bytes:
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    assert b"Kovalenko" in files()
    token = csrf_token(client, f"/people/{person}/erase")
    done = client.post(
        f"/people/{person}/erase",
        data={"reason": "Request on 2026-11-20", "_csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert b"Kovalenko" not in files()
    assert b"+48 600 100 200" not in files()
