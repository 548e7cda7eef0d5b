"""Garbage collection around sync batches.

A 1,000-write sync batch keeps tens of thousands of small objects alive for the length of
the request (decoded JSON, rows, results). With CPython's defaults (a young collection every
700 net new objects) they are scanned by dozens of collections a batch and promoted, and every
few batches they set off a full collection of everything the process holds (SQLAlchemy,
Litestar and template caches): 20–100 ms each on the development VM, more than the batch's
own work (docs/performance.md). So:
- `collection_paused` turns automatic collection off while a batch is applied; its objects
  are freed by reference counting when it ends, and nothing scans them while they live;
- `settle_after_startup` (only in `razem serve`, not in tests) freezes the objects that exist
  once the app has started, so full collections skip them (they live as long as the process),
  and starts young collections at 10,000 net new objects.
Cyclic garbage is still collected, a little later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000
_pausing = 0  # batches running now that paused automatic collection
_resume = False  # whether collection was on when the first of them paused it


def settle_after_startup() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic garbage collection while a batch is applied: its objects are freed by
    reference counting when it ends, without a collection scanning them while they are alive.
    Batches that overlap (an async server runs several) share one pause; collection resumes,
    if it was on, when the last one ends."""
    global _pausing, _resume
    if _pausing == 0:
        _resume = gc.isenabled()
        gc.disable()
    _pausing += 1
    try:
        yield
    finally:
        _pausing -= 1
        if _pausing == 0 and _resume:
            gc.enable()
