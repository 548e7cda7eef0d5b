"""Where password hashes are computed: threads that yield to the event loop (decision 28).

argon2 takes about 32 ms of one core a hash on purpose (decision 19). It runs in threads, so
the event loop goes on answering; but at the same priority those threads take the cores the
event loop needs, and in a burst of sign-ins (a whole centre at nine o'clock) every roster and
sync batch waits behind the hashes. So hashes run at a low scheduling priority (nice 19, a
Linux thread's own): the kernel gives the event loop its core first and the hashes the rest.
A low-priority thread can be kept from running for as long as the machine is saturated, so a
hash that has not started within `FALLBACK_SECONDS` is taken back and run in a normal-priority
thread instead: a sign-in may wait longer, but never starves.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

LOW_PRIORITY_NICE = 19
PARALLEL_HASHES = 2  # threads a process, in each of the two pools
FALLBACK_SECONDS = 2.0

_lock = threading.Lock()
_pools: dict[str, ThreadPoolExecutor] = {}


def _lower_priority() -> None:
    """A pool thread's initializer: on Linux a thread's nice value is its own."""
    if sys.platform.startswith("linux"):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY_NICE)


def _pool(name: str) -> ThreadPoolExecutor:
    with _lock:  # made when first used, in the process that uses it (workers are spawned)
        pool = _pools.get(name)
        if pool is None:
            initializer = _lower_priority if name == "low" else None
            pool = ThreadPoolExecutor(
                PARALLEL_HASHES, thread_name_prefix=f"razem-hash-{name}", initializer=initializer
            )
            _pools[name] = pool
        return pool


async def hashed(func: Callable[..., T], *args: Any) -> T:
    """`func(*args)` in a low-priority thread, or in a normal one if none started it within
    FALLBACK_SECONDS."""
    low: Future[T] = _pool("low").submit(func, *args)
    waiting = asyncio.wrap_future(low)
    try:
        return await asyncio.wait_for(asyncio.shield(waiting), FALLBACK_SECONDS)
    except TimeoutError:
        if not low.cancel():  # it started meanwhile: wait for it where it runs
            return await waiting
    return await asyncio.wrap_future(_pool("normal").submit(func, *args))
