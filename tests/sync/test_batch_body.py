"""The batch body is read strictly: a time without an offset cannot be put on the server's
clock, so the batch is refused whole (400) rather than failing on the server (500)."""

from __future__ import annotations

import uuid

from tests.factories import make_user, run_in_db
from tests.helpers import Client, sign_in


def test_a_time_without_an_offset_is_a_bad_batch(client: Client, database_url: str) -> None:
    run_in_db(database_url, lambda db: make_user(db, email="me@example.org"))
    sign_in(client, "me@example.org")
    device = str(uuid.uuid4())
    write = {"key": str(uuid.uuid4()), "kind": "attendance.mark", "payload": {},
             "device_time": "2026-11-24T10:00:00"}  # fmt: skip
    response = client.post(
        "/api/sync/batch",
        json={"device_id": device, "writes": [write]},
        headers={"X-Razem-Device": device},
    )
    assert response.status_code == 400
