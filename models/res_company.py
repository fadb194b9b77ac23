from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_lead_line_required = fields.Boolean(
        string="Opportunities need at least one item",
        help="When set, an opportunity cannot be saved without at least one item line.")
