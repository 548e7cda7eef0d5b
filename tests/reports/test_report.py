"""The report's numbers for a known centre: every unique count and every disaggregation cell."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind
from server.auth.actor import Actor
from server.auth.models import Role, StaffUser
from server.common.errors import ValidationFailed
from server.reports.filters import ReportFilter
from server.reports.service import Cell, Report, build_report
from tests.reports.fixture import END, START, build_centre

pytestmark = pytest.mark.anyio
COORDINATOR = Actor(user_id=uuid.uuid4(), role=Role.COORDINATOR)


def cells(groups: dict[str, Cell]) -> dict[str, tuple[int, int, int]]:
    return {key: (cell.people, cell.new, cell.returning) for key, cell in groups.items()}


def lines(report: Report) -> dict[str, tuple[int, int, int, int]]:
    return {
        line.title: (line.sessions_held, line.participations, line.absences, line.people)
        for line in report.activities
    }


async def test_report_counts_every_cell(db: AsyncSession) -> None:
    await build_centre(db)
    report = await build_report(db, COORDINATOR, ReportFilter(START, END))

    # (sessions held, participations, absences, unique people) per activity
    assert lines(report) == {
        "Hygiene kits": (1, 1, 0, 1),
        "Multicultural Choir": (3, 5, 2, 4),
        "Polish A1": (1, 2, 0, 2),
        "Skills for Youth": (2, 2, 1, 2),
    }
    assert [line.title for line in report.activities] == sorted(lines(report))
    rates = {line.title: line.rate for line in report.activities}
    assert rates == pytest.approx(
        {"Hygiene kits": 1.0, "Multicultural Choir": 5 / 7, "Polish A1": 1.0,
         "Skills for Youth": 2 / 3}
    )  # fmt: skip
    assert report.sessions_held == 7
    assert report.participations == 10
    assert report.rate == pytest.approx(10 / 13)

    # 7 people reached (Olena in two activities counts once); only Olena is returning.
    assert (report.total.people, report.total.new, report.total.returning) == (7, 6, 1)
    # (people, new, returning) in each group
    assert cells(report.by_sex) == {
        "female": (2, 1, 1),
        "male": (3, 3, 0),
        "other": (1, 1, 0),
        "not_stated": (1, 1, 0),
    }
    assert cells(report.by_age) == {
        "0-5": (1, 1, 0),
        "6-17": (1, 1, 0),
        "18-59": (3, 2, 1),
        "60+": (1, 1, 0),
        "not_stated": (1, 1, 0),
    }
    assert (report.youth.people, report.youth.new, report.youth.returning) == (1, 1, 0)
    assert cells(report.by_nationality) == {
        "UA": (3, 2, 1),
        "BY": (1, 1, 0),
        "GE": (1, 1, 0),
        "PL": (1, 1, 0),
        "SY": (1, 1, 0),
    }
    assert list(report.by_nationality) == ["UA", "BY", "GE", "PL", "SY"]  # most people first
    assert cells(report.by_population) == {
        "refugee_ukraine": (3, 2, 1),
        "other_foreign": (2, 2, 0),
        "host_community": (1, 1, 0),
        "not_stated": (1, 1, 0),
    }
    # Washington Group cut-off: any "a lot of difficulty" or "cannot do at all".
    assert cells(report.by_disability) == {
        "with_disability": (2, 2, 0),
        "without_disability": (2, 1, 1),
        "not_stated": (3, 3, 0),
    }
    assert list(report.by_disability) == ["with_disability", "without_disability", "not_stated"]
    for groups in (
        report.by_sex, report.by_age, report.by_nationality, report.by_population,
        report.by_disability,
    ):  # fmt: skip
        assert sum(cell.people for cell in groups.values()) == report.total.people


async def test_one_kind_or_one_activity(db: AsyncSession) -> None:
    centre = await build_centre(db)
    youth = await build_report(
        db, COORDINATOR, ReportFilter(START, END, kind=ActivityKind.YOUTH_PROGRAMME)
    )
    assert lines(youth) == {"Skills for Youth": (2, 2, 1, 2)}
    assert (youth.total.people, youth.total.new) == (2, 2)
    assert (youth.youth.people, cells(youth.by_age)["18-59"]) == (1, (1, 1, 0))

    course = await build_report(
        db, COORDINATOR, ReportFilter(START, END, activity_id=centre.activities["course"].id)
    )
    assert lines(course) == {"Polish A1": (1, 2, 0, 2)}
    # New means new to the centre: Olena came to the choir before the period.
    assert (course.total.people, course.total.new, course.total.returning) == (2, 1, 1)
    assert course.youth.people == 0


async def test_a_later_period_sees_everyone_as_returning_or_nobody(db: AsyncSession) -> None:
    await build_centre(db)
    report = await build_report(
        db, COORDINATOR, ReportFilter(END.replace(year=2027, month=1, day=1), END.replace(2027))
    )
    assert lines(report) == {"Multicultural Choir": (1, 1, 0, 1)}
    assert (report.total.people, report.total.new, report.total.returning) == (1, 0, 1)
    assert cells(report.by_nationality) == {"PL": (1, 0, 1)}
    # Age is taken at the period's end: Anna, born 2000, is 27 in 2027.
    assert cells(report.by_age)["18-59"] == (1, 0, 1)


async def test_a_facilitator_sees_only_their_activities(db: AsyncSession) -> None:
    centre = await build_centre(db)
    facilitator = (
        await db.exec(select(StaffUser).where(StaffUser.email == "facilitator@example.org"))
    ).one()
    actor = Actor(user_id=facilitator.id, role=Role.FACILITATOR)
    report = await build_report(db, actor, ReportFilter(START, END))
    assert set(lines(report)) == {"Multicultural Choir", "Skills for Youth", "Hygiene kits"}
    assert report.total.people == 6  # Alex came only to the course
    with pytest.raises(ValidationFailed):
        await build_report(
            db, actor, ReportFilter(START, END, activity_id=centre.activities["course"].id)
        )
