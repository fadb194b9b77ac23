# Shared settings for the developer scripts (sourced, not executed).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Project-local state (logs, filestore) lives in the checkout, git-ignored.
BUILD="$ROOT/.build"
# Installed software lives outside the checkout: Odoo walks an addon's whole folder (e.g. to
# export translations), and a virtualenv or a link back to the addon inside it would be walked
# too. Keyed by the pinned requirements, so checkouts with the same pins share one install.
CACHE="${CRM_SUITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crm_opportunity_suite}"
PY_KEY=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-oca.txt" "$ROOT/constraints.txt" \
    "$ROOT/tools/prune_addons.py" | sha1sum | cut -c1-12)
UI_KEY=$(sha1sum "$ROOT/tools/ui-requirements.txt" | cut -c1-12)
VENV="$CACHE/venv-$PY_KEY"
WEBSITE="$CACHE/website-$PY_KEY"
EXTRA="$CACHE/extra-$PY_KEY"
UIVENV="$CACHE/uivenv-$UI_KEY"
# What belongs to one checkout is keyed by its path.
CHECKOUT_KEY=$(printf %s "$ROOT" | sha1sum | cut -c1-12)
ADDONS_DIR="$CACHE/addons-$CHECKOUT_KEY"
# The project's PostgreSQL runs as the postgres user, which must reach its cluster: not in the
# checkout nor in the cache (under a home directory, often 0700 like /root), but in a directory
# of its own under PG_ROOT (root's, 0755), one per checkout (postgres's, 0700).
PG_ROOT="${CRM_SUITE_PG_ROOT:-/var/tmp/crm_opportunity_suite-pg}"
PGDIR="$PG_ROOT/$CHECKOUT_KEY"
PGBIN=/usr/lib/postgresql/15/bin
# Default ports differ between checkouts (derived from the same key, below the ephemeral
# range): PGPORT only names the server's socket (it listens on no TCP address), UI_PORT is the
# test server's (tools/test.sh), QUICK_PORT tools/quick_test.sh's. Each can be overridden.
PORT_SLOT=$(( 0x${CHECKOUT_KEY:0:8} % 1000 ))
PGPORT=${PGPORT:-$((26000 + PORT_SLOT))}
UI_PORT=${UI_PORT:-$((27000 + PORT_SLOT))}
QUICK_PORT=${QUICK_PORT:-$((28000 + PORT_SLOT))}
PGUSER_ODOO=odoo
MODULE=crm_opportunity_suite
SITE="$VENV/lib/python3.7/site-packages"
ADDONS_PATH="$SITE/odoo/addons,$WEBSITE/odoo/addons,$EXTRA,$ADDONS_DIR"
export NODE_PATH=/usr/share/nodejs
# Odoo 11 imports every addon on disk at the first web request; a request arriving while the
# registry loads races with it ("Model ... inherits from non-existing model"). Installed
# addons are imported by the registry anyway.
export ODOO_PRELOAD_ADDONS=no

log() { printf '\033[1m[%s] %s\033[0m\n' "$(date +%H:%M:%S)" "$*" >&2; }
# die MESSAGE: what is wrong and what to do, then exit (the EXIT trap, if any, cleans up).
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Odoo's command line with the project's addons path and database: run it with `odoo ARGS`
# (a step, see run_step) or start a server beside the script with start_server "${ODOO[@]}".
ODOO=("$VENV/bin/python" -c "import odoo.cli, sys; sys.argv=['odoo'] + sys.argv[1:]; odoo.cli.main()"
      --addons-path="$ADDONS_PATH" --db_host="$PGDIR/run" --db_port="$PGPORT"
      --db_user="$PGUSER_ODOO" --data-dir="$BUILD/filestore")
odoo() { run_step "${ODOO[@]}" "$@"; }

# --- Stopping cleanly ----------------------------------------------------------------------
# make run / make test are stopped by Ctrl-C, a closed terminal or a supervisor: SIGINT, SIGHUP
# or SIGTERM, sent to the script, to make, or to the whole process group. Odoo shuts down
# gracefully on its first SIGINT/SIGTERM, forces the shutdown ("Forced shutdown.") on a second
# one and restarts itself on SIGHUP. So every long step (Odoo, pytest, the browser checks) runs
# in a process group of its own (setsid), out of reach of signals sent to the script's group;
# the script's trap sends exactly one SIGTERM to it, waits for it, then stops PostgreSQL.
# pg_ctl runs in a session of its own too, so that a signal cannot cut it short.
CHILD=""          # the step being waited for (run_step)
SERVER=""         # a server running beside the steps (start_server)
WATCHER=""        # see watch_make
STOPPING=""
HANDLING_SIGNALS=""
KEEP_PG=""        # tools/quick_test.sh leaves PostgreSQL running
EXIT_HOOK=""      # a command run at exit, after the steps are stopped

stop_on_signals() {
    HANDLING_SIGNALS=1
    trap 'on_signal 129' HUP
    trap 'on_signal 130' INT
    trap 'on_signal 143' TERM
    trap on_exit EXIT
    watch_make
}

on_signal() {
    [ -z "$STOPPING" ] || return 0
    STOPPING=1
    trap '' HUP INT TERM   # one signal is enough: later ones must not cut the clean-up short
    log "stopping (SIG$(kill -l $(($1 - 128))))"
    exit "$1"
}

on_exit() {
    local rc=$?
    trap '' HUP INT TERM
    trap - EXIT
    STOPPING=1
    stop_watcher
    stop_group "$CHILD"; CHILD=""
    stop_group "$SERVER"; SERVER=""
    if [ -n "$EXIT_HOOK" ]; then $EXIT_HOOK || true; fi
    [ -n "$KEEP_PG" ] || pg_stop
    exit "$rc"
}

# run_step CMD...: run CMD in a process group of its own and wait for it (in the foreground
# when the script does not handle signals: nothing would stop it).
run_step() {
    if [ -z "$HANDLING_SIGNALS" ]; then "$@"; return; fi
    local rc=0
    setsid "$@" &
    CHILD=$!
    wait "$CHILD" || rc=$?
    CHILD=""
    return "$rc"
}

# start_server CMD...: start CMD in a process group of its own; its pid in $SERVER.
start_server() { setsid "$@" & SERVER=$!; }

# stop_server: one SIGTERM, wait for it; its exit status.
stop_server() {
    local pid=$SERVER rc=0
    SERVER=""
    stop_group "$pid" || rc=$?
    return "$rc"
}

# proc_alive PID: the process runs (exited but not yet waited for does not count).
proc_alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# stop_group PID: one SIGTERM to the process group that PID leads (started by run_step or
# start_server), wait for PID (SIGKILL after 60 s), then stop whatever it left in its group.
# Returns PID's exit status.
stop_group() {
    local pid=$1 i rc=0
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do
        proc_alive "$pid" || break
        sleep 0.1
    done
    if proc_alive "$pid"; then
        log "process $pid did not stop within 60 s of SIGTERM: killing it"
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    if [ -e "/proc/$pid" ]; then wait "$pid" 2>/dev/null || rc=$?; fi
    if kill -0 -- "-$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || true
        sleep 1
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    return "$rc"
}

# GNU make passes SIGTERM on to its recipe, but on SIGINT or SIGHUP sent to make alone (not to
# its group) it only waits for the recipe to end, that signal blocked while its handler waits.
# When the script's parent is make, a watcher reads make's blocked signals (/proc) and asks
# the script to stop when make is seen waiting that way twice in a row.
watch_make() {
    local parent=$PPID script=$$
    [ "$(cat "/proc/$parent/comm" 2>/dev/null)" = make ] || return 0
    (
        # Quiet when stopped (bash reports a job killed by a signal), and no sleep process: a
        # read that times out on a pipe nobody writes to.
        trap 'exit 0' HUP TERM
        exec 9<> <(:)
        seen=0
        while kill -0 "$script" 2>/dev/null; do
            blocked=""
            while read -r key value; do
                if [ "$key" = SigBlk: ]; then blocked=$value; fi
            done 2>/dev/null <"/proc/$parent/status" || exit 0
            [ -n "$blocked" ] || exit 0
            # SIGHUP (1), SIGINT (2), SIGTERM (15): bits 0, 1, 14.
            if (( 0x$blocked & 0x4003 )); then seen=$((seen + 1)); else seen=0; fi
            if [ "$seen" -ge 2 ]; then kill -TERM "$script"; exit 0; fi
            read -r -t 0.5 -u 9 _ || true
        done
    ) &
    WATCHER=$!
}

stop_watcher() {
    [ -n "$WATCHER" ] || return 0
    kill -TERM "$WATCHER" 2>/dev/null || true
    reap "$WATCHER"
    WATCHER=""
}

# reap PID: wait for a child that has ended or is ending. Not blocking when it was reaped
# already: a child that ended as a signal interrupted `wait` may have been reaped without bash
# noting it, and `wait PID` would then wait for any other child instead (seen with SIGHUP sent
# to the whole group: the watcher and the script got it at once).
reap() {
    local i
    for ((i = 0; i < 50; i++)); do
        proc_alive "$1" || break
        sleep 0.1
    done
    if [ -e "/proc/$1" ]; then wait "$1" 2>/dev/null; fi
}

# port_free PORT [ADDRESS]: nothing listens on PORT (all addresses by default): Odoo can bind it.
port_free() {
    "$VENV/bin/python" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[1])))' "$1" "${2:-}" 2>/dev/null
}

# free_port START [ADDRESS]: the first free port from START on (100 tried).
free_port() {
    local port
    for ((port = $1; port < $1 + 100; port++)); do
        if port_free "$port" "${2:-}"; then echo "$port"; return 0; fi
    done
    return 1
}

# --- The project's PostgreSQL ----------------------------------------------------------------
# pg_ctl as the postgres user, from / (the current directory, e.g. a checkout under /root, may
# be out of its reach), in a session of its own (see above).
pg_ctl_() {
    setsid -w env -C / runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" "$@"
}

# pg_blocker DIR: the first directory from / down to DIR that the postgres user cannot search.
pg_blocker() {
    local dir="" part
    local -a parts
    IFS=/ read -r -a parts <<<"${1#/}"
    for part in "${parts[@]}"; do
        dir="$dir/$part"
        if ! (cd / && runuser -u postgres -- test -x "$dir"); then echo "$dir"; return 0; fi
    done
    return 1
}

# Make the cluster's directory (see PG_ROOT), reachable by the postgres user, or say what is
# wrong and what to do. The modes of existing directories are left alone.
pg_prepare() {
    local dir blocker
    [ "$(id -u)" = 0 ] || die "the project's PostgreSQL runs as the postgres user (through runuser), which needs root: run make as root"
    id -u postgres >/dev/null 2>&1 || die "there is no postgres user: PostgreSQL 15 is not installed (tools/setup.sh installs it: make setup)"
    [ -x "$PGBIN/pg_ctl" ] || die "$PGBIN/pg_ctl is missing: PostgreSQL 15 is not installed (make setup installs it)"
    case "$PG_ROOT" in /*) ;; *) die "CRM_SUITE_PG_ROOT must be an absolute path (it is $PG_ROOT)";; esac
    dir=$PG_ROOT
    while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done
    if blocker=$(pg_blocker "$dir"); then
        die "PostgreSQL runs as the postgres user, which cannot reach $PGDIR, where this checkout's cluster would be: $blocker is $(stat -c '%A, owner %U' "$blocker"). These scripts do not change the modes of your directories: keep the clusters in a directory that postgres can reach, e.g. CRM_SUITE_PG_ROOT=/var/tmp/crm_opportunity_suite-pg (the default)"
    fi
    if [ ! -e "$PG_ROOT" ] && [ ! -L "$PG_ROOT" ]; then
        mkdir -p "$(dirname "$PG_ROOT")"
        mkdir -m 0755 "$PG_ROOT"
    fi
    # It holds the cluster of every checkout: a directory nobody but root may change.
    if [ -L "$PG_ROOT" ] || [ ! -d "$PG_ROOT" ] || [ "$(stat -c %u "$PG_ROOT")" != 0 ] \
            || (( 0$(stat -c %a "$PG_ROOT") & 022 )); then
        die "$PG_ROOT must be a directory owned by root that only root may write to (it is: $(stat -c '%F, %A, owner %U' "$PG_ROOT")): remove it, or keep the clusters elsewhere with CRM_SUITE_PG_ROOT=DIR"
    fi
    if [ ! -d "$PGDIR" ]; then
        mkdir -m 0700 "$PGDIR"
        chown postgres:postgres "$PGDIR"
    fi
    printf '%s\n' "$ROOT" >"$PGDIR/checkout"   # whose cluster this is
    if ! (cd / && runuser -u postgres -- test -x "$PGDIR" -a -w "$PGDIR"); then
        blocker=$(pg_blocker "$PGDIR") || blocker=$PGDIR
        die "the postgres user cannot use $PGDIR ($blocker is $(stat -c '%A, owner %U' "$blocker")): remove $PGDIR, or keep the clusters elsewhere with CRM_SUITE_PG_ROOT=DIR"
    fi
}

pg_start() {
    pg_prepare
    if [ -f "$BUILD/pg/data/PG_VERSION" ]; then
        log "note: $BUILD/pg holds a cluster made by an older version of these scripts; it is no longer used (make clean deletes it)"
    fi
    if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
        log "initdb $PGDIR/data (the cluster of $ROOT)"
        rm -rf "$PGDIR/data"
        mkdir -p "$PGDIR/data" "$PGDIR/run"
        chown -R postgres:postgres "$PGDIR"
        (cd / && runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U "$PGUSER_ODOO" \
            --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log") \
            || die "initdb failed (see $PGDIR/initdb.log)"
    fi
    mkdir -p "$PGDIR/run" && chown postgres:postgres "$PGDIR/run"
    if pg_ctl_ status >/dev/null 2>&1; then
        return 0
    fi
    log "starting PostgreSQL: cluster $PGDIR/data, socket $PGDIR/run port $PGPORT"
    if ! pg_ctl_ -l "$PGDIR/server.log" -w \
        -o "-k $PGDIR/run -p $PGPORT -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null; then
        tail -n 20 "$PGDIR/server.log" >&2
        die "PostgreSQL did not start (its log: $PGDIR/server.log, end above). If the cluster is damaged, make clean deletes it, with this checkout's databases"
    fi
}

pg_stop() {
    if [ -f "$PGDIR/data/PG_VERSION" ] && pg_ctl_ status >/dev/null 2>&1; then
        log "stopping PostgreSQL"
        pg_ctl_ -m fast -w stop >/dev/null || true
    fi
}

# make clean: stop and delete this checkout's cluster (and one left in .build/pg by an older
# version of these scripts) and its addons link; the Makefile then deletes .build.
clean_checkout() {
    pg_stop
    if [ -f "$BUILD/pg/data/postmaster.pid" ]; then
        (cd / && setsid -w runuser -u postgres -- "$PGBIN/pg_ctl" -D "$BUILD/pg/data" -m fast -w stop) >/dev/null 2>&1 || true
    fi
    if [ -d "$PGDIR" ] && [ -n "$CHECKOUT_KEY" ]; then
        log "deleting $PGDIR (the cluster of $ROOT)"
        rm -rf "$PGDIR"
    fi
    rm -rf "$ADDONS_DIR"
}

psql_() { "$PGBIN/psql" -X -q -h "$PGDIR/run" -p "$PGPORT" -U "$PGUSER_ODOO" "$@"; }

db_exists() { [ "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'")" = 1 ]; }

# Bundled modules whose dependencies are not on disk stay 'to install' in a new database,
# which makes Odoo log "Unmet dependencies" and the cron runner skip the database.
db_settle_modules() {
    psql_ -d "$1" -c "UPDATE ir_module_module SET state='uninstalled' WHERE state='to install'"
}

# Create database $1 with the addon (and extra modules $2) and demo data; log to $3.
db_create() {
    local db=$1 extra=$2 logfile=$3
    : >"$logfile"
    log "creating database $db with $MODULE${extra:+,$extra} and demo data (log: $logfile)"
    psql_ -d postgres -c "CREATE DATABASE \"$db\""
    odoo -d "$db" -i "$MODULE${extra:+,$extra}" --stop-after-init --http-port=0 \
        --http-interface=127.0.0.1 --log-level=info --logfile="$logfile" || return 1
    # French next to English (loaded at creation it would replace English as the default).
    odoo -d "$db" --load-language=fr_FR --stop-after-init --http-port=0 \
        --http-interface=127.0.0.1 --logfile="$logfile" || return 1
    db_settle_modules "$db"
}

# Database $1 with the addon, created (log $2) or, when the addon's files changed since it was
# last installed or updated, updated (log $3).
db_ensure() {
    local db=$1 install_log=$2 update_log=$3 code_hash
    code_hash=$(cd "$ROOT" && git ls-files -co --exclude-standard -- . ':!docs' ':!tools' \
        ':!bench' | sort | xargs sha1sum 2>/dev/null | sha1sum | cut -d' ' -f1)
    if ! db_exists "$db"; then
        db_create "$db" "" "$install_log"
    elif [ "$(cat "$BUILD/$db.hash" 2>/dev/null)" != "$code_hash" ]; then
        log "addon changed since last run: updating $MODULE in $db"
        odoo -d "$db" -u "$MODULE" --stop-after-init --http-port=0 --http-interface=127.0.0.1 \
            --logfile="$update_log"
        db_settle_modules "$db"
    fi
    echo "$code_hash" >"$BUILD/$db.hash"
}
