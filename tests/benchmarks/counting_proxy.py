"""A TCP proxy on loopback that counts the bytes each way and the connections opened, for the
side-by-side sync benchmark (tests/benchmarks/bench_pouchdb.py). It runs its own asyncio event
loop in a background thread, so a synchronous benchmark can start it, read its counters before
and after a phase, and stop it."""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import dataclass

from tests.browser.servers import free_port

CHUNK = 65536


@dataclass(frozen=True)
class Counts:
    up: int  # bytes from the client to the server
    down: int  # bytes from the server to the client
    connections: int

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.up - other.up, self.down - other.down, self.connections - other.connections
        )


class CountingProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._up = 0
        self._down = 0
        self._connections = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def counts(self) -> Counts:
        with self._lock:
            return Counts(self._up, self._down, self._connections)

    def _add(self, up: int = 0, down: int = 0, connections: int = 0) -> None:
        with self._lock:
            self._up += up
            self._down += down
            self._connections += connections

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upward: bool
    ) -> None:
        try:
            while data := await reader.read(CHUNK):
                if upward:
                    self._add(up=len(data))
                else:
                    self._add(down=len(data))
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            try:
                writer.write_eof()
            except (OSError, RuntimeError):
                writer.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._add(connections=1)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._writers.add(client_w)
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        self._writers.add(server_w)
        await asyncio.gather(
            self._pipe(client_r, server_w, upward=True),
            self._pipe(server_r, client_w, upward=False),
        )
        for writer in (server_w, client_w):
            writer.close()
            self._writers.discard(writer)

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(
            self._handle, "127.0.0.1", free_port() if os.environ.get("RAZEM_PORTS") else 0
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stopping.wait()
        server.close()
        for writer in list(self._writers):  # the pipes then end by themselves
            writer.close()
        await server.wait_closed()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    def start(self) -> CountingProxy:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._serve())
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the counting proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> CountingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
