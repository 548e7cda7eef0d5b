"""A Razem server process that a test can stop and start again on the same port and database,
as a real outage would: the phone's browser sees connections refused, then the server back."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

from server.db import create_engine, create_session_maker, session_scope
from server.demo import seed_demo
from server.migrations.runner import upgrade
from server.settings import Settings

SECRET = "browser-tests-secret-key-0123456789abcdef"


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A free port on loopback: one the system picks, or with RAZEM_PORTS=FIRST-LAST (for a
    shared machine where each person has a range) the first free one in that range."""
    first, _, last = os.environ.get("RAZEM_PORTS", "").partition("-")
    candidates = range(int(first), int(last) + 1) if first and last else [0]
    for port in candidates:
        if port in _HANDED_OUT:  # given to a server that may not listen yet
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            if port:
                _HANDED_OUT.add(port)
            return int(sock.getsockname()[1])
    raise OSError(f"no free port in RAZEM_PORTS={os.environ['RAZEM_PORTS']}")


def centre_today() -> date:
    """The day at the centre (the app's time zone), as `razem demo` seeds it; the machine's
    own date is another day for an hour or two around midnight."""
    return Settings().today()


def seed_database(path: Path) -> str:
    """A migrated demo database. Runs in its own thread: Playwright's sync API keeps an event
    loop running in the test's thread."""
    url = f"sqlite+aiosqlite:///{path}"
    errors: list[BaseException] = []

    def work() -> None:
        try:
            upgrade(url)
            asyncio.run(seed())
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    async def seed() -> None:
        engine = create_engine(url)
        try:
            async with session_scope(create_session_maker(engine, write=True)) as db:
                await seed_demo(db, today=centre_today())
        finally:
            await engine.dispose()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return url


class ServerProcess:
    def __init__(
        self,
        database_url: str,
        folder: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.build = ""
        self.htmx_url = "/static/vendor/htmx-2.0.11.min.js"
        self.faults = folder / "faults.json"
        self.faults.write_text("{}")
        self.database_url = database_url
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / f"server-{self.port}.log"
        self.env = env or {}  # more RAZEM_* settings

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "RAZEM_DATABASE_URL": self.database_url,
            "RAZEM_SECRET_KEY": SECRET,
            "RAZEM_DATA_DIR": str(self.folder),
            "RAZEM_HTMX_URL": self.htmx_url,
            "RAZEM_DEFAULT_LANGUAGE": "en",
            "RAZEM_FAULTS_FILE": str(self.faults),
            "RAZEM_BUILD": self.build,
            **self.env,
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()[-3000:]}")

    def inject(self, **faults: int) -> None:
        self.faults.write_text(json.dumps(faults))

    def kill(self) -> None:
        """As a crash: no clean shutdown, an open transaction is simply lost."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
