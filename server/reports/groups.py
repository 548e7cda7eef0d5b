"""The groups reports disaggregate by (product brief, "Reporting conventions")."""

from __future__ import annotations

from server.people.models import PopulationGroup, Sex

NOT_STATED = "not_stated"

# (key, lowest age, highest age or None); age from the birth year at the period's end.
AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-5", 0, 5),
    ("6-17", 6, 17),
    ("18-59", 18, 59),
    ("60+", 60, None),
)
AGE_KEYS = (*(key for key, _, _ in AGE_GROUPS), NOT_STATED)
YOUTH_AGES = (16, 19)  # the youth programme's eligibility: also reported as its own group
SEX_KEYS = tuple(sex.value for sex in Sex)
POPULATION_KEYS = (*(group.value for group in PopulationGroup), NOT_STATED)


def age_at(birth_year: int | None, year: int) -> int | None:
    return None if birth_year is None else max(0, year - birth_year)


def age_group(age: int | None) -> str:
    if age is None:
        return NOT_STATED
    for key, lowest, highest in AGE_GROUPS:
        if age >= lowest and (highest is None or age <= highest):
            return key
    return NOT_STATED  # unreachable: the groups cover every age from 0


def in_youth_ages(age: int | None) -> bool:
    return age is not None and YOUTH_AGES[0] <= age <= YOUTH_AGES[1]
