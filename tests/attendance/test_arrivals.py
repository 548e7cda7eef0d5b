"""Newcomers registered on the spot (with the duplicate warning), existing people added,
and event check-in by search and by card code."""

from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, Enrollment
from server.attendance.models import AttendanceMark
from server.auth.models import Role
from server.people.models import Consent, Difficulty, Person
from tests.factories import (
    count_rows,
    enroll,
    make_activity,
    make_person,
    make_session,
    make_user,
    run_in_db,
)
from tests.helpers import Client, csrf_token, sign_in

HTMX = {"HX-Request": "true"}


def _setup(database_url: str, kind: ActivityKind = ActivityKind.CHOIR) -> dict[str, object]:
    async def build(db: AsyncSession) -> dict[str, object]:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        other = await make_user(db, Role.FACILITATOR, "other@example.org")
        activity = await make_activity(db, staff=[me], kind=kind)
        session = await make_session(db, activity, date.today())
        mine = await make_person(db, "Оксана", "Шевченко", birth_year=1990)
        await enroll(db, activity, mine)
        theirs_activity = await make_activity(db, staff=[other], title="Their workshop")
        stranger = await make_person(db, "Андрій", "Коваленко", birth_year=1985)
        await enroll(db, theirs_activity, stranger)
        return {"session": session.id, "activity": activity.id, "mine": mine, "stranger": stranger}

    return run_in_db(database_url, build)


def _newcomer(client: Client, session_id: object, **fields: object) -> object:
    url = f"/sessions/{session_id}/newcomer"
    page = client.get(url).text
    person_id = page.split('name="person_id" value="')[1].split('"')[0]
    data = {
        "person_id": person_id,
        "given_name": "Marta",
        "family_name": "Nowak",
        "sex": "female",
        "birth_year": "1992",
        "nationality": "PL",
        "population_group": "host_community",
        "consent_shown_in": "pl",
        "consent_purposes": ["attendance", "reporting"],
        "_csrf_token": csrf_token(client, url),
    }
    data.update({k: v for k, v in fields.items()})
    return client.post(url, data=data, follow_redirects=False)


def test_a_newcomer_is_registered_enrolled_and_marked_present_with_consent(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    response = _newcomer(client, setup["session"])
    assert response.status_code == 303  # type: ignore[attr-defined]

    async def check(db: AsyncSession) -> tuple[Person, Consent, int, str]:
        person = (await db.exec(select(Person).where(Person.given_name == "Marta"))).one()
        consent = (await db.exec(select(Consent).where(Consent.person_id == person.id))).one()
        enrolled = (
            await db.exec(
                select(func.count())
                .select_from(Enrollment)
                .where(Enrollment.person_id == person.id)
            )
        ).one()
        mark = (
            await db.exec(select(AttendanceMark).where(AttendanceMark.person_id == person.id))
        ).one()
        return person, consent, int(enrolled), mark.status.value

    person, consent, enrolled, status = run_in_db(database_url, check)
    assert (person.sex.value, person.birth_year, person.nationality) == ("female", 1992, "PL")
    assert len(person.code) == 6
    assert consent.purposes == ["attendance", "reporting"] and consent.shown_in.value == "pl"
    assert enrolled == 1 and status == "present"
    assert response.headers["location"].endswith(f"#roster-row-{person.id}")  # type: ignore[attr-defined]


def test_a_near_duplicate_is_offered_instead_of_a_second_record(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    people_before = count_rows(database_url, Person)
    # The same person typed in Latin letters, registered by another facilitator's activity.
    response = _newcomer(
        client, setup["session"], given_name="Andriy", family_name="Kovalenko", birth_year="1985"
    )
    assert response.status_code == 409  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert "Someone with this name and birth year is registered already." in page
    assert "Андрій Коваленко (Andrii Kovalenko)" in page
    assert count_rows(database_url, Person) == people_before
    # Use the existing person: enrolled here and marked present, no new record.
    stranger: Person = setup["stranger"]  # type: ignore[assignment]
    url = f"/sessions/{setup['session']}/add"
    response = client.post(
        url,
        data={"person_id": str(stranger.id), "given_name": "Andriy", "family_name": "Kovalenko",
              "birth_year": "1985", "_csrf_token": csrf_token(client, url)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert count_rows(database_url, Person) == people_before
    page = client.get(f"/sessions/{setup['session']}").text
    assert "Андрій Коваленко" in page


def test_registering_anyway_creates_a_new_person(client: Client, database_url: str) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    before = count_rows(database_url, Person)
    response = _newcomer(
        client,
        setup["session"],
        given_name="Oksana",
        family_name="Shevchenko",
        birth_year="1990",
        confirm_new="1",
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert count_rows(database_url, Person) == before + 1


def test_newcomer_bad_input_is_refused_and_writes_nothing(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    before = (count_rows(database_url, Person), count_rows(database_url, AttendanceMark))
    cases = [
        ({"given_name": ""}, "This field is required."),
        ({"family_name": "N" * 101}, "Too long: at most 100 characters."),
        ({"birth_year": "abc"}, "Enter a whole number."),
        ({"birth_year": "2999"}, "The birth year cannot be in the future."),
        ({"nationality": "Narnia"}, "Choose a country from the list."),
        ({"phone": "call me"}, "Enter a phone number with digits"),
        ({"sex": "robot"}, "Choose one of the options."),
        ({"wg_walking": "very_much"}, "Choose one of the options."),
        ({"consent_purposes": ["photos"]}, "The person must agree to their attendance"),
    ]
    for fields, expected in cases:
        response = _newcomer(client, setup["session"], **fields)
        assert response.status_code == 400, fields  # type: ignore[attr-defined]
        assert expected in response.text, fields  # type: ignore[attr-defined]
    assert (count_rows(database_url, Person), count_rows(database_url, AttendanceMark)) == before


def test_the_same_newcomer_form_sent_twice_registers_once(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    url = f"/sessions/{setup['session']}/newcomer"
    page = client.get(url).text
    person_id = page.split('name="person_id" value="')[1].split('"')[0]
    key = page.split('name="key" value="')[1].split('"')[0]
    data = {"person_id": person_id, "key": key, "given_name": "Jan", "family_name": "Kos",
            "sex": "male", "consent_shown_in": "uk", "consent_purposes": ["attendance"],
            "_csrf_token": csrf_token(client, url)}  # fmt: skip
    first = client.post(url, data=data, follow_redirects=False)
    second = client.post(url, data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert count_rows(database_url, Person) == 3


def test_search_for_people_is_cross_script_and_scoped(client: Client, database_url: str) -> None:
    _setup(database_url)
    sign_in(client, "me@example.org")
    assert "Оксана Шевченко" in client.get("/people?q=oksana").text
    assert "Оксана Шевченко" in client.get("/people?q=SHEVCHENKO").text
    # Andrii is enrolled only in another facilitator's activity: not visible here.
    assert "Коваленко" not in client.get("/people?q=andrii").text


def test_adding_someone_outside_your_scope_is_not_found(client: Client, database_url: str) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    stranger: Person = setup["stranger"]  # type: ignore[assignment]
    url = f"/sessions/{setup['session']}/add"
    client.post(url, data={"person_id": str(stranger.id), "_csrf_token": csrf_token(client, url)})
    assert count_rows(database_url, AttendanceMark) == 0


def test_event_check_in_by_search_and_code_and_twice(client: Client, database_url: str) -> None:
    setup = _setup(database_url, kind=ActivityKind.EVENT)
    mine: Person = setup["mine"]  # type: ignore[assignment]
    sign_in(client, "me@example.org")
    url = f"/sessions/{setup['session']}/check-in"
    results = client.get(url + "?q=оксана", headers=HTMX).text
    assert "Check in Оксана Шевченко" in results
    token = csrf_token(client, url)
    first = client.post(url, data={"person_id": str(mine.id), "_csrf_token": token}, headers=HTMX)
    assert "Checked in: Оксана Шевченко" in first.text
    assert "hx-swap-oob" in first.text
    again = client.post(url, data={"code": mine.code.lower(), "_csrf_token": token}, headers=HTMX)
    assert "is already checked in. Nothing was changed." in again.text
    unknown = client.post(url, data={"code": "ZZZZZZ", "_csrf_token": token}, headers=HTMX)
    assert "No one with this card code is on your lists." in unknown.text
    assert count_rows(database_url, AttendanceMark) == 1


def test_coordinator_prints_a_qr_card_and_facilitators_cannot(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    mine: Person = setup["mine"]  # type: ignore[assignment]
    run_in_db(database_url, lambda db: make_user(db, Role.COORDINATOR, "c@example.org"))
    sign_in(client, "me@example.org")
    assert client.get(f"/people/{mine.id}/card").status_code == 403
    client.cookies.clear()
    sign_in(client, "c@example.org")
    page = client.get(f"/people/{mine.id}/card").text
    assert "<svg" in page and mine.code in page
    assert client.get(f"/people/{uuid.uuid4()}/card").status_code == 404


def test_washington_group_answers_are_kept_only_if_given(client: Client, database_url: str) -> None:
    """The six questions are optional: unanswered ones stay "not asked" (None)."""
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    page = client.get(f"/sessions/{setup['session']}/newcomer").text
    assert 'name="wg_self_care"' in page and "Disability questions (optional)" in page
    answers = {"wg_walking": "a_lot_of_difficulty", "wg_seeing": "prefer_not_to_say"}
    response = _newcomer(client, setup["session"], **answers)
    assert response.status_code == 303  # type: ignore[attr-defined]

    async def check(db: AsyncSession) -> Person:
        return (await db.exec(select(Person).where(Person.given_name == "Marta"))).one()

    person = run_in_db(database_url, check)
    assert person.wg_walking == Difficulty.A_LOT
    assert person.wg_seeing == Difficulty.DECLINED
    assert person.wg_hearing is None and person.wg_communicating is None


def test_a_refused_newcomer_form_shows_the_answered_disability_questions_open(
    client: Client, database_url: str
) -> None:
    """Answers given before a refusal stay visible: the questions' section is open (once)."""
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    closed = client.get(f"/sessions/{setup['session']}/newcomer").text
    assert re.search(r'<details class="wg-questions"\s*>', closed)
    answers = {"wg_walking": "a_lot_of_difficulty", "wg_seeing": "prefer_not_to_say"}
    response = _newcomer(client, setup["session"], given_name="", **answers)
    assert response.status_code == 400  # type: ignore[attr-defined]
    opening = re.search(r'<details class="wg-questions"([^>]*)>', response.text)  # type: ignore[attr-defined]
    assert opening is not None and opening.group(1).split() == ["open"]
