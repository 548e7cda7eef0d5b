"""Translations (gettext catalogs for pl, uk and en) and locale-aware formatting."""

from server.i18n.catalogs import SUPPORTED_LANGUAGES, Translator, get_translator, negotiate_language

__all__ = ["SUPPORTED_LANGUAGES", "Translator", "get_translator", "negotiate_language"]
