"""Schemathesis against the app's own OpenAPI schema (the sync API and /healthz), in process,
signed in as a facilitator with a session, people and a device to write to: every generated
request, valid or not, gets an answer the schema documents (status, content type, body), and
never a 5xx. Deterministic (derandomized, no example database) and bounded, so CI is stable.

Run more examples locally: RAZEM_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/security -k fuzz
"""

from __future__ import annotations

import json
import os
import re
import secrets
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, settings
from litestar import Litestar
from litestar.serialization import encode_json
from schemathesis import Case
from sqlmodel.ext.asyncio.session import AsyncSession

from server.app import create_app
from server.auth.models import Role
from server.settings import Settings
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, sign_in

_SENDABLE_HEADER = re.compile(r"(?:\S[^\r\n\x00]*)?")
EXAMPLES = int(os.environ.get("RAZEM_FUZZ_EXAMPLES", "40"))


def _schema_app() -> Litestar:
    """The schema does not depend on the database: build it from an app that never runs."""
    return create_app(
        Settings(
            database_url="sqlite+aiosqlite:///:memory:",
            secret_key=secrets.token_urlsafe(40),
            data_dir=Path("."),
            run_jobs=False,
        )
    )


SCHEMA_DOCUMENT = json.loads(encode_json(_schema_app().openapi_schema.to_schema()))
schema = schemathesis.openapi.from_dict(SCHEMA_DOCUMENT)
# Text holding NUL is refused whole before any handler runs (tests/security/test_hostile_input.py
# checks that); the schema's description says so, but JSON Schema cannot.
schema.config.generation.update(allow_x00=False)


def test_the_schema_describes_the_json_api_and_not_the_pages() -> None:
    assert set(SCHEMA_DOCUMENT["paths"]) == {"/api/sync/batch", "/api/sync/pack", "/healthz"}


class Facilitator:
    def __init__(self, database_url: str) -> None:
        async def build(db: AsyncSession) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
            me = await make_user(db, Role.FACILITATOR, "me@example.org")
            activity = await make_activity(db, staff=[me])
            people = [await make_person(db, f"Osoba{i}", "Testowa") for i in range(3)]
            for person in people:
                await enroll(db, activity, person)
            session = await make_session(db, activity, date.today())
            return me.id, session.id, [p.id for p in people]

        self.user_id, self.session_id, self.people = run_in_db(database_url, build)


@pytest.fixture
def facilitator(client: Client, database_url: str) -> Facilitator:
    setup = Facilitator(database_url)
    sign_in(client, "me@example.org")
    return setup


def _aim_at_real_rows(body: Any, setup: Facilitator) -> None:
    """Generated writes name random sessions and people, which are simply not found: point
    those that name a session or a person at real ones, so the domain code runs too."""
    writes = body.get("writes") if isinstance(body, dict) else None
    for i, write in enumerate(writes if isinstance(writes, list) else []):
        payload = write.get("payload") if isinstance(write, dict) else None
        if not isinstance(payload, dict):
            continue
        if i % 2 == 0:
            payload["session_id"] = str(setup.session_id)
        if i % 3 == 0:
            payload["person_id"] = str(setup.people[i % len(setup.people)])


def _send(client: Client, case: Case, setup: Facilitator) -> Any:
    if case.operation.path == "/api/sync/batch" and isinstance(case.body, dict):
        _aim_at_real_rows(case.body, setup)
        device = case.body.get("device_id")
        # The header must repeat the body's device (the batch's CSRF defence), which a schema
        # cannot say: send it so whenever the case sends the header at all.
        if isinstance(device, str) and case.headers and "x-razem-device" in case.headers:
            case.headers["x-razem-device"] = device
    # A header value no HTTP client can send (leading whitespace, line breaks) is not a case.
    assume(all(_SENDABLE_HEADER.fullmatch(str(v)) for v in (case.headers or {}).values()))
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url))
    kwargs.pop("cookies", None)  # the client's own sign-in cookie is the one to send
    if "data" in kwargs and not isinstance(kwargs["data"], dict):
        kwargs["content"] = kwargs.pop("data")
    # Header values as bytes on the wire (httpx would refuse to encode non-ASCII text itself).
    kwargs["headers"] = {k: str(v).encode() for k, v in (kwargs.get("headers") or {}).items()}
    return client.request(**kwargs)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,  # a shared 2-core machine: the whole test's time is bounded instead
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_json_api_answers_as_documented_and_never_fails(
    case: Case, client: Client, facilitator: Facilitator
) -> None:
    response = _send(client, case, facilitator)
    assert response.status_code < 500, response.text[:500]
    case.validate_response(response)
