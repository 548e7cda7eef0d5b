"""Builders of test data, and a way to run them from synchronous tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
)
from server.attendance.models import AttendanceMark
from server.auth.models import Role, StaffUser
from server.auth.passwords import hash_password
from server.db import create_engine, create_session_maker, session_scope
from server.people.codes import make_person_code
from server.people.models import Person
from server.people.names import search_key

T = TypeVar("T")
PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)


def run_in_db(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in its own committed transaction, from a synchronous test."""

    async def runner() -> T:
        engine = create_engine(database_url)
        try:
            async with session_scope(create_session_maker(engine, write=True)) as db:
                return await work(db)
        finally:
            await engine.dispose()

    return asyncio.run(runner())


def count_rows(database_url: str, model: type) -> int:
    """How many rows a table holds now."""

    async def count(db: AsyncSession) -> int:
        return int((await db.exec(select(func.count()).select_from(model))).one())

    return run_in_db(database_url, count)


def marks_by_person(database_url: str) -> dict[uuid.UUID, str]:
    """Every attendance mark's status, by person (the tests use one session at a time)."""

    async def load(db: AsyncSession) -> dict[uuid.UUID, str]:
        marks = (await db.exec(select(AttendanceMark))).all()
        return {m.person_id: m.status.value for m in marks}

    return run_in_db(database_url, load)


async def make_user(
    db: AsyncSession, role: Role = Role.FACILITATOR, email: str | None = None, **fields: Any
) -> StaffUser:
    user = StaffUser(
        email=email or f"{role.value}-{uuid.uuid4().hex[:6]}@example.org",
        display_name=fields.pop("display_name", f"Test {role.value}"),
        role=role,
        password_hash=_PASSWORD_HASH,
        **fields,
    )
    db.add(user)
    await db.flush()
    return user


async def make_activity(
    db: AsyncSession,
    *,
    staff: list[StaffUser] | None = None,
    kind: ActivityKind = ActivityKind.CHOIR,
    title: str = "Multicultural Choir",
    **fields: Any,
) -> Activity:
    activity = Activity(
        kind=kind, title=title, start_date=fields.pop("start_date", date(2026, 9, 1)), **fields
    )
    db.add(activity)
    await db.flush()
    for user in staff or []:
        db.add(ActivityStaff(activity_id=activity.id, user_id=user.id))
    await db.flush()
    return activity


async def make_person(
    db: AsyncSession, given_name: str = "Оксана", family_name: str = "Шевченко", **fields: Any
) -> Person:
    person = Person(
        code=make_person_code(),
        given_name=given_name,
        family_name=family_name,
        search_name=search_key(given_name, family_name),
        **fields,
    )
    db.add(person)
    await db.flush()
    return person


async def enroll(db: AsyncSession, activity: Activity, person: Person) -> Enrollment:
    enrollment = Enrollment(activity_id=activity.id, person_id=person.id)
    db.add(enrollment)
    await db.flush()
    return enrollment


async def make_session(
    db: AsyncSession, activity: Activity, on: date, start: time = time(17, 0)
) -> ActivitySession:
    session = ActivitySession(
        activity_id=activity.id, date=on, start_time=start, end_time=time(start.hour + 1, 30)
    )
    db.add(session)
    await db.flush()
    return session


@dataclass(frozen=True)
class OnePersonSession:
    """A facilitator (me@example.org) with one activity, one enrolled person (Ola Nowak) and
    today's session."""

    user_id: uuid.UUID
    person_id: uuid.UUID
    session_id: uuid.UUID


def one_person_session(database_url: str) -> OnePersonSession:
    async def build(db: AsyncSession) -> OnePersonSession:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        activity = await make_activity(db, staff=[me])
        person = await make_person(db, "Ola", "Nowak")
        await enroll(db, activity, person)
        session = await make_session(db, activity, date.today())
        return OnePersonSession(me.id, person.id, session.id)

    return run_in_db(database_url, build)
