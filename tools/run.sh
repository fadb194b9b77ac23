#!/usr/bin/env bash
# make run: set everything up, start the project's PostgreSQL, create (or re-use and update) the
# database with the addon and demo data, and serve Odoo on http://localhost:8069 (admin/admin).
# WORKERS=N serves with Odoo's prefork server: N HTTP workers, a cron worker, the longpolling
# process on LONGPOLLING_PORT (PORT + 3 by default) and queue_job's runner, with the limits of
# the configuration written by write_server_conf (tools/common.sh; README, "Running on several
# workers and hosts").
# Ctrl-C, SIGTERM or SIGHUP (to the script, to make or to the whole process group) stop Odoo
# gracefully, then PostgreSQL (see "Stopping cleanly" in tools/common.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"
DB=${DB:-crm_suite}
PORT=${PORT:-8069}
WORKERS=${WORKERS:-0}
LONGPOLLING_PORT=${LONGPOLLING_PORT:-$((PORT + 3))}
[[ "$WORKERS" =~ ^[0-9]+$ ]] || die "WORKERS must be a number of HTTP workers (0: one threaded process), not '$WORKERS'"

stop_on_signals
run_step bash "$ROOT/tools/setup.sh"
port_free "$PORT" || die "port $PORT is in use (another make run?): stop what listens on it, or serve on another port: PORT=8070 make run"
if [ "$WORKERS" -gt 0 ]; then
    port_free "$LONGPOLLING_PORT" || die "port $LONGPOLLING_PORT (longpolling of the workers) is in use: stop what listens on it, or choose another: LONGPOLLING_PORT=8080 make run WORKERS=$WORKERS"
fi
mkdir -p "$BUILD/log"
pg_start

db_ensure "$DB" "$BUILD/log/$DB-install.log" "$BUILD/log/$DB-update.log"

if [ "$WORKERS" -gt 0 ]; then
    CONF="$BUILD/server-$DB.conf"
    write_server_conf "$CONF" "$WORKERS"
    log "Odoo serving database $DB on http://localhost:$PORT (login admin / admin) with $WORKERS workers, a cron worker, longpolling on port $LONGPOLLING_PORT and queue_job's runner ($JOB_CHANNELS; configuration $CONF); Ctrl-C stops it"
    # The master stops its workers, runner and longpolling process itself (stop_group).
    SERVER_LEADER=leader
    start_server "${ODOO[@]}" -c "$CONF" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" \
        --longpolling-port="$LONGPOLLING_PORT"
else
    log "Odoo serving database $DB on http://localhost:$PORT (login admin / admin); Ctrl-C stops it"
    # queue_job's runner (server-wide module) runs the background imports, one at a time.
    start_server env ODOO_QUEUE_JOB_CHANNELS=root:1 "${ODOO[@]}" -d "$DB" --db-filter="^$DB\$" \
        --http-port="$PORT" --workers=0 --max-cron-threads=1 --load=web,queue_job
fi
rc=0
wait "$SERVER" || rc=$?
SERVER=""
exit "$rc"
