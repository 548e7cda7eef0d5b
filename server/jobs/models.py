"""One row per run of a scheduled job. The unique (job, slot) pair is the lock that makes a job
run once when several app processes fire it for the same scheduled time: the first process to
insert the row runs the job, the others see the row and skip."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, new_id, utcnow


class JobRun(SQLModel, table=True):
    __tablename__ = "job_runs"
    __table_args__ = (sa.UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    job: str = Field(max_length=60, index=True)
    # The scheduled time this run is for (UTC, ISO 8601 to the second), or "manual-<uuid>".
    slot: str = Field(max_length=60)
    runner: str = Field(default="", max_length=120)  # host and process id
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="running", max_length=20)  # running, ok, failed
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
