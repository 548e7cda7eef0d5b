"""Choosing a language from Accept-Language."""

from __future__ import annotations

import pytest

from server.i18n import negotiate_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("uk-UA,uk;q=0.9,ru;q=0.8,en;q=0.7", "uk"),
        ("pl-PL,pl;q=0.9", "pl"),
        ("en-GB", "en"),
        ("ru-RU,ru;q=0.9", "pl"),  # nothing supported: the default
        ("de;q=0.9,en;q=0.1,uk;q=0.5", "uk"),  # by quality, not by order
        ("uk;q=0", "pl"),  # q=0 means "not this"
        ("", "pl"),
        (None, "pl"),
        ("garbage;;;q=x", "pl"),
    ],
)
def test_negotiate_language(header: str | None, expected: str) -> None:
    assert negotiate_language(header, "pl") == expected
