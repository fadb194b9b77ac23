#!/usr/bin/env bash
# make bench: benchmarks under bench/, against a database of their own (created once).
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--rows 2000 --stock-rows 500" make bench;
# BENCH picks benchmarks by name, e.g. BENCH=lifecycle make bench; BENCH=load make bench is the
# load test (bench/load.py: its own 4-worker server on a loopback port, 8 clients for 60 s).
set -euo pipefail
. "$(dirname "$0")/common.sh"
DB=${BENCH_DB:-crm_suite_bench}
stop_on_signals
run_step bash "$ROOT/tools/setup.sh"
pg_start
mkdir -p "$BUILD/log"
db_ensure "$DB" "$BUILD/log/$DB-install.log" "$BUILD/log/$DB-update.log"
# The prefork configuration of `make run WORKERS=N`, for the load test's own server.
write_server_conf "$BUILD/bench-server.conf" 4
for bench in "$ROOT"/bench/${BENCH:-[!_]*}.py; do
    log "benchmark $(basename "$bench")"
    run_step "$VENV/bin/python" "$bench" --db "$DB" --server-conf "$BUILD/bench-server.conf" \
        ${BENCH_ARGS:-} -- \
        --addons-path="$ADDONS_PATH" --db_host="$PGDIR/run" --db_port="$PGPORT" \
        --db_user="$PGUSER_ODOO" --data-dir="$BUILD/filestore" \
        --logfile="$BUILD/log/bench.log" --log-level=warn
done
