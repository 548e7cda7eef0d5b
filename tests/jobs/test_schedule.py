"""Schedules: each job's crontab in the centre's time zone (or its override), the slot a
firing is for (the same in every process), the catch-up at start-up, and the words shown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from server.jobs.registry import JOBS, get_job
from server.jobs.schedule import (
    check_schedules,
    describe,
    job_trigger,
    next_fire_time,
    previous_fire_time,
    slot_of,
)
from server.settings import Settings
from tests.conftest import TEST_SECRET

WARSAW = ZoneInfo("Europe/Warsaw")


def _settings(**overrides: object) -> Settings:
    return Settings(secret_key=TEST_SECRET, data_dir=Path("/srv/razem"), **overrides)  # type: ignore[arg-type]


def test_every_job_has_a_unique_name_that_fits_the_column_and_a_valid_schedule() -> None:
    names = [job.name for job in JOBS]
    assert len(set(names)) == len(names) and all(len(n) <= 60 for n in names)
    assert {"generate_sessions", "sqlite_backup", "cleanup_idempotency_keys",
            "silent_devices"} <= set(names)  # fmt: skip
    check_schedules(JOBS, _settings())


def test_a_nightly_job_fires_at_its_local_time_and_its_slot_is_that_time_in_utc() -> None:
    backup = get_job("sqlite_backup")
    assert backup is not None
    trigger = job_trigger(backup, _settings())
    # 2026-11-24 is winter time in Warsaw (UTC+1): 02:30 there is 01:30 UTC.
    late_that_night = datetime(2026, 11, 24, 2, 30, 0, 400_000, tzinfo=WARSAW)
    fired = previous_fire_time(trigger, late_that_night)
    assert fired == datetime(2026, 11, 24, 2, 30, tzinfo=WARSAW)
    assert slot_of(fired) == "2026-11-24T01:30:00Z"
    # An hour late (the process was busy): still the same slot. The next is tomorrow.
    assert previous_fire_time(trigger, datetime(2026, 11, 24, 3, 29, tzinfo=WARSAW)) == fired
    assert previous_fire_time(trigger, datetime(2026, 11, 24, 2, 29, tzinfo=WARSAW)) == datetime(
        2026, 11, 23, 2, 30, tzinfo=WARSAW
    )
    assert next_fire_time(trigger, late_that_night) == datetime(2026, 11, 25, 2, 30, tzinfo=WARSAW)
    # Summer time: the same local time is 00:30 UTC.
    summer = previous_fire_time(trigger, datetime(2026, 7, 1, 12, tzinfo=WARSAW))
    assert summer is not None and slot_of(summer) == "2026-07-01T00:30:00Z"


def test_the_test_schedule_fires_every_n_seconds_at_the_same_moments_everywhere() -> None:
    backup = get_job("sqlite_backup")
    assert backup is not None
    trigger = job_trigger(backup, _settings(jobs_every_seconds=3))
    now = datetime(2026, 11, 24, 12, 0, 7, 900_000, tzinfo=UTC)
    assert previous_fire_time(trigger, now) == datetime(2026, 11, 24, 12, 0, 6, tzinfo=UTC)
    message = describe(backup, _settings(jobs_every_seconds=3))
    assert (message.msgid, message.params) == ("Every %(seconds)s seconds", {"seconds": 3})


def test_a_schedule_can_be_set_per_job_and_a_wrong_one_is_refused() -> None:
    backup = get_job("sqlite_backup")
    assert backup is not None
    settings = _settings(job_schedules={"sqlite_backup": "5 1 * * *"})
    assert describe(backup, settings).params == {"time": "01:05"}
    weekly = _settings(job_schedules={"sqlite_backup": "0 4 * * sun"})
    assert describe(backup, weekly).params == {"crontab": "0 4 * * sun"}
    with pytest.raises(ValueError, match="unknown jobs: backup"):
        check_schedules(JOBS, _settings(job_schedules={"backup": "0 1 * * *"}))
    with pytest.raises(ValueError):
        check_schedules(JOBS, _settings(job_schedules={"sqlite_backup": "at night"}))


def test_job_schedules_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAZEM_JOB_SCHEDULES", '{"silent_devices": "0 9 * * 1-5"}')
    monkeypatch.setenv("RAZEM_BACKUPS_KEEP", "30")
    monkeypatch.setenv("RAZEM_IDEMPOTENCY_KEYS_DAYS", "365")
    settings = Settings(secret_key=TEST_SECRET, data_dir=Path("/srv/razem"))
    assert settings.job_schedules == {"silent_devices": "0 9 * * 1-5"}
    assert settings.backups_keep == 30 and settings.idempotency_keys_days == 365
    assert settings.backup_dir == Path("/srv/razem/backups")
