"""The consent text shown to a person when they are registered, in pl, uk and en.

It is shown in the person's language, whatever the staff member's interface language is, so
it lives here as data (one version, all three languages), not in the interface catalogs.
"""

from __future__ import annotations

CONSENT_VERSION = "2026-1"

CONSENT_TEXT: dict[str, str] = {
    "pl": (
        "Centrum zapisuje Twoje imię i nazwisko, rok urodzenia, płeć, obywatelstwo i obecność "
        "na zajęciach, żeby prowadzić zajęcia i rozliczać je przed darczyńcami (tylko w formie "
        "zbiorczych, anonimowych liczb). Dane widzą wyłącznie osoby prowadzące Twoje zajęcia i "
        "koordynatorzy. W każdej chwili możesz poprosić o wgląd w swoje dane lub ich usunięcie."
    ),
    "uk": (
        "Центр записує ваше імʼя та прізвище, рік народження, стать, громадянство і "
        "відвідування занять, щоб проводити заняття та звітувати перед донорами (лише у вигляді "
        "загальних анонімних чисел). Дані бачать тільки ті, хто веде ваші заняття, і "
        "координатори. Ви будь-коли можете попросити показати або видалити ваші дані."
    ),
    "en": (
        "The centre records your name, birth year, sex, nationality and attendance to run the "
        "activities and to report to donors (only as anonymous totals). Only the people who "
        "run your activities and the coordinators can see this data. You can ask to see or "
        "erase your data at any time."
    ),
}

# Purposes a person may agree to; attendance is required to be registered at all.
PURPOSE_TEXT: dict[str, dict[str, str]] = {
    "attendance": {
        "pl": "Zapis obecności na zajęciach",
        "uk": "Облік відвідування занять",
        "en": "Recording my attendance",
    },
    "reporting": {
        "pl": "Anonimowe liczby w raportach dla darczyńców",
        "uk": "Анонімні числа у звітах для донорів",
        "en": "Anonymous totals in reports to donors",
    },
    "contact": {
        "pl": "Kontakt telefoniczny w sprawie zajęć",
        "uk": "Звʼязок телефоном щодо занять",
        "en": "Being contacted by phone about activities",
    },
    "photos": {
        "pl": "Zdjęcia z zajęć (bez podpisów z nazwiskiem)",
        "uk": "Фото із занять (без підписів з прізвищем)",
        "en": "Photos from activities (never captioned with my name)",
    },
}
