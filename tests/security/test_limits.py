"""Oversized input is refused whole, with the limit said in the person's language, and changes
nothing: a 10 MB body to the sync batch and to a form (413, refused before the body is read in
full), and a batch of 100,000 writes. A batch of 1,000 writes of the largest kind still fits."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar

from server.app import create_app
from server.attendance.models import AttendanceMark
from server.people.models import Person
from server.settings import Settings
from server.sync.models import AppliedWrite, Device
from server.sync.routes import MAX_BATCH_BYTES, MAX_WRITES
from tests.factories import (
    OnePersonSession,
    count_rows,
    one_person_session,
)
from tests.helpers import Client, csrf_token, sign_in

TEN_MB = 10 * 1024 * 1024


def _counts(database_url: str) -> tuple[int, ...]:
    return tuple(
        count_rows(database_url, model) for model in (Person, AttendanceMark, AppliedWrite, Device)
    )


def _mark(setup: OnePersonSession) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "attendance.mark",
        "payload": {
            "session_id": str(setup.session_id),
            "person_id": str(setup.person_id),
            "status": "present",
        },
        "device_time": datetime.now(UTC).isoformat(),
    }


def _batch(client: Client, writes: list[dict[str, Any]] | bytes, device: str = "") -> Any:
    device = device or str(uuid.uuid4())
    headers = {"X-Razem-Device": device, "Accept-Language": "pl"}
    if isinstance(writes, bytes):
        return client.post(
            "/api/sync/batch",
            content=writes,
            headers={**headers, "Content-Type": "application/json"},
        )
    return client.post(
        "/api/sync/batch", json={"device_id": device, "writes": writes}, headers=headers
    )


def test_ten_megabytes_to_the_batch_are_refused_stating_the_limit(
    client: Client, database_url: str
) -> None:
    one_person_session(database_url)
    sign_in(client, "me@example.org")
    before = _counts(database_url)
    device = str(uuid.uuid4())
    padding = " " * TEN_MB  # valid JSON: only its size is wrong
    body = f'{{"device_id": "{device}", "writes": [{padding}]}}'.encode()
    response = _batch(client, body, device)
    assert response.status_code == 413
    assert response.json()["message"] == (
        "Za dużo naraz: można wysłać najwyżej 6 MB. Nic nie zostało zmienione."
    )
    assert _counts(database_url) == before


def test_ten_megabytes_to_a_form_are_refused_with_the_limit_on_the_page(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    path = f"/sessions/{setup.session_id}/newcomer"
    token = csrf_token(client, path)
    before = _counts(database_url)
    response = client.post(
        path,
        data={"given_name": "A" * TEN_MB, "family_name": "B", "_csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert "Too large: at most 1 MB can be sent at once. Nothing was changed." in response.text
    assert _counts(database_url) == before


class _Body:
    """An ASGI `receive` that sends `chunks` pieces of 64 KiB and counts how many were read."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.read = 0

    async def __call__(self) -> dict[str, Any]:
        self.read += 1
        more = self.read < self.chunks
        return {"type": "http.request", "body": b" " * 65536, "more_body": more}


async def _call(app: Litestar, cookie: str, body: _Body, *, announce: bool) -> int:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"x-razem-device", str(uuid.uuid4()).encode()),
        (b"cookie", cookie.encode()),
    ]
    if announce:
        headers.append((b"content-length", str(body.chunks * 65536).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/sync/batch",
        "raw_path": b"/api/sync/batch",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, body, send)  # type: ignore[arg-type]
    return statuses[0]


def test_an_oversized_body_is_refused_before_it_is_read_in_full(
    client: Client, database_url: str, settings: Settings
) -> None:
    one_person_session(database_url)
    sign_in(client, "me@example.org")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    chunks = TEN_MB // 65536
    announced, streamed = _Body(chunks), _Body(chunks)

    async def send_both() -> tuple[int, int]:
        app = create_app(settings)  # its own engine, on this event loop
        try:
            return (
                await _call(app, cookie, announced, announce=True),
                await _call(app, cookie, streamed, announce=False),
            )
        finally:
            await app.state.razem.engine.dispose()

    assert asyncio.run(send_both()) == (413, 413)
    assert announced.read == 0  # Content-Length said 10 MB: nothing was read
    assert streamed.read <= MAX_BATCH_BYTES // 65536 + 1 < chunks  # stopped at the limit


def test_a_batch_of_100000_writes_is_refused_whole_stating_the_limit(
    client: Client, database_url: str
) -> None:
    setup = one_person_session(database_url)
    sign_in(client, "me@example.org")
    before = _counts(database_url)
    # 100,000 writes cannot fit in the size limit (even the smallest valid write takes over
    # 60 bytes), so the size refuses them, before they are read.
    response = _batch(client, [_mark(setup) for _ in range(100_000)])
    assert response.status_code == 413
    assert response.json()["message"] == (
        "Za dużo naraz: można wysłać najwyżej 6 MB. Nic nie zostało zmienione."
    )
    # Within the size, one write over the count, real writes among them: not one is applied.
    response = _batch(client, [_mark(setup) for _ in range(MAX_WRITES + 1)])
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Za dużo zmian w jednej paczce: najwyżej 1000. Nic nie zostało zmienione."
    )
    assert _counts(database_url) == before


def test_a_batch_of_1000_writes_of_the_largest_kind_fits(client: Client, database_url: str) -> None:
    one_person_session(database_url)
    sign_in(client, "me@example.org")
    text = "Ґ" * 1000  # two bytes each in UTF-8
    writes = [
        {
            "key": str(uuid.uuid4()),
            "kind": "lesson.update",
            "payload": {
                "session_id": str(uuid.uuid4()),  # not found: refused quickly, one by one
                "topic": "Є" * 200,
                "materials": text,
                "homework": text,
            },
            "device_time": datetime.now(UTC).isoformat(),
            "user_id": str(uuid.uuid4()),
        }
        for _ in range(MAX_WRITES)
    ]
    response = _batch(client, writes)
    assert len(response.request.content) > 4 * 1024 * 1024  # over 4 MB on the wire
    assert response.status_code == 200, response.text[:300]
    assert len(response.json()["results"]) == MAX_WRITES
