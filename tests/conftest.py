"""Shared fixtures: a fresh, migrated database per test on SQLite (always) and on PostgreSQL
(when RAZEM_TEST_POSTGRES_URL is set), the app built on it, and a test client."""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from playwright.sync_api import Playwright, sync_playwright
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from server.app import create_app
from server.db import create_engine, create_session_maker
from server.migrations.runner import upgrade
from server.settings import Settings, normalise_database_url
from tests.audit_watch import AuditWatch

POSTGRES_URL = os.environ.get("RAZEM_TEST_POSTGRES_URL", "")
TEST_SECRET = secrets.token_urlsafe(40)


def _pg_admin_conninfo() -> str:
    url = make_url(normalise_database_url(POSTGRES_URL)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_url_for(database: str) -> str:
    url = make_url(normalise_database_url(POSTGRES_URL)).set(database=database)
    return url.render_as_string(hide_password=False)


def _pg_execute(sql: str) -> None:
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright for the whole run (tests/browser and tests/deploy): its sync API allows
    one at a time in a thread."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = f"razem_template_{uuid.uuid4().hex[:8]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(_pg_url_for(name))
        yield name
    finally:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# PostgreSQL joins the parameters only when the suite is given a server (CI gives it one).
ENGINES = ["sqlite"] + (
    [pytest.param("postgres", marks=pytest.mark.postgres)] if POSTGRES_URL else []
)


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of its own for each test, on every engine available."""
    if request.param == "sqlite":
        path = tmp_path / "razem.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"razem_test_{uuid.uuid4().hex[:10]}"
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _pg_url_for(name)
    finally:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        data_dir=tmp_path,
        default_language="en",
        run_jobs=False,
    )


@pytest.fixture
def app(settings: Settings, database_url: str) -> Iterator[Litestar]:
    """The app on the test's database. On SQLite every transaction it commits is watched:
    one that writes records without an audit entry fails the test (tests/audit_watch.py)."""
    app = create_app(settings)
    watch = AuditWatch()
    if database_url.startswith("sqlite"):
        for engine in app.state.razem.engines:  # reads, writes and quick reads
            watch.install(engine.sync_engine)
    yield app
    assert not watch.violations, (
        f"committed without an audit entry (tables written): {watch.violations}"
    )


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    # A loopback address, as a phone on the same machine would see it: cookies are not Secure here.
    with TestClient(app=app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session for service tests; the test decides when to commit."""
    engine = create_engine(database_url)
    try:
        async with create_session_maker(engine, write=True)() as session:
            yield session
    finally:
        await engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, and the other tests start their own loops."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
