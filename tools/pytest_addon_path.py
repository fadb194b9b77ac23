"""pytest plugin: import the addon's tests under the addon's technical name.

pytest resolves command-line paths to real paths, so the tests of the checkout (which Odoo sees
through a link named crm_opportunity_suite, see tools/common.sh) would be imported as a package named after
the checkout's folder. Collect them through the link instead, as pytest-odoo expects.
"""
import os

import py
import pytest
import pytest_odoo

LINK = os.environ["CRM_SUITE_ADDON_LINK"]
REAL = os.path.realpath(LINK)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(path, parent):
    real = str(path)
    if real.startswith(REAL + os.sep):
        return pytest_odoo.OdooTestModule(py.path.local(LINK).join(os.path.relpath(real, REAL)),
                                          parent)
    return None
