from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_lead_line_required = fields.Boolean(
        string="Opportunities need at least one item",
        help="When set, an opportunity cannot be saved without at least one item line.")

    @api.multi
    def write(self, vals):
        res = super().write(vals)
        if "currency_id" in vals:
            # Expected revenue is in the company currency: convert the lines' totals again.
            self.env["crm.lead"].with_context(active_test=False).search([
                ("company_id", "in", self.ids), ("line_ids", "!=", False),
            ])._sync_revenue_from_lines()
        return res
