"""Structured logs: one JSON object a line in production, readable text in development.

Every line written while a request is handled carries that request's id (a context variable
set by server/web/observe.py), so the lines of one request can be found together and matched
with the proxy's. The access line itself (logger `razem.access`) holds the method, the path
without its query string, the route, the status and the duration, and nothing about a person:
no client address, no query string (searches carry names), no user.
"""

from __future__ import annotations

import copy
import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

ACCESS_LOGGER = "razem.access"
REQUEST_ID: ContextVar[str | None] = ContextVar("razem_request_id", default=None)
# Fields an access record carries (passed as `extra=`), in the order they are written.
ACCESS_FIELDS = ("method", "path", "route", "status", "duration_ms")
LOG_FORMATS = ("json", "text")


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class JsonFormatter(logging.Formatter):
    """`{"ts": …, "level": …, "logger": …, "message": …, "request_id": …, …}` on one line.
    Text is written as it is (not \\u-escaped), so a check for names in the log sees them."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id is not None:
            entry["request_id"] = request_id
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`2026-11-24 22:50:01,123 INFO razem.access [3f2a…]: GET /people 200 4.1ms`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = current_request_id()
        record.rid = f" [{request_id}]" if request_id else ""
        return super().format(record)


def resolve_log_format(configured: str, *, demo_mode: bool) -> str:
    """`json` or `text`; unset means text for the demo (development), JSON otherwise."""
    if configured:
        return configured
    return "text" if demo_mode else "json"


def log_config(log_format: str) -> dict[str, Any]:
    """uvicorn's loggers and the app's `razem.*` loggers, at INFO, on standard error, in one
    format. uvicorn's own access log is left off: `razem.access` writes one line a request.
    Given to uvicorn, so every worker process logs the same way."""
    from uvicorn.config import LOGGING_CONFIG

    formatter = JsonFormatter if log_format == "json" else TextFormatter
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"] = {"razem": {"()": f"{__name__}.{formatter.__name__}"}}
    config["handlers"] = {
        "razem": {
            "formatter": "razem",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        }
    }
    config["loggers"] = {
        "uvicorn": {"handlers": ["razem"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "razem": {"handlers": ["razem"], "level": "INFO", "propagate": False},
    }
    return config
