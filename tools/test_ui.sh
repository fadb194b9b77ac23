#!/usr/bin/env bash
# Run by tools/test.sh beside the unit tests (make test): the browser checks in tests/ui/
# against a real server on DB, a copy of the test database made for them, then the fault smoke
# test (bench/faults.py --smoke) on a copy of that one. Appends one "ok - ..." / "not ok - ..."
# line per check to RESULTS, and "FAILED: ..." for what fails without being a check (ERROR lines
# in the server's log). Stops its server on SIGTERM (tools/common.sh).
# Usage: test_ui.sh DB PORT RESULTS
set -uo pipefail
. "$(dirname "$0")/common.sh"
DB=$1
UI_PORT=$2
RESULTS=$3
LOGDIR="$BUILD/log"
KEEP_PG=1          # the cluster is tools/test.sh's
stop_on_signals

report() {  # report STATUS(0 = ok) DESCRIPTION
    if [ "$1" = 0 ]; then echo "ok - $2" >>"$RESULTS"; else echo "not ok - $2" >>"$RESULTS"; fi
}

db_settle_modules "$DB"
serve_for_browser "$DB" "$UI_PORT" "$LOGDIR/test-ui-server.log"
# Screenshots go to .build/screenshots (the checkout stays clean); `make screenshots` runs
# make test with SCREENSHOTS_DIR=docs to refresh the README's.
SHOTS=${SCREENSHOTS_DIR:-$BUILD/screenshots}
mkdir -p "$SHOTS"
for check in "$ROOT"/tests/ui/check_*.py; do
    log "browser check $(basename "$check")"
    run_step "$UIVENV/bin/python" "$check" --url "http://127.0.0.1:$UI_PORT" --db "$DB" \
        --out "$SHOTS"
    report $? "browser check $(basename "$check")"
done
stop_server
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$LOGDIR/test-ui-server.log"; then
    echo "FAILED: ERROR/CRITICAL lines in the server log during browser checks" >>"$RESULTS"
fi

# Faults (bench/faults.py --smoke): a prefork server with the job runner on a copy of the
# database, SIGKILLed while an import and a bulk close run as jobs, then restarted: both jobs
# run again to exactly the result of one run. Its server log is its own ($LOGDIR/faults-*.log):
# the kill makes errors there on purpose.
log "fault smoke test (bench/faults.py --smoke)"
run_step "$VENV/bin/python" "$ROOT/bench/faults.py" --db "$DB" --smoke --port "$UI_PORT" \
    -- --addons-path="$ADDONS_PATH" --db_host="$PGDIR/run" --db_port="$PGPORT" \
    --db_user="$PGUSER_ODOO" --data-dir="$BUILD/filestore" \
    --logfile="$LOGDIR/test-faults.log" --log-level=warn
report $? "fault smoke test (bench/faults.py --smoke; server logs: $LOGDIR/faults-*.log)"
