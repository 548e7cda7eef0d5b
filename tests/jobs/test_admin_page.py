"""The jobs admin page through the real app: every job with its schedule, next run, last run
and history; "Run now" is for admins only, needs the CSRF token, runs the job once with a
slot of its own and is audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.jobs.models import JobRun
from server.jobs.registry import JOBS
from tests.factories import make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in
from tests.jobs.helpers import job_runs

ADMIN = "admin@example.org"


def _staff(database_url: str) -> None:
    async def build(db: AsyncSession) -> None:
        await make_user(db, Role.ADMIN, ADMIN, display_name="Ada Admin")
        await make_user(db, Role.COORDINATOR, "coordinator@example.org")
        await make_user(db, Role.FACILITATOR, "facilitator@example.org")

    run_in_db(database_url, build)


def _section(page: str, job: str) -> str:
    found = re.search(rf'<section class="job" id="job-{job}".*?</section>', page, re.S)
    assert found is not None, f"{job} not listed"
    return found.group(0)


def _run_now(client: Client, job: str) -> object:
    token = csrf_token(client, "/admin/jobs")
    return client.post(
        f"/admin/jobs/{job}/run", data={"_csrf_token": token}, follow_redirects=False
    )


def test_the_page_lists_every_job_with_its_schedule_and_next_run(
    client: Client, database_url: str
) -> None:
    _staff(database_url)

    async def earlier_run(db: AsyncSession) -> None:
        db.add(JobRun(job="generate_sessions", slot="2026-11-24T02:00:00Z", runner="web-1:41",
                      status="ok", finished_at=datetime.now(UTC),
                      details={"sessions_added": 1234}))  # fmt: skip
        db.add(JobRun(job="cleanup_idempotency_keys", slot="2026-11-24T03:15:00Z",
                      runner="web-2:7", status="failed", finished_at=datetime.now(UTC),
                      details={"error": "OperationalError", "message": ""}))  # fmt: skip

    run_in_db(database_url, earlier_run)
    sign_in(client, ADMIN)
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    for job in JOBS:
        section = _section(page.text, job.name)
        assert job.title in section and "Next run" in section
    backup = _section(page.text, "sqlite_backup")
    assert "Every day at 02:30" in backup and "Never" in backup
    generation = _section(page.text, "generate_sessions")
    assert "Every day at 03:00" in generation
    assert "Sessions added" in generation and "1,234" in generation
    assert "Process web-1:41" in generation and "Done" in generation
    cleanup = _section(page.text, "cleanup_idempotency_keys")
    assert "Failed" in cleanup and "OperationalError" in cleanup
    assert "Not shown: it might quote personal data." in cleanup


def test_run_now_runs_the_job_once_and_is_audited(client: Client, database_url: str) -> None:
    _staff(database_url)
    sign_in(client, ADMIN)
    response = _run_now(client, "silent_devices")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/admin/jobs#job-silent_devices"  # type: ignore[attr-defined]
    [run] = job_runs(database_url)
    assert run.job == "silent_devices" and run.slot.startswith("manual-")
    assert (run.status, run.details) == ("ok", {"silent_devices": 0})

    async def audited(db: AsyncSession) -> list[AuditEntry]:
        return list((await db.exec(select(AuditEntry).where(AuditEntry.action == "job.run"))).all())

    [entry] = run_in_db(database_url, audited)
    assert (entry.entity_type, entry.entity_id) == ("job", "silent_devices")
    assert entry.actor_id is not None and entry.details["run_id"] == str(run.id)

    _run_now(client, "silent_devices")  # each press is a run of its own
    assert len(job_runs(database_url)) == 2
    section = _section(client.get("/admin/jobs").text, "silent_devices")
    assert "Silent devices with changes waiting" in section and "Run now" in section
    assert "Recent runs: Silent devices" in section


def test_run_now_is_refused_without_the_csrf_token_and_for_an_unknown_job(
    client: Client, database_url: str
) -> None:
    _staff(database_url)
    sign_in(client, ADMIN)
    client.get("/admin/jobs")
    refused = client.post("/admin/jobs/silent_devices/run", follow_redirects=False)
    assert refused.status_code == 403
    assert _run_now(client, "no_such_job").status_code == 404  # type: ignore[attr-defined]
    assert job_runs(database_url) == []


def test_only_admins_see_or_run_jobs(client: Client, database_url: str) -> None:
    _staff(database_url)
    assert client.get("/admin/jobs", follow_redirects=False).status_code == 303  # to sign in
    for email in ("coordinator@example.org", "facilitator@example.org"):
        client.cookies.clear()
        sign_in(client, email)
        assert client.get("/admin/jobs").status_code == 403
        token = csrf_token(client, "/people")
        answer = client.post("/admin/jobs/silent_devices/run", data={"_csrf_token": token})
        assert answer.status_code == 403
    assert job_runs(database_url) == []
