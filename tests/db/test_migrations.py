"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from server.db import create_engine
from server.migrations import heads
from server.migrations.runner import MIGRATIONS_DIR, alembic_config
from server.models import metadata


def _diff(database_url: str) -> list[Any]:
    def compare(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async def run() -> list[Any]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_on_an_empty_database_equals_the_models(database_url: str) -> None:
    # `database_url` is an empty database taken through `alembic upgrade head`.
    assert _diff(database_url) == []


def test_migrations_are_a_single_line_with_descriptive_names(database_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.doc and len(revision.doc) > 10, revision.revision
        assert revision.module.__file__
        filename = revision.module.__file__.rsplit("/", 1)[-1]
        assert filename.startswith(revision.revision + "_") and len(filename) > 12
    assert (MIGRATIONS_DIR / "versions").is_dir()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path: Any) -> None:
    async def pragmas() -> tuple[str, int, int]:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
        try:
            async with engine.connect() as conn:
                mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
                fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
                busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
                return mode, fks, busy
        finally:
            await engine.dispose()

    assert asyncio.run(pragmas()) == ("wal", 1, 15000)


def test_the_head_read_without_alembic_is_alembics_head(database_url: str, tmp_path: Any) -> None:
    # `razem serve` compares the database with server/migrations/heads.py's head, not
    # Alembic's (Alembic would stay resident in the serving process, issue 9).
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert heads.head_revision() == script.get_current_head()
    assert set(heads.revisions()) == {r.revision for r in script.walk_revisions()}
    # a merge revision (a tuple) and a second head are understood, not guessed at
    for name, text_ in {
        "a.py": 'revision = "a"\ndown_revision = None\n',
        "b.py": 'revision: str = "b"\ndown_revision: str | None = "a"\n',
        "c.py": 'revision = "c"\ndown_revision = "a"\n',
    }.items():
        (tmp_path / name).write_text(text_)
    with pytest.raises(heads.UnreadableRevisions):
        heads.head_revision(tmp_path)
    (tmp_path / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n')
    assert heads.head_revision(tmp_path) == "d"


def test_razem_serve_does_not_keep_alembic_loaded() -> None:
    # the check `razem serve` runs before serving, in a fresh interpreter
    code = (
        "import sys; from server.cli import _database_is_current, _settings; "
        "_database_is_current(_settings()); "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('alembic', 'mako', 'pygments')))"
    )
    env = {**os.environ, "RAZEM_DATABASE_URL": "sqlite+aiosqlite:///:memory:"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
