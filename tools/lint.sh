#!/usr/bin/env bash
# make lint: pylint-odoo (pinned in tools/lint-requirements.txt, Odoo 11.0 checks, settings in
# .pylintrc) on the addon; exits non-zero on any message.
set -euo pipefail
. "$(dirname "$0")/common.sh"
LINT_KEY=$(sha1sum "$ROOT/tools/lint-requirements.txt" | cut -c1-12)
LINTVENV="$CACHE/lintvenv-$LINT_KEY"
if [ ! -f "$LINTVENV/.complete" ]; then
    log "building the lint environment ($LINTVENV)"
    rm -rf "$LINTVENV"
    /root/.pyenv/versions/3.7.16/bin/python3.7 -m venv "$LINTVENV"
    "$LINTVENV/bin/pip" install -q --no-deps -r "$ROOT/tools/lint-requirements.txt"
    touch "$LINTVENV/.complete"
fi
mkdir -p "$ADDONS_DIR"
ln -sfn "$ROOT" "$ADDONS_DIR/$MODULE"
# Linted under its technical name (the checks read the manifest of the module they lint).
cd "$ADDONS_DIR"
"$LINTVENV/bin/pylint" --rcfile="$ROOT/.pylintrc" --disable=consider-merging-classes-inherited \
    --msg-template='{path}:{line}: [{msg_id}({symbol})] {msg}' "$MODULE"
log "lint: no message"
