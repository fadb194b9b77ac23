from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_lead_line_required = fields.Boolean(
        related="company_id.crm_lead_line_required",
        string="Opportunities need at least one item")
