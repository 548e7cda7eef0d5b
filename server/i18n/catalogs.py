"""Load the `.po` catalogs at start-up (compiled in memory, so no build step) and pick a
language for a request."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
SUPPORTED_LANGUAGES: tuple[str, ...] = ("pl", "uk", "en")
LANGUAGE_NAMES = {"pl": "Polski", "uk": "Українська", "en": "English"}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the language is known."""
    return message


@cache
def _load(language: str) -> gettext.NullTranslations:
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Translator:
    """Everything that depends on a person's language: messages and formats."""

    language: str

    @property
    def _translations(self) -> gettext.NullTranslations:
        return _load(self.language)

    def gettext(self, message: str, **variables: object) -> str:
        text = self._translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: object) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    def ngettext_template(self, singular: str, plural: str, n: int) -> str:
        """The plural form for `n`, placeholders left for the caller (Jinja) to fill."""
        return self._translations.ngettext(singular, plural, n)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def format_date(self, value: date, form: str = "medium") -> str:
        return dates.format_date(value, format=form, locale=self.language)

    def format_weekday_date(self, value: date) -> str:
        return dates.format_date(value, format="EEEE, d MMMM", locale=self.language)

    def format_time(self, value: time) -> str:
        return dates.format_time(value, format="short", locale=self.language)

    def format_datetime(self, value: datetime, tz: str) -> str:
        return dates.format_datetime(
            value, format="medium", tzinfo=dates.get_timezone(tz), locale=self.language
        )

    def format_number(self, value: float) -> str:
        return numbers.format_decimal(value, locale=self.language)


@cache
def get_translator(language: str) -> Translator:
    return Translator(language if language in SUPPORTED_LANGUAGES else "en")


def negotiate_language(accept_language: str | None, default: str) -> str:
    """The best supported language for an Accept-Language header, else `default`."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag))
    for _q, _pos, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if primary in SUPPORTED_LANGUAGES:
            return primary
    return default
