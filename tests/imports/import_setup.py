"""Shared set-up for the import pages' tests: staff, two activities, and files to upload."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind
from server.auth.models import Role
from tests.factories import make_activity, make_user, run_in_db
from tests.helpers import Client, csrf_token

COORDINATOR = "coord@example.org"
HEADER = "given_name;family_name;sex;birth_year;nationality;phone;languages;activity;consent"
GOOD_ROWS = [
    "Łukasz;Wójcik;male;1990;PL;;pl en;Multicultural Choir;attendance reporting",
    "Оксана;Шевченко;female;1985;UA;+48 600 100 200;uk ru;Multicultural Choir;attendance",
    "Оксана;Шевченко;female;1985;UA;+48 600 100 200;uk ru;Polish A1;attendance",
    "Zażółć;Gęślą;not_stated;;;;;;attendance photos",
]


@dataclass
class Setup:
    choir: uuid.UUID
    course: uuid.UUID


def setup(database_url: str) -> Setup:
    async def build(db: AsyncSession) -> Setup:
        for role in Role:
            await make_user(db, role, f"{role.value}@example.org")
        await make_user(db, Role.COORDINATOR, COORDINATOR)
        choir = await make_activity(db)
        course = await make_activity(db, kind=ActivityKind.LANGUAGE_COURSE, title="Polish A1")
        return Setup(choir.id, course.id)

    return run_in_db(database_url, build)


def csv_file(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *rows, ""]).encode(encoding)


def upload(client: Client, content: bytes, filename: str = "people.csv") -> object:
    token = csrf_token(client, "/people/import")
    return client.post(
        "/people/import/preview",
        files={"file": (filename, content, "text/csv")},
        data={"_csrf_token": token},
    )


def confirm_fields(preview_html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview_html))
    assert {"content", "filename", "issued_at", "signature", "_csrf_token"} <= set(fields)
    return fields


def confirm(client: Client, fields: dict[str, str]) -> object:
    return client.post("/people/import/confirm", data=fields, follow_redirects=False)
