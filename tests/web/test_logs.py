"""What reaches the logs: access log lines without query strings (searches carry names), and
database errors without the values of the statement."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession
from uvicorn.logging import AccessFormatter

from server.people.models import Person
from server.web.access_log import ACCESS_LOGGER, PathWithoutQuery
from tests.factories import make_person
from tests.helpers import Client

pytestmark = pytest.mark.anyio


def _access_record(path: str) -> logging.LogRecord:
    """A record as uvicorn's h11/httptools protocols log one."""
    return logging.LogRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200), None,
    )  # fmt: skip


def test_the_access_log_keeps_the_path_and_drops_the_query() -> None:
    record = _access_record("/people?q=%D0%9E%D0%BA%D1%81%D0%B0%D0%BD%D0%B0+Shevchenko")
    assert PathWithoutQuery().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert line == '127.0.0.1:5000 - "GET /people HTTP/1.1" 200 OK'


def test_the_app_installs_the_filter_on_uvicorns_access_logger(client: Client) -> None:
    """Whoever runs the app (razem serve, uvicorn directly), its access log is filtered."""
    filters = logging.getLogger(ACCESS_LOGGER).filters
    assert sum(isinstance(f, PathWithoutQuery) for f in filters) == 1


def test_other_records_pass_unchanged() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("text",), None)
    assert PathWithoutQuery().filter(record) and record.getMessage() == "plain text"


async def test_database_errors_do_not_carry_the_values(db: AsyncSession) -> None:
    first = await make_person(db, "Оксана", "Шевченко")
    await db.commit()
    twin = Person(code=first.code, given_name="Ірина", family_name="Коваленко", search_name="x")
    db.add(twin)
    with pytest.raises(IntegrityError) as raised:
        await db.flush()
    assert "Коваленко" not in str(raised.value) and "Ірина" not in str(raised.value)
    assert "hide_parameters" in str(raised.value)
    await db.rollback()
