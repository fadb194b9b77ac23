#!/usr/bin/env bash
# make test: set everything up, install the addon (+ sale_crm) with demo data in a fresh
# database, run the addon's tests and Odoo's own crm and sale_crm tests with the addon installed
# (pytest-odoo), then the browser checks against a real server, the fault smoke test
# (bench/faults.py --smoke), then the tooling's own test (tools/test_make_run.sh). Fails on
# any failing test and on any ERROR/CRITICAL log line; ends with "N passed, N failed". Stops
# cleanly on SIGINT, SIGTERM and SIGHUP (tools/common.sh).
set -uo pipefail
. "$(dirname "$0")/common.sh"
DB=${TEST_DB:-crm_suite_test}
LOGDIR="$BUILD/log"
started=$(date +%s)

stop_on_signals
run_step bash "$ROOT/tools/setup.sh" || exit 1
mkdir -p "$LOGDIR"
# The test server's port, UI_PORT, differs between checkouts (tools/common.sh); if it is taken
# anyway, the next free one.
if ! port_free "$UI_PORT" 127.0.0.1; then
    UI_PORT=$(free_port "$UI_PORT" 127.0.0.1) || die "no free port from $UI_PORT on: choose one with UI_PORT=..."
fi
pg_start || exit 1

failed_steps=()
log_errors() {  # print ERROR/CRITICAL lines of a log file; true when there are some
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$1"
}

# 1. Fresh database with the addon, sale_crm and demo data (tests need demo data).
if db_exists "$DB"; then psql_ -d postgres -c "DROP DATABASE \"$DB\""; fi
if ! db_create "$DB" "sale_crm" "$LOGDIR/test-install.log"; then
    failed_steps+=("install (see $LOGDIR/test-install.log)")
fi
if log_errors "$LOGDIR/test-install.log"; then
    failed_steps+=("ERROR/CRITICAL lines while installing")
fi

# 2. Every TransactionCase of the addon, crm and sale_crm, against the installed database.
cat >"$BUILD/odoo-test.conf" <<CONF
[options]
addons_path = $ADDONS_PATH
db_host = $PGDIR/run
db_port = $PGPORT
db_user = $PGUSER_ODOO
data_dir = $BUILD/filestore
logfile = $LOGDIR/test-pytest-odoo.log
log_level = info
http_port = $UI_PORT
http_interface = 127.0.0.1
CONF
: >"$LOGDIR/test-pytest-odoo.log"
# Odoo's own suites that must keep passing with the addon installed (sale_crm 11.0 ships none).
odoo_suites=()
for addon in crm sale_crm; do
    [ -d "$SITE/odoo/addons/$addon/tests" ] && odoo_suites+=("$SITE/odoo/addons/$addon/tests")
done
run_step env -C "$ADDONS_DIR" PYTHONPATH="$ROOT/tools" CRM_SUITE_ADDON_LINK="$ADDONS_DIR/$MODULE" \
    "$VENV/bin/pytest" -p pytest_addon_path -p no:cacheprovider -p no:warnings \
    --odoo-config "$BUILD/odoo-test.conf" --odoo-database "$DB" \
    --junitxml "$LOGDIR/pytest.xml" -o junit_family=xunit1 -q -r fE \
    "$MODULE/tests" "${odoo_suites[@]}"
pytest_rc=$?
if [ "$pytest_rc" != 0 ]; then failed_steps+=("pytest exited $pytest_rc"); fi
if log_errors "$LOGDIR/test-pytest-odoo.log"; then
    failed_steps+=("ERROR/CRITICAL lines during the tests (see $LOGDIR/test-pytest-odoo.log)")
fi
read -r py_total py_failed py_skipped < <("$VENV/bin/python" - "$LOGDIR/pytest.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1, 0)
    raise SystemExit
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
total = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(total, failed, skipped)
PY
)

# 3. Browser checks: a real server on the test database, driven by Playwright + Chromium.
ui_total=0; ui_failed=0
db_settle_modules "$DB"
: >"$LOGDIR/test-ui-server.log"
start_server "${ODOO[@]}" -d "$DB" --db-filter="^$DB\$" --http-port="$UI_PORT" \
    --http-interface=127.0.0.1 --workers=0 --max-cron-threads=0 \
    --logfile="$LOGDIR/test-ui-server.log"
for _ in $(seq 1 60); do
    curl -sf -o /dev/null "http://127.0.0.1:$UI_PORT/web/login" && break
    sleep 1
done
# Screenshots go to .build/screenshots (the checkout stays clean); `make screenshots` runs
# make test with SCREENSHOTS_DIR=docs to refresh the README's.
SHOTS=${SCREENSHOTS_DIR:-$BUILD/screenshots}
mkdir -p "$SHOTS"
for check in "$ROOT"/tests/ui/check_*.py; do
    ui_total=$((ui_total + 1))
    log "browser check $(basename "$check")"
    if ! run_step "$UIVENV/bin/python" "$check" --url "http://127.0.0.1:$UI_PORT" --db "$DB" \
            --out "$SHOTS"; then
        ui_failed=$((ui_failed + 1))
        failed_steps+=("browser check $(basename "$check")")
    fi
done
stop_server
if log_errors "$LOGDIR/test-ui-server.log"; then
    failed_steps+=("ERROR/CRITICAL lines in the server log during browser checks")
fi

# 3b. Faults (bench/faults.py --smoke): a prefork server with the job runner on a copy of the
# test database, SIGKILLed while an import and a bulk close run as jobs, then restarted: both
# jobs run again to exactly the result of one run. Its server log is its own
# ($LOGDIR/faults-*.log): the kill makes errors there on purpose.
faults_failed=0
log "fault smoke test (bench/faults.py --smoke)"
if ! run_step "$VENV/bin/python" "$ROOT/bench/faults.py" --db "$DB" --smoke --port "$UI_PORT" \
        -- --addons-path="$ADDONS_PATH" --db_host="$PGDIR/run" --db_port="$PGPORT" \
        --db_user="$PGUSER_ODOO" --data-dir="$BUILD/filestore" \
        --logfile="$LOGDIR/test-faults.log" --log-level=warn; then
    faults_failed=1
    failed_steps+=("fault smoke test (bench/faults.py --smoke; server logs: $LOGDIR/faults-*.log)")
fi

# 4. The tooling itself: make run from a clone in a 0700 directory, stopped by each signal
# (tools/test_make_run.sh; skipped in the make test that it runs itself).
tools_total=0; tools_failed=0
if [ "${CRM_SUITE_SKIP_TOOLS_TESTS:-}" != 1 ]; then
    : >"$LOGDIR/test-make-run.results"
    if ! run_step bash "$ROOT/tools/test_make_run.sh" "$LOGDIR/test-make-run.results"; then
        failed_steps+=("tools/test_make_run.sh (see its output above)")
    fi
    tools_total=$(grep -cE '^(ok|not ok) ' "$LOGDIR/test-make-run.results")
    tools_failed=$(grep -c '^not ok ' "$LOGDIR/test-make-run.results")
    if [ "$tools_total" = 0 ]; then tools_total=1; tools_failed=1; fi
fi

# 5. pylint-odoo (tools/lint.sh): no message.
lint_failed=0
log "lint"
if ! run_step bash "$ROOT/tools/lint.sh"; then
    lint_failed=1
    failed_steps+=("make lint (see its messages above)")
fi

total=$((py_total - py_skipped + ui_total + 1 + tools_total + 1))
failed=$((py_failed + ui_failed + faults_failed + tools_failed + lint_failed))
passed=$((total - failed))
log "make test took $(( $(date +%s) - started )) s"
for step in "${failed_steps[@]+"${failed_steps[@]}"}"; do echo "FAILED: $step"; done
echo "$passed passed, $failed failed"
[ "${#failed_steps[@]}" = 0 ]
