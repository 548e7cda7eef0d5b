"""The runbook's backup and restore (deploy/README.md), followed with its own commands: a
backup is restored into a fresh database, the app is started on it as a process, and a person
signs in over real HTTP and sees the data, including a staff account added (as the runbook
says) after the demo data.

SQLite: `razem db backup` (the nightly job's online backup) and the restore steps of
docs/security.md. PostgreSQL: `pg_dump --format=custom` and `pg_restore` into a new database."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.browser.servers import SECRET, ServerProcess, seed_database
from tests.deploy.conftest import POSTGRES_URL, postgres_missing

NEW_STAFF = "nowa.osoba@example.org"
NEW_PASSWORD = "Kolorowy-Tramwaj-2026"


def razem(*args: str, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        env={**os.environ, "RAZEM_SECRET_KEY": SECRET, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def add_staff(env: dict[str, str]) -> None:
    """The runbook's "add a centre's staff"."""
    razem(
        "user", "create", "--email", NEW_STAFF, "--name", "Nowa Osoba", "--role", "facilitator",
        "--language", "en", "--password-stdin",
        env=env, stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip


def signs_in_and_sees_the_data(server: ServerProcess) -> None:
    for email, password, expected in (
        ("facilitator@example.org", "razem-demo", "Multicultural Choir"),
        (NEW_STAFF, NEW_PASSWORD, "Nowa Osoba"),
    ):
        with httpx.Client(base_url=server.url, timeout=20, follow_redirects=True) as http:
            page = http.get("/sign-in")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            answer = http.post(
                "/sign-in",
                data={"email": email, "password": password, "_csrf_token": token.group(1)},
            )
            assert answer.status_code == 200 and answer.url.path == "/sessions", email
            assert expected in answer.text, email


def test_sqlite_backup_restored_into_a_fresh_folder_is_served(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    url = seed_database(live / "razem.db")
    env = {"RAZEM_DATABASE_URL": url, "RAZEM_DATA_DIR": str(live)}
    add_staff(env)
    out = razem("db", "backup", env=env)
    backups = sorted((live / "backups").glob("razem-*.db"))
    assert len(backups) == 1 and str(backups[0]) in out
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600

    # The server is lost; a new one gets the backup as its database (docs/security.md).
    fresh = tmp_path / "new-server"
    fresh.mkdir()
    restored = fresh / "razem.db"
    shutil.copyfile(backups[0], restored)
    restored.chmod(0o600)
    shutil.rmtree(live)
    restored_url = f"sqlite+aiosqlite:///{restored}"
    razem("db", "upgrade", env={"RAZEM_DATABASE_URL": restored_url})
    server = ServerProcess(restored_url, fresh)
    server.start()
    try:
        signs_in_and_sees_the_data(server)
    finally:
        server.stop()


def test_db_backup_refuses_postgresql_and_points_to_pg_dump() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "db", "backup"],
        env={**os.environ, "RAZEM_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "pg_dump" in done.stderr


def test_postgresql_dump_restored_into_a_fresh_database_is_served(tmp_path: Path) -> None:
    reason = postgres_missing()
    if reason:
        pytest.skip(reason)
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (postgresql-client; scripts/test.sh installs it)")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    source, target = (f"razem_backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("src", "new"))

    def admin(sql: str) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    admin(f'CREATE DATABASE "{source}"')
    try:
        env = {"RAZEM_DATABASE_URL": f"{base}/{source}", "RAZEM_DATA_DIR": str(tmp_path)}
        seed = (
            "from server.cli import _settings, seed_demo_database; seed_demo_database(_settings())"
        )
        subprocess.run(
            [sys.executable, "-c", seed], env={**os.environ, **env}, check=True, timeout=180
        )
        add_staff(env)
        dump = tmp_path / "razem.dump"
        # The runbook's commands, as they are written there.
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"{base}/{source}"],
            check=True,
            timeout=120,
        )
        admin(f'DROP DATABASE "{source}" WITH (FORCE)')  # the old server is gone
        admin(f'CREATE DATABASE "{target}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={base}/{target}", str(dump)],
            check=True,
            timeout=120,
        )
        restored_url = f"{base}/{target}"
        razem("db", "upgrade", env={"RAZEM_DATABASE_URL": restored_url})
        server = ServerProcess(restored_url, tmp_path)
        server.start()
        try:
            signs_in_and_sees_the_data(server)
        finally:
            server.stop()
    finally:
        admin(f'DROP DATABASE IF EXISTS "{source}" WITH (FORCE)')
        admin(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
