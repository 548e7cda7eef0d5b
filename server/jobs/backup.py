"""The nightly SQLite backup: SQLite's online backup API (`sqlite3.Connection.backup`) copies
a consistent snapshot while the app keeps writing (WAL: readers and writers do not wait for
each other), the copy is checked with `PRAGMA integrity_check`, and only the newest copies are
kept. Plain blocking code: the job runs it in a thread.

A copy holds every person's data: files are created readable by the server's user only
(0600) in a folder only it may open (0700). Restoring one is described in docs/security.md."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine.url import make_url

from server.i18n.catalogs import N_

# razem-20261124T023000.123456Z.db: sorts by time; microseconds keep two copies apart.
PREFIX = "razem-"
SUFFIX = ".db"
NAME = re.compile(r"^razem-\d{8}T\d{6}\.\d{6}Z\.db$")


class BackupFailed(Exception):
    """The copy could not be made or did not pass its check. The message is a gettext id
    (shown translated on the jobs page) and holds no data."""


@dataclass(frozen=True)
class BackupResult:
    file: str
    bytes: int
    kept: int
    deleted: int


def sqlite_path(database_url: str) -> Path | None:
    """The SQLite file of a database URL, or None for another engine or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def backup_name(moment: datetime) -> str:
    return f"{PREFIX}{moment.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}{SUFFIX}"


def backups_in(folder: Path) -> list[Path]:
    """The backups this job made in `folder`, oldest first (other files are left alone)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NAME.match(p.name) and p.is_file())


def integrity_of(path: Path) -> str:
    """`PRAGMA integrity_check` of a database file: "ok" when it is sound."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "; ".join(str(row[0]) for row in rows[:5])


def copy_database(source: Path, target: Path) -> None:
    """An online backup of `source` into a new file `target`, made a single self-contained
    file (rollback journal, not WAL) so it can be copied and opened on its own."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(source, timeout=15)  # reads only; WAL needs it able to open -shm
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # the whole database in one step: a consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    partial.replace(target)


def rotate(folder: Path, keep: int) -> int:
    """Delete all but the newest `keep` backups; returns how many were deleted."""
    old = backups_in(folder)[:-keep] if keep > 0 else backups_in(folder)
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)


def back_up(source: Path, folder: Path, keep: int, now: datetime) -> BackupResult:
    if not source.is_file():
        raise BackupFailed(N_("The database file does not exist."))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / backup_name(now)
    copy_database(source, target)
    verdict = integrity_of(target)
    if verdict != "ok":
        target.unlink(missing_ok=True)
        raise BackupFailed(N_("The copy failed its integrity check and was deleted."))
    size = target.stat().st_size
    deleted = rotate(folder, keep)
    return BackupResult(file=target.name, bytes=size, kept=len(backups_in(folder)), deleted=deleted)
