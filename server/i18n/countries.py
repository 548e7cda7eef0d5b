"""Country names (ISO 3166-1 alpha-2) in the interface language, the centre's common ones
first."""

from __future__ import annotations

from functools import cache

from babel import Locale

COMMON = ("UA", "PL", "BY", "RU", "GE", "MD", "KZ", "AF", "SY", "CO", "VE", "IN", "VN", "NG", "TR")
# Regions and codes in CLDR that are not countries a person holds citizenship of.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "XK"})


_ALPHABETS = {
    "pl": "aąbcćdeęfghijklłmnńoóprsśtuvwxyzźż",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
}


def collation_key(text: str, language: str) -> tuple[int, ...]:
    """Sort in the language's alphabetical order (Python sorts by code point: "І" before "А")."""
    alphabet = _ALPHABETS.get(language, "")
    return tuple(
        alphabet.index(c) if c in alphabet else len(alphabet) + ord(c) for c in text.lower()
    )


@cache
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names: dict[str, str] = {str(k): str(v) for k, v in Locale.parse(language).territories.items()}
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES]
    common = [(c, names[c]) for c in COMMON if c in names]
    rest = sorted(
        ((c, names[c]) for c in codes if c not in COMMON),
        key=lambda item: collation_key(item[1], language),
    )
    return tuple(common + rest)


def country_name(code: str, language: str) -> str:
    return dict(country_choices(language)).get(code, code)
