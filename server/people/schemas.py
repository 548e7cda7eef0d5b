"""Validated input for registering a person."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.common.validation import SingleLine
from server.common.vocab import Language
from server.i18n.catalogs import N_
from server.people.models import ConsentPurpose, Difficulty, PopulationGroup, Sex

_PHONE_CHARS = set("+0123456789 -()")


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class NewPerson(BaseModel):
    """The minimum a facilitator records for a newcomer, with their consent."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    person_id: uuid.UUID = Field(default_factory=uuid.uuid4)  # made on the device offline
    given_name: SingleLine = Field(min_length=1, max_length=100)
    family_name: SingleLine = Field(min_length=1, max_length=100)
    sex: Sex = Sex.NOT_STATED
    birth_year: int | None = Field(default=None, ge=1900)
    nationality: str = Field(default="", max_length=2)
    phone: str | None = Field(default=None, max_length=32)
    population_group: PopulationGroup | None = None
    # The Washington Group short set, only if the person chose to answer (blank: not asked).
    wg_seeing: Difficulty | None = None
    wg_hearing: Difficulty | None = None
    wg_walking: Difficulty | None = None
    wg_remembering: Difficulty | None = None
    wg_self_care: Difficulty | None = None
    wg_communicating: Difficulty | None = None
    consent_purposes: list[ConsentPurpose] = Field(default_factory=list)
    consent_shown_in: Language = Language.PL

    @field_validator(
        "birth_year", "phone", "population_group", "wg_seeing", "wg_hearing", "wg_walking",
        "wg_remembering", "wg_self_care", "wg_communicating", mode="before",
    )  # fmt: skip
    @classmethod
    def _optional(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("birth_year")
    @classmethod
    def _not_in_future(cls, value: int | None) -> int | None:
        # The latest date anywhere (UTC+14): a newborn registered on the centre's New Year's
        # Day is not refused by a server whose clock is still in the old year.
        if value is not None and value > (datetime.now(UTC) + timedelta(hours=14)).year:
            raise ValueError(N_("The birth year cannot be in the future."))
        return value

    @field_validator("nationality", mode="before")
    @classmethod
    def _country(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if value and (len(value) != 2 or not value.isascii() or not value.isalpha()):
                raise ValueError(N_("Choose a country from the list."))
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and (
            not set(value) <= _PHONE_CHARS or sum(c.isdigit() for c in value) < 6
        ):
            raise ValueError(N_("Enter a phone number with digits, for example +48 600 100 200."))
        return value

    @field_validator("consent_purposes")
    @classmethod
    def _attendance_consent(cls, value: list[ConsentPurpose]) -> list[ConsentPurpose]:
        if ConsentPurpose.ATTENDANCE not in value:
            raise ValueError(
                N_("The person must agree to their attendance being recorded to be registered.")
            )
        return sorted(set(value))


def _answer(value: object) -> object:
    """Blank is "not asked"; anything else must be one of the answers."""
    value = _blank_to_none(value)
    if value is None or isinstance(value, Difficulty):
        return value
    if isinstance(value, str) and value.strip() in Difficulty._value2member_map_:
        return Difficulty(value.strip())
    raise ValueError(N_("Choose one of the answers, or “Not asked”."))


class DisabilityAnswers(BaseModel):
    """The Washington Group short set as a coordinator records or changes it on a person's
    page (decision 16): each answer on the scale, "prefer not to say", or blank (not asked)."""

    model_config = ConfigDict(extra="ignore")

    wg_seeing: Difficulty | None = None
    wg_hearing: Difficulty | None = None
    wg_walking: Difficulty | None = None
    wg_remembering: Difficulty | None = None
    wg_self_care: Difficulty | None = None
    wg_communicating: Difficulty | None = None

    @field_validator(
        "wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_self_care",
        "wg_communicating", mode="before",
    )  # fmt: skip
    @classmethod
    def _known(cls, value: object) -> object:
        return _answer(value)
