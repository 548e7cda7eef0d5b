"""The groups reports disaggregate by (product brief, "Reporting conventions")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, or_

from server.people.models import WG_DOMAINS, Difficulty, PopulationGroup, Sex

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


# Disability by the Washington Group's recommended cut-off: a person has a disability if at
# least one of the six domains is answered "a lot of difficulty" or "cannot do at all"; one
# with an answer on the scale otherwise has none; one never asked, or who preferred not to say
# to every question, is counted apart.
WITH_DISABILITY, WITHOUT_DISABILITY = "with_disability", "without_disability"
DISABILITY_KEYS = (WITH_DISABILITY, WITHOUT_DISABILITY, NOT_STATED)
_SEVERE = (Difficulty.A_LOT, Difficulty.CANNOT)
_MILD = (Difficulty.NONE, Difficulty.SOME)


def disability_case(person: Any) -> Any:
    """The SQL expression giving a person's disability key (one of DISABILITY_KEYS)."""
    answers = [getattr(person, f"wg_{domain}") for domain in WG_DOMAINS]
    return case(
        (or_(*(answer.in_(_SEVERE) for answer in answers)), WITH_DISABILITY),
        (or_(*(answer.in_(_MILD) for answer in answers)), WITHOUT_DISABILITY),
        else_=NOT_STATED,
    )


def disability_of(answers: dict[str, Difficulty | None]) -> str:
    """The same cut-off in Python (tests, a person's page)."""
    given = {answers.get(domain) for domain in WG_DOMAINS}
    if given & {Difficulty.A_LOT, Difficulty.CANNOT}:
        return WITH_DISABILITY
    if given & {Difficulty.NONE, Difficulty.SOME}:
        return WITHOUT_DISABILITY
    return NOT_STATED
