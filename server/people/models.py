"""People (participants) and the consent they gave."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, enum_type, new_id, utcnow
from server.common.vocab import Language


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_STATED = "not_stated"


class PopulationGroup(StrEnum):
    """The groups the refugee response plan reports social-cohesion activities by."""

    REFUGEE_UKRAINE = "refugee_ukraine"
    OTHER_FOREIGN = "other_foreign"
    HOST_COMMUNITY = "host_community"


class Difficulty(StrEnum):
    """An answer to one Washington Group short-set question (or the choice not to answer)."""

    NONE = "no_difficulty"
    SOME = "some_difficulty"
    A_LOT = "a_lot_of_difficulty"
    CANNOT = "cannot_do_at_all"
    DECLINED = "prefer_not_to_say"


# The six domains of the Washington Group short set, in its order: Person.wg_<domain>.
WG_DOMAINS = ("seeing", "hearing", "walking", "remembering", "self_care", "communicating")


def _difficulty(column: str) -> sa.Enum:
    """One CHECK constraint per column, each with its own name."""
    return sa.Enum(
        Difficulty,
        native_enum=False,
        create_constraint=True,
        length=24,
        name=column,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class ConsentPurpose(StrEnum):
    ATTENDANCE = "attendance"
    CONTACT = "contact"
    PHOTOS = "photos"
    REPORTING = "reporting"


class Person(SQLModel, table=True):
    __tablename__ = "people"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    code: str = Field(max_length=12, unique=True, index=True)
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    # Lower-cased, diacritics removed, Cyrillic transliterated: what name search matches.
    search_name: str = Field(default="", max_length=400, index=True)
    sex: Sex = Field(default=Sex.NOT_STATED, sa_type=enum_type(Sex))
    birth_year: int | None = Field(default=None)
    nationality: str = Field(default="", max_length=2)  # ISO 3166-1 alpha-2; "" = unknown
    languages: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # ISO 639-1 codes
    phone: str | None = Field(default=None, max_length=32)
    population_group: PopulationGroup | None = Field(
        default=None, sa_type=enum_type(PopulationGroup)
    )
    # The Washington Group short set, only if the person chose to answer: None = not asked.
    wg_seeing: Difficulty | None = Field(default=None, sa_type=_difficulty("wg_seeing"))
    wg_hearing: Difficulty | None = Field(default=None, sa_type=_difficulty("wg_hearing"))
    wg_walking: Difficulty | None = Field(default=None, sa_type=_difficulty("wg_walking"))
    wg_remembering: Difficulty | None = Field(default=None, sa_type=_difficulty("wg_remembering"))
    wg_self_care: Difficulty | None = Field(default=None, sa_type=_difficulty("wg_self_care"))
    wg_communicating: Difficulty | None = Field(
        default=None, sa_type=_difficulty("wg_communicating")
    )
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
    created_on_device_id: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when the person's personal fields were removed (an erasure request or retention);
    # the row stays, with only what anonymous counts need (sex, birth year, nationality, group).
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Consent(SQLModel, table=True):
    """What a person agreed to, when, in which language it was shown, and who recorded it."""

    __tablename__ = "consents"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True, ondelete="CASCADE")
    given_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
    purposes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    text_version: str = Field(default="2026-1", max_length=20)
    shown_in: Language = Field(default=Language.PL, sa_type=enum_type(Language))
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PersonMerge(SQLModel, table=True):
    """A person registered twice, merged into one. The merged id stays known, so a phone that
    still shows the old entry can send writes for it and they reach the kept person."""

    __tablename__ = "person_merges"

    merged_id: uuid.UUID = Field(primary_key=True)
    kept_id: uuid.UUID = Field(foreign_key="people.id", index=True, ondelete="CASCADE")
    merged_code: str = Field(max_length=12)
    merged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    merged_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")


class DuplicateDismissal(SQLModel, table=True):
    """A pair the likely-duplicates review listed that a coordinator found to be two different
    people; the pair is no longer listed. Stored once per pair, the lower id first (as text,
    which orders like the UUID on every engine). Undoing it deletes the row (both audited)."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (sa.UniqueConstraint("first_id", "second_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    first_id: uuid.UUID = Field(foreign_key="people.id", index=True, ondelete="CASCADE")
    second_id: uuid.UUID = Field(foreign_key="people.id", index=True, ondelete="CASCADE")
    dismissed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    dismissed_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
