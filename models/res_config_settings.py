from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_lead_line_required = fields.Boolean(
        related="company_id.crm_lead_line_required",
        string="Opportunities need at least one item")
    crm_trash_days = fields.Integer(
        string="Days in the trash", default=30,
        config_parameter="crm_opportunity_suite.trash_days",
        help="Deleted opportunities are deleted for good after this many days in the trash.")
