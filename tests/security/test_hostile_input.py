"""Hostile input through the forms, the import and the sync batch: script tags and SQL in
names are stored as typed and shown as text; invalid UTF-8 and NUL anywhere, control
characters and overlong names are refused with a clear message, and change nothing."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from markupsafe import escape
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import AttendanceMark
from server.people.models import Consent, Person
from server.sync.models import AppliedWrite
from tests.factories import (
    OnePersonSession,
    count_rows,
    one_person_session,
    run_in_db,
)
from tests.helpers import Client, csrf_token, sign_in
from tests.imports.import_setup import COORDINATOR, confirm, confirm_fields, csv_file, upload
from tests.imports.import_setup import setup as import_setup

SCRIPT = '<script>alert("razem")</script>'
IMG = "<img src=x onerror=alert(1)>"
SQL = "Robert'); DROP TABLE people;--"
UNREADABLE = (
    "The request holds characters that are not valid text (invalid UTF-8 or a NUL character). "
    "Nothing was changed."
)
CONTROL = "Remove the invisible control characters from this field."


def _counts(database_url: str) -> tuple[int, ...]:
    return tuple(
        count_rows(database_url, model) for model in (Person, Consent, AttendanceMark, AppliedWrite)
    )


def _newcomer_fields(client: Client, setup: OnePersonSession, **fields: str) -> dict[str, Any]:
    return {
        "person_id": str(uuid.uuid4()),
        "key": str(uuid.uuid4()),
        "given_name": "Marta",
        "family_name": "Nowak",
        "sex": "female",
        "consent_shown_in": "pl",
        "consent_purposes": ["attendance"],
        "confirm_new": "1",
        "_csrf_token": csrf_token(client, f"/sessions/{setup.session_id}/newcomer"),
        **fields,
    }


def _register(client: Client, setup: OnePersonSession, **fields: str) -> Any:
    return client.post(
        f"/sessions/{setup.session_id}/newcomer",
        data=_newcomer_fields(client, setup, **fields),
        follow_redirects=False,
    )


def _people_named(database_url: str, given_name: str) -> list[Person]:
    async def load(db: AsyncSession) -> list[Person]:
        return list((await db.exec(select(Person).where(Person.given_name == given_name))).all())

    return run_in_db(database_url, load)


def _newcomer_write(setup: OnePersonSession, **fields: str) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "people.register_newcomer",
        "payload": {
            "person_id": str(uuid.uuid4()),
            "session_id": str(setup.session_id),
            "given_name": "Marta",
            "family_name": "Nowak",
            "consent_purposes": ["attendance"],
            "confirm_new": True,
            **fields,
        },
        "device_time": datetime.now(UTC).isoformat(),
        "user_id": str(setup.user_id),
    }


def _batch(client: Client, *writes: dict[str, Any]) -> Any:
    device = str(uuid.uuid4())
    return client.post(
        "/api/sync/batch",
        json={"device_id": device, "writes": list(writes)},
        headers={"X-Razem-Device": device},
    )


def test_script_tags_in_names_are_kept_as_text_and_shown_escaped(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    assert _register(client, setup, given_name=SCRIPT, family_name=IMG).status_code == 303
    [person] = _people_named(database_url, SCRIPT)
    assert person.family_name == IMG  # stored exactly as typed
    for path in (f"/sessions/{setup.session_id}", f"/people?q={person.code}"):
        page = client.get(path).text
        assert str(escape(SCRIPT)) in page, path
        assert SCRIPT not in page and IMG not in page
        assert "onerror=alert" not in re.sub(r"&lt;img[^<]*", "", page)
    # A search for markup is echoed as text too.
    page = client.get("/people", params={"q": SCRIPT}).text
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_a_script_tag_in_an_imported_name_is_kept_as_text_and_shown_escaped(
    client: Client, database_url: str
) -> None:
    import_setup(database_url)
    sign_in(client, COORDINATOR)
    preview = upload(client, csv_file(f"{SCRIPT};{IMG};female;1990;PL;;;;attendance"))
    assert preview.status_code < 300, preview.text[:300]  # type: ignore[attr-defined]
    page = preview.text  # type: ignore[attr-defined]
    assert SCRIPT not in page and IMG not in page and "&lt;script&gt;" in page
    assert confirm(client, confirm_fields(page)).status_code == 303  # type: ignore[attr-defined]
    [person] = _people_named(database_url, SCRIPT)
    assert person.family_name == IMG
    page = client.get(f"/people/{person.id}").text
    assert SCRIPT not in page and IMG not in page and "&lt;script&gt;" in page


def test_sql_in_names_and_searches_is_stored_and_searched_literally(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    people_before = count_rows(database_url, Person)
    assert _register(client, setup, given_name=SQL, family_name="' OR 1=1 --").status_code == 303
    [person] = _people_named(database_url, SQL)
    assert person.family_name == "' OR 1=1 --"
    assert count_rows(database_url, Person) == people_before + 1  # the table is all there
    found = client.get("/people", params={"q": "Robert DROP"}).text
    assert str(escape(SQL)) in found
    for query in ("' OR '1'='1", "%", "_", "x' UNION SELECT given_name FROM people --"):
        page = client.get("/people", params={"q": query}).text
        assert "Ola Nowak" not in page, query  # matched nobody, rather than everybody


def test_invalid_utf8_in_a_form_body_is_refused_with_a_message(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{setup.session_id}/newcomer")
    before = _counts(database_url)
    for name in (b"Marta%FF", b"Marta\xff", b"%C3%28"):
        response = client.post(
            f"/sessions/{setup.session_id}/newcomer",
            content=b"given_name=" + name + b"&family_name=Nowak&consent_purposes=attendance"
            b"&confirm_new=1&_csrf_token=" + token.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 400, name
        assert UNREADABLE in response.text
    assert _counts(database_url) == before


def test_invalid_utf8_in_a_json_body_is_refused_with_a_json_message(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    before = _counts(database_url)
    device = str(uuid.uuid4())
    write = _newcomer_write(setup, given_name="MARKER")
    body = json.dumps({"device_id": device, "writes": [write]}).encode()
    response = client.post(
        "/api/sync/batch",
        content=body.replace(b"MARKER", b"Marta\xff\xfe"),
        headers={"X-Razem-Device": device, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["message"] == UNREADABLE
    assert _counts(database_url) == before


def test_invalid_utf8_in_a_query_string_is_refused_with_a_message(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    for query in ("q=%FF%FE", "q=%C3%28", "q=%ED%A0%80"):  # the last: an encoded surrogate
        for path in ("/people", f"/sessions/{setup.session_id}/add"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query)
            assert UNREADABLE in response.text
    response = client.get("/api/sync/pack?x=%FF")
    assert response.status_code == 400 and response.json()["message"] == UNREADABLE


def test_nul_anywhere_is_refused_whole(client: Client, database_url: str) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    before = _counts(database_url)
    response = _register(client, setup, given_name="Mar\x00ta")
    assert response.status_code == 400 and UNREADABLE in response.text
    assert client.get("/people", params={"q": "a\x00"}).status_code == 400
    for write in (
        _newcomer_write(setup, given_name="Mar\x00ta"),
        {**_newcomer_write(setup), "kind": "attendance.mark\x00"},
        {**_newcomer_write(setup), "payload": {"\x00": "x"}},
    ):
        response = _batch(client, write)
        assert response.status_code == 400 and response.json()["message"] == UNREADABLE
    assert _counts(database_url) == before


def test_control_characters_in_names_are_refused_by_field(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    before = _counts(database_url)
    for name in ("Mar\x07ta", "Marta\nNowak", "\u202eatraM", "Marta\x1b[31m", "Mar\x85ta"):
        response = _register(client, setup, given_name=name)
        assert response.status_code == 400, repr(name)
        assert CONTROL in response.text
        result = _batch(client, _newcomer_write(setup, family_name=name)).json()["results"][0]
        assert result["outcome"] == "refused"
        assert result["errors"] == {"family_name": CONTROL}
    # Names that need joiners (Persian, for one) are fine.
    assert _register(client, setup, given_name="مهر\u200cناز").status_code == 303
    assert _counts(database_url)[0] == before[0] + 1


def test_overlong_names_are_refused_stating_the_limit(client: Client, database_url: str) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    before = _counts(database_url)
    response = _register(client, setup, given_name="A" * 101)
    assert response.status_code == 400
    assert "Too long: at most 100 characters." in response.text
    result = _batch(client, _newcomer_write(setup, given_name="Ж" * 101)).json()["results"][0]
    assert result["errors"] == {"given_name": "Too long: at most 100 characters."}
    assert _counts(database_url)[:3] == before[:3]


def _multipart(token: str, field: bytes, charset: str = "") -> bytes:
    declared = f"; charset={charset}" if charset else ""
    return (
        b'--XyZ\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--XyZ\r\nContent-Disposition: form-data; name="note"\r\n'
        + f"Content-Type: text/plain{declared}\r\n\r\n".encode()
        + field
        + b'\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="people.csv"'
        b"\r\nContent-Type: text/csv\r\n\r\n"
        + csv_file("Łucja;Nowak;female;1990;PL;;pl;;attendance", encoding="cp1250")
        + b"\r\n--XyZ--\r\n"
    )


def test_invalid_utf8_or_nul_in_a_multipart_text_field_is_refused_with_a_message(
    client: Client, database_url: str
) -> None:
    import_setup(database_url)
    sign_in(client, COORDINATOR)
    token = csrf_token(client, "/people/import")
    before = _counts(database_url)
    for field, charset in ((b"Marta\xff", ""), (b"Mar\x00ta", ""), (b"Marta", "no-such-charset")):
        response = client.post(
            "/people/import/preview",
            content=_multipart(token, field, charset),
            headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
        )
        assert response.status_code == 400, (field, charset, response.text[:300])
        assert UNREADABLE in response.text
    assert _counts(database_url) == before
    # The same upload with readable text fields is read (its file is Windows-1250).
    response = client.post(
        "/people/import/preview",
        content=_multipart(token, "Marta Żółć".encode()),
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert response.status_code == 200, response.text[:500]
