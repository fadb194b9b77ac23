from odoo import models


class CrmActivityReport(models.Model):
    _inherit = "crm.activity.report"

    def _where(self):
        # Trashed opportunities never count.
        return super()._where() + " AND l.trash_date IS NULL"
