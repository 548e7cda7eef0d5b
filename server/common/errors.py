"""Errors that service functions raise and handlers turn into translated messages.

Messages are English gettext ids (marked with `N_`) plus parameters; they are translated where
the person's language is known (templates, handlers), never inside the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)


class DomainError(Exception):
    """Base of the errors a service raises on purpose."""


class ValidationFailed(DomainError):
    """Input was refused; `errors` maps a field name ("" for the whole form) to a message."""

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(", ".join(f"{k}: {v.msgid}" for k, v in errors.items()))
        self.errors = errors


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know that it does."""


class Forbidden(DomainError):
    """The actor may see the thing but not do this to it."""
