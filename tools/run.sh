#!/usr/bin/env bash
# make run: set everything up, start the project's PostgreSQL, create (or re-use and update) the
# database with the addon and demo data, and serve Odoo on http://localhost:8069 (admin/admin).
# Ctrl-C, SIGTERM or SIGHUP (to the script, to make or to the whole process group) stop Odoo
# gracefully, then PostgreSQL (see "Stopping cleanly" in tools/common.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"
DB=${DB:-crm_suite}
PORT=${PORT:-8069}

stop_on_signals
run_step bash "$ROOT/tools/setup.sh"
port_free "$PORT" || die "port $PORT is in use (another make run?): stop what listens on it, or serve on another port: PORT=8070 make run"
mkdir -p "$BUILD/log"
pg_start

db_ensure "$DB" "$BUILD/log/$DB-install.log" "$BUILD/log/$DB-update.log"

log "Odoo serving database $DB on http://localhost:$PORT (login admin / admin); Ctrl-C stops it"
# queue_job's runner (server-wide module) runs the background imports, one at a time.
start_server env ODOO_QUEUE_JOB_CHANNELS=root:1 "${ODOO[@]}" -d "$DB" --db-filter="^$DB\$" \
    --http-port="$PORT" --workers=0 --max-cron-threads=1 --load=web,queue_job
rc=0
wait "$SERVER" || rc=$?
SERVER=""
exit "$rc"
