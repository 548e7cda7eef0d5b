"""Counters of the sync API for /metrics: batches, and each write by kind and outcome, and
refusals by kind and reason.

A batch's counts are kept on its database session and added when its transaction commits (a
batch whose commit fails is sent again by the device, and must not be counted twice). Labels
come from fixed sets only: a kind nobody registered is counted as `unknown`, a refusal's reason
is one of `REASONS`, so a device cannot add label values.
"""

from __future__ import annotations

import uuid
from collections import Counter as Tally
from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy import event
from sqlalchemy.orm import Session

from server.sync.writes import Outcome, WriteResult, write_kinds

PENDING = "razem_sync_metrics"

BATCHES = Counter("razem_sync_batches", "Sync batches applied (committed)")
BATCH_WRITES = Histogram(
    "razem_sync_batch_writes",
    "Writes in each committed sync batch",
    buckets=(1, 5, 10, 20, 40, 100, 200, 500, 1000),
)
WRITES = Counter(
    "razem_sync_writes",
    "Writes received in committed sync batches, by kind and outcome "
    "(applied, duplicate, superseded, refused)",
    ["kind", "outcome"],
)
REFUSALS = Counter(
    "razem_sync_refusals", "Writes refused in committed sync batches, by kind and reason",
    ["kind", "reason"],
)  # fmt: skip

# A refusal's reason, from the message it carries (a refusal of a field's value is `invalid`).
_REASON_OF_MESSAGE = {
    "This change was made with an old version of the app and cannot be accepted.": "old_format",
    "This change was made by another person signed in on this device.": "other_user",
    "This change was already sent with other content.": "other_content",
    "This kind of change is not accepted.": "unknown_kind",
    "Not found.": "not_found",
    "You may not make this change.": "forbidden",
}
_TOO_OLD_PREFIX = "This change was made more than"
REASONS = (*sorted(set(_REASON_OF_MESSAGE.values())), "too_old", "invalid", "other")


def refusal_reason(result: WriteResult) -> str:
    whole = result.errors.get("")
    if whole is None:
        return "invalid" if result.errors else "other"
    if whole.msgid.startswith(_TOO_OLD_PREFIX):
        return "too_old"
    return _REASON_OF_MESSAGE.get(whole.msgid, "other")


def count_batch(
    info: dict[str, Any], results: Iterable[tuple[str, tuple[uuid.UUID, WriteResult]]]
) -> None:
    """Note a batch's results (kind, (key, result)) on its session's `info`; they are added to
    the counters when the session commits."""
    known = frozenset(write_kinds())
    writes: Tally[tuple[str, str]] = Tally()
    refusals: Tally[tuple[str, str]] = Tally()
    for kind, (_key, result) in results:
        label = kind if kind in known else "unknown"
        writes[(label, result.outcome)] += 1  # a StrEnum: the same key and label as its value
        if result.outcome is Outcome.REFUSED:
            refusals[(label, refusal_reason(result))] += 1
    info.setdefault(PENDING, []).append((writes, refusals))


def _committed(session: Session) -> None:
    for writes, refusals in session.info.pop(PENDING, ()):
        BATCHES.inc()
        BATCH_WRITES.observe(sum(writes.values()))
        for (kind, outcome), n in writes.items():
            WRITES.labels(kind=kind, outcome=outcome).inc(n)
        for (kind, reason), n in refusals.items():
            REFUSALS.labels(kind=kind, reason=reason).inc(n)


def _rolled_back(session: Session) -> None:
    session.info.pop(PENDING, None)


event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_rollback", _rolled_back)
