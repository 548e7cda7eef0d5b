"""Settings from `RAZEM_*` environment variables, behind one cached `get_settings()`."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

HTMX_VERSION = "2.0.11"
HTMX_CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# The same hash holds for the CDN file and for the copy `npm pack htmx.org@2.0.11` gives.
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_LOCAL_URL = f"/static/vendor/htmx-{HTMX_VERSION}.min.js"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "placeholder", "razem", "dev", "test", "xxx"}
)
MIN_SECRET_LENGTH = 32


class InsecureSettingsError(ValueError):
    """Raised when the app would start with settings that are unsafe outside demo mode."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAZEM_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    secret_key: str = ""
    demo_mode: bool = False
    htmx_url: str = HTMX_CDN_URL
    default_language: str = "pl"
    timezone: str = "Europe/Warsaw"
    session_days: int = Field(default=30, ge=1, le=365)
    # Failed sign-ins allowed before a lock; the lock then doubles with each further failure.
    sign_in_max_failures: int = Field(default=5, ge=1)
    sign_in_lock_minutes: int = Field(default=1, ge=1)
    sign_in_lock_max_minutes: int = Field(default=60, ge=1)
    secure_cookies: bool | None = None  # None: Secure unless the app is served on localhost
    log_sql: bool = False
    # Log lines as JSON objects ("json") or readable text ("text"); unset: text in demo mode,
    # JSON otherwise (server/logs.py).
    log_format: Literal["", "json", "text"] = ""
    # Take a request's id from its X-Request-ID header (set by the proxy in front); a value
    # that is not a plain token is replaced by a new id either way.
    trust_request_id: bool = True
    # /metrics answers a request with `Authorization: Bearer <this>`; unset, it answers only
    # requests made directly on the loopback interface, not through a proxy (decision 0018).
    metrics_token: str = ""
    # Serve our own .js and .css without comments and indentation (server/web/assets.py).
    minify_assets: bool = True
    # Addresses (or networks, comma-separated) of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; "*" trusts any. Others' are ignored: the client address is
    # then the connection's own (sign-in limits per address, audit entries).
    trusted_proxies: str = "127.0.0.1"
    # Sessions are generated from each activity's weekly schedule this many days ahead.
    sessions_ahead_days: int = Field(default=56, ge=7, le=366)
    # Personal data of people with no activity (registration, enrolment, mark, assessment) for
    # this many months is anonymised by the nightly retention job (see server/records/erasure).
    retention_months: int = Field(default=24, ge=1, le=240)
    # Run the scheduled jobs in this process (see server/jobs/). Every process may: each
    # scheduled run is claimed in the database, so it runs once. Off when `razem scheduler`
    # runs them in a process of its own.
    run_jobs: bool = True
    # A job's schedule instead of its default: {"sqlite_backup": "30 1 * * *"} (crontab, in
    # the centre's time zone).
    job_schedules: dict[str, str] = Field(default_factory=dict)
    # Tests only: every job fires every N seconds, at the same moments in every process.
    jobs_every_seconds: int | None = Field(default=None, ge=1, le=3600)
    # The nightly SQLite backup: where its copies go (default: <data dir>/backups), how many.
    backup_dir: Path | None = None
    backups_keep: int = Field(default=14, ge=1, le=1000)
    # Idempotency keys of applied writes are forgotten after this many days (see
    # docs/security.md: a device's queued write older than this minus 60 days is refused).
    idempotency_keys_days: int = Field(default=180, ge=90, le=3650)
    # Changes the service worker script, so browsers install a new worker (release builds).
    build: str = ""
    faults_file: Path | None = None  # tests only: see server/web/faults.py

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("pl", "uk", "en"):
            raise ValueError("default_language must be pl, uk or en")
        return value

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'razem.db'}"
        self.database_url = normalise_database_url(self.database_url)
        if self.backup_dir is None:
            self.backup_dir = self.data_dir / "backups"
        return self

    def today(self) -> date:
        """Today's date at the centre (its time zone, not the server's)."""
        return datetime.now(ZoneInfo(self.timezone)).date()

    def require_safe_secret(self) -> None:
        """Refuse a missing or placeholder secret unless running the demo."""
        if self.demo_mode:
            return
        key = self.secret_key.strip()
        if key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH:
            raise InsecureSettingsError(
                "RAZEM_SECRET_KEY is missing or a placeholder: set it to a random string of at "
                f"least {MIN_SECRET_LENGTH} characters, for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Pick the async driver for a plain URL (`sqlite:///…`, `postgresql://…`)."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url.removeprefix("sqlite:")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
