"""Validated input for staff accounts and sign-in."""

from __future__ import annotations

from email.utils import parseaddr

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.auth.models import Role
from server.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from server.common.validation import SingleLine
from server.common.vocab import Language
from server.i18n.catalogs import N_


def _normalise_email(value: str) -> str:
    value = value.strip().lower()
    _name, address = parseaddr(value)
    local, _, domain = address.partition("@")
    if not local or "." not in domain or address != value or " " in value:
        raise ValueError(N_("Enter a valid email address."))
    return value


class SignInForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    next: str = Field(default="", max_length=500)


class StaffUserCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: str = Field(min_length=1, max_length=254)
    display_name: SingleLine = Field(min_length=1, max_length=120)
    role: Role
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    language: Language | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _normalise_email(value)

    @field_validator("language", mode="before")
    @classmethod
    def _blank_language(cls, value: object) -> object:
        return None if value == "" else value


class LanguageChoice(BaseModel):
    language: Language
    next: str = Field(default="/", max_length=500)


class PasswordChangeForm(BaseModel):
    """A signed-in person changes their own password."""

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    new_password_again: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class PasswordSetForm(BaseModel):
    """An admin sets a new password for someone else."""

    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
