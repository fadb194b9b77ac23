#!/usr/bin/env bash
# Developer loop (not used by make test): update the addon in the test database (made by make
# test or tools/dev_db.sh), serve it on this checkout's UI port and run the given browser
# checks, e.g.
#   bash tools/dev_ui.sh tests/ui/check_journeys.py --only demo:fr_FR
# Screenshots go to .build/dev-screenshots. Leaves PostgreSQL running.
set -uo pipefail
. "$(dirname "$0")/common.sh"
DB=${TEST_DB:-crm_suite_test}
KEEP_PG=1
stop_on_signals
pg_start || exit 1
db_exists "$DB" || { echo "no database $DB: run tools/dev_db.sh or make test once"; exit 1; }
mkdir -p "$BUILD/log" "$BUILD/dev-screenshots"
if [ "${SKIP_UPDATE:-}" != 1 ]; then
    odoo -d "$DB" -u "$MODULE" --stop-after-init --http-port=0 --http-interface=127.0.0.1 \
        --logfile="$BUILD/log/dev-ui-update.log" || { tail -30 "$BUILD/log/dev-ui-update.log"; exit 1; }
    db_settle_modules "$DB"
fi
if ! port_free "$UI_PORT" 127.0.0.1; then UI_PORT=$(free_port "$UI_PORT" 127.0.0.1); fi
serve_for_browser "$DB" "$UI_PORT" "$BUILD/log/dev-ui-server.log"
check=$1; shift
run_step "$UIVENV/bin/python" "$check" --url "http://127.0.0.1:$UI_PORT" --db "$DB" \
    --out "$BUILD/dev-screenshots" "$@"
rc=$?
stop_server
grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$BUILD/log/dev-ui-server.log" | head -20
exit "$rc"
