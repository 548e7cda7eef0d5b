"""Gzip-compressed request bodies for the sync batch (issue 9: bytes up from a phone).

A phone's batch is mostly ids and keys written as JSON; compressed by the browser's own
`CompressionStream` it is a fifth of the size on a slow line. A request to a path listed here
with `Content-Encoding: gzip` has its body inflated as it is read, a piece at a time, so
everything after this middleware (the unreadable-input check, the body-size limit, the
handler) sees the JSON the device wrote. The route's size limit applies to the inflated body:
a small body that inflates to gigabytes is refused with 413 after the limit, never held whole.
A body that is not valid gzip is refused with 400 and changes nothing. Other encodings, and
gzip on other paths, are refused with 415 (RFC 9110 §15.5.16)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send
from prometheus_client import Counter

from server.common.errors import Message as Text
from server.i18n.catalogs import N_
from server.web.errors import RequestRefused

GZIP_PATHS = frozenset({"/api/sync/batch"})
PIECE = 64 * 1024  # inflated at most this much at a time
GZIP_BODIES = Counter("razem_gzip_request_bodies", "Request bodies received gzipped")
GZIP_BYTES = Counter(
    "razem_gzip_request_bytes", "Bytes of gzipped request bodies, as sent and inflated", ["stage"]
)
NOT_GZIP = N_(
    "The compressed request could not be read (it is not valid gzip). Nothing was changed."
)


class UnsupportedEncoding(HTTPException):
    status_code = 415


def _content_encoding(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name.lower() == b"content-encoding":
            return value.strip().lower()
    return None


class GzipRequestBody(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        encoding = _content_encoding(scope["headers"])
        if encoding is None or encoding == b"identity":
            await next_app(scope, receive, send)
            return
        if encoding != b"gzip" or scope["path"] not in GZIP_PATHS:
            raise UnsupportedEncoding(detail="this request's Content-Encoding is not accepted")
        headers = [
            (name, value)
            for name, value in scope["headers"]
            if name.lower() not in (b"content-encoding", b"content-length")
        ]
        inner: Any = {**scope, "headers": headers}
        GZIP_BODIES.inc()
        await next_app(inner, _inflating(receive), send)


def _inflating(receive: Receive) -> Receive:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer
    pending = b""  # compressed input not yet inflated (kept back by max_length)
    finished = False

    def refuse() -> RequestRefused:
        return RequestRefused(Text(NOT_GZIP))

    def body(piece: bytes, more: bool) -> HTTPRequestEvent:
        return {"type": "http.request", "body": piece, "more_body": more}

    async def wrapped() -> ReceiveMessage:
        nonlocal pending, finished
        while True:
            if pending:
                try:
                    piece = inflater.decompress(pending, PIECE)
                except zlib.error:
                    raise refuse() from None
                pending = inflater.unconsumed_tail
                if inflater.unused_data:
                    raise refuse()  # bytes after the end of the gzip stream
                if piece:
                    GZIP_BYTES.labels("inflated").inc(len(piece))
                    more = bool(pending) or not finished
                    if not more and not inflater.eof:
                        raise refuse()  # cut short: the gzip stream did not end
                    return body(piece, more)
                if pending:
                    continue
            if finished:
                if not inflater.eof:
                    raise refuse()  # cut short: the gzip stream did not end
                return body(b"", False)
            message = await receive()
            if message["type"] != "http.request":
                return message  # http.disconnect
            pending = message.get("body", b"")
            GZIP_BYTES.labels("sent").inc(len(pending))
            finished = not message.get("more_body", False)
            if inflater.eof and pending:
                raise refuse()  # bytes after the end of the gzip stream

    return wrapped
