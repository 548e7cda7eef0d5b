"""Closed vocabularies shared across domains (stored as their string values)."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """Interface languages."""

    PL = "pl"
    UK = "uk"
    EN = "en"


class CefrLevel(StrEnum):
    """CEFR levels, with the + steps some teachers use; A0 stands for pre-A1."""

    A0 = "A0"
    A1 = "A1"
    A1_PLUS = "A1+"
    A2 = "A2"
    A2_PLUS = "A2+"
    B1 = "B1"
    B1_PLUS = "B1+"
    B2 = "B2"
    B2_PLUS = "B2+"
    C1 = "C1"
    C2 = "C2"
