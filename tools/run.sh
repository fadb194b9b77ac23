#!/usr/bin/env bash
# make run: set everything up, start the project's PostgreSQL, create (or re-use and update) the
# database with the addon and demo data, and serve Odoo on http://localhost:8069 (admin/admin).
set -euo pipefail
. "$(dirname "$0")/common.sh"
DB=${DB:-crm_suite}
PORT=${PORT:-8069}

bash "$ROOT/tools/setup.sh"
mkdir -p "$BUILD/log"
server_pid=""
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_start

# Code hash: update the addon in the existing database only when its files changed.
code_hash=$(cd "$ROOT" && git ls-files -co --exclude-standard -- . ':!docs' ':!tools' ':!bench' \
    | sort | xargs sha1sum 2>/dev/null | sha1sum | cut -d' ' -f1)
if ! db_exists "$DB"; then
    db_create "$DB" "" "$BUILD/log/$DB-install.log"
    echo "$code_hash" >"$BUILD/$DB.hash"
elif [ "$(cat "$BUILD/$DB.hash" 2>/dev/null)" != "$code_hash" ]; then
    log "addon changed since last run: updating $MODULE in $DB"
    odoo -d "$DB" -u "$MODULE" --stop-after-init --http-port=0 --http-interface=127.0.0.1 \
        --logfile="$BUILD/log/$DB-update.log"
    db_settle_modules "$DB"
    echo "$code_hash" >"$BUILD/$DB.hash"
fi

log "Odoo serving database $DB on http://localhost:$PORT (login admin / admin); Ctrl-C stops it"
# queue_job's runner (server-wide module) runs the background imports, one at a time.
ODOO_QUEUE_JOB_CHANNELS=root:1 "${ODOO[@]}" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" \
    --workers=0 --max-cron-threads=1 --load=web,queue_job &
server_pid=$!
wait "$server_pid"
