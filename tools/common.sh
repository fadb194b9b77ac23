# Shared settings for the developer scripts (sourced, not executed).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Project-local state (PostgreSQL cluster, logs, filestore) lives in the checkout, git-ignored.
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
ADDONS_DIR="$CACHE/addons-$(printf %s "$ROOT" | sha1sum | cut -c1-12)"
PGDIR="$BUILD/pg"
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-5433}
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

# Odoo's command line with the project's addons path and database. Use "${ODOO[@]}" (not a
# function) to start a server in the background, so that $! is the server itself.
ODOO=("$VENV/bin/python" -c "import odoo.cli, sys; sys.argv=['odoo'] + sys.argv[1:]; odoo.cli.main()"
      --addons-path="$ADDONS_PATH" --db_host="$PGDIR/run" --db_port="$PGPORT"
      --db_user="$PGUSER_ODOO" --data-dir="$BUILD/filestore")
odoo() { "${ODOO[@]}" "$@"; }

pg_start() {
    if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
        log "initdb $PGDIR/data"
        mkdir -p "$PGDIR/data" "$PGDIR/run"
        chown -R postgres:postgres "$PGDIR"
        runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U "$PGUSER_ODOO" \
            --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log"
    fi
    mkdir -p "$PGDIR/run" && chown postgres:postgres "$PGDIR/run"
    if runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        return 0
    fi
    log "starting PostgreSQL on port $PGPORT (socket in $PGDIR/run)"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
        -o "-k $PGDIR/run -p $PGPORT -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null
}

pg_stop() {
    if [ -f "$PGDIR/data/PG_VERSION" ] && \
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        log "stopping PostgreSQL"
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null || true
    fi
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
