"""A coordinator records or changes a person's Washington Group answers on their page (decision
16): the answers are stored, blank is "not asked", a value off the scale is refused with a
message in the reader's language and nothing changes, the change is audited (which questions,
never the answers), and an erased person's answers cannot be changed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.common.models import utcnow
from server.people.models import WG_DOMAINS, Difficulty, Person
from tests.factories import make_person, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in
from tests.web.test_no_english_left import _english_sources, _visible_text


def _world(database_url: str, **fields: Any) -> uuid.UUID:
    async def build(db: AsyncSession) -> uuid.UUID:
        await make_user(db, Role.COORDINATOR, "c@example.org")
        await make_user(db, Role.ADMIN, "a@example.org")
        person = await make_person(db, "Olena", "Kovalenko", birth_year=1987, **fields)
        return person.id

    return run_in_db(database_url, build)


def _answers(database_url: str, person_id: uuid.UUID) -> dict[str, str | None]:
    async def load(db: AsyncSession) -> dict[str, str | None]:
        person = await db.get(Person, person_id)
        assert person is not None
        return {
            d: (None if (v := getattr(person, f"wg_{d}")) is None else str(v)) for d in WG_DOMAINS
        }

    return run_in_db(database_url, load)


def _audit(database_url: str) -> list[AuditEntry]:
    async def load(db: AsyncSession) -> list[AuditEntry]:
        query = select(AuditEntry).where(col(AuditEntry.action) == "person.disability")
        return list((await db.exec(query)).all())

    return run_in_db(database_url, load)


def _form(client: Client, person_id: uuid.UUID, **answers: str) -> dict[str, str]:
    token = csrf_token(client, f"/people/{person_id}/disability")
    values = {f"wg_{d}": "" for d in WG_DOMAINS}
    values.update({f"wg_{d}": v for d, v in answers.items()})
    return {**values, "_csrf_token": token}


@pytest.mark.parametrize("email", ["c@example.org", "a@example.org"])
def test_answers_are_recorded_changed_and_audited(
    client: Client, database_url: str, email: str
) -> None:
    person_id = _world(database_url, wg_hearing=Difficulty.NONE)
    sign_in(client, email)
    page = client.get(f"/people/{person_id}").text
    assert f'href="/people/{person_id}/disability"' in page
    form = client.get(f"/people/{person_id}/disability").text
    # Every question, each starting at what is stored ("not asked" where nothing is).
    assert form.count("<select") == len(WG_DOMAINS)
    assert '<option value="no_difficulty" selected>' in form

    data = _form(client, person_id, walking="a_lot_of_difficulty", seeing="prefer_not_to_say")
    response = client.post(f"/people/{person_id}/disability", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/people/{person_id}?saved=disability"
    assert _answers(database_url, person_id) == {
        "seeing": "prefer_not_to_say",
        "hearing": None,  # blank: no longer asked (the coordinator cleared it)
        "walking": "a_lot_of_difficulty",
        "remembering": None,
        "self_care": None,
        "communicating": None,
    }
    (entry,) = _audit(database_url)
    assert entry.entity_id == str(person_id)
    assert entry.details == {"changed": ["seeing", "hearing", "walking"]}
    assert "a_lot_of_difficulty" not in str(entry.details)  # health data stay out of the trail

    shown = client.get(f"/people/{person_id}?saved=disability").text
    assert "Disability answers saved." in shown
    assert "Yes, a lot of difficulty" in shown
    assert "Prefer not to say" in shown


def test_saving_the_same_answers_changes_and_audits_nothing(
    client: Client, database_url: str
) -> None:
    person_id = _world(database_url, wg_walking=Difficulty.SOME)
    sign_in(client, "c@example.org")
    data = _form(client, person_id, walking="some_difficulty")
    response = client.post(f"/people/{person_id}/disability", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert _audit(database_url) == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Choose one of the answers, or “Not asked”."),
        ("pl", "Wybierz jedną z odpowiedzi albo „Nie pytano”."),
        ("uk", "Виберіть одну з відповідей або «Не питали»."),
    ],
)
def test_an_answer_off_the_scale_is_refused_in_the_readers_language(
    client: Client, database_url: str, language: str, message: str
) -> None:
    person_id = _world(database_url, wg_seeing=Difficulty.NONE)
    client.headers["Accept-Language"] = language
    sign_in(client, "c@example.org")
    data = _form(client, person_id, seeing="some_difficulty", hearing="deaf")
    response = client.post(f"/people/{person_id}/disability", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'id="error-wg_hearing"' in response.text
    # What was typed stays on the form; nothing is stored, nothing audited.
    assert '<option value="some_difficulty" selected>' in response.text
    assert _answers(database_url, person_id)["seeing"] == "no_difficulty"
    assert _audit(database_url) == []


def test_an_erased_persons_answers_cannot_be_changed(client: Client, database_url: str) -> None:
    person_id = _world(database_url, erased_at=utcnow())
    sign_in(client, "c@example.org")
    page = client.get(f"/people/{person_id}/disability")
    assert page.status_code == 200
    assert "<select" not in page.text
    token = csrf_token(client, f"/people/{person_id}")
    data = {"wg_walking": "cannot_do_at_all", "_csrf_token": token}
    response = client.post(f"/people/{person_id}/disability", data=data)
    assert response.status_code == 400
    assert "This person's data was erased: their answers can no longer be changed." in (
        response.text
    )
    assert _answers(database_url, person_id)["walking"] is None
    assert _audit(database_url) == []


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_the_disability_pages(
    client: Client, database_url: str, language: str
) -> None:
    person_id = _world(database_url, wg_walking=Difficulty.A_LOT)
    english = _english_sources(language)
    client.headers["Accept-Language"] = language
    sign_in(client, "c@example.org")
    pages = {
        "form": client.get(f"/people/{person_id}/disability").text,
        "person": client.get(f"/people/{person_id}?saved=disability").text,
    }
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        left = [source for source in english if source in _visible_text(page)]
        assert not left, f"English left on {name} in {language}: {left}"
