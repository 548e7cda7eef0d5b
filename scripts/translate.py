#!/usr/bin/env python3
"""Set translations from the command line, after scripts/i18n.sh has added new strings:

    .venv/bin/python scripts/translate.py '{"English text": {"pl": "…", "uk": "…"}}'

The English catalog gets the msgid itself. Files are written the way Babel writes them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "server" / "i18n" / "locales"


def main(argv: list[str]) -> int:
    translations: dict[str, dict[str, str]] = json.loads(argv[1])
    for language in ("pl", "uk", "en"):
        path = LOCALES / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as po:
            catalog = read_po(po, locale=language)
        for msgid, by_language in translations.items():
            message = catalog.get(msgid)
            if message is None:
                print(f"translate: {msgid!r} is not in the {language} catalog", file=sys.stderr)
                return 1
            # English gets the source text itself: both forms of a plural message.
            message.string = message.id if language == "en" else by_language[language]
            message.flags.discard("fuzzy")
        with path.open("wb") as po:
            write_po(po, catalog, width=76, sort_output=True, no_location=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
