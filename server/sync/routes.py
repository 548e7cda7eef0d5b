"""The sync API: a device sends its queued writes in one batch and gets a result for each;
the offline pack lists the pages a person needs offline, with versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.i18n.catalogs import Translator
from server.sync.batch import Batch, QueuedWrite, apply_batch
from server.sync.pack import offline_pack
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.guards import signed_in
from server.web.writes import DEVICE_HEADER

MAX_WRITES = 1000


class WriteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: uuid.UUID = Field(description="Idempotency key, made on the device when the person acted")
    kind: str = Field(max_length=40, examples=["attendance.mark"])
    payload: dict[str, Any] = Field(description="What the person entered, by kind")
    device_time: datetime | None = Field(default=None, description="The device's clock then")
    user_id: uuid.UUID | None = Field(default=None, description="Who was signed in then")
    format: int = Field(default=1, ge=0, le=1000)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: uuid.UUID
    sent_at: datetime | None = Field(default=None, description="The device's clock at sending")
    pending_count: int = Field(default=0, ge=0, le=1_000_000)
    app_version: str = Field(default="", max_length=40)
    writes: list[WriteIn] = Field(max_length=MAX_WRITES)


class WriteOut(BaseModel):
    key: uuid.UUID
    outcome: Literal["applied", "duplicate", "superseded", "refused"]
    original_outcome: Literal["applied", "superseded", "refused"] | None = None
    result: dict[str, Any] = Field(default_factory=dict)
    errors: dict[str, str] = Field(default_factory=dict, description="Field → translated reason")


class BatchOut(BaseModel):
    server_time: datetime
    clock_offset_ms: int
    results: list[WriteOut]


class PageOut(BaseModel):
    url: str
    version: str


class PackOut(BaseModel):
    user_id: uuid.UUID
    generated_at: datetime
    pages: list[PageOut]


class SyncApi(Controller):
    path = "/api/sync"
    guards = [signed_in]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}
    tags = ["sync"]

    @post("/batch", status_code=200, summary="Apply a device's queued writes, in order")
    async def batch(
        self,
        request: Request,
        data: JSONBody[BatchIn],
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        translator: NamedDependency[Translator],
    ) -> BatchOut:
        """Each write is applied once (a repeated key answers `duplicate`), in the order sent,
        through the same domain code as the forms. A refusal says why, per field."""
        if request.headers.get(DEVICE_HEADER) != str(data.device_id):
            # A custom header a cross-site form cannot send: the batch's CSRF defence.
            raise ValidationException("the X-Razem-Device header must name the batch's device")
        batch = Batch(
            device_id=data.device_id,
            sent_at=data.sent_at,
            pending_count=data.pending_count,
            app_version=data.app_version,
            user_agent=request.headers.get("user-agent", ""),
            writes=[
                QueuedWrite(w.key, w.kind, w.payload, w.device_time, w.user_id, w.format)
                for w in data.writes
            ],
        )
        outcome = await apply_batch(db, actor, batch)
        return BatchOut(
            server_time=outcome.server_time,
            clock_offset_ms=int(outcome.clock_offset.total_seconds() * 1000),
            results=[
                WriteOut(
                    key=key,
                    outcome=result.outcome.value,
                    original_outcome=(
                        result.original_outcome.value if result.original_outcome else None
                    ),
                    result=result.result,
                    errors={
                        name: translator.gettext(m.msgid, **m.params)
                        for name, m in result.errors.items()
                    },
                )
                for key, result in outcome.results
            ],
        )

    @get("/pack", summary="The pages this person needs offline, with versions")
    async def pack(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
    ) -> PackOut:
        pack = await offline_pack(db, actor, timezone=app_state.settings.timezone)
        return PackOut(
            user_id=actor.user_id,
            generated_at=pack.generated_at,
            pages=[PageOut(url=url, version=version) for url, version in pack.pages],
        )
