"""Coordinators set up activities with a weekly schedule: sessions are generated (and kept
generated ahead), skipped dates are left out, an edited schedule changes only future sessions
that hold no marks, and enrolment respects capacity and ages with a clear message."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.generation import generate_ahead
from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    WeeklySlot,
)
from server.activities.schedule import session_dates
from server.activities.sessions import check_eligible
from server.attendance.models import AttendanceMark, MarkStatus
from server.audit.models import AuditEntry
from server.auth.models import Role
from server.common.errors import ValidationFailed
from server.common.models import utcnow
from tests.factories import count_rows, make_activity, make_person, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in

COORDINATOR = "coordinator@example.org"


def _people_and_staff(database_url: str) -> dict[str, uuid.UUID]:
    async def build(db: AsyncSession) -> dict[str, uuid.UUID]:
        await make_user(db, Role.COORDINATOR, COORDINATOR)
        teacher = await make_user(db, Role.TEACHER, "t@example.org", display_name="Ola Teacher")
        facilitator = await make_user(db, Role.FACILITATOR, "f@example.org")
        admin = await make_user(db, Role.ADMIN, "a@example.org")
        this_year = date.today().year
        young = await make_person(db, "Marek", "Nowak", birth_year=this_year - 17)
        old = await make_person(db, "Anna", "Kowalska", birth_year=this_year - 25)
        unknown = await make_person(db, "Ivan", "Petrenko")
        return {"teacher": teacher.id, "facilitator": facilitator.id, "admin": admin.id,
                "young": young.id, "old": old.id, "unknown": unknown.id}  # fmt: skip

    return run_in_db(database_url, build)


def _monday(weeks: int = 1) -> date:
    today = date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7 * (weeks - 1) or 7)


def _course_form(start: date, **extra: object) -> dict[str, object]:
    return {
        "kind": "language_course",
        "title": "Polish B1 (Saturday)",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(weeks=4) - timedelta(days=1)).isoformat(),
        "slot-0-weekday": "0",
        "slot-0-start": "17:00",
        "slot-0-end": "18:30",
        "slot-1-weekday": "3",
        "slot-1-start": "17:00",
        "slot-1-end": "18:30",
        "course_language": "pl",
        "cefr_level": "B1",
        "capacity": "2",
        **extra,
    }


def _post(client: Client, path: str, data: dict[str, object], page: str = "/activities/new"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, page)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def _sessions(database_url: str, activity_id: uuid.UUID) -> list[tuple[date, time]]:
    async def load(db: AsyncSession) -> list[tuple[date, time]]:
        rows = await db.exec(
            select(ActivitySession.date, ActivitySession.start_time)  # type: ignore[call-overload]
            .where(ActivitySession.activity_id == activity_id)
            .order_by(col(ActivitySession.date))
        )
        return list(rows.all())

    return run_in_db(database_url, load)


def _created_id(response) -> uuid.UUID:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:2000]
    return uuid.UUID(response.headers["location"].split("/")[2].split("?")[0])


def test_a_weekly_course_generates_its_sessions_without_the_skipped_dates(
    client: Client, database_url: str
) -> None:
    ids = _people_and_staff(database_url)
    sign_in(client, COORDINATOR)
    start = _monday()
    holiday = start + timedelta(days=7)  # the second Monday
    response = _post(
        client,
        "/activities/new",
        _course_form(start, skipped_dates=holiday.isoformat(), staff=[str(ids["teacher"])]),
    )
    activity_id = _created_id(response)
    assert response.headers["location"].endswith("?created=7")
    sessions = _sessions(database_url, activity_id)
    assert len(sessions) == 7  # 4 weeks × Monday and Thursday, minus the holiday
    assert holiday not in [d for d, _ in sessions]
    assert {d.weekday() for d, _ in sessions} == {0, 3}
    assert all(t == time(17, 0) for _, t in sessions)
    page = client.get(response.headers["location"]).text
    assert "Activity created with 7 sessions." in page and "Ola Teacher" in page
    assert count_rows(database_url, AuditEntry) >= 1
    # The teacher now has it among their courses.
    client.cookies.clear()
    sign_in(client, "t@example.org")
    assert "Polish B1 (Saturday)" in client.get("/courses").text


def test_editing_the_schedule_changes_only_future_sessions_without_marks(
    client: Client, database_url: str
) -> None:
    ids = _people_and_staff(database_url)
    sign_in(client, COORDINATOR)
    start = date.today() - timedelta(days=14)
    form = _course_form(start, end_date=(date.today() + timedelta(days=27)).isoformat())
    activity_id = _created_id(_post(client, "/activities/new", form))
    before = _sessions(database_url, activity_id)
    past = [d for d, _ in before if d < date.today()]
    assert past, "a course entered late gets its past sessions too"

    async def mark_a_future_thursday(db: AsyncSession) -> date:
        session = (
            await db.exec(
                select(ActivitySession)
                .where(ActivitySession.activity_id == activity_id)
                .where(col(ActivitySession.date) > date.today())
                .order_by(col(ActivitySession.date))
            )
        ).all()
        thursday = next(s for s in session if s.date.weekday() == 3)
        db.add(AttendanceMark(session_id=thursday.id, person_id=ids["old"],
                              status=MarkStatus.EXCUSED, marked_at=utcnow()))  # fmt: skip
        return thursday.date

    marked_thursday = run_in_db(database_url, mark_a_future_thursday)
    # Thursdays move to Wednesdays.
    edited = {**form, "slot-1-weekday": "2", "title": "Polish B1"}
    page = f"/activities/{activity_id}/edit"
    response = _post(client, page, edited, page)
    assert response.status_code == 303
    after = _sessions(database_url, activity_id)
    future = [d for d, _ in after if d >= date.today()]
    assert [d for d, _ in after if d < date.today()] == past  # records stay as they were
    assert marked_thursday in future  # kept: attendance was marked in it
    assert all(d.weekday() in (0, 2) or d == marked_thursday for d in future)
    assert any(d.weekday() == 2 for d in future)
    shown = client.get(response.headers["location"]).text
    assert "was kept because attendance was marked in it" in shown


def test_bad_input_is_explained_per_field_and_nothing_is_written(
    client: Client, database_url: str
) -> None:
    _people_and_staff(database_url)
    sign_in(client, COORDINATOR)
    start = _monday()
    cases = [
        ({"title": ""}, "This field is required."),
        ({"end_date": (start - timedelta(days=1)).isoformat()}, "The end date cannot be before"),
        ({"slot-0-end": "16:00"}, "The end time must be after the start time."),
        ({"slot-0-weekday": "", "slot-0-start": "", "slot-0-end": "", "slot-1-weekday": "",
          "slot-1-start": "", "slot-1-end": ""}, "Add at least one weekly time."),
        ({"min_age": "19", "max_age": "16"}, "The lowest age cannot be above the highest."),
        ({"capacity": "many"}, "Enter a whole number."),
        ({"skipped_dates": "2001-01-01"}, "Skipped dates must fall between the start and end"),
        ({"kind": "circus"}, "Choose one of the options."),
        ({"staff": [str(uuid.uuid4())]}, "Choose one of the options."),
    ]  # fmt: skip
    for change, message in cases:
        response = _post(client, "/activities/new", _course_form(start, **change))
        assert response.status_code == 400, change
        assert message in response.text, change
        assert 'role="alert"' in response.text
    assert count_rows(database_url, Activity) == 0
    assert count_rows(database_url, WeeklySlot) == 0
    assert count_rows(database_url, ActivitySession) == 0
    assert count_rows(database_url, ActivityStaff) == 0


def test_enrolment_respects_capacity_and_ages_with_a_clear_message(
    client: Client, database_url: str
) -> None:
    ids = _people_and_staff(database_url)
    sign_in(client, COORDINATOR)
    youth = {
        **_course_form(_monday(), kind="youth_programme", title="Skills for Youth"),
        "min_age": "16", "max_age": "19", "capacity": "1",
    }  # fmt: skip
    activity_id = _created_id(_post(client, "/activities/new", youth))
    page = f"/activities/{activity_id}"

    def enrol(person: uuid.UUID):  # type: ignore[no-untyped-def]
        return _post(client, f"{page}/enrol", {"person_id": str(person)}, page)

    refused = enrol(ids["old"])
    assert refused.status_code == 200
    assert "This activity is for ages 16–19; this person is 25." in refused.text
    unknown = enrol(ids["unknown"])
    assert "the person&#39;s birth year is not recorded" in unknown.text
    assert enrol(ids["young"]).status_code == 303

    # Full now: the one place is taken.
    async def older_teen(db: AsyncSession) -> uuid.UUID:
        return (await make_person(db, "Olha", "Bondar", birth_year=date.today().year - 18)).id

    full = enrol(run_in_db(database_url, older_teen))
    assert "This activity is full: all 1 places are taken." in full.text
    shown = client.get(page).text
    assert "Marek Nowak" in shown and "Anna Kowalska" not in shown
    # An id nobody has (a stale page, a hand-made post): not found, not a server error.
    assert enrol(uuid.uuid4()).status_code == 404


def test_only_coordinators_and_admins_set_up_activities(client: Client, database_url: str) -> None:
    _people_and_staff(database_url)
    for email in ("t@example.org", "f@example.org"):
        client.cookies.clear()
        sign_in(client, email)
        assert client.get("/activities/new").status_code == 403
        token = csrf_token(client, "/people")
        response = client.post(
            "/activities/new", data={**_course_form(_monday()), "_csrf_token": token}
        )
        assert response.status_code == 403
    assert count_rows(database_url, Activity) == 0
    client.cookies.clear()
    sign_in(client, "a@example.org")
    assert client.get("/activities/new").status_code == 200


def test_the_job_keeps_sessions_generated_ahead_and_never_twice(database_url: str) -> None:
    async def build(db: AsyncSession) -> uuid.UUID:
        activity = Activity(
            kind="choir", title="Choir", start_date=date.today() - timedelta(days=30)
        )  # type: ignore[arg-type]
        db.add(activity)
        await db.flush()
        db.add(
            WeeklySlot(activity_id=activity.id, weekday=4, start_time=time(18), end_time=time(20))
        )
        return activity.id

    activity_id = run_in_db(database_url, build)
    first = run_in_db(
        database_url, lambda db: generate_ahead(db, today=date.today(), ahead_days=28)
    )
    again = run_in_db(
        database_url, lambda db: generate_ahead(db, today=date.today(), ahead_days=28)
    )
    later = run_in_db(
        database_url,
        lambda db: generate_ahead(db, today=date.today() + timedelta(days=7), ahead_days=28),
    )
    sessions = _sessions(database_url, activity_id)
    assert first in (4, 5) and again == 0 and later == 1
    assert len(sessions) == first + 1
    assert all(d >= date.today() and d.weekday() == 4 for d, _ in sessions)


def test_the_app_runs_the_generation_job_at_start_up(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import time as clock

    from litestar.testing import TestClient

    from server.app import create_app
    from server.settings import Settings
    from tests.conftest import TEST_SECRET

    async def build(db: AsyncSession) -> uuid.UUID:
        activity = Activity(kind="choir", title="Choir", start_date=date.today() - timedelta(1))  # type: ignore[arg-type]
        db.add(activity)
        await db.flush()
        db.add(
            WeeklySlot(activity_id=activity.id, weekday=2, start_time=time(18), end_time=time(20))
        )
        return activity.id

    activity_id = run_in_db(database_url, build)
    settings = Settings(
        database_url=database_url, secret_key=TEST_SECRET, data_dir=tmp_path, run_jobs=True,
        sessions_ahead_days=21,
    )  # fmt: skip
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1"):
        deadline = clock.monotonic() + 30
        while not _sessions(database_url, activity_id) and clock.monotonic() < deadline:
            clock.sleep(0.25)
    today = settings.today()  # the centre's date, which the job uses (not the machine's)
    wednesdays = session_dates([(2, time(18), time(20))], today, today + timedelta(21))
    assert len(_sessions(database_url, activity_id)) == len(wednesdays) >= 3


@pytest.mark.anyio
async def test_ages_are_checked_for_the_centres_year_not_the_servers(db: AsyncSession) -> None:
    """On the centre's New Year's Day a server on UTC still has 31 December: a person born in
    2011 is 16 in the year of the date the enrolment is made for, whatever the server's clock."""
    youth = await make_activity(
        db, kind=ActivityKind.YOUTH_PROGRAMME, title="Skills for Youth", min_age=16, max_age=19
    )
    teen = await make_person(db, "Iryna", "Melnyk", birth_year=2011)
    try:
        await check_eligible(db, youth.id, teen.id, on=date(2026, 12, 31))
        raise AssertionError("15 in 2026: refused")
    except ValidationFailed as exc:
        assert "this person is 15" in str(exc.errors[""].msgid % exc.errors[""].params)
    await check_eligible(db, youth.id, teen.id, on=date(2027, 1, 1))  # 16: eligible
