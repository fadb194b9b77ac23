#!/usr/bin/env bash
# Run by make test: the tooling itself, from a clone of this checkout (with its uncommitted
# changes) in a 0700 directory made by mktemp -d, as a checkout under /root would be:
#   - the cluster cannot be kept where the postgres user cannot reach it: a clear error;
#   - make run sets everything up there and answers on its port (the clone's own database);
#   - make run, stopped by SIGTERM, SIGINT and SIGHUP, each sent to make alone and to its whole
#     process group: make ends, Odoo shut down gracefully once (one "Initiating shutdown", no
#     "Forced shutdown."), the port is closed, pg_ctl status says no server runs, no process
#     of the clone or its cluster is left (pgrep), nor in make's group;
#   - make run WORKERS=2 (prefork: workers, cron worker, longpolling, queue_job runner) answers
#     and SIGTERM to make's group stops all of it;
#   - make test, stopped the same way while it installs the addon;
#   - make clean deletes the clone's cluster.
# Usage: test_make_run.sh [RESULTS]: one "ok ..." / "not ok ..." line per check appended to
# RESULTS (counted by tools/test.sh).
set -uo pipefail
. "$(dirname "$0")/common.sh"
RESULTS=${1:-/dev/null}
KEEP_PG=1          # the cluster of this checkout is not this script's business
passed=0; failed=0

report() {  # report STATUS(0 = ok) DESCRIPTION
    if [ "$1" = 0 ]; then
        passed=$((passed + 1)); echo "ok - $2" | tee -a "$RESULTS"
    else
        failed=$((failed + 1)); echo "not ok - $2" | tee -a "$RESULTS"
    fi
}

TMP=$(mktemp -d)
CLONE="$TMP/crm"
CLONE_PGDIR=""
cleanup_clone() {
    if [ -d "$CLONE" ]; then
        (cd "$CLONE" && make -s clean >/dev/null 2>&1) || true
    fi
    rm -rf "$TMP"
}
EXIT_HOOK=cleanup_clone
stop_on_signals

log "clone of $ROOT in $TMP (mode $(stat -c %a "$TMP"))"
git clone -q "$ROOT" "$CLONE" || die "git clone $ROOT failed"
# The working tree as it is: uncommitted changes and new files too.
git -C "$ROOT" diff --binary HEAD | git -C "$CLONE" apply --binary --allow-empty \
    || die "could not apply the uncommitted changes of $ROOT to the clone"
git -C "$ROOT" ls-files -oz --exclude-standard | tar -C "$ROOT" --null -T - -cf - \
    | tar -C "$CLONE" -xf -
CLONE_PGDIR=$(cd "$CLONE" && env -u PGPORT bash -c '. tools/common.sh && echo "$PGDIR"')
CLONE_PGPORT=$(cd "$CLONE" && env -u PGPORT bash -c '. tools/common.sh && echo "$PGPORT"')
PORT=$(free_port $((29000 + PORT_SLOT))) || die "no free port for make run"

# 1. Where PostgreSQL cannot go: clusters asked for inside the 0700 directory.
out=$(cd "$CLONE" && CRM_SUITE_PG_ROOT="$TMP/pg" bash -c '. tools/common.sh && pg_start' 2>&1)
rc=$?
echo "$out"
[ "$rc" != 0 ] && grep -q "cannot reach" <<<"$out" && grep -q "$TMP is drwx------" <<<"$out" \
    && [ ! -e "$TMP/pg" ]
report $? "a cluster out of the postgres user's reach ($TMP/pg) fails early, creating nothing, with what to do"
[ "$(stat -c %a "$TMP")" = 700 ]
report $? "$TMP is still 0700"

# make in the clone, in a session and process group of its own (signals not ignored), with
# the clone's own default ports; its pid is its process group's id.
MAKE_LOG=""
start_make() {  # start_make NAME TARGET [VAR=VALUE...]
    MAKE_LOG="$TMP/$1.log"
    setsid env --default-signal=HUP,INT,TERM -u PGPORT -u UI_PORT -u QUICK_PORT -u DB \
        -C "$CLONE" PORT="$PORT" "${@:3}" make "$2" >"$MAKE_LOG" 2>&1 </dev/null &
    SERVER=$!
}

running() {  # running PID...: those that run (not ended, not zombies)
    local p
    for p in "$@"; do if proc_alive "$p"; then echo "$p"; fi; done
}

answers() { curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/web/login"; }

wait_until_answers() {  # wait_until_answers SECONDS
    local i
    for ((i = 0; i < $1; i += 2)); do
        answers && return 0
        proc_alive "$SERVER" || return 1
        sleep 2
    done
    return 1
}

# stop_make SIGNAL process|group: send it, wait for make to end, check that nothing is left.
stop_make() {
    local sig=$1 target=$2 pid=$SERVER i j status left leftover group shutdowns forced ok=0
    SERVER=""
    if [ "$target" = group ]; then kill -"$sig" -- "-$pid"; else kill -"$sig" "$pid"; fi
    for ((i = 0; i < 1200; i++)); do
        proc_alive "$pid" || break
        sleep 0.1
    done
    if proc_alive "$pid"; then
        echo "make still running 120 s after SIG$sig"; ok=1
        SERVER=$pid   # the exit trap stops it
    else
        wait "$pid" 2>/dev/null
    fi
    status=$(cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CLONE_PGDIR/data" status 2>&1)
    [ $? = 3 ] || ok=1
    # Processes that ended but wait to be reaped by init (zombies; init may take a second or
    # two) are not running: they do not count.
    leftover=$(pgrep -g "$pid" | xargs | tr ' ' ,)
    if [ -n "$leftover" ]; then
        echo "  in make's group as make ended:"
        ps -o pid,ppid,stat,args -p "$leftover" | cut -c1-120 | sed 's/^/    /'
    fi
    for ((j = 0; j < 20; j++)); do
        left=$(running $(pgrep -f -- "$CLONE|$CLONE_PGDIR") | xargs)
        group=$(running $(pgrep -g "$pid") | xargs)
        [ -n "$left$group" ] || break
        sleep 0.1
    done
    if [ -n "$left$group" ]; then
        ok=1
        ps -o pid,ppid,pgid,stat,etime,args -p "$(echo $left $group | tr ' ' ,)" | cut -c1-200
    fi
    if answers; then echo "port $PORT still answers"; ok=1; fi
    # One shutdown: the threaded server's "Initiating shutdown" or the prefork master's
    # "Stopping gracefully".
    shutdowns=$(grep -c 'Initiating shutdown\|Stopping gracefully' "$MAKE_LOG")
    forced=$(grep -c 'Forced shutdown' "$MAKE_LOG")
    [ "$forced" = 0 ] || ok=1
    echo "  SIG$sig to make's $target: make exited in $((i / 10)).$((i % 10)) s;" \
        "pg_ctl status: $status"
    echo "  processes of the clone or its cluster left: ${left:-none} (pgrep -f);" \
        "in make's group: ${group:-none} (pgrep -g); Odoo log: shutdown x$shutdowns," \
        "'Forced shutdown' x$forced"
    if [ "$ok" != 0 ]; then tail -n 30 "$MAKE_LOG"; fi
    SHUTDOWNS=$shutdowns
    return "$ok"
}

# 2. make run in the clone: set-up, cluster, database, server.
log "make run in $CLONE on port $PORT (database created: a few minutes)"
start_make run-1 run
started=$(date +%s)
wait_until_answers 900
rc=$?
if [ "$rc" != 0 ]; then tail -n 40 "$MAKE_LOG"; fi
report $rc "make run from a clone in a 0700 directory answers on http://127.0.0.1:$PORT ($(( $(date +%s) - started )) s)"
[ -f "$CLONE_PGDIR/data/PG_VERSION" ] && [ -S "$CLONE_PGDIR/run/.s.PGSQL.$CLONE_PGPORT" ] \
    && [ ! -e "$CLONE/.build/pg" ]
report $? "its cluster is in $CLONE_PGDIR (socket port $CLONE_PGPORT), not in the checkout"

# 3. Each signal, to make alone and to its whole group; the database is reused.
first=1
for sig in TERM INT HUP; do
    for target in process group; do
        if [ "$first" = 1 ]; then
            first=0   # the make run above, if it answers
        else
            start_make "run-$sig-$target" run
            wait_until_answers 300; rc=$?
            if [ "$rc" != 0 ]; then tail -n 40 "$MAKE_LOG"; fi
        fi
        if [ "$rc" = 0 ]; then
            SHUTDOWNS=0
            stop_make "$sig" "$target"; rc=$?
            [ "$SHUTDOWNS" = 1 ] || rc=1
        else
            [ -z "$SERVER" ] || stop_make TERM group
        fi
        report $rc "make run stopped by SIG$sig to make's $target: Odoo shut down once, PostgreSQL stopped, nothing left"
    done
done

# 3b. make run WORKERS=2: the prefork master, 2 HTTP workers, the cron worker, the longpolling
# process and queue_job's runner; SIGTERM to make's group stops them all, the workers
# gracefully (each logs its exit).
LONGPOLLING=$(free_port $((PORT + 3))) || die "no free port for the longpolling process"
start_make run-workers run WORKERS=2 LONGPOLLING_PORT="$LONGPOLLING"
wait_until_answers 300; rc=$?
polled=000   # the longpolling process starts after the workers
for ((i = 0; rc == 0 && i < 60; i++)); do
    [ "$polled" = 200 ] || polled=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        "http://127.0.0.1:$LONGPOLLING/web/login")
    [ "$polled" = 200 ] && grep -q 'queue_job.jobrunner.runner: database connections ready' \
        "$MAKE_LOG" && break
    sleep 1
done
odoos=$(pgrep -f -- "$CLONE/tools/odoo-bin" | wc -l)
pollers=$(pgrep -f -- "$CLONE/tools/odoo-bin gevent" | wc -l)
echo "  WORKERS=2: $odoos Odoo processes ($pollers longpolling), longpolling port $LONGPOLLING:" \
    "HTTP $polled"
[ "$rc" = 0 ] && [ "$odoos" = 5 ] && [ "$pollers" = 1 ] && [ "$polled" = 200 ] \
    && grep -q 'database connections ready' "$MAKE_LOG"
report $? "make run WORKERS=2 answers: master, 2 HTTP workers, cron worker, longpolling on $LONGPOLLING, queue_job runner ready"
if [ -n "$SERVER" ]; then
    SHUTDOWNS=0
    stop_make TERM group; rc=$?
    exits=$(grep -c 'odoo.service.server: Worker ([0-9]*) exiting' "$MAKE_LOG")
    echo "  workers that logged their exit: $exits"
    [ "$SHUTDOWNS" = 1 ] && [ "$exits" -ge 3 ] || rc=1
else
    rc=1
fi
report $rc "make run WORKERS=2 stopped by SIGTERM to make's group: workers exited gracefully, no worker, runner or longpolling left, PostgreSQL stopped"

# 4. make test in the clone, stopped while it installs the addon (its own tools test skipped).
for case in "TERM group" "INT process" "HUP group"; do
    read -r sig target <<<"$case"
    start_make "test-$sig-$target" test CRM_SUITE_SKIP_TOOLS_TESTS=1
    rc=1
    for ((i = 0; i < 300; i++)); do
        if grep -q 'loading' "$CLONE/.build/log/test-install.log" 2>/dev/null; then rc=0; break; fi
        proc_alive "$SERVER" || break
        sleep 1
    done
    if [ "$rc" = 0 ]; then
        sleep 3
        stop_make "$sig" "$target"; rc=$?
    else
        tail -n 40 "$MAKE_LOG"
        [ -z "$SERVER" ] || stop_make TERM group
    fi
    report $rc "make test stopped by SIG$sig to make's $target while installing: PostgreSQL stopped, nothing left"
    rm -f "$CLONE/.build/log/test-install.log"
done

# 5. make clean deletes the clone's cluster.
(cd "$CLONE" && make -s clean >/dev/null 2>&1) && [ ! -e "$CLONE_PGDIR" ]
report $? "make clean deletes the clone's cluster ($CLONE_PGDIR)"

echo "test_make_run: $passed passed, $failed failed"
[ "$failed" = 0 ]
