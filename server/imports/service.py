"""Checking the rows of an import file, matching them with people already registered, and
writing them: all rows or none.

The rows are checked with the same `NewPerson` model as the registration form, so a row's
problems read exactly as the form's errors. A row is the same person as someone registered
(or as an earlier row of the file) when the name is the same in any script or spelling
(`search_key`) and the birth year is the same, or when the phone number is the same. Such a
person is left as they are; only a missing enrolment is added, so importing the same file
again creates no one twice."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from babel import Locale
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, Enrollment
from server.activities.sessions import enroll
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import DomainError, Message, ValidationFailed
from server.common.validation import parse_form
from server.i18n.catalogs import N_
from server.imports.columns import COLUMN_NAMES
from server.imports.matching import load_known_people
from server.imports.parsing import ParsedFile, RawRow
from server.people.models import WG_DOMAINS, Person
from server.people.names import search_key
from server.people.schemas import NewPerson
from server.people.service import register_person

_SEPARATORS = re.compile(r"[\s,;/|]+")
# NewPerson's fields that are named differently in the file.
_COLUMN_OF_FIELD = {"consent_purposes": "consent", "consent_shown_in": "consent_language"}


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # "" for the row as a whole
    message: Message


@dataclass
class PlannedRow:
    number: int
    person: NewPerson
    languages: list[str]
    activity_id: uuid.UUID | None = None
    activity_title: str = ""
    match_id: uuid.UUID | None = None  # a person registered already
    match_name: str = ""
    same_as_row: int | None = None  # an earlier row of the file is this person
    matched_by: str = ""  # "name" (and birth year) or "phone"
    enrol: bool = False  # an enrolment will be added


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    total: int = 0

    @property
    def rows_with_problems(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def new_people(self) -> int:
        return sum(1 for r in self.rows if r.match_id is None and r.same_as_row is None)

    @property
    def matched(self) -> int:
        return len(self.rows) - self.new_people

    @property
    def enrolments(self) -> int:
        return sum(1 for r in self.rows if r.enrol)


class ImportRefused(DomainError):
    """A row was refused while writing; nothing of the import is kept."""

    def __init__(self, row: int, reason: Message | None) -> None:
        super().__init__(f"row {row}: {reason.msgid if reason else 'refused'}")
        self.row = row
        self.reason = reason


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    matched: int
    enrolled: int


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes that CLDR names."""
    codes = (str(code) for code in Locale("en").languages)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def _split(text: str) -> list[str]:
    return [part for part in _SEPARATORS.split(text.strip().lower()) if part]


def check_row(
    raw: RawRow, activities: dict[str, list[Activity]]
) -> tuple[PlannedRow | None, list[RowProblem]]:
    """One row as a person to register, or its problems by column (in the columns' order)."""
    value = raw.values.get
    form = {
        "given_name": value("given_name", ""),
        "family_name": value("family_name", ""),
        "sex": value("sex", "").lower() or "not_stated",
        "birth_year": value("birth_year", ""),
        "nationality": value("nationality", ""),
        "phone": value("phone", ""),
        "population_group": value("population_group", "").lower(),
        "consent_purposes": _split(value("consent", "")),
        "consent_shown_in": value("consent_language", "").lower() or "pl",
        **{f"wg_{d}": value(f"wg_{d}", "").lower() for d in WG_DOMAINS},
    }
    errors: dict[str, Message] = {}
    person: NewPerson | None = None
    try:
        person = parse_form(NewPerson, form)
    except ValidationFailed as exc:
        errors.update({_COLUMN_OF_FIELD.get(k, k): m for k, m in exc.errors.items()})
    languages = _split(value("languages", ""))
    if any(code not in language_codes() for code in languages):
        errors["languages"] = Message(
            N_("Use two-letter language codes separated by spaces, for example: uk ru pl.")
        )
    title = value("activity", "")
    found = activities.get(title.casefold(), []) if title else []
    if title and not found:
        errors["activity"] = Message(N_("No activity has this title."))
    elif len(found) > 1:
        errors["activity"] = Message(N_("Several activities have this title."))
    if errors or person is None:
        order = {name: i for i, name in enumerate(("", *COLUMN_NAMES))}
        ordered = sorted(errors.items(), key=lambda item: order.get(item[0], len(order)))
        return None, [RowProblem(raw.number, column, message) for column, message in ordered]
    planned = PlannedRow(raw.number, person, sorted(set(languages), key=languages.index))
    if found:
        planned.activity_id, planned.activity_title = found[0].id, found[0].title
    return planned, []


async def _activities_by_title(db: AsyncSession) -> dict[str, list[Activity]]:
    found: dict[str, list[Activity]] = {}
    statement = select(Activity).where(col(Activity.archived_at).is_(None))
    for activity in (await db.exec(statement)).all():
        found.setdefault(activity.title.strip().casefold(), []).append(activity)
    return found


async def _enrolled(
    db: AsyncSession, activity_ids: set[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    if not activity_ids:
        return set()
    statement = select(Enrollment.activity_id, Enrollment.person_id).where(
        col(Enrollment.activity_id).in_(activity_ids)
    )
    return {(a, p) for a, p in (await db.exec(statement)).all()}


async def plan_import(db: AsyncSession, parsed: ParsedFile) -> ImportPlan:
    """Check every row and say what importing would do; writes nothing."""
    plan = ImportPlan(total=len(parsed.rows))
    activities = await _activities_by_title(db)
    for raw in parsed.rows:
        planned, problems = check_row(raw, activities)
        plan.problems.extend(problems)
        if planned is not None:
            plan.rows.append(planned)
    known = await load_known_people(db)
    enrolled = await _enrolled(db, {r.activity_id for r in plan.rows if r.activity_id})
    planned_enrolments: set[tuple[uuid.UUID, uuid.UUID | int]] = set()
    for row in plan.rows:
        found, row.matched_by = known.find(row.person)
        if isinstance(found, uuid.UUID):
            row.match_id = found
        elif isinstance(found, int):
            row.same_as_row = found
        else:
            person = row.person
            name = search_key(person.given_name, person.family_name)
            known.add(name, person.birth_year, person.phone, row.number)
        who: uuid.UUID | int = row.match_id or row.same_as_row or row.number
        if row.activity_id is not None:
            key = (row.activity_id, who)
            already = isinstance(who, uuid.UUID) and (row.activity_id, who) in enrolled
            row.enrol = not already and key not in planned_enrolments
            planned_enrolments.add(key)
    await _name_matches(db, plan)
    return plan


async def _name_matches(db: AsyncSession, plan: ImportPlan) -> None:
    ids = {r.match_id for r in plan.rows if r.match_id is not None}
    if not ids:
        return
    names: dict[uuid.UUID, str] = {}
    for chunk in _chunks(sorted(ids), 500):
        statement = select(Person.id, Person.given_name, Person.family_name, Person.code).where(
            col(Person.id).in_(chunk)
        )
        for person_id, given, family, code in (await db.exec(statement)).all():
            names[person_id] = f"{given} {family} ({code})"
    for row in plan.rows:
        if row.match_id is not None:
            row.match_name = names.get(row.match_id, "")


def _chunks(items: list[uuid.UUID], size: int) -> list[list[uuid.UUID]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _apply_row(
    db: AsyncSession, actor: Actor, row: PlannedRow, people: dict[int, uuid.UUID], today: date
) -> tuple[uuid.UUID, bool]:
    """The person of a row (registered now when new), enrolled where the plan says."""
    person_id = row.match_id or (people[row.same_as_row] if row.same_as_row else None)
    new = person_id is None
    if person_id is None:
        person = await register_person(db, actor, row.person)
        person.languages = row.languages
        db.add(person)
        person_id = person.id
    if row.enrol and row.activity_id is not None:
        await enroll(db, actor, row.activity_id, person_id, on=today)
    return person_id, new


async def apply_import(
    db: AsyncSession, actor: Actor, plan: ImportPlan, *, today: date
) -> ImportResult:
    """Write a plan without problems: all rows in one savepoint, so a row refused now leaves
    nothing written (the caller's transaction goes on without it)."""
    if plan.problems:
        raise ValueError("a plan with problems is not applied")
    async with db.begin_nested():
        people: dict[int, uuid.UUID] = {}
        created = enrolled = 0
        for row in plan.rows:
            try:
                person_id, new = await _apply_row(db, actor, row, people, today)
            except DomainError as exc:
                reason = (
                    next(iter(exc.errors.values()), None)
                    if isinstance(exc, ValidationFailed)
                    else None
                )
                raise ImportRefused(row.number, reason) from exc
            people[row.number] = person_id
            created += new
            enrolled += row.enrol
        result = ImportResult(len(plan.rows), created, len(plan.rows) - created, enrolled)
        await audit_by(
            db,
            actor,
            "people.import",
            details={
                "rows": result.rows,
                "created": result.created,
                "matched": result.matched,
                "enrolled": result.enrolled,
            },
        )
    return result
