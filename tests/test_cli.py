"""The `razem` command: database upgrade, user creation with validation, safe serving."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import cli
from server.auth.models import StaffUser
from tests.factories import run_in_db


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("RAZEM_DATABASE_URL", url)
    monkeypatch.setenv("RAZEM_SECRET_KEY", "s" * 40)
    return url


def _users(url: str) -> list[StaffUser]:
    async def load(db: AsyncSession) -> list[StaffUser]:
        return list((await db.exec(select(StaffUser))).all())

    return run_in_db(url, load)


def test_db_upgrade_then_user_create(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    code = cli.main(
        ["user", "create", "--email", "Ola@Example.org", "--name", "Ola", "--role", "admin",
         "--password-stdin"]
    )  # fmt: skip
    assert code == 0
    users = _users(env)
    assert [(u.email, u.role.value) for u in users] == [("ola@example.org", "admin")]
    assert "created admin ola@example.org" in capsys.readouterr().out


def test_user_create_refuses_bad_input_in_the_chosen_language(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["db", "upgrade"])
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code = cli.main(
        ["user", "create", "--email", "not-an-email", "--name", "", "--role", "teacher",
         "--language", "en", "--password-stdin"]
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "Enter a valid email address." in err
    assert "Too short: at least 10 characters." in err
    assert _users(env) == []


def test_user_create_refuses_a_guessable_password(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["db", "upgrade"])
    monkeypatch.setattr("sys.stdin", io.StringIO("olanowak2026\n"))
    code = cli.main(
        ["user", "create", "--email", "ola.nowak@example.org", "--name", "Ola Nowak",
         "--role", "admin", "--language", "en", "--password-stdin"]
    )  # fmt: skip
    assert code == 2
    assert "This password is too easy to guess." in capsys.readouterr().err
    assert _users(env) == []


def test_serve_refuses_a_placeholder_secret(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAZEM_SECRET_KEY", "changeme")
    assert cli.main(["serve"]) == 2
    assert "RAZEM_SECRET_KEY" in capsys.readouterr().err


def test_serve_refuses_a_database_that_is_not_migrated(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve"]) == 2
    assert "razem db upgrade" in capsys.readouterr().err


def test_serve_runs_uvicorn_on_a_migrated_database_without_websockets(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # issue 9: no WebSocket routes, so uvicorn does not load the websockets library
    assert cli.main(["db", "upgrade"]) == 0
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: calls.append(options))
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert len(calls) == 1
    assert calls[0]["ws"] == "none" and calls[0]["port"] == 8123 and calls[0]["factory"]


def test_scheduler_refuses_a_database_that_is_not_up_to_date(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["scheduler"]) == 2
    assert "run `razem db upgrade` first" in capsys.readouterr().err
