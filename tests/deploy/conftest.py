"""The local cluster of deploy/local-cluster.sh, started by the script itself for the tests of
this folder: a fresh PostgreSQL database, two `razem serve` instances, `razem scheduler`, Caddy
terminating TLS with a certificate from the script's local CA. Torn down with `down`.

Skipped, with the reason, only when PostgreSQL does not answer on 127.0.0.1:5432 (or
RAZEM_TEST_POSTGRES_URL) or the caddy/openssl binaries are missing; scripts/test.sh installs
caddy."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from tests.browser.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "local-cluster.sh"
POSTGRES_URL = os.environ.get(
    "RAZEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def postgres_missing() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL does not answer at {POSTGRES_URL}: {error}"


def tools_missing() -> str | None:
    for tool in ("caddy", "openssl"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/test.sh installs it with apt-get)"
    return None


def require_cluster_tools() -> None:
    """Missing tools fail (the test command installs them); a machine with no PostgreSQL
    server skips, since the multi-instance path needs one (CI has it on 127.0.0.1:5432)."""
    missing = tools_missing()
    if missing:
        pytest.fail(missing)
    reason = postgres_missing()
    if reason:
        pytest.skip(reason)


@dataclass
class Cluster:
    folder: Path
    env: dict[str, str]
    state: dict[str, object] = field(default_factory=dict)

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=180
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"local-cluster.sh {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    @property
    def url(self) -> str:
        return str(self.state["url"])

    @property
    def ca_file(self) -> str:
        return str(self.state["ca_file"])

    @property
    def ssl(self) -> ssl.SSLContext:
        """Trusts the cluster's local CA, as a phone told to trust it would."""
        return ssl.create_default_context(cafile=self.ca_file)

    @property
    def app_urls(self) -> list[str]:
        return [str(u) for u in self.state["app_urls"]]  # type: ignore[attr-defined]

    @property
    def database_url(self) -> str:
        return str(self.state["database_url"])

    def rows(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        with psycopg.connect(self.database_url) as conn:
            return conn.execute(sql, args).fetchall()  # type: ignore[arg-type]

    def log(self, name: str) -> str:
        return (self.folder / "logs" / f"{name}.log").read_text(errors="replace")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_cluster_tools()
    folder = tmp_path_factory.mktemp("cluster")
    env = {
        **os.environ,
        "RAZEM_CLUSTER_DIR": str(folder),
        "RAZEM_CLUSTER_POSTGRES": POSTGRES_URL,
        "RAZEM_CLUSTER_DB": f"razem_cluster_{uuid.uuid4().hex[:8]}",
        "RAZEM_CLUSTER_HTTPS_PORT": str(free_port()),
        "RAZEM_CLUSTER_APP_PORTS": f"{free_port()},{free_port()}",
        "RAZEM_DEFAULT_LANGUAGE": "en",
    }
    env.pop("RAZEM_DATABASE_URL", None)
    running = Cluster(folder, env)
    try:
        running.run("up")
        running.state = json.loads((folder / "state.json").read_text())
        yield running
    finally:
        running.run("down")
