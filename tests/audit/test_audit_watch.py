"""The watch that makes every HTTP test on SQLite check its writes are audited
(tests/audit_watch.py, installed by the `app` fixture) sees an unaudited write."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.audit_watch import AuditWatch


def test_the_watch_flags_a_commit_that_writes_records_without_an_audit_entry(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE people (name TEXT)"))
        conn.execute(text("CREATE TABLE audit_entries (action TEXT)"))
        conn.execute(text("CREATE TABLE staff_sessions (token TEXT)"))
    watch = AuditWatch()
    watch.install(engine)
    with engine.begin() as conn:  # audited: fine
        conn.execute(text("INSERT INTO people VALUES ('a')"))
        conn.execute(text("INSERT INTO audit_entries VALUES ('person.register')"))
    with engine.begin() as conn:  # bookkeeping only: fine
        conn.execute(text("UPDATE staff_sessions SET token = 'x'"))
    with engine.connect() as conn:  # rolled back: nothing happened
        conn.execute(text("DELETE FROM people"))
        conn.rollback()
    assert watch.violations == []
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"people\" SET name = 'b'"))
        conn.execute(text("UPDATE staff_sessions SET token = 'y'"))
    assert watch.violations == [{"people"}]
    engine.dispose()
