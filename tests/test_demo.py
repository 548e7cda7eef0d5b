"""The demo seeder fills a migrated SQLite database with consistent, realistic data."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
    EnrollmentStatus,
)
from server.attendance.models import AttendanceMark
from server.auth.models import Role, StaffUser
from server.db import create_engine, create_session_maker
from server.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from server.migrations.runner import upgrade
from server.people.models import Consent, Person

TODAY = date(2026, 3, 18)  # a Wednesday


async def _seed_and_load(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with create_session_maker(engine, write=True)() as db:
            await seed_demo(db, today=TODAY)
            await db.commit()
        async with create_session_maker(engine)() as db:
            loaded: dict[str, Any] = {}
            for name, model in [
                ("people", Person),
                ("consents", Consent),
                ("staff", StaffUser),
                ("activities", Activity),
                ("assignments", ActivityStaff),
                ("enrollments", Enrollment),
                ("sessions", ActivitySession),
                ("marks", AttendanceMark),
            ]:
                loaded[name] = list((await db.exec(select(model))).all())
            return loaded
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path: Path = tmp_path_factory.mktemp("demo") / "razem.db"
    url = "sqlite+aiosqlite:///" + str(path)
    upgrade(url)
    return asyncio.run(_seed_and_load(url))


def _by_title(demo: dict[str, Any], title: str) -> Activity:
    return next(a for a in demo["activities"] if a.title == title)


def _active_ids(demo: dict[str, Any], activity: Activity) -> set[Any]:
    return {
        e.person_id
        for e in demo["enrollments"]
        if e.activity_id == activity.id and e.status == EnrollmentStatus.ACTIVE
    }


def test_people_are_many_unique_and_varied(demo: dict[str, Any]) -> None:
    people: list[Person] = demo["people"]
    assert len(people) >= 150
    assert len({p.code for p in people}) == len(people)
    names = [f"{p.given_name} {p.family_name}" for p in people]
    assert any("\u0400" <= c <= "\u04ff" for n in names for c in n), "no Cyrillic names"
    assert any(c in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ" for n in names for c in n), "no Polish diacritics"
    assert len({p.nationality for p in people}) >= 8
    assert all(p.search_name and p.search_name.isascii() for p in people)
    assert {p.id for p in people} == {c.person_id for c in demo["consents"]}
    for person in people:
        assert person.created_at.tzinfo is not None


def test_staff_accounts_and_roles(demo: dict[str, Any]) -> None:
    by_email = {u.email: u for u in demo["staff"]}
    expected = {
        "facilitator@example.org": Role.FACILITATOR,
        "teacher@example.org": Role.TEACHER,
        "coordinator@example.org": Role.COORDINATOR,
        "admin@example.org": Role.ADMIN,
        "marta@example.org": Role.FACILITATOR,
        "iryna@example.org": Role.TEACHER,
    }
    for email, role in expected.items():
        assert by_email[email].role == role
    assert {(e, r) for e, r, _ in DEMO_ACCOUNTS} >= set(expected.items())
    assert len({u.password_hash for u in demo["staff"]}) == 1
    assert DEMO_PASSWORD not in by_email["admin@example.org"].password_hash


def test_every_activity_kind_is_used(demo: dict[str, Any]) -> None:
    assert {a.kind for a in demo["activities"]} == set(ActivityKind)


def test_facilitator_and_teacher_have_a_full_session_today(demo: dict[str, Any]) -> None:
    staff = {u.email: u.id for u in demo["staff"]}
    for email in ("facilitator@example.org", "teacher@example.org"):
        runs = {a.activity_id for a in demo["assignments"] if a.user_id == staff[email]}
        today_activities = {
            s.activity_id for s in demo["sessions"] if s.date == TODAY and s.activity_id in runs
        }
        sizes = [len(_active_ids(demo, a)) for a in demo["activities"] if a.id in today_activities]
        assert sizes and max(sizes) >= 12, email


def test_facilitators_run_different_activities(demo: dict[str, Any]) -> None:
    staff = {u.email: u.id for u in demo["staff"]}
    runs: dict[str, set[Any]] = {"facilitator@example.org": set(), "marta@example.org": set()}
    for email, ids in runs.items():
        ids.update(a.activity_id for a in demo["assignments"] if a.user_id == staff[email])
    assert runs["marta@example.org"] - runs["facilitator@example.org"]
    assert _by_title(demo, "Multicultural Choir").id in runs["facilitator@example.org"]


def test_sessions_span_four_weeks_each_side(demo: dict[str, Any]) -> None:
    days = {s.date for s in demo["sessions"]}
    assert min(days) <= TODAY - timedelta(days=25)
    assert max(days) >= TODAY + timedelta(days=25)
    assert all(TODAY - timedelta(days=28) <= d <= TODAY + timedelta(days=28) for d in days)
    statuses = Counter(s.status for s in demo["sessions"] if s.date < TODAY)
    assert statuses["held"] > statuses["cancelled"]
    assert all(s.status == "planned" for s in demo["sessions"] if s.date >= TODAY)


def test_youth_programme_is_16_to_19(demo: dict[str, Any]) -> None:
    youth = next(a for a in demo["activities"] if a.kind == ActivityKind.YOUTH_PROGRAMME)
    enrolled = {e.person_id for e in demo["enrollments"] if e.activity_id == youth.id}
    ages = [TODAY.year - p.birth_year for p in demo["people"] if p.id in enrolled]
    assert len(ages) >= 10
    assert all(16 <= age <= 19 for age in ages)


def test_festival_reaches_many_people(demo: dict[str, Any]) -> None:
    festival = next(a for a in demo["activities"] if a.title.startswith("Theatre festival"))
    assert len(_active_ids(demo, festival)) >= 120


def test_marks_only_for_past_sessions_and_once_per_person(demo: dict[str, Any]) -> None:
    sessions = {s.id: s for s in demo["sessions"]}
    marks: list[AttendanceMark] = demo["marks"]
    assert len(marks) > 500
    assert all(sessions[m.session_id].date < TODAY for m in marks)
    assert len({(m.session_id, m.person_id) for m in marks}) == len(marks)
    assert all(m.marked_at <= m.recorded_at for m in marks)
    assert {m.status for m in marks} >= {"present", "absent", "late", "excused", "received"}
    assert all(m.quantity for m in marks if m.status == "received")
