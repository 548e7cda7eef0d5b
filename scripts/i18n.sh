#!/usr/bin/env bash
# Extract translatable strings and merge them into the pl, uk and en catalogs.
# Usage: scripts/i18n.sh   (then translate the new entries in server/i18n/locales/*/LC_MESSAGES/messages.po)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=${PYTHON:-.venv/bin/python}
pot=$(mktemp --suffix=.pot)
"$py" -m babel.messages.frontend -q extract -F babel.cfg -k N_ -k _ --no-location --sort-output \
  --project=Razem --copyright-holder="Razem contributors" -o "$pot" . >/dev/null
for lang in pl uk en; do
  po="server/i18n/locales/$lang/LC_MESSAGES/messages.po"
  if [ -f "$po" ]; then
    "$py" -m babel.messages.frontend -q update -i "$pot" -o "$po" -l "$lang" --no-fuzzy-matching --ignore-obsolete >/dev/null
  else
    "$py" -m babel.messages.frontend -q init -i "$pot" -o "$po" -l "$lang" >/dev/null
  fi
done
rm -f "$pot"
echo "catalogs updated: server/i18n/locales/{pl,uk,en}"
