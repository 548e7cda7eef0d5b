"""The sync API: a device sends its queued writes in one batch and gets a result for each;
the offline pack lists the pages a person needs offline, with versions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody
from msgspec import Meta
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.common.errors import Message
from server.i18n.catalogs import N_, Translator
from server.sync.batch import Batch, apply_batch
from server.sync.pack import offline_pack
from server.sync.writes import Outcome, WriteResult
from server.web.appstate import AppState
from server.web.deps import QUICK_READS, provide_actor
from server.web.errors import ErrorOut, RequestRefused, http_error
from server.web.guards import signed_in
from server.web.writes import DEVICE_HEADER

MAX_WRITES = (
    1000  # the service worker sends up to this many at a time (MAX_BATCH in outbox-sync.js)
)
# Room for MAX_WRITES of the largest kind (a lesson log entry: about 2,300 characters, most
# of them two bytes in Ukrainian), with a margin; a larger body is refused (413) as it is read.
MAX_BATCH_BYTES = 6 * 1024 * 1024
TOO_MANY_WRITES = N_("Too many changes in one batch: at most %(limit)s. Nothing was changed.")
AwareTime = Annotated[datetime, Meta(tz=True)]  # with an offset: a naive time is refused


# The batch's body and answer are msgspec structs: Litestar decodes and encodes them in one
# pass each, without building a pydantic model per write (the pages' models stay pydantic).
class WriteIn(msgspec.Struct, forbid_unknown_fields=True):
    key: Annotated[
        uuid.UUID, Meta(description="Idempotency key, made on the device when the person acted")
    ]
    kind: Annotated[
        str, Meta(max_length=40, pattern=r"^[a-z][a-z_.]*$", examples=["attendance.mark"])
    ]
    payload: Annotated[dict[str, Any], Meta(description="What the person entered, by kind")]
    device_time: (
        Annotated[datetime, Meta(tz=True, description="The device's clock then")] | None
    ) = None
    user_id: Annotated[uuid.UUID, Meta(description="Who was signed in then")] | None = None
    format: Annotated[int, Meta(ge=0, le=1000)] = 1


class BatchIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    device_id: uuid.UUID
    sent_at: (
        Annotated[datetime, Meta(tz=True, description="The device's clock at sending")] | None
    ) = None
    pending_count: Annotated[int, Meta(ge=0, le=1_000_000)] = 0
    app_version: Annotated[str, Meta(max_length=40, pattern=r"^[\x20-\x7e]*$")] = ""
    writes: Annotated[list[WriteIn], Meta(max_length=MAX_WRITES)]


class WriteOut(msgspec.Struct):
    key: uuid.UUID
    outcome: Outcome
    original_outcome: Annotated[
        Outcome | None, Meta(description="For a duplicate: applied, superseded or refused")
    ] = None
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    errors: Annotated[dict[str, str], Meta(description="Field → translated reason")] = (
        msgspec.field(default_factory=dict)
    )


class BatchOut(msgspec.Struct):
    server_time: datetime
    clock_offset_ms: int
    results: list[WriteOut]


def _write_out(key: uuid.UUID, result: WriteResult, translator: Translator) -> WriteOut:
    if not result.errors:  # the usual answer: nothing to translate
        return WriteOut(key, result.outcome, result.original_outcome, result.result, {})
    return WriteOut(
        key=key,
        outcome=result.outcome,
        original_outcome=result.original_outcome,
        result=result.result,
        errors={name: translator.gettext(m.msgid, **m.params) for name, m in result.errors.items()}
        if result.errors
        else {},
    )


class PageOut(BaseModel):
    url: str
    version: str


class PackOut(BaseModel):
    user_id: uuid.UUID
    generated_at: datetime
    pages: list[PageOut]


def _whole(value: Any) -> Any:
    """JSON has one number type: 3.0 is the integer 3 (JSON Schema agrees)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


_STRICT_BATCH = msgspec.json.Decoder(BatchIn, strict=True)


async def _read_strictly(request: Request) -> BatchIn:
    """Litestar converts a body leniently (a number for a time, "5" for 5); a batch is read
    exactly as its schema says, so what a device sends is what was meant."""
    try:  # the usual body, straight from its bytes (a third of the time of the path below)
        return _STRICT_BATCH.decode(await request.body())
    except msgspec.MsgspecError:
        pass  # a whole number written 3.0, or a refusal: read below, for the exact answer
    document = await request.json()  # decoded once per request, already checked
    if isinstance(document, dict):
        document = {**document, "pending_count": _whole(document.get("pending_count", 0))}
        if isinstance(document.get("writes"), list):
            document["writes"] = [
                {**w, "format": _whole(w.get("format", 1))} if isinstance(w, dict) else w
                for w in document["writes"]
            ]
    try:
        return msgspec.convert(document, BatchIn, strict=True)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$.")
        problem = {"message": message, "key": where.rstrip("`"), "source": "body"}
        raise ValidationException("the batch does not match its schema", extra=[problem]) from None


def _batch_refused(request: Request, exc: ValidationException) -> Response[ErrorOut]:
    """A batch over the limit is refused whole, saying the limit in the person's language."""
    problems = exc.extra if isinstance(exc.extra, list) else []
    if any(p.get("key") == "writes" and "length" in p.get("message", "") for p in problems):
        message = Message(TOO_MANY_WRITES, {"limit": MAX_WRITES})
        return http_error(request, RequestRefused(message, detail=exc.detail, extra=exc.extra))
    return http_error(request, exc)


_ERRORS = {
    400: ResponseSpec(
        ErrorOut,
        generate_examples=False,
        description="The batch was refused whole; nothing was changed",
    ),
    401: ResponseSpec(
        ErrorOut, generate_examples=False, description="Not signed in (or the sign-in has ended)"
    ),
    413: ResponseSpec(
        ErrorOut, generate_examples=False, description="The body is larger than the limit"
    ),
}


class SyncApi(Controller):
    opt = {QUICK_READS: True}  # a page's few indexed reads (decision 27)
    path = "/api/sync"
    guards = [signed_in]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}
    tags = ["sync"]
    include_in_schema = True
    exception_handlers = {ValidationException: _batch_refused}

    @post(
        "/batch",
        status_code=200,
        summary="Apply a device's queued writes, in order",
        request_max_body_size=MAX_BATCH_BYTES,
        responses=_ERRORS,
    )
    async def batch(
        self,
        request: Request,
        data: JSONBody[BatchIn],
        device: Annotated[
            str,
            HeaderParameter(
                name=DEVICE_HEADER,
                max_length=100,
                description="The batch's device_id again: a header a cross-site form cannot send",
            ),
        ],
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        translator: NamedDependency[Translator],
        app_state: NamedDependency[AppState],
    ) -> BatchOut:
        """Each write is applied once (a repeated key answers `duplicate`), in the order sent,
        through the same domain code as the forms. A refusal says why, per field."""
        data = await _read_strictly(request)  # `data` above gives the schema; this, the rules
        if device != str(data.device_id):
            # A custom header a cross-site form cannot send: the batch's CSRF defence.
            raise ValidationException("the X-Razem-Device header must name the batch's device")
        batch = Batch(
            device_id=data.device_id,
            sent_at=data.sent_at,
            pending_count=data.pending_count,
            app_version=data.app_version,
            user_agent=request.headers.get("user-agent", ""),
            writes=data.writes,  # read as `Queued`: the same fields, no copy a write
        )
        keys_kept = timedelta(days=app_state.settings.idempotency_keys_days)
        outcome = await apply_batch(db, actor, batch, keys_kept=keys_kept)
        return BatchOut(
            server_time=outcome.server_time,
            clock_offset_ms=int(outcome.clock_offset.total_seconds() * 1000),
            results=[_write_out(key, result, translator) for key, result in outcome.results],
        )

    @get(
        "/pack",
        summary="The pages this person needs offline, with versions",
        responses={401: _ERRORS[401]},
    )
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
