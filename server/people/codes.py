"""Short pseudonymous person codes (for cards, exports and reports without names)."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: codes are read aloud and typed from printed cards.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def make_person_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
