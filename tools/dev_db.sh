#!/usr/bin/env bash
# Developer loop (not used by make test): create the test database of tools/quick_test.sh
# (crm_suite_test: the addon, sale_crm, demo data, French) without running the tests, which is
# what a first `make test` would otherwise be needed for. Recreates it when it exists.
# Leaves PostgreSQL running; `bash tools/quick_test.sh --stop` stops it.
set -uo pipefail
. "$(dirname "$0")/common.sh"
DB=${TEST_DB:-crm_suite_test}
KEEP_PG=1
stop_on_signals
run_step bash "$ROOT/tools/setup.sh" || exit 1
pg_start || exit 1
mkdir -p "$BUILD/log"
if db_exists "$DB"; then psql_ -d postgres -c "DROP DATABASE \"$DB\""; fi
db_create "$DB" "sale_crm" "$BUILD/log/dev-db.log" || { tail -30 "$BUILD/log/dev-db.log"; exit 1; }
log "database $DB ready"
