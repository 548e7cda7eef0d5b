"""The uploaded file travels back with the confirmation (decision 0010): the preview page holds
it, base64-encoded, with an HMAC made with the server's secret, so the file the coordinator
confirms is byte for byte the one they previewed, by them, not long ago."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_AGE = timedelta(hours=2)
_CONTEXT = b"razem/people.import/v1"


@dataclass(frozen=True)
class SignedUpload:
    content: str  # base64 of the file
    filename: str
    issued_at: str  # ISO timestamp, UTC
    signature: str  # hex HMAC-SHA256


def _key(secret: str) -> bytes:
    # Derived, so the key that signs uploads is not the one that signs CSRF tokens.
    return hmac.new(secret.encode(), _CONTEXT, hashlib.sha256).digest()


def _mac(secret: str, user_id: uuid.UUID, filename: str, issued_at: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    message = "\n".join((str(user_id), filename, issued_at, digest)).encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def sign_upload(
    secret: str, user_id: uuid.UUID, filename: str, content: bytes, now: datetime
) -> SignedUpload:
    issued_at = now.isoformat()
    return SignedUpload(
        content=base64.b64encode(content).decode("ascii"),
        filename=filename,
        issued_at=issued_at,
        signature=_mac(secret, user_id, filename, issued_at, content),
    )


def verify_upload(
    secret: str, user_id: uuid.UUID, upload: SignedUpload, now: datetime
) -> bytes | None:
    """The file's bytes when the signature is this user's, recent and intact; else None."""
    try:
        content = base64.b64decode(upload.content.encode("ascii"), validate=True)
        issued = datetime.fromisoformat(upload.issued_at)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if issued.tzinfo is None or not (now - MAX_AGE <= issued <= now + timedelta(minutes=5)):
        return None
    expected = _mac(secret, user_id, upload.filename, upload.issued_at, content)
    if not hmac.compare_digest(expected, upload.signature):
        return None
    return content
