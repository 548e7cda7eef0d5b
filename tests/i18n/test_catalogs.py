"""The gettext catalogs stay complete, consistent with the code and really translated."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from server.i18n.catalogs import LANGUAGE_NAMES, LOCALES_DIR, get_translator

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("pl", "uk", "en")
TRANSLATED_LANGUAGES = ("pl", "uk")
PLACEHOLDER = re.compile(r"%\(([^)]+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
# Entries that may legitimately read the same in every language.
SAME_IN_EVERY_LANGUAGE = {"Razem", "Polish", "English", "Ukrainian", *LANGUAGE_NAMES.values()}
MAX_UNTRANSLATED_SHARE = 0.10


def _read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language)


def _catalog(language: str) -> Catalog:
    return _read_catalog(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po", language)


def _messages(catalog: Catalog) -> list[Message]:
    """Every real message (the header has the empty msgid)."""
    return [message for message in catalog if message.id]


def _forms(text: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if text is None:
        return ()
    return (text,) if isinstance(text, str) else tuple(text)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _placeholders(texts: Iterable[str]) -> set[str]:
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def _has_words(msgid: str) -> bool:
    """False for ids made only of placeholders, punctuation and spaces."""
    return any(char.isalpha() for char in PLACEHOLDER.sub("", msgid))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages the code uses right now, extracted as scripts/i18n.sh does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "-q",
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "N_",
        "-k",
        "_",
        "--no-location",
        "-o",
        str(pot),
        ".",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"Babel extraction failed:\n{result.stderr}"
    return _read_catalog(pot)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(language: str) -> None:
    catalog = _catalog(language)
    assert not catalog.fuzzy, f"{language}: the catalog header is marked fuzzy"
    messages = _messages(catalog)
    assert messages, f"{language}: the catalog has no messages"
    empty = [_key(m.id) for m in messages if not all(_forms(m.string))]
    fuzzy = [_key(m.id) for m in messages if m.fuzzy]
    assert not empty, f"{language}: untranslated messages: {empty}"
    assert not fuzzy, f"{language}: fuzzy messages (check and remove the flag): {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    problems = []
    for message in _messages(_catalog(language)):
        expected = _placeholders(_forms(message.id))
        forms = _forms(message.string)
        # Each plural form may only use names the code passes; together they use all of them.
        per_form = [_placeholders([form]) for form in forms]
        if any(not names <= expected for names in per_form) or set().union(*per_form) != expected:
            problems.append(f"{_key(message.id)!r}: expected {sorted(expected)}, got {per_form}")
    assert not problems, f"{language}: placeholders differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_message_in_the_code(language: str, extracted: Catalog) -> None:
    in_code = {_key(m.id) for m in _messages(extracted)}
    in_catalog = {_key(m.id) for m in _messages(_catalog(language))}
    missing = sorted(in_code - in_catalog)
    assert not missing, (
        f"{language}: {len(missing)} message(s) used in the code are missing from the catalog; "
        f"run scripts/i18n.sh and translate them: {missing}"
    )


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_most_messages_are_really_translated(language: str) -> None:
    checked = [
        m
        for m in _messages(_catalog(language))
        if _has_words(_key(m.id)) and _key(m.id) not in SAME_IN_EVERY_LANGUAGE
    ]
    assert checked
    same = [_key(m.id) for m in checked if _forms(m.string) == _forms(m.id)]
    assert len(same) < MAX_UNTRANSLATED_SHARE * len(checked), (
        f"{language}: {len(same)} of {len(checked)} messages are the English text: {same}"
    )


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translator_uses_the_catalog(language: str) -> None:
    expected = _catalog(language).get("Sign in")
    assert expected is not None and expected.string
    assert expected.string != "Sign in"
    assert get_translator(language).gettext("Sign in") == expected.string
