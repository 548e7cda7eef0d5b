"""A coordinator marks a likely-duplicate pair as not the same person: the pair is no longer
listed (whichever order it is given in), the dismissal is audited and can be undone."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.people.models import DuplicateDismissal
from tests.factories import make_person, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _pairs(database_url: str) -> dict[str, uuid.UUID]:
    async def build(db: AsyncSession) -> dict[str, uuid.UUID]:
        await make_user(db, Role.COORDINATOR, "c@example.org")
        await make_user(db, Role.FACILITATOR, "f@example.org")
        olena = await make_person(db, "Olena", "Kovalenko", birth_year=1987)
        olena_uk = await make_person(db, "Олена", "Коваленко", birth_year=1987)
        ivan = await make_person(db, "Ivan", "Petrenko", phone="+48 600 100 200")
        jan = await make_person(db, "Jan", "Nowak", phone="600100200")
        return {"olena": olena.id, "olena_uk": olena_uk.id, "ivan": ivan.id, "jan": jan.id}

    return run_in_db(database_url, build)


def _listed(page: str, one: uuid.UUID, other: uuid.UUID) -> bool:
    return any(
        f"/people/merge?keep={a}&amp;merge={b}" in page for a, b in ((one, other), (other, one))
    )


def _audit(database_url: str) -> list[AuditEntry]:
    async def load(db: AsyncSession) -> list[AuditEntry]:
        query = (
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("people.not_duplicate"))
            .order_by(col(AuditEntry.at))
        )
        return list((await db.exec(query)).all())

    return run_in_db(database_url, load)


def _dismissals(database_url: str) -> list[tuple[uuid.UUID, uuid.UUID]]:
    async def load(db: AsyncSession) -> list[tuple[uuid.UUID, uuid.UUID]]:
        rows = await db.exec(select(DuplicateDismissal.first_id, DuplicateDismissal.second_id))
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    return run_in_db(database_url, load)


def _post(client: Client, path: str, one: uuid.UUID, other: uuid.UUID) -> int:
    token = csrf_token(client, "/people/duplicates")
    response = client.post(
        path,
        data={"first": str(one), "second": str(other), "_csrf_token": token},
        follow_redirects=False,
    )
    return response.status_code


@pytest.mark.parametrize("pair", [("olena", "olena_uk"), ("jan", "ivan")])
@pytest.mark.parametrize("reverse", [False, True])
def test_a_dismissed_pair_is_no_longer_listed_and_can_come_back(
    client: Client, database_url: str, pair: tuple[str, str], reverse: bool
) -> None:
    ids = _pairs(database_url)
    one, other = ids[pair[0]], ids[pair[1]]
    if reverse:
        one, other = other, one
    rest = [(ids["olena"], ids["olena_uk"]), (ids["ivan"], ids["jan"])]
    sign_in(client, "c@example.org")
    page = client.get("/people/duplicates").text
    assert all(_listed(page, a, b) for a, b in rest)

    assert _post(client, "/people/duplicates/dismiss", one, other) == 303
    page = client.get("/people/duplicates?done=dismissed").text
    assert not _listed(page, one, other)
    assert all(_listed(page, a, b) for a, b in rest if {a, b} != {one, other})
    assert "Marked as not the same person" in page
    assert "Undo for" in page
    assert _dismissals(database_url) == [tuple(sorted((one, other)))]
    # Dismissing it again, in the other order, changes nothing.
    assert _post(client, "/people/duplicates/dismiss", other, one) == 303
    assert len(_dismissals(database_url)) == 1
    entries = _audit(database_url)
    assert [e.action for e in entries] == ["people.not_duplicate"]
    assert {entries[0].entity_id, entries[0].details["other_id"]} == {str(one), str(other)}
    assert entries[0].actor_id is not None

    assert _post(client, "/people/duplicates/undo", other, one) == 303
    page = client.get("/people/duplicates?done=undone").text
    assert _listed(page, one, other)
    assert "Undo for" not in page
    assert _dismissals(database_url) == []
    assert [e.action for e in _audit(database_url)] == [
        "people.not_duplicate",
        "people.not_duplicate_undo",
    ]


def test_refused_for_facilitators_and_for_bad_pairs(client: Client, database_url: str) -> None:
    ids = _pairs(database_url)
    sign_in(client, "f@example.org")
    token = csrf_token(client, "/people")
    for path in ("/people/duplicates/dismiss", "/people/duplicates/undo"):
        response = client.post(
            path,
            data={"first": str(ids["olena"]), "second": str(ids["olena_uk"]), "_csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 403
    client.cookies.clear()
    sign_in(client, "c@example.org")
    missing = uuid.uuid4()
    assert _post(client, "/people/duplicates/dismiss", ids["olena"], ids["olena"]) == 404
    assert _post(client, "/people/duplicates/dismiss", ids["olena"], missing) == 404
    token = csrf_token(client, "/people/duplicates")
    response = client.post(
        "/people/duplicates/dismiss",
        data={"first": "not-an-id", "second": str(ids["olena"]), "_csrf_token": token},
    )
    assert response.status_code == 404
    assert _dismissals(database_url) == []
    assert _audit(database_url) == []
