"""The daily check of silent devices: the same rule as the coordinators' devices page (silent
for more than 2 days with changes waiting), a count and nothing about whose phone it is."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from server.common.models import utcnow
from server.jobs.registry import get_job
from server.jobs.runner import run_for_slot
from server.sync.models import Device
from tests.coordination.setup import FACILITATOR, make_centre, mark_write, send_batch
from tests.factories import run_in_db
from tests.helpers import Client, sign_in
from tests.jobs.helpers import job_runs, job_settings, with_app_state

SILENT = get_job("silent_devices")
assert SILENT is not None


def _silent_for(database_url: str, device: uuid.UUID, days: float, *, synced: bool) -> None:
    async def backdate(db: AsyncSession) -> None:
        row = await db.get(Device, device)
        assert row is not None
        row.last_seen_at = utcnow() - timedelta(days=days)
        row.last_sync_at = row.last_seen_at if synced else None
        db.add(row)

    run_in_db(database_url, backdate)


def test_phones_silent_with_changes_waiting_are_counted_without_names(
    client: Client, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    centre = make_centre(database_url)
    sign_in(client, FACILITATOR)
    quiet, never_synced, recent, idle = (uuid.uuid4() for _ in range(4))
    for device in (quiet, never_synced, recent):
        write = mark_write(centre, centre.ended_unmarked, 0, "present")
        send_batch(client, device, [write], pending_count=3)  # two still waiting
    send_batch(client, idle, [mark_write(centre, centre.ended_unmarked, 1, "present")])
    _silent_for(database_url, quiet, 2.1, synced=True)
    _silent_for(database_url, never_synced, 5, synced=False)  # only ever seen, never synced
    _silent_for(database_url, recent, 1.9, synced=True)
    _silent_for(database_url, idle, 9, synced=True)  # silent, but nothing waits on it

    caplog.set_level(logging.INFO, logger="razem")
    settings = job_settings(database_url, tmp_path)
    with_app_state(settings, lambda s: run_for_slot(s, SILENT, "slot-1"))
    [run] = job_runs(database_url, "silent_devices")
    assert (run.status, run.details) == ("ok", {"silent_devices": 2})
    assert "2 devices silent for more than 2 days" in caplog.text
    assert "Olena" not in caplog.text and str(quiet)[:8] not in caplog.text
