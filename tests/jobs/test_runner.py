"""Running a job once per slot: the claim in the database, what a run records, and that
neither the record nor the log of a failure carries personal data."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from server.common.models import utcnow
from server.jobs.models import JobRun
from server.jobs.registry import Job
from server.jobs.runner import run_for_slot
from server.jobs.scheduler import catch_up
from server.web.appstate import AppState
from tests.factories import run_in_db
from tests.jobs.helpers import job_runs, job_settings, with_app_state

NAME = "Ołena Kowalczuk-Шевченко"  # a person's name that must never reach a record or a log


def _job(run: Any, name: str = "test_job") -> Job:
    return Job(name=name, title="Test", description="Test", schedule="0 3 * * *", run=run)


def test_two_processes_firing_the_same_slot_run_the_job_once(
    database_url: str, tmp_path: Path
) -> None:
    """Two app states (two engines, as two processes have) fire the same slot at once."""
    calls: list[int] = []

    async def work(_app_state: AppState) -> dict[str, Any]:
        calls.append(1)
        await asyncio.sleep(0.2)
        return {"done": len(calls)}

    job = _job(work)
    settings = job_settings(database_url, tmp_path)

    async def both(first: AppState) -> list[object]:
        second = AppState.from_settings(settings)
        try:
            return list(
                await asyncio.gather(
                    run_for_slot(first, job, "2026-11-24T02:00:00Z"),
                    run_for_slot(second, job, "2026-11-24T02:00:00Z"),
                )
            )
        finally:
            await second.engine.dispose()

    results = with_app_state(settings, both)
    assert calls == [1]
    assert sum(result is None for result in results) == 1
    runs = job_runs(database_url)
    assert [(r.job, r.slot, r.status, r.details) for r in runs] == [
        ("test_job", "2026-11-24T02:00:00Z", "ok", {"done": 1})
    ]
    assert runs[0].finished_at is not None and runs[0].finished_at >= runs[0].started_at
    assert runs[0].runner.endswith(f":{os.getpid()}")

    # The next slot is a new run; the same slot again is not.
    with_app_state(settings, lambda s: run_for_slot(s, job, "2026-11-25T02:00:00Z"))
    again = with_app_state(settings, lambda s: run_for_slot(s, job, "2026-11-24T02:00:00Z"))
    assert again is None and calls == [1, 1]
    assert [r.slot for r in job_runs(database_url)] == [
        "2026-11-24T02:00:00Z",
        "2026-11-25T02:00:00Z",
    ]


def test_a_failure_records_the_error_class_without_personal_data(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def fails(_app_state: AppState) -> dict[str, Any]:
        raise ValueError(f"could not anonymise {NAME}")

    caplog.set_level(logging.INFO, logger="razem")
    settings = job_settings(database_url, tmp_path)
    run = with_app_state(settings, lambda s: run_for_slot(s, _job(fails), "slot-1"))
    assert run is not None and run.status == "failed"
    stored = job_runs(database_url)[0]
    assert stored.status == "failed" and stored.finished_at is not None
    assert stored.details == {"error": "ValueError", "message": ""}
    assert "ValueError" in caplog.text and "test_job" in caplog.text
    assert "Kowalczuk" not in caplog.text and NAME not in str(stored.details)


def test_an_operating_system_error_keeps_its_plain_reason(
    database_url: str, tmp_path: Path
) -> None:
    async def disk_full(_app_state: AppState) -> dict[str, Any]:
        raise OSError(28, "No space left on device", f"/backups/{NAME}.db")

    settings = job_settings(database_url, tmp_path)
    with_app_state(settings, lambda s: run_for_slot(s, _job(disk_full), "slot-1"))
    assert job_runs(database_url)[0].details == {
        "error": "OSError",
        "message": "No space left on device",
    }


def test_runs_left_running_by_a_stopped_process_are_closed_as_interrupted(
    database_url: str, tmp_path: Path
) -> None:
    """A process killed during a job leaves its run "running"; the next scheduler start
    (catch-up) closes it, and runs that are still going elsewhere are left alone."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname()
    now = utcnow()
    rows = {
        "killed here": JobRun(job="a", slot="1", runner=f"{host}:{dead.pid}", started_at=now),
        "this process": JobRun(job="a", slot="2", runner=f"{host}:{os.getpid()}", started_at=now),
        "elsewhere, recent": JobRun(job="a", slot="3", runner="other:1", started_at=now),
        "elsewhere, stale": JobRun(
            job="a", slot="4", runner="other:1", started_at=now - timedelta(hours=7)
        ),
    }

    async def add(db: Any) -> None:
        db.add_all(rows.values())

    run_in_db(database_url, add)
    settings = job_settings(database_url, tmp_path)
    with_app_state(settings, lambda s: catch_up(s, ()))
    status = {run.slot: run.status for run in job_runs(database_url)}
    assert status == {"1": "interrupted", "2": "running", "3": "running", "4": "interrupted"}
    closed = next(run for run in job_runs(database_url) if run.slot == "1")
    assert closed.finished_at is not None and closed.details == {"error": "Interrupted"}
