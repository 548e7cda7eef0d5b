"""Realistic demo data for an empty, migrated database (demo mode, screenshots, tests).

`seed_demo` adds staff accounts (all with `DEMO_PASSWORD`), the centre's locations, about
sixteen activities of every kind, some 160 people with consent, enrolments, four weeks of
past sessions with attendance and progress assessments, and four weeks of planned sessions.
The facilitator's choir and the teacher's Polish A1 course always meet on the seeding day.

Everything is drawn from one `random.Random(2026)`, so the data is the same for a given
`today` (ids and person codes are still random). It adds and flushes but never commits.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from server import demo_data as data
from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
    EnrollmentStatus,
    Location,
    SessionStatus,
    WeeklySlot,
)
from server.activities.schedule import session_dates
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.models import Role, StaffUser
from server.auth.passwords import hash_password
from server.common.vocab import CefrLevel, Language
from server.people.codes import make_person_code
from server.people.models import Consent, ConsentPurpose, Person, PopulationGroup, Sex
from server.people.names import search_key, transliterate
from server.progress.models import LessonEntry, ProgressAssessment, Skill

DEMO_PASSWORD = "razem-demo"  # noqa: S105  (published: demo mode only)
DEMO_ACCOUNTS: list[tuple[str, Role, str]] = [
    (email, Role(role), name) for email, role, name in data.STAFF
]
CENTRE_TZ = ZoneInfo("Europe/Warsaw")
WINDOW = timedelta(days=28)  # sessions from four weeks before to four weeks after today
_LEVELS = list(CefrLevel)


@dataclass
class _Demo:
    """What the seeding steps share: the random source, the day, and what was made so far."""

    rng: random.Random
    today: date
    staff: dict[str, StaffUser] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    reliability: dict[uuid.UUID, float] = field(default_factory=dict)
    activities: list[tuple[data.ActivitySpec, Activity]] = field(default_factory=list)
    members: dict[uuid.UUID, list[Person]] = field(default_factory=dict)  # active only
    taken: dict[str, set[uuid.UUID]] = field(default_factory=dict)
    sessions: list[tuple[data.ActivitySpec, ActivitySession]] = field(default_factory=list)

    def age(self, person: Person) -> int:
        return self.today.year - (person.birth_year or self.today.year - 30)

    def at(self, day: date, clock: time, minutes: int = 0) -> datetime:
        """A local date and time in Kraków as an aware UTC datetime."""
        local = datetime.combine(day, clock, tzinfo=CENTRE_TZ) + timedelta(minutes=minutes)
        return local.astimezone(UTC)


async def seed_demo(db: AsyncSession, *, today: date) -> None:
    """Fill an empty, migrated database with demo data; the caller commits."""
    demo = _Demo(random.Random(2026), today)
    db.add_all(_staff(demo))
    db.add_all(_locations(demo))
    await db.flush()
    # No ORM relationships: the unit of work does not order inserts by foreign key, so each
    # flush holds only rows whose parents are already flushed.
    people, consents = _people(demo)
    db.add_all(people)
    await db.flush()
    db.add_all(consents)
    activities, slots_and_staff = _activities(demo)
    db.add_all(activities)
    await db.flush()
    db.add_all(slots_and_staff)
    db.add_all(_enrollments(demo))
    db.add_all(_sessions(demo))
    await db.flush()
    db.add_all(_marks(demo))
    db.add_all(_assessments(demo))
    db.add_all(_lessons(demo))
    await db.flush()
    await _registered_twice(db, demo)


def _staff(demo: _Demo) -> list[StaffUser]:
    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    joined = demo.at(demo.today - timedelta(days=200), time(9))
    for email, role, name in DEMO_ACCOUNTS:
        demo.staff[email] = StaffUser(
            email=email,
            display_name=name,
            role=role,
            password_hash=password_hash,
            created_at=joined,
            password_changed_at=joined,
        )
    return list(demo.staff.values())


def _locations(demo: _Demo) -> list[Location]:
    for key, (name, address) in data.LOCATIONS.items():
        demo.locations[key] = Location(name=name, address=address)
    return list(demo.locations.values())


def _people(demo: _Demo) -> tuple[list[Person], list[Consent]]:
    recorders = [u for u in demo.staff.values() if u.role != Role.ADMIN]
    codes: set[str] = set()
    names: set[tuple[str, str]] = set()
    consents: list[Consent] = []
    for nationality, count, name_set, women in data.POPULATION:
        for _ in range(count):
            person = _person(demo, nationality, data.NAME_SETS[name_set], women, names)
            person.code = _unique_code(codes)
            person.created_by_id = demo.rng.choice(recorders).id
            demo.people.append(person)
            demo.reliability[person.id] = demo.rng.uniform(0.6, 0.97)
            consents.append(_consent(demo, person))
    return demo.people, consents


def _unique_code(used: set[str]) -> str:
    code = make_person_code()
    while code in used:
        code = make_person_code()
    used.add(code)
    return code


def _person(
    demo: _Demo, nationality: str, names: data.NameSet, women: float, used: set[tuple[str, str]]
) -> Person:
    rng = demo.rng
    roll = rng.random()
    sex = Sex.FEMALE if roll < women else Sex.MALE
    if roll > 0.98:
        sex = rng.choice((Sex.OTHER, Sex.NOT_STATED))
    given, family = _name(rng, names, sex, used)
    if nationality == "UA" and rng.random() < 0.15:  # typed from a Latin-script document
        given, family = transliterate(given), transliterate(family)
    low, high, _ = rng.choices(data.AGE_BANDS, weights=[w for *_, w in data.AGE_BANDS])[0]
    age = rng.randint(low, high)
    created = demo.at(
        demo.today - timedelta(days=rng.randint(100, 420)), time(10), rng.randint(0, 420)
    )
    return Person(
        code="",
        given_name=given,
        family_name=family,
        search_name=search_key(given, family),
        sex=sex,
        birth_year=demo.today.year - age,
        nationality=nationality,
        languages=_languages(rng, names, age),
        phone=_phone(rng) if age >= 16 and rng.random() < 0.65 else None,
        population_group=_group(rng, nationality),
        created_at=created,
        updated_at=created,
    )


def _name(
    rng: random.Random, names: data.NameSet, sex: Sex, used: set[tuple[str, str]]
) -> tuple[str, str]:
    while True:
        if sex == Sex.FEMALE or (sex != Sex.MALE and rng.random() < 0.5):
            given, family = rng.choice(names.female), rng.choice(names.families)[1]
        else:
            given, family = rng.choice(names.male), rng.choice(names.families)[0]
        if (given, family) not in used:
            used.add((given, family))
            return given, family


def _languages(rng: random.Random, names: data.NameSet, age: int) -> list[str]:
    spoken = list(names.languages)
    for extra in names.extra_languages:
        if rng.random() < (0.5 if age >= 16 else 0.25):
            spoken.append(extra)
    return spoken


def _phone(rng: random.Random) -> str:
    prefix = rng.choice((50, 51, 53, 57, 60, 66, 69, 72, 73, 78, 79, 88))
    digits = f"{prefix}{rng.randint(0, 9_999_999):07d}"
    return f"+48 {digits[:3]} {digits[3:6]} {digits[6:]}"


def _group(rng: random.Random, nationality: str) -> PopulationGroup:
    if nationality == "PL":
        return PopulationGroup.HOST_COMMUNITY
    if nationality == "UA" and rng.random() < 0.93:
        return PopulationGroup.REFUGEE_UKRAINE
    return PopulationGroup.OTHER_FOREIGN


def _consent(demo: _Demo, person: Person) -> Consent:
    purposes = [ConsentPurpose.ATTENDANCE, ConsentPurpose.REPORTING]
    if person.phone:
        purposes.append(ConsentPurpose.CONTACT)
    if demo.rng.random() < 0.45:
        purposes.append(ConsentPurpose.PHOTOS)
    if person.nationality == "UA":
        shown_in = Language.UK if demo.rng.random() < 0.9 else Language.PL
    elif person.nationality in ("PL", "BY") or "pl" in person.languages:
        shown_in = Language.PL
    else:
        shown_in = Language.EN
    return Consent(
        person_id=person.id,
        given_at=person.created_at,
        recorded_by_id=person.created_by_id,
        purposes=[p.value for p in purposes],
        shown_in=shown_in,
    )


def _activities(demo: _Demo) -> tuple[list[Activity], list[WeeklySlot | ActivityStaff]]:
    rows: list[WeeklySlot | ActivityStaff] = []
    for spec in data.ACTIVITIES:
        start = demo.today + timedelta(days=spec.start)
        activity = Activity(
            kind=spec.kind,
            title=spec.title,
            description=spec.description,
            location_id=demo.locations[spec.location].id,
            course_language=spec.course_language,
            cefr_level=spec.cefr_level,
            start_date=start,
            end_date=demo.today + timedelta(days=spec.end),
            capacity=spec.capacity,
            min_age=spec.min_age,
            max_age=spec.max_age,
            item_label=spec.item_label,
            tracks_quantity=spec.tracks_quantity,
            created_at=demo.at(start - timedelta(days=14), time(9, 30)),
        )
        demo.activities.append((spec, activity))
        for weekday, start_time, end_time in _weekly_slots(demo, spec):
            rows.append(WeeklySlot(activity_id=activity.id, weekday=weekday,
                                   start_time=start_time, end_time=end_time))  # fmt: skip
        for email in spec.staff:
            user_id = demo.staff[email].id
            rows.append(ActivityStaff(activity_id=activity.id, user_id=user_id,
                                      assigned_at=activity.created_at))  # fmt: skip
    return [activity for _, activity in demo.activities], rows


def _weekly_slots(demo: _Demo, spec: data.ActivitySpec) -> list[data.Slot]:
    shift = demo.today.weekday() if spec.relative else 0
    return [((weekday + shift) % 7, start, end) for weekday, start, end in spec.slots]


def _enrollments(demo: _Demo) -> list[Enrollment]:
    rows: list[Enrollment] = []
    for spec, activity in demo.activities:
        taken = demo.taken.setdefault(spec.exclusive, set()) if spec.exclusive else set()
        fits = data.AUDIENCES[spec.audience]
        candidates = [p for p in demo.people if fits(p, demo.age(p)) and p.id not in taken]
        wanted = min(len(candidates), demo.rng.randint(*spec.size))
        chosen = demo.rng.sample(candidates, wanted)
        taken.update(p.id for p in chosen)
        demo.members[activity.id] = []
        for person in chosen:
            rows.append(_enrollment(demo, spec, activity, person))
    return rows


def _enrollment(
    demo: _Demo, spec: data.ActivitySpec, activity: Activity, person: Person
) -> Enrollment:
    rng = demo.rng
    status, roll = EnrollmentStatus.ACTIVE, rng.random()
    # Activities meeting today keep everyone active: the demo's roster there is full (40).
    if not spec.dates and not spec.relative and roll < 0.05:
        status = EnrollmentStatus.WITHDRAWN
    elif spec.kind == ActivityKind.LANGUAGE_COURSE and roll < 0.08:
        status = EnrollmentStatus.COMPLETED  # moved up to the next level
    if status == EnrollmentStatus.ACTIVE:
        demo.members[activity.id].append(person)
    first_day = demo.today + timedelta(days=spec.dates[0][0]) if spec.dates else None
    day = first_day - timedelta(days=rng.randint(1, 10)) if first_day else activity.start_date
    return Enrollment(
        activity_id=activity.id,
        person_id=person.id,
        status=status,
        enrolled_at=demo.at(day, time(11), rng.randint(0, 360)),
        enrolled_by_id=demo.staff[rng.choice(spec.staff)].id,
    )


def _sessions(demo: _Demo) -> list[ActivitySession]:
    rows: list[ActivitySession] = []
    for spec, activity in demo.activities:
        for day, start, end in _meetings(demo, spec, activity):
            session = _session(demo, spec, activity, day, (start, end))
            demo.sessions.append((spec, session))
            rows.append(session)
    _cancel_a_few(demo)
    return rows


def _cancel_a_few(demo: _Demo) -> None:
    """Real schedules have gaps: a few past weekly meetings did not take place."""
    past = [s for spec, s in demo.sessions if not spec.dates and s.date < demo.today]
    for session in demo.rng.sample(past, min(3, len(past))):
        session.status = SessionStatus.CANCELLED
        session.note = demo.rng.choice(data.CANCEL_NOTES)


def _meetings(
    demo: _Demo, spec: data.ActivitySpec, activity: Activity
) -> list[tuple[date, time, time]]:
    if spec.dates:
        return [(demo.today + timedelta(days=offset), s, e) for offset, s, e in spec.dates]
    first = max(activity.start_date, demo.today - WINDOW)
    last = min(activity.end_date or demo.today + WINDOW, demo.today + WINDOW)
    years = range(first.year, last.year + 1)
    holidays = {date(y, m, d) for y in years for m, d in data.FIXED_HOLIDAYS} - {demo.today}
    return session_dates(_weekly_slots(demo, spec), first, last, skipped=holidays)


def _session(
    demo: _Demo, spec: data.ActivitySpec, activity: Activity, day: date, times: tuple[time, time]
) -> ActivitySession:
    rng = demo.rng
    status, note, updated = SessionStatus.PLANNED, "", activity.created_at
    if day < demo.today:
        status, updated = SessionStatus.HELD, demo.at(day, times[1], rng.randint(5, 120))
        if spec.notes and rng.random() < 0.4:
            note = rng.choice(spec.notes)
    return ActivitySession(
        activity_id=activity.id,
        date=day,
        start_time=times[0],
        end_time=times[1],
        status=status,
        note=note,
        updated_at=updated,
    )


def _marks(demo: _Demo) -> list[AttendanceMark]:
    marks: list[AttendanceMark] = []
    for spec, session in demo.sessions:
        if session.status != SessionStatus.HELD or session.date >= demo.today:
            continue
        if not spec.dates and demo.rng.random() < 0.08:
            continue  # nobody marked this one yet
        markers = [demo.staff[email].id for email in spec.staff]
        for person in demo.members[session.activity_id]:
            marks.append(_mark(demo, spec, session, person, demo.rng.choice(markers)))
    return marks


def _mark(
    demo: _Demo,
    spec: data.ActivitySpec,
    session: ActivitySession,
    person: Person,
    marker: uuid.UUID,
) -> AttendanceMark:
    rng = demo.rng
    status, quantity = _mark_status(demo, spec, person)
    delay = rng.randint(0, 20) + (20 if status == MarkStatus.LATE else 0)
    marked_at = demo.at(session.date, session.start_time, delay)
    return AttendanceMark(
        session_id=session.id,
        person_id=person.id,
        status=status,
        quantity=quantity,
        marked_by_id=marker,
        marked_at=marked_at,
        recorded_at=marked_at + timedelta(minutes=rng.randint(1, 240), seconds=rng.randint(0, 59)),
    )


def _mark_status(
    demo: _Demo, spec: data.ActivitySpec, person: Person
) -> tuple[MarkStatus, int | None]:
    rng, roll = demo.rng, demo.rng.random()
    if spec.item_label:
        if roll >= 0.88:
            return MarkStatus.ABSENT, None
        return MarkStatus.RECEIVED, 1 if demo.age(person) < 16 else rng.randint(1, 3)
    if roll < demo.reliability[person.id]:
        return (MarkStatus.LATE if rng.random() < 0.1 else MarkStatus.PRESENT), None
    return (MarkStatus.EXCUSED if rng.random() < 0.4 else MarkStatus.ABSENT), None


def _assessments(demo: _Demo) -> list[ProgressAssessment]:
    rows: list[ProgressAssessment] = []
    for spec, activity in demo.activities:
        if activity.cefr_level is None:
            continue
        days = sorted(
            s.date
            for sp, s in demo.sessions
            if s.activity_id == activity.id and s.status == SessionStatus.HELD
        )
        teacher = demo.staff[spec.staff[0]].id
        for person in demo.members[activity.id]:
            for skill in Skill:
                rows += _skill_history(demo, activity, person, skill, days, teacher)
    return rows


async def _registered_twice(db: AsyncSession, demo: _Demo) -> None:
    """One woman registered twice, once in Latin and once in Cyrillic letters, at two desks:
    the coordinator's list of likely duplicates shows the pair, ready to merge."""
    desks = {spec.key: activity for spec, activity in demo.activities}
    records = []
    for given, family, phone, desk, recorder in (
        ("Olena", "Kovalenko", "+48 600 100 200", "jobs", "facilitator@example.org"),
        ("Олена", "Коваленко", "600100200", "hygiene_kits", "marta@example.org"),
    ):
        person = Person(
            id=uuid.uuid4(),
            code=make_person_code(),
            given_name=given,
            family_name=family,
            search_name=search_key(given, family),
            sex=Sex.FEMALE,
            birth_year=1987,
            nationality="UA",
            languages=["uk", "pl"],
            phone=phone if desk == "jobs" else None,
            population_group=PopulationGroup.REFUGEE_UKRAINE,
            created_by_id=demo.staff[recorder].id,
            created_at=demo.at(demo.today - timedelta(days=20 if desk == "jobs" else 9), time(11)),
        )
        records.append((person, desks[desk]))
    db.add_all([person for person, _ in records])
    await db.flush()
    for person, activity in records:
        db.add(_consent(demo, person))
        db.add(
            Enrollment(
                activity_id=activity.id,
                person_id=person.id,
                enrolled_at=person.created_at,
                enrolled_by_id=person.created_by_id,
            )
        )


def _lessons(demo: _Demo) -> list[LessonEntry]:
    """What the courses' held sessions covered, written down by their first teacher."""
    rows: list[LessonEntry] = []
    for spec, activity in demo.activities:
        topics = data.LESSONS.get(activity.course_language or "")
        if activity.kind != ActivityKind.LANGUAGE_COURSE or not topics:
            continue
        held = sorted(
            (s for _, s in demo.sessions if s.activity_id == activity.id),
            key=lambda s: (s.date, s.start_time),
        )
        held = [s for s in held if s.status == SessionStatus.HELD]
        for n, session in enumerate(held):
            topic, materials, homework = topics[n % len(topics)]
            written = demo.at(session.date, session.end_time, 15)
            rows.append(
                LessonEntry(
                    id=uuid.uuid4(),
                    session_id=session.id,
                    topic=topic,
                    materials=materials,
                    homework=homework,
                    written_at=written,
                    written_by_id=demo.staff[spec.staff[0]].id,
                    created_at=written,
                )
            )
    return rows


def _skill_history(
    demo: _Demo,
    activity: Activity,
    person: Person,
    skill: Skill,
    days: list[date],
    teacher: uuid.UUID,
) -> list[ProgressAssessment]:
    rng = demo.rng
    course_level = _LEVELS.index(activity.cefr_level or CefrLevel.A1)
    level = max(0, course_level + rng.choice((-1, -1, 0, 0, 1)))
    rows: list[ProgressAssessment] = []
    for day in sorted(rng.sample(days, min(len(days), rng.randint(1, 3)))):
        rows.append(
            ProgressAssessment(
                person_id=person.id,
                activity_id=activity.id,
                skill=skill,
                level=_LEVELS[min(level, len(_LEVELS) - 1)],
                assessed_on=day,
                note=rng.choice(data.PROGRESS_NOTES) if rng.random() < 0.25 else "",
                assessed_by_id=teacher,
                created_at=demo.at(day, time(20), rng.randint(0, 120)),
            )
        )
        level += 1 if rng.random() < 0.35 else 0
    return rows
