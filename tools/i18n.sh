#!/usr/bin/env bash
# make pot: regenerate i18n/crm_opportunity_suite.pot from the code and views (in a scratch
# database) and merge the new terms into i18n/fr.po (new terms come out empty: translate them).
set -euo pipefail
. "$(dirname "$0")/common.sh"
DB=crm_suite_i18n
stop_on_signals
run_step bash "$ROOT/tools/setup.sh"
pg_start
mkdir -p "$BUILD/log"
if db_exists "$DB"; then
    odoo -d "$DB" -u "$MODULE" --stop-after-init --http-port=0 --logfile="$BUILD/log/i18n.log"
else
    db_create "$DB" "" "$BUILD/log/i18n.log"
fi
# Exported without a language, a .po file is the template.
odoo -d "$DB" --i18n-export="$BUILD/$MODULE.po" --modules="$MODULE" --stop-after-init \
    --http-port=0 --logfile="$BUILD/log/i18n.log"
mv "$BUILD/$MODULE.po" "$ROOT/i18n/$MODULE.pot"
if [ -f "$ROOT/i18n/fr.po" ]; then
    msgmerge --quiet --no-fuzzy-matching --update --backup=none "$ROOT/i18n/fr.po" "$ROOT/i18n/$MODULE.pot"
else
    msginit --no-translator --locale=fr --input="$ROOT/i18n/$MODULE.pot" --output-file="$ROOT/i18n/fr.po"
fi
log "untranslated in fr.po: $(msgattrib --untranslated "$ROOT/i18n/fr.po" | grep -c '^msgid' || true)"
