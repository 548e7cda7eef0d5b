"""Each job runs once per slot across real processes sharing one database (the SQLite file,
and PostgreSQL when the suite has a server): two `razem serve` processes with jobs on, every
job firing every 2 seconds at the same moments in both; and `razem scheduler` running the jobs
next to an app process with jobs off."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from server.jobs import backup
from server.jobs.models import JobRun
from server.jobs.registry import JOBS
from tests.browser.servers import SECRET, ServerProcess
from tests.jobs.helpers import job_runs

EVERY = "2"
LOG_LINE = re.compile(r"job (\w+), slot (\S+): (started|already claimed)")


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _finished(database_url: str, job: str) -> list[JobRun]:
    return [r for r in job_runs(database_url, job) if r.status != "running"]


def _claims(*logs: Path) -> list[tuple[str, str, str, str]]:
    """(log, job, slot, started|already claimed) for each claim a process logged."""
    return [
        (log.name, *found.groups())
        for log in logs
        for found in LOG_LINE.finditer(log.read_text(errors="replace"))
    ]


def test_two_app_processes_run_each_job_once_per_slot(database_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"  # shared, as on one host: one backups folder
    data.mkdir()
    env = {"RAZEM_RUN_JOBS": "true", "RAZEM_JOBS_EVERY_SECONDS": EVERY,
           "RAZEM_BACKUPS_KEEP": "1000"}  # fmt: skip
    servers = [ServerProcess(database_url, data, env=env) for _ in range(2)]
    try:
        for server in servers:
            server.start()
        _wait_for(lambda: len(_finished(database_url, "sqlite_backup")) >= 4, 120, "4 backups")
    finally:
        for server in servers:
            server.stop()

    runs = job_runs(database_url)
    claims = _claims(*(s.log for s in servers))
    started = Counter((job, slot) for _, job, slot, what in claims if what == "started")
    # Every run in the database was started by exactly one process, and nothing else was.
    assert set(started) == {(r.job, r.slot) for r in runs}
    assert max(started.values()) == 1
    # Both processes fired the same slots: one started it, the other found it claimed.
    started_in = {(job, slot): log for log, job, slot, what in claims if what == "started"}
    contended = {(job, slot) for log, job, slot, what in claims
                 if what != "started" and started_in.get((job, slot), log) != log}  # fmt: skip
    assert len(contended) >= 4
    assert {log for log, *_ in claims} == {s.log.name for s in servers}
    assert {r.job for r in runs} == {job.name for job in JOBS}
    assert all(r.status in ("ok", "running") for r in runs), [r.details for r in runs]

    backups = [r for r in runs if r.job == "sqlite_backup" and r.status == "ok"]
    files = backup.backups_in(data / "backups")
    if database_url.startswith("sqlite"):
        # The job's effect: one file per run, none made twice for a slot.
        assert {str(r.details["file"]) for r in backups} <= {f.name for f in files}
        interrupted = sum(r.job == "sqlite_backup" and r.status == "running" for r in runs)
        assert len(backups) <= len(files) <= len(backups) + interrupted
    else:
        assert files == [] and all(r.details == {"method": "pg_dump"} for r in backups)


def test_the_scheduler_process_runs_the_jobs_for_app_processes_with_jobs_off(
    database_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    app = ServerProcess(database_url, data, env={"RAZEM_RUN_JOBS": "false"})
    log = data / "scheduler.log"
    env = {**os.environ, "RAZEM_DATABASE_URL": database_url, "RAZEM_SECRET_KEY": SECRET,
           "RAZEM_DATA_DIR": str(data), "RAZEM_JOBS_EVERY_SECONDS": EVERY}  # fmt: skip
    app.start()
    with log.open("wb") as out:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "scheduler"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(
            lambda: all(len(_finished(database_url, job.name)) >= 2 for job in JOBS),
            120,
            "two runs of every job",
        )
    finally:
        scheduler.send_signal(signal.SIGTERM)
        code = scheduler.wait(timeout=30)
        app.stop()

    assert code == 0, log.read_text()[-3000:]
    text = log.read_text()
    assert "scheduler started" in text and "scheduler stopped" in text
    runners = {r.runner for r in job_runs(database_url)}
    assert runners == {next(iter(runners)).split(":")[0] + f":{scheduler.pid}"}
    assert _claims(app.log) == []  # the app process scheduled nothing
