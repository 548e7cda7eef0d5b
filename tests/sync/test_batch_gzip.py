"""A phone may gzip its batch (issue 9: bytes up on a slow line): the server inflates it as it
reads and applies it like any other; broken or oversized compressed bodies are refused whole
with a reason, and change nothing."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from server.attendance.models import AttendanceMark
from server.sync.routes import MAX_BATCH_BYTES
from tests.factories import count_rows
from tests.helpers import Client, sign_in
from tests.sync.test_batch_api import Setup, _mark, _setup


def _body(setup: Setup, device: uuid.UUID, statuses: list[str]) -> bytes:
    writes = [_mark(setup, i, status) for i, status in enumerate(statuses)]
    document = {
        "device_id": str(device),
        "sent_at": datetime.now(UTC).isoformat(),
        "writes": writes,
    }
    return json.dumps(document).encode()


def _post(client: Client, device: uuid.UUID, content: bytes, **headers: str) -> Any:
    return client.post(
        "/api/sync/batch",
        content=content,
        headers={
            "Content-Type": "application/json",
            "X-Razem-Device": str(device),
            "Content-Encoding": "gzip",
            **headers,
        },
    )


def test_a_gzipped_batch_is_applied_like_a_plain_one(client: Client, database_url: str) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    device = uuid.uuid4()
    plain = _body(setup, device, ["present", "late", "absent"])
    packed = gzip.compress(plain)
    response = _post(client, device, packed)
    assert response.status_code == 200, response.text
    assert [r["outcome"] for r in response.json()["results"]] == ["applied"] * 3
    assert count_rows(database_url, AttendanceMark) == 3
    again = _post(client, device, packed)  # the same batch again: nothing new
    assert [r["outcome"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert count_rows(database_url, AttendanceMark) == 3


def test_a_body_that_is_not_gzip_is_refused_in_the_persons_language(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    device = uuid.uuid4()
    plain = _body(setup, device, ["present"])
    for broken in (plain, gzip.compress(plain)[:-12], gzip.compress(plain) + b"more"):
        response = _post(client, device, broken, **{"Accept-Language": "pl"})
        assert response.status_code == 400, response.text
        assert "gzip" in response.text and "Nic nie zostało zmienione" in response.text
    assert count_rows(database_url, AttendanceMark) == 0


def test_a_small_body_that_inflates_past_the_limit_is_refused(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    device = uuid.uuid4()
    plain = _body(setup, device, ["present"])
    padded = plain[:-1] + b"," + b'"x":"' + b"a" * (MAX_BATCH_BYTES + 1) + b'"}'
    bomb = gzip.compress(padded)
    assert len(bomb) < 50_000  # ~6 MB of JSON in a few kilobytes
    response = _post(client, device, bomb)
    assert response.status_code == 413
    assert count_rows(database_url, AttendanceMark) == 0


def test_other_encodings_and_gzip_elsewhere_are_refused(client: Client, database_url: str) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    device = uuid.uuid4()
    plain = _body(setup, device, ["present"])
    assert _post(client, device, plain, **{"Content-Encoding": "br"}).status_code == 415
    form = client.post(
        "/sign-out", content=gzip.compress(b"a=b"), headers={"Content-Encoding": "gzip"}
    )
    assert form.status_code == 415
    identity = _post(client, device, plain, **{"Content-Encoding": "identity"})
    assert identity.status_code == 200
    assert count_rows(database_url, AttendanceMark) == 1
