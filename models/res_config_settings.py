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
    crm_drop_alias = fields.Char(
        string="Drop address prefix", default="opportunity",
        config_parameter="crm_opportunity_suite.drop_alias",
        help="Opportunities' drop addresses are <prefix>+<token>@<alias domain>.")
    crm_drop_unknown_sender = fields.Selection(
        [("review", "Keep for review"), ("bounce", "Bounce")],
        string="Mail from unknown senders", default="review",
        config_parameter="crm_opportunity_suite.drop_unknown_sender",
        help="Mail sent to a drop address by someone who is neither a user nor a contact of "
             "the opportunity.")

