"""Garbage collection settings for a served process (`razem serve`), not for tests.

A 1,000-write sync batch keeps tens of thousands of small objects alive for the length of
the request (decoded JSON, rows, results). With CPython's default thresholds (700 net new
objects) they are scanned by dozens of young collections a request and promoted, and every
few batches they set off a full collection of everything the process holds (SQLAlchemy,
Litestar and template caches): 20–100 ms each on the development VM, more than the batch's
own work (docs/performance.md). Here the objects that exist once the app has started are
frozen (full collections skip them: they live as long as the process), and young
collections start at 50,000 net new objects, so a batch's objects are mostly freed by
reference counting before any collection looks at them. Cyclic garbage is still collected,
a little later.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000


def settle_after_startup() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
