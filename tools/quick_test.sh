#!/usr/bin/env bash
# Developer loop (not used by make test): update the addon in the existing test database
# (made by make test) and run the given test files, e.g.
#   bash tools/quick_test.sh tests/test_import.py
# Leaves PostgreSQL running; `bash tools/quick_test.sh --stop` stops it.
set -uo pipefail
. "$(dirname "$0")/common.sh"
DB=${TEST_DB:-crm_suite_test}
if [ "${1:-}" = "--stop" ]; then pg_stop; exit 0; fi
KEEP_PG=1
stop_on_signals
pg_start || exit 1
db_exists "$DB" || { echo "no database $DB: run make test once"; exit 1; }
conf="$BUILD/odoo-quick.conf"
cat >"$conf" <<CONF
[options]
addons_path = $ADDONS_PATH
db_host = $PGDIR/run
db_port = $PGPORT
db_user = $PGUSER_ODOO
data_dir = $BUILD/filestore
logfile = $BUILD/log/quick-pytest.log
http_port = $QUICK_PORT
http_interface = 127.0.0.1
CONF
if [ "${SKIP_UPDATE:-}" != 1 ]; then
    : >"$BUILD/log/quick-update.log"
    odoo -d "$DB" -u "$MODULE" --stop-after-init --http-port=0 --http-interface=127.0.0.1 \
        --logfile="$BUILD/log/quick-update.log" || { tail -30 "$BUILD/log/quick-update.log"; exit 1; }
    grep -E ' (ERROR|CRITICAL) ' "$BUILD/log/quick-update.log" | head -20
fi
files=()
for f in "$@"; do files+=("$MODULE/$f"); done
run_step env -C "$ADDONS_DIR" PYTHONPATH="$ROOT/tools" CRM_SUITE_ADDON_LINK="$ADDONS_DIR/$MODULE" \
    "$VENV/bin/pytest" -p pytest_addon_path -p no:cacheprovider -p no:warnings \
    --odoo-config "$conf" --odoo-database "$DB" -q -x -r fE "${files[@]:-$MODULE/tests}"
