"""The database's own floor for one 1,000-mark sync batch, without the app.

    .venv/bin/python -m tests.benchmarks.raw_batch_rows [--batches 10] [--foreign-keys off]
        [--audit per-session|per-mark] [--autocheckpoint PAGES] [--cache-size N]
        [--applied-without-rowid]

On a migrated demo database (plus the batch benchmark's choir), stdlib sqlite3 with the
server's pragmas inserts what a batch of 1,000 new marks writes — 1,000 attendance marks,
1,000 applied keys and its audit entries (one a session listing its marks, as the server
writes them since decision 20, or `--audit per-mark`: one a mark, as before), in the real
schema (its indexes and foreign keys), values already converted — and commits, `--batches`
times. Prints the median and minimum of each part, and the mean commit (a WAL checkpoint
runs in a few commits only): no batch through the app can be faster than this on the same
machine. The other options try pragmas and table shapes (decision 20 says what they gave).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from tests.benchmarks.bench_batch import LARGE, _add_bench_data, _in_db
from tests.browser.servers import seed_database

NOW = "2026-11-24 23:00:00.000000"
MARKS = (
    "INSERT INTO attendance_marks (id, session_id, person_id, status, quantity, marked_by_id,"
    " marked_at, device_id, recorded_at, idempotency_key, disagreement)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)
APPLIED = (
    "INSERT INTO applied_writes (idempotency_key, user_id, device_id, kind, payload_hash,"
    " outcome, result, applied_at) VALUES (?,?,?,?,?,?,?,?)"
)
AUDIT = (
    "INSERT INTO audit_entries (id, at, actor_id, device_id, ip_address, action, entity_type,"
    " entity_id, details) VALUES (?,?,?,?,?,?,?,?,?)"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--foreign-keys", choices=("on", "off"), default="on")
    parser.add_argument(
        "--audit",
        choices=("per-mark", "per-session"),
        default="per-session",
        help="one audit entry a mark, or one a session listing its marks (decision 20)",
    )
    parser.add_argument(
        "--autocheckpoint", type=int, default=10000, help="PRAGMA wal_autocheckpoint (the server's)"
    )
    parser.add_argument("--applied-without-rowid", action="store_true")
    parser.add_argument("--cache-size", type=int, default=None, help="PRAGMA cache_size")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="razem-raw-rows-"))
    try:
        url = seed_database(folder / "raw.db")
        data = _in_db(url, lambda db: _add_bench_data(db, args.batches * LARGE // 200 + 1))
        con = sqlite3.connect(folder / "raw.db", isolation_level=None)
        for pragma in ("journal_mode=WAL", f"foreign_keys={args.foreign_keys.upper()}",
                       "synchronous=NORMAL", "secure_delete=ON"):  # fmt: skip
            con.execute(f"PRAGMA {pragma}")
        if args.applied_without_rowid:
            sql = con.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'applied_writes'"
            ).fetchone()[0]
            con.executescript(
                "DROP TABLE applied_writes;" + sql + " WITHOUT ROWID;"
                "CREATE INDEX ix_applied_writes_applied_at ON applied_writes (applied_at);"
            )
        if args.autocheckpoint:
            con.execute(f"PRAGMA wal_autocheckpoint={args.autocheckpoint}")
        if args.cache_size is not None:
            con.execute(f"PRAGMA cache_size={args.cache_size}")
        user, device = data.user_id.hex, uuid.uuid4().hex
        con.execute(
            "INSERT INTO devices (id, user_id, user_agent, app_version, first_seen_at,"
            " last_seen_at, pending_count) VALUES (?, ?, '', '', ?, ?, 0)",
            (device, user, NOW, NOW),
        )
        pairs = iter(data.pairs)
        times: dict[str, list[float]] = {"marks": [], "applied keys": [], "audit": [], "commit": []}
        for _ in range(args.batches):
            batch = [next(pairs) for _ in range(LARGE)]
            keys = [uuid.uuid4().hex for _ in batch]
            con.execute("BEGIN IMMEDIATE")
            start = time.perf_counter()
            con.executemany(MARKS, [
                (uuid.uuid4().hex, s.hex, p.hex, "present", None, user, NOW, device, NOW, k, 0)
                for (s, p), k in zip(batch, keys, strict=True)
            ])  # fmt: skip
            marks = time.perf_counter()
            result = '{"result":{"mark_id":"x","status":"present"},"errors":{}}'
            con.executemany(APPLIED, [
                (k, user, device, "attendance.mark", "0" * 64, "applied", result, NOW)
                for k in keys
            ])  # fmt: skip
            applied = time.perf_counter()
            if args.audit == "per-mark":
                con.executemany(AUDIT, [
                    (uuid.uuid4().hex, NOW, user, device, "127.0.0.1", "attendance.mark",
                     "session", str(s), f'{{"person_id":"{p}","status":"present",'
                     '"superseded":false}')
                    for s, p in batch
                ])  # fmt: skip
            else:
                by_session: dict[uuid.UUID, list[str]] = {}
                for s, p in batch:
                    by_session.setdefault(s, []).append(
                        f'{{"person_id":"{p}","status":"present","superseded":false,'
                        f'"marked_at":"2026-11-24T23:00:00+00:00"}}'
                    )
                con.executemany(AUDIT, [
                    (uuid.uuid4().hex, NOW, user, device, "127.0.0.1", "attendance.marks",
                     "session", str(s), '{"marks":[' + ",".join(items) + "]}")
                    for s, items in by_session.items()
                ])  # fmt: skip
            audit = time.perf_counter()
            con.execute("COMMIT")
            done = time.perf_counter()
            for name, seconds in zip(times, (marks - start, applied - marks, audit - applied,
                                             done - audit), strict=True):  # fmt: skip
                times[name].append(seconds)
        con.close()
        for name, values in times.items():
            print(f"{name:13s} median {statistics.median(values) * 1000:6.1f} ms"
                  f"  min {min(values) * 1000:6.1f} ms")  # fmt: skip
        totals = [sum(parts) for parts in zip(*times.values(), strict=True)]
        median = statistics.median(totals)
        # Checkpoints run in a few commits only: the mean shows what they cost over the run.
        print(f"{'commit, mean':13s} {statistics.mean(times['commit']) * 1000:6.1f} ms;"
              f" whole batch, mean {statistics.mean(totals) * 1000:6.1f} ms")  # fmt: skip
        print(f"{'whole batch':13s} median {median * 1000:6.1f} ms  min {min(totals) * 1000:6.1f}"
              f" ms: at most {LARGE / median:,.0f} marks/s (median), {LARGE / min(totals):,.0f}"
              " (best)")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
