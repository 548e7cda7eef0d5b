"""Real Chromium (Debian's package) driven by Playwright, against a real server process
running the demo (`razem demo`) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from tests.browser.servers import ServerProcess, seed_database

CHROMIUM = os.environ.get("RAZEM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer in {seconds}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`razem demo` in its own process, as a person would start it."""
    data_dir = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {
        **os.environ,
        "RAZEM_DATA_DIR": str(data_dir),
        "RAZEM_DEFAULT_LANGUAGE": "pl",
    }
    env.pop("RAZEM_DATABASE_URL", None)
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "demo", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base_url}/healthz", process, log)
        os.environ["RAZEM_TEST_DEMO_DB"] = str(data_dir / "demo.db")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def demo_db(demo_server: str) -> Path:
    """The demo server's SQLite file, for tests that check what reached the database."""
    return Path(os.environ["RAZEM_TEST_DEMO_DB"])


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A demo server of the test's own, on a fresh database, that the test may stop, kill
    and start again."""
    process = ServerProcess(seed_database(tmp_path / "offline.db"), tmp_path)
    process.start()
    yield process
    process.stop()
