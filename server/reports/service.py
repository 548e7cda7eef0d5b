"""The report for a period: sessions held, attendance rate per activity, unique people
reached, participations, new and returning people, each disaggregated by sex, age group,
nationality, population group and disability (the Washington Group short set's cut-off).

"Reached" = at least one present, late or received mark in a session of the period (cancelled
sessions never count). A person is counted once however many activities they joined. "New" =
their first such mark at the centre (any activity) falls in the period; "returning" = they had
one before it. The database does the counting: the largest result is one row per person
reached (grouped by sex, birth year, nationality, population group, disability, youth and
new/returning in Python), never one per mark.
See docs/decisions/0011-reports-and-exports.md.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, literal, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivityKind, ActivitySession, SessionStatus
from server.activities.scope import visible_activity_ids
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.actor import Actor
from server.common.errors import Message, ValidationFailed
from server.i18n.catalogs import N_
from server.people.models import Person
from server.reports.filters import ReportFilter
from server.reports.groups import (
    AGE_KEYS,
    DISABILITY_KEYS,
    NOT_STATED,
    POPULATION_KEYS,
    SEX_KEYS,
    age_at,
    age_group,
    disability_case,
    in_youth_ages,
)

ATTENDED = (MarkStatus.PRESENT, MarkStatus.LATE, MarkStatus.RECEIVED)


@dataclass
class Cell:
    """People in one group: how many were reached, and of them how many were new."""

    people: int = 0
    new: int = 0

    @property
    def returning(self) -> int:
        return self.people - self.new

    def add(self, count: int, new: bool) -> None:
        self.people += count
        self.new += count if new else 0


@dataclass(frozen=True)
class ActivityLine:
    activity_id: uuid.UUID
    title: str
    kind: ActivityKind
    sessions_held: int
    participations: int  # attended marks
    absences: int
    people: int  # unique people reached in this activity

    @property
    def rate(self) -> float | None:
        """Attended ÷ (attended + absent), 0–1; excused marks count neither way."""
        counted = self.participations + self.absences
        return self.participations / counted if counted else None


@dataclass
class Report:
    filter: ReportFilter
    activities: list[ActivityLine] = field(default_factory=list)
    total: Cell = field(default_factory=Cell)
    by_sex: dict[str, Cell] = field(default_factory=lambda: {k: Cell() for k in SEX_KEYS})
    by_age: dict[str, Cell] = field(default_factory=lambda: {k: Cell() for k in AGE_KEYS})
    youth: Cell = field(default_factory=Cell)  # aged 16–19 and reached in the youth programme
    by_nationality: dict[str, Cell] = field(default_factory=dict)
    by_population: dict[str, Cell] = field(
        default_factory=lambda: {k: Cell() for k in POPULATION_KEYS}
    )
    by_disability: dict[str, Cell] = field(
        default_factory=lambda: {k: Cell() for k in DISABILITY_KEYS}
    )

    @property
    def sessions_held(self) -> int:
        return sum(line.sessions_held for line in self.activities)

    @property
    def participations(self) -> int:
        return sum(line.participations for line in self.activities)

    @property
    def rate(self) -> float | None:
        counted = self.participations + sum(line.absences for line in self.activities)
        return self.participations / counted if counted else None


def session_conditions(actor: Actor, wanted: ReportFilter) -> list[ColumnElement[bool]]:
    """Sessions of the period that the actor may see and the filter asks for (the query must
    join `sessions` and `activities`)."""
    conditions: list[ColumnElement[bool]] = [
        col(ActivitySession.date) >= wanted.start,
        col(ActivitySession.date) <= wanted.end,
        col(ActivitySession.status) != SessionStatus.CANCELLED,
    ]
    if not actor.sees_all_activities:
        conditions.append(col(ActivitySession.activity_id).in_(visible_activity_ids(actor)))
    if wanted.activity_id is not None:
        conditions.append(col(ActivitySession.activity_id) == wanted.activity_id)
    if wanted.kind is not None:
        conditions.append(col(Activity.kind) == wanted.kind)
    return conditions


async def check_filter(db: AsyncSession, actor: Actor, wanted: ReportFilter) -> None:
    """An activity the actor may not see is refused like one that does not exist."""
    if wanted.activity_id is None:
        return
    query = select(col(Activity.id)).where(
        col(Activity.id) == wanted.activity_id,
        col(Activity.id).in_(visible_activity_ids(actor)),
    )
    if not await _rows(db, query):
        raise ValidationFailed({"activity": Message(N_("Choose one of the options."))})


async def activity_choices(db: AsyncSession, actor: Actor) -> list[tuple[str, str]]:
    """(id, title) of every activity the actor may report on, archived ones included."""
    query = (
        select(col(Activity.id), col(Activity.title))
        .where(col(Activity.id).in_(visible_activity_ids(actor)))
        .order_by(col(Activity.title), col(Activity.id))
    )
    return [(str(activity_id), title) for activity_id, title in await _rows(db, query)]


async def _rows(db: AsyncSession, query: Any) -> list[Any]:
    connection = await db.connection()
    return list((await connection.execute(query)).all())


def _marks_in_period(actor: Actor, wanted: ReportFilter, *columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(AttendanceMark)
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(*session_conditions(actor, wanted))
    )


async def _activity_lines(
    db: AsyncSession, actor: Actor, wanted: ReportFilter
) -> list[ActivityLine]:
    attended = col(AttendanceMark.status).in_(ATTENDED)
    marks = _marks_in_period(
        actor,
        wanted,
        ActivitySession.activity_id,
        func.sum(case((attended, 1), else_=0)),
        func.sum(case((col(AttendanceMark.status) == MarkStatus.ABSENT, 1), else_=0)),
        func.count(distinct(case((attended, AttendanceMark.person_id), else_=None))),
    ).group_by(ActivitySession.activity_id)
    # Held: closed as held, or anyone was marked (a session nobody closed still took place).
    has_marks = (
        select(literal(1)).where(col(AttendanceMark.session_id) == ActivitySession.id).exists()
    )
    held = (
        select(col(ActivitySession.activity_id), func.count())
        .select_from(ActivitySession)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(*session_conditions(actor, wanted))
        .where(or_(col(ActivitySession.status) == SessionStatus.HELD, has_marks))
        .group_by(col(ActivitySession.activity_id))
    )
    counts = {row[0]: row[1:] for row in await _rows(db, marks)}
    sessions = dict((row[0], row[1]) for row in await _rows(db, held))
    ids = set(counts) | set(sessions)
    if not ids:
        return []
    titles = await _rows(
        db,
        select(col(Activity.id), col(Activity.title), col(Activity.kind)).where(
            col(Activity.id).in_(ids)
        ),
    )
    lines = []
    for activity_id, title, kind in titles:
        attended_marks, absences, people = counts.get(activity_id, (0, 0, 0))
        lines.append(
            ActivityLine(
                activity_id=activity_id,
                title=title,
                kind=ActivityKind(kind),
                sessions_held=int(sessions.get(activity_id, 0)),
                participations=int(attended_marks or 0),
                absences=int(absences or 0),
                people=int(people or 0),
            )
        )
    return sorted(lines, key=lambda line: (line.title.casefold(), str(line.activity_id)))


def _groups_query(actor: Actor, wanted: ReportFilter) -> Any:
    youth = func.max(case((col(Activity.kind) == ActivityKind.YOUTH_PROGRAMME, 1), else_=0))
    reached = (
        _marks_in_period(
            actor, wanted, col(AttendanceMark.person_id).label("person_id"), youth.label("youth")
        )
        .where(col(AttendanceMark.status).in_(ATTENDED))
        .group_by(AttendanceMark.person_id)
        .subquery("reached")
    )
    earlier = ActivitySession.__table__.alias("earlier_session")  # type: ignore[attr-defined]
    earlier_mark = AttendanceMark.__table__.alias("earlier_mark")  # type: ignore[attr-defined]
    before = [
        earlier_mark.c.person_id == reached.c.person_id,
        earlier_mark.c.status.in_(ATTENDED),
        earlier.c.date < wanted.start,
        earlier.c.status != SessionStatus.CANCELLED,
    ]
    if not actor.sees_all_activities:
        before.append(earlier.c.activity_id.in_(visible_activity_ids(actor)))
    # One column, so the index on (person, status, session) answers it alone.
    returning = (
        select(literal(1))
        .select_from(earlier_mark.join(earlier, earlier.c.id == earlier_mark.c.session_id))
        .where(and_(*before))
        .exists()
    )
    # One row per person reached, grouped in Python: grouping in SQL made SQLite evaluate the
    # EXISTS twice per person (once for the SELECT, once for the GROUP BY).
    return (
        select(
            col(Person.sex),
            col(Person.birth_year),
            col(Person.nationality),
            col(Person.population_group),
            disability_case(Person).label("disability"),
            reached.c.youth,
            case((returning, 1), else_=0).label("came_before"),
        )
        .select_from(reached)
        .join(Person, col(Person.id) == reached.c.person_id)
    )


async def build_report(db: AsyncSession, actor: Actor, wanted: ReportFilter) -> Report:
    await check_filter(db, actor, wanted)
    report = Report(filter=wanted, activities=await _activity_lines(db, actor, wanted))
    nationalities: dict[str, Cell] = defaultdict(Cell)
    groups = Counter(tuple(row) for row in await _rows(db, _groups_query(actor, wanted)))
    for key, count in groups.items():
        sex, birth_year, nationality, population, disability, youth, returning = key
        new = not returning
        age = age_at(birth_year, wanted.end.year)
        report.total.add(count, new)
        report.by_sex[getattr(sex, "value", sex) or NOT_STATED].add(count, new)
        report.by_age[age_group(age)].add(count, new)
        nationalities[nationality or NOT_STATED].add(count, new)
        report.by_population[getattr(population, "value", population) or NOT_STATED].add(count, new)
        report.by_disability[disability].add(count, new)
        if youth and in_youth_ages(age):
            report.youth.add(count, new)
    report.by_nationality = dict(
        sorted(
            nationalities.items(),
            key=lambda item: (item[0] == NOT_STATED, -item[1].people, item[0]),
        )
    )
    return report
