"""Around every HTTP request (matched or not): its id, its access log line and its latency.

Wraps the app's whole ASGI handler (as Litestar's OpenTelemetry plugin does), outside routing
and the exception handlers, so a 404, a 405 or an error page is seen too. The id comes from
the proxy's X-Request-ID header when it is a plain token (and RAZEM_TRUST_REQUEST_ID is on),
else a new one is made; it is sent back in the answer's X-Request-ID header and is in every log
line written while the request is handled (server/logs.py).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Histogram

from server.logs import ACCESS_LOGGER, REQUEST_ID

REQUEST_ID_HEADER = b"x-request-id"
_PLAIN_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
UNMATCHED = "unmatched"  # the route label of a request no route matched (404, 405)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

access_log = logging.getLogger(ACCESS_LOGGER)
REQUEST_SECONDS = Histogram(
    "razem_http_request_duration_seconds",
    "Time to answer HTTP requests, by route template, method and status",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def request_id_of(scope: Scope, *, trusted: bool) -> str:
    if trusted:
        for key, value in scope.get("headers", ()):
            if key == REQUEST_ID_HEADER and _PLAIN_ID.fullmatch(value):
                return str(value.decode("ascii"))
    return uuid.uuid4().hex


class ObserveRequests:
    def __init__(self, app: ASGIApp, *, trust_request_id: bool) -> None:
        self.app = app
        self.trust_request_id = trust_request_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope, trusted=self.trust_request_id)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # if the app fails before it answers
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = scope.get("method", "")
            method = method if method in METHODS else "other"  # labels from a fixed set
            route = scope.get("path_template") or UNMATCHED
            REQUEST_SECONDS.labels(route=route, method=method, status=str(status)).observe(seconds)
            # scope["path"] never holds the query string (that is scope["query_string"]).
            path = scope.get("path", "")
            access_log.info(
                "%s %s %s %.1fms",
                method,
                path,
                status,
                seconds * 1000,
                extra={
                    "method": method,
                    "path": path,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)
