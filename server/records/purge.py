"""After an erasure or anonymisation is committed: make the database drop the old versions
of the rows it changed, so the erased values do not linger in its files longer than needed.

SQLite runs with `secure_delete` (freed space is zeroed), but until a checkpoint the old page
images stay in the write-ahead log: a `wal_checkpoint(TRUNCATE)` copies the new pages into the
database and empties the log. It gives up quietly if a reader still needs old pages (the next
automatic checkpoint gets them). PostgreSQL keeps old row versions until VACUUM: a plain
VACUUM of the touched tables frees them for reuse (their bytes stay on disk until overwritten;
VACUUM FULL would rewrite the tables but locks them, so it is left to the runbook)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger("razem.records")

TOUCHED_TABLES = ("people", "progress_assessments", "sessions", "lesson_entries", "person_merges")


async def purge_old_versions(engine: AsyncEngine) -> None:
    try:
        if engine.dialect.name == "sqlite":
            async with engine.connect() as connection:
                result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                if result.one()[0]:  # busy: (busy, log pages, pages checkpointed)
                    logger.info("erasure: checkpoint postponed, a reader holds old pages")
        elif engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await auto.exec_driver_sql(f"VACUUM {', '.join(TOUCHED_TABLES)}")
    except Exception as exc:  # the erasure is committed; this is only tidying up
        logger.warning("erasure: purging old row versions failed: %s", type(exc).__name__)
