#!/usr/bin/env bash
# make test: set everything up, install the addon (+ sale_crm) with demo data in a fresh
# database, then, side by side (the machine has 2 cores; each of these uses about one):
#   - the addon's tests and Odoo's own crm and sale_crm tests with the addon installed
#     (pytest-odoo) on that database;
#   - the browser checks against a real server, then the fault smoke test (bench/faults.py
#     --smoke), on a copy of it (tools/test_ui.sh);
#   - the tooling's own test (tools/test_make_run.sh, started first: it installs a clone);
#   - make lint.
# Fails on any failing test and on any ERROR/CRITICAL log line; ends with "N passed, N failed".
# Stops cleanly on SIGINT, SIGTERM and SIGHUP (tools/common.sh): the steps running side by side
# are stopped too.
set -uo pipefail
. "$(dirname "$0")/common.sh"
DB=${TEST_DB:-crm_suite_test}
UI_DB=${DB}_ui
LOGDIR="$BUILD/log"
started=$(date +%s)

stop_on_signals
run_step bash "$ROOT/tools/setup.sh" || exit 1
mkdir -p "$LOGDIR"
# The test server's port, UI_PORT, differs between checkouts (tools/common.sh); if it is taken
# anyway, the next free one. The unit tests get the one after it.
if ! port_free "$UI_PORT" 127.0.0.1; then
    UI_PORT=$(free_port "$UI_PORT" 127.0.0.1) || die "no free port from $UI_PORT on: choose one with UI_PORT=..."
fi
TEST_PORT=$(free_port $((UI_PORT + 1)) 127.0.0.1) || die "no free port after $UI_PORT"
pg_start || exit 1

failed_steps=()
log_errors() {  # print ERROR/CRITICAL lines of a log file; true when there are some
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$1"
}

# 0. The tooling itself, from a clone in a 0700 directory (tools/test_make_run.sh; skipped in
# the make test that it runs itself): it installs its own database, so it starts now.
tools_pid=""
if [ "${CRM_SUITE_SKIP_TOOLS_TESTS:-}" != 1 ]; then
    : >"$LOGDIR/test-make-run.results"
    log "tooling test (tools/test_make_run.sh) started beside the others: $LOGDIR/test-make-run.out"
    start_background bash "$ROOT/tools/test_make_run.sh" "$LOGDIR/test-make-run.results" \
        >"$LOGDIR/test-make-run.out" 2>&1
    tools_pid=$LAST_BACKGROUND
fi

# 1. Fresh database with the addon, sale_crm and demo data (tests need demo data); its copy
# (and its files) for the browser checks, which save what they do.
for db in "$DB" "$UI_DB"; do
    if db_exists "$db"; then psql_ -d postgres -c "DROP DATABASE \"$db\""; fi
    rm -rf "$BUILD/filestore/filestore/$db"
done
if ! db_create "$DB" "sale_crm" "$LOGDIR/test-install.log"; then
    failed_steps+=("install (see $LOGDIR/test-install.log)")
fi
if log_errors "$LOGDIR/test-install.log"; then
    failed_steps+=("ERROR/CRITICAL lines while installing")
fi
psql_ -d postgres -c "CREATE DATABASE \"$UI_DB\" TEMPLATE \"$DB\"" || failed_steps+=("copy of $DB")
if [ -d "$BUILD/filestore/filestore/$DB" ]; then
    cp -a "$BUILD/filestore/filestore/$DB" "$BUILD/filestore/filestore/$UI_DB"
fi

# 2. Beside the unit tests: the browser checks and the fault smoke test, and lint.
: >"$LOGDIR/test-ui.results"
log "browser checks and fault smoke test (tools/test_ui.sh) started beside the unit tests: $LOGDIR/test-ui.out"
start_background bash "$ROOT/tools/test_ui.sh" "$UI_DB" "$UI_PORT" "$LOGDIR/test-ui.results" \
    >"$LOGDIR/test-ui.out" 2>&1
ui_pid=$LAST_BACKGROUND
start_background bash "$ROOT/tools/lint.sh" >"$LOGDIR/test-lint.out" 2>&1
lint_pid=$LAST_BACKGROUND

# 3. Every TransactionCase of the addon, crm and sale_crm, against the installed database.
cat >"$BUILD/odoo-test.conf" <<CONF
[options]
addons_path = $ADDONS_PATH
db_host = $PGDIR/run
db_port = $PGPORT
db_user = $PGUSER_ODOO
data_dir = $BUILD/filestore
logfile = $LOGDIR/test-pytest-odoo.log
log_level = info
http_port = $TEST_PORT
http_interface = 127.0.0.1
CONF
: >"$LOGDIR/test-pytest-odoo.log"
# Odoo's own suites that must keep passing with the addon installed (sale_crm 11.0 ships none).
odoo_suites=()
for addon in crm sale_crm; do
    [ -d "$SITE/odoo/addons/$addon/tests" ] && odoo_suites+=("$SITE/odoo/addons/$addon/tests")
done
log "unit tests (pytest-odoo)"
run_step env -C "$ADDONS_DIR" PYTHONPATH="$ROOT/tools" CRM_SUITE_ADDON_LINK="$ADDONS_DIR/$MODULE" \
    "$VENV/bin/pytest" -p pytest_addon_path -p no:cacheprovider -p no:warnings \
    --odoo-config "$BUILD/odoo-test.conf" --odoo-database "$DB" \
    --junitxml "$LOGDIR/pytest.xml" -o junit_family=xunit1 -q -r fE \
    "$MODULE/tests" "${odoo_suites[@]}"
pytest_rc=$?
log "unit tests done ($(( $(date +%s) - started )) s since the start)"
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

# 4. What ran beside: its output, in order, once it has ended.
show() {  # show TITLE FILE
    echo "======== $1 ($2)"
    cat "$2"
}
wait_background "$lint_pid"
lint_rc=$?
show "make lint" "$LOGDIR/test-lint.out"
lint_failed=0
if [ "$lint_rc" != 0 ]; then lint_failed=1; failed_steps+=("make lint (see its messages above)"); fi

wait_background "$ui_pid"
ui_rc=$?
show "browser checks and fault smoke test" "$LOGDIR/test-ui.out"
ui_total=$(grep -cE '^(ok|not ok) - ' "$LOGDIR/test-ui.results")
ui_failed=$(grep -c '^not ok - ' "$LOGDIR/test-ui.results")
while IFS= read -r line; do failed_steps+=("$line"); done \
    < <(grep '^not ok - ' "$LOGDIR/test-ui.results" | sed 's/^not ok - //')
while IFS= read -r line; do failed_steps+=("${line#FAILED: }"); done \
    < <(grep '^FAILED: ' "$LOGDIR/test-ui.results")
# Every check and the smoke test must have run (the script may have stopped short).
ui_expected=$(( $(ls "$ROOT"/tests/ui/check_*.py | wc -l) + 1 ))
if [ "$ui_rc" != 0 ] || [ "$ui_total" != "$ui_expected" ]; then
    failed_steps+=("tools/test_ui.sh exited $ui_rc after $ui_total of $ui_expected checks")
    if [ "$ui_total" -lt "$ui_expected" ]; then
        ui_failed=$((ui_failed + ui_expected - ui_total)); ui_total=$ui_expected
    fi
fi

tools_total=0; tools_failed=0
if [ -n "$tools_pid" ]; then
    wait_background "$tools_pid"
    tools_rc=$?
    show "tooling test" "$LOGDIR/test-make-run.out"
    if [ "$tools_rc" != 0 ]; then failed_steps+=("tools/test_make_run.sh (see its output above)"); fi
    tools_total=$(grep -cE '^(ok|not ok) ' "$LOGDIR/test-make-run.results")
    tools_failed=$(grep -c '^not ok ' "$LOGDIR/test-make-run.results")
    if [ "$tools_total" = 0 ]; then tools_total=1; tools_failed=1; fi
fi

total=$((py_total - py_skipped + ui_total + tools_total + 1))
failed=$((py_failed + ui_failed + tools_failed + lint_failed))
passed=$((total - failed))
log "make test took $(( $(date +%s) - started )) s"
for step in "${failed_steps[@]+"${failed_steps[@]}"}"; do echo "FAILED: $step"; done
echo "$passed passed, $failed failed"
[ "${#failed_steps[@]}" = 0 ]
