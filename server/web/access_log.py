"""Keep personal data out of the access log: uvicorn logs each request line with its query
string, and searches put names there (`/people?q=…`, the check-in search). The filter logs the
path only; paths hold ids, never names."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class PathWithoutQuery(logging.Filter):
    """Drops the query string from uvicorn's access log records (for every handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path = args[2].split("?", 1)[0]
            record.args = (args[0], args[1], path, args[3], args[4])
        return True


def keep_queries_out_of_the_access_log() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, PathWithoutQuery) for f in logger.filters):
        logger.addFilter(PathWithoutQuery())
