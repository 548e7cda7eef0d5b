"""A TCP proxy on loopback between the browser and the server, to lose a response for real:
the server receives the batch and commits it, and the connection to the phone is cut before a
byte of the answer arrives (as when a phone loses signal at that moment)."""

from __future__ import annotations

import asyncio
import threading

from tests.browser.servers import free_port

BATCH_REQUEST = b"POST /api/sync/batch "


class CuttingProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.cut_batch_responses = 0  # how many batch answers to lose
        self.cut = 0  # how many were lost
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()  # the server is down: the browser sees the connection refused
            return
        state = {"cut_next": False}

        async def to_server() -> None:
            while data := await client_r.read(65536):
                if BATCH_REQUEST in data and self.cut_batch_responses > 0:
                    self.cut_batch_responses -= 1
                    state["cut_next"] = True
                upstream_w.write(data)
                await upstream_w.drain()

        async def to_client() -> None:
            while data := await upstream_r.read(65536):
                if state["cut_next"]:
                    self.cut += 1
                    client_w.transport.abort()  # the answer never reaches the phone
                    return
                client_w.write(data)
                await client_w.drain()

        tasks = [asyncio.ensure_future(to_server()), asyncio.ensure_future(to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except (ConnectionError, OSError):
            pass
        finally:
            for task in tasks:
                task.cancel()
            upstream_w.close()
            client_w.close()
