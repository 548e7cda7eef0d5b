"""Names across scripts: the search key and the display name."""

from __future__ import annotations

import pytest

from server.people.names import display_name, fold, search_key, transliterate


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Оксана", "oksana"),  # Ukrainian
        ("Łukasz", "lukasz"),  # Polish ł is not a decomposable letter
        ("Андрій", "andrii"),
        ("Żółć Gęślą", "zolc gesla"),
        ("Аляксандр", "aliaksandr"),  # Belarusian
        ("Сёмин", "semyn"),  # Russian ё; и follows the Ukrainian table (issue 3 widens search)
        ("Ўладзімір", "uladzimir"),  # Belarusian ў
        ("María José", "maria jose"),
    ],
)
def test_fold_matches_what_people_type(written: str, typed: str) -> None:
    assert fold(written) == typed


def test_search_key_joins_and_normalises_spaces() -> None:
    assert search_key("  Ірина ", "Мельник") == "iryna melnyk"


def test_display_name_adds_latin_for_cyrillic_only() -> None:
    assert display_name("Андрій", "Коваленко") == "Андрій Коваленко (Andrii Kovalenko)"
    assert display_name("Łukasz", "Wójcik") == "Łukasz Wójcik"


def test_transliteration_keeps_capitals() -> None:
    assert transliterate("Щука Юрій") == "Shchuka Iurii"
