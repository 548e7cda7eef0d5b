"""Password hashes run in low-priority threads, and in a normal one when those are kept from
starting (decision 28)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from server.auth import hashing
from server.auth.passwords import hash_password, verify_password


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's"
)


@linux_only
def test_a_hash_runs_in_a_thread_that_yields_to_the_event_loop() -> None:
    async def scenario() -> tuple[int, int, bool]:
        loop_nice = _nice()
        nice = await hashing.hashed(_nice)
        ok = await hashing.hashed(
            verify_password, hash_password("a long passphrase"), "a long passphrase"
        )
        return loop_nice, nice, ok

    loop_nice, nice, ok = asyncio.run(scenario())
    assert nice == max(loop_nice, hashing.LOW_PRIORITY_NICE)  # the event loop's is unchanged
    assert loop_nice == _nice()
    assert ok


@linux_only
def test_a_hash_that_low_priority_threads_do_not_start_runs_at_normal_priority(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hashing, "FALLBACK_SECONDS", 0.05)
    release = threading.Event()

    def busy() -> int:  # holds a low-priority thread, as a starved hash would
        release.wait(10)
        return _nice()

    async def scenario() -> tuple[list[int], int]:
        holders = [
            asyncio.ensure_future(hashing.hashed(busy)) for _ in range(hashing.PARALLEL_HASHES)
        ]
        await asyncio.sleep(0.02)  # both low-priority threads are taken
        normal = await hashing.hashed(_nice)  # waits 0.05 s, then runs in the normal pool
        release.set()
        return list(await asyncio.gather(*holders)), normal

    held, normal = asyncio.run(scenario())
    assert held == [max(_nice(), hashing.LOW_PRIORITY_NICE)] * hashing.PARALLEL_HASHES
    assert normal == _nice()
