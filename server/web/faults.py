"""Fault injection for the offline tests: only installed when RAZEM_FAULTS_FILE is set.

The file holds JSON the test rewrites while the server runs, for example
`{"drop_batch_responses": 1}` (commit the batch, then fail instead of answering: the phone
never learns the result), `{"refuse_batches": 2}` (503 before anything is applied) or
`{"batch_delay_ms": 3000}` (a slow server, so a test can kill it in the middle of a batch)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

BATCH_PATH = "/api/sync/batch"


class DroppedResponse(Exception):
    """Raised instead of sending a response: the server closes the connection."""


class FaultInjectionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, faults_file: Path) -> None:
        self.faults_file = faults_file

    def _faults(self) -> dict[str, Any]:
        try:
            data = json.loads(self.faults_file.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _consume(self, name: str) -> bool:
        faults = self._faults()
        remaining = int(faults.get(name, 0))
        if remaining <= 0:
            return False
        faults[name] = remaining - 1
        self.faults_file.write_text(json.dumps(faults))
        return True

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("path") != BATCH_PATH:
            await next_app(scope, receive, send)
            return
        if self._consume("refuse_batches"):
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        delay = int(self._faults().get("batch_delay_ms", 0))
        if delay:
            await asyncio.sleep(delay / 1000)
        drop = self._consume("drop_batch_responses")

        async def guarded_send(message: Message) -> None:
            if drop and message["type"] == "http.response.start":
                raise DroppedResponse("fault injected: response dropped after commit")
            await send(message)

        await next_app(scope, receive, guarded_send)
