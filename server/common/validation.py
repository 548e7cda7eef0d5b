"""Turn pydantic validation errors into translatable field messages."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ValidationError

from server.common.errors import Message, ValidationFailed
from server.i18n.catalogs import N_

M = TypeVar("M", bound=BaseModel)

_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("Too long: at most %(max_length)s characters."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "uuid_parsing": N_("Unknown item."),
    "uuid_type": N_("Unknown item."),
    "value_error": N_("This value is not valid."),
    "string_pattern_mismatch": N_("This value is not valid."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "date_parsing": N_("Enter a date."),
    "bool_parsing": N_("This value is not valid."),
}
_FALLBACK = N_("This value is not valid.")


def parse_form(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate form data with `model`, raising `ValidationFailed` with one message a field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        errors: dict[str, Message] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            if name in errors:
                continue
            kind = error["type"]
            ctx = error.get("ctx") or {}
            if kind == "value_error" and "error" in ctx:
                # Our validators raise ValueError(N_("…")): the text is the message id.
                errors[name] = Message(str(ctx["error"]))
                continue
            if kind == "string_too_short" and ctx.get("min_length", 1) > 1:
                errors[name] = Message(
                    N_("Too short: at least %(min_length)s characters."), dict(ctx)
                )
                continue
            errors[name] = Message(_MESSAGES.get(kind, _FALLBACK), dict(ctx))
        raise ValidationFailed(errors) from None


# Characters no name or note needs: C0 and C1 controls (NUL included; PostgreSQL cannot even
# store NUL) and the bidirectional overrides and isolates that can make a name display as
# something else. Zero-width joiners stay allowed: some scripts need them in names.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\t\n\r")
CONTROL_CHARACTERS = N_("Remove the invisible control characters from this field.")


def _has_control(value: str, allowed: frozenset[str]) -> bool:
    return any(
        (unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI_CONTROLS) and c not in allowed
        for c in value
    )


def single_line(value: str) -> str:
    """A name or a title: refuse control characters, line breaks included."""
    if _has_control(value, frozenset()):
        raise ValueError(CONTROL_CHARACTERS)
    return value


def multi_line(value: str) -> str:
    """A note: line breaks and tabs are fine, other control characters are refused."""
    if _has_control(value, _LINE_BREAKS):
        raise ValueError(CONTROL_CHARACTERS)
    return value


SingleLine = Annotated[str, AfterValidator(single_line)]
MultiLine = Annotated[str, AfterValidator(multi_line)]
