"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations),
and the minimum strength of a new password (zxcvbn's estimate of how hard it is to guess)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.common.errors import Message
from server.i18n.catalogs import N_
from server.people.names import has_cyrillic, transliterate

# Argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet: 19 MiB, 2 passes,
# 1 lane), not argon2-cffi's heavier default (64 MiB, 3 passes, 4 lanes: about 215 ms of CPU a
# check here, so 300 staff signing in at once needed a minute of both cores). Hashes made with
# other parameters still verify and are re-made with these at the next sign-in (decision 19).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# zxcvbn's score 0-4; 3 is "safely unguessable: moderate protection from an offline
# slow-hash attack" (about 10^8 guesses or more), which argon2 makes slower still.
MIN_PASSWORD_SCORE = 3
# zxcvbn's time grows with the length; the first characters decide the score anyway.
_ESTIMATED_CHARACTERS = 100
WEAK_PASSWORD = N_(
    "This password is too easy to guess. Use a phrase of three or four unusual words, "
    "not your name or email."
)

# A hash of a random password, verified against when the email is unknown, so a sign-in
# takes as long for an unknown email as for a wrong password.
_DUMMY_HASH = _hasher.hash("razem-timing-equaliser-4f9c2b")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _user_inputs(values: Iterable[str]) -> list[str]:
    """Words a guesser would try first: the email, its parts, the person's names."""
    words: list[str] = []
    for value in values:
        value = value.strip().lower()
        if value:
            parts = [part for part in re.split(r"[\s@._+-]+", value) if len(part) > 1]
            words.extend([value, "".join(parts), *parts])
    return words


# zxcvbn's dictionaries are English. What staff here would try first in Polish and Ukrainian
# (written as they type it, and transliterated): the words for password, places, greetings,
# slogans, pet names and common first names, and the app's own name.
LOCAL_WORDS = (
    "haslo", "hasło", "haselko", "пароль", "parol", "razem", "разом", "centrum", "integracja",
    "polska", "polsko", "krakow", "kraków", "krakowa", "warszawa", "wroclaw", "gdansk", "wawel",
    "wisla", "wisła", "ukraina", "україна", "ukraine", "ukrayina", "ukraini", "україні",
    "kyiv", "kiev", "київ", "kyjiw", "lviv", "львів", "lwow", "kharkiv", "харків", "odesa",
    "одеса", "dnipro", "дніпро", "slava", "слава", "heroyam", "героям", "svoboda", "свобода",
    "wolnosc", "wolność", "myr", "мир", "pokoj", "kochanie", "kocham", "кохаю", "kohayu",
    "lubie", "lubię", "witaj", "czesc", "cześć", "привіт", "pryvit", "dziekuje", "дякую",
    "dyakuyu", "sonechko", "сонечко", "kotek", "kotik", "котик", "misiek", "myszka", "zabka",
    "słonko", "slonko", "skarb", "sobaka", "собака", "pies", "mama", "мама", "tata", "тато",
    "anna", "ania", "kasia", "tomek", "marek", "piotr", "olena", "оксана", "oksana", "natalia",
    "наталія", "iryna", "ірина", "andrii", "андрій", "taras", "тарас", "bogdan", "богдан",
    "jesien", "zima", "wiosna", "lato", "osin", "зима", "весна", "літо",
)  # fmt: skip


def password_weakness(password: str, *, user_inputs: Iterable[str] = ()) -> Message | None:
    """Why a new password is refused (too short, too guessable), or None if it is good. A
    password with Cyrillic letters is also judged in its Latin transliteration (zxcvbn counts
    each Cyrillic letter as a random symbol, which would overrate "Слава2022")."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Message(
            N_("Too short: at least %(min_length)s characters."),
            {"min_length": MIN_PASSWORD_LENGTH},
        )
    words = [*_user_inputs(user_inputs), *LOCAL_WORDS]
    candidates = {password[:_ESTIMATED_CHARACTERS]}
    if has_cyrillic(password):
        candidates.add(transliterate(password.lower())[:_ESTIMATED_CHARACTERS])
    # Imported here: its dictionaries hold ~12 MB, needed only when a password is set (issue 9).
    from zxcvbn import zxcvbn

    if min(int(zxcvbn(c, user_inputs=words)["score"]) for c in candidates) < MIN_PASSWORD_SCORE:
        return Message(WEAK_PASSWORD)
    return None
