"""Operations: request ids, the JSON access log (no query string, no personal data), the
Prometheus metrics and who may read them, the health check."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel.ext.asyncio.session import AsyncSession

from server.app import create_app
from server.auth.models import Role
from server.logs import ACCESS_LOGGER, REQUEST_ID, JsonFormatter, TextFormatter, log_config
from server.settings import Settings
from server.system.routes import may_read_metrics
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, sign_in

TOKEN = "metrics-token-" + "x" * 32


@pytest.fixture
def metrics_client(settings: Settings) -> Iterator[Client]:
    app: Litestar = create_app(settings.model_copy(update={"metrics_token": TOKEN}))
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        yield client


def _access(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The app's access lines (the test client logs its own requests, with their queries)."""
    lines = [json.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == ACCESS_LOGGER]


# --- request ids ------------------------------------------------------------------------------


def test_a_request_id_from_the_proxy_is_echoed(client: Client) -> None:
    response = client.get("/sign-in", headers={"X-Request-ID": "caddy-3f2a.9:1"})
    assert response.headers["x-request-id"] == "caddy-3f2a.9:1"


def test_without_one_a_request_id_is_made(client: Client) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/nothing-here").headers["x-request-id"]  # a 404 has one too
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.parametrize("given", ["two words", "x" * 129, "</script>", "ünï"])
def test_a_request_id_that_is_not_a_plain_token_is_replaced(client: Client, given: str) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": given.encode()})
    assert re.fullmatch(r"[0-9a-f]{32}", echoed.headers["x-request-id"])


def test_request_ids_from_the_proxy_can_be_distrusted(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"trust_request_id": False}))
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        echoed = client.get("/healthz", headers={"X-Request-ID": "from-outside"})
    assert re.fullmatch(r"[0-9a-f]{32}", echoed.headers["x-request-id"])


# --- the access log ---------------------------------------------------------------------------


def test_each_request_writes_one_json_access_line_without_the_query(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    caplog.handler.setFormatter(JsonFormatter())
    response = client.get("/sign-in?next=/people%3Fq%3DOksana&q=Shevchenko")
    [line] = _access(caplog)
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["logger"] == ACCESS_LOGGER and line["level"] == "INFO"
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "GET", "/sign-in", "/sign-in", 200,
    )  # fmt: skip
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    text = json.dumps(line, ensure_ascii=False)
    assert "Oksana" not in text and "Shevchenko" not in text and "?" not in text
    assert "127.0.0.1" not in text and "testclient" not in text  # no client address


def test_an_unmatched_request_is_logged_too(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    caplog.handler.setFormatter(JsonFormatter())
    client.get("/no-such-page?q=Name", headers={"X-Request-ID": "r-404"})
    [line] = _access(caplog)
    assert (line["path"], line["route"], line["status"], line["request_id"]) == (
        "/no-such-page", "unmatched", 404, "r-404",
    )  # fmt: skip


def test_every_line_written_during_a_request_carries_its_id() -> None:
    record = logging.LogRecord("razem.jobs", logging.WARNING, __file__, 1, "slow %s", ("x",), None)
    token = REQUEST_ID.set("req-7")
    try:
        as_json = json.loads(JsonFormatter().format(record))
        as_text = TextFormatter().format(record)
    finally:
        REQUEST_ID.reset(token)
    assert as_json["request_id"] == "req-7" and as_json["message"] == "slow x"
    assert "[req-7]" in as_text
    assert "request_id" not in json.loads(JsonFormatter().format(record))  # outside a request


def test_names_are_written_as_they_are_so_a_leak_check_sees_them() -> None:
    record = logging.LogRecord("razem", logging.INFO, __file__, 1, "Оксана", None, None)
    assert "Оксана" in JsonFormatter().format(record)


def test_the_server_logs_json_unless_in_the_demo_or_told_otherwise() -> None:
    from server.cli import log_config as cli_config

    def formatter(**settings: Any) -> str:
        config = cli_config(Settings(secret_key="k" * 40, **settings))
        return str(config["formatters"]["razem"]["()"])

    assert formatter().endswith("JsonFormatter")
    assert formatter(demo_mode=True).endswith("TextFormatter")
    assert formatter(log_format="text").endswith("TextFormatter")
    assert formatter(demo_mode=True, log_format="json").endswith("JsonFormatter")
    # uvicorn's own access line (with the client's address and the query) stays off.
    assert log_config("json")["loggers"]["uvicorn.access"]["handlers"] == []


# --- metrics ----------------------------------------------------------------------------------


def _samples(client: Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_batch_is_counted_by_kind_and_outcome(metrics_client: Client, database_url: str) -> None:
    async def build(db: AsyncSession) -> tuple[uuid.UUID, list[uuid.UUID], uuid.UUID]:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        activity = await make_activity(db, staff=[me])
        people = [await make_person(db, f"P{i}", "Test") for i in range(3)]
        for person in people:
            await enroll(db, activity, person)
        session = await make_session(db, activity, date.today())
        return session.id, [p.id for p in people], me.id

    session_id, people, user_id = run_in_db(database_url, build)
    sign_in(metrics_client, "me@example.org")

    def mark(person: uuid.UUID, **extra: Any) -> dict[str, Any]:
        payload = {"session_id": str(session_id), "person_id": str(person), "status": "present"}
        now = datetime.now(UTC).isoformat()
        return {"key": str(uuid.uuid4()), "kind": "attendance.mark", "payload": payload,
                "device_time": now, "user_id": str(user_id), **extra}  # fmt: skip

    writes = [mark(people[0]), mark(people[1]), mark(people[2], format=99),
              mark(people[0], kind="no.such_kind")]  # fmt: skip
    device = str(uuid.uuid4())
    before = _samples(metrics_client)

    def send(batch: list[dict[str, Any]]) -> None:
        body = {"device_id": device, "writes": batch}
        answer = metrics_client.post(
            "/api/sync/batch", json=body, headers={"X-Razem-Device": device}
        )
        assert answer.status_code == 200, answer.text

    send(writes)
    send(writes[:2])  # the same writes again: duplicates
    after = _samples(metrics_client)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("razem_sync_batches_total") == 2
    assert grew("razem_sync_batch_writes_count") == 2 and grew("razem_sync_batch_writes_sum") == 6
    mark_kind = "attendance.mark"
    assert grew("razem_sync_writes_total", kind=mark_kind, outcome="applied") == 2
    assert grew("razem_sync_writes_total", kind=mark_kind, outcome="duplicate") == 2
    assert grew("razem_sync_writes_total", kind=mark_kind, outcome="refused") == 1
    assert grew("razem_sync_writes_total", kind="unknown", outcome="refused") == 1
    assert grew("razem_sync_refusals_total", kind=mark_kind, reason="old_format") == 1
    assert grew("razem_sync_refusals_total", kind="unknown", reason="unknown_kind") == 1
    # Request latency, by route template (not the raw path), method and status.
    route = {"route": "/api/sync/batch", "method": "POST", "status": "200"}
    assert grew("razem_http_request_duration_seconds_count", **route) == 2
    assert not any("no.such_kind" in str(key) for key in after)


def test_a_batch_refused_whole_is_not_counted(metrics_client: Client) -> None:
    before = _samples(metrics_client)
    device = str(uuid.uuid4())
    refused = metrics_client.post(
        "/api/sync/batch", json={"device_id": device, "writes": []},
        headers={"X-Razem-Device": device},
    )  # fmt: skip
    assert refused.status_code == 401
    after = _samples(metrics_client)
    assert _value(after, "razem_sync_batches_total") == _value(before, "razem_sync_batches_total")


def test_request_latency_is_labelled_by_route_template(metrics_client: Client) -> None:
    metrics_client.get(f"/sw/{uuid.uuid4()}.js")  # a 404 from a route with a parameter
    samples = _samples(metrics_client)
    routes = {
        dict(labels).get("route") for (name, labels) in samples if name.startswith("razem_http")
    }
    assert "/sw/{name}" in routes
    assert not any(route and route.startswith("/sw/") and route.endswith(".js") for route in routes)


def test_metrics_need_the_token_when_one_is_set(metrics_client: Client) -> None:
    assert metrics_client.get("/metrics").status_code == 404
    wrong = metrics_client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404


def test_without_a_token_metrics_are_hidden_from_other_hosts(client: Client) -> None:
    """The test client's address is not loopback: as a request from elsewhere."""
    response = client.get("/metrics")
    assert response.status_code == 404
    assert "razem_" not in response.text


def _scope(host: str, *headers: tuple[bytes, bytes]) -> Any:
    return {"type": "http", "client": (host, 5000), "headers": list(headers)}


def test_without_a_token_only_direct_loopback_requests_may_read_metrics() -> None:
    assert may_read_metrics(_scope("127.0.0.1"), "")
    assert may_read_metrics(_scope("::1"), "")
    assert not may_read_metrics(_scope("10.0.0.5"), "")
    # Through a proxy on the same machine: the proxy says so, and that is refused.
    assert not may_read_metrics(_scope("127.0.0.1", (b"x-forwarded-for", b"127.0.0.1")), "")
    assert not may_read_metrics(_scope("127.0.0.1", (b"forwarded", b"for=127.0.0.1")), "")
    # With a token, loopback alone is not enough.
    assert not may_read_metrics(_scope("127.0.0.1"), TOKEN)
    assert may_read_metrics(
        _scope("10.0.0.5", (b"authorization", f"Bearer {TOKEN}".encode())), TOKEN
    )


# --- health -----------------------------------------------------------------------------------


def test_health_needs_no_session_lookup_and_says_ok(client: Client) -> None:
    response = client.get("/healthz", headers={"Cookie": "razem_session=not-a-session"})
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}
