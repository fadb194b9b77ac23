"""11.0.1.1.0: the value basis and duration (Capsule) and the value typed in the
opportunity's currency. The expected revenue, typed until now in the company currency, becomes
each opportunity's fixed value (before the update creates the columns: nothing it computes
may change the pipeline's figures)."""
import logging

from odoo.addons.crm_opportunity_suite.hooks import add_value_columns

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    converted = add_value_columns(cr)
    _logger.info("Typed values filled from the expected revenues (%d converted to the "
                 "opportunity's currency).", converted)
