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

db_ensure "$DB" "$BUILD/log/$DB-install.log" "$BUILD/log/$DB-update.log"

log "Odoo serving database $DB on http://localhost:$PORT (login admin / admin); Ctrl-C stops it"
# queue_job's runner (server-wide module) runs the background imports, one at a time.
ODOO_QUEUE_JOB_CHANNELS=root:1 "${ODOO[@]}" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" \
    --workers=0 --max-cron-threads=1 --load=web,queue_job &
server_pid=$!
wait "$server_pid"
