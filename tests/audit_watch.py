"""Every write the app commits leaves an audit entry in the same transaction.

Watches the statements an app's engine sends: a transaction that inserts, updates or deletes
rows of a domain table must also insert into `audit_entries` before it commits. Installed on
the app of every HTTP test on SQLite (tests/conftest.py), so every form post, sync batch, import,
merge, export, sign-in and job run those tests make is checked; a test whose request commits an
unaudited write fails with the tables it wrote. (PostgreSQL is left out: bulk inserts there go
through COPY, which the statement events do not see.)"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Bookkeeping that is not a change anyone makes to the centre's records: the sign-in session
# (created and extended; sign-in and sign-out are audited), the lockout's attempts (failures
# are audited), phones' sync bookkeeping (each batch is audited), job runs (a manual run is
# audited; the scheduler's claim is not a person's action), and a refused write's key with its
# refusal (kept so that the same write sent again gets the same answer; nothing changed).
NOT_AUDITED = frozenset(
    {"audit_entries", "staff_sessions", "sign_in_attempts", "devices", "job_runs",
     "applied_writes"}
)  # fmt: skip
_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.IGNORECASE
)


@dataclass
class AuditWatch:
    violations: list[set[str]] = field(default_factory=list)

    def install(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._forget)

    def _statement(self, conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        match = _WRITE.match(statement)
        if match:
            conn.info.setdefault("razem_written", set()).add(match.group(1).lower())

    def _commit(self, conn: Connection) -> None:
        written: set[str] = conn.info.pop("razem_written", set())
        if written and "audit_entries" not in written and written - NOT_AUDITED:
            self.violations.append(written - NOT_AUDITED)

    def _forget(self, conn: Connection) -> None:
        conn.info.pop("razem_written", None)
