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
    "я": "ia", "'": "", "’": "", "ʼ": "", "‘": "", "´": "", "`": "",
    # Russian
    "ё": "e", "ъ": "", "ы": "y", "э": "e",
    # Belarusian
    "ў": "u",
}  # fmt: skip

# At the start of a word the national system writes these differently ("Юлія" → "Yuliia").
_WORD_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_APOSTROPHES = frozenset("'’ʼ‘´`")

# Letters that Unicode decomposition does not reduce to ASCII.
_LATIN_FOLDS = {
    "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ð": "d",
    "þ": "th", "ħ": "h",
}  # fmt: skip


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin by Ukraine's national system (as in passports: "Юлія
    Згурська" → "Yuliia Zghurska"), keeping the case of the first letter."""
    out: list[str] = []
    prev = ""
    for char in text:
        lower = char.lower()
        latin = _CYRILLIC_TO_LATIN.get(lower)
        in_word = prev.isalpha() or prev in _APOSTROPHES
        if latin is not None and lower in _WORD_INITIAL and not in_word:
            latin = _WORD_INITIAL[lower]
        elif latin is not None and lower == "г" and prev.lower() == "з":
            latin = "gh"
        prev = char
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
    lowered = transliterate(unicodedata.normalize("NFC", text).casefold())
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(_LATIN_FOLDS.get(c, c) for c in stripped)


# Spellings that differ between transliteration systems and languages, reduced to one form
# (applied to stored names and to what is typed alike): "Andriy"/"Andrii"/"Андрій",
# "Lukash"/"Łukasz", "Hennadii"/"Gennadiy", "Oleksandr"/"Olexandr", "Yevhen"/"Ievhen".
_LOOSE_PAIRS = (
    ("sz", "sh"),  # Polish before Cyrillic-Latin: "Szczepan" → "shchepan" → "scepan"
    ("cz", "ch"),
    ("shch", "sc"),
    ("kh", "h"),
    ("x", "ks"),
    ("w", "v"),
    ("g", "h"),
    ("j", "i"),
    ("y", "i"),
)


def loose(text: str) -> str:
    """A folded text reduced further so that common spelling variants meet."""
    # Marks that stay after folding (Indic vowel signs) belong to their word.
    out = "".join(
        c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in fold(text)
    )
    for variant, common in _LOOSE_PAIRS:
        out = out.replace(variant, common)
    collapsed: list[str] = []
    for char in out:
        if not (collapsed and collapsed[-1] == char and char != " "):
            collapsed.append(char)
    return " ".join("".join(collapsed).split())


def search_key(given_name: str, family_name: str) -> str:
    """What is stored for a person and matched against `search_terms` of a query."""
    return loose(f"{given_name} {family_name}")


def search_terms(query: str) -> list[str]:
    """The pieces of a typed query; a person matches when every piece is in their key."""
    return loose(query).split()[:5]


def display_name(given_name: str, family_name: str) -> str:
    """The name as written, with a Latin transliteration where it is in Cyrillic."""
    written = f"{given_name} {family_name}".strip()
    if has_cyrillic(written):
        return f"{written} ({transliterate(written)})"
    return written
