"""The `razem` command: serve, scheduler, demo, db upgrade, db backup, user create."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging.config
import os
import sys
from pathlib import Path
from typing import Any

from server.settings import HTMX_LOCAL_URL, InsecureSettingsError, Settings, get_settings

VENDOR_HTMX = (
    Path(__file__).resolve().parent.parent
    / "web"
    / "static"
    / HTMX_LOCAL_URL.removeprefix("/static/")
)


def _settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


def _database_is_current(settings: Settings) -> bool:
    from sqlalchemy import text

    from server.db import create_engine
    from server.migrations.heads import head_revision  # not Alembic's: it would stay resident

    async def current() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                row = await conn.execute(text("SELECT version_num FROM alembic_version"))
                return row.scalar()
        except Exception:
            return None
        finally:
            await engine.dispose()

    return asyncio.run(current()) == head_revision()


def log_config(settings: Settings) -> dict[str, Any]:
    """JSON lines in production, text in the demo, or as RAZEM_LOG_FORMAT says (server/logs)."""
    from server.logs import log_config as build
    from server.logs import resolve_log_format

    return build(resolve_log_format(settings.log_format, demo_mode=settings.demo_mode))


KEEP_ALIVE_SECONDS = 150


def _run_server(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "server.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=get_settings().trusted_proxies,
        log_level="info",
        log_config=log_config(settings),
        access_log=False,  # the app writes its own access line (server/web/observe.py)
        # Longer than a proxy keeps an idle connection to the app (Caddy: 2 minutes): with
        # uvicorn's 5 s, the proxy sometimes sent a request on a connection uvicorn was just
        # closing ("connection reset by peer", a 502 for a sync batch in the load test).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # Razem has no WebSocket routes: with uvicorn's "auto", the websockets library was
        # imported and stayed resident (issue 9; ~0.4 MB measured) for upgrades nothing answers.
        ws="none",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        settings.require_safe_secret()
    except InsecureSettingsError as exc:
        print(f"razem: {exc}", file=sys.stderr)
        return 2
    if not _database_is_current(settings):
        print(
            "razem: the database is not up to date; run `razem db upgrade` first.", file=sys.stderr
        )
        return 2
    _run_server(settings, args.host, args.port, args.workers)
    return 0


def cmd_scheduler(_args: argparse.Namespace) -> int:
    """Only the scheduled jobs, for deployments whose app processes run with
    RAZEM_RUN_JOBS=false (a scheduler running next to app processes with jobs on is harmless
    too: every run is claimed in the database)."""
    from server.jobs.scheduler import run_scheduler

    settings = _settings()
    if not _database_is_current(settings):
        print(
            "razem: the database is not up to date; run `razem db upgrade` first.", file=sys.stderr
        )
        return 2
    logging.config.dictConfig(log_config(settings))
    asyncio.run(run_scheduler(settings))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from server.migrations.runner import upgrade

    settings = _settings()
    upgrade(settings.database_url, args.revision)
    print(f"razem: database upgraded to {args.revision}")
    return 0


def cmd_db_backup(_args: argparse.Namespace) -> int:
    """The nightly job's SQLite backup, now (before an upgrade, say): an online, checked copy
    into the backup folder, rotated with the others."""
    from datetime import UTC, datetime

    from server.jobs.backup import BackupFailed, back_up, sqlite_path

    settings = _settings()
    source = sqlite_path(settings.database_url)
    if source is None or settings.backup_dir is None:
        print(
            "razem: `razem db backup` copies a SQLite database; back PostgreSQL up with "
            "pg_dump (deploy/README.md).",
            file=sys.stderr,
        )
        return 2
    try:
        result = back_up(source, settings.backup_dir, settings.backups_keep, datetime.now(UTC))
    except BackupFailed as exc:
        print(f"razem: backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"razem: backup {settings.backup_dir / result.file} ({result.bytes} bytes)")
    return 0


def _prepare_demo_environment() -> Settings:
    os.environ["RAZEM_DEMO_MODE"] = "true"
    if "RAZEM_HTMX_URL" not in os.environ:
        # These machines have no internet: use the copy the install step fetched and checked.
        os.environ["RAZEM_HTMX_URL"] = HTMX_LOCAL_URL
        if not VENDOR_HTMX.exists():
            print(
                "razem: warning: no local htmx copy; run scripts/vendor-htmx.sh",
                file=sys.stderr,
            )
    settings = _settings()
    if "RAZEM_DATABASE_URL" not in os.environ:
        demo_db = settings.data_dir / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{demo_db}{suffix}").unlink(missing_ok=True)
        os.environ["RAZEM_DATABASE_URL"] = f"sqlite+aiosqlite:///{demo_db}"
        settings = _settings()
    return settings


def seed_demo_database(settings: Settings) -> None:
    """Migrate the database and fill it with the demo data (dates relative to today)."""
    from server.db import create_engine, create_session_maker, session_scope
    from server.demo import seed_demo
    from server.migrations.runner import upgrade

    upgrade(settings.database_url)
    today = settings.today()

    async def seed() -> None:
        engine = create_engine(settings.database_url)
        try:
            async with session_scope(create_session_maker(engine, write=True)) as db:
                await seed_demo(db, today=today)
        finally:
            await engine.dispose()

    asyncio.run(seed())


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    settings = _prepare_demo_environment()
    seed_demo_database(settings)
    print(f"\nRazem demo on http://{args.host}:{args.port}  (database: {settings.database_url})")
    print(f"Demo accounts, all with the password {DEMO_PASSWORD!r}:")
    for email, role, name in DEMO_ACCOUNTS:
        print(f"  {role.value:<12} {email:<28} {name}")
    print(flush=True)
    _run_server(settings, args.host, args.port, 1)
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from server.auth.schemas import StaffUserCreate
    from server.auth.service import create_user
    from server.common.errors import ValidationFailed
    from server.common.validation import parse_form
    from server.db import create_engine, create_session_maker, session_scope
    from server.i18n import get_translator

    settings = _settings()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    if password is None:
        password = getpass.getpass("Password (at least 10 characters, hard to guess): ")
    raw = {
        "email": args.email,
        "display_name": args.name,
        "role": args.role,
        "password": password,
        "language": args.language or "",
    }
    translator = get_translator(args.language or "en")

    async def create() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with session_scope(create_session_maker(engine, write=True)) as db:
                user = await create_user(db, parse_form(StaffUserCreate, raw))
                print(f"razem: created {user.role.value} {user.email}")
            return 0
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                text = translator.gettext(message.msgid, **message.params)
                print(f"razem: {name or 'error'}: {text}", file=sys.stderr)
            return 2
        finally:
            await engine.dispose()

    return asyncio.run(create())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="razem", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the app (settings from RAZEM_* variables)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    scheduler = sub.add_parser(
        "scheduler",
        help="run only the scheduled jobs (app processes then use RAZEM_RUN_JOBS=false)",
    )
    scheduler.set_defaults(func=cmd_scheduler)

    demo = sub.add_parser("demo", help="fresh demo database, then serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_sub.add_parser("upgrade", help="apply migrations (Alembic)")
    db_upgrade.add_argument("--revision", default="head")
    db_upgrade.set_defaults(func=cmd_db_upgrade)
    db_backup = db_sub.add_parser(
        "backup", help="SQLite: a checked copy into the backup folder now (as the nightly job)"
    )
    db_backup.set_defaults(func=cmd_db_backup)

    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create a staff account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role", required=True, choices=["facilitator", "teacher", "coordinator", "admin"]
    )
    create.add_argument("--language", choices=["pl", "uk", "en"])
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(func=cmd_user_create)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
