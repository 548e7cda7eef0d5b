"""The nightly SQLite backup: an online copy that passes its integrity check, readable by the
server's user only, rotated to the newest N; and the restore procedure of docs/security.md,
followed step by step: the copy becomes a fresh database that the app opens and serves."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from server import cli
from server.app import create_app
from server.auth.models import Role
from server.jobs import backup
from server.jobs.registry import get_job
from server.jobs.runner import run_for_slot
from server.settings import Settings
from tests.conftest import TEST_SECRET
from tests.factories import make_person, make_user, run_in_db
from tests.helpers import sign_in
from tests.jobs.helpers import job_runs, job_settings, with_app_state

BACKUP = get_job("sqlite_backup")
assert BACKUP is not None


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "data" / "razem.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


def _seed(database_url: str) -> None:
    async def build(db: AsyncSession) -> None:
        await make_user(db, Role.ADMIN, "admin@example.org", display_name="Ada Admin")
        await make_person(db, "Mariia", "Bondarenko")

    run_in_db(database_url, build)


def _back_up(settings: Settings, slot: str) -> dict[str, object]:
    run = with_app_state(settings, lambda s: run_for_slot(s, BACKUP, slot))
    assert run is not None
    return dict(run.details)


def test_the_backup_is_a_checked_private_copy_and_only_the_newest_are_kept(
    sqlite_url: str, tmp_path: Path
) -> None:
    _seed(sqlite_url)
    folder = tmp_path / "backups"
    settings = job_settings(sqlite_url, tmp_path, backup_dir=folder, backups_keep=3)
    summaries = [_back_up(settings, "slot-0")]  # makes the folder
    (folder / "notes.txt").write_text("not a backup: left alone")
    summaries += [_back_up(settings, f"slot-{i}") for i in range(1, 5)]

    files = backup.backups_in(folder)
    assert [f.name for f in files] == [s["file"] for s in summaries[-3:]]
    assert (folder / "notes.txt").exists()
    assert [s["deleted"] for s in summaries] == [0, 0, 0, 1, 1]
    assert all(s["kept"] == min(i + 1, 3) for i, s in enumerate(summaries))
    newest = files[-1]
    assert summaries[-1]["integrity"] == "ok" and summaries[-1]["bytes"] == newest.stat().st_size
    assert stat.S_IMODE(newest.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert backup.NAME.match(newest.name)
    with sqlite3.connect(newest) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT given_name FROM people").fetchall() == [("Mariia",)]
    assert [r.status for r in job_runs(sqlite_url)] == ["ok"] * 5


def test_a_copy_failing_its_integrity_check_is_deleted_and_the_run_failed(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "integrity_of", lambda _path: "*** in database main ***")
    settings = job_settings(sqlite_url, tmp_path)
    details = _back_up(settings, "slot-1")
    assert details == {
        "error": "BackupFailed",
        "message": "The copy failed its integrity check and was deleted.",
    }
    assert backup.backups_in(tmp_path / "backups") == []
    assert not list((tmp_path / "backups").iterdir())  # no partial file either


def test_on_postgresql_the_run_records_that_pg_dump_makes_backups(
    database_url: str, tmp_path: Path
) -> None:
    details = _back_up(job_settings(database_url, tmp_path), "slot-1")
    if database_url.startswith("sqlite"):
        assert details["integrity"] == "ok" and len(backup.backups_in(tmp_path / "backups")) == 1
    else:
        assert details == {"method": "pg_dump"}
        assert not (tmp_path / "backups").exists()


def test_a_backup_restored_into_a_fresh_path_is_opened_and_served_by_the_app(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/security.md, "Restoring the SQLite backup", step by step."""
    _seed(sqlite_url)
    details = _back_up(job_settings(sqlite_url, tmp_path), "slot-1")
    copy = tmp_path / "backups" / str(details["file"])
    # Written after the backup: not in the restored database.
    run_in_db(sqlite_url, lambda db: make_person(db, "Later", "Person"))

    # 2. Copy the backup into place (here a fresh path), readable by the server's user only.
    restored = tmp_path / "restored" / "razem.db"
    restored.parent.mkdir()
    shutil.copyfile(copy, restored)
    restored.chmod(0o600)
    # 3. Check it.
    with sqlite3.connect(restored) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # 4. `razem db upgrade` (a no-op here; brings an older backup up to date).
    url = f"sqlite:///{restored}"
    monkeypatch.setenv("RAZEM_DATABASE_URL", url)
    monkeypatch.setenv("RAZEM_SECRET_KEY", TEST_SECRET)
    assert cli.main(["db", "upgrade"]) == 0
    assert cli._database_is_current(cli._settings())  # what `razem serve` checks first
    # 5. The app serves it.
    settings = job_settings(url, tmp_path / "restored")
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1") as client:
        sign_in(client, "admin@example.org")
        page = client.get("/admin/staff")
        assert page.status_code == 200 and "Ada Admin" in page.text
    with sqlite3.connect(restored) as conn:
        names = conn.execute("SELECT given_name, family_name FROM people").fetchall()
    assert names == [("Mariia", "Bondarenko")]
