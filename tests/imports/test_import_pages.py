"""The import pages through the real app: who may import, the preview that writes nothing, the
confirmation that writes all rows or none, no duplicates on re-import, and the audit entry."""

from __future__ import annotations

import base64
import html
import re

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Enrollment, EnrollmentStatus
from server.audit.models import AuditEntry
from server.auth.models import Role
from server.common.errors import Message, ValidationFailed
from server.people.models import Consent, Difficulty, Person
from tests.factories import count_rows, make_person, run_in_db
from tests.helpers import Client, csrf_token, sign_in
from tests.imports.import_setup import (
    COORDINATOR,
    GOOD_ROWS,
    confirm,
    confirm_fields,
    csv_file,
    setup,
    upload,
)


def _counts(database_url: str) -> tuple[int, int, int]:
    return (
        count_rows(database_url, Person),
        count_rows(database_url, Enrollment),
        count_rows(database_url, Consent),
    )


def _import_audits(database_url: str) -> list[AuditEntry]:
    async def load(db: AsyncSession) -> list[AuditEntry]:
        statement = select(AuditEntry).where(AuditEntry.action == "people.import")
        return list((await db.exec(statement)).all())

    return run_in_db(database_url, load)


@pytest.mark.parametrize("role", list(Role))
def test_only_coordinators_and_admins_may_import(
    client: Client, database_url: str, role: Role
) -> None:
    setup(database_url)
    sign_in(client, f"{role.value}@example.org")
    allowed = role in (Role.COORDINATOR, Role.ADMIN)
    for path in ("/people/import", "/people/import/template.csv", "/people/import/template.xlsx"):
        assert client.get(path).status_code == (200 if allowed else 403), path
    token = csrf_token(client, "/people")
    preview = client.post(
        "/people/import/preview",
        files={"file": ("people.csv", csv_file(*GOOD_ROWS), "text/csv")},
        data={"_csrf_token": token},
    )
    assert preview.status_code == (200 if allowed else 403)
    link = 'href="/people/import"' in client.get("/people").text
    assert link is allowed
    assert _counts(database_url) == (0, 0, 0)


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/people/import", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fpeople%2Fimport"


def test_an_upload_without_the_csrf_token_is_refused(client: Client, database_url: str) -> None:
    setup(database_url)
    sign_in(client, COORDINATOR)
    response = client.post(
        "/people/import/preview", files={"file": ("p.csv", csv_file(*GOOD_ROWS), "text/csv")}
    )
    assert response.status_code == 403


def test_the_templates_download_as_attachments(client: Client, database_url: str) -> None:
    setup(database_url)
    sign_in(client, COORDINATOR)
    as_csv = client.get("/people/import/template.csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="razem-import.csv"' in as_csv.headers["content-disposition"]
    assert as_csv.content.decode("utf-8-sig").startswith("given_name;family_name;")
    as_xlsx = client.get("/people/import/template.xlsx")
    assert as_xlsx.content.startswith(b"PK")


def test_the_preview_reports_every_problem_by_row_and_column_and_writes_nothing(
    client: Client, database_url: str
) -> None:
    setup(database_url)
    sign_in(client, COORDINATOR)
    content = csv_file(
        GOOD_ROWS[0],
        "Anna;;female;2990;POL;12;xx;Nowhere;photos",  # row 3: many problems
        GOOD_ROWS[1],
        ";Kowalska;female;1970;PL;;;;attendance",  # row 5: no given name
    )
    page = upload(client, content)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Nothing was imported: 2 of 4 rows have problems." in text
    problems = re.findall(r'<li id="problem-(\d+)-(\w+)">', page.text)
    assert problems == [
        ("3", "family_name"),
        ("3", "birth_year"),
        ("3", "nationality"),
        ("3", "phone"),
        ("3", "languages"),
        ("3", "activity"),
        ("3", "consent"),
        ("5", "given_name"),
    ]
    # The same messages as the registration form.
    assert "The birth year cannot be in the future." in text
    assert "Choose a country from the list." in text
    assert "Enter a phone number with digits, for example +48 600 100 200." in text
    assert "The person must agree to their attendance being recorded to be registered." in text
    assert "No activity has this title." in text
    assert 'action="/people/import/confirm"' not in page.text
    assert _counts(database_url) == (0, 0, 0)
    assert _import_audits(database_url) == []


def test_confirming_writes_every_row_once_and_a_second_import_creates_no_one(
    client: Client, database_url: str
) -> None:
    activities = setup(database_url)
    sign_in(client, COORDINATOR)
    content = csv_file(*GOOD_ROWS)
    preview = upload(client, content)
    text = html.unescape(preview.text)
    assert "Same person as row 3" in text
    assert re.search(r"<dt>New people</dt><dd>3</dd>", preview.text)
    assert re.search(r"<dt>New enrolments</dt><dd>3</dd>", preview.text)
    assert _counts(database_url) == (0, 0, 0)  # the preview wrote nothing

    done = confirm(client, confirm_fields(preview.text))
    assert done.status_code == 303
    assert done.headers["location"] == "/people/import?rows=4&created=3&matched=1&enrolled=3"
    assert "Imported 4 rows: 3 new people, 1 already registered, 3 new enrolments." in (
        html.unescape(client.get(done.headers["location"]).text)
    )
    assert _counts(database_url) == (3, 3, 3)

    async def check(db: AsyncSession) -> None:
        people = {p.family_name: p for p in (await db.exec(select(Person))).all()}
        oksana = people["Шевченко"]
        assert (oksana.birth_year, oksana.nationality, oksana.phone) == (
            1985,
            "UA",
            "+48 600 100 200",
        )
        assert oksana.languages == ["uk", "ru"] and oksana.sex.value == "female"
        enrolled = (
            await db.exec(select(Enrollment.activity_id).where(Enrollment.person_id == oksana.id))
        ).all()
        assert set(enrolled) == {activities.choir, activities.course}
        consent = (
            await db.exec(select(Consent).where(Consent.person_id == people["Gęślą"].id))
        ).one()
        assert consent.purposes == ["attendance", "photos"]

    run_in_db(database_url, check)
    [audit] = _import_audits(database_url)
    assert audit.details == {"rows": 4, "created": 3, "matched": 1, "enrolled": 3}
    assert audit.actor_id is not None

    again = upload(client, content)
    assert re.search(r"<dt>New people</dt><dd>0</dd>", again.text)
    done = confirm(client, confirm_fields(again.text))
    assert done.headers["location"] == "/people/import?rows=4&created=0&matched=4&enrolled=0"
    assert _counts(database_url) == (3, 3, 3)
    assert len(_import_audits(database_url)) == 2


def test_people_registered_before_are_matched_in_any_script_or_by_phone(
    client: Client, database_url: str
) -> None:
    activities = setup(database_url)

    async def existing(db: AsyncSession) -> None:
        # Registered in Latin letters; the file writes her in Cyrillic.
        oksana = await make_person(db, "Oksana", "Shevchenko", birth_year=1985)
        db.add(
            Enrollment(
                activity_id=activities.choir,
                person_id=oksana.id,
                status=EnrollmentStatus.WITHDRAWN,
            )
        )
        await make_person(db, "Lukas", "Voitsik", birth_year=1990, phone="600-100-300")
        await make_person(db, "Zażółć", "Gęślą", birth_year=1950)  # a different birth year

    run_in_db(database_url, existing)
    sign_in(client, COORDINATOR)
    content = csv_file(
        "Łukasz;Wójcik;male;1990;PL;+48 600 100 300;;;attendance",
        GOOD_ROWS[1],
        GOOD_ROWS[3],
    )
    preview = upload(client, content)
    text = html.unescape(preview.text)
    assert "Already registered: Lukas Voitsik" in text and "(same phone)" in text
    assert "Already registered: Oksana Shevchenko" in text
    assert "Already in Multicultural Choir" in text
    done = confirm(client, confirm_fields(preview.text))
    assert done.headers["location"] == "/people/import?rows=3&created=1&matched=2&enrolled=0"
    assert count_rows(database_url, Person) == 4

    async def enrolment_left_as_it_was(db: AsyncSession) -> None:
        statuses = (await db.exec(select(Enrollment.status))).all()
        assert statuses == [EnrollmentStatus.WITHDRAWN]

    run_in_db(database_url, enrolment_left_as_it_was)


def test_a_tampered_preview_is_refused(client: Client, database_url: str) -> None:
    setup(database_url)
    sign_in(client, COORDINATOR)
    fields = confirm_fields(upload(client, csv_file(*GOOD_ROWS)).text)
    content = base64.b64decode(fields["content"]).replace("Wójcik".encode(), b"Nowak")
    tampered = [
        {**fields, "content": base64.b64encode(content).decode()},
        {**fields, "filename": "other.csv"},
        {**fields, "issued_at": "2020-01-01T00:00:00+00:00"},
        {**fields, "signature": "0" * 64},
        {**fields, "content": "not base64!"},
    ]
    for changed in tampered:
        refused = confirm(client, changed)
        assert refused.status_code == 400
        assert "The previewed file could not be verified. Upload it again." in refused.text
    assert _counts(database_url) == (0, 0, 0)
    # Another coordinator cannot confirm this coordinator's preview either.
    client.cookies.clear()
    sign_in(client, "coordinator@example.org")
    token = csrf_token(client, "/people/import")
    assert confirm(client, {**fields, "_csrf_token": token}).status_code == 400
    assert _counts(database_url) == (0, 0, 0)
    assert _import_audits(database_url) == []


def test_a_row_refused_while_saving_leaves_nothing_written(
    client: Client, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(database_url)
    sign_in(client, COORDINATOR)
    preview = upload(client, csv_file(*GOOD_ROWS))
    import server.imports.service as service

    real_enroll = service.enroll
    calls: list[int] = []

    async def enroll_refusing_the_second(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise ValidationFailed({"": Message("This person is registered already.")})
        return await real_enroll(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "enroll", enroll_refusing_the_second)
    refused = confirm(client, confirm_fields(preview.text))
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert "Nothing was imported: row 3 was refused while saving." in text
    assert "This person is registered already." in text
    assert len(calls) == 2  # the first row was written, then undone
    assert _counts(database_url) == (0, 0, 0)
    assert _import_audits(database_url) == []

    async def no_trace(db: AsyncSession) -> None:
        actions = (await db.exec(select(AuditEntry.action))).all()
        assert not [a for a in actions if a in ("person.register", "enrollment.add")]

    run_in_db(database_url, no_trace)


def test_a_file_that_changed_meaning_since_the_preview_is_shown_again(
    client: Client, database_url: str
) -> None:
    activities = setup(database_url)
    sign_in(client, COORDINATOR)
    preview = upload(client, csv_file(*GOOD_ROWS))

    async def archive_the_course(db: AsyncSession) -> None:
        from server.activities.models import Activity
        from server.common.models import utcnow

        course = (await db.exec(select(Activity).where(Activity.id == activities.course))).one()
        course.archived_at = utcnow()
        db.add(course)

    run_in_db(database_url, archive_the_course)
    again = confirm(client, confirm_fields(preview.text))
    assert again.status_code == 200
    assert '<li id="problem-4-activity">' in again.text
    assert _counts(database_url) == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "people.csv", "The file is empty."),
        (b"name;surname\nJan;Kowalski\n", "people.csv", "Unknown columns: name, surname."),
        (b"x" * (2 * 1024 * 1024 + 1), "big.csv", "The file is larger than 2 MB."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(
    client: Client, database_url: str, content: bytes, filename: str, message: str
) -> None:
    setup(database_url)
    sign_in(client, COORDINATOR)
    page = upload(client, content, filename)
    assert page.status_code == 400
    assert f'<p class="field-error" id="error-file">{message}' in html.unescape(page.text)
    assert 'aria-describedby="hint-file error-file"' in page.text


def test_washington_group_columns_are_optional_and_checked(
    client: Client, database_url: str
) -> None:
    setup(database_url)
    sign_in(client, COORDINATOR)
    header = "given_name;family_name;consent;wg_walking;wg_seeing"
    bad = csv_file("Anna;Nowak;attendance;very_much;", header=header)
    preview = upload(client, bad)
    assert re.findall(r'<li id="problem-(\d+)-(\w+)">', preview.text) == [("2", "wg_walking")]
    assert "Choose one of the options." in html.unescape(preview.text)
    assert 'action="/people/import/confirm"' not in preview.text
    assert _counts(database_url) == (0, 0, 0)

    good = csv_file("Anna;Nowak;attendance;A_LOT_OF_DIFFICULTY;", header=header)
    done = confirm(client, confirm_fields(upload(client, good).text))
    assert done.status_code == 303

    async def check(db: AsyncSession) -> None:
        anna = (await db.exec(select(Person))).one()
        assert anna.wg_walking == Difficulty.A_LOT
        assert anna.wg_seeing is None and anna.wg_hearing is None  # empty, absent: not asked

    run_in_db(database_url, check)
