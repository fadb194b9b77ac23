from odoo import models


class CrmOpportunityReport(models.Model):
    _inherit = "crm.opportunity.report"

    def _where(self):
        # Trashed opportunities never count (crm's view has no WHERE clause of its own).
        where = super()._where().strip()
        return (where + " AND " if where else "WHERE ") + "c.trash_date IS NULL"
