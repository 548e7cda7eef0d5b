"""A small centre for report tests: four activities, people in one or two of them, one of
each sex, several nationalities, a youth programme member aged 17, one returning person and
marks that must not count (absent, excused, a cancelled session, outside the period)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivityKind, ActivitySession, SessionStatus
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.models import Role, StaffUser
from server.people.models import Difficulty, Person, PopulationGroup, Sex
from tests.factories import make_activity, make_person, make_session, make_user

START, END = date(2026, 10, 1), date(2026, 12, 31)
COORDINATOR = "coordinator@example.org"
FACILITATOR = "facilitator@example.org"
TEACHER = "teacher@example.org"


@dataclass
class Centre:
    activities: dict[str, Activity] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    sessions: dict[str, ActivitySession] = field(default_factory=dict)
    marks: int = 0


async def _mark(
    db: AsyncSession, centre: Centre, session: str, person: str, status: MarkStatus,
    by: StaffUser,
) -> None:  # fmt: skip
    db.add(
        AttendanceMark(
            session_id=centre.sessions[session].id,
            person_id=centre.people[person].id,
            status=status,
            marked_by_id=by.id,
            marked_at=datetime(2026, 10, 1, 15, 0, tzinfo=UTC),
        )
    )
    centre.marks += 1


async def build_centre(db: AsyncSession) -> Centre:
    centre = Centre()
    await make_user(db, Role.COORDINATOR, COORDINATOR, display_name="Kasia Coordinator")
    facilitator = await make_user(db, Role.FACILITATOR, FACILITATOR, display_name="Ola Facil")
    teacher = await make_user(db, Role.TEACHER, TEACHER, display_name="Tetiana Teacher")
    acts = centre.activities
    acts["choir"] = await make_activity(db, staff=[facilitator], title="Multicultural Choir")
    acts["course"] = await make_activity(
        db, staff=[teacher], title="Polish A1", kind=ActivityKind.LANGUAGE_COURSE
    )
    acts["youth"] = await make_activity(
        db, staff=[facilitator], title="Skills for Youth", kind=ActivityKind.YOUTH_PROGRAMME
    )
    acts["kits"] = await make_activity(
        db, staff=[facilitator], title="Hygiene kits", kind=ActivityKind.DISTRIBUTION
    )
    people = {
        "olena": ("Олена", "Коваль", Sex.FEMALE, 1990, "UA", PopulationGroup.REFUGEE_UKRAINE),
        "ahmad": ("Ahmad", "Haddad", Sex.MALE, 1960, "SY", PopulationGroup.OTHER_FOREIGN),
        "alex": ("Alex", "Beridze", Sex.OTHER, None, "GE", None),
        "kasia": ("Kasia", "Nowak", Sex.NOT_STATED, 2022, "PL", PopulationGroup.HOST_COMMUNITY),
        "dmytro": ("Дмитро", "Бондар", Sex.MALE, 2009, "UA", PopulationGroup.REFUGEE_UKRAINE),
        "maria": ("Марія", "Ткач", Sex.FEMALE, None, "UA", PopulationGroup.REFUGEE_UKRAINE),
        "ivan": ("Іван", "Мельник", Sex.MALE, 1980, "UA", PopulationGroup.REFUGEE_UKRAINE),
        "anna": ("Anna", "Wiśniewska", Sex.FEMALE, 2000, "PL", PopulationGroup.HOST_COMMUNITY),
        "lena": ("Лена", "Шульга", Sex.FEMALE, 2008, "BY", PopulationGroup.OTHER_FOREIGN),
        "pavel": ("Павло", "Гуменюк", Sex.MALE, 2000, "UA", PopulationGroup.REFUGEE_UKRAINE),
    }
    # Washington Group answers (unlisted: not asked). With a disability: Ahmad (walking, a lot)
    # and Lena (communicating, cannot; the rest declined); without: Olena (some difficulty
    # seeing) and Pavel (only hearing asked); not asked or declined: Alex (declined all six),
    # Dmytro, Kasia; Maria (a lot) is never reached.
    declined = dict.fromkeys(
        ("wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_self_care",
         "wg_communicating"), Difficulty.DECLINED,
    )  # fmt: skip
    answers: dict[str, dict[str, Difficulty]] = {
        "olena": {**dict.fromkeys(declined, Difficulty.NONE), "wg_seeing": Difficulty.SOME},
        "ahmad": {"wg_walking": Difficulty.A_LOT, "wg_seeing": Difficulty.NONE},
        "lena": {**declined, "wg_communicating": Difficulty.CANNOT},
        "alex": declined,
        "pavel": {"wg_hearing": Difficulty.NONE},
        "maria": {"wg_remembering": Difficulty.A_LOT},
    }
    for key, (given, family, sex, born, nationality, group) in people.items():
        centre.people[key] = await make_person(
            db, given, family, sex=sex, birth_year=born, nationality=nationality,
            population_group=group, **answers.get(key, {}),
        )  # fmt: skip
    plan = {
        "choir-before": ("choir", date(2026, 9, 15), SessionStatus.HELD),
        "choir-1": ("choir", date(2026, 10, 6), SessionStatus.PLANNED),  # marked, never closed
        "choir-2": ("choir", date(2026, 10, 13), SessionStatus.HELD),
        "choir-cancelled": ("choir", date(2026, 10, 20), SessionStatus.CANCELLED),
        "choir-planned": ("choir", date(2026, 11, 3), SessionStatus.PLANNED),  # not held
        "choir-unmarked": ("choir", date(2026, 11, 10), SessionStatus.HELD),  # held, no marks
        "choir-after": ("choir", date(2027, 1, 5), SessionStatus.HELD),
        "course-1": ("course", date(2026, 10, 7), SessionStatus.HELD),
        "youth-1": ("youth", date(2026, 10, 8), SessionStatus.HELD),
        "youth-2": ("youth", date(2026, 10, 15), SessionStatus.HELD),
        "kits-1": ("kits", date(2026, 10, 9), SessionStatus.HELD),
    }
    for key, (activity, on, status) in plan.items():
        session = await make_session(db, acts[activity], on, time(17, 0))
        session.status = status
        centre.sessions[key] = session
    await db.flush()
    present, late, absent = MarkStatus.PRESENT, MarkStatus.LATE, MarkStatus.ABSENT
    marks = [
        ("choir-before", "olena", present),  # makes Olena returning
        ("choir-before", "anna", present),  # Anna's marks are all outside the period
        ("choir-1", "olena", present),
        ("choir-1", "ahmad", late),
        ("choir-1", "dmytro", present),
        ("choir-1", "maria", absent),  # Maria is never reached
        ("choir-1", "lena", present),
        ("choir-2", "olena", present),
        ("choir-2", "maria", MarkStatus.EXCUSED),
        ("choir-2", "lena", absent),
        ("choir-cancelled", "ivan", present),  # cancelled: Ivan is not reached
        ("choir-after", "anna", present),
        ("course-1", "olena", present),  # Olena is in two activities, counted once
        ("course-1", "alex", present),
        ("youth-1", "dmytro", present),  # 17 at the end of 2026: in the 16–19 group
        ("youth-1", "pavel", present),  # 26: in the youth programme, not in 16–19
        ("youth-2", "dmytro", absent),
        ("kits-1", "kasia", MarkStatus.RECEIVED),
    ]
    for session, person, status in marks:
        await _mark(db, centre, session, person, status, facilitator)
    await db.flush()
    return centre


def person_id(centre: Centre, key: str) -> uuid.UUID:
    return centre.people[key].id
