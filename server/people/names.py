"""Name handling across scripts: a Latin transliteration of Cyrillic names, and the search key
that makes "oksana" find "Оксана" and "lukasz" find "Łukasz"."""

from __future__ import annotations

import unicodedata

# Ukrainian national transliteration (2010), with Russian and Belarusian letters added.
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "",
    # Russian
    "ё": "e", "ъ": "", "ы": "y", "э": "e",
    # Belarusian
    "ў": "u",
}  # fmt: skip

# Letters that Unicode decomposition does not reduce to ASCII.
_LATIN_FOLDS = {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin (Ukrainian national system), keeping case of the first letter."""
    out: list[str] = []
    for char in text:
        lower = char.lower()
        latin = _CYRILLIC_TO_LATIN.get(lower)
        if latin is None:
            out.append(char)
        elif char != lower and latin:
            out.append(latin[0].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


def has_cyrillic(text: str) -> bool:
    return any("CYRILLIC" in unicodedata.name(c, "") for c in text)


def fold(text: str) -> str:
    """Lower case, Cyrillic transliterated, diacritics removed: the form search compares."""
    lowered = transliterate(text.casefold())
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(_LATIN_FOLDS.get(c, c) for c in stripped)


def search_key(given_name: str, family_name: str) -> str:
    return " ".join(fold(f"{given_name} {family_name}").split())


def display_name(given_name: str, family_name: str) -> str:
    """The name as written, with a Latin transliteration where it is in Cyrillic."""
    written = f"{given_name} {family_name}".strip()
    if has_cyrillic(written):
        return f"{written} ({transliterate(written)})"
    return written
