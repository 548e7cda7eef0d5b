"""Settings: secrets are refused when missing or placeholders, URLs get async drivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.app import create_app
from server.settings import InsecureSettingsError, Settings, normalise_database_url


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "short-but-not-placeholder"])
def test_missing_or_placeholder_secret_is_refused(secret: str, tmp_path: Path) -> None:
    settings = Settings(secret_key=secret, data_dir=tmp_path, demo_mode=False)
    with pytest.raises(InsecureSettingsError, match="RAZEM_SECRET_KEY"):
        settings.require_safe_secret()
    with pytest.raises(InsecureSettingsError):
        create_app(settings)


def test_demo_mode_runs_without_a_secret(tmp_path: Path) -> None:
    Settings(secret_key="", data_dir=tmp_path, demo_mode=True).require_safe_secret()


def test_default_database_is_a_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'razem.db'}"
    assert settings.is_sqlite


def test_settings_come_from_razem_environment_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RAZEM_DATABASE_URL", "postgresql://u@db:5432/razem")
    monkeypatch.setenv("RAZEM_HTMX_URL", "/static/vendor/htmx.js")
    monkeypatch.setenv("RAZEM_SECRET_KEY", "s" * 40)
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == "postgresql+psycopg://u@db:5432/razem"
    assert settings.htmx_url == "/static/vendor/htmx.js"
    settings.require_safe_secret()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_get_an_async_driver(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected
