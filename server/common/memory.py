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

`tune_malloc` (only in `razem serve`) sets two of glibc's malloc options (issue 9,
docs/performance.md "Server memory"): at most 2 arenas (glibc's default is 8 per core, each
thread that allocates may get its own, and what one frees stays there), and a fixed 128 KiB
threshold above which memory is mapped on its own and given back when freed. Without the
fixed threshold glibc raises it to the largest block freed so far: after the first sign-in
(argon2 takes 19 MiB a check) blocks up to 19 MiB came from the heap and ~20 MB stayed
resident. A MALLOC_ARENA_MAX or MALLOC_MMAP_THRESHOLD_ in the environment wins.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000
_pausing = 0  # batches running now that paused automatic collection
_resume = False  # whether collection was on when the first of them paused it

# glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MALLOC_OPTIONS = {
    "MALLOC_ARENA_MAX": (_M_ARENA_MAX, 2),
    "MALLOC_MMAP_THRESHOLD_": (_M_MMAP_THRESHOLD, 128 * 1024),
}


def tune_malloc() -> dict[str, int]:
    """Set glibc's malloc options above, those not already in the environment; what was set.
    Nothing elsewhere (musl, macOS)."""
    if not sys.platform.startswith("linux"):
        return {}
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return {}
    done = {}
    for name, (option, value) in MALLOC_OPTIONS.items():
        if name not in os.environ and mallopt(option, value) == 1:
            done[name] = value
    return done


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
